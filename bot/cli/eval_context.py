"""``modbot eval --suite context``: Fox News comments judged alone and with what they answer (issue 15 item 1).

Each Fox row has the previous comment (``prev``, the parent of a reply; often empty) and the article title. Every
row is scored by the shipped analyzer (heads + lexicons + policy, evidence words off, as ``--suite news``) without
context, and with the context the way the analyzer uses it (``targets``: :mod:`bot.analysis.context`). On the
**val** split the options that were tried and not adopted are scored too, as score-level blends of analyzer runs:

- ``parent-discount``: a short reply (< 120 chars) scores ``max(own, 0.3 * parent's score)``;
- ``title-concat``: the mean of the reply's score and the score of ``title + ". " + reply``;
- ``parent-concat``: the reply scored with its parent written before it.

Reported per option: AUC of the inflammatory score against ``hateful``, precision / recall of the deployed
inflammatory label, flags per 1,000 negatives, precision of any flag, each with a 95 % bootstrap interval
(rows resampled), and the paired bootstrap interval of the AUC difference to no context. The **test** split
scores no context and the adopted method only.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bot.analysis import devsets
from bot.analysis.context import MessageContext
from bot.metrics import auc
from bot.paths import shared_dir

ADOPTED = "targets"
TRIED = ("parent-discount", "title-concat", "parent-concat")
SHORT_REPLY, PARENT_WEIGHT = 120, 0.3
REPS, SEED = 2000, 0


def fox_split(split: str, data: Path, splits: Path) -> tuple[list[str], np.ndarray, list[MessageContext]]:
    """Texts, hateful labels and contexts (parent, title) of the Fox rows listed in ``fox.<split>.ids``."""
    ds = devsets.load_fox(data)
    ctx = devsets.fox_contexts(data)
    wanted = {ln.strip() for ln in (splits / f"fox.{split}.ids").read_text(encoding="utf-8").splitlines()
              if ln.strip() and not ln.startswith("#")}
    keep = [i for i, rid in enumerate(ds.ids) if rid in wanted]
    contexts = [MessageContext(parent=ctx[i][0] or None, title=ctx[i][1] or None) for i in keep]
    return [ds.texts[i] for i in keep], ds.labels["hateful"][keep].astype(int), contexts


def _verdicts(analyzer: Any, texts: list[str], cfg: Any, contexts: list[MessageContext] | None = None) -> Any:
    return analyzer.analyze_sync(texts, config=cfg, contexts=contexts)


def _inflammatory(verdicts: list[Any], name: str = "inflammatory") -> np.ndarray:
    return np.array([v.scores.get(name) or 0.0 for v in verdicts], dtype=float)


def score_variants(analyzer: Any, cfg: Any, texts: list[str], contexts: list[MessageContext],
                   variants: tuple[str, ...]) -> dict[str, dict[str, np.ndarray]]:
    """Per variant: ``score`` (inflammatory), ``flag`` (inflammatory label), ``any`` (any label), ``partisan``
    (the partisan score; the score-level options keep the text's own)."""
    thr = cfg.inflammatory_threshold
    base = _verdicts(analyzer, texts, cfg)
    own = _inflammatory(base)
    any_base = np.array([v.flagged for v in base])
    partisan = _inflammatory(base, "partisan")
    out: dict[str, dict[str, np.ndarray]] = {}

    def blended(score: np.ndarray) -> dict[str, np.ndarray]:  # a score-level option: its flags are score >= thr
        flag = score >= thr
        return {"score": score, "flag": flag, "any": any_base | flag, "partisan": partisan}

    replies = np.array([bool(c.parent) for c in contexts])
    todo: dict[str, Callable[[], dict[str, np.ndarray]]] = {
        "none": lambda: {"score": own, "flag": own >= thr, "any": any_base, "partisan": partisan},
        "targets": lambda: _of(_verdicts(analyzer, texts, cfg, contexts)),
        "parent-discount": lambda: blended(np.where(
            replies & (np.array([len(t) for t in texts]) < SHORT_REPLY),
            np.maximum(own, PARENT_WEIGHT * _inflammatory(_verdicts(analyzer, [c.parent or "" for c in contexts],
                                                                    cfg))), own)),
        "title-concat": lambda: blended((own + _inflammatory(_verdicts(
            analyzer, [f"{c.title}. {t}" if c.title else t for t, c in zip(texts, contexts, strict=True)],
            cfg))) / 2),
        "parent-concat": lambda: blended(np.where(replies, _inflammatory(_verdicts(
            analyzer, [f"{c.parent}\n{t}" if c.parent else t for t, c in zip(texts, contexts, strict=True)],
            cfg)), own)),
    }
    for name in variants:
        out[name] = todo[name]()
    return out


def _of(verdicts: list[Any]) -> dict[str, np.ndarray]:
    return {"score": _inflammatory(verdicts), "flag": np.array(["inflammatory" in v.labels for v in verdicts]),
            "any": np.array([v.flagged for v in verdicts]), "partisan": _inflammatory(verdicts, "partisan")}


def point(y: np.ndarray, v: dict[str, np.ndarray]) -> dict[str, float]:
    """AUC, inflammatory-label precision / recall / flags per 1k negatives, any-flag precision, partisan AUC."""
    pos, neg = y == 1, y == 0
    flag, anyf = v["flag"], v["any"]
    nan = math.nan
    return {
        "auc": auc(y, v["score"]),
        "precision": float((flag & pos).sum() / flag.sum()) if flag.sum() else nan,
        "recall": float((flag & pos).sum() / pos.sum()) if pos.sum() else nan,
        "flags_per_1000_neg": 1000.0 * float(flag[neg].mean()) if neg.any() else nan,
        "flags": int(flag.sum()),
        "any_precision": float((anyf & pos).sum() / anyf.sum()) if anyf.sum() else nan,
        "any_flags": int(anyf.sum()),
        "partisan_auc": auc(y, v["partisan"]),
    }


def bootstrap(y: np.ndarray, variants: dict[str, dict[str, np.ndarray]], reps: int = REPS,
              seed: int = SEED) -> dict[str, dict[str, list[float]]]:
    """95 % intervals (2.5th, 97.5th percentile over row resamples) of each metric, and of AUC - AUC(none)."""
    rng = np.random.default_rng(seed)
    draws: dict[str, dict[str, list[float]]] = {k: {} for k in variants}
    for _ in range(reps):
        idx = rng.integers(0, len(y), len(y))
        yb = y[idx]
        if not 0 < yb.sum() < len(yb):
            continue
        metrics = {k: point(yb, {m: a[idx] for m, a in v.items()}) for k, v in variants.items()}
        for k, m in metrics.items():
            for key in ("auc", "precision", "recall", "flags_per_1000_neg", "any_precision", "partisan_auc"):
                draws[k].setdefault(key, []).append(m[key])
            if "none" in metrics:
                draws[k].setdefault("auc_delta", []).append(m["auc"] - metrics["none"]["auc"])
    return {k: {key: [float(np.nanpercentile(vals, 2.5)), float(np.nanpercentile(vals, 97.5))]
                for key, vals in d.items() if not np.isnan(vals).all()} for k, d in draws.items()}


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or the platform's name), and the usable cores."""
    name = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{name}, {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()} cores"


def run_context(args: argparse.Namespace, settings: Any) -> dict[str, Any]:
    """Score the Fox split with and without context; the report as a dict."""
    from bot.analysis.analyzer import Analyzer

    data = Path(args.data_dir) if args.data_dir else shared_dir() / "data"
    texts, y, contexts = fox_split(args.split, data, Path(args.splits))
    if args.limit:
        texts, y, contexts = texts[: args.limit], y[: args.limit], contexts[: args.limit]
    cfg = settings.policy.merged({"evidence_words": False})
    analyzer = Analyzer(settings.policy)
    variants = ("none", ADOPTED) + (TRIED if args.split == "val" else ())
    start = time.perf_counter()
    scored = score_variants(analyzer, cfg, texts, contexts, variants)
    seconds = time.perf_counter() - start
    cis = bootstrap(y, scored, reps=REPS)
    return {
        "split": args.split, "rows": len(y), "positives": int(y.sum()),
        "replies": sum(bool(c.parent) for c in contexts), "threshold": cfg.inflammatory_threshold,
        "heads": analyzer.status["heads"], "cpu": cpu_model(), "seconds": round(seconds, 1),
        "variants": {k: {**point(y, v), "ci": cis[k]} for k, v in scored.items()},
    }


def format_context(report: dict[str, Any]) -> str:
    """The report as one markdown table (value [95 % interval])."""
    def f(m: dict[str, Any], key: str, digits: int = 3) -> str:
        value = m[key]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "n/a"
        lo_hi = m["ci"].get(key)
        ci = f" [{lo_hi[0]:.{digits}f}, {lo_hi[1]:.{digits}f}]" if lo_hi else ""
        return f"{value:.{digits}f}{ci}"

    lines = [f"Fox News comments, split **{report['split']}**: {report['rows']} rows ({report['positives']} hateful, "
             f"{report['replies']} replies with a parent); inflammatory threshold {report['threshold']}; "
             f"heads: {report['heads']}", "",
             "| context | AUC | ΔAUC vs none | precision | recall | flags / 1k negatives | flags | "
             "any-flag precision (flags) | partisan AUC |", "|---|---|---|---|---|---|---|---|---|"]
    for name, m in report["variants"].items():
        delta = m["ci"].get("auc_delta")
        auc_none = report["variants"].get("none", {}).get("auc", math.nan)
        d = "" if name == "none" or delta is None else \
            f"{m['auc'] - auc_none:+.3f} [{delta[0]:+.3f}, {delta[1]:+.3f}]"
        label = f"{name} (adopted)" if name == ADOPTED else name
        lines.append(f"| {label} | {f(m, 'auc')} | {d} | {f(m, 'precision')} | {f(m, 'recall')} | "
                     f"{f(m, 'flags_per_1000_neg', 1)} | {m['flags']} | {f(m, 'any_precision')} ({m['any_flags']}) | "
                     f"{f(m, 'partisan_auc')} |")
    lines += ["", f"95 % bootstrap intervals over {REPS} row resamples (seed {SEED}). CPU: {report['cpu']}; "
              f"scoring took {report['seconds']} s."]
    return "\n".join(lines)
