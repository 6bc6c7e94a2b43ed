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
    assert publisher.digests == [(publisher.digests[0][0], [ids[0], *ids[2:]])]
    for case_id in [ids[0], *ids[2:]]:
        assert (await repo.get(case_id)).digest_message_id == publisher.digests[0][0]
    assert queue.digests_posted == 1
    # once the backlog is gone every digested case that is still open gets its own card (decided ones do not)
    assert [case_id for _, case_id in publisher.cards] == [ids[0], *ids[2:]]
    assert queue.followups_posted == 4


async def test_high_severity_cases_always_get_their_own_card_first(queue_parts, snap) -> None:
    repo, publisher, make = queue_parts
    queue = make(digest_threshold=3)
    low = [(await repo.open(snap(), FLAG))[0].id for _ in range(4)]
    high = [(await repo.open(snap(), Assessment(True, ("x",), "high")))[0].id for _ in range(2)]
    for case_id in [low[0], high[0], *low[1:], high[1]]:
        queue.enqueue(case_id)
    queue.start()
    queue.open_gate()
    await _drain(queue)
    assert [group for _, group in publisher.digests] == [low]  # the urgent ones are never folded in
    assert [case_id for _, case_id in publisher.cards] == [*high, *low]  # urgent first, then the follow-ups


async def test_decided_cases_get_no_follow_up_and_follow_ups_survive_a_restart(queue_parts, snap) -> None:
    repo, publisher, make = queue_parts
    ids = await _open(repo, snap, 3)
    await repo.set_digest(ids, 7, 999)  # a digest posted by the previous run
    await repo.set_digest(await _open(repo, snap, 1), 8, 998)  # another channel's: not this worker's business
    await repo.try_lock(ids[0], 1, Action.APPROVE)
    await repo.finish(ids[0], 1, Action.APPROVE, CaseState.APPROVED)
    assert await repo.awaiting_card(7) == ids[1:]
    queue = make(digest_threshold=3)
    queue.start()
    queue.open_gate()
    await asyncio.sleep(0.05)
    await _drain(queue)
    assert [case_id for _, case_id in publisher.cards] == ids[1:]
    assert await repo.awaiting_card(7) == []


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
    digested = [i for _, group in publisher.digests for i in group]
    carded = [case_id for _, case_id in publisher.cards]
    assert publisher.digests and sorted(set(carded) | set(digested)) == ids
    assert sorted(carded) == ids  # every case ends up with exactly one card of its own (follow-ups after digests)
