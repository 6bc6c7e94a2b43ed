"""Benchmark: ``modbot serve`` (the Perspective-compatible API) under load from a real HTTP load tool, in one run.

Run: ``python -m bench.api_load [--seconds 15] [--runtime auto] [--out docs/benchmarks/api-load.md]``
(needs ``wrk`` on PATH: ``apt-get install wrk``).

``modbot serve`` runs as its own process with the bert-base checkpoint in Detoxify's format (random weights, the
same compute as the real ``original`` model; built once by ``bench.scoring``), requests ask for TOXICITY on
comments from the chat mix of ``bench.pipeline`` (70 % tweets, 30 % news comments). Rows:

* one request at a time from one client (the baseline: no micro-batching can happen),
* ``wrk`` with 1, 8 and 64 open connections for ``--seconds`` each: requests/s and latency p50 / p99.

The CPU and its features are printed with the figures; compare rows of one run only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.pipeline import chat_mix
from bench.scoring import ensure_checkpoint, machine
from bot.paths import REPO_ROOT

PATH = "/v1alpha1/comments:analyze"
CONNECTIONS = (1, 8, 64)
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def body(text: str) -> str:
    return json.dumps({"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}, "languages": ["en"]})


def lua_script(bodies: list[str]) -> str:
    """A wrk script that cycles through ``bodies`` (long-bracket strings need no escaping)."""
    items = ",\n".join(f"[==[{b}]==]" for b in bodies if "]==]" not in b)
    return (f"local bodies = {{\n{items}\n}}\nlocal n = 0\n"
            "request = function()\n  n = n + 1\n"
            '  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[(n % #bodies) + 1])\n'
            "end\n")


def parse_wrk(output: str) -> dict[str, float]:
    """Requests/s and the 50 % / 99 % latencies (ms) from ``wrk --latency`` output."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    out = {"rps": float(rate.group(1)) if rate else float("nan")}
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        out[f"p{pct}"] = float(m.group(1)) * _UNITS[m.group(2)] if m else float("nan")
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    out["errors"] = float(errors.group(1)) if errors else 0.0
    return out


def post(url: str, data: str, timeout: float = 120.0) -> int:
    request = urllib.request.Request(url, data=data.encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
        response.read()
        return int(response.status)


def wait_ready(url: str, proc: subprocess.Popen[bytes], deadline: float) -> None:
    """Until the API answers 200 (the model loaded; 503 while it loads)."""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"modbot serve exited with {proc.returncode}")
        try:
            if post(url, body("hello"), timeout=10) == 200:
                return
        except OSError:
            pass
        time.sleep(1.0)
    raise TimeoutError("modbot serve did not become ready")


def one_at_a_time(url: str, bodies: list[str], n: int) -> dict[str, float]:
    latencies = []
    started = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        post(url, bodies[i % len(bodies)])
        latencies.append(1000 * (time.perf_counter() - t0))
    wall = time.perf_counter() - started
    latencies.sort()
    return {"rps": n / wall, "p50": statistics.median(latencies), "p99": latencies[int(0.99 * (n - 1))],
            "errors": 0.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--runtime", default="auto", choices=("auto", "fp32", "bf16", "onnx-int8"))
    parser.add_argument("--baseline-requests", type=int, default=100)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        print("bench.api_load needs wrk on PATH (apt-get install wrk)", file=sys.stderr)
        return 2
    checkpoint = ensure_checkpoint()
    bodies = [body(t) for t in chat_mix(400)]
    port = free_port()
    url = f"http://127.0.0.1:{port}{PATH}"
    with tempfile.TemporaryDirectory(prefix="modbot-api-load-") as tmp:
        config = Path(tmp) / "config.toml"
        config.write_text(
            f'[toxicity]\nvariant = "original"\ncheckpoint = "{checkpoint}"\nruntime = "{args.runtime}"\n'
            f'offline = true\n\n[storage]\npath = "{Path(tmp) / "modbot.sqlite3"}"\n\n'
            f'[api]\nport = {port}\n', encoding="utf-8")
        script = Path(tmp) / "bodies.lua"
        script.write_text(lua_script(bodies), encoding="utf-8")
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        log = (Path(tmp) / "serve.log").open("wb")  # a file, not a pipe: nobody reads a pipe while wrk runs
        proc = subprocess.Popen([sys.executable, "-m", "bot", "--config", str(config), "serve"],  # noqa: S603
                                cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_ready(url, proc, time.monotonic() + 900)
            for _ in range(20):  # warm up
                post(url, bodies[0])
            rows = {"one request at a time": one_at_a_time(url, bodies, args.baseline_requests)}
            for c in CONNECTIONS:
                result = subprocess.run([wrk, "-t", str(min(2, c)), "-c", str(c), "-d", f"{args.seconds}s",  # noqa: S603
                                         "--latency", "--timeout", "60s", "-s", str(script), url],
                                        capture_output=True, text=True, check=False)
                rows[f"wrk, {c} connection{'s' if c > 1 else ''}"] = parse_wrk(result.stdout)
        except Exception:
            print((Path(tmp) / "serve.log").read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
    load = os.getloadavg()
    lines = ["# API load benchmark (`modbot serve`)", "", "`python -m bench.api_load`", "",
             f"Machine: {machine()}; load average before the last row: {load[0]:.2f}; runtime {args.runtime}; "
             f"TOXICITY on chat-mix comments; wrk {args.seconds} s per row.", "",
             "| row | requests/s | p50 ms | p99 ms | non-2xx |", "|---|---:|---:|---:|---:|"]
    for name, r in rows.items():
        lines.append(f"| {name} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p99']:.0f} | {r['errors']:.0f} |")
    base = rows["one request at a time"]["rps"]
    best = max(r["rps"] for r in rows.values())
    lines += ["", f"Best concurrent rate / one at a time: **{best / base:.1f}x** (micro-batching of concurrent "
              "requests through the bot's scoring engine)."]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
