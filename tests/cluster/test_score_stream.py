"""The scoring queue on a real Redis: enqueue, micro-batch read, ack, takeover of idle entries with delivery
counts, dead letters, malformed entries; the gateway's case notices (its own group, shard filter, pending first)."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from bot.cluster import ClusterConfig
from bot.cluster.notices import NoticeReader, gateway_group, owner_filter
from bot.cluster.score_stream import SCORE_GROUP, RedisScoreConsumer, RedisScoreQueue, Streams
from bot.moderation.models import MessageSnapshot, ReplyContext
from bot.moderation.queueing import CaseNotice, snapshot_from_dict, snapshot_to_dict

IDLE_MS = 100


def message(n: int, text: str = "hello", guild: int = 10) -> MessageSnapshot:
    return MessageSnapshot(message_id=1000 + n, guild_id=guild, channel_id=20, author_id=30, content=text,
                           reply_to=ReplyContext(5, 6, "bob", "the parent") if n % 2 else None,
                           article_title="An article" if n % 3 == 0 else None)


@pytest.fixture
def config(redis_url: str) -> ClusterConfig:
    return ClusterConfig(redis_url=redis_url, scoring="workers", claim_idle_ms=IDLE_MS, max_deliveries=2)


def test_snapshot_round_trip() -> None:
    for n in range(4):
        assert snapshot_from_dict(snapshot_to_dict(message(n))) == message(n)
    assert snapshot_from_dict({**snapshot_to_dict(message(0)), "from_a_newer_gateway": 1}) == message(0)


def test_workers_mode_needs_redis() -> None:
    with pytest.raises(ValueError, match="needs redis_url"):
        ClusterConfig(scoring="workers")


async def test_enqueue_read_ack(client: Redis, config: ClusterConfig) -> None:
    worker = RedisScoreConsumer(client, config, "w1")
    await worker.start()
    await RedisScoreQueue(client, config).enqueue([message(n) for n in range(5)])
    await RedisScoreQueue(client, config).enqueue([message(9, "new text")], edit=True)
    first = await worker.read(4, 100)
    assert [d.job.message for d in first if d.job] == [message(n) for n in range(4)]
    assert all(d.deliveries == 1 and d.job and not d.job.edit and d.job.enqueued_at > 0 for d in first)
    rest = await worker.read(10, 100)
    assert [d.job.message.message_id for d in rest if d.job] == [1004, 1009]
    assert rest[-1].job is not None and rest[-1].job.edit
    assert await worker.read(10, 50) == []  # BLOCK returns empty
    await worker.ack([d.entry_id for d in first + rest])
    assert (await client.xpending(Streams.of("modbot").score, SCORE_GROUP))["pending"] == 0


async def test_idle_entries_are_taken_over_with_their_delivery_count(client: Redis, config: ClusterConfig) -> None:
    dead, alive = RedisScoreConsumer(client, config, "dead"), RedisScoreConsumer(client, config, "alive")
    await dead.start()
    await RedisScoreQueue(client, config).enqueue([message(n) for n in range(3)])
    held = await dead.read(10, 100)  # and then it dies without acknowledging
    assert len(held) == 3 and await alive.claim(10) == []  # not idle long enough yet
    await asyncio.sleep(IDLE_MS * 1.5 / 1000)
    taken = await alive.claim(10)
    assert [d.entry_id for d in taken] == [d.entry_id for d in held]
    assert [d.deliveries for d in taken] == [2, 2, 2]
    await asyncio.sleep(IDLE_MS * 1.5 / 1000)
    again = await alive.claim(10)  # its own idle entries (a failed batch) are delivered again too
    assert [d.deliveries for d in again] == [3, 3, 3]
    await alive.ack([d.entry_id for d in again])
    consumers = {c["name"].decode(): c["pending"] for c in await client.xinfo_consumers("modbot:score", SCORE_GROUP)}
    assert consumers == {"dead": 0, "alive": 0}
    assert await alive.leave() and [c["name"] for c in await client.xinfo_consumers("modbot:score", SCORE_GROUP)] \
        == [b"dead"]


async def test_dead_letter_moves_and_acknowledges_atomically(client: Redis, config: ClusterConfig) -> None:
    worker = RedisScoreConsumer(client, config, "w1")
    await worker.start()
    await RedisScoreQueue(client, config).enqueue([message(1)])
    [delivery] = await worker.read(1, 100)
    await worker.dead_letter(delivery, "ValueError")
    [(entry_id, fields)] = await client.xrange("modbot:score:dead")
    assert fields[b"error"] == b"ValueError" and fields[b"entry_id"] == delivery.entry_id.encode()
    assert fields[b"deliveries"] == b"1" and b"job" in fields
    assert (await client.xpending("modbot:score", SCORE_GROUP))["pending"] == 0


async def test_malformed_entry_is_reported_not_decoded(client: Redis, config: ClusterConfig) -> None:
    worker = RedisScoreConsumer(client, config, "w1")
    await worker.start()
    await client.xadd("modbot:score", {"job": "{not json"})
    [delivery] = await worker.read(1, 100)
    assert delivery.job is None and "undecodable" in delivery.problem


async def test_notices_reach_the_gateway_of_the_guild(client: Redis, config: ClusterConfig) -> None:
    worker = RedisScoreConsumer(client, config, "w1")
    mine, other = 1 << 22, 2 << 22  # shard 1 and shard 0 of 2
    await worker.publish([CaseNotice(mine, 1), CaseNotice(other, 2), CaseNotice(mine, 3, "edited")])
    seen: list[CaseNotice] = []

    async def handle(notice: CaseNotice) -> None:
        seen.append(notice)

    assert gateway_group(2, [1]) == "gateway:1/2" and gateway_group(0, []) == "gateway:all"
    reader = NoticeReader(client, config, gateway_group(2, [1]), owner_filter(2, [1]), handle, block_ms=50)
    task = asyncio.create_task(reader.run())
    try:
        for _ in range(100):
            if len(seen) == 2:
                break
            await asyncio.sleep(0.02)
        assert seen == [CaseNotice(mine, 1), CaseNotice(mine, 3, "edited")]
        everyone = NoticeReader(client, config, gateway_group(0, []), owner_filter(0, []), handle, block_ms=50)
        await everyone.start()
        assert await everyone.step("0") == ">" and await everyone.step(">") == ">"  # its own group: all three
        assert len(seen) == 5
    finally:
        task.cancel()
    pending = await client.xpending("modbot:cases", "gateway:1/2")
    assert pending["pending"] == 0


async def test_a_failed_notice_is_read_again_from_the_pending_list(client: Redis, config: ClusterConfig,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.cluster.notices.RETRY_SECONDS", 0.01)
    await RedisScoreConsumer(client, config, "w1").publish([CaseNotice(1, 7)])
    calls: list[int] = []

    async def flaky(notice: CaseNotice) -> None:
        calls.append(notice.case_id)
        if len(calls) == 1:
            raise RuntimeError("database is locked")

    reader = NoticeReader(client, config, "gateway:all", owner_filter(0, []), flaky, block_ms=50)
    await reader.start()
    assert await reader.step("0") == ">"
    assert await reader.step(">") == "0"  # failed: back to the pending list
    assert await reader.step("0") == "0" and calls == [7, 7]
    assert await reader.step("0") == ">"
