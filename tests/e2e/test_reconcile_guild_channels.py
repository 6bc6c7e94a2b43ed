"""Start-up reconciliation reads every mod channel in use: a guild's own, set with /config, as well as the file's
(issue 12, item 7c). A card that reached the guild's channel just before a crash is recorded, not posted twice."""

from __future__ import annotations

from typing import Any

from fake_discord import payloads
from moderation.doubles import MARKER, REVIEW_COGS, cards, flag_and_wait
from moderation.doubles import review as review  # noqa: F401  (fixture)

from bot.moderation.cases import CaseRepository
from bot.moderation.models import MessageSnapshot
from bot.moderation.scoring import Assessment

WITH_CONFIG = {"discord": {"cogs": [*REVIEW_COGS, "cogs.config_admin"]}}


async def guild_mod_channel(h: Any, name: str) -> int:
    """Create a channel and make it the guild's mod channel with /config."""
    guild = h.fake.guild()
    channel = h.state.add_channel(guild, name)
    await h.fake.gateway.dispatch("CHANNEL_CREATE", payloads.channel(h.state, channel), guild_id=guild.id)
    await h.wait_for(lambda: h.bot.get_channel(channel.id) is not None, message="the bot sees the new channel")
    record = await h.slash("config set", {"key": "moderation.mod_channel_id", "value": f"<#{channel.id}>"},
                           user="admin")
    assert record.text().startswith("\u2705"), record.text()
    return channel.id


async def test_cards_in_a_guilds_own_mod_channel_are_reconciled(review: Any) -> None:
    h = await review(overrides=WITH_CONFIG)
    await guild_mod_channel(h, "cases")
    mid, row, card = await flag_and_wait(h)
    assert card.channel_id == h.state.channel("cases").id
    await h.quiet()
    await h.stop()
    # A crash right after the card was posted, before its id was stored; and a case stored but never posted.
    await h.db.execute("UPDATE mod_cases SET card_message_id = NULL, card_channel_id = NULL")
    general = h.state.channel("general")
    unposted = MessageSnapshot(message_id=987654321, guild_id=general.guild_id, channel_id=general.id,
                               author_id=h.state.user("member").id, content=f"stored {MARKER}")
    stored, _ = await CaseRepository(h.db).open(unposted, Assessment(True, ("inflammatory",), "medium"))
    await h.start()

    async def both_recorded() -> list[Any]:
        rows = await h.db.fetchall("SELECT id, card_message_id, card_channel_id FROM mod_cases "
                                   "WHERE card_message_id IS NOT NULL ORDER BY id")
        return rows if len(rows) == 2 else []

    rows = await h.wait_for(both_recorded, message="both cases to have a recorded card")
    await h.quiet(0.2)
    by_case = {r["id"]: (r["card_message_id"], r["card_channel_id"]) for r in rows}
    cases_channel = h.state.channel("cases").id
    assert by_case[row["id"]] == (card.id, cases_channel)  # recognised, not posted again
    assert by_case[stored.id][1] == cases_channel
    assert len(cards(h, "cases")) == 2 and cards(h, "mod-queue") == []
