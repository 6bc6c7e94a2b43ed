"""The news-comment loaders: soft labels from rater votes, majority spans, CCC/Toxic Spans de-duplication,
Fox News held out by article."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.analysis import devsets


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    ccc = tmp_path / "civil_comments_ccc"
    ccc.mkdir()
    (ccc / "xenos2021.csv").write_text(
        "text\tlabel\tlanguage\tsource\n"
        "You're an idiot.\t[1, 1, 0, 1],[1.0, 1.0, 0.0, 1.0, 1.0]\ten\txenos2021\n"
        "Nice point about\\nthe zoo.\t[0, 0, 0, 0],[0.0, 0.0, 0.0, 0.0, 0.0]\ten\txenos2021\n", encoding="utf-8")
    ts = tmp_path / "civil_comments_toxic_spans" / "data"
    ts.mkdir(parents=True)
    (ts / "comments.csv").write_text(
        "comment_id,comment_text\n1,This bitch is nuts and a liar.\n2,\"You're an idiot.\"\n", encoding="utf-8")
    (ts / "annotations.csv").write_text(
        "annotation,comment_id,worker,country,all toxic,not toxic\n0,1,7,USA,False,False\n"
        "1,1,8,USA,False,False\n2,1,9,USA,False,True\n3,2,7,USA,False,False\n", encoding="utf-8")
    (ts / "spans.csv").write_text(
        "annotation,type,start,end\n0,Insult,5,10\n1,Insult,5,10\n1,Profane/Obscene,5,10\n0,Insult,24,29\n",
        encoding="utf-8")
    fox = tmp_path / "fox_news_comments"
    fox.mkdir()
    rows = [{"title": devsets.FOX_SPLIT["test"][0], "text": "a", "label": 1, "user": "u", "mentions": ""},
            {"title": "Some training article", "text": "b", "label": 0, "user": "v", "mentions": ""}]
    (fox / "fox-news-comments.json").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return tmp_path


def test_ccc_soft_toxicity_and_clean_negatives(data: Path) -> None:
    ccc = devsets.load("ccc", data)
    assert ccc.texts[1] == "Nice point about\nthe zoo."
    assert ccc.labels["toxicity"].tolist() == [0.75, 0.0]
    assert ccc.labels["toxicity_ic"][0] == pytest.approx(0.8)
    assert np.isnan(ccc.labels["insult"][0]) and ccc.labels["insult"][1] == 0.0  # toxic rows: type unknown


def test_toxic_spans_shares_majority_spans_and_dedupe(data: Path) -> None:
    ts = devsets.load("toxic_spans", data)
    assert ts.texts == ["This bitch is nuts and a liar."]  # "You're an idiot." is also in CCC: dropped
    assert ts.labels["insult"][0] == pytest.approx(2 / 3)
    assert ts.labels["profane"][0] == pytest.approx(1 / 3)
    assert ts.spans[0] == [(5, 10)]  # "liar" was marked by one rater of three: not a majority


def test_fox_is_split_by_article(data: Path) -> None:
    fox = devsets.load("fox", data)
    assert [devsets.fox_part(g) for g in fox.groups] == ["test", "train"]
    assert fox.binary("hateful").tolist() == [1.0, 0.0]


def test_shipped_split_files_hold_out_whole_fox_articles() -> None:
    from bot.paths import REPO_ROOT

    test_ids = (REPO_ROOT / "data" / "splits" / "fox.test.ids").read_text().splitlines()
    val_ids = (REPO_ROOT / "data" / "splits" / "fox.val.ids").read_text().splitlines()
    assert not {i for i in test_ids if not i.startswith("#")} & {i for i in val_ids if not i.startswith("#")}
    assert len([i for i in test_ids if not i.startswith("#")]) >= 250
