"""bench.api_load's pure helpers: reading wrk's output and writing its request script."""

from __future__ import annotations

import json

from bench.api_load import body, lua_script, parse_wrk

WRK = """Running 15s test @ http://127.0.0.1:8080/v1alpha1/comments:analyze
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   210.53ms   40.12ms 500.00ms   70.00%
  Latency Distribution
     50%  205.10ms
     75%  230.00ms
     90%  260.00ms
     99%    1.20s
  565 requests in 15.02s, 300.00KB read
  Non-2xx or 3xx responses: 3
Requests/sec:     37.62
Transfer/sec:     20.00KB
"""


def test_parse_wrk_reads_rate_percentiles_and_errors() -> None:
    assert parse_wrk(WRK) == {"rps": 37.62, "p50": 205.1, "p99": 1200.0, "errors": 3.0}
    assert parse_wrk("garbage")["errors"] == 0.0


def test_lua_script_cycles_through_bodies_unescaped() -> None:
    bodies = [body('he said "no" \\ and left'), body("x]==]y")]
    script = lua_script(bodies)
    assert bodies[0] in script and "x]==]y" not in script  # a body that would end the long bracket is left out
    assert json.loads(bodies[0])["requestedAttributes"] == {"TOXICITY": {}}
    assert "wrk.format(\"POST\"" in script
