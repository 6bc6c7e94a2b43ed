"""Card content as plain data: excerpt with the evidence highlighted, fields, buttons, digests, custom ids."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.moderation.cards import (
    chunk_for_digest,
    compress_ranges,
    excerpt,
    mod_log_line,
    parse_digest,
    render_card,
    render_digest,
)
from bot.moderation.cases import CaseRepository
from bot.moderation.custom_ids import CaseButtonId, parse_custom_id
from bot.moderation.scoring import Assessment
from bot.moderation.state import Action, CaseState


def test_excerpt_highlights_and_escapes() -> None:
    text = "Calm start. You *people* are the worst. Calm end."
    assert excerpt(text, "You *people* are the worst.", 200) == (
        "Calm start. **You \\*people\\* are the worst.** Calm end.")
    assert excerpt(text, "not there", 200) == "Calm start. You \\*people\\* are the worst. Calm end."
    long = "filler " * 100 + "THE BAD SENTENCE." + " tail" * 50
    shown = excerpt(long, "THE BAD SENTENCE.", 120)
    assert "**THE BAD SENTENCE.**" in shown and shown.startswith("\u2026") and shown.endswith("\u2026")
    assert excerpt("short", None, 3) == "sh\u2026"


async def test_render_card_pending_and_decided(db, snap) -> None:
    repo = CaseRepository(db)
    case, _ = await repo.open(snap("Hi. You idiot. Bye.", jump_url="https://discord.com/channels/1/2/3"),
                              Assessment(True, ("inflammatory",), "high", ("insult",), "You idiot.",
                                         {"toxicity": 0.9, "insult": 0.95}))
    card = render_card(case)
    assert card.title == f"Case #{case.id} \u00b7 Pending" and "**You idiot.**" in card.description
    fields = {f.name: f.value for f in card.fields}
    assert fields["Scores"] == "insult 0.95 \u00b7 toxicity 0.90" and fields["Severity"] == "high"
    assert fields["Message"] == "[Jump to message](https://discord.com/channels/1/2/3)"
    assert [b.custom_id for b in card.buttons] == [CaseButtonId(case.id, a).custom_id for a in Action]
    assert card.footer.startswith(f"Case #{case.id} \u00b7 message {case.message_id}")
    await repo.try_lock(case.id, 77, Action.REMOVE)
    decided = await repo.finish(case.id, 77, Action.REMOVE, CaseState.REMOVED, reason="rude",
                                now=datetime(2024, 5, 1, tzinfo=UTC))
    card = render_card(decided)
    status = {f.name: f.value for f in card.fields}["Status"]
    assert card.buttons == () and "**Removed** by <@77> <t:1714521600:f>" in status and "rude" in status
    assert "<@77> removed" in mod_log_line(decided, 77, Action.REMOVE, "rude")


def test_custom_ids_and_digests_round_trip() -> None:
    assert parse_custom_id(CaseButtonId(42, Action.TIMEOUT).custom_id) == CaseButtonId(42, Action.TIMEOUT)
    assert parse_custom_id("modbot:queue:1:2") is None
    assert compress_ranges([9, 3, 4, 5, 12, 11]) == "#3\u2013#5, #9, #11\u2013#12"
    text = render_digest([5, 6, 7, 20])
    assert text.startswith("**4 new cases**") and "/queue" in text
    assert parse_digest(text) == [5, 6, 7, 20] and parse_digest("hello #5") == []
    chunks = chunk_for_digest(list(range(1, 2000, 2)), max_chars=300)
    assert sum(len(c) for c in chunks) == 1000 and all(len(render_digest(c)) <= 300 for c in chunks)


def test_undisplayable_characters_are_shown_as_replacement_marks() -> None:
    """NUL and other controls render as nothing and lone surrogates cannot be sent as JSON: U+FFFD instead."""
    text = "you\x00 idiot \ud800 here\x07\nnext line\tend"
    shown = excerpt(text, "you\x00 idiot", 200)
    assert shown.startswith("**you\ufffd idiot**") and "\ud800" not in shown and "\x07" not in shown
    assert "\nnext line\tend" in shown
    shown.encode("utf-8")  # a lone surrogate would raise here (and in the JSON of the card)
