"""Choose the policy's thresholds on the VALIDATION splits (never the test splits), for a precision target.

Run: ``python scripts/calibrate_policy.py [--models DIR] [--precision 0.7] [--out docs/benchmarks/calibration.json]``

1. Scores the validation rows of the news-comment sets (CCC: toxic by majority; Fox News: hateful) and of
   TwitCivility (intolerance) with the analyzer, thresholds aside.
2. Prints the validation AUC of each head and of the analyzer's scores, so a change of blend is judged here.
3. For ``inflammatory``: the lowest threshold whose pooled news precision is at least ``--precision`` and whose
   share of civil comments flagged is at most ``--max-civil``; for ``partisan``: the same on TwitCivility
   intolerance (the only set with hostility-towards-a-side labels), among tweets that name a side as a group.
4. Writes what it chose (with precision / recall / civil rate on validation) to ``--out``. The defaults in
   ``bot/analysis/config.py`` and ``config/default.toml`` are then set by hand to these values.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.analysis.analyzer import Analyzer  # noqa: E402
from bot.analysis.config import PolicyConfig  # noqa: E402
from bot.cli.eval_suite import split_rows  # noqa: E402
from bot.metrics import auc  # noqa: E402
from bot.paths import shared_dir  # noqa: E402


def pick(y: np.ndarray, s: np.ndarray, precision: float, max_civil: float) -> dict[str, float]:
    """Lowest threshold (0.01 grid) meeting the precision target and the civil-flag cap."""
    for t in np.arange(0.30, 0.995, 0.01):
        flagged = s >= t
        if not flagged.any():
            break
        p = float((flagged & (y == 1)).sum() / flagged.sum())
        civil = float(flagged[y == 0].mean())
        if p >= precision and civil <= max_civil and flagged.sum() >= 10:
            return {"threshold": round(float(t), 2), "precision": p, "recall": float(flagged[y == 1].mean()),
                    "civil_flagged": civil, "flags": int(flagged.sum())}
    return {"threshold": 0.99, "precision": float("nan"), "recall": 0.0, "civil_flagged": 0.0, "flags": 0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, help="heads folder (default: the bundled one)")
    parser.add_argument("--data-dir", type=Path, default=shared_dir() / "data")
    parser.add_argument("--splits", type=Path, default=ROOT / "data" / "splits")
    parser.add_argument("--precision", type=float, default=0.7, help="precision target on validation")
    parser.add_argument("--max-civil", type=float, default=0.015, help="largest share of civil comments flagged")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    analyzer = Analyzer(PolicyConfig(models_dir=args.models))
    rows = {n: split_rows(n, "val", args.data_dir, args.splits) for n in ("ccc", "fox", "twitcivility")}
    sig = {n: analyzer.signals(r.texts) for n, r in rows.items()}
    y_news = np.concatenate([rows["ccc"].binary("toxicity"), rows["fox"].binary("hateful")]).astype(int)
    news_sig = sig["ccc"] + sig["fox"]
    report: dict[str, object] = {"split": "val", "heads": analyzer.status["heads"], "auc": {}}
    aucs: dict[str, float] = {}
    for name in analyzer.head_names:
        aucs[f"head {name}"] = auc(y_news, np.array([s.head_scores.get(name, 0.0) for s in news_sig]))
    inflammatory = np.array([s.inflammatory for s in news_sig])
    aucs["inflammatory (news pooled)"] = auc(y_news, inflammatory)
    for n, task in (("ccc", "toxicity"), ("fox", "hateful")):
        aucs[f"inflammatory ({n} {task})"] = auc(rows[n].binary(task).astype(int),
                                                 np.array([s.inflammatory for s in sig[n]]))
    tw = rows["twitcivility"]
    y_int = tw.binary("intolerance").astype(int)
    partisan = np.array([s.partisan for s in sig["twitcivility"]])
    aucs["partisan (twitcivility intolerance)"] = auc(y_int, partisan)
    aucs["inflammatory (twitcivility impoliteness)"] = auc(
        tw.binary("impoliteness").astype(int), np.array([s.inflammatory for s in sig["twitcivility"]]))
    report["auc"] = {k: round(v, 4) for k, v in aucs.items()}
    grouped = np.array([any(u.group_targets for u in s.units) for s in sig["twitcivility"]])
    report["inflammatory"] = pick(y_news, inflammatory, args.precision, args.max_civil)
    report["partisan"] = pick(y_int[grouped], partisan[grouped], args.precision, 1.0)
    print(json.dumps(report, indent=2))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
