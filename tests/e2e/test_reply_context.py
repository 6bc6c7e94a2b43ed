"""Reply context through the fake Discord: a flagged reply's card quotes the message it answers, and a message in a
/summary discussion thread names the article (issue 15, item 1)."""

from __future__ import annotations

from typing import Any

from fake_discord.state import ChannelType
from moderation.doubles import MARKER, case_row, flag_and_wait
from moderation.doubles import review as review  # noqa: F401  (fixture)

from bot.analysis.context import MessageContext
from bot.articles.threads_repo import DiscussionThreadRepository


async def test_a_flagged_reply_shows_the_message_it_answers(review: Any) -> None:
    h = await review()
    parent_id = await h.post_message("general", "The senators voted against the bill *again*.", author="moderator")
    reply_id = await h.post_message("general", f"exactly, lock them all up {MARKER}", reply_to=parent_id)
    row = await h.wait_for(lambda: case_row(h, reply_id), message="the reply's case")
    assert row["reply_to_message_id"] == parent_id and "voted against" in row["reply_to_content"]
    card = await h.wait_for(lambda: _card(h, row["id"]), message="the card")
    lines = card.embeds[0]["description"].split("\n")
    author = h.state.user("moderator")
    assert lines[0].startswith(f"> \u21aa Replying to <@{author.id}>")
    assert lines[0].endswith(": The senators voted against the bill \\*again\\*.")
    assert MARKER in lines[2]
    assert MessageContext(parent="The senators voted against the bill *again*.") in h.scorer.contexts  # judged with it


async def test_a_reply_to_a_deleted_message_still_becomes_a_case(review: Any) -> None:
    h = await review()
    parent_id = await h.post_message("general", "soon gone", author="moderator")
    await h.delete_message(parent_id)
    reply_id = await h.post_message("general", f"you {MARKER}", reply_to=parent_id)
    row = await h.wait_for(lambda: case_row(h, reply_id), message="the reply's case")
    assert row["reply_to_message_id"] is None  # Discord sends no referenced_message for a deleted one


async def test_a_message_in_a_summary_thread_names_the_article(review: Any, fake_discord: Any) -> None:
    guild = fake_discord.guild()
    general = fake_discord.state.channel("general")
    thread = fake_discord.state.add_channel(guild, "Discussion: Senate rejects the bill", ChannelType.PUBLIC_THREAD,
                                            parent_id=general.id, owner_id=fake_discord.state.user("member").id)
    h = await review()
    await DiscussionThreadRepository(h.db).record(thread_id=thread.id, guild_id=guild.id, channel_id=general.id,
                                                  message_id=thread.id, article_id="a1",
                                                  article_title="Senate rejects the bill")
    _mid, row, card = await flag_and_wait(h, f"what a {MARKER} take", channel=thread.id)
    assert row["article_title"] == "Senate rejects the bill"
    assert card.embeds[0]["description"].startswith("> \U0001f4f0 Article: Senate rejects the bill\n\n")
    assert MessageContext(title="Senate rejects the bill") in h.scorer.contexts


async def _card(h: Any, case_id: int) -> Any:
    row = await h.db.fetchone("SELECT card_message_id FROM mod_cases WHERE id = ?", (case_id,))
    return h.state.message(row["card_message_id"]) if row and row["card_message_id"] else None
