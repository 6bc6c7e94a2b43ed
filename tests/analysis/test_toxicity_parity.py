"""Faster runtimes agree with the fp32 PyTorch path: bf16 autocast and int8 ONNX (exported, quantized, cached)."""

from __future__ import annotations

import random
import time
from pathlib import Path

import numpy as np
import pytest
from support.tiny_detoxify import build_tiny_checkpoint

from bot.analysis.config import ToxicityConfig
from bot.analysis.runtimes.onnx_backend import cache_paths
from bot.analysis.toxicity import LoadResult, ToxicityModel, load_toxicity_model

pytestmark = pytest.mark.slow

_FRAGMENTS = [
    "did you read the article about the election", "the senator made a good point", "lol no way",
    "please keep it civil", "what a game last night", "I disagree but I see why you think that",
    "the council meets on Tuesday", "taxes and healthcare again", "source?", "this is the best thread today",
    "you are an idiot", "what a stupid take", "I will kill you", "fuck this", "shut up loser", "thanks for sharing",
    "the new bridge will cost too much", "can someone post the link", "that is a moron move", "agreed 100%",
]


def sample_messages(n: int = 80, seed: int = 3) -> list[str]:
    """Discord-length messages: one to six fragments, some with planted toxic words."""
    rng = random.Random(seed)
    return [", ".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(1, 6))) for _ in range(n)]


def _load(path: Path, runtime: str, **extra: object) -> ToxicityModel:
    result = load_toxicity_model(ToxicityConfig(checkpoint=path, runtime=runtime, torch_threads=2, **extra))
    assert result.model is not None, result.status.summary
    if result.upgrade is not None:
        status = result.upgrade()
        assert status.runtime == "onnx-int8", status.summary
    assert result.model.runtime == runtime
    return result.model


@pytest.fixture(scope="module")
def planted_small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_checkpoint(tmp_path_factory.mktemp("planted"), "original", size="small", planted=True)


@pytest.fixture(scope="module")
def random_small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Random weights at init scale 0.1: scores spread over roughly 0.25-0.5 instead of all ~0.5."""
    return build_tiny_checkpoint(tmp_path_factory.mktemp("random"), "unbiased", size="small", init_std=0.1)


@pytest.mark.parametrize("which", ["planted_small", "random_small"])
def test_bf16_matches_fp32(which: str, request: pytest.FixtureRequest) -> None:
    path = request.getfixturevalue(which)
    texts = sample_messages()
    fp32 = _load(path, "fp32").predict(texts)
    bf16 = _load(path, "bf16").predict(texts)
    assert fp32[:, 0].std() > 0.02  # not a trivial model
    assert np.abs(bf16 - fp32).max() <= 0.02


def test_onnx_int8_matches_fp32(random_small: Path) -> None:
    texts = sample_messages()
    fp32 = _load(random_small, "fp32").predict(texts)
    int8 = _load(random_small, "onnx-int8").predict(texts)
    assert fp32[:, 0].std() > 0.02
    assert np.abs(int8 - fp32).max() <= 0.02


@pytest.fixture(scope="module")
def planted_exported(planted_small: Path) -> LoadResult:
    """First onnx-int8 load of the planted model: serves fp32, then exports and switches (one export)."""
    first = load_toxicity_model(ToxicityConfig(checkpoint=planted_small, runtime="onnx-int8", torch_threads=2))
    assert first.model is not None and first.model.runtime == "fp32", first.status.summary
    assert first.upgrade is not None
    status = first.upgrade()
    assert status.state == "ok" and status.runtime == "onnx-int8", status.summary
    return first


def test_onnx_int8_on_planted_model_keeps_verdicts(planted_small: Path, planted_exported: LoadResult) -> None:
    """Planted weights put each label on one hidden axis behind a steep head: the worst case for per-tensor
    activation quantization. Mid-range scores move by up to ~0.1 there, so this checks the mean and the
    verdicts; the strict 0.02 bound is checked on the random model above."""
    texts = sample_messages()
    fp32 = _load(planted_small, "fp32").predict(texts)
    assert planted_exported.model is not None
    int8 = planted_exported.model.predict(texts)
    assert np.abs(int8 - fp32).mean() <= 0.02
    clear = (fp32 < 0.2) | (fp32 > 0.8)
    assert ((int8[clear] > 0.5) == (fp32[clear] > 0.5)).all()


def test_onnx_export_is_cached_next_to_the_weights(planted_small: Path, planted_exported: LoadResult) -> None:
    onnx_file, sidecar = cache_paths(planted_small)
    assert onnx_file.parent == planted_small.parent and onnx_file.is_file() and sidecar.is_file()
    started = time.monotonic()
    second = load_toxicity_model(ToxicityConfig(checkpoint=planted_small, runtime="onnx-int8"))
    assert second.upgrade is None and second.model is not None and second.model.runtime == "onnx-int8"
    assert time.monotonic() - started < 30  # no export (a minute or more), only the cached file loads
    texts = sample_messages(20)
    assert planted_exported.model is not None
    assert np.allclose(planted_exported.model.predict(texts), second.model.predict(texts), atol=1e-6)
