"""Benchmark: the whole judgement pipeline per message, new heads beside the previous ones, in one run.

Run: ``python -m bench.pipeline [--quick] [--out docs/benchmarks/pipeline.md]``

Rows (each in its own child process, so peak RSS is honest):

* ``heads-previous``: normalization + targets + rhetoric + the first release's heads (data/baselines/heads-v1).
* ``heads-news``: the same with the shipped news-comment heads (bot/analysis/models).
* ``full-previous`` / ``full-news``: the above plus the Detoxify engine (bert-base compute, onnx-int8 where
  onnxruntime exports it, else fp32), as the bot runs: ``await analyzer.analyze(texts)``.

Messages are a chat mix from the shared data: 70 % short lines (tweets), 30 % reader comments (Civil Comments),
unseen by every phase. Reported: msg/s for a burst sent by many concurrent callers in batches of 16 (as the
listener does), CPU ms per message (process time, steadier than msg/s on a shared machine), the worst
event-loop lag while scoring, peak RSS. The CPU and its features are printed with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import random
import resource
import time
from pathlib import Path
from typing import Any

from bench.scoring import Heartbeat, ensure_checkpoint, machine, run_child
from bot.paths import REPO_ROOT, shared_dir

ROWS = ["heads-previous", "heads-news", "full-previous", "full-news"]
BASELINE = REPO_ROOT / "data" / "baselines" / "heads-v1"


def chat_mix(n: int, seed: int = 3) -> list[str]:
    """``n`` messages: 70 % tweets (short), 30 % news-site reader comments (long)."""
    data = shared_dir() / "data"
    with (data / "twitcivility" / "train.csv").open(encoding="utf-8") as fh:
        short = [r["text"] for r in csv.DictReader(fh)]
    with (data / "civil_comments_ccc" / "xenos2021.csv").open(encoding="utf-8") as fh:
        long = [r["text"].replace("\\n", "\n") for r in csv.DictReader(fh, delimiter="\t")]
    rng = random.Random(seed)
    rng.shuffle(short)
    rng.shuffle(long)
    n_long = int(0.3 * n)
    mix = short[: n - n_long] + long[:n_long]
    rng.shuffle(mix)
    return mix


async def run_row(row: str, args: argparse.Namespace) -> dict[str, Any]:
    import torch

    from bot.analysis.analyzer import Analyzer
    from bot.analysis.config import PolicyConfig, ToxicityConfig

    torch.set_num_threads(args.threads)
    cfg = PolicyConfig(models_dir=BASELINE if row.endswith("previous") else None)
    if row.endswith("previous"):
        cfg = cfg.merged(json.loads((BASELINE / "policy.json").read_text()))
    engine = None
    if row.startswith("full"):
        from bot.analysis.engine import ScoringEngine

        engine = ScoringEngine(ToxicityConfig(checkpoint=ensure_checkpoint(), runtime=args.runtime,
                                              torch_threads=args.threads))
        status = await engine.start(wait=900)
        if status.state != "ok":
            return {"error": status.summary}
    analyzer = Analyzer(cfg, engine=engine)
    texts = chat_mix(args.messages + 32)
    await analyzer.analyze(texts[:32])  # load models
    burst = texts[32:]
    beat = Heartbeat()
    beat.start()
    started, cpu = time.perf_counter(), time.process_time()
    flagged = 0
    for at in range(0, len(burst), 64):
        chunk = burst[at : at + 64]
        results = await asyncio.gather(*(analyzer.analyze(chunk[i : i + 16]) for i in range(0, len(chunk), 16)))
        flagged += sum(v.flagged for batch in results for v in batch)
    wall = time.perf_counter() - started
    out = {"msg_s": len(burst) / wall, "cpu_ms": 1000 * (time.process_time() - cpu) / len(burst),
           "lag_ms": 1000 * await beat.stop(), "flagged_share": flagged / len(burst),
           "runtime": None if engine is None else engine.model.runtime}
    if engine is not None:
        await engine.close()
    return out


def child(row: str, args: argparse.Namespace) -> None:
    result = asyncio.run(run_row(row, args))
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(result), flush=True)


def table(results: dict[str, dict[str, Any]]) -> str:
    lines = ["| row | msg/s | CPU ms/msg | max loop lag ms | peak RSS MB | flagged share | toxicity runtime |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for row, r in results.items():
        if "error" in r:
            lines.append(f"| {row} | error: {r['error'][:100]} | | | | | |")
            continue
        lines.append(f"| {row} | {r['msg_s']:.1f} | {r['cpu_ms']:.1f} | {r['lag_ms']:.1f} | {r['rss_mb']:.0f} | "
                     f"{r['flagged_share']:.3f} | {r['runtime'] or '-'} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="fewer messages (smoke run)")
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runtime", default="onnx-int8", choices=("fp32", "onnx-int8"))
    parser.add_argument("--rows", default=",".join(ROWS))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.quick:
        args.messages = 96
    if args.child:
        child(args.child, args)
        return 0
    argv = ["--messages", str(args.messages), "--threads", str(args.threads), "--runtime", args.runtime]
    results = {row: run_child(row, argv, "bench.pipeline", timeout=3600) for row in args.rows.split(",")}
    uptime = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    heads = [results.get(r, {}).get("cpu_ms") for r in ("heads-previous", "heads-news")]
    ratio = f"{heads[1] / heads[0]:.2f}x" if all(heads) else "n/a"
    report = "\n".join([
        f"Machine: {machine()}; load average before: {' '.join(uptime)}; {args.threads} torch threads; "
        f"{args.messages} messages (70 % tweets, 30 % news comments).", "", table(results), "",
        f"Heads + lexicons, CPU per message, news heads / previous heads: **{ratio}** (target <= 1.5x).",
    ])
    print(report)
    if args.out:
        args.out.write_text(f"# Judgement pipeline benchmark\n\n`python -m bench.pipeline`\n\n{report}\n",
                            encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
