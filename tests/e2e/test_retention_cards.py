"""Retention: purging a closed case's text also edits its posted card, so the text is not left visible there."""

from __future__ import annotations

from typing import Any

from moderation.doubles import MARKER, card_for, flag_and_wait
from moderation.doubles import review as review  # noqa: F401  (fixture)

PURGED = "Message content purged after the retention period"


async def test_purge_edits_the_posted_card(review: Any) -> None:
    h = await review(overrides={"moderation": {"retention_days": 30}})
    text = f"You are a {MARKER} person, secret-words-4411."
    mid, row, card = await flag_and_wait(h, text)
    await h.click(card.id, "Approve", user="moderator")
    await h.wait_for(lambda: not card_for(h, row["id"]).components, message="the card decided")
    assert "secret-words-4411" in card_for(h, row["id"]).embeds[0]["description"]
    await h.quiet()
    await h.stop()
    await h.db.execute("UPDATE mod_cases SET decided_at = '2000-01-01T00:00:00.000Z' WHERE id = ?", (row["id"],))
    await h.start()  # the retention purge runs at start
    await h.wait_for(lambda: PURGED in card_for(h, row["id"]).embeds[0]["description"], message="the card purged")
    shown = card_for(h, row["id"])
    assert "secret-words-4411" not in str(shown.embeds) and not shown.components
    stored = await h.db.fetchone("SELECT content, evidence, content_purged_at FROM mod_cases WHERE id = ?",
                                 (row["id"],))
    assert stored["content"] is None and stored["evidence"] is None and stored["content_purged_at"]
