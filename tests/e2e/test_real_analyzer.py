"""The motivating case end to end, with the real analyzer wired by build_services (no test double).

The reader comment at the end of seed 000 is not obscene; the bot must still open a case for it, labelled
partisan, with the blaming sentence as evidence, while an ordinary political remark gets no case.
"""

from __future__ import annotations

from typing import Any

import pytest
from moderation.doubles import review_overrides

from bot.paths import SEEDS_DIR

pytestmark = pytest.mark.slow


def _seed_comment_last_line() -> str:
    text = next(SEEDS_DIR.glob("000_*.txt")).read_text(encoding="utf-8")
    return next(line.strip() for line in text.splitlines() if "This is what happens when you elect" in line)


async def test_seed_comment_is_flagged_partisan_with_evidence(make_bot: Any, fake_discord: Any) -> None:
    h = await make_bot(review_overrides(fake_discord))
    assert h.bot.services.analyzer is not None and h.bot.services.engine is None  # toxicity off offline
    calm = await h.post_message("general", "The Republican bill passed the Senate yesterday, 52 to 48.")
    comment = _seed_comment_last_line()
    flagged = await h.post_message("general", comment)
    posts = await h.wait_for(lambda: h.bot_posts("mod-queue"), timeout=120, message="a case card")
    await h.quiet()
    rows = await h.bot.db.fetchall("SELECT message_id, labels_json FROM mod_cases")
    assert [r["message_id"] for r in rows] == [flagged]
    assert calm not in {r["message_id"] for r in rows}
    card = posts[0].embeds[0]
    text = str(card)
    assert "partisan" in text.lower()
    assert "This is what happens when you elect democrats" in card["description"]
    assert len(posts) == 1


async def test_card_names_the_words_that_carry_the_label(make_bot: Any, fake_discord: Any) -> None:
    h = await make_bot(review_overrides(fake_discord))
    text = "Honestly, after reading your post twice, you are a complete **idiot**."
    flagged = await h.post_message("general", text)
    posts = await h.wait_for(lambda: h.bot_posts("mod-queue"), timeout=120, message="a case card")
    await h.quiet()
    rows = await h.bot.db.fetchall("SELECT message_id, reasons_json FROM mod_cases")
    assert [r["message_id"] for r in rows] == [flagged]
    card = posts[0].embeds[0]
    text_of_card = str(card)
    assert "[words:" in text_of_card and "idiot" in text_of_card.split("[words:", 1)[1]
    assert "**" in card["description"]  # the flagged sentence, as the member wrote it, in bold
