"""Hostile payloads affect no other message (issue 12, item 2), with the real analyzer wired by build_services.

Lone UTF-16 surrogates (the gateway JSON carries ``"\\ud800"``, which discord.py's loader turns into a lone surrogate
in ``Message.content``), NUL and other control characters, a 4,000-character message (Nitro), zalgo, a right-to-left
override, emoji only, binary-looking garbage and an empty message (attachment only) are mixed into a burst of
flaggable and calm messages, live and then while the bot is down (read back by catch-up over three channels, where a
batch of 32 history messages is scored in one call). Every flaggable message, hostile part or not, gets exactly one
case and one card; calm ones get none; nothing is logged as "Ignoring exception" or ERROR (the fake_discord fixture
fails the test on those), no message is held back as unscored, and nothing the bot sends to Discord carries a lone
surrogate (the fake refuses that request as invalid JSON).

The flaggable sentences are ones the lexicon alone flags, so the test does not depend on the learned heads.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from moderation.doubles import review_overrides

pytestmark = pytest.mark.slow

FLAGGABLE = (
    "This is what happens when you elect democrats, they ruin everything.",
    "Republicans are vermin and should be wiped out.",
)
CALM = (
    "The Republican bill passed the Senate yesterday, 52 to 48.",
    "Thanks for the link, I read the whole article over lunch.",
    "Turnout in the county was higher than in the last midterm.",
)
FILLER = "The committee met again on Tuesday to go over the budget figures line by line. "
ZALGO = "".join(ch + "\u0336\u0337\u0338\u0489\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307" for ch in "zalgo text")
HOSTILE: dict[str, str] = {
    "lone high surrogate": "\ud800",
    "lone low surrogate": "abc\udfffdef",
    "NUL": "\x00\x00nul\x00",
    "zalgo": ZALGO,
    "RTL override": "\u202etxet desrever\u202c",
    "emoji only": "\U0001f525\U0001f525\U0001f525 \U0001f1fa\U0001f1f8\U0001f5f3\ufe0f \U0001f44d\U0001f3fd",
    "binary garbage": bytes(range(1, 256)).decode("latin-1") + "\ufffe\uffff\U0010ffff",
    "one 4,000-character word": "A" * 4000,
}
LONG = 4000
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
UNSCORED_HINTS = ("could not score message", "giving up on message", "scoring a batch")


@dataclass(frozen=True)
class Planned:
    """A message to post: ``flaggable`` ones must get exactly one case, the others none."""

    label: str
    content: str
    flaggable: bool
    attachment: bool = False


def mix(seed: int) -> list[Planned]:
    """Every hostile payload alone, around a calm sentence and around a flaggable one; 4,000-character messages;
    an empty message (attachment only); plain flaggable and calm messages. Shuffled (deterministically)."""
    out: list[Planned] = []
    for i, (name, payload) in enumerate(HOSTILE.items()):
        flag, calm = FLAGGABLE[i % 2], CALM[i % 3]
        out.append(Planned(f"{name} alone", payload, False))
        if name.startswith("one 4,000"):
            out.append(Planned(f"{name} after a flaggable sentence", (flag + " " + payload)[:LONG], True))
            out.append(Planned(f"{name} after a calm sentence", (calm + " " + payload)[:LONG], False))
            continue
        out.append(Planned(f"{name} around a flaggable sentence", f"{payload} {flag} {payload}", True))
        out.append(Planned(f"{name} around a calm sentence", f"{payload} {calm} {payload}", False))
    padded = FLAGGABLE[1] + " " + FILLER * (LONG // len(FILLER) + 1)
    out.append(Planned("4,000 characters, flaggable first sentence", padded[:LONG], True))
    out.append(Planned("4,000 characters of calm sentences", (FILLER * (LONG // len(FILLER) + 1))[:LONG], False))
    out.append(Planned("4,000 characters with a lone surrogate", ("\ud800" + padded)[:LONG], True))
    out.append(Planned("empty (attachment only)", "", False, attachment=True))
    for k in range(4):
        out.append(Planned(f"plain flaggable {k}", f"Reply {k}: {FLAGGABLE[k % 2]}", True))
        out.append(Planned(f"plain calm {k}", f"Reply {k}: {CALM[k % 3]}", False))
    random.Random(seed).shuffle(out)
    assert all(len(p.content) <= LONG for p in out)
    return out


@contextmanager
def unscored_warnings() -> Iterator[list[str]]:
    """WARNINGs of the bot saying a message could not be scored (one message affecting its batch, or itself)."""
    found: list[str] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            text = record.getMessage()
            if any(hint in text for hint in UNSCORED_HINTS):
                found.append(f"[{record.name}] {text}")

    handler, logger = Collector(level=logging.WARNING), logging.getLogger("bot")
    logger.addHandler(handler)
    try:
        yield found
    finally:
        logger.removeHandler(handler)


async def post(h: Any, channel: Any, planned: Planned) -> int:
    files = [("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(64))] if planned.attachment else []
    message_id: int = await h.post_message(channel, planned.content, files=files)
    return message_id


def service_of(h: Any) -> Any:
    return h.bot.moderation


async def check_cases(h: Any, sent: dict[int, Planned]) -> None:
    """Exactly one case and one card per flaggable message, none for the others; stored text has no surrogate."""
    rows = await h.bot.db.fetchall("SELECT id, message_id, content, card_message_id FROM mod_cases")
    by_message = {int(row["message_id"]): row for row in rows}
    assert len(by_message) == len(rows)
    flaggable = {mid for mid, p in sent.items() if p.flaggable}
    missing = sorted(sent[mid].label for mid in flaggable - set(by_message))
    extra = sorted(sent[mid].label if mid in sent else str(mid) for mid in set(by_message) - flaggable)
    assert not missing, f"flaggable messages without a case: {missing}"
    assert not extra, f"cases for messages that are not flaggable: {extra}"
    cards = [m for m in h.bot_posts("mod-queue") if m.embeds]
    footers = sorted(m.embeds[0]["footer"]["text"].split(" \u00b7 ")[0] for m in cards)
    assert footers == sorted(f"Case #{row['id']}" for row in rows), "exactly one card per case"
    assert {row["card_message_id"] for row in rows} == {m.id for m in cards}
    for card in cards:  # control characters never reach a card as such: they show as U+FFFD
        description = card.embeds[0].get("description", "")
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", description), repr(description)
    for row in rows:  # moderators see what was written; a lone surrogate (not storable) shows as U+FFFD
        assert row["content"] == LONE_SURROGATE.sub("\ufffd", sent[int(row["message_id"])].content)


async def settle_scored(h: Any, channel_ids: list[int], last: dict[int, int], *, stored: bool) -> None:
    """Wait until everything up to each channel's last message is processed (in memory, or stored as the cursor)."""
    service = service_of(h)

    async def done() -> bool:
        for channel_id in channel_ids:
            if stored:
                row = await h.bot.db.fetchone("SELECT last_message_id FROM mod_channel_cursors WHERE channel_id = ?",
                                              (channel_id,))
                if row is None or row[0] < last[channel_id]:
                    return False
            elif (service.intake.tracker.safe_cursor(channel_id) or 0) < last[channel_id]:
                return False
        return True

    await h.wait_for(done, timeout=180, message="every message processed (none held back as unscored)")
    assert len(service.intake.unscored) == 0


async def test_hostile_payloads_in_a_live_burst_affect_no_other_message(make_bot: Any, fake_discord: Any) -> None:
    h = await make_bot(review_overrides(fake_discord))
    assert h.bot.services.analyzer is not None and h.bot.services.engine is None  # the real analyzer, no double
    general = fake_discord.state.channel("general").id
    warmup = await h.post_message("general", CALM[0])  # the encoder loads on the first message
    await settle_scored(h, [general], {general: warmup}, stored=False)
    sent: dict[int, Planned] = {}
    with unscored_warnings() as warnings:
        for planned in mix(seed=12):
            sent[await post(h, "general", planned)] = planned
        # An edit that adds hostile parts to a calm message (re-scored: now flaggable) and to a flaggable one.
        calm_id = next(mid for mid, p in sent.items() if p.label == "plain calm 0")
        flag_id = next(mid for mid, p in sent.items() if p.label == "plain flaggable 1")
        await settle_scored(h, [general], {general: max(sent)}, stored=False)
        edits = {calm_id: Planned("plain calm 0, edited into a flaggable one",
                                  f"\ud800\x00 {FLAGGABLE[0]} \u202edrow\u202c", True),
                 flag_id: Planned("plain flaggable 1, edited", f"{FLAGGABLE[1]}\x00\udc00 {ZALGO}", True)}
        for message_id, planned in edits.items():
            await h.edit_message(message_id, planned.content)
            sent[message_id] = planned

        async def edits_applied() -> bool:
            row = await h.bot.db.fetchone("SELECT COUNT(*) FROM mod_cases WHERE message_id IN (?, ?) AND "
                                          "card_message_id IS NOT NULL", (calm_id, flag_id))
            edited = await h.bot.db.fetchone("SELECT edit_count FROM mod_cases WHERE message_id = ?", (flag_id,))
            return row[0] == 2 and edited is not None and edited[0] == 1

        await h.wait_for(edits_applied, timeout=60, message="both edits scored")
        await h.quiet(0.3)
    assert not warnings, warnings
    await check_cases(h, sent)


async def test_hostile_payloads_sent_while_down_are_caught_up(make_bot: Any, fake_discord: Any) -> None:
    guild = fake_discord.guild()
    channels = [fake_discord.state.channel("general").id,
                *(fake_discord.state.add_channel(guild, name).id for name in ("news", "politics"))]
    h = await make_bot(review_overrides(fake_discord, {"moderation": {"catch_up_limit": 1000}}))
    first = {channel_id: await h.post_message(channel_id, CALM[1]) for channel_id in channels}
    await settle_scored(h, channels, first, stored=True)  # cursors stored: the gap after them will be read
    await h.stop()

    sent: dict[int, Planned] = {}
    last: dict[int, int] = {}
    for k, channel_id in enumerate(channels):  # the whole mix in every channel; batches of 32 carry hostile ones
        for planned in mix(seed=100 + k):
            message_id = await post(h, channel_id, planned)
            sent[message_id], last[channel_id] = planned, message_id
    assert len(sent) > 3 * 32

    with unscored_warnings() as warnings:
        await h.start()
        assert h.bot.services.analyzer is not None
        await settle_scored(h, channels, last, stored=True)  # every channel read to its end, nothing held back

        async def all_cases() -> bool:
            row = await h.bot.db.fetchone("SELECT COUNT(*) FROM mod_cases WHERE card_message_id IS NOT NULL")
            return row[0] == sum(p.flaggable for p in sent.values())

        await h.wait_for(all_cases, timeout=60, message="a case and a card for every flaggable message")
        await h.quiet(0.3)
    assert not warnings, warnings
    await check_cases(h, sent)
