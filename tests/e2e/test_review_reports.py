"""Member reports through the "Report to moderators" context menu, and edits/deletions of reported messages."""

from __future__ import annotations

from typing import Any

from moderation.doubles import MARKER, card_for, cards, case_row, flag_and_wait
from moderation.doubles import review as review  # noqa: F401  (fixture)

MENU = "Report to moderators"
REASON = "What is wrong with this message? (optional)"


def field(card: Any, name: str) -> str:
    return next((f["value"] for f in card.embeds[0].get("fields", []) if f["name"] == name), "")


async def report(h: Any, message_id: int, user: str, reason: str = "") -> Any:
    opener = await h.context_menu(MENU, message_id, user=user)
    assert opener.modal is not None, opener.text()
    submitted = await h.submit_modal(opener, {REASON: reason})
    await h.wait_for(lambda: "moderators" in submitted.text(), message="the reporter's acknowledgement")
    assert submitted.ephemeral
    return submitted


async def test_report_opens_a_case_and_more_reports_join_it(review: Any) -> None:
    h = await review()
    await h.add_member("reader", "rita")
    mid = await h.post_message("general", "a perfectly calm message", author="admin")
    first = await report(h, mid, "member", "name-calling")
    assert "Thanks" in first.text() and "Case #" not in first.text()
    row = await h.wait_for(lambda: case_row(h, mid), message="the reported case")
    assert row["source"] == "report" and row["labels_json"] == '["reported"]' and row["flagged"] == 0
    card = await h.wait_for(lambda: cards(h), message="the card")
    assert "reported by members" in card[0].embeds[0]["footer"]["text"]
    assert field(card[0], "Member reports") == "1"

    await report(h, mid, "reader")
    again = await report(h, mid, "member", "still bad")
    assert "already reported" in again.text()
    await h.wait_for(lambda: field(card_for(h, row["id"]), "Member reports") == "2", message="count 2")
    await h.quiet()
    assert len(cards(h)) == 1
    reports = await h.db.fetchall("SELECT * FROM mod_reports WHERE case_id = ? ORDER BY id", (row["id"],))
    assert [(r["reporter_id"], r["reason"]) for r in reports] == [
        (h.state.user("member").id, "name-calling"), (h.state.user("reader").id, None)]
    audit = await h.db.fetchall("SELECT actor_id FROM audit_log WHERE action = 'case.report'")
    assert len(audit) == 2


async def test_report_of_a_flagged_message_joins_its_case(review: Any) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h)
    await report(h, mid, "admin", "agree, nasty")
    await h.wait_for(lambda: field(card_for(h, row["id"]), "Member reports") == "1", message="report on the card")
    assert len(cards(h)) == 1
    assert (await h.db.fetchone("SELECT COUNT(*) FROM mod_cases"))[0] == 1


async def test_bot_messages_cannot_be_reported(review: Any) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h)
    record = await h.context_menu(MENU, card.id, user="member", channel="general")
    assert record.modal is None and "Only members" in record.text() and record.ephemeral


async def test_edits_are_rescored_and_deletions_update_the_case(review: Any) -> None:
    h = await review()
    clean = await h.post_message("general", "nice weather today")
    await h.quiet()
    assert not cards(h)
    await h.edit_message(clean, f"actually you are a {MARKER}")
    opened = await h.wait_for(lambda: case_row(h, clean), message="a case opened by the edit")
    assert opened["content"] == f"actually you are a {MARKER}"
    await h.wait_for(lambda: cards(h), message="its card")

    mid, row2, card = await flag_and_wait(h)
    await h.edit_message(mid, "sorry, I take it back")
    await h.wait_for(lambda: "not flagged" in field(card_for(h, row2["id"]), "Message status"), message="edit")
    stored = await case_row(h, mid)
    assert stored["content"] == "sorry, I take it back" and stored["flagged"] == 0 and stored["edit_count"] == 1
    assert stored["state"] == "pending"  # a moderator still decides

    await h.delete_message(mid)
    await h.wait_for(lambda: "Message deleted" in field(card_for(h, row2["id"]), "Message status"), message="del")
    assert (await case_row(h, mid))["message_deleted"] == 1
    await h.click(card.id, "Remove", user="moderator")  # removing a deleted message just closes the case
    await h.wait_for(lambda: not card_for(h, row2["id"]).components, message="closed")
    assert "already deleted" in field(card_for(h, row2["id"]), "Note")


async def test_edit_after_approval_reopens_the_case(review: Any) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h, f"mild {MARKER}")
    await h.click(card.id, "Approve", user="moderator")
    await h.wait_for(lambda: not card_for(h, row["id"]).components, message="approved")
    await h.edit_message(mid, f"much worse {MARKER} now")
    card = await h.wait_for(lambda: (c := card_for(h, row["id"])) and c.components and c, message="reopened card")
    assert "Re-opened" in field(card, "Note")
    assert (await case_row(h, mid))["state"] == "pending"
