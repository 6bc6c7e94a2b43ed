"""/summary url: against a loopback web server: a fetched article is posted; bad links get ephemeral errors."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from fake_discord import BotHarness, FakeDiscord, InteractionRecord
from fake_discord.state import FakeMessage
from support.news_site import news_site

from bot.articles.errors import ForbiddenAddress, InvalidURL, NotAnArticle, TooLarge, Unreachable
from bot.articles.threads_repo import DiscussionThreadRepository

LOOPBACK = {"summaries": {"allow_private_addresses": True, "fetch_timeout": 2.0, "fetch_max_bytes": 200_000,
                          "min_article_words": 60}}


@pytest.fixture
async def site() -> AsyncIterator[str]:
    """Base URL of the news site on 127.0.0.1."""
    runner = web.AppRunner(news_site(), shutdown_timeout=0.1)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def answer(h: BotHarness, record: InteractionRecord) -> FakeMessage:
    """The ephemeral error the bot sent after deferring (its public "thinking..." message is gone)."""
    return await h.wait_for(lambda: record.followups[0] if record.followups else None, timeout=8.0,
                            message="the error followup")


async def test_summary_of_a_link_is_fetched_posted_and_threaded(make_bot: Any, fake_discord: FakeDiscord,
                                                               site: str) -> None:
    h = await make_bot(LOOPBACK)
    url = f"{site}/news/council-budget"
    record = await h.slash("summary", {"url": url, "length": "medium"})
    assert record.deferred  # fetching takes time: acknowledged first
    message = await h.wait_for(lambda: record.message if record.message and record.message.embeds else None,
                               message="the summary")
    assert not message.ephemeral
    embed = message.embeds[0]
    assert embed["title"] == "City Council Approves School Budget" and embed["url"] == url
    assert 1 <= len(embed["description"].split("\n")) <= 3
    assert all(line.startswith("• ") for line in embed["description"].split("\n"))
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Source"] == f"[127.0.0.1]({url})" and fields["Comments"] == "2 reader comments"
    thread_id = await h.wait_for(lambda: message.thread_id, message="the discussion thread")
    assert fake_discord.state.channels[thread_id].name == "Discussion: City Council Approves School Budget"
    stored = await h.wait_for(lambda: DiscussionThreadRepository(h.bot.db).get(thread_id), message="the record")
    assert stored.article_source == url
    # the fetched article joins the library: autocomplete offers it now
    choices = await h.autocomplete("summary", "article", "school budget")
    assert [c["value"] for c in choices] == [stored.article_id]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/huge-declared", TooLarge.user_message),
        ("/huge-streamed", TooLarge.user_message),
        ("/tiny", NotAnArticle.user_message),
        ("/doc.pdf", NotAnArticle.user_message),
        ("/missing", Unreachable.user_message),
    ],
)
async def test_bad_pages_get_a_clear_ephemeral_error(make_bot: Any, site: str, path: str, expected: str) -> None:
    h = await make_bot(LOOPBACK)
    record = await h.slash("summary", {"url": f"{site}{path}"})
    assert record.deferred
    error = await answer(h, record)
    assert error.ephemeral and error.content == expected
    await h.quiet()
    assert h.messages_in("general") == []  # the public "thinking..." message was removed
    assert len(h.bot.services.library) == 5  # nothing was added


async def test_unreachable_site_gets_a_clear_ephemeral_error(make_bot: Any, closed_port: int) -> None:
    h = await make_bot(LOOPBACK)
    record = await h.slash("summary", {"url": f"http://127.0.0.1:{closed_port}/story"})
    error = await answer(h, record)
    assert error.ephemeral and error.content == Unreachable.user_message
    await h.quiet()
    assert h.messages_in("general") == []


async def test_invalid_and_private_links_are_refused_at_once(bot: BotHarness, site: str) -> None:
    bad = await bot.slash("summary", {"url": "ftp://example.com/file"})
    assert not bad.deferred and bad.ephemeral and bad.content == InvalidURL.user_message
    private = await bot.slash("summary", {"url": f"{site}/news/council-budget"})  # default: no private addresses
    assert not private.deferred and private.ephemeral and private.content == ForbiddenAddress.user_message
    pasted = await bot.slash("summary", {"article": "file:///etc/passwd"})  # a link typed into `article`
    assert pasted.ephemeral and pasted.content == InvalidURL.user_message
    await bot.quiet()
    assert bot.messages_in("general") == []


async def test_articles_added_by_url_survive_a_restart(make_bot: Any, site: str) -> None:
    h = await make_bot(LOOPBACK)
    url = f"{site}/news/council-budget"
    record = await h.slash("summary", {"url": url})
    message = await h.wait_for(lambda: record.message if record.message and record.message.embeds else None,
                               message="the summary")
    await h.wait_for(lambda: message.thread_id, message="the discussion thread")
    [added] = [a for a in h.bot.services.library if a.source == url]
    await h.quiet()
    await h.restart()  # a new bot on the same database: the article comes back from SQLite, not from the site
    assert added.id in h.bot.services.library
    choices = await h.autocomplete("summary", "article", "school budget")
    assert [c["value"] for c in choices] == [added.id]
    again = await h.slash("summary", {"article": added.id})
    posted_again = await h.wait_for(lambda: again.message if again.message and again.message.embeds else None,
                                    message="the summary after the restart")
    assert posted_again.embeds[0]["title"] == "City Council Approves School Budget"
