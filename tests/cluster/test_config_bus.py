"""/config across processes on a real Redis: two GuildConfigService instances over one database ("two processes",
each with its own connection and Redis client); a set or reset in one is seen by the other's ``current()`` within
a second, a resubscription reloads everything, the safety reload catches a lost message; Tier 0 tells nobody."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.cluster import ClusterConfig, LocalConfigBus, build_cluster
from bot.cluster.config_bus import RedisConfigBus, channel_of
from bot.guildconf import GuildConfigService
from bot.settings import Settings, load_settings
from bot.storage import Database

GUILD = 111
KEY = "policy.partisan_threshold"
PREFIX = "bus"


@dataclass
class Process:
    db: Database
    client: Redis
    bus: RedisConfigBus
    config: GuildConfigService

    async def close(self) -> None:
        await self.bus.close()
        await self.db.close()
        await self.client.aclose()


async def until(condition: Callable[[], bool], timeout: float = 1.0) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() >= deadline:
            return False
        await asyncio.sleep(0.02)
    return True


@pytest.fixture
def settings() -> Settings:
    return load_settings(None, env_file=None, environ={}, overrides={})


@pytest.fixture
async def start(tmp_path: Path, redis_url: str, settings: Settings) -> AsyncIterator[Callable[..., object]]:
    processes: list[Process] = []

    async def factory(**bus_options: float) -> Process:
        db = await Database.open(tmp_path / "shared.sqlite3")
        client = Redis.from_url(redis_url)
        bus = RedisConfigBus(client, PREFIX, **bus_options)
        config = GuildConfigService(settings, db)
        await config.load()
        config.publish_changes_with(bus.publish)
        await bus.start(config.reload)
        assert await until(lambda: bus.subscriptions >= 1)
        process = Process(db, client, bus, config)
        processes.append(process)
        return process

    yield factory
    for process in processes:
        await process.close()


def threshold(process: Process) -> float:
    return float(process.config.current(GUILD).policy.partisan_threshold)


async def test_a_set_and_a_reset_in_one_process_reach_the_other_within_a_second(start, settings) -> None:
    a, b = await start(), await start()
    default = settings.policy.partisan_threshold
    assert threshold(b) == default
    await a.config.set(GUILD, KEY, "0.91", actor_id=1)
    assert await until(lambda: threshold(b) == 0.91), "B did not see A's set"
    await b.config.set(GUILD, KEY, "0.42", actor_id=2)  # and the other way round
    assert await until(lambda: threshold(a) == 0.42), "A did not see B's set"
    await a.config.reset(GUILD, KEY, actor_id=1)
    assert await until(lambda: threshold(b) == default and not b.config.current(GUILD).overrides), \
        "B did not see A's reset"


async def test_a_resubscription_reloads_every_guild(start, redis_url: str) -> None:
    a, b = await start(retry=0.05), await start(retry=0.05)
    a.config.publish_changes_with(None)  # this change is "lost": nobody is told
    await a.config.set(GUILD, KEY, "0.77", actor_id=1)
    await asyncio.sleep(0.2)
    assert threshold(b) != 0.77
    subscribed = b.bus.subscriptions
    admin = Redis.from_url(redis_url)
    try:  # Redis drops the subscribers' connections (a restart or a network cut looks the same to them)
        assert await admin.client_kill_filter(_type="pubsub") >= 1
    finally:
        await admin.aclose()
    assert await until(lambda: b.bus.subscriptions > subscribed and threshold(b) == 0.77, timeout=3.0)


async def test_the_safety_reload_catches_a_lost_message(start) -> None:
    a, b = await start(), await start(safety_reload=0.3)
    a.config.publish_changes_with(None)
    await a.config.set(GUILD, KEY, "0.66", actor_id=1)
    assert await until(lambda: threshold(b) == 0.66, timeout=2.0)


async def test_a_malformed_message_is_ignored_and_the_bus_keeps_listening(start, redis_url: str) -> None:
    a, b = await start(), await start()
    admin = Redis.from_url(redis_url)
    try:
        await admin.publish(channel_of(PREFIX), "not a guild id")
    finally:
        await admin.aclose()
    await a.config.set(GUILD, KEY, "0.55", actor_id=1)
    assert await until(lambda: threshold(b) == 0.55)


async def test_publishing_without_redis_logs_and_does_not_fail_the_change(tmp_path: Path, settings, caplog) -> None:
    client = Redis.from_url(f"unix://{tmp_path}/nobody.sock")
    db = await Database.open(tmp_path / "g.sqlite3")
    try:
        config = GuildConfigService(settings, db)
        config.publish_changes_with(RedisConfigBus(client, PREFIX).publish)
        change = await config.set(GUILD, KEY, "0.85", actor_id=1)
        assert change.changed and float(config.current(GUILD).policy.partisan_threshold) == 0.85
        assert "could not announce the /config change" in caplog.text
    finally:
        await db.close()
        await client.aclose()


async def test_tier0_has_a_bus_that_tells_nobody() -> None:
    cluster = await build_cluster(ClusterConfig())
    assert isinstance(cluster.config_bus, LocalConfigBus) and cluster.rest_budget is None
    heard: list[int | None] = []

    async def on_change(guild_id: int | None) -> None:
        heard.append(guild_id)

    await cluster.config_bus.start(on_change)
    await cluster.config_bus.publish(GUILD)
    await asyncio.sleep(0.05)
    assert heard == []
    await cluster.close()


async def test_the_redis_cluster_carries_the_bus(redis_url: str) -> None:
    cluster = await build_cluster(ClusterConfig(redis_url=redis_url, key_prefix=PREFIX))
    try:
        assert isinstance(cluster.config_bus, RedisConfigBus) and cluster.rest_budget is None  # budget: opt-in
    finally:
        await cluster.close()
