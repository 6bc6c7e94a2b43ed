"""The gateway's side of ``[cluster] scoring = "workers"``: intake queues watched messages instead of scoring them
(the cursor passes a message only once it is queued; a failed enqueue is retried), and the review announces the
cases the workers opened exactly once (automatic action, card), however often the notice comes."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from moderation.doubles import MARKER

from bot.moderation.models import MessageSnapshot
from bot.moderation.queueing import CaseNotice
from bot.moderation.scoring import Assessment
from bot.moderation.unscored import UnscoredMessages


class ListQueue:
    """TEST DOUBLE of the ScoreQueue port (the Redis one is tested in tests/cluster): records, or fails N times."""

    def __init__(self) -> None:
        self.queued: list[tuple[int, bool]] = []
        self.fail = 0

    async def enqueue(self, messages: Sequence[MessageSnapshot], *, edit: bool = False) -> None:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("Redis is down")
        self.queued.extend((m.message_id, edit) for m in messages)


@pytest.fixture
def workers_service(make_service: Any) -> Any:
    """A started service in workers mode: watched messages go to a :class:`ListQueue` instead of the scorer."""
    return lambda **values: make_service(queue=ListQueue(), **values)


async def test_watched_messages_are_queued_not_scored(workers_service, snap) -> None:
    service = await workers_service()
    messages = [snap(f"{MARKER} {i}" if i % 2 else "calm") for i in range(4)]
    bot_message = snap(f"{MARKER} from a bot", author_is_bot=True)
    assert await service.intake.handle_messages([*messages, bot_message]) == []
    assert service.intake.queue.queued == [(m.message_id, False) for m in messages]
    assert service.scorer.calls == [] and await service.cases.get_by_message(messages[1].message_id) is None
    await service.intake.flush_cursors()
    assert await service.intake.cursors.get(20) == messages[-1].message_id  # queued = durable: the cursor moves


async def test_a_message_that_cannot_be_queued_holds_the_cursor_until_queued(workers_service, snap) -> None:
    service = await workers_service()
    service.intake.unscored = UnscoredMessages((0.0,))
    first, second = snap("one"), snap("two")
    await service.intake.handle_message(first)
    service.intake.queue.fail = 1
    await service.intake.handle_message(second)
    await service.intake.handle_message(third := snap("three"))
    await service.intake.flush_cursors()
    assert await service.intake.cursors.get(20) == first.message_id  # never past a message neither scored nor queued
    await service.intake.retry_unscored()
    await service.intake.flush_cursors()
    assert await service.intake.cursors.get(20) == third.message_id
    assert [m for m, _ in service.intake.queue.queued] == [first.message_id, third.message_id, second.message_id]


async def test_edits_are_queued_as_edits(workers_service, snap) -> None:
    service = await workers_service()
    message = snap("calm")
    await service.intake.handle_message(message)
    await service.intake.handle_edit(MessageSnapshot(**{**message.__dict__, "content": f"now {MARKER}"}))
    assert service.intake.queue.queued == [(message.message_id, False), (message.message_id, True)]


async def test_a_notice_is_announced_once(workers_service, snap) -> None:
    service = await workers_service(auto_actions={"high": "remove"})
    severe = snap(f"{MARKER} SEVERE")
    case, created = await service.cases.open(severe, Assessment(True, ("inflammatory",), "high"))  # by a worker
    assert created
    notice = CaseNotice(case.guild_id, case.id)
    for _ in range(3):  # at least once: a redelivered batch, a restarted gateway re-reading its pending notices
        await service.review.announce_notice(notice)
    async with asyncio.timeout(5):
        await service.review.card_queue.wait_idle()
    await service.review.announce_notice(notice)
    assert [case_id for _, case_id in service.publisher.cards] == [case.id]
    assert [call[0] for call in service.executor.calls] == ["delete"]
    assert (await service.cases.get(case.id)).auto_action == "removed"
    assert await service.review.announce_notice(CaseNotice(case.guild_id + 1, case.id)) is None  # not its guild
    await service.review.announce_notice(CaseNotice(case.guild_id, case.id, "edited"))
    assert service.publisher.refreshed == [case.id]
