"""``modbot eval DATASET``: how well a score separates labelled messages, next to two baselines, in one run.

Metrics: ROC AUC, average precision, precision/recall/F1 at the configured threshold and flags per 1,000
messages, for (1) modbot's score, (2) a toxicity-only baseline (the Detoxify ``toxicity`` score; "n/a" when
the real model is not available - never faked) and (3) a lexicon-only baseline (targets, slurs and rhetoric
patterns, no learned heads). ``--ids FILE`` restricts to held-out rows (data/splits/*.test.ids): a row's id
is its ``--id-column`` value or, without one, :func:`bot.cli.inputs.text_id` of its text.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from bot.cli.exit_codes import ExitCode
from bot.cli.inputs import InputFileError, input_failure, iter_records, text_id
from bot.metrics import auc, average_precision

SCORES = ("inflammatory", "partisan", "toxicity", "flag", "intolerance", "impoliteness")
POSITIVE_WORDS = {"1", "true", "yes", "y", "t", "pos", "positive"}


def register(subparsers: Any) -> None:
    """Add the ``eval`` subcommand."""
    p = subparsers.add_parser("eval", help="evaluate a score on a labelled CSV/JSONL next to two baselines",
                              description=__doc__.split("\n\n")[1] if __doc__ else None)
    p.add_argument("dataset", type=Path, nargs="?", help="labelled .csv or .jsonl (not with --suite)")
    p.add_argument("--text-column")
    p.add_argument("--label-column")
    p.add_argument("--suite", choices=("news", "context"), help="news: every label on the held-out news-comment "
                   "and tweet splits, beside the previous heads (bot/cli/eval_suite.py); context: Fox News "
                   "comments with and without their parent comment and article title (bot/cli/eval_context.py)")
    p.add_argument("--split", choices=("test", "val"), default="test", help="with --suite: which split")
    p.add_argument("--splits", default=str(Path(__file__).resolve().parents[2] / "data" / "splits"),
                   help="with --suite: folder of the split id files")
    p.add_argument("--data-dir", help="with --suite: the shared data folder (default: ../shared/data)")
    p.add_argument("--baseline", default=str(Path(__file__).resolve().parents[2] / "data" / "baselines" / "heads-v1"),
                   help="with --suite: heads folder to compare with ('' for none)")
    p.add_argument("--no-spans", action="store_true", help="with --suite: skip the evidence-words measurement")
    p.add_argument("--score", type=_score_list, default="flag",
                   help="score to rank by, or a comma list: " + "|".join(SCORES)
                   + " (intolerance/impoliteness: the raw learned head)")
    p.add_argument("--positive", help="label value meaning positive (default: 1/true/yes)")
    p.add_argument("--ids", type=Path, help="only rows whose id is listed in this file (one per line, # comments)")
    p.add_argument("--id-column", help="column holding row ids (default: SHA-1 text id)")
    p.add_argument("--threshold", type=float, help="override the configured threshold for this score")
    p.add_argument("--limit", type=int, help="evaluate at most this many rows")
    p.add_argument("--no-toxicity", action="store_true", help="skip the toxicity model (baseline shows n/a)")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON instead of a table")
    p.add_argument("--markdown", action="store_true", help="print a markdown table (for docs/benchmarks)")
    p.set_defaults(func=run)


def _score_list(value: str) -> str:
    names = [v.strip() for v in value.split(",") if v.strip()]
    bad = [n for n in names if n not in SCORES]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"unknown score {', '.join(bad) or value!r}; choose from {', '.join(SCORES)}")
    return ",".join(names)


def binary_metrics(y: np.ndarray, s: np.ndarray, threshold: float) -> dict[str, float]:
    """AUC, AP, precision/recall/F1 at ``threshold`` and flags per 1,000 messages."""
    pred = s >= threshold
    tp = float((pred & (y == 1)).sum())
    precision = tp / pred.sum() if pred.sum() else 0.0
    recall = tp / y.sum() if y.sum() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "auc": auc(y, s),
        "ap": average_precision(y, s),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "flags_per_1000": 1000.0 * float(pred.mean()) if len(pred) else 0.0,
        "threshold": threshold,
    }


def _read_ids(path: Path) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")}


def _is_positive(value: str | None, positive: str | None) -> bool:
    if value is None:
        return False
    return value.strip() == positive if positive is not None else value.strip().lower() in POSITIVE_WORDS


async def _score_all(texts: list[str], args: argparse.Namespace, settings: Any) -> dict[str, Any]:
    """Score every text once; columns for every score name and for the lexicon-only and toxicity baselines."""
    from bot.analysis.policy import decide
    from bot.cli.analyze import build_analyzer, close_quietly

    analyzer = await build_analyzer(args, settings)
    tox_available = analyzer.engine is not None and analyzer.engine.status.ok
    names = ("partisan", "inflammatory", "intolerance", "impoliteness", "toxicity", "flag",
             "lexicon_partisan", "lexicon_inflammatory", "lexicon_flag")
    cols: dict[str, list[float]] = {k: [] for k in names}
    lexicon_cfg = analyzer.config.merged({"use_learned_heads": False})
    try:
        for start in range(0, len(texts), 256):
            batch = texts[start : start + 256]
            toxicity = await analyzer._engine_scores(batch) if tox_available else None  # noqa: SLF001
            for sig in await asyncio.to_thread(analyzer.signals, batch, toxicity):
                tox = None if sig.toxicity is None else sig.toxicity.get("toxicity")
                cols["toxicity"].append(math.nan if tox is None else tox)
                cols["flag"].append(float(decide(sig, analyzer.config).flagged))
                cols["lexicon_flag"].append(float(_lexicon_verdict(sig, lexicon_cfg).flagged))
                for name in ("partisan", "inflammatory"):
                    cols[name].append(getattr(sig, name))
                    cols[f"lexicon_{name}"].append(sig.lexicon.get(name, 0.0))
                for name in ("intolerance", "impoliteness"):
                    cols[name].append(sig.head_scores.get(name, math.nan))
            if sys.stderr.isatty():
                print(f"\rscored {min(start + 256, len(texts)):,}/{len(texts):,}", end="", file=sys.stderr, flush=True)
    finally:
        await close_quietly(analyzer.engine)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    return {"cols": cols, "heads": analyzer.status["heads"], "toxicity_available": bool(tox_available)}


LEXICON_COLUMN = {"partisan": "lexicon_partisan", "intolerance": "lexicon_partisan", "flag": "lexicon_flag",
                  "inflammatory": "lexicon_inflammatory", "impoliteness": "lexicon_inflammatory",
                  "toxicity": "lexicon_inflammatory"}


def _lexicon_verdict(sig: Any, cfg: Any) -> Any:
    """The verdict the policy gives when only the lexicon/pattern evidence counts."""
    from dataclasses import replace

    from bot.analysis.policy import decide

    units = tuple(replace(u, inflammatory=u.lexicon_inflammatory, partisan=u.lexicon_partisan) for u in sig.units)
    lex = replace(sig, units=units, inflammatory=sig.lexicon.get("inflammatory", 0.0),
                  partisan=sig.lexicon.get("partisan", 0.0), toxicity=None, heads_available=False)
    return decide(lex, cfg)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``modbot eval``."""
    from bot.cli.common import settings_or_exit

    settings = settings_or_exit(args)
    if isinstance(settings, int):
        return settings
    if args.suite:
        return _run_suite(args, settings)
    if args.dataset is None or not args.text_column or not args.label_column:
        print("modbot eval: give DATASET --text-column C --label-column L, or --suite news", file=sys.stderr)
        return ExitCode.USAGE
    policy = settings.policy
    wanted = _read_ids(args.ids) if args.ids else None
    texts, labels, skipped = [], [], 0
    try:
        for rec in iter_records(args.dataset, text_column=args.text_column, id_column=args.id_column,
                                label_column=args.label_column, max_chars=policy.max_message_chars):
            if wanted is not None:
                rid = rec.id if args.id_column else (text_id(rec.text) if rec.text is not None else None)
                if rid not in wanted:
                    continue
            if rec.text is None:
                skipped += 1
                continue
            texts.append(rec.text)
            labels.append(_is_positive(rec.label, args.positive))
            if args.limit and len(texts) >= args.limit:
                break
    except InputFileError as exc:
        return input_failure("modbot eval", args.dataset, exc)
    if not texts:
        print("modbot eval: no rows to evaluate (check --ids / --label-column)", file=sys.stderr)
        return ExitCode.FAILED
    y = np.array(labels, dtype=int)
    result = asyncio.run(_score_all(texts, args, settings))
    cols = {k: np.array(v, dtype=float) for k, v in result["cols"].items()}
    reports = [_report(score, y, cols, args, policy, result) for score in args.score.split(",")]
    for report in reports:
        report.update(dataset=str(args.dataset), skipped=skipped)
    if skipped:
        print(f"modbot eval: skipped {skipped} rows that cannot be analyzed (empty/too long/binary)", file=sys.stderr)
    if not result["toxicity_available"]:
        print("modbot eval: toxicity model (Detoxify) unavailable: toxicity baseline is n/a", file=sys.stderr)
    if args.json:
        print(json.dumps(reports[0] if len(reports) == 1 else reports, indent=2, default=lambda v: None))
    else:
        print("\n\n".join(format_table(r, markdown=args.markdown) for r in reports))
    return ExitCode.OK


def _run_suite(args: argparse.Namespace, settings: Any) -> int:
    from bot.cli import eval_context, eval_suite

    run, fmt = ((eval_context.run_context, eval_context.format_context) if args.suite == "context"
                else (eval_suite.run_suite, eval_suite.format_markdown))
    try:
        report = run(args, settings)
    except FileNotFoundError as exc:
        print(f"modbot eval: {exc} (set MODBOT_SHARED_DIR to the shared data folder)", file=sys.stderr)
        return ExitCode.FAILED
    print(json.dumps(report, indent=2, default=lambda v: None) if args.json else fmt(report))
    return ExitCode.OK


def _report(score: str, y: np.ndarray, cols: dict[str, np.ndarray], args: argparse.Namespace, policy: Any,
            result: dict[str, Any]) -> dict[str, Any]:
    """Metrics of one score for modbot, the toxicity-only and the lexicon-only baselines."""
    threshold = args.threshold
    if threshold is None:
        threshold = 0.5 if score in ("flag", "intolerance", "impoliteness") else policy.threshold_for(score)
    tox = np.nan_to_num(cols["toxicity"])
    tox_threshold = policy.toxicity_threshold
    if score == "flag":  # the baseline flags what the toxicity threshold flags
        tox, tox_threshold = (tox >= policy.toxicity_threshold).astype(float), 0.5
    ours = cols[score]
    rows = {
        "modbot": None if np.isnan(ours).all() else binary_metrics(y, np.nan_to_num(ours), threshold),
        "toxicity only": binary_metrics(y, tox, tox_threshold) if result["toxicity_available"] else None,
        "lexicon only": binary_metrics(y, cols[LEXICON_COLUMN[score]], threshold),
    }
    return {"score": score, "rows": len(y), "positives": int(y.sum()), "heads": result["heads"], "metrics": rows}


def format_table(report: dict[str, Any], *, markdown: bool = False) -> str:
    """The metrics as an aligned text table (or a markdown table)."""
    head = ["system", "AUC", "AP", "P", "R", "F1", "flags/1k", "thr"]
    lines = []
    for name, m in report["metrics"].items():
        if m is None:
            lines.append([name] + ["n/a"] * 7)
        else:
            lines.append([name] + [_fmt(m[k]) for k in ("auc", "ap", "precision", "recall", "f1")]
                         + [f"{m['flags_per_1000']:.0f}", f"{m['threshold']:.2f}"])
    title = (f"{report['dataset']}: score={report['score']}, {report['rows']} rows, "
             f"{report['positives']} positive")
    if markdown:
        out = [f"**{title}**", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(row) + " |" for row in lines]
        return "\n".join(out)
    widths = [max(len(r[i]) for r in [head, *lines]) for i in range(len(head))]
    fmt_row = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))  # noqa: E731
    return "\n".join([title, fmt_row(head), *[fmt_row(r) for r in lines]])


def _fmt(value: float) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.3f}"
