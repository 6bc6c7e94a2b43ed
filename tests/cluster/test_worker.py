"""The scoring worker's loop on a real Redis and a real database, with the deterministic MarkerScorer: one case
per flagged message across two workers, redelivery after a commit without an ack (no second case, audit or
notice lost), failing messages dead-lettered after ``max_deliveries`` and audited."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from moderation.doubles import MarkerScorer
from redis.asyncio import Redis

from bot.analysis.config import PolicyConfig
from bot.cluster import ClusterConfig
from bot.cluster.score_stream import SCORE_GROUP, RedisScoreConsumer, RedisScoreQueue
from bot.cluster.worker import ScoringWorker, percentiles
from bot.moderation.audit import AuditRepository
from bot.moderation.cases import CaseRepository
from bot.moderation.config import ModerationConfig
from bot.moderation.models import MessageSnapshot
from bot.moderation.per_guild import PerGuild
from bot.moderation.remote import RemoteScoring
from bot.moderation.scoring import Assessment
from bot.storage import Database

IDLE_MS = 60


class PoisonScorer(MarkerScorer):
    """Raises on a text with "POISON", even alone (a message that can never be scored)."""

    async def analyze(self, texts: list[str], *, policy: PolicyConfig | None = None,
                      contexts: object = None) -> list[Assessment]:
        if any("POISON" in text for text in texts):
            raise ValueError("the model cannot read this")
        return await super().analyze(texts)


def message(n: int, text: str) -> MessageSnapshot:
    return MessageSnapshot(message_id=5000 + n, guild_id=10, channel_id=20, author_id=30 + n % 4, content=text)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "workers.sqlite3")
    yield database
    await database.close()


@pytest.fixture
def config(redis_url: str) -> ClusterConfig:
    return ClusterConfig(redis_url=redis_url, scoring="workers", claim_idle_ms=IDLE_MS, max_deliveries=2,
                         worker_batch=8, worker_block_ms=20)


def make_worker(db: Database, client: Redis, config: ClusterConfig, name: str,
                scorer: MarkerScorer | None = None) -> ScoringWorker:
    cases, audit = CaseRepository(db), AuditRepository(db)
    scoring = RemoteScoring(cases, audit, PerGuild(ModerationConfig(), None, cases, None), scorer or MarkerScorer())
    return ScoringWorker(RedisScoreConsumer(client, config, name), scoring, audit, config)


async def drain(*workers: ScoringWorker) -> None:
    for worker in workers:
        await worker.consumer.start()
    while sum([await worker.step() for worker in workers]):
        pass


async def case_opens(db: Database) -> int:
    return await AuditRepository(db).count("case.open")


async def test_two_workers_one_case_per_flagged_message(db: Database, client: Redis, config: ClusterConfig) -> None:
    texts = [f"reply {n}: " + ("BADWORD here" if n % 3 == 0 else "calm words") for n in range(60)]
    await RedisScoreQueue(client, config).enqueue([message(n, t) for n, t in enumerate(texts)])
    first, second = make_worker(db, client, config, "a"), make_worker(db, client, config, "b")
    await drain(first, second)
    cases = CaseRepository(db)
    flagged = {5000 + n for n in range(0, 60, 3)}
    stored = {m: await cases.get_by_message(m) for m in range(5000, 5060)}
    assert {m for m, case in stored.items() if case is not None} == flagged
    assert await case_opens(db) == 20 and first.scored + second.scored == 60 and first.scored and second.scored
    notices = await client.xrange("modbot:cases")
    assert sorted(int(f[b"case_id"]) for _, f in notices) == sorted(c.id for c in stored.values() if c)
    assert {f[b"kind"] for _, f in notices} == {b"opened"}
    assert (await client.xpending("modbot:score", SCORE_GROUP))["pending"] == 0


async def test_redelivery_after_commit_before_ack_adds_nothing(db: Database, client: Redis,
                                                               config: ClusterConfig) -> None:
    await RedisScoreQueue(client, config).enqueue([message(1, "BADWORD one"), message(2, "BADWORD two")])
    crashed = make_worker(db, client, config, "crashed")
    await crashed.consumer.start()
    deliveries = await crashed.consumer.read(10, 50)
    result = await crashed.scoring.process([d.job for d in deliveries if d.job])  # committed; then SIGKILL
    assert result.opened == 2 and await case_opens(db) == 2
    # message 2's case is stored but its worker died before auditing it:
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM audit_log WHERE case_id = (SELECT id FROM mod_cases WHERE message_id = ?)",
                           (5002,))
    survivor = make_worker(db, client, config, "survivor")
    await drain(survivor)
    assert survivor.claimed == 0  # not idle long enough yet
    await asyncio.sleep(IDLE_MS * 2 / 1000)
    await drain(survivor)
    assert survivor.claimed == 2 and survivor.opened == 0
    assert await case_opens(db) == 2  # one per case: the missing one recorded once, none doubled
    for message_id in (5001, 5002):
        case = await CaseRepository(db).get_by_message(message_id)
        assert case is not None
        assert [e.action for e in await AuditRepository(db).for_case(case.id)].count("case.open") == 1
    assert len(await client.xrange("modbot:cases")) == 2  # the crashed worker's notices were never sent
    assert (await client.xpending("modbot:score", SCORE_GROUP))["pending"] == 0


async def test_a_message_that_never_scores_goes_to_the_dead_letters(db: Database, client: Redis,
                                                                    config: ClusterConfig) -> None:
    await RedisScoreQueue(client, config).enqueue([message(1, "POISON pill"), message(2, "BADWORD fine")])
    worker = make_worker(db, client, config, "w", PoisonScorer())
    await drain(worker)
    assert worker.scored == 1 and worker.dead == 0  # the other message of the batch is not held back
    for _ in range(config.max_deliveries):
        await asyncio.sleep(IDLE_MS * 1.5 / 1000)
        await drain(worker)
    assert worker.dead == 1 and worker.claimed == 2
    [(_, fields)] = await client.xrange("modbot:score:dead")
    assert fields[b"error"] == b"ValueError" and fields[b"deliveries"] == b"3"
    assert await AuditRepository(db).count("message.unscored") == 1
    assert (await client.xpending("modbot:score", SCORE_GROUP))["pending"] == 0


def test_percentiles() -> None:
    assert percentiles([], (50, 99)) == [0.0, 0.0]
    assert percentiles([0.001 * n for n in range(1, 101)], (50, 99)) == pytest.approx([50.5, 99.01])
