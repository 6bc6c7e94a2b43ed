"""Card worker: waits for reconciliation, posts one card per case, groups a backlog into digests, retries."""

from __future__ import annotations

import asyncio

import pytest
from moderation.doubles import FakePublisher

from bot.moderation.cases import CaseRepository
from bot.moderation.posting import CardPostQueue
from bot.moderation.scoring import Assessment
from bot.moderation.state import Action, CaseState

FLAG = Assessment(True, ("x",))


async def _open(repo: CaseRepository, snap, n: int) -> list[int]:
    return [(await repo.open(snap(), FLAG))[0].id for _ in range(n)]


async def _drain(queue: CardPostQueue) -> None:
    async with asyncio.timeout(5):
        await queue.wait_idle()


@pytest.fixture
async def queue_parts(db):
    repo = CaseRepository(db)
    publisher = FakePublisher()
    queues: list[CardPostQueue] = []

    def make(**kwargs) -> CardPostQueue:
        queue = CardPostQueue(7, repo, publisher, **{"digest_threshold": 0, "per_minute": 0,
                                                     "retry_seconds": 0.01, **kwargs})
        queues.append(queue)
        return queue

    yield repo, publisher, make
    for queue in queues:
        await queue.stop()


async def test_posts_one_card_per_case_after_the_gate_opens(queue_parts, snap) -> None:
    repo, publisher, make = queue_parts
    queue = make()
    ids = await _open(repo, snap, 3)
    queue.start()
    for case_id in [*ids, ids[0]]:
        queue.enqueue(case_id)
    await asyncio.sleep(0.02)
    assert publisher.cards == []  # gated until reconciliation
    queue.open_gate()
    await _drain(queue)
    assert [case_id for _, case_id in publisher.cards] == ids
    assert [c.card_message_id for c in [await repo.get(i) for i in ids]] == [m for m, _ in publisher.cards]
    queue.enqueue(ids[0])  # already announced: skipped
    await _drain(queue)
    assert len(publisher.cards) == 3


async def test_backlog_over_threshold_becomes_a_digest(queue_parts, snap) -> None:
    repo, publisher, make = queue_parts
    queue = make(digest_threshold=3)
    ids = await _open(repo, snap, 5)
    await repo.try_lock(ids[1], 1, Action.APPROVE)
    await repo.finish(ids[1], 1, Action.APPROVE, CaseState.APPROVED)  # decided before its card: skipped
    for case_id in ids:
        queue.enqueue(case_id)
    queue.start()
    queue.open_gate()
    await _drain(queue)
    assert publisher.cards == []
    assert publisher.digests == [(publisher.digests[0][0], [ids[0], *ids[2:]])]
    for case_id in [ids[0], *ids[2:]]:
        assert (await repo.get(case_id)).digest_message_id == publisher.digests[0][0]
    assert queue.digests_posted == 1


async def test_failed_posts_are_retried_and_the_worker_survives(queue_parts, snap) -> None:
    repo, publisher, make = queue_parts
    queue = make()
    publisher.fail = 3
    ids = await _open(repo, snap, 2)
    queue.start()
    queue.open_gate()
    for case_id in ids:
        queue.enqueue(case_id)
    await _drain(queue)
    assert sorted(case_id for _, case_id in publisher.cards) == ids
    assert queue.failures == 3


async def test_pacing_lets_a_backlog_build_up(queue_parts, snap) -> None:
    repo, publisher, make = queue_parts
    queue = make(digest_threshold=2, per_minute=600)  # one post per 0.1 s
    queue.start()
    queue.open_gate()
    ids = await _open(repo, snap, 6)
    for case_id in ids:
        queue.enqueue(case_id)
        await asyncio.sleep(0.005)
    await _drain(queue)
    announced = [case_id for _, case_id in publisher.cards] + [i for _, group in publisher.digests for i in group]
    assert sorted(announced) == ids and publisher.digests
