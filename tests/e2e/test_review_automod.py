"""Discord AutoMod in the review queue, end to end: a rule's block + alert + timeout events become one case with
the rule on its card, also when the rule cannot be read and across a restart; a flagged (posted) message joins
modbot's own case; without Manage Server Discord sends nothing."""

from __future__ import annotations

from typing import Any

from fake_discord.automod import add_rule
from fake_discord.state import perm
from fake_discord.world import BOT_PERMISSIONS
from moderation.doubles import MARKER, cards
from moderation.doubles import review as review  # noqa: F401  (fixture)

RULE_ROUTE = "GET /guilds/{guild_id}/auto-moderation/rules/{rule_id}"


def field(card: Any, name: str) -> str:
    return next((f["value"] for f in card.embeds[0].get("fields", []) if f["name"] == name), "")


def buttons(card: Any) -> list[str]:
    return [c.get("label") for c in card.component_items()]


async def manage_server(fake: Any) -> None:
    """Discord sends AutoMod events (and rules) only to bots with Manage Server."""
    await fake.set_bot_permissions(value=BOT_PERMISSIONS | perm("manage_guild"))


async def automod_rows(h: Any) -> list[Any]:
    return await h.db.fetchall("SELECT * FROM mod_cases WHERE source = 'automod' ORDER BY id")


async def one_card(h: Any) -> Any:
    await h.wait_for(lambda: cards(h), message="the AutoMod case card")
    card = await h.wait_for(lambda: (c := h.state.message(cards(h)[0].id)) and "Discord AutoMod" in
                            str(c.embeds[0]) and "alerted" in field(c, "Discord AutoMod")
                            and "timed out" in field(c, "Discord AutoMod") and c, message="all three actions")
    await h.quiet(0.1)
    return card


async def test_blocked_message_with_alert_and_timeout_is_one_case(review: Any, fake_discord: Any) -> None:
    await manage_server(fake_discord)
    h = await review()
    rule = add_rule(fake_discord, "No slurs", ["badslur"], alert_channel="mod-log", timeout_seconds=600)
    tripped = await h.automod_trigger(rule, "you are a badslur, friend")
    assert tripped.message_id is None and len(tripped.events) == 3
    assert not [m for m in h.messages_in("general") if "badslur" in m.content]  # blocked: never posted
    card = await one_card(h)
    assert len(cards(h)) == 1
    rows = await automod_rows(h)
    assert len(rows) == 1 and rows[0]["message_id"] < 0 and rows[0]["labels_json"] == '["automod"]'
    automod = field(card, "Discord AutoMod")
    assert '"No slurs" (keyword)' in automod and "blocked the message" in automod
    assert "timed out (10 min)" in automod and "keyword `badslur`" in automod
    assert field(card, "Message") == "Blocked by AutoMod (never posted)"
    assert "**badslur**" in card.embeds[0]["description"]  # the matched text in bold (content intent granted)
    assert "Remove" not in buttons(card) and "Approve" in buttons(card)  # nothing to remove
    assert card.embeds[0]["footer"]["text"].endswith("Discord AutoMod")
    assert len(fake_discord.requests_to(RULE_ROUTE)) == 1  # the name is read once
    await h.click(card.id, "Approve", user="moderator")
    await h.wait_for(lambda: not h.state.message(card.id).components, message="decided")


async def test_rule_that_cannot_be_read_still_gives_a_case(review: Any, fake_discord: Any) -> None:
    await manage_server(fake_discord)
    h = await review()
    rule = add_rule(fake_discord, "Links", ["badlink"], alert_channel="mod-log", timeout_seconds=60)
    fake_discord.faults.fail_next(RULE_ROUTE, status=404, code=10069, message="Unknown Auto Moderation Rule")
    await h.automod_trigger(rule, "see badlink")
    card = await one_card(h)
    assert f"rule {rule.id} (keyword)" in field(card, "Discord AutoMod")
    assert len(await automod_rows(h)) == 1


async def test_replayed_and_restarted_events_join_the_same_case(review: Any, fake_discord: Any) -> None:
    await manage_server(fake_discord)
    h = await review()
    rule = add_rule(fake_discord, "No slurs", ["badslur"], alert_channel="mod-log", timeout_seconds=600)
    tripped = await h.automod_trigger(rule, "a badslur here")
    card = await one_card(h)
    await h.restart()
    member = h.state.user("member")
    await h.automod_events(rule, "a badslur here", "badslur", user=member, channel_id=h.state.channel("general").id,
                           message_id=None, alert_id=tripped.alert_message_id)  # Discord delivers them again
    await h.quiet(0.2)
    assert len(await automod_rows(h)) == 1 and len(cards(h)) == 1
    assert "Blocked by AutoMod" in field(h.state.message(card.id), "Message")


async def test_flagged_message_joins_modbots_own_case(review: Any, fake_discord: Any) -> None:
    """An alert-only rule: the message is posted; AutoMod's hit and modbot's verdict share one case."""
    await manage_server(fake_discord)
    h = await review()
    rule = add_rule(fake_discord, "Watch words", [MARKER.lower()], block=False, alert_channel="mod-log")
    tripped = await h.automod_trigger(rule, f"You are a {MARKER} person.")
    assert tripped.message_id is not None
    await h.wait_for(lambda: cards(h), message="a card")

    async def both() -> Any:
        row = await h.db.fetchone("SELECT * FROM mod_cases WHERE message_id = ?", (tripped.message_id,))
        hits = await h.db.fetchall("SELECT * FROM automod_hits")
        return row if row is not None and row["flagged"] and hits else None

    row = await h.wait_for(both, message="modbot's verdict and the AutoMod hit on one case")
    assert "inflammatory" in row["labels_json"]
    await h.quiet(0.1)
    assert (await h.db.fetchone("SELECT COUNT(*) FROM mod_cases"))[0] == 1 and len(cards(h)) == 1
    card = await h.wait_for(lambda: (c := h.state.message(cards(h)[0].id)) and "Watch words" in
                            field(c, "Discord AutoMod") and "Scores" in str(c.embeds[0]) and c, message="card")
    assert "Remove" in buttons(card)  # the message exists


async def test_no_manage_server_no_events(review: Any, fake_discord: Any) -> None:
    h = await review()
    rule = add_rule(fake_discord, "No slurs", ["badslur"])
    tripped = await h.automod_trigger(rule, "badslur")
    assert tripped.events  # Discord ran the rule but told the bot nothing
    await h.quiet(0.1)
    assert not await automod_rows(h) and not cards(h)


async def test_automod_cases_off_for_a_guild(review: Any, fake_discord: Any) -> None:
    await manage_server(fake_discord)
    h = await review(overrides={"moderation": {"automod_cases": False}})
    assert not h.bot.intents.auto_moderation_execution
    rule = add_rule(fake_discord, "No slurs", ["badslur"])
    await h.automod_trigger(rule, "badslur")
    await h.quiet(0.1)
    assert not await automod_rows(h)
