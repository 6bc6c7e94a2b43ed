"""The async scoring engine: batching, de-duplication, caching, sentences, loop health, degraded modes."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from support.tiny_detoxify import cached_checkpoint

from bot.analysis.config import ToxicityConfig
from bot.analysis.engine import ScoringEngine
from bot.analysis.toxicity import LoadResult, ToxicityResult, ToxicityStatus

CALM = ("The city council will meet on Tuesday to discuss the new bridge and the budget for next year. "
        "I think the senator made a good point about taxes and healthcare in the interview. "
        "Please keep the conversation civil and respectful, thank you everyone for reading. ")


def planted_config(**overrides: object) -> ToxicityConfig:
    base = {"checkpoint": cached_checkpoint("original", planted=True), "runtime": "fp32", "torch_threads": 1,
            "max_wait_ms": 2.0}
    return ToxicityConfig(**{**base, **overrides})


class FakeModel:
    """FAKE model injected at the model interface (not Detoxify): toxicity = share of the words that are
    'idiot', so a single insult is diluted in a long text exactly like a real classifier would dilute it."""

    labels = ("toxicity", "insult")
    max_tokens = 512
    variant = "fake"
    runtime = "fake"
    device = "cpu"

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list[str]] = []
        self.fail = fail
        self.lock = threading.Lock()

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        with self.lock:
            self.calls.append(list(texts))
        if self.fail:
            raise RuntimeError("boom")
        rows = []
        for text in texts:
            words = [w.strip(".,!?").lower() for w in text.split()]
            share = words.count("idiot") / max(1, len(words))
            rows.append([share, share / 2])
        return np.array(rows, dtype=np.float32)


@pytest.fixture
async def engine() -> ScoringEngine:
    eng = ScoringEngine(planted_config())
    status = await eng.start()
    assert status.ok, status.summary
    yield eng
    await eng.close()


async def test_scores_in_order_with_labels_and_ranges(engine: ScoringEngine) -> None:
    texts = ["you are an idiot", "what a lovely day", "I will kill you", "f4ck you"]
    results = await engine.score(texts)
    assert [r.original_text for r in results] == texts
    for r in results:
        assert isinstance(r, ToxicityResult) and r.available
        assert set(r.scores) == set(engine.status.labels)
        assert all(0.0 <= v <= 1.0 for v in r.scores.values())
    assert results[0].scores["toxicity"] > 0.8 and results[0].scores["insult"] > 0.8
    assert results[1].scores["toxicity"] < 0.2
    assert results[2].scores["threat"] > 0.8
    assert results[3].normalized_text == "fuck you" and results[3].scores["obscene"] > 0.8  # normalized first


async def test_toxic_sentence_in_long_calm_message_is_surfaced(engine: ScoringEngine) -> None:
    """Planted Detoxify checkpoint: the whole text dilutes the insult, the sentence scores keep it."""
    text = CALM + "You are a stupid idiot. " + CALM
    (result,) = await engine.score([text])
    assert result.scores["toxicity"] < 0.5  # diluted in the whole text
    assert result.max_sentence is not None
    sentence, scores = result.max_sentence
    assert "idiot" in sentence and scores["toxicity"] > 0.8
    assert len(result.per_sentence) >= 5
    assert result.peak["toxicity"] == pytest.approx(scores["toxicity"]) and result.toxicity > 0.8


async def test_text_beyond_model_length_is_still_scored(engine: ScoringEngine) -> None:
    """The tiny model reads 128 tokens: the insult at the end is cut from the whole-text pass."""
    text = CALM * 4 + "What a moron."
    (result,) = await engine.score([text])
    assert result.max_sentence is not None and "moron" in result.max_sentence[0]
    assert result.max_sentence[1]["toxicity"] > 0.8


async def test_fake_model_sentence_scoring_and_windows() -> None:
    """FAKE model (see FakeModel): per-sentence scores and word windows for one endless sentence."""
    fake = FakeModel()
    eng = ScoringEngine(ToxicityConfig(sentence_min_chars=50, window_words=20, max_wait_ms=1), model=fake)
    await eng.start()
    calm = "This sentence is about the weather and nothing else at all. " * 4
    (result,) = await eng.score([calm + "Idiot idiot. " + calm])
    assert result.scores["toxicity"] < 0.1
    assert result.max_sentence is not None and result.max_sentence[0] == "Idiot idiot."
    assert result.max_sentence[1]["toxicity"] == pytest.approx(1.0)
    (run_on,) = await eng.score(["word " * 50 + "idiot " + "word " * 50])  # no punctuation at all
    assert len(run_on.per_sentence) >= 4 and all(len(s.split()) <= 20 for s, _ in run_on.per_sentence)
    assert run_on.peak["toxicity"] >= 0.05 > run_on.scores["toxicity"]
    await eng.close()


async def test_event_loop_keeps_its_heartbeat_while_scoring_1000(engine: ScoringEngine) -> None:
    """Inference runs in the engine's worker thread, never on the loop, and the loop keeps ticking meanwhile.

    Structural checks only (which thread ran the model, that the heartbeat ran between batches): how long the
    loop may wait is a figure of the benchmarks (bench/scoring.py), not a timed assert that a loaded machine fails.
    """
    await engine.score([f"warm-up message {i} with some words" for i in range(100)])  # first-use costs
    loop_thread = threading.get_ident()
    model = engine._model  # noqa: SLF001 - white-box: where does the model run?
    assert model is not None
    threads: list[int] = []
    original = model.predict

    def spy(texts: list[str]) -> np.ndarray:
        threads.append(threading.get_ident())
        return original(texts)

    model.predict = spy  # type: ignore[method-assign]
    ticks = 0
    stop = asyncio.Event()

    async def heartbeat() -> None:
        nonlocal ticks
        while not stop.is_set():
            await asyncio.sleep(0.005)
            ticks += 1

    beat = asyncio.create_task(heartbeat())
    texts = [f"message {i}: you are {'an idiot' if i % 9 == 0 else 'very kind'} today, friend number {i}"
             for i in range(1000)]
    chunks = [texts[i : i + 50] for i in range(0, 1000, 50)]
    try:
        results = [r for batch in await asyncio.gather(*(engine.score(c) for c in chunks)) for r in batch]
    finally:
        model.predict = original  # type: ignore[method-assign]
        stop.set()
        await beat
    assert len(results) == 1000 and all(r.available for r in results)
    assert sum(r.scores["toxicity"] > 0.5 for r in results) == len(range(0, 1000, 9))
    assert threads and loop_thread not in threads  # never on the event loop
    assert ticks >= min(len(threads), 5)  # the loop ran while the worker scored batch after batch
    assert engine.stats.batches < 100 + 1000 / 4  # micro-batched, not one by one


async def test_dedupe_in_flight_and_lru_cache() -> None:
    fake = FakeModel()
    eng = ScoringEngine(ToxicityConfig(max_wait_ms=20, cache_size=10), model=fake)
    await eng.start()
    results = await asyncio.gather(*(eng.score(["same text idiot"]) for _ in range(20)))
    assert all(r[0].scores == results[0][0].scores for r in results)
    assert sum(len(call) for call in fake.calls) == 1  # scored once for twenty callers
    await eng.score(["same text idiot"])
    assert sum(len(call) for call in fake.calls) == 1 and eng.stats.cache_hits >= 1
    await eng.score([f"text {i}" for i in range(30)])  # evicts beyond cache_size
    await eng.score(["same text idiot"])
    assert sum(len(call) for call in fake.calls) == 32
    await eng.close()


async def test_micro_batches_respect_max_batch_size() -> None:
    fake = FakeModel()
    eng = ScoringEngine(ToxicityConfig(max_batch_size=8, max_wait_ms=30), model=fake)
    await eng.start()
    await asyncio.gather(*(eng.score([f"text number {i}"]) for i in range(40)))
    sizes = [len(call) for call in fake.calls]
    assert sum(sizes) == 40 and max(sizes) <= 8 and len(sizes) <= 10
    await eng.close()


async def test_empty_emoji_and_binary_have_defined_results(engine: ScoringEngine) -> None:
    results = await engine.score(["", "😀🔥", "\x00\x01\x02\x03\x04 \xff\xfe", "   "])
    for r in results:
        assert r.available and r.scores and all(v == 0.0 for v in r.scores.values())
        assert "nothing to score" in r.notes
    assert "emoji-only" in results[1].notes and "binary" in results[2].notes


async def test_inference_error_becomes_unavailable_result_and_engine_survives() -> None:
    fake = FakeModel(fail=True)
    eng = ScoringEngine(ToxicityConfig(max_wait_ms=1), model=fake)
    await eng.start()
    (bad,) = await eng.score(["hello there"])
    assert not bad.available and any("inference failed" in n for n in bad.notes)
    fake.fail = False
    (good,) = await eng.score(["hello again"])
    assert good.available
    await eng.close()


async def test_corrupt_checkpoint_engine_is_degraded_not_crashing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes(b"garbage" * 100)
    eng = ScoringEngine(ToxicityConfig(checkpoint=bad))
    started = time.monotonic()
    status = await eng.start()
    assert status.state == "degraded" and "corrupt" in status.reason
    (result,) = await eng.score(["you are an idiot"])
    assert not result.available and result.scores == {}
    assert any("unavailable" in n and "corrupt" in n for n in result.notes)
    assert time.monotonic() - started < 10
    await eng.close()


async def test_offline_named_variant_engine_is_degraded_quickly(tmp_path: Path) -> None:
    eng = ScoringEngine(ToxicityConfig(variant="multilingual", cache_dir=tmp_path, offline=True))
    started = time.monotonic()
    status = await eng.start()
    assert status.state == "degraded" and time.monotonic() - started < 5
    await eng.close()


async def test_slow_load_reports_loading_then_ok() -> None:
    release = threading.Event()
    fake = FakeModel()

    def slow_loader(cfg: ToxicityConfig) -> LoadResult:
        release.wait(10)
        return LoadResult(fake, ToxicityStatus("ok", "", variant="fake", runtime="fake", labels=fake.labels))

    eng = ScoringEngine(ToxicityConfig(max_wait_ms=1), loader=slow_loader)
    started = time.monotonic()
    status = await eng.start(wait=0.2)
    assert status.state == "loading" and "still loading" in status.reason
    assert time.monotonic() - started < 5  # the bot start is bounded (the load takes 10 s)
    (early,) = await eng.score(["you idiot"])
    assert not early.available
    release.set()
    for _ in range(100):
        if eng.status.ok:
            break
        await asyncio.sleep(0.02)
    assert eng.status.ok
    (late,) = await eng.score(["you idiot"])
    assert late.available and late.scores["toxicity"] == pytest.approx(0.5)
    await eng.close()


def test_score_sync_for_the_cli() -> None:
    eng = ScoringEngine(planted_config())
    results = eng.score_sync(["you are an idiot", "hello friend", "you are an idiot"])
    assert eng.status.ok and results[0].scores == results[2].scores
    assert results[0].scores["toxicity"] > 0.8 > results[1].scores["toxicity"]


async def test_closed_engine_returns_unavailable(engine: ScoringEngine) -> None:
    await engine.close()
    (result,) = await asyncio.wait_for(engine.score(["hello"]), 2)
    assert not result.available
