"""/summary through the fake Discord: autocomplete, the public embed, discussion threads, limits, errors, caching."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fake_discord import BotHarness, FakeDiscord
from fake_discord.limits import embed_length
from fake_discord.state import ChannelType, Overwrite, perm
from support.keyword_scorer import KeywordTestScorer
from support.library_files import write_library
from support.summaries import FIRST_SEED, THREAD_ROUTE, fields_of, posted

from bot.articles.errors import ArticleNotFound
from bot.articles.threads_repo import DiscussionThreadRepository
from bot.moderation.watch import SummaryThreads
from cogs.summaries import NOTE_IN_THREAD, NOTE_NO_PERMISSION, NOTE_THREAD_FAILED, ONE_OF, UNAVAILABLE


async def test_autocomplete_then_summary_posts_embed_and_opens_a_recorded_thread(
    make_bot: Any, fake_discord: FakeDiscord
) -> None:
    h = await make_bot()
    library = h.bot.services.library
    choices = await h.autocomplete("summary", "article", "zelensky putin")
    assert choices and len(choices) <= 25
    assert {c["value"] for c in choices} == {a.id for a in library.search("zelensky putin")}
    assert FIRST_SEED in {c["value"] for c in choices}
    assert all(len(c["name"]) <= 100 and c["name"].endswith(" min)") for c in choices)
    assert [c["value"] for c in await h.autocomplete("summary", "article", "003")] == ["003-15bc9f30538ee979"]
    assert await h.autocomplete("summary", "article", "no such words here") == []

    chosen = next(c for c in choices if c["value"] == FIRST_SEED)
    record = await h.slash("summary", {"article": chosen["value"], "length": "short"})
    message = await posted(h, record)
    article = library.get(FIRST_SEED)
    assert not message.ephemeral and message.channel_id == fake_discord.state.channel("general").id
    embed = message.embeds[0]
    assert embed["title"] == article.title
    bullets = embed["description"].split("\n")
    assert len(bullets) == 2 and all(b.startswith("• ") for b in bullets)  # short = 2 sentences
    fields = fields_of(message)
    assert fields["Source"] == "Library: 000_f672cd09ce46a324.txt"
    assert fields["Reading time"] == f"{article.reading_minutes} min"
    assert fields["Comments"] == "1 reader comment"
    assert "extractive summary" in embed["footer"]["text"] and "min read" in embed["footer"]["text"]

    thread_id = await h.wait_for(lambda: message.thread_id, message="the discussion thread")
    thread = fake_discord.state.channels[thread_id]
    assert thread.type == ChannelType.PUBLIC_THREAD and thread.parent_id == message.channel_id
    assert thread.name == f"Discussion: {article.title}"
    repo = DiscussionThreadRepository(h.bot.db)
    stored = await h.wait_for(lambda: repo.get(thread_id), message="the thread record")
    assert stored.article_id == FIRST_SEED and stored.message_id == message.id
    assert stored.created_by == fake_discord.state.user("member").id
    assert await repo.article_for(thread_id) == FIRST_SEED
    assert [t.thread_id for t in await repo.for_article(FIRST_SEED)] == [thread_id]
    assert await SummaryThreads(h.bot.db).is_summary_thread(thread_id)  # what the moderation listener asks


async def test_long_article_stays_within_discord_limits(make_bot: Any, fake_discord: FakeDiscord,
                                                        tmp_path: Path) -> None:
    folder = write_library(tmp_path / "articles", long_article=True)
    h = await make_bot({"summaries": {"library_dir": str(folder), "long_sentences": 6}})
    choices = await h.autocomplete("summary", "article", "parliament amendment5")
    assert [c["value"] for c in choices] == ["long"] and len(choices[0]["name"]) <= 100
    record = await h.slash("summary", {"article": "long", "length": "long"})
    message = await posted(h, record)
    embed = message.embeds[0]
    assert len(embed["title"]) <= 256 and embed["title"].endswith("…")
    assert len(embed["description"]) <= 4096 and embed["description"].startswith("• ")
    assert embed_length(embed) <= 6000
    thread_id = await h.wait_for(lambda: message.thread_id, message="the discussion thread")
    name = fake_discord.state.channels[thread_id].name or ""
    assert len(name) <= 100 and name.startswith("Discussion: Parliament debates") and name.endswith("…")


async def test_summary_inside_a_thread_skips_the_thread_and_says_so(make_bot: Any, fake_discord: FakeDiscord) -> None:
    state = fake_discord.state
    general = state.channel("general")
    side = state.add_channel(fake_discord.guild(), "side-talk", ChannelType.PUBLIC_THREAD, parent_id=general.id,
                             owner_id=state.user("member").id)
    h = await make_bot()
    record = await h.slash("summary", {"article": FIRST_SEED}, channel=side)
    message = await posted(h, record)
    assert message.channel_id == side.id and NOTE_IN_THREAD in message.embeds[0]["footer"]["text"]
    await h.quiet()
    assert message.thread_id is None
    assert not [r for r in fake_discord.requests if r.route == THREAD_ROUTE]


async def test_summary_without_thread_permission_posts_with_a_note(make_bot: Any, fake_discord: FakeDiscord) -> None:
    guild = fake_discord.guild()
    bot_role = next(r for r in guild.roles.values() if r.bot_id == fake_discord.bot_user.id)
    fake_discord.state.channel("general").overwrites.append(
        Overwrite(bot_role.id, 0, deny=perm("create_public_threads")))
    h = await make_bot()
    record = await h.slash("summary", {"article": FIRST_SEED})
    message = await posted(h, record)
    assert NOTE_NO_PERMISSION in message.embeds[0]["footer"]["text"]
    await h.quiet()
    assert message.thread_id is None
    assert await h.bot.db.fetchall("SELECT * FROM discussion_threads") == []


async def test_thread_creation_failure_is_noted_not_fatal(make_bot: Any, fake_discord: FakeDiscord) -> None:
    h = await make_bot()
    fake_discord.faults.fail_next(THREAD_ROUTE, status=403, code=50013, message="Missing Permissions")
    record = await h.slash("summary", {"article": FIRST_SEED})
    message = await posted(h, record)
    await h.wait_for(lambda: NOTE_THREAD_FAILED in message.embeds[0]["footer"]["text"], message="the note")
    assert message.thread_id is None and not message.ephemeral
    assert embed_length(message.embeds[0]) <= 6000


async def test_unknown_article_and_bad_option_combinations_are_ephemeral(bot: BotHarness) -> None:
    unknown = await bot.slash("summary", {"article": "no-such-article"})
    assert unknown.ephemeral and unknown.content == ArticleNotFound.user_message
    neither = await bot.slash("summary", {"length": "long"})
    assert neither.ephemeral and neither.content == ONE_OF
    both = await bot.slash("summary", {"article": FIRST_SEED, "url": "https://example.com/a"})
    assert both.ephemeral and both.content == ONE_OF
    await bot.quiet()
    assert bot.messages_in("general") == []


async def test_typed_title_words_and_cached_summaries(bot: BotHarness) -> None:
    library = bot.bot.services.library
    first = await posted(bot, await bot.slash("summary", {"article": "game-changing concession"}))
    assert first.embeds[0]["title"] == library.get("001-b65d5fe6f478c5d4").title
    assert library.cache_info()[0] == 1
    again = await posted(bot, await bot.slash("summary", {"article": "001-b65d5fe6f478c5d4"}))
    assert again.embeds[0]["description"] == first.embeds[0]["description"]
    assert library.cache_info()[0] == 1  # served from the cache
    longer = await posted(bot, await bot.slash("summary", {"article": "001-b65d5fe6f478c5d4", "length": "long"}))
    assert len(longer.embeds[0]["description"].split("\n")) == 5 and library.cache_info()[0] == 2


async def test_messages_in_a_summary_thread_are_moderated(make_bot: Any, fake_discord: FakeDiscord) -> None:
    h = await make_bot({"moderation": {"watched_channel_ids": [1]}}, scorer=KeywordTestScorer())  # narrow watch
    message = await posted(h, await h.slash("summary", {"article": FIRST_SEED}))
    thread_id = await h.wait_for(lambda: message.thread_id, message="the discussion thread")
    await h.wait_for(lambda: SummaryThreads(h.bot.db).is_summary_thread(thread_id), message="the thread record")
    reply = await h.post_message(thread_id, "this reply says flagme")
    row = await h.wait_for(lambda: h.bot.db.fetchone("SELECT * FROM mod_cases WHERE message_id = ?", (reply,)),
                           message="a case for the thread reply")
    assert row["channel_id"] == thread_id
    await h.wait_for(lambda: h.bot.db.fetchone("SELECT 1 FROM audit_log WHERE case_id = ?", (row["id"],)),
                     message="the case to be fully opened")
    await h.quiet()


@pytest.mark.allow_errors  # the failed library load is logged as an error, on purpose
async def test_library_failure_degrades_to_a_clear_message(make_bot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.articles.library import ArticleLibrary

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("seeds folder unreadable")

    monkeypatch.setattr(ArticleLibrary, "from_config", broken)
    h = await make_bot()
    assert h.bot.services.library is None
    answer = await h.slash("summary", {"article": FIRST_SEED})
    assert answer.ephemeral and answer.content == UNAVAILABLE
    assert await h.autocomplete("summary", "article", "zel") == []
    listing = await h.slash("articles")
    assert listing.ephemeral and "not available" in listing.content
    assert (await h.slash("about")).ephemeral  # the rest of the bot works
