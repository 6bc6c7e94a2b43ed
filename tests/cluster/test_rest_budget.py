"""The shared REST budget on a real Redis: two processes together stay within the budget of each second; without
Redis a request is sent anyway; which requests count; the trace hook runs before discord.py's requests."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest
from redis.asyncio import Redis
from yarl import URL

from bot.cluster import ClusterConfig, build_cluster
from bot.cluster.rest_budget import RedisRestBudget
from discord_edge.rest_budget import budget_trace, counted

BUDGET = 5


async def test_two_processes_share_one_budget_per_second(redis_url: str) -> None:
    clients = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
    budgets = [RedisRestBudget(client, BUDGET, "budget") for client in clients]
    granted: list[float] = []

    async def send(budget: RedisRestBudget, count: int) -> None:
        for _ in range(count):
            await budget.acquire()
            granted.append(time.time())

    try:
        await asyncio.gather(send(budgets[0], 7), send(budgets[1], 6))
    finally:
        for client in clients:
            await client.aclose()
    per_second = Counter(int(stamp) for stamp in granted)
    assert len(granted) == 13 and max(per_second.values()) <= BUDGET
    assert len(per_second) >= 3  # 13 requests at 5 a second span at least three seconds
    assert sum(b.waited for b in budgets) >= 13 - 2 * BUDGET


async def test_without_redis_the_request_is_sent_anyway(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    client = Redis.from_url(f"unix://{tmp_path}/nobody.sock")
    try:
        budget = RedisRestBudget(client, 1, "budget")
        await asyncio.wait_for(asyncio.gather(*(budget.acquire() for _ in range(3))), timeout=2)
    finally:
        await client.aclose()
    assert caplog.text.count("shared REST budget: Redis is unavailable") == 1  # warned once, not per request


@pytest.mark.parametrize(("url", "counts"), [
    ("https://discord.com/api/v10/channels/1/messages", True),
    ("http://127.0.0.1:8080/api/v10/guilds/1/members/2", True),
    ("https://discord.com/api/v10/interactions/1/tok/callback", False),
    ("https://discord.com/api/v10/webhooks/1/tok/messages/@original", False),
    ("wss://gateway.discord.gg/?v=10&encoding=json", False),
])
def test_what_counts_against_the_global_limit(url: str, counts: bool) -> None:
    assert counted(URL(url)) is counts


async def test_the_trace_takes_a_unit_before_each_counted_request() -> None:
    taken: list[str] = []

    class Budget:
        async def acquire(self) -> None:
            taken.append("unit")

    holder: list[Budget | None] = [None]
    trace = budget_trace(lambda: holder[0])
    [hook] = list(trace.on_request_start)

    class Params:
        def __init__(self, url: str) -> None:
            self.url = URL(url)

    await hook(None, None, Params("https://discord.com/api/v10/users/@me"))  # before the cluster: no budget
    holder[0] = Budget()
    await hook(None, None, Params("https://discord.com/api/v10/channels/1/messages"))
    await hook(None, None, Params("https://discord.com/api/v10/interactions/1/t/callback"))
    assert taken == ["unit"]


async def test_the_budget_is_opt_in_and_needs_redis(redis_url: str) -> None:
    with pytest.raises(ValueError, match="rest_budget_per_second needs redis_url"):
        ClusterConfig(rest_budget_per_second=45)
    cluster = await build_cluster(ClusterConfig(redis_url=redis_url, rest_budget_per_second=45))
    try:
        assert isinstance(cluster.rest_budget, RedisRestBudget) and cluster.rest_budget.per_second == 45
    finally:
        await cluster.close()
