"""``modbot eval``: metrics for modbot and the two baselines in one run; ids filter; column errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from bot.cli.eval import binary_metrics
from bot.cli.inputs import text_id

ROWS = [
    ("This is what happens when you elect democrats…", 1),
    ("All Republicans are traitors and liars.", 1),
    ("The libs want to destroy America, they are vermin.", 1),
    ("Typical libtards, always crying.", 1),
    ("I voted for the Democrats this time", 0),
    ("The Republican bill passed the Senate", 0),
    ("Lovely weather for the parade today.", 0),
    ("Turnout was higher in the suburbs than in 2020.", 0),
]


@pytest.fixture
def lexicon_config(tmp_path: Path) -> str:
    path = tmp_path / "modbot.toml"
    path.write_text("[policy]\nuse_learned_heads = false\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    path = tmp_path / "labelled.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label"])
        writer.writerows(ROWS)
    return path


def test_binary_metrics() -> None:
    y = np.array([1, 1, 0, 0])
    m = binary_metrics(y, np.array([0.9, 0.4, 0.6, 0.1]), 0.5)
    assert m["auc"] == pytest.approx(0.75)
    assert (m["precision"], m["recall"], m["flags_per_1000"]) == (0.5, 0.5, 500.0)


def test_eval_prints_ours_and_both_baselines(dataset: Path, lexicon_config: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", lexicon_config, "eval", str(dataset), "--text-column", "text",
                 "--label-column", "label", "--score", "partisan", "--no-toxicity", "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    report = json.loads(out)
    assert report["rows"] == 8 and report["positives"] == 4
    assert set(report["metrics"]) == {"modbot", "toxicity only", "lexicon only"}
    assert report["metrics"]["toxicity only"] is None and "n/a" in err  # never faked
    ours = report["metrics"]["modbot"]
    assert ours["auc"] > 0.9 and ours["precision"] == 1.0
    assert set(ours) >= {"auc", "ap", "precision", "recall", "f1", "flags_per_1000", "threshold"}


def test_eval_table_and_ids_filter(dataset: Path, lexicon_config: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    ids = tmp_path / "held_out.ids"
    ids.write_text("# held-out\n" + "\n".join(text_id(t) for t, _ in ROWS[:2] + ROWS[4:6]) + "\n", encoding="utf-8")
    code = main(["--config", lexicon_config, "eval", str(dataset), "--text-column", "text", "--label-column", "label",
                 "--score", "flag", "--ids", str(ids), "--no-toxicity"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "4 rows, 2 positive" in out
    assert "modbot" in out and "toxicity only" in out and "lexicon only" in out and "n/a" in out


def test_eval_wrong_column(dataset: Path, lexicon_config: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", lexicon_config, "eval", str(dataset), "--text-column", "body", "--label-column",
                 "label", "--no-toxicity"])
    assert code == 2 and "available columns: text, label" in capsys.readouterr().err
