"""The leader lease on a real Redis: one leader, renewal, takeover when the leader stops or dies; Tier 0 leads."""

from __future__ import annotations

import asyncio

import pytest

from bot.cluster import ClusterConfig, ClusterUnavailable, build_cluster
from bot.cluster.local import LocalLeaderLease

TTL = 0.6


async def test_in_process_lease_always_leads() -> None:
    lease = LocalLeaderLease()
    assert await lease.start() and lease.is_leader
    await lease.close()
    cluster = await build_cluster(ClusterConfig())
    assert not cluster.shared and await cluster.leader.start()
    await cluster.close()


async def test_one_leader_renewed_past_its_ttl_then_handed_over(redis_url: str) -> None:
    elected: list[str] = []

    def on(name: str):
        async def elected_now() -> None:
            elected.append(name)
        return elected_now

    config = ClusterConfig(redis_url=redis_url, leader_lease_seconds=TTL, key_prefix="lease")
    first = await build_cluster(config, on_elected=on("first"))
    second = await build_cluster(config, on_elected=on("second"))
    try:
        assert await first.leader.start() is True
        assert await second.leader.start() is False
        await asyncio.sleep(TTL * 2.5)  # renewed several times: still the leader, the other still waits
        assert first.leader.is_leader and not second.leader.is_leader and elected == []
        await first.close()  # releases the lease
        for _ in range(40):
            if second.leader.is_leader and elected:
                break
            await asyncio.sleep(TTL / 6)
        assert second.leader.is_leader and elected == ["second"]
    finally:
        await first.close()
        await second.close()


async def test_a_dead_leader_is_replaced_after_the_ttl(redis_url: str) -> None:
    config = ClusterConfig(redis_url=redis_url, leader_lease_seconds=TTL, key_prefix="crash")
    first = await build_cluster(config)
    second = await build_cluster(config)
    try:
        assert await first.leader.start()
        lease_task = first.leader._task  # a crash: renewal stops, nothing is released
        assert lease_task is not None
        lease_task.cancel()
        await second.leader.start()
        assert not second.leader.is_leader
        await asyncio.sleep(TTL * 1.8)
        assert second.leader.is_leader and not first.leader.is_leader  # the old one knows its lease ran out
    finally:
        await second.close()
        await first.close()


async def test_unreachable_redis_is_a_clear_error(tmp_path) -> None:
    pytest.importorskip("redis")
    with pytest.raises(ClusterUnavailable, match="does not answer"):
        await build_cluster(ClusterConfig(redis_url=f"unix://{tmp_path}/nothing.sock"))
