"""Two real ``modbot run`` processes as one bot: shard 0 and shard 1 of 2, one fake Discord, one Redis, one SQLite
file (WAL lets two processes share it for this test).

Each process gets only its guild's events (a flagged message in each guild becomes a case in the shared database),
guild-less interactions (a DM) reach shard 0 only, IDENTIFYs of the one bucket (max_concurrency 1) are at least the
interval apart across the two processes, and only the leader syncs the application commands. Without a shared
identify lock (each process on its in-process lock) the fake records the violation: the test can fail.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from fake_discord import BotProcess, FakeDiscord
from fake_discord.sharding import guild_id_on_shard, shard_of
from fake_discord.state import ChannelType, FakeChannel
from fake_discord.world import seed_guild
from moderation.doubles import REVIEW_COGS
from support.crash_runs import read_rows
from support.keyword_run import MODULE as KEYWORD_RUN

from bot.storage import Database

pytestmark = pytest.mark.slow


def shard_world(fake: FakeDiscord, interval: float) -> dict[int, Any]:
    """Two guilds, one on each shard of 2; the fake enforces ``interval`` per bucket, max_concurrency 1."""
    first = fake.guild()
    other = seed_guild(fake, "Sportsdesk", guild_id=guild_id_on_shard(fake, 1 - shard_of(first.id, 2), 2))
    fake.config.shards, fake.config.max_concurrency, fake.config.identify_interval = 2, 1, interval
    return {shard_of(g.id, 2): g for g in (first, other)}


def process_settings(shard: int, interval: float, redis_url: str) -> dict[str, Any]:
    return {
        "discord": {"cogs": REVIEW_COGS, "shard_count": 2, "shard_ids": [shard]},
        "logging": {"level": "INFO"},
        "moderation": {"digest_threshold": 0, "cards_per_minute": 0},
        "cluster": {"redis_url": redis_url, "identify_interval": interval, "leader_lease_seconds": 3.0},
    }


async def start_both(fake: FakeDiscord, spawn_bot, tmp_path: Path, interval: float,
                     redis_url: str) -> list[BotProcess]:
    db = await Database.open(tmp_path / "modbot.sqlite3")  # migrated once, before two processes open it
    await db.close()
    processes = [await spawn_bot(process_settings(shard, interval, redis_url), module=KEYWORD_RUN, start=False)
                 for shard in (0, 1)]
    await asyncio.gather(*(p.spawn() for p in processes))  # as close together as two launches get
    both = {(0, 2), (1, 2)}
    await processes[0].wait_for(lambda: {s.shard for s in fake.gateway.live_sessions()} == both, timeout=30,
                                message="both shards to connect")
    for process in processes:
        await process.quiet(0.2, 10)
    return processes


def events_by_shard(fake: FakeDiscord, event: str) -> dict[tuple[int, int] | None, list[dict[str, Any]]]:
    return {s.shard: [p["d"] for p in s.buffer if p["t"] == event] for s in fake.gateway.live_sessions()}


async def test_two_processes_split_the_guilds_and_space_their_identifies(
        fake_discord: FakeDiscord, spawn_bot, tmp_path: Path, redis_url: str) -> None:
    interval = 1.0
    guilds = shard_world(fake_discord, interval)
    procs = await start_both(fake_discord, spawn_bot, tmp_path, interval, redis_url)

    rules = fake_discord.gateway.shards
    assert not rules.violations, rules.records
    assert [r.shard for r in rules.accepted(0)] in ([(0, 2), (1, 2)], [(1, 2), (0, 2)])
    assert (rules.min_spacing(0) or 0) >= interval

    # GUILD_CREATE and messages: each session only its own guild
    for shard, created in events_by_shard(fake_discord, "GUILD_CREATE").items():
        assert [g["id"] for g in created] == [str(guilds[shard[0]].id)]
    flagged = {shard: await procs[0].post_message(fake_discord.state.channel("general", guild), "flagme now")
               for shard, guild in guilds.items()}
    rows: dict[int, dict[str, Any]] = {}

    def both_cases() -> bool:
        rows.update(read_rows(tmp_path / "modbot.sqlite3"))
        return set(flagged.values()) <= set(rows)

    await procs[0].wait_for(both_cases, timeout=15, message="a case per guild in the shared database")
    assert {rows[mid]["guild_id"] for mid in flagged.values()} == {g.id for g in guilds.values()}
    for shard, messages in events_by_shard(fake_discord, "MESSAGE_CREATE").items():
        assert {int(m["id"]) for m in messages if m["author"]["id"] != str(fake_discord.bot_user.id)} \
            == {flagged[shard[0]]}

    # A DM interaction (no guild): shard 0's process answers, shard 1's never sees it
    dm = dm_channel(fake_discord, "member")
    record = await procs[0].slash("about", user="member", channel=dm)
    assert record.embeds and record.embeds[0]["title"] == "modbot"
    interactions = events_by_shard(fake_discord, "INTERACTION_CREATE")
    assert [i["id"] for i in interactions[(0, 2)]] == [str(record.id)] and interactions[(1, 2)] == []

    # the leader alone synced the commands
    assert fake_discord.state.sync_count == 1
    outputs = [p.output() for p in procs]
    assert sum("synced" in out for out in outputs) == 1
    assert sum("not the leader" in out for out in outputs) == 1


def dm_channel(fake: FakeDiscord, who: str) -> FakeChannel:
    """The member's DM channel with the bot (created as Discord does on first use)."""
    user = fake.state.user(who)
    if user.id not in fake.state.dm_channels:
        fake.state.dm_channels[user.id] = fake.state.add_channel(None, None, ChannelType.DM, recipient_id=user.id).id
    return fake.state.channels[fake.state.dm_channels[user.id]]


async def test_without_a_shared_lock_the_fake_sees_the_violation(
        fake_discord: FakeDiscord, spawn_bot, tmp_path: Path) -> None:
    """The same two processes, each with its own in-process lock: both identify bucket 0 at once."""
    interval = 2.0
    shard_world(fake_discord, interval)
    await start_both(fake_discord, spawn_bot, tmp_path, interval, redis_url="")
    rules = fake_discord.gateway.shards
    assert rules.violations, rules.records
    assert (rules.min_spacing(0) or 0) < interval
    assert len(rules.accepted(0)) == 2  # discord.py identified again after the op 9, as on Discord
