"""Loading Detoxify offline: every architecture family through Detoxify's real code, and degraded modes."""

from __future__ import annotations

import functools
import hashlib
import http.server
import logging
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from detoxify import Detoxify
from support.tiny_detoxify import VARIANT_FAMILY, build_tiny_checkpoint, cached_checkpoint

from bot.analysis.config import ToxicityConfig
from bot.analysis.runtimes import choose_runtime, cpu_flags
from bot.analysis.runtimes import weights as weights_mod
from bot.analysis.toxicity import LoadResult, ToxicityModel, ToxicityStatus, load_toxicity_model

ORIGINAL_LABELS = ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack")
BIAS_LABELS = ("toxicity", "severe_toxicity", "obscene", "identity_attack", "insult", "threat", "sexual_explicit")
EXPECTED = {"original": ORIGINAL_LABELS, "original-small": ORIGINAL_LABELS, "unbiased": BIAS_LABELS,
            "multilingual": BIAS_LABELS, "unbiased-small": BIAS_LABELS}
TEXTS = ["you are an idiot", "what a lovely day in the park", "I will kill you", "Привет всем"]


@pytest.mark.parametrize("variant", sorted(VARIANT_FAMILY))
def test_detoxify_real_loader_reads_tiny_checkpoint(variant: str) -> None:
    path = cached_checkpoint(variant, planted=True)
    detox = Detoxify(checkpoint=str(path))  # Detoxify's own loading code, no network
    assert tuple(detox.class_names) == EXPECTED[variant]
    scores = detox.predict(TEXTS)
    assert tuple(scores) == EXPECTED[variant]
    for values in scores.values():
        assert len(values) == len(TEXTS)
        assert all(0.0 <= v <= 1.0 for v in values)
    assert scores["toxicity"][0] > 0.8 and scores["toxicity"][1] < 0.2  # planted words score high


@pytest.mark.parametrize("variant", sorted(VARIANT_FAMILY))
def test_our_loader_matches_detoxify_predict(variant: str) -> None:
    path = cached_checkpoint(variant, planted=True)
    result = load_toxicity_model(ToxicityConfig(checkpoint=path, runtime="fp32", torch_threads=1))
    assert result.status.state == "ok", result.status.summary
    assert isinstance(result.model, ToxicityModel)
    assert result.model.labels == EXPECTED[variant]
    ours = result.model.predict(TEXTS)
    theirs = Detoxify(checkpoint=str(path)).predict(TEXTS)
    expected = np.array([theirs[label] for label in result.model.labels]).T
    assert np.allclose(ours, expected, atol=1e-5)  # length bucketing and padding do not change scores
    assert result.status.labels == EXPECTED[variant] and result.status.runtime == "fp32"


def test_hub_model_type_is_rewritten_to_a_local_folder(tmp_path: Path) -> None:
    """A real release names 'bert-base-uncased'; we build its config + tokenizer offline and load."""
    path = build_tiny_checkpoint(tmp_path, "original", local_model_type=False, planted=True)
    assert torch.load(path, weights_only=True)["config"]["arch"]["args"]["model_type"] == "bert-base-uncased"
    started = time.monotonic()
    result = load_toxicity_model(ToxicityConfig(checkpoint=path, runtime="fp32", offline=True))
    assert result.status.ok, result.status.summary
    assert time.monotonic() - started < 30
    assert (tmp_path / "original-hf" / "config.json").is_file()  # kept next to the weights for next time


def test_hub_name_without_local_files_degrades_quickly(tmp_path: Path) -> None:
    path = build_tiny_checkpoint(tmp_path, "unbiased", local_model_type=False)
    shutil.rmtree(tmp_path / "unbiased-hf")  # only the weights, as downloaded from a release
    started = time.monotonic()
    result = load_toxicity_model(ToxicityConfig(checkpoint=path, runtime="fp32", offline=True))
    assert result.model is None and result.status.state == "degraded"
    assert "roberta-base" in result.status.reason and "hf_config_dir" in result.status.reason
    assert time.monotonic() - started < 15  # no 5x retry with backoff


def test_hf_config_dir_setting_fixes_a_hub_name(tmp_path: Path) -> None:
    path = build_tiny_checkpoint(tmp_path / "a", "unbiased", local_model_type=False)
    hf_dir = tmp_path / "a" / "unbiased-hf"
    moved = tmp_path / "prepared-hf"
    hf_dir.rename(moved)
    result = load_toxicity_model(ToxicityConfig(checkpoint=path, hf_config_dir=moved, runtime="fp32", offline=True))
    assert result.status.ok, result.status.summary


def test_missing_checkpoint_degrades(tmp_path: Path) -> None:
    result = load_toxicity_model(ToxicityConfig(checkpoint=tmp_path / "nope.ckpt"))
    assert result.model is None
    assert result.status.state == "degraded" and "not found" in result.status.reason
    assert "degraded" in result.status.summary


@pytest.mark.parametrize("content", [b"", b"this is not a checkpoint", b"PK\x03\x04broken zip" * 10])
def test_corrupt_checkpoint_degrades(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes(content)
    result = load_toxicity_model(ToxicityConfig(checkpoint=bad))
    assert result.model is None and result.status.state == "degraded"
    assert "corrupt" in result.status.reason


def test_truncated_checkpoint_degrades(tmp_path: Path) -> None:
    good = cached_checkpoint("original")
    bad = tmp_path / "truncated.ckpt"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    result = load_toxicity_model(ToxicityConfig(checkpoint=bad))
    assert result.status.state == "degraded" and "corrupt" in result.status.reason


def test_not_a_detoxify_checkpoint_degrades(tmp_path: Path) -> None:
    other = tmp_path / "other.ckpt"
    torch.save({"weights": torch.zeros(3)}, other)
    result = load_toxicity_model(ToxicityConfig(checkpoint=other))
    assert result.status.state == "degraded" and "not a Detoxify checkpoint" in result.status.reason


def test_named_variant_offline_without_weights_degrades(tmp_path: Path) -> None:
    started = time.monotonic()
    result = load_toxicity_model(ToxicityConfig(variant="unbiased", cache_dir=tmp_path, offline=True))
    assert result.status.state == "degraded"
    assert str(tmp_path) in result.status.reason and "downloads are off" in result.status.reason
    assert time.monotonic() - started < 5


def test_named_variant_download_failure_degrades_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No network: the download fails (here: a refused loopback port), the status says so, nothing hangs."""
    monkeypatch.setitem(weights_mod.MODEL_URLS, "original", "http://127.0.0.1:9/toxic_original-c1212f89.ckpt")
    started = time.monotonic()
    result = load_toxicity_model(ToxicityConfig(variant="original", cache_dir=tmp_path, download_timeout=3))
    assert result.status.state == "degraded" and "could not download" in result.status.reason
    assert time.monotonic() - started < 10
    assert not list(tmp_path.glob("*.partial"))


def test_cached_variant_file_is_used(tmp_path: Path) -> None:
    """A weights file already in the cache folder (e.g. from a plain Detoxify run) is found by name."""
    src = cached_checkpoint("original", planted=True)
    _, dest = weights_mod.variant_file("original", tmp_path)
    dest.write_bytes(src.read_bytes())
    result = load_toxicity_model(ToxicityConfig(variant="original", cache_dir=tmp_path, offline=True, runtime="fp32"))
    assert result.status.ok, result.status.summary
    assert result.status.variant == "original" and result.status.checkpoint == str(dest)


def test_disabled_in_config() -> None:
    result = load_toxicity_model(ToxicityConfig(enabled=False))
    assert result == LoadResult(None, result.status) and "disabled" in result.status.reason


def test_status_summary_and_dict() -> None:
    status = ToxicityStatus("ok", "", variant="original", runtime="onnx-int8", labels=("toxicity",), load_seconds=1.5)
    assert status.summary == "ok: Detoxify original (onnx-int8, cpu), loaded in 1.5 s"
    assert status.as_dict()["state"] == "ok" and str(status) == status.summary


def test_auto_runtime_from_cpu_flags(tmp_path: Path) -> None:
    assert choose_runtime("auto", frozenset({"avx2", "amx_bf16"}))[0] == "bf16"
    assert choose_runtime("auto", frozenset({"avx512_bf16"}))[0] == "bf16"
    assert choose_runtime("auto", frozenset({"avx2"}))[0] in ("onnx-int8", "fp32")
    assert choose_runtime("fp32", frozenset({"amx_bf16"})) == ("fp32", "set in config")
    info = tmp_path / "cpuinfo"
    info.write_text("processor : 0\nflags\t\t: fpu avx2 amx_bf16 amx_tile\n", encoding="utf-8")
    assert {"avx2", "amx_bf16"} <= cpu_flags(info)
    assert cpu_flags(tmp_path / "missing") == frozenset()


@pytest.fixture
def loopback_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A plain HTTP server on 127.0.0.1 serving a folder (stands in for the release download)."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()
    server.server_close()


def test_first_download_logs_progress_and_cache_path(loopback_server: tuple[str, Path], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    base, root = loopback_server
    data = cached_checkpoint("original", planted=True).read_bytes()
    name = f"toxic_original-{hashlib.sha256(data).hexdigest()[:8]}.ckpt"  # release names carry a hash prefix
    (root / name).write_bytes(data)
    monkeypatch.setitem(weights_mod.MODEL_URLS, "original", f"{base}/{name}")
    cache = tmp_path / "cache"
    with caplog.at_level(logging.INFO, logger="bot.analysis.runtimes.weights"):
        result = load_toxicity_model(ToxicityConfig(variant="original", cache_dir=cache, runtime="fp32"))
    assert result.status.ok, result.status.summary
    assert (cache / name).read_bytes() == data
    assert any("MB" in r.getMessage() and str(cache) in r.getMessage() for r in caplog.records)  # progress
    assert any("cached at" in r.getMessage() for r in caplog.records)


def test_download_with_wrong_hash_is_rejected(loopback_server: tuple[str, Path], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    base, root = loopback_server
    (root / "toxic_original-deadbeef.ckpt").write_bytes(cached_checkpoint("original").read_bytes())
    monkeypatch.setitem(weights_mod.MODEL_URLS, "original", f"{base}/toxic_original-deadbeef.ckpt")
    result = load_toxicity_model(ToxicityConfig(variant="original", cache_dir=tmp_path / "cache"))
    assert result.status.state == "degraded" and "sha256" in result.status.reason
    assert not (tmp_path / "cache" / "toxic_original-deadbeef.ckpt").exists()
