"""Cases repository: one case per message under concurrency, first-wins locks, snapshots, queue queries."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.moderation.cases import STALE_LOCK, CaseRepository
from bot.moderation.scoring import Assessment
from bot.moderation.state import Action, CaseState
from bot.timestamps import utcnow

FLAG = Assessment(True, ("inflammatory",), "medium", ("r",), "bad", {"toxicity": 0.9})


async def test_open_is_idempotent_even_when_concurrent(db, snap) -> None:
    repo = CaseRepository(db)
    message = snap("bad words")
    results = await asyncio.gather(*(repo.open(message, FLAG) for _ in range(10)))
    assert sum(created for _, created in results) == 1
    assert len({case.id for case, _ in results}) == 1
    assert (await db.fetchone("SELECT COUNT(*) FROM mod_cases"))[0] == 1
    case = results[0][0]
    assert case.state is CaseState.PENDING and case.labels == ("inflammatory",) and case.scores == {"toxicity": 0.9}
    assert case.content == "bad words" and case.evidence == "bad" and not case.announced


async def test_lock_first_wins_then_finish(db, snap) -> None:
    repo = CaseRepository(db)
    case, _ = await repo.open(snap(), FLAG)
    tries = [(1, Action.REMOVE, CaseState.REMOVED), (2, Action.APPROVE, CaseState.APPROVED)]
    locks = await asyncio.gather(*(repo.try_lock(case.id, actor, action) for actor, action, _ in tries))
    assert sorted(lock.acquired for lock in locks) == [False, True]  # SQLite: the first; PostgreSQL: either one
    (winner, action, state), (loser, other, other_state) = tries if locks[0].acquired else tries[::-1]
    assert await repo.finish(case.id, loser, other, other_state) is None  # not the lock holder
    done = await repo.finish(case.id, winner, action, state, reason="spam")
    assert done is not None and done.state is state and done.decided_by == winner
    assert done.decision_reason == "spam" and done.lock_actor_id is None and done.decided_at is not None
    assert not (await repo.try_lock(case.id, loser, other)).acquired  # closed


async def test_stale_or_crashed_locks_are_freed(db, snap) -> None:
    repo = CaseRepository(db)
    case, _ = await repo.open(snap(), FLAG)
    old = utcnow() - STALE_LOCK - timedelta(seconds=1)
    assert (await repo.try_lock(case.id, 1, Action.REMOVE, now=old)).acquired
    assert (await repo.try_lock(case.id, 2, Action.REMOVE)).acquired  # stale lock taken over
    assert await repo.release_all_locks() == 1
    assert (await repo.get(case.id)).lock_actor_id is None


async def test_escalate_only_from_pending_and_claim_once(db, snap) -> None:
    repo = CaseRepository(db)
    case, _ = await repo.open(snap(), FLAG)
    assert (await repo.try_lock(case.id, 1, Action.ESCALATE)).acquired
    await repo.finish(case.id, 1, Action.ESCALATE, CaseState.ESCALATED)
    assert not (await repo.try_lock(case.id, 1, Action.ESCALATE)).acquired
    claims = await asyncio.gather(repo.claim(case.id, 5), repo.claim(case.id, 6))
    winners = [actor for actor, c in zip((5, 6), claims, strict=True) if c.acquired]  # PostgreSQL: either one
    assert len(winners) == 1 and claims[0].case.claimed_by == claims[1].case.claimed_by == winners[0]
    assert (await repo.try_lock(case.id, 6, Action.APPROVE)).acquired  # escalated is still open


async def test_edit_updates_snapshot_and_reopens_an_approved_case(db, snap) -> None:
    repo = CaseRepository(db)
    message = snap("bad")
    case, _ = await repo.open(message, FLAG)
    same = await repo.update_snapshot(message.message_id, "bad", FLAG)
    assert same.edit_count == 0  # nothing changed
    calm = await repo.update_snapshot(message.message_id, "fine", Assessment(False))
    assert calm.content == "fine" and not calm.flagged and calm.edit_count == 1 and calm.state is CaseState.PENDING
    await repo.try_lock(case.id, 1, Action.APPROVE)
    await repo.finish(case.id, 1, Action.APPROVE, CaseState.APPROVED)
    worse = await repo.update_snapshot(message.message_id, "worse", FLAG)
    assert worse.state is CaseState.PENDING and "Re-opened" in worse.note
    deleted = await repo.mark_deleted(message.message_id)
    assert deleted.message_deleted and await repo.mark_deleted(message.message_id) is None


async def test_queue_queries_filter_and_page(db, snap) -> None:
    repo = CaseRepository(db)
    ids = []
    for i in range(5):
        labels = ("partisan",) if i % 2 else ("inflammatory", "toxic")
        case, _ = await repo.open(snap(f"m{i}", channel_id=20 + i % 2), Assessment(True, labels))
        ids.append(case.id)
    await repo.try_lock(ids[0], 1, Action.APPROVE)
    await repo.finish(ids[0], 1, Action.APPROVE, CaseState.APPROVED)
    assert await repo.count_open(10) == 4
    assert [c.id for c in await repo.list_open(10, limit=2)] == ids[1:3]
    assert [c.id for c in await repo.list_open(10, offset=2, limit=2)] == ids[3:5]
    assert [c.id for c in await repo.list_open(10, label="TOXIC")] == [ids[2], ids[4]]
    assert [c.id for c in await repo.list_open(10, channel_id=21)] == [ids[1], ids[3]]
    assert await repo.open_labels(10) == ["inflammatory", "partisan", "toxic"]
    assert await repo.count_open(99) == 0
    assert await repo.count_for_author(10, 30) == {"approved": 1, "pending": 4}
    assert [c.id for c in await repo.for_author(10, 30, limit=2)] == [ids[4], ids[3]]


async def test_announcement_bookkeeping(db, snap) -> None:
    repo = CaseRepository(db)
    a, _ = await repo.open(snap(), FLAG)
    b, _ = await repo.open(snap(), FLAG)
    c, _ = await repo.open(snap(), FLAG)
    assert [x.id for x in await repo.unannounced()] == [a.id, b.id, c.id]
    await repo.set_card(a.id, 7, 70)
    await repo.set_card(a.id, 7, 71)  # the first recorded card wins
    await repo.set_digest([b.id, c.id], 7, 80)
    assert await repo.unannounced() == []
    assert (await repo.get(a.id)).card_message_id == 70
    assert (await repo.get(c.id)).digest_message_id == 80
