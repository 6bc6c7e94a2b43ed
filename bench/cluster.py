"""Benchmark: scoring in the gateway process (Tier 0) beside 1 and 2 ``modbot worker`` processes, in one run.

Run: ``python -m bench.cluster [--quick] [--scorer analyzer|keyword|both] [--out docs/benchmarks/cluster.md]``

Rows, per scorer:

* ``tier0``: one process scores as the gateway does at Tier 0 (``Intake.handle_message`` per message, the case
  committed to SQLite before the message counts as done).
* ``1 worker`` / ``2 workers``: ``[cluster] scoring = "workers"``; this process plays the gateway (``RedisScoreQueue``,
  one XADD per message) and the workers are child processes running the real worker code
  (:func:`bot.cli.worker.run_worker`) on one SQLite file and one ``redis-server`` (unix socket) started here.

Figures: ``msg/s`` = a burst of messages queued at once, divided by the time until the last one is committed;
``p50 / p99`` = queue latency, enqueue to commit, of open-loop arrivals at ``--rate`` msg/s for ``--duration`` s
(the same offered load for every row of a scorer). Scorers: ``analyzer`` = the real analyzer as the bot builds it
(normalization, targets, rhetoric, the learned heads on the MiniLM encoder; Detoxify off: its weights are not
available offline), models warmed up before timing; ``keyword`` = the keyword test scorer (no model), which shows
the cost of the queue itself. Every scoring process is limited to one thread (``OMP_NUM_THREADS=1``): one worker
per core is the deployment the README recommends. The CPU, its flags and the load average are printed with the
figures, since other jobs on the machine move them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.scoring import machine

REPO = Path(__file__).resolve().parent.parent
FLAG = "flagme"


def texts(n: int, seed: int) -> list[str]:
    """``n`` chat messages (the pipeline bench's mix), a third with the keyword marker (the keyword scorer flags
    those; the analyzer judges the text)."""
    from bench.pipeline import chat_mix

    return [f"{text} {FLAG}" if i % 3 == 0 else text for i, text in enumerate(chat_mix(n, seed=seed))]


def snapshots(batch: list[str], start: int) -> list[Any]:
    from bot.moderation.models import MessageSnapshot

    return [MessageSnapshot(message_id=start + i, guild_id=1, channel_id=2, author_id=3 + i % 50, content=t)
            for i, t in enumerate(batch)]


def scorer_of(kind: str) -> Any:
    if kind == "keyword":
        sys.path.insert(0, str(REPO / "tests"))
        from support.keyword_scorer import KeywordTestScorer  # type: ignore[import-not-found]

        return KeywordTestScorer([FLAG])
    from bot.analysis.analyzer import Analyzer
    from bot.analysis.config import PolicyConfig
    from bot.analysis.scorer import AnalyzerScorer

    return AnalyzerScorer(Analyzer(PolicyConfig()))


def percentile_ms(values: list[float], point: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(point / 100 * len(ordered)))] if ordered else float("nan")


# ----- Tier 0: a child process scoring as the gateway does ---------------------------------------------------------

async def tier0(args: argparse.Namespace) -> dict[str, Any]:
    from bot.moderation.config import ModerationConfig
    from bot.moderation.service import ModerationService
    from bot.storage import Database

    db = await Database.open(Path(args.workdir) / "tier0.sqlite3")
    scorer = scorer_of(args.scorer)
    service = ModerationService(db, ModerationConfig(), scorer)
    await service.start()
    await scorer.analyze(texts(8, seed=99))  # load the models
    burst = snapshots(texts(args.burst, seed=1), 10_000)
    started = time.perf_counter()
    await asyncio.gather(*(service.intake.handle_message(m) for m in burst))
    msg_s = len(burst) / (time.perf_counter() - started)
    latencies: list[float] = []

    async def one(message: Any) -> None:
        arrived = time.perf_counter()
        await service.intake.handle_message(message)
        latencies.append(time.perf_counter() - arrived)

    arrivals = snapshots(texts(int(args.rate * args.duration), seed=2), 100_000)
    tasks = []
    begin = time.perf_counter()
    for i, message in enumerate(arrivals):
        await asyncio.sleep(max(0.0, begin + i / args.rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(message)))
    await asyncio.gather(*tasks)
    await service.stop()
    await db.close()
    return {"msg_s": msg_s, "p50": percentile_ms(latencies, 50), "p99": percentile_ms(latencies, 99)}


# ----- worker rows: this process is the gateway, the workers are children ------------------------------------------

async def worker_child(args: argparse.Namespace) -> list[tuple[float, float]]:
    """One ``modbot worker`` (the real loop) that records the latency of every committed entry."""
    from bot.cli.worker import run_worker
    from bot.settings import load_settings

    scorer = scorer_of(args.scorer)
    await scorer.analyze(texts(8, seed=99))  # load the models before joining the group
    samples: list[tuple[float, float]] = []
    settings = load_settings(env_file=None)

    def record(result: Any) -> None:
        now = time.time()
        samples.extend((now - latency, latency) for latency in result.latencies)

    await run_worker(settings, scorer=scorer, on_batch=record)
    return samples


def start_redis(folder: Path) -> subprocess.Popen[bytes]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    sock = folder / "redis.sock"
    proc = subprocess.Popen([binary, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
                             "--save", "", "--appendonly", "no", "--dir", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(500):
        if sock.exists():
            return proc
        time.sleep(0.01)
    raise RuntimeError("redis-server did not start")


async def drained(client: Any, total: int) -> None:
    """Wait until the group has read ``total`` entries and holds none unacknowledged."""
    while True:
        [group] = await client.xinfo_groups("modbot:score")
        if int(group["entries-read"] or 0) >= total and int(group["pending"]) == 0:
            return
        await asyncio.sleep(0.005)


def workers_row(args: argparse.Namespace, count: int, folder: Path) -> dict[str, Any]:
    """Start redis-server and ``count`` worker children, drive them from here (the gateway's side), stop them."""
    redis = start_redis(folder)
    url = f"unix://{folder / 'redis.sock'}"
    env = {**os.environ, "MODBOT_CLUSTER__REDIS_URL": url, "MODBOT_CLUSTER__SCORING": "workers",
           "MODBOT_CLUSTER__WORKER_BLOCK_MS": "50", "MODBOT_STORAGE__PATH": str(folder / "workers.sqlite3"),
           "MODBOT_TOXICITY__ENABLED": "false", "MODBOT_LOGGING__LEVEL": "WARNING", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    children = [subprocess.Popen([sys.executable, "-m", "bench.cluster", "--child", "worker", "--scorer", args.scorer,
                                  "--stats", str(folder / f"stats{i}.json")], cwd=REPO, env=env)
                for i in range(count)]
    try:
        msg_s, phase_start = asyncio.run(drive(args, url, children))
    finally:
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            child.wait(timeout=60)
        redis.terminate()
        redis.wait(timeout=10)
    latencies = [latency for i in range(count) for enqueued, latency in
                 json.loads((folder / f"stats{i}.json").read_text()) if enqueued >= phase_start - 0.001]
    return {"msg_s": msg_s, "p50": percentile_ms(latencies, 50), "p99": percentile_ms(latencies, 99)}


async def drive(args: argparse.Namespace, url: str, children: list[subprocess.Popen[bytes]]) -> tuple[float, float]:
    """The burst, then the open-loop phase; returns the burst's msg/s and when the open-loop phase began."""
    from redis.asyncio import Redis

    from bot.cluster import ClusterConfig
    from bot.cluster.score_stream import RedisScoreQueue

    client = Redis.from_url(url)
    queue = RedisScoreQueue(client, ClusterConfig(redis_url=url, scoring="workers"))
    try:
        while len(await _consumers(client)) < len(children):  # each joins once its models are loaded
            if any(c.poll() is not None for c in children):
                raise RuntimeError("a worker exited at start")
            await asyncio.sleep(0.05)
        burst = snapshots(texts(args.burst, seed=1), 10_000)
        started = time.perf_counter()
        await queue.enqueue(burst)
        await drained(client, len(burst))
        msg_s = len(burst) / (time.perf_counter() - started)
        arrivals = snapshots(texts(int(args.rate * args.duration), seed=2), 100_000)
        phase_start = time.time()
        begin = time.perf_counter()
        for i, message in enumerate(arrivals):
            await asyncio.sleep(max(0.0, begin + i / args.rate - time.perf_counter()))
            await queue.enqueue([message])
        await drained(client, len(burst) + len(arrivals))
    finally:
        await client.aclose()
    return msg_s, phase_start


async def _consumers(client: Any) -> list[Any]:
    try:
        return list(await client.xinfo_consumers("modbot:score", "scorers"))
    except Exception:
        return []


# ----- the run ------------------------------------------------------------------------------------------------------

def run_tier0(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-m", "bench.cluster", "--child", "tier0", "--scorer", args.scorer,
                          "--burst", str(args.burst), "--rate", str(args.rate), "--duration", str(args.duration),
                          "--workdir", str(folder)], cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"tier0 failed:\n{out.stdout}\n{out.stderr}")
    return dict(json.loads(line[7:]))


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=["tier0", "worker"], help=argparse.SUPPRESS)
    parser.add_argument("--stats", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--scorer", choices=["analyzer", "keyword", "both"], default="both")
    parser.add_argument("--burst", type=int, help="messages in the throughput burst (default per scorer)")
    parser.add_argument("--rate", type=float, help="offered load of the latency phase, msg/s (default per scorer)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of open-loop arrivals")
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--out", type=Path, help="also write the report (markdown) here")
    args = parser.parse_args()
    if args.child == "tier0":
        print("RESULT " + json.dumps(asyncio.run(tier0(args))), flush=True)
        return 0
    if args.child == "worker":
        Path(args.stats).write_text(json.dumps(asyncio.run(worker_child(args))))
        return 0
    defaults = {"analyzer": (160, 2.0), "keyword": (3000, 200.0)}
    results: dict[tuple[str, str], dict[str, Any]] = {}
    before = load()
    for scorer in (["keyword", "analyzer"] if args.scorer == "both" else [args.scorer]):
        burst, rate = defaults[scorer]
        row_args = argparse.Namespace(**{**vars(args), "scorer": scorer, "burst": args.burst or burst,
                                         "rate": args.rate or rate,
                                         "duration": 3.0 if args.quick else args.duration})
        if args.quick:
            row_args.burst = max(20, row_args.burst // 10)
        for name, count in (("tier0", 0), ("1 worker", 1), ("2 workers", 2)):
            with tempfile.TemporaryDirectory(prefix="modbot-bench-") as tmp:
                folder = Path(tmp)
                result = run_tier0(row_args, folder) if not count else workers_row(row_args, count, folder)
            result.update(burst=row_args.burst, rate=row_args.rate)
            results[(scorer, name)] = result
            print(f"{scorer:8} {name:9} {result['msg_s']:8.1f} msg/s  p50 {result['p50']:7.1f} ms  "
                  f"p99 {result['p99']:7.1f} ms", flush=True)
    report = render(results, before, load())
    print(report)
    if args.out:
        args.out.write_text(report)
    return 0


def render(results: dict[tuple[str, str], dict[str, Any]], before: str, after: str) -> str:
    from bot.analysis.runtimes import cpu_flags

    wanted = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_bf16")
    flags = " ".join(f for f in wanted if f in cpu_flags()) or "none of the SIMD flags looked for"
    lines = [f"CPU: {machine()}", f"CPU flags: {flags}", f"Load before: `{before}`", f"Load after: `{after}`", "",
             "| scorer | row | burst | msg/s | offered msg/s | queue latency p50 ms | p99 ms |",
             "|---|---|---|---|---|---|---|"]
    for (scorer, name), r in results.items():
        lines.append(f"| {scorer} | {name} | {r['burst']} | {r['msg_s']:.1f} | {r['rate']:g} | {r['p50']:.1f} | "
                     f"{r['p99']:.1f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
