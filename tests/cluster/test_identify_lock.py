"""The identify lock: one IDENTIFY per bucket per interval, in one process (Tier 0) and across processes (Redis)."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.cluster.local import LocalIdentifyLock
from bot.cluster.ports import IDENTIFY_SLACK_SECONDS, bucket_of

INTERVAL = 0.3


def test_bucket_is_shard_id_modulo_max_concurrency() -> None:
    assert [bucket_of(s, 1) for s in range(4)] == [0, 0, 0, 0]
    assert [bucket_of(s, 2) for s in range(4)] == [0, 1, 0, 1]
    assert bucket_of(None, 16) == 0 and bucket_of(5, 0) == 0


async def spaced(lock, buckets: list[int]) -> list[tuple[int, float]]:
    """Acquire ``buckets`` concurrently; return (bucket, time acquired) in acquisition order."""
    times: list[tuple[int, float]] = []

    async def one(bucket: int) -> None:
        await lock.acquire(bucket)
        times.append((bucket, time.monotonic()))

    await asyncio.gather(*(one(b) for b in buckets))
    return times


def gaps(times: list[tuple[int, float]], bucket: int) -> list[float]:
    moments = sorted(t for b, t in times if b == bucket)
    return [b - a for a, b in zip(moments, moments[1:], strict=False)]


async def test_local_lock_spaces_one_bucket_and_not_two() -> None:
    lock = LocalIdentifyLock(INTERVAL)
    started = time.monotonic()
    times = await spaced(lock, [0, 1, 0, 1])
    assert all(gap >= INTERVAL for bucket in (0, 1) for gap in gaps(times, bucket))
    firsts = [t for b, t in times[:2]]
    assert max(firsts) - started < INTERVAL / 2  # two buckets identify at once


async def test_local_lock_waits_only_what_the_bucket_still_needs() -> None:
    lock = LocalIdentifyLock(INTERVAL)
    await lock.acquire(0)
    await asyncio.sleep(INTERVAL + IDENTIFY_SLACK_SECONDS)
    started = time.monotonic()
    await lock.acquire(0)
    assert time.monotonic() - started < 0.05


async def test_redis_lock_spaces_a_bucket_across_clients(redis_url: str) -> None:
    """Two clients stand for two processes: each its own connection and token."""
    from redis.asyncio import Redis

    from bot.cluster.redis_store import RedisIdentifyLock

    clients = [Redis.from_url(redis_url) for _ in range(2)]
    try:
        locks = [RedisIdentifyLock(c, INTERVAL, "test") for c in clients]
        times: list[tuple[int, float]] = []

        async def one(lock: RedisIdentifyLock, bucket: int) -> None:
            await lock.acquire(bucket)
            times.append((bucket, time.monotonic()))

        await asyncio.gather(*(one(locks[i % 2], b) for i, b in enumerate([0, 0, 0, 1, 1])))
        assert len(gaps(times, 0)) == 2 and min(gaps(times, 0)) >= INTERVAL
        assert min(gaps(times, 1)) >= INTERVAL
        ttl = await clients[0].pttl("test:identify:0")
        assert 0 < ttl <= (INTERVAL + IDENTIFY_SLACK_SECONDS) * 1000  # expires by itself; never deleted
    finally:
        for client in clients:
            await client.aclose()


async def test_redis_lock_outlives_a_dead_holder_only_by_the_interval(redis_url: str) -> None:
    from redis.asyncio import Redis

    from bot.cluster.redis_store import RedisIdentifyLock

    first, second = Redis.from_url(redis_url), Redis.from_url(redis_url)
    try:
        await RedisIdentifyLock(first, INTERVAL, "test").acquire(0)
        await first.aclose()  # the holder is gone (a crash): its key still expires
        started = time.monotonic()
        await RedisIdentifyLock(second, INTERVAL, "test").acquire(0)
        waited = time.monotonic() - started
        assert INTERVAL / 2 < waited < INTERVAL + IDENTIFY_SLACK_SECONDS + 0.3
    finally:
        await second.aclose()


@pytest.mark.parametrize("prefix", ["a", "b"])
async def test_prefixes_do_not_share_buckets(redis_url: str, prefix: str) -> None:
    from redis.asyncio import Redis

    from bot.cluster.redis_store import RedisIdentifyLock

    client = Redis.from_url(redis_url)
    try:
        await RedisIdentifyLock(client, 5.0, "other").acquire(0)
        started = time.monotonic()
        await RedisIdentifyLock(client, 5.0, prefix).acquire(0)
        assert time.monotonic() - started < 0.1
    finally:
        await client.aclose()
