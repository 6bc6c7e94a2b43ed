"""Catch-up per shard: a gateway process pins and catches up only the channels of guilds on its own shards
(``(guild_id >> 22) % shard_count in shard_ids``); unsharded, it owns every guild."""

from __future__ import annotations

from collections.abc import AsyncIterator

from moderation.doubles import FakeExecutor, FakePublisher, MarkerScorer, core_config

from bot.cluster.ports import owner_filter
from bot.moderation.cursors import ChannelCursorRepository
from bot.moderation.models import MessageSnapshot
from bot.moderation.service import ModerationService
from bot.storage import Database

SHARDS = 2
GUILDS = {0: 4 << 22, 1: 5 << 22}  # shard -> a guild on it
CHANNELS = {0: (20, 22), 1: (21, 23)}  # shard -> its guild's channels
STORED = 500


async def service_for(db: Database, shard_ids: list[int], shard_count: int = SHARDS) -> ModerationService:
    service = ModerationService(db, core_config(), MarkerScorer(), publisher=FakePublisher(),
                                executor=FakeExecutor(), owns=owner_filter(shard_count, shard_ids))
    await service.start()
    return service


async def no_history(_after: int) -> AsyncIterator[MessageSnapshot]:
    for message in ():
        yield message


async def test_each_process_pins_and_catches_up_only_its_own_shards(db: Database) -> None:
    await ChannelCursorRepository(db).advance_many(
        [(channel, GUILDS[shard], STORED) for shard, channels in CHANNELS.items() for channel in channels])
    services = {shard: await service_for(db, [shard]) for shard in (0, 1)}
    try:
        for shard, service in services.items():
            mine, theirs = CHANNELS[shard], CHANNELS[1 - shard]
            assert set(await service.intake.stored_cursors()) == set(mine)  # what the listener catches up
            assert all(service.intake.tracker.pinned(c) is not None for c in mine)  # pinned at start
            assert all(service.intake.tracker.pinned(c) is None for c in theirs)
            for channel in mine:
                await service.intake.catch_up(channel, GUILDS[shard], no_history)
            assert service.intake.pin_pending() == len(mine)  # a new gateway session: its own channels again
            assert all(service.intake.tracker.pinned(c) is None for c in theirs)
    finally:
        for service in services.values():
            await service.stop()


async def test_unsharded_and_all_shards_own_every_guild(db: Database) -> None:
    await ChannelCursorRepository(db).advance_many(
        [(channel, GUILDS[shard], STORED) for shard, channels in CHANNELS.items() for channel in channels])
    every = {c for channels in CHANNELS.values() for c in channels}
    for shard_count, shard_ids in ((0, []), (SHARDS, []), (SHARDS, [0, 1])):
        service = await service_for(db, shard_ids, shard_count)
        try:
            assert set(await service.intake.stored_cursors()) == every
            assert service.intake.pin_pending() == len(every)
        finally:
            await service.stop()


def test_owner_filter_follows_discords_shard_formula() -> None:
    assert owner_filter(2, [0])(4 << 22) and not owner_filter(2, [0])(5 << 22)
    assert owner_filter(2, [1])(5 << 22) and not owner_filter(2, [1])(4 << 22)
    assert owner_filter(0, [])(5 << 22) and owner_filter(4, [])(7 << 22)
