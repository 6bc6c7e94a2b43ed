"""scripts/train_heads.py end to end on a tiny dataset: splits, LoRA training, artifacts the bot can load."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.analysis.heads import Embedder, HeadSet

ROOT = Path(__file__).resolve().parents[2]


def _load_script():
    spec = importlib.util.spec_from_file_location("train_heads", ROOT / "scripts" / "train_heads.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["train_heads"] = module
    spec.loader.exec_module(module)
    return module


def _tiny_twitcivility(data_dir: Path) -> None:
    rude = ["you are a pathetic clown", "shut up you idiot", "what a disgusting liar", "these morons ruin it"]
    calm = ["the hearing is on tuesday", "I read the bill today", "turnout was higher this year", "thanks for the link"]
    folder = data_dir / "twitcivility"
    folder.mkdir(parents=True)
    with (folder / "train.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "impoliteness", "intolerance"])
        for i in range(15):
            for j, text in enumerate(rude):
                writer.writerow([f"{text} #{i}", 1, int(j % 2 == 0)])
            for text in calm:
                writer.writerow([f"{text} #{i}", 0, 0])


@pytest.mark.slow
def test_training_writes_loadable_artifacts_and_never_trains_on_test(tmp_path: Path) -> None:
    script = _load_script()
    _tiny_twitcivility(tmp_path / "data")
    out, splits = tmp_path / "models", tmp_path / "splits"
    argv = ["--data-dir", str(tmp_path / "data"), "--out", str(out), "--splits", str(splits),
            "--cache-dir", str(tmp_path / "cache"), "--datasets", "twitcivility", "--epochs", "1",
            "--batch-size", "16", "--rank", "2",
            "--lora-layers", "1", "--targets", "attention.self.query,output.dense"]
    assert script.main(argv) == 0

    test_ids = [ln for ln in (splits / "twitcivility.test.ids").read_text().splitlines() if not ln.startswith("#")]
    assert len(test_ids) == 24  # 20 % of 120 rows, held out before training
    heads = HeadSet.load(out)
    assert heads.names == ["impoliteness", "intolerance"]
    assert sorted(heads.lora) == ["encoder.layer.5.attention.self.query", "encoder.layer.5.output.dense"]
    meta = json.loads((out / "heads.json").read_text())
    assert meta["metrics"]["test"]["impoliteness"]["n"] == 24
    assert "python scripts/train_heads.py" in (out / "MODEL_CARD.md").read_text()

    # The adapter is merged at load time and changes the embedding; the heads separate the toy classes.
    texts = ["you are a pathetic clown", "the hearing is on tuesday"]
    adapted = Embedder(heads.lora, heads.lora_scale).embed(texts)
    frozen = Embedder().embed(texts)
    assert not np.allclose(adapted, frozen, atol=1e-4)
    probs = heads.predict(adapted)["impoliteness"]
    assert probs[0] > probs[1]


def test_unknown_lora_target_is_a_usage_error(tmp_path: Path) -> None:
    script = _load_script()
    with pytest.raises(SystemExit) as exc:
        script.main(["--data-dir", str(tmp_path), "--targets", "attention.self.nope"])
    assert exc.value.code == 2
