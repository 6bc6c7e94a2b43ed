"""Learned heads: artifacts load offline, masking hides the side, embeddings run off the event loop."""

from __future__ import annotations

import asyncio
import json
import threading

import numpy as np
import pytest

from bot.analysis.analyzer import Analyzer, shared_analyzer
from bot.analysis.config import PolicyConfig
from bot.analysis.heads import MODELS_DIR, HeadSet, ModelUnavailable, minilm_dir, prepare_text, sigmoid


def test_artifacts_are_small_and_described() -> None:
    heads = HeadSet.load()
    assert {"impoliteness", "intolerance"} <= set(heads.names)
    assert (MODELS_DIR / "heads.npz").stat().st_size < 2_000_000
    meta = json.loads((MODELS_DIR / "heads.json").read_text(encoding="utf-8"))
    test = meta["metrics"]["test"]
    assert test["impoliteness"]["auc"] > 0.75 and test["intolerance"]["auc"] > 0.7
    card = (MODELS_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "python scripts/train_heads.py" in card and "licence" in card.lower()


def test_missing_artifacts_raise_model_unavailable(tmp_path) -> None:
    with pytest.raises(ModelUnavailable):
        HeadSet.load(tmp_path)


def test_analyzer_falls_back_to_lexicons_without_heads(tmp_path) -> None:
    analyzer = Analyzer(PolicyConfig(models_dir=tmp_path))
    verdict = analyzer.analyze_sync(["This is what happens when you elect democrats…"])[0]
    assert "partisan" in verdict.labels
    assert analyzer.status["heads"].startswith("unavailable")


def test_prepare_text_masks_sides_and_links() -> None:
    a = prepare_text("@USER the democrats lied again https://t.co/x @LINK")
    b = prepare_text("@USER the republicans lied again https://t.co/y @LINK")
    assert a == b == "the partisans lied again"


def test_predict_shapes_and_sigmoid() -> None:
    heads = HeadSet(["a", "b"], np.zeros((384, 2), dtype=np.float32), np.array([0.0, 2.0], dtype=np.float32))
    probs = heads.predict(np.zeros((3, 384), dtype=np.float32))
    assert probs["a"].tolist() == [0.5] * 3 and probs["b"][0] == pytest.approx(sigmoid(np.array(2.0)))
    assert len(heads.predict(np.zeros((0, 384)))["a"]) == 0


def test_minilm_is_bundled() -> None:
    assert (minilm_dir() / "model.safetensors").exists()


@pytest.mark.slow
async def test_async_analyze_runs_embedding_off_the_event_loop() -> None:
    analyzer = shared_analyzer()
    await asyncio.to_thread(analyzer.warm_up)
    if analyzer.status["heads"] != "ok":
        pytest.skip(analyzer.status["heads"])
    loop_thread = threading.get_ident()
    seen: list[int] = []
    embedder = analyzer._embedder  # noqa: SLF001 - white-box check of where embedding runs
    original = embedder.embed

    def spy(texts: list[str]) -> np.ndarray:
        seen.append(threading.get_ident())
        return original(texts)

    embedder.embed = spy  # type: ignore[method-assign]
    try:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.001)
                ticks += 1

        task = asyncio.create_task(ticker())
        verdicts = await analyzer.analyze(["The libs want to destroy America. Sad."] * 64)
        task.cancel()
    finally:
        embedder.embed = original  # type: ignore[method-assign]
    assert len(verdicts) == 64 and seen and all(t != loop_thread for t in seen)
    assert ticks > 0  # the loop kept running while the model worked


async def test_concurrent_analyze_calls_queue_on_one_worker_thread(tmp_path) -> None:
    """Four callers at once do not become four threads contending for the GIL with the loop; close() is final
    only for the worker it stopped (a later call gets a new one)."""
    analyzer = Analyzer(PolicyConfig(models_dir=tmp_path))  # lexicon path: no model needed
    loop_thread = threading.get_ident()
    seen: set[str] = set()
    original = analyzer.analyze_sync

    def spy(*args: object, **kwargs: object) -> list:
        seen.add(threading.current_thread().name)
        assert threading.get_ident() != loop_thread
        return original(*args, **kwargs)  # type: ignore[arg-type]

    analyzer.analyze_sync = spy  # type: ignore[method-assign]
    texts = ["This is what happens when you elect democrats…", "thanks, see you tonight"]
    results = await asyncio.gather(*(analyzer.analyze(texts) for _ in range(4)))
    assert [[v.flagged for v in r] for r in results] == [[True, False]] * 4
    assert len(seen) == 1 and next(iter(seen)).startswith("modbot-analyzer")
    await analyzer.close()
    assert (await analyzer.analyze(texts[:1]))[0].flagged
