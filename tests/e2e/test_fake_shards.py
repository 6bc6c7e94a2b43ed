"""The fake Discord's sharding, checked with discord.py's own AutoShardedClient in-process: GET /gateway/bot,
IDENTIFY's ``shard``, guild events routed by ``(guild_id >> 22) % shard_count``, DMs to shard 0, the identify rate
per bucket (op 9 when too fast), 4010 and 4011."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import discord
import pytest
from fake_discord import FakeDiscord
from fake_discord.sharding import guild_id_on_shard, shard_of
from fake_discord.world import seed_guild


class ShardedRecorder(discord.AutoShardedClient):
    """Records which shard saw which message; the identify hook waits ``identify_gap`` between its own shards
    (discord.py's default sleeps 5 s)."""

    def __init__(self, identify_gap: float = 0.0, **options: Any) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(intents=intents, **options)
        self._connection.guild_ready_timeout = 0.05
        self.identify_gap = identify_gap
        self.seen: list[tuple[int | None, int | None, str]] = []  # (shard_id, guild_id, content)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if not initial:
            await asyncio.sleep(self.identify_gap)

    async def on_message(self, message: discord.Message) -> None:
        if not message.author.bot:
            guild = message.guild  # a DM carries no shard: the fake's buffers show which session got it
            self.seen.append((guild.shard_id if guild else None, guild.id if guild else None, message.content))


async def refused_start(client: discord.Client, fake: FakeDiscord) -> None:
    async with client:
        await asyncio.wait_for(client.start(fake.token), 10)


def two_shard_world(fake: FakeDiscord) -> tuple[discord.abc.Snowflake, Any]:
    """The default guild plus one on the other shard of two."""
    first = fake.guild()
    other = seed_guild(fake, "Sportsdesk", guild_id=guild_id_on_shard(fake, 1 - shard_of(first.id, 2), 2))
    return first, other


async def test_gateway_bot_advertises_shards_and_session_start_limit(fake_discord: FakeDiscord, make_client) -> None:
    fake_discord.config.shards = 3
    fake_discord.config.max_concurrency = 2
    client = await make_client(lambda: ShardedRecorder())
    assert client.bot.shard_count == 3 and sorted(client.bot.shards) == [0, 1, 2]
    limits = await client.bot.fetch_session_start_limits()
    assert (limits.total, limits.max_concurrency) == (1000, 2)
    assert limits.remaining == 1000 - 3 and 0 < limits.reset_after <= 24 * 3600 * 1000
    assert [r.shard for r in fake_discord.gateway.shards.accepted()] == [(0, 3), (1, 3), (2, 3)]
    assert [r.bucket for r in fake_discord.gateway.shards.accepted()] == [0, 1, 0]


async def test_guild_events_reach_only_their_shard_and_dms_shard_0(fake_discord: FakeDiscord, make_client) -> None:
    first, other = two_shard_world(fake_discord)
    fake_discord.config.shards = 2
    client = await make_client(lambda: ShardedRecorder())
    bot = client.bot
    assert {g.id: g.shard_id for g in bot.guilds} == {first.id: shard_of(first.id, 2), other.id: shard_of(other.id, 2)}
    sessions = {s.shard: s for s in fake_discord.gateway.live_sessions()}
    assert set(sessions) == {(0, 2), (1, 2)}
    for shard, session in sessions.items():
        guilds = [p["d"]["id"] for p in session.buffer if p["t"] == "GUILD_CREATE"]
        assert guilds == [str(g.id) for g in (first, other) if shard_of(g.id, 2) == shard[0]]

    await client.post_message(fake_discord.state.channel("general", first), "one")
    await client.post_message(fake_discord.state.channel("general", other), "two")
    await client.post_dm("three")
    await client.wait_for(lambda: len(bot.seen) == 3)
    assert sorted(bot.seen, key=lambda s: s[2]) == [
        (shard_of(first.id, 2), first.id, "one"), (None, None, "three"), (shard_of(other.id, 2), other.id, "two")]
    dm_events = [s.shard for s in sessions.values()
                 if any(p["t"] == "MESSAGE_CREATE" and "guild_id" not in p["d"] for p in s.buffer)]
    assert dm_events == [(0, 2)]


async def test_identify_too_soon_in_a_bucket_is_invalid_session(fake_discord: FakeDiscord, make_client) -> None:
    """No gap between the shards of bucket 0: the second IDENTIFY gets op 9, discord.py identifies again."""
    fake_discord.config.shards = 2
    fake_discord.config.identify_interval = 0.3
    started = time.monotonic()
    client = await make_client(lambda: ShardedRecorder(identify_gap=0.0))
    rules = fake_discord.gateway.shards
    await client.wait_for(lambda: len(rules.accepted()) == 2, timeout=10)
    assert rules.violations and rules.violations[0].shard == (1, 2)
    accepted = rules.accepted(0)
    assert accepted[1].at - accepted[0].at >= 0.3
    assert len(client.bot.shards) == 2 and time.monotonic() - started < 10


async def test_identify_spaced_by_the_interval_is_accepted(fake_discord: FakeDiscord, make_client) -> None:
    fake_discord.config.shards = 2
    fake_discord.config.identify_interval = 0.2
    await make_client(lambda: ShardedRecorder(identify_gap=0.3))
    rules = fake_discord.gateway.shards
    assert not rules.violations and len(rules.accepted(0)) == 2
    assert (rules.min_spacing(0) or 0) >= 0.2


async def test_buckets_are_independent_with_max_concurrency(fake_discord: FakeDiscord, make_client) -> None:
    fake_discord.config.shards = 2
    fake_discord.config.max_concurrency = 2
    fake_discord.config.identify_interval = 5.0
    await make_client(lambda: ShardedRecorder(identify_gap=0.0))
    rules = fake_discord.gateway.shards
    assert not rules.violations and [r.bucket for r in rules.accepted()] == [0, 1]


@pytest.mark.allow_errors
async def test_invalid_shard_closes_4010(fake_discord: FakeDiscord) -> None:
    with pytest.raises(discord.ConnectionClosed) as closed:
        await refused_start(ShardedRecorder(shard_ids=[2], shard_count=2), fake_discord)
    assert closed.value.code == 4010 and fake_discord.gateway.close_codes == [4010]
    assert [r.outcome for r in fake_discord.gateway.shards.records] == ["invalid_shard"]


@pytest.mark.allow_errors
async def test_too_many_guilds_for_one_shard_closes_4011(fake_discord: FakeDiscord) -> None:
    two_shard_world(fake_discord)
    fake_discord.config.max_guilds_per_shard = 1
    with pytest.raises(discord.ConnectionClosed) as closed:
        await refused_start(ShardedRecorder(shard_ids=[0], shard_count=1), fake_discord)
    assert closed.value.code == 4011
    assert [r.outcome for r in fake_discord.gateway.shards.records] == ["sharding_required"]
