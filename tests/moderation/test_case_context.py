"""Reply context on cases: the message a reply answers and the article of a /summary thread are stored with the case,
shown on its card in quote lines, and purged with the message text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.moderation import retention
from bot.moderation.cards import render_card
from bot.moderation.cases import CaseRepository
from bot.moderation.models import ReplyContext
from bot.moderation.scoring import Assessment
from bot.moderation.state import Action, CaseState

FLAG = Assessment(True, ("inflammatory",), "medium", ("attacks a group",), "lock them all up", {"inflammatory": 0.9})
PARENT = ReplyContext(555, 42, "bob*", "The  *senators*\nvoted against the bill again")


async def test_reply_and_article_are_stored_and_quoted_on_the_card(db, snap) -> None:
    repo = CaseRepository(db)
    case, created = await repo.open(snap("exactly, lock them all up", reply_to=PARENT,
                                         article_title="Senate rejects the bill"), FLAG)
    assert created and case.reply_to == PARENT and case.article_title == "Senate rejects the bill"
    lines = render_card(case).description.split("\n")
    assert lines[0] == "> \U0001f4f0 Article: Senate rejects the bill"
    assert lines[1] == "> \u21aa Replying to <@42> (bob\\*): The \\*senators\\* voted against the bill again"
    assert lines[2] == "" and "**lock them all up**" in lines[3]  # the member's own words follow, evidence in bold


async def test_a_message_without_context_has_no_quote_lines(db, snap) -> None:
    case, _ = await CaseRepository(db).open(snap("lock them all up"), FLAG)
    assert case.reply_to is None and case.article_title is None
    assert not render_card(case).description.startswith(">")


async def test_long_or_hostile_parent_text_is_clipped_to_one_safe_line(db, snap) -> None:
    parent = replace(PARENT, content="line\x07one\n> fake quote\n" + "x" * 500)
    case, _ = await CaseRepository(db).open(snap("you fools", reply_to=parent), FLAG)
    quote = render_card(case).description.split("\n\n")[0]
    assert "\n" not in quote and len(quote) < 300 and quote.endswith("\u2026") and "\x07" not in quote


async def test_retention_purges_the_parent_text_too(db, snap) -> None:
    repo = CaseRepository(db)
    now = datetime(2024, 6, 1, tzinfo=UTC)
    case, _ = await repo.open(snap("lock them all up", reply_to=PARENT), FLAG)
    await repo.try_lock(case.id, 77, Action.REMOVE)
    await repo.finish(case.id, 77, Action.REMOVE, CaseState.REMOVED, now=now - timedelta(days=40))
    assert retention.is_purgeable(await repo.get(case.id), now, 30)
    assert await retention.purge_closed_content(db, 30, now=now) == 1
    purged = await repo.get(case.id)
    assert purged.reply_to is not None and purged.reply_to.content == "" and purged.content is None
    quote = render_card(purged).description.split("\n")[0]
    assert quote == "> \u21aa Replying to <@42> (bob\\*)"  # who it answered stays, what they said goes
    assert not retention.is_purgeable(purged, now, 30)


async def test_a_summary_thread_is_read_once_for_its_watch_rule_and_its_title(db) -> None:
    from bot.articles.threads_repo import DiscussionThreadRepository
    from bot.moderation.watch import SummaryThreads

    threads = SummaryThreads(db)
    assert not await threads.is_summary_thread(555)  # not recorded yet: a miss is not remembered
    await DiscussionThreadRepository(db).record(thread_id=555, guild_id=10, channel_id=77, message_id=555,
                                                article_id="a1", article_title="Senate rejects the bill")
    reads: list[int] = []
    real_get = threads._repo.get

    async def counted(thread_id: int) -> object:
        reads.append(thread_id)
        return await real_get(thread_id)

    threads._repo.get = counted  # type: ignore[method-assign]
    assert await threads.is_summary_thread(555)
    assert await threads.article_title(555) == "Senate rejects the bill"
    assert await threads.article_title(556) is None
    assert reads == [555, 556]
