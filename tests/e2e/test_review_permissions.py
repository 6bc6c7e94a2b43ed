"""Who may act: non-moderators are refused and change nothing; the bot's own permissions are checked first;
two moderators racing: the first decision wins and the second is told who decided."""

from __future__ import annotations

import asyncio
from typing import Any

from fake_discord.state import perm
from fake_discord.world import BOT_PERMISSIONS
from moderation.doubles import card_for, case_row, flag_and_wait
from moderation.doubles import review as review  # noqa: F401  (fixture)


def field(card: Any, name: str) -> str:
    return next((f["value"] for f in card.embeds[0].get("fields", []) if f["name"] == name), "")


async def test_non_moderator_click_is_refused_and_changes_nothing(review: Any) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h)
    await h.quiet()
    edits_before = len(h.bot_edits("mod-queue"))
    for label in ("Approve", "Remove", "Warn", "Timeout", "Escalate", "Claim"):
        record = await h.click(card.id, label, user="member")
        assert record.ephemeral and "Only moderators" in record.text(), label
        assert record.modal is None
    await h.quiet()
    assert len(h.bot_edits("mod-queue")) == edits_before
    stored = await case_row(h, mid)
    assert stored["state"] == "pending" and stored["claimed_by"] is None
    assert not h.state.message(mid).deleted and not h.dms_to("member")
    assert [r["action"] for r in await h.db.fetchall("SELECT action FROM audit_log")] == ["case.open"]


async def test_configured_role_is_required_when_set(review: Any, fake_discord: Any) -> None:
    role = fake_discord.guild().role_named("Moderator")
    h = await review(overrides={"moderation": {"moderator_role_id": role.id}})
    mid, row, card = await flag_and_wait(h)
    refused = await h.click(card.id, "Approve", user="admin")  # administrator, but not in the role
    assert refused.ephemeral and "Only moderators" in refused.text()
    assert (await case_row(h, mid))["state"] == "pending"
    await h.click(card.id, "Approve", user="moderator")
    await h.wait_for(lambda: not card_for(h, row["id"]).components, message="decided card")
    assert (await case_row(h, mid))["state"] == "approved"


async def test_missing_bot_permission_is_reported_and_case_stays_pending(review: Any, fake_discord: Any) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h)
    await fake_discord.set_bot_permissions(value=BOT_PERMISSIONS & ~perm("manage_messages"))
    guild_id = fake_discord.guild().id
    await h.wait_for(lambda: not h.bot.get_guild(guild_id).me.guild_permissions.manage_messages,
                     message="the permission change to reach the bot")
    record = await h.click(card.id, "Remove", user="moderator")
    card = await h.wait_for(lambda: (c := card_for(h, row["id"])) and field(c, "Note") and c, message="note")
    assert "Manage Messages" in field(card, "Note") and "stays pending" in field(card, "Note")
    assert card.components  # still actionable
    await h.wait_for(lambda: "Manage Messages" in record.text(), message="the moderator is told")
    assert not h.state.message(mid).deleted
    assert (await case_row(h, mid))["state"] == "pending"
    failed = await h.db.fetchone("SELECT * FROM audit_log WHERE action = 'case.remove_failed'")
    assert failed is not None and failed["actor_id"] == h.state.user("moderator").id
    await h.click(card.id, "Approve", user="moderator")  # other decisions still work
    await h.wait_for(lambda: not card_for(h, row["id"]).components, message="decided card")


async def test_timeout_refused_by_role_hierarchy_keeps_case_pending(review: Any) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h, author="admin")  # the admin's role is above the bot's
    opener = await h.click(card.id, "Timeout", user="moderator")
    picked = await h.select(opener.message.id, ["10"], user="moderator")
    await h.wait_for(lambda: "Timeout failed" in (picked.message.content if picked.message else ""), message="why")
    assert (await case_row(h, mid))["state"] == "pending"
    assert "Timeout failed" in field(card_for(h, row["id"]), "Note")


async def test_two_moderators_racing_first_decision_wins(review: Any) -> None:
    h = await review()
    await h.add_member("moderator2", "mo2", "Moderator")
    for _ in range(3):
        mid, row, card = await flag_and_wait(h)
        first = await h.click(card.id, "Remove", user="moderator", wait=False)
        second = await h.click(card.id, "Approve", user="moderator2", wait=False)
        await asyncio.gather(h.await_ack(first, 3, "first"), h.await_ack(second, 3, "second"))
        await h.quiet(0.1)
        stored = await case_row(h, mid)
        assert stored["state"] in ("removed", "approved")
        winner, loser = (first, second) if stored["state"] == "removed" else (second, first)
        assert stored["decided_by"] == winner.user_id
        await h.wait_for(lambda loser=loser: "already" in loser.text(), message="the loser is told")
        assert f"<@{winner.user_id}>" in loser.text()
        decisions = await h.db.fetchall(
            "SELECT action FROM audit_log WHERE case_id = ? AND action IN ('case.remove', 'case.approve')",
            (row["id"],))
        assert len(decisions) == 1
        assert h.state.message(mid).deleted == (stored["state"] == "removed")
    await h.wait_for(lambda: len(h.bot_posts("mod-log")) >= 3, message="three mod-log entries")
    await h.quiet()
    assert len(h.bot_posts("mod-log")) == 3


async def test_forged_case_buttons_are_answered_and_change_nothing(review: Any) -> None:
    """A client can send any custom_id: a case that does not exist, an id out of SQLite's range."""
    h = await review()
    mid, row, card = await flag_and_wait(h)
    await h.quiet()
    for label, forged in (("Approve", "modbot:case:987654321:approve"),
                          ("Remove", "modbot:case:99999999999999999999999:remove"),
                          ("Warn", "modbot:case:987654321:warn")):
        button = h.find_component(card.id, label=label)
        genuine, button["custom_id"] = button["custom_id"], forged
        try:
            record = await h.click(card.id, custom_id=forged, user="moderator")
        finally:
            button["custom_id"] = genuine
        answer = await h.wait_for(lambda r=record: r.text() if r.ephemeral else
                                  next((m.content for m in r.followups if m.ephemeral), None),
                                  message=f"an ephemeral answer to {forged}")
        assert record.modal is None and "there is no case" in answer.lower(), (forged, answer)
    await h.quiet()
    stored = await case_row(h, mid)
    assert stored["state"] == "pending" and not h.state.message(mid).deleted and not h.dms_to("member")
