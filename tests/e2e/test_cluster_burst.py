"""Issue #14's end-to-end done-when: 2 gateways (``modbot run``, shard 0 and shard 1 of 2) and 2 ``modbot worker``
processes on one PostgreSQL database and one real redis-server, ``[cluster] scoring = "workers"``.

Four guilds (two on each shard), each with its own mod channel set in the database (``moderation.mod_channel_id``,
what ``/config`` stores, read by every process). A burst of 1,000 messages over the four guilds (a third flaggable);
mid-burst one worker is SIGKILLed while it holds a batch and one gateway is SIGKILLed while cards flow, then the
gateway is started again on the same shard (it catches its guilds up from channel history) while the burst goes on.

Afterwards: every flaggable message has exactly one case, one ``case.open`` audit entry and one card, in its own
guild's mod channel; the calm ones none; the dead worker's entries were taken over by the other (XAUTOCLAIM); the
IDENTIFYs of the one bucket (max_concurrency 1), the restart's included, are at least the interval apart across
the processes, and the fake saw no violation.

The children are the real commands with the keyword TEST scorer injected (``support.keyword_run`` for the gateways,
``support.keyword_worker`` for the workers, marker word "flagme", 20 ms per worker scorer call).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fake_discord import BotProcess, FakeDiscord
from fake_discord.sharding import guild_id_on_shard, shard_of
from fake_discord.state import FakeGuild
from fake_discord.world import seed_guild
from redis.asyncio import Redis
from support.crash_runs import CARD_FOOTER, crash_settings, holds_fresh_batch, pending_of
from support.keyword_run import MODULE as KEYWORD_RUN
from support.keyword_worker import MODULE as KEYWORD_WORKER
from support.pg_server import shared_server

from bot.guildconf import GuildConfigService
from bot.settings import load_settings
from bot.storage import Database

pytestmark = pytest.mark.slow

TOTAL = 1000
INTERVAL = 0.5  # the identify interval, enforced by the fake and kept by the gateways' Redis lock


@pytest.fixture
async def pg_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A fresh, migrated PostgreSQL database shared by every process of the test."""
    server = shared_server(request.config)
    name = await server.new_database()
    try:
        yield server.url(name)
    finally:
        await server.drop_database(name)


def four_guilds(fake: FakeDiscord) -> dict[int, list[FakeGuild]]:
    """The default guild and three more: two on each shard of 2; the fake enforces the identify interval."""
    first = fake.guild()
    home = shard_of(first.id, 2)
    guilds = [first]
    for n, shard in enumerate((home, 1 - home, 1 - home)):
        guilds.append(seed_guild(fake, f"Guild {n + 2}", guild_id=guild_id_on_shard(fake, shard, 2)))
    fake.config.shards, fake.config.max_concurrency, fake.config.identify_interval = 2, 1, INTERVAL
    by_shard: dict[int, list[FakeGuild]] = {0: [], 1: []}
    for guild in guilds:
        by_shard[shard_of(guild.id, 2)].append(guild)
    assert [len(g) for g in by_shard.values()] == [2, 2]
    return by_shard


async def set_mod_channels(fake: FakeDiscord, url: str, guilds: list[FakeGuild]) -> None:
    """Each guild's own mod queue and mod log, stored as ``/config`` stores them."""
    db = await Database.open(url)
    try:
        service = GuildConfigService(load_settings(None, env_file=None, environ={}), db)
        for guild in guilds:
            for key, channel in (("moderation.mod_channel_id", "mod-queue"),
                                 ("moderation.mod_log_channel_id", "mod-log")):
                await service.set(guild.id, key, str(fake.state.channel(channel, guild).id), actor_id=None)
    finally:
        await db.close()


def settings_for(fake: FakeDiscord, url: str, redis_url: str, shard: int | None) -> dict[str, Any]:
    base = crash_settings(fake)
    moderation = {k: v for k, v in base["moderation"].items() if k not in ("mod_channel_id", "mod_log_channel_id")}
    discord: dict[str, Any] = {**base["discord"], "shard_count": 2}
    if shard is not None:
        discord["shard_ids"] = [shard]
    return {
        **base,
        "discord": discord,
        "moderation": moderation,
        "storage": {"url": url},
        "cluster": {"redis_url": redis_url, "scoring": "workers", "identify_interval": INTERVAL,
                    "leader_lease_seconds": 3.0, "claim_idle_ms": 1000, "worker_block_ms": 100,
                    "worker_batch": 16},
    }


def cards_in(proc: BotProcess, fake: FakeDiscord, guild: FakeGuild) -> list[tuple[int, int, int]]:
    """``(card message id, case id, flagged message id)`` of every card in ``guild``'s mod queue."""
    out = []
    for message in proc.bot_posts(fake.state.channel("mod-queue", guild)):
        for embed in message.embeds:
            match = CARD_FOOTER.match((embed.get("footer") or {}).get("text", ""))
            if match:
                out.append((message.id, int(match[1]), int(match[2])))
    return out


async def test_two_gateways_two_workers_one_of_each_killed_mid_burst(
        pg_url: str, redis_url: str, fake_discord: FakeDiscord, spawn_bot: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:  # pg_url first: its database is dropped after the processes end
    monkeypatch.setenv("KEYWORD_TEST_DELAY", "0.02")
    fake = fake_discord
    by_shard = four_guilds(fake)
    guilds = by_shard[0] + by_shard[1]
    await set_mod_channels(fake, pg_url, guilds)
    db = await Database.open(pg_url)
    client = Redis.from_url(redis_url)
    try:
        gateways = [await spawn_bot(settings_for(fake, pg_url, redis_url, shard), module=KEYWORD_RUN, start=False)
                    for shard in (0, 1)]
        await asyncio.gather(*(g.spawn() for g in gateways))
        workers = [await spawn_bot(settings_for(fake, pg_url, redis_url, None), module=KEYWORD_WORKER,
                                   args=("worker",), start=False) for _ in "ab"]
        for worker in workers:
            await worker.spawn()
        watcher = gateways[0]
        await watcher.wait_for(lambda: {s.shard for s in fake.gateway.live_sessions()} == {(0, 2), (1, 2)},
                               timeout=30, message="both shards to connect")
        names = {f"{socket.gethostname()}-{w.proc.pid}": w for w in workers if w.proc is not None}
        await watcher.wait_for(lambda: _consumers_ready(client, names), timeout=30, message="both workers reading")
        for gateway in gateways:
            await gateway.quiet(0.2, 10)

        worker_name, dead_worker = next(iter(names.items()))
        dead_gateway, live_gateway = gateways[1], gateways[0]  # shard 1's process dies; shard 0's lives on
        crashed: dict[str, Any] = {}
        flagged: dict[int, int] = {}  # message id -> guild id
        calm: list[int] = []

        async def kill_worker() -> None:
            # a batch delivered less than 5 ms ago: scoring it takes 20 ms
            await watcher.wait_for(lambda: holds_fresh_batch(client, worker_name), timeout=30, interval=0.001,
                                   message="the victim worker to hold a batch")
            crashed["worker"] = await dead_worker.kill()
            crashed["held"] = (await pending_of(client))[worker_name]

        async def kill_gateway() -> None:
            await watcher.wait_for(lambda: sum(len(cards_in(dead_gateway, fake, g)) for g in by_shard[1]) >= 10,
                                   timeout=30, message="cards flowing on shard 1")
            crashed["gateway"] = await dead_gateway.kill()
            crashed["posted"] = len(flagged) + len(calm)
            crashed["cases"] = int((await db.fetchone("SELECT COUNT(*) AS n FROM mod_cases"))["n"])

        killers: list[asyncio.Task[None]] = []
        restart: asyncio.Task[BotProcess] | None = None
        started = asyncio.get_running_loop().time()
        for i in range(TOTAL):
            if i == TOTAL // 4:
                killers = [asyncio.create_task(kill_worker()), asyncio.create_task(kill_gateway())]
            if i == TOTAL // 2:
                await asyncio.gather(*killers)  # both kills happen mid-burst, however slow the machine
            if i == 3 * TOTAL // 5:  # messages went to shard 1 with nobody connected: its restart catches them up
                restart = asyncio.create_task(dead_gateway.start(timeout=30))
            guild = guilds[i % 4]
            flaggable = i % 3 == 0
            message_id = await watcher.post_message(
                fake.state.channel("general", guild),
                f"reply {i}: " + ("you flagme troll" if flaggable else "a calm and reasoned reply"))
            if flaggable:
                flagged[message_id] = guild.id
            else:
                calm.append(message_id)
            await asyncio.sleep(0.002)
        assert restart is not None
        await restart
        print(f"burst of {TOTAL} in {asyncio.get_running_loop().time() - started:.1f} s; killed a worker holding "
              f"{crashed['held']} entries and shard 1's gateway at message {crashed['posted']} with "
              f"{crashed['cases']} cases stored; restarted at message {3 * TOTAL // 5}")
        assert crashed["worker"] == -9 and crashed["gateway"] == -9 and crashed["held"] > 0
        assert 0 < crashed["cases"] < len(flagged)
        assert crashed["posted"] < 3 * TOTAL // 5 - 40  # shard 1 missed messages while down: caught up on restart

        async def rows() -> dict[int, dict[str, Any]]:
            found = await db.fetchall("SELECT id, guild_id, message_id, card_message_id FROM mod_cases")
            return {int(r["message_id"]): {k: r[k] for k in ("id", "guild_id", "card_message_id")} for r in found}

        async def complete() -> bool:
            cases = await rows()
            return len(cases) >= len(flagged) and all(c["card_message_id"] is not None for c in cases.values())

        await watcher.wait_for(complete, timeout=60, interval=0.1,
                               message="every flagged message to have a case and a card")
        for gateway in gateways:
            await gateway.quiet(0.5, 10)
        cases = await rows()

        # exactly one case per flaggable message (UNIQUE message_id), in its guild; none for the calm ones
        assert set(cases) == set(flagged)
        assert {m: c["guild_id"] for m, c in cases.items()} == flagged
        # nothing scored into two cases: one case.open per case, though entries were redelivered
        opens = await db.fetchall("SELECT case_id, COUNT(*) AS n FROM audit_log WHERE action = 'case.open' "
                                  "GROUP BY case_id")
        assert {int(r["case_id"]): int(r["n"]) for r in opens} == {c["id"]: 1 for c in cases.values()}
        # exactly one card per flagged message, in its own guild's mod channel (both gateway runs' posts)
        per_message: dict[int, list[int]] = {}
        for guild in guilds:
            for card_id, case_id, message_id in cards_in(watcher, fake, guild):
                assert flagged[message_id] == guild.id, "a card in another guild's mod channel"
                assert cases[message_id]["id"] == case_id
                per_message.setdefault(message_id, []).append(card_id)
        assert set(per_message) == set(flagged)
        assert not {m: ids for m, ids in per_message.items() if len(ids) != 1}, "a message got more than one card"
        assert all(cases[m]["card_message_id"] == ids[0] for m, ids in per_message.items())

        # the dead worker's batch was taken over and finished
        pending = await pending_of(client)
        assert pending[worker_name] == 0 and sum(pending.values()) == 0
        survivor = workers[1] if dead_worker is workers[0] else workers[0]
        assert "took over" in survivor.output()

        # IDENTIFYs of the one bucket: the initial two and the restart's, the interval apart across processes
        rules = fake.gateway.shards
        assert not rules.violations, rules.records
        assert sorted(r.shard for r in rules.accepted(0)) == [(0, 2), (1, 2), (1, 2)], rules.records
        assert (rules.min_spacing(0) or 0) >= INTERVAL

        for process in (live_gateway, dead_gateway, survivor):
            assert not process.logged_errors(), process.output()
    finally:
        await client.aclose()
        await db.close()


async def _consumers_ready(client: Redis, names: dict[str, Any]) -> bool:
    return set(names) <= set(await pending_of(client))
