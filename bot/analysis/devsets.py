"""The labelled development sets the heads are trained and judged on (read from the shared data folder).

Each loader returns :class:`Labelled`: texts, a stable id per text (:func:`bot.cli.inputs.text_id`), and per task
a float target in [0, 1] (the share of raters who said yes; exact 0/1 for single-label sets) with NaN where the
row has no label for that task. ``groups`` holds what a split must not cut across (the article for Fox News).

News-comment sets (the domain modbot judges), all licensed for training weights that ship:

- ``ccc``: Civil Comments in Context (Apache-2.0 labels, CC0 text): ``toxicity`` = share of the original raters
  who called the comment toxic. Its clean negatives (no rater said toxic) also count as "no span of any type".
- ``toxic_spans``: Civil Comments Toxic Spans (CC0): per type, the share of raters who marked a span of that type:
  ``insult``, ``profane``, ``identity_attack``, ``threat``. The 75 texts also in CCC are dropped here.
- ``fox``: Fox News comments (MIT): ``hateful`` 0/1. Split by article (:data:`FOX_SPLIT`).

Tweet/Reddit sets (kept from the first heads): ``twitcivility`` (impoliteness, intolerance), ``davidson_reddit``.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.cli.inputs import text_id

SPAN_TYPES = {"Insult": "insult", "Profane/Obscene": "profane", "Identity based Attack": "identity_attack",
              "Threat": "threat"}
# Fox News: whole articles are held out (no topic leaks). Test: 303 rows (95 hateful); val: 179 rows (65 hateful).
FOX_SPLIT = {
    "test": ("First lady Obama takes swipe at Trump",
             "States moving to restore work requirements for food stamp recipients"),
    "val": ("Supreme Court has spoken on affirmative action. Now, colleges should boost income-based diversity",
            "Black Lives Matter must rescind anti-Israel declaration"),
}
LICENCES = {
    "twitcivility": "none stated in the GitHub repo (HF card reportedly MIT)",
    "davidson_reddit": "BSD-3-Clause",
    "ccc": "Apache-2.0 (labels); Civil Comments text CC0",
    "toxic_spans": "CC0 1.0",
    "fox": "MIT (authors' README); usernames dropped",
}
_NORM = re.compile(r"[^a-z0-9]+")


@dataclass
class Labelled:
    """Rows of one labelled set."""

    name: str
    texts: list[str]
    labels: dict[str, np.ndarray]  # task -> float32 target in [0, 1], NaN = unknown
    groups: list[str] = field(default_factory=list)
    spans: list[list[tuple[int, int]]] = field(default_factory=list)  # toxic_spans only: majority char spans

    @property
    def ids(self) -> list[str]:
        """Stable text ids (what data/splits/*.ids list)."""
        return [text_id(t) for t in self.texts]

    def binary(self, task: str, cut: float = 0.5) -> np.ndarray:
        """0/1 labels of a task (target >= ``cut``); NaN stays NaN."""
        y = self.labels[task]
        return np.where(np.isnan(y), np.nan, (y >= cut).astype(np.float32))


def norm_key(text: str) -> str:
    """Lower-case letters and digits only: what counts as the same text across sets."""
    return _NORM.sub(" ", text.lower()).strip()


def load_twitcivility(data: Path) -> Labelled:
    """TwitCivility tweets: impoliteness, intolerance (0/1)."""
    rows = _csv(data / "twitcivility" / "train.csv")
    return Labelled("twitcivility", [r["text"] for r in rows], {
        t: np.array([float(r[t]) for r in rows], dtype=np.float32) for t in ("impoliteness", "intolerance")})


def load_davidson_reddit(data: Path) -> Labelled:
    """Davidson et al. Reddit comments: uncivil (0/1)."""
    rows = _csv(data / "davidson_reddit" / "train.csv")
    return Labelled("davidson_reddit", [r["comment"] for r in rows],
                    {"uncivil_reddit": np.array([float(r["label"]) for r in rows], dtype=np.float32)})


def load_ccc(data: Path) -> Labelled:
    """Civil Comments in Context: ``toxicity`` = share of out-of-context raters saying toxic; ``toxicity_ic`` in
    context. Rows no rater called toxic are also clean negatives for every span type."""
    texts, oc, ic = [], [], []
    with (data / "civil_comments_ccc" / "xenos2021.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            oc_codes, ic_codes = json.loads("[" + r["label"] + "]")
            texts.append(r["text"].replace("\\n", "\n"))
            oc.append(float(np.mean(oc_codes)) if oc_codes else np.nan)
            ic.append(float(np.mean(ic_codes)) if ic_codes else np.nan)
    tox = np.array(oc, dtype=np.float32)
    labels = {"toxicity": tox, "toxicity_ic": np.array(ic, dtype=np.float32)}
    clean = np.where(tox == 0.0, 0.0, np.nan).astype(np.float32)
    for task in SPAN_TYPES.values():
        labels[task] = clean.copy()
    return Labelled("ccc", texts, labels)


def load_toxic_spans(data: Path, exclude: set[str] | None = None) -> Labelled:
    """Toxic Spans: per type, the share of raters who marked such a span; ``spans`` = characters a majority
    marked (any type). ``exclude``: :func:`norm_key` values to drop (texts shared with CCC)."""
    root = data / "civil_comments_toxic_spans" / "data"
    comments = {r["comment_id"]: r["comment_text"] for r in _csv(root / "comments.csv")}
    raters: dict[str, list[str]] = defaultdict(list)
    for r in _csv(root / "annotations.csv"):
        raters[r["comment_id"]].append(r["annotation"])
    marks: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for r in _csv(root / "spans.csv"):
        if r["type"] in SPAN_TYPES and r["start"].isdigit() and r["end"].isdigit():
            marks[r["annotation"]].append((SPAN_TYPES[r["type"]], int(r["start"]), int(r["end"])))
        elif r["start"].isdigit() and r["end"].isdigit():
            marks[r["annotation"]].append(("other", int(r["start"]), int(r["end"])))
    texts, spans = [], []
    labels: dict[str, list[float]] = {t: [] for t in SPAN_TYPES.values()}
    exclude = exclude or set()
    for cid, text in comments.items():
        anns = raters.get(cid, [])
        if not anns or norm_key(text) in exclude:
            continue
        texts.append(text)
        for task in labels:
            labels[task].append(sum(any(m[0] == task for m in marks[a]) for a in anns) / len(anns))
        votes = np.zeros(len(text) + 1, dtype=np.int32)
        for a in anns:
            covered = np.zeros(len(text) + 1, dtype=bool)
            for _, s, e in marks[a]:
                covered[max(0, s):min(len(text), e)] = True
            votes += covered
        spans.append(_runs(votes >= (len(anns) / 2)))
    return Labelled("toxic_spans", texts, {k: np.array(v, dtype=np.float32) for k, v in labels.items()},
                    spans=spans)


def load_fox(data: Path) -> Labelled:
    """Fox News comments: ``hateful`` (0/1); ``groups`` = article title (splits are by article)."""
    texts, hateful, titles = [], [], []
    with (data / "fox_news_comments" / "fox-news-comments.json").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                texts.append(row["text"])
                hateful.append(float(row["label"]))
                titles.append(row["title"])
    return Labelled("fox", texts, {"hateful": np.array(hateful, dtype=np.float32)}, groups=titles)


def fox_contexts(data: Path) -> list[tuple[str, str]]:
    """(previous comment, article title) of each Fox row, in :func:`load_fox` order (``prev`` is often '')."""
    out = []
    with (data / "fox_news_comments" / "fox-news-comments.json").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                out.append((str(row.get("prev") or ""), str(row["title"])))
    return out


def fox_part(title: str) -> str:
    """Which split a Fox article belongs to: train, val or test."""
    for part, titles in FOX_SPLIT.items():
        if any(title.startswith(t[:60]) for t in titles):
            return part
    return "train"


LOADERS: dict[str, Callable[[Path], Labelled]] = {
    "twitcivility": load_twitcivility,
    "davidson_reddit": load_davidson_reddit,
    "ccc": load_ccc,
    "fox": load_fox,
}


def load(name: str, data: Path) -> Labelled:
    """Load a set by name; Toxic Spans drops the texts CCC also has."""
    if name == "toxic_spans":
        return load_toxic_spans(data, {norm_key(t) for t in load_ccc(data).texts})
    return LOADERS[name](data)


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    out, start = [], None
    for i, on in enumerate(mask.tolist()):
        if on and start is None:
            start = i
        elif not on and start is not None:
            out.append((start, i))
            start = None
    if start is not None:
        out.append((start, len(mask)))
    return out
