"""Strikes end to end: the ladder suggests a timeout on the card of the third strike and its button applies it;
decayed strikes are forgotten; moderators are never suggested against; /strikes show and clear."""

from __future__ import annotations

from typing import Any

from moderation.doubles import MARKER, card_for, case_row, flag_and_wait
from moderation.doubles import review as review  # noqa: F401  (fixture)

SUGGESTION = "Timeout 1 hour (3rd strike)"


def field(card: Any, name: str) -> str:
    return next((f["value"] for f in card.embeds[0].get("fields", []) if f["name"] == name), "")


def buttons(message: Any) -> list[str]:
    return [c.get("label") for c in message.component_items()]


async def two_strikes(h: Any, author: str = "member") -> None:
    for i, action in enumerate(("Remove", "Remove")):
        _mid, row, card = await flag_and_wait(h, f"You are a {MARKER} person, {i}.", author=author)
        await h.click(card.id, action, user="admin")
        await h.wait_for(lambda row=row: not card_for(h, row["id"]).components, message="decided")


async def test_third_strike_card_suggests_a_timeout_and_the_button_applies_it(review: Any) -> None:
    h = await review()
    waiting_mid, waiting, waiting_card = await flag_and_wait(h, f"first {MARKER}")  # open while strikes come in
    await two_strikes(h)
    card = await h.wait_for(lambda: (c := card_for(h, waiting["id"])) and SUGGESTION in buttons(c) and c,
                            message="the waiting card refreshed with the suggestion")
    assert field(card, "Strikes").startswith("2 active strikes (last 30 days)")
    member = h.fake.guild().members[h.state.user("member").id]
    assert not member.timed_out()  # suggested, never applied by itself
    await h.click(card.id, SUGGESTION, user="moderator")
    await h.wait_for(lambda: member.timed_out(), message="the timeout")
    stored = await h.wait_for(lambda: _decided(h, waiting_mid), message="the decision stored")  # after the effect
    assert stored["state"] == "timed_out" and stored["decision_reason"] == "Strike ladder: 3rd strike"
    assert (await h.db.fetchone("SELECT COUNT(*) FROM mod_strikes WHERE cleared_at IS NULL"))[0] == 3
    log = await h.wait_for(lambda: [m for m in h.bot_posts("mod-log") if "timed out" in m.content],
                           message="mod-log entry")
    assert "(60 min)" in log[0].content


async def _decided(h: Any, message_id: int) -> Any:
    row = await case_row(h, message_id)
    return row if row is not None and row["state"] != "pending" else None


async def test_decayed_strikes_are_forgotten(review: Any) -> None:
    h = await review()
    await two_strikes(h)
    await h.db.execute("UPDATE mod_strikes SET expires_at = '2000-01-01T00:00:00.000Z'")  # 30 days went by
    _mid, _row, card = await flag_and_wait(h, f"again {MARKER}")
    assert not field(card, "Strikes") and SUGGESTION not in buttons(card)
    shown = await h.slash("strikes show", {"member": "member"}, user="moderator")
    assert "0 active" in shown.text() and shown.text().count("faded") == 2


async def test_moderators_are_never_suggested_against(review: Any) -> None:
    h = await review()
    await two_strikes(h, author="moderator")
    _mid, _row, card = await flag_and_wait(h, f"third {MARKER}", author="moderator")
    assert SUGGESTION not in buttons(card) and "Staff: no ladder suggestion" in field(card, "Strikes")


async def test_strikes_show_for_moderators_and_clear_for_admins_only(review: Any) -> None:
    h = await review()
    await two_strikes(h)
    shown = await h.slash("strikes show", {"member": "member"}, user="moderator")
    assert shown.ephemeral and "2 active" in shown.text()
    refused = await h.slash("strikes show", {"member": "member"}, user="member")
    assert refused.ephemeral and "Only moderators and administrators" in refused.text()
    not_admin = await h.slash("strikes clear", {"member": "member"}, user="moderator")
    assert "Only administrators" in not_admin.text()
    assert (await h.db.fetchone("SELECT COUNT(*) FROM mod_strikes WHERE cleared_at IS NULL"))[0] == 2
    cleared = await h.slash("strikes clear", {"member": "member", "reason": "fresh start"}, user="admin")
    assert "Cleared 2 active strikes" in cleared.text()
    audit = await h.db.fetchone("SELECT * FROM audit_log WHERE action = 'strike.clear'")
    assert audit["actor_id"] == h.state.user("admin").id and audit["reason"] == "fresh start"
    _mid, _row, card = await flag_and_wait(h, f"after clearing {MARKER}")
    assert not field(card, "Strikes")
