"""/summary reuses an article's discussion thread in the same channel instead of splitting the discussion."""

from __future__ import annotations

from typing import Any

from fake_discord import BotHarness, FakeDiscord
from fake_discord.state import ChannelType, FakeMessage
from support.summaries import FIRST_SEED, THREAD_ROUTE, fields_of, posted

from bot.articles.threads_repo import DiscussionThreadRepository
from cogs.summaries import DISCUSSION_FIELD


async def summarize(h: BotHarness, **kwargs: Any) -> FakeMessage:
    return await posted(h, await h.slash("summary", {"article": FIRST_SEED}, **kwargs))


async def first_thread(h: BotHarness) -> tuple[FakeMessage, int]:
    message = await summarize(h)
    thread_id = await h.wait_for(lambda: message.thread_id, message="the discussion thread")
    repo = DiscussionThreadRepository(h.bot.db)
    await h.wait_for(lambda: repo.get(thread_id), message="the thread record")
    return message, thread_id


def threads_opened(fake: FakeDiscord) -> int:
    return len(fake.requests_to(THREAD_ROUTE))


async def test_second_summary_links_the_existing_thread(make_bot: Any, fake_discord: FakeDiscord) -> None:
    h = await make_bot()
    first, thread_id = await first_thread(h)
    assert DISCUSSION_FIELD not in fields_of(first)

    second = await summarize(h)
    assert fields_of(second)[DISCUSSION_FIELD] == f"Continues in <#{thread_id}>"
    await h.quiet()
    assert threads_opened(fake_discord) == 1 and second.thread_id is None
    assert [t.thread_id for t in await DiscussionThreadRepository(h.bot.db).for_article(FIRST_SEED)] == [thread_id]


async def test_reuse_survives_a_restart_and_reopens_an_archived_thread(make_bot: Any,
                                                                       fake_discord: FakeDiscord) -> None:
    h = await make_bot()
    _, thread_id = await first_thread(h)
    await h.restart()
    fake_discord.state.channels[thread_id].archived = True  # auto-archived while the bot was away

    second = await summarize(h)
    assert fields_of(second)[DISCUSSION_FIELD] == f"Continues in <#{thread_id}>"
    await h.wait_for(lambda: not fake_discord.state.channels[thread_id].archived, message="the thread reopened")
    assert threads_opened(fake_discord) == 1


async def test_deleted_or_locked_thread_gets_a_new_one(make_bot: Any, fake_discord: FakeDiscord) -> None:
    h = await make_bot()
    _, deleted = await first_thread(h)
    del fake_discord.state.channels[deleted]  # deleted by a moderator; the bot's cache may still hold it

    _, replacement = await first_thread(h)
    assert replacement != deleted and threads_opened(fake_discord) == 2

    fake_discord.state.channels[replacement].locked = True
    fake_discord.state.channels[replacement].archived = True
    third, newest = await first_thread(h)
    assert newest not in (deleted, replacement) and DISCUSSION_FIELD not in fields_of(third)
    threads = await DiscussionThreadRepository(h.bot.db).for_article(FIRST_SEED)
    assert [t.thread_id for t in threads] == [deleted, replacement, newest]


async def test_each_channel_has_its_own_thread(make_bot: Any, fake_discord: FakeDiscord) -> None:
    news = fake_discord.state.add_channel(fake_discord.guild(), "news", ChannelType.TEXT)
    h = await make_bot()
    _, general_thread = await first_thread(h)

    other = await summarize(h, channel=news)
    news_thread = await h.wait_for(lambda: other.thread_id, message="a thread in #news")
    assert news_thread != general_thread and DISCUSSION_FIELD not in fields_of(other)
    assert fake_discord.state.channels[news_thread].parent_id == news.id
