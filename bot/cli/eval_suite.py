"""``modbot eval --suite news``: every label on the held-out news-comment (and tweet) splits, beside the
previous heads, in one run.

For each set and label: ROC AUC of the label's score, precision and recall of the deployed flag (the label at
the configured threshold), and flags per 1,000 civil comments (negatives). The pooled news line (CCC + Fox)
answers "what share of flags are real, what share of civil comments get one". Evidence words are compared to
the Toxic Spans ground truth (character F1). Each system is an :class:`~bot.analysis.analyzer.Analyzer`
with its own heads and thresholds; the baseline reads ``<baseline>/policy.json`` for the thresholds it shipped
with. The sets come from the shared data folder (``MODBOT_SHARED_DIR``); the splits from ``data/splits``.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.analysis import devsets
from bot.metrics import auc
from bot.paths import REPO_ROOT, shared_dir

BASELINE_DIR = REPO_ROOT / "data" / "baselines" / "heads-v1"
# (set, task, positive cut, label scored, score name)
TASKS = (
    ("ccc", "toxicity", 0.5, "inflammatory", "inflammatory"),
    ("fox", "hateful", 0.5, "inflammatory", "inflammatory"),
    ("toxic_spans", "insult", 0.5, "inflammatory", "inflammatory"),
    ("toxic_spans", "profane", 0.5, "profanity", "profanity"),
    ("twitcivility", "impoliteness", 0.5, "inflammatory", "inflammatory"),
    ("twitcivility", "intolerance", 0.5, "partisan", "partisan"),
)
NEWS = (("ccc", "toxicity"), ("fox", "hateful"))
SPAN_SAMPLE = 300


@dataclass
class Scored:
    """Per-text scores, labels and flags of one system on one set."""

    scores: dict[str, np.ndarray]
    labels: list[list[str]]
    flagged: np.ndarray
    verdicts: list[Any]


def split_rows(name: str, split: str, data: Path, splits: Path) -> devsets.Labelled:
    """The rows of ``name`` whose text id is in ``splits/<name>.<split>.ids``."""
    ds = devsets.load(name, data)
    wanted = {ln.strip() for ln in (splits / f"{name}.{split}.ids").read_text(encoding="utf-8").splitlines()
              if ln.strip() and not ln.startswith("#")}
    keep = [i for i, rid in enumerate(ds.ids) if rid in wanted]
    return devsets.Labelled(name, [ds.texts[i] for i in keep], {k: v[keep] for k, v in ds.labels.items()},
                            [ds.groups[i] for i in keep] if ds.groups else [],
                            [ds.spans[i] for i in keep] if ds.spans else [])


def score_set(analyzer: Any, texts: list[str], config: Any) -> Scored:
    """Verdicts of every text (evidence words off: they are measured separately)."""
    cfg = config.merged({"evidence_words": False})
    verdicts = analyzer.analyze_sync(texts, config=cfg)
    names = ("inflammatory", "partisan", "profanity")
    scores = {n: np.array([v.scores.get(n) or 0.0 for v in verdicts], dtype=float) for n in names}
    return Scored(scores, [v.labels for v in verdicts], np.array([v.flagged for v in verdicts]), verdicts)


def label_metrics(y: np.ndarray, score: np.ndarray, flagged: np.ndarray) -> dict[str, float]:
    """AUC of the score; precision/recall of the deployed flag; flags per 1,000 negatives."""
    pos, neg = y == 1, y == 0
    tp = float((flagged & pos).sum())
    return {
        "auc": auc(y, score),
        "precision": tp / flagged.sum() if flagged.sum() else math.nan,
        "recall": tp / pos.sum() if pos.sum() else math.nan,
        "flags_per_1000_civil": 1000.0 * float(flagged[neg].mean()) if neg.any() else math.nan,
        "n": int(len(y)),
        "positives": int(pos.sum()),
    }


def span_f1(analyzer: Any, rows: devsets.Labelled, config: Any, limit: int = SPAN_SAMPLE) -> dict[str, float]:
    """Character F1 of the evidence words against Toxic Spans (flagged texts with a gold span, first ``limit``),
    beside two baselines: the whole flagged sentence, and lexicon/pattern words only."""
    from bot.analysis.explain import word_spans
    from bot.analysis.spans import char_f1

    cfg = config.merged({"evidence_words": True})
    ours, sentence, lexicon, n = [], [], [], 0
    for text, gold in zip(rows.texts, rows.spans, strict=True):
        if n >= limit or not gold:
            continue
        verdict = analyzer.analyze_sync([text], config=cfg)[0]
        ev = next((e for e in verdict.evidence if e.label in ("inflammatory", "toxic", "profanity")), None)
        if ev is None:
            continue
        n += 1
        ours.append(char_f1(ev.spans, gold))
        sentence.append(char_f1([(ev.start, ev.end)], gold))
        lex = word_spans(text[ev.start:ev.end], ev.label, analyzer, use_model=False) if ev.start >= 0 else []
        lexicon.append(char_f1([(ev.start + s, ev.start + e) for s, e in lex], gold))
    mean = lambda xs: float(np.mean(xs)) if xs else math.nan  # noqa: E731
    return {"texts": n, "evidence_words": mean(ours), "whole_sentence": mean(sentence), "lexicon_words": mean(lexicon)}


def run_suite(args: argparse.Namespace, settings: Any) -> dict[str, Any]:
    """Score every set with the current heads and the baseline heads; the report as a dict."""
    from bot.analysis.analyzer import Analyzer

    data = Path(args.data_dir) if args.data_dir else shared_dir() / "data"
    splits = Path(args.splits)
    systems: dict[str, tuple[Any, Any]] = {"modbot": (Analyzer(settings.policy), settings.policy)}
    baseline = Path(args.baseline) if args.baseline else None
    if baseline is not None and (baseline / "heads.npz").exists():
        extra = json.loads((baseline / "policy.json").read_text()) if (baseline / "policy.json").exists() else {}
        cfg = settings.policy.merged({**extra, "models_dir": baseline})
        systems["previous heads"] = (Analyzer(cfg), cfg)
    sets = sorted({t[0] for t in TASKS})
    rows = {name: split_rows(name, args.split, data, splits) for name in sets}
    if args.limit:
        rows = {k: devsets.Labelled(k, v.texts[: args.limit], {t: a[: args.limit] for t, a in v.labels.items()},
                                    v.groups[: args.limit], v.spans[: args.limit]) for k, v in rows.items()}
    report: dict[str, Any] = {"split": args.split, "systems": {}}
    for system, (analyzer, cfg) in systems.items():
        scored = {name: score_set(analyzer, r.texts, cfg) for name, r in rows.items()}
        out: dict[str, Any] = {"heads": analyzer.status["heads"], "labels": []}
        for name, task, cut, label, score in TASKS:
            y = rows[name].binary(task, cut)
            known = ~np.isnan(y)
            s = scored[name]
            flagged = np.array([label in labels for labels in s.labels])
            m = label_metrics(y[known].astype(int), s.scores[score][known], flagged[known])
            out["labels"].append({"set": name, "task": task, "label": label, **m})
        ys = np.concatenate([rows[n].binary(t) for n, t in NEWS]).astype(int)
        fl = np.concatenate([scored[n].flagged for n, _ in NEWS])
        inflam = np.concatenate([scored[n].scores["inflammatory"] for n, _ in NEWS])
        out["news_pooled"] = {**label_metrics(ys, inflam, fl), "flag": "any label"}
        if not args.no_spans:
            out["spans"] = span_f1(analyzer, rows["toxic_spans"], cfg)
        report["systems"][system] = out
    return report


def format_markdown(report: dict[str, Any]) -> str:
    """The report as markdown tables (one row per label and system)."""
    f = lambda v: "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.3f}"  # noqa: E731
    lines = [f"Split: **{report['split']}**", "",
             "| set | label (positive) | system | AUC | precision | recall | flags / 1k civil | n (pos) |",
             "|---|---|---|---|---|---|---|---|"]
    systems = report["systems"]
    first = next(iter(systems.values()))
    for i, row in enumerate(first["labels"]):
        for name, sysrep in systems.items():
            r = sysrep["labels"][i]
            lines.append(f"| {row['set']} | {row['label']} ({row['task']}) | {name} | {f(r['auc'])} | "
                         f"{f(r['precision'])} | {f(r['recall'])} | {r['flags_per_1000_civil']:.1f} | "
                         f"{r['n']} ({r['positives']}) |")
    for name, sysrep in systems.items():
        r = sysrep["news_pooled"]
        lines.append(f"| news pooled (CCC + Fox) | any flag (toxic or hateful) | {name} | {f(r['auc'])} | "
                     f"{f(r['precision'])} | {f(r['recall'])} | {r['flags_per_1000_civil']:.1f} | "
                     f"{r['n']} ({r['positives']}) |")
    if all("spans" in s for s in systems.values()):
        lines += ["", "| evidence words vs Toxic Spans (char F1) | system | evidence words | whole sentence | "
                  "lexicon words | texts |", "|---|---|---|---|---|---|"]
        for name, sysrep in systems.items():
            s = sysrep["spans"]
            lines.append(f"| | {name} | {f(s['evidence_words'])} | {f(s['whole_sentence'])} | "
                         f"{f(s['lexicon_words'])} | {s['texts']} |")
    return "\n".join(lines)
