"""``modbot eval --suite context`` on a tiny made-up Fox file: rows by split, contexts, metrics and intervals."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from bot.analysis.config import PolicyConfig
from bot.cli import eval_context
from bot.cli.eval_context import format_context, fox_split, point, run_context
from bot.cli.inputs import text_id

ROWS = [
    {"title": "Senate votes", "text": "these people are destroying this country", "label": 1,
     "prev": "Democrats are ruining everything", "user": "u1"},
    {"title": "Senate votes", "text": "they make a good point", "label": 0, "prev": "Democrats passed it"},
    {"title": "Senate votes", "text": "You are all vermin and should be shot", "label": 1, "prev": ""},
    {"title": "Senate votes", "text": "Nice article, thanks", "label": 0, "prev": ""},
    {"title": "Senate votes", "text": "I disagree with the bill", "label": 0, "prev": ""},
    {"title": "Other story", "text": "not in the split", "label": 0, "prev": ""},
]


def _data(tmp_path: Path) -> tuple[Path, Path]:
    data, splits = tmp_path / "data", tmp_path / "splits"
    (data / "fox_news_comments").mkdir(parents=True)
    splits.mkdir()
    (data / "fox_news_comments" / "fox-news-comments.json").write_text(
        "\n".join(json.dumps(r) for r in ROWS) + "\n", encoding="utf-8")
    ids = "\n".join(["# val rows", *(text_id(r["text"]) for r in ROWS[:5])])
    (splits / "fox.val.ids").write_text(ids, encoding="utf-8")
    (splits / "fox.test.ids").write_text(ids, encoding="utf-8")
    return data, splits


def test_fox_split_keeps_the_listed_rows_with_parent_and_title(tmp_path: Path) -> None:
    data, splits = _data(tmp_path)
    texts, y, contexts = fox_split("val", data, splits)
    assert texts == [r["text"] for r in ROWS[:5]] and y.tolist() == [1, 0, 1, 0, 0]
    assert contexts[0].parent == "Democrats are ruining everything" and contexts[0].title == "Senate votes"
    assert contexts[2].parent is None


def test_point_metrics() -> None:
    y = np.array([1, 0, 1, 0])
    v = {"score": np.array([0.9, 0.8, 0.2, 0.1]), "flag": np.array([True, True, False, False]),
         "any": np.array([True, False, False, False]), "partisan": np.zeros(4)}
    m = point(y, v)
    assert (m["auc"], m["precision"], m["recall"], m["flags_per_1000_neg"]) == (0.75, 0.5, 0.5, 500.0)
    assert m["any_precision"] == 1.0 and m["partisan_auc"] == 0.5


def test_run_context_scores_every_option_on_val_and_two_on_test(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(eval_context, "REPS", 50)
    data, splits = _data(tmp_path)
    settings = SimpleNamespace(policy=PolicyConfig(use_learned_heads=False, partisan_threshold=0.6))
    args = argparse.Namespace(data_dir=str(data), splits=str(splits), split="val", limit=None)
    val = run_context(args, settings)
    assert list(val["variants"]) == ["none", "targets", "parent-discount", "title-concat", "parent-concat"]
    assert val["rows"] == 5 and val["replies"] == 2
    assert val["variants"]["targets"]["any_flags"] == val["variants"]["none"]["any_flags"] + 1  # the reply
    assert "targets (adopted)" in format_context(val) and "CPU:" in format_context(val)
    test = run_context(argparse.Namespace(**{**vars(args), "split": "test"}), settings)
    assert list(test["variants"]) == ["none", "targets"]
