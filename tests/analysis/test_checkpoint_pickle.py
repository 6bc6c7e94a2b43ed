"""Old checkpoints that are plain pickles: opening them runs code stored in the file, so it is an explicit opt-in
(``[toxicity] allow_pickle_checkpoint``), off by default, with a clear reason otherwise and a warning when on."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import torch
from support.tiny_detoxify import build_tiny_checkpoint

from bot.analysis.config import ToxicityConfig
from bot.analysis.runtimes.weights import PICKLE_SETTING, ModelUnavailable, allows_pickle, read_checkpoint
from bot.analysis.toxicity import load_toxicity_model


class RunsCode:
    """Unpickling this calls ``os.makedirs(marker)``: proof that code in the file ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.makedirs, (str(self.marker), 0o755, True))


@pytest.fixture
def pickled_checkpoint(tmp_path: Path) -> tuple[Path, Path]:
    path = build_tiny_checkpoint(tmp_path, "original", planted=True)
    data = torch.load(path, weights_only=True)
    marker = tmp_path / "code-ran"
    data["hyper_parameters"] = RunsCode(marker)  # what old Lightning checkpoints carry: arbitrary objects
    torch.save(data, path)
    return path, marker


def test_off_by_default_with_a_clear_reason(pickled_checkpoint: tuple[Path, Path]) -> None:
    path, marker = pickled_checkpoint
    with pytest.raises(ModelUnavailable, match=f"{PICKLE_SETTING} = true"):
        read_checkpoint(path)
    assert not marker.exists()
    result = load_toxicity_model(ToxicityConfig(checkpoint=path, runtime="fp32", torch_threads=1))
    assert result.model is None and result.status.state == "degraded"
    assert PICKLE_SETTING in result.status.reason and "corrupt" not in result.status.reason
    assert not marker.exists()


def test_opt_in_loads_with_a_warning(pickled_checkpoint: tuple[Path, Path], caplog: pytest.LogCaptureFixture) -> None:
    path, marker = pickled_checkpoint
    caplog.set_level(logging.WARNING)
    loaded = read_checkpoint(path, allow_pickle=True)
    assert "state_dict" in loaded and marker.exists()  # the code in the file did run: hence the opt-in
    assert any("weights_only=False" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


def test_plain_checkpoints_and_corrupt_files_are_unaffected(tmp_path: Path) -> None:
    path = build_tiny_checkpoint(tmp_path, "original")
    assert "state_dict" in read_checkpoint(path)
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes(b"this is not a checkpoint")
    with pytest.raises(ModelUnavailable, match="corrupt"):
        read_checkpoint(bad, allow_pickle=True)


def test_the_setting_is_read_from_the_config() -> None:
    assert allows_pickle(ToxicityConfig()) is False
    assert allows_pickle(SimpleNamespace(**{PICKLE_SETTING: True})) is True
