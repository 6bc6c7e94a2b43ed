"""The moderation service without Discord: watch rules, scoring, cases, reports, edits, auto actions, catch-up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from moderation.doubles import MARKER, FakePublisher, MarkerScorer

from bot.articles.threads_repo import DiscussionThreadRepository
from bot.moderation.models import MessageSnapshot
from bot.moderation.scoring import Assessment
from bot.moderation.service import ModerationService


async def drained(service: ModerationService) -> FakePublisher:
    async with asyncio.timeout(5):
        await service.review.card_queue.wait_idle()
    return service.publisher


async def test_flagged_message_becomes_one_case_and_one_card(make_service, snap) -> None:
    service = await make_service()
    calm, bad = snap("hello there"), snap(f"you {MARKER}")
    assert await service.intake.handle_message(calm) is None
    case = await service.intake.handle_message(bad)
    assert case is not None and case.message_id == bad.message_id
    assert (await service.intake.handle_message(bad)).id == case.id  # replayed (catch-up): same case, no new card
    publisher = await drained(service)
    assert publisher.cards == [(publisher.cards[0][0], case.id)]
    assert [e.action for e in await service.audit.for_case(case.id)] == ["case.open"]


@pytest.mark.parametrize("kwargs", [
    {"author_is_bot": True}, {"is_webhook": True}, {"channel_id": 7}, {"channel_id": 8}, {"content": "   "},
])
async def test_not_watched(make_service, snap, kwargs) -> None:
    service = await make_service()
    message = snap(**{"content": MARKER, **kwargs})
    assert not await service.intake.is_watched(message)
    assert await service.intake.handle_message(message) is None
    assert service.scorer.calls == []


async def test_explicit_watch_lists_and_summary_threads(make_service, snap) -> None:
    service = await make_service(watched_channel_ids=[20], watched_category_ids=[5])
    assert await service.intake.is_watched(snap("x", channel_id=20))
    assert await service.intake.is_watched(snap("x", channel_id=99, parent_id=20, is_thread=True))
    assert await service.intake.is_watched(snap("x", channel_id=98, category_id=5))
    thread = snap("x", channel_id=555, parent_id=77, is_thread=True)
    assert not await service.intake.is_watched(thread)
    await DiscussionThreadRepository(service.db).record(thread_id=555, guild_id=10, channel_id=77, message_id=555,
                                                        article_id="a1")
    assert await service.intake.is_watched(thread)
    disabled = await make_service(enabled=False)
    assert not await disabled.intake.is_watched(snap("x"))


async def test_batch_scoring_uses_one_call(make_service, snap) -> None:
    scorer = MarkerScorer()
    service = await make_service(scorer)
    cases = await service.intake.handle_messages([snap("a"), snap(MARKER), snap("b"), snap(f"{MARKER}!")])
    assert len(cases) == 2 and len(scorer.calls) == 1 and len(scorer.calls[0]) == 4


async def test_scorer_returning_wrong_count_is_an_error(make_service, snap) -> None:
    class Broken:
        async def analyze(self, texts: list[str], *, policy: object = None,
                          contexts: object = None) -> list[Assessment]:
            return []

    service = await make_service(Broken())
    message = snap("x")
    with pytest.raises(ValueError, match="0 verdicts for 1 texts"):
        await service.intake.assess_messages([message])
    assert await service.intake.handle_message(message) is None  # kept for a retry, never raised into the listener
    assert message.message_id in service.intake.unscored


async def test_edit_and_delete(make_service, snap) -> None:
    service = await make_service()
    calm = snap("calm")
    await service.intake.handle_message(calm)
    edited = MessageSnapshot(**{**calm.__dict__, "content": f"now {MARKER}"})
    case = await service.intake.handle_edit(edited)
    assert case is not None and case.content == f"now {MARKER}"
    back = await service.intake.handle_edit(MessageSnapshot(**{**calm.__dict__, "content": "calm again"}))
    assert back.id == case.id and not back.flagged and back.edit_count == 1
    assert await service.intake.handle_edit(snap("never flagged")) is None
    deleted = await service.intake.handle_delete(calm.message_id)
    assert deleted.message_deleted and await service.intake.handle_delete(123) is None
    actions = [e.action for e in await service.audit.for_case(case.id)]
    assert actions == ["case.open", "case.edited", "case.message_deleted"]


async def test_reports_open_or_join_a_case(make_service, snap) -> None:
    service = await make_service()
    message = snap("calm words")
    first = await service.review.report(message, 901, "rude")
    assert first.case_created and not first.duplicate and first.case.labels == ("reported",)
    assert first.case.report_count == 1 and first.case.source == "report"
    second = await service.review.report(message, 902, None)
    assert not second.case_created and second.case.report_count == 2
    assert (await service.review.report(message, 901, "again")).duplicate
    flagged = snap(f"{MARKER} here")
    opened = await service.intake.handle_message(flagged)
    joined = await service.review.report(flagged, 901, "")
    assert joined.case.id == opened.id and not joined.case_created
    publisher = await drained(service)
    assert sorted(case_id for _, case_id in publisher.cards) == [first.case.id, opened.id]
    trail = [e.action for e in await service.audit.for_case(first.case.id)]
    assert trail == ["case.open", "case.report", "case.report"]


async def test_auto_remove_by_severity(make_service, snap) -> None:
    service = await make_service(auto_actions={"high": "remove"})
    severe = await service.intake.handle_message(snap(f"{MARKER} SEVERE"))
    mild = await service.intake.handle_message(snap(f"{MARKER} mild"))
    assert severe.auto_action == "removed" and severe.is_open and "waiting for review" in severe.note
    assert mild.auto_action is None
    assert service.executor.calls == [("delete", severe.id, f"modbot: automatic removal (case #{severe.id})")]
    service.executor.missing["remove"] = ["Manage Messages"]
    refused = await service.intake.handle_message(snap(f"{MARKER} SEVERE again"))
    assert refused.auto_action is None and "Manage Messages" in refused.note and refused.is_open


async def test_catch_up_reads_after_the_cursor_and_moves_it(make_service, snap) -> None:
    service = await make_service()
    first = snap("seen before")
    await service.intake.handle_message(first)
    await service.intake.flush_cursors()
    assert await service.intake.cursors.get(20) == first.message_id
    missed = [snap(f"missed {MARKER} {i}" if i % 2 else f"missed calm {i}") for i in range(70)]
    asked: list[int] = []

    async def history(after_id: int) -> AsyncIterator[MessageSnapshot]:
        asked.append(after_id)
        for message in missed:
            yield message

    assert await service.intake.catch_up(20, 10, history) == 70
    assert asked == [first.message_id]
    assert await service.cases.count_open(10) == 35
    await service.intake.flush_cursors()
    assert await service.intake.cursors.get(20) == missed[-1].message_id
    assert await service.intake.catch_up(999, 10, history) == 0  # never seen: nothing to catch up
