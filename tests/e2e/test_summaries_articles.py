"""/articles (the library behind /summary): ephemeral pages, Previous/Next for the invoker only."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fake_discord import BotHarness, FakeDiscord
from fake_discord.state import FakeMessage
from support.library_files import write_library

from cogs.articles_list import NOT_YOURS, PAGE_SIZE

PREVIOUS, NEXT = "\u25c0 Previous", "Next \u25b6"
ENTRY = re.compile(r"`([a-z0-9-]+)`\n\*\*(.+)\*\*\n(\d+) words? · (\d+) comments? · (\d+) min read")




def entries(message: FakeMessage) -> list[tuple[str, ...]]:
    return ENTRY.findall(message.embeds[0]["description"])


async def test_articles_pages_forward_and_back_for_the_invoker_only(make_bot: Any, fake_discord: FakeDiscord,
                                                                   tmp_path: Path) -> None:
    h = await make_bot({"summaries": {"library_dir": str(write_library(tmp_path / "articles", 12))}})
    library = h.bot.services.library
    assert len(library) == 17  # 5 seeds + 12 stories
    record = await h.slash("articles")
    assert record.ephemeral
    page = record.message
    first = entries(page)
    assert len(first) == PAGE_SIZE
    assert page.embeds[0]["footer"]["text"].startswith("Page 1/2 · 17 articles")
    seed = library.get(first[0][0])
    assert first[0] == (seed.id, seed.title, str(seed.word_count), str(len(seed.comments)),
                        str(seed.reading_minutes))
    assert h.find_component(page.id, label=PREVIOUS).get("disabled")
    assert not h.find_component(page.id, label=NEXT).get("disabled")

    await h.click(page.id, NEXT, user="member")
    page = h.state.message(page.id)
    second = entries(page)
    assert len(second) == 17 - PAGE_SIZE and not {e[0] for e in second} & {e[0] for e in first}
    assert {e[0] for e in first + second} == {a.id for a in library}
    assert page.embeds[0]["footer"]["text"].startswith("Page 2/2")
    assert h.find_component(page.id, label=NEXT).get("disabled")

    refused = await h.click(page.id, PREVIOUS, user="moderator")
    assert refused.ephemeral and refused.content == NOT_YOURS
    assert entries(h.state.message(page.id)) == second  # nothing moved

    await h.click(page.id, PREVIOUS, user="member")
    assert entries(h.state.message(page.id)) == first


async def test_a_single_page_has_no_buttons(bot: BotHarness) -> None:
    record = await bot.slash("articles", user="moderator")
    assert record.ephemeral and len(entries(record.message)) == 5
    assert record.message.embeds[0]["footer"]["text"].startswith("Page 1/1 · 5 articles")
    assert record.components == []
    assert bot.messages_in("general") == []
