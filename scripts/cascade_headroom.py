"""How much a heads-based first stage could clear before the toxicity model (issue 17), on the VALIDATION splits.

Run: ``python scripts/cascade_headroom.py [--out docs/benchmarks/cascade-headroom.md]``

The first stage's score of a message is the largest of every learned head's probability (toxicity, insult,
identity attack, threat, hateful, impoliteness, intolerance, uncivil_reddit, profane), the lexicon scores and the
analyzer's inflammatory / partisan scores: a message is *cleared* (the toxicity model skipped) when that score is
below a threshold. The threshold is set so that 99 % of the labelled positives of a set still go on to the
model (the issue's recall floor); the table says which share of that set's civil messages it then clears (the
issue asks for >= 70 %).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.analysis.analyzer import Analyzer  # noqa: E402
from bot.analysis.policy import MessageSignals  # noqa: E402
from bot.cli.eval_suite import split_rows  # noqa: E402
from bot.paths import shared_dir  # noqa: E402

HEADS = ("toxicity", "insult", "identity_attack", "threat", "hateful", "impoliteness", "intolerance",
         "uncivil_reddit", "profane")
SETS = (("ccc", "toxicity"), ("fox", "hateful"), ("twitcivility", "impoliteness"), ("twitcivility", "intolerance"))
RECALL = 0.99


def first_stage(signals: MessageSignals) -> float:
    """The largest piece of evidence the cheap stage has for a message."""
    heads = [signals.head_scores.get(name, 0.0) for name in HEADS]
    lexicon = [signals.lexicon["inflammatory"], signals.lexicon["partisan"]]
    return float(max([*heads, *lexicon, signals.inflammatory, signals.partisan]))


def headroom(scores: np.ndarray, positive: np.ndarray, recall: float = RECALL) -> tuple[float, float]:
    """(threshold that keeps ``recall`` of the positives, share of negatives below it)."""
    threshold = float(np.quantile(scores[positive], 1.0 - recall))
    return threshold, float(np.mean(scores[~positive] < threshold))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=shared_dir() / "data")
    parser.add_argument("--splits", type=Path, default=ROOT / "data" / "splits")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    analyzer = Analyzer()
    lines = ["| set (positive) | n (pos) | threshold at 99 % recall | civil cleared (target >= 70 %) |",
             "|---|---|---|---|"]
    cache: dict[str, tuple[object, list[MessageSignals]]] = {}
    for name, label in SETS:
        if name not in cache:
            rows = split_rows(name, "val", args.data_dir, args.splits)
            cache[name] = (rows, analyzer.signals(rows.texts))
        rows, signals = cache[name]
        positive = np.asarray(rows.binary(label)).astype(bool)  # type: ignore[attr-defined]
        scores = np.array([first_stage(s) for s in signals])
        threshold, cleared = headroom(scores, positive)
        lines.append(f"| {name} ({label}) | {len(scores)} ({int(positive.sum())}) | {threshold:.3f} | {cleared:.1%} |")
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text("# Cascade headroom (validation splits)\n\n`python scripts/cascade_headroom.py`\n\n"
                            + (__doc__ or "").split("\n\n", 2)[2] + "\n\n" + table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
