"""Review queue end to end: a flagged reply becomes one case and one card; each button acts and updates the card."""

from __future__ import annotations

from typing import Any

from moderation.doubles import MARKER, card_for, cards, case_row, flag_and_wait
from moderation.doubles import review as review  # noqa: F401  (fixture)


def field(card: Any, name: str) -> str:
    return next((f["value"] for f in card.embeds[0].get("fields", []) if f["name"] == name), "")


def buttons(card: Any) -> list[str]:
    return [c.get("label") for c in card.component_items()]


async def test_flagged_reply_becomes_one_case_and_one_card(review: Any) -> None:
    h = await review()
    await h.post_message("general", "a calm reply")
    mid = await h.post_message("general", f"This is fine. You are a {MARKER} person. Bye.")
    card = (await h.wait_for(lambda: cards(h), message="a case card"))[0]
    await h.quiet()
    assert len(cards(h)) == 1
    rows = await h.db.fetchall("SELECT * FROM mod_cases")
    assert len(rows) == 1 and rows[0]["message_id"] == mid and rows[0]["card_message_id"] == card.id
    embed = card.embeds[0]
    assert embed["title"] == f"Case #{rows[0]['id']} \u00b7 Pending"
    assert f"**You are a {MARKER} person**" in embed["description"]
    assert f"<@{h.state.user('member').id}>" in field(card, "Author")
    assert f"/{mid})" in field(card, "Message")  # jump link
    assert "toxicity 0.91" in field(card, "Scores") and "test marker" in field(card, "Reasons")
    assert buttons(card) == ["Approve", "Remove", "Warn", "Timeout", "Escalate", "Claim", "No appeal"]
    assert sorted(h.scorer.calls) == [["This is fine. You are a " + MARKER + " person. Bye."], ["a calm reply"]]


async def test_approve_updates_card_in_place_and_logs(review: Any) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h)
    record = await h.click(card.id, "Approve", user="moderator")
    assert not record.followups  # the card itself is the answer
    card = await h.wait_for(lambda: (c := h.state.message(card.id)) and not c.components and c, message="edit")
    mod = h.state.user("moderator").id
    assert card.embeds[0]["title"].endswith("Approved")
    assert f"**Approved** by <@{mod}>" in field(card, "Status") and "<t:" in field(card, "Status")
    assert (await case_row(h, mid))["state"] == "approved"
    log = await h.wait_for(lambda: h.bot_posts("mod-log"), message="mod-log entry")
    assert f"<@{mod}> approved" in log[0].content
    audit = await h.db.fetchall("SELECT * FROM audit_log WHERE case_id = ? ORDER BY id", (row["id"],))
    assert [a["action"] for a in audit] == ["case.open", "case.approve"] and audit[1]["actor_id"] == mod
    assert not h.state.message(mid).deleted


async def test_remove_deletes_the_message(review: Any) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h)
    await h.click(card.id, "Remove", user="moderator")
    await h.wait_for(lambda: h.state.message(mid).deleted, message="the message deleted")
    card = await h.wait_for(lambda: (c := card_for(h, row["id"])) and not c.components and c, message="card")
    assert card.embeds[0]["title"].endswith("Removed")
    assert (await case_row(h, mid))["state"] == "removed"
    assert any(e.message_id == mid for e in h.bot_deletes("general"))


async def test_warn_opens_a_modal_and_dms_the_member(review: Any) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h)
    opener = await h.click(card.id, "Warn", user="moderator")
    assert opener.modal is not None
    submitted = await h.submit_modal(opener, {"Reason (sent to the member)": "Keep it civil, please."})
    dms = await h.wait_for(lambda: h.dms_to("member"), message="the warning DM")
    assert "Keep it civil, please." in dms[0].content and "Newsroom" in dms[0].content
    await h.wait_for(lambda: "warned" in submitted.text(), message="the moderator's confirmation")
    assert submitted.ephemeral
    card = card_for(h, row["id"])
    assert card.embeds[0]["title"].endswith("Warned") and not card.components
    assert "Keep it civil" in field(card, "Status")
    stored = await case_row(h, mid)
    assert stored["state"] == "warned" and stored["decision_reason"] == "Keep it civil, please."


async def test_warn_with_closed_dms_is_recorded_with_a_note(review: Any, fake_discord: Any) -> None:
    h = await review()
    fake_discord.block_dms("member")
    mid, row, card = await flag_and_wait(h)
    opener = await h.click(card.id, "Warn", user="moderator")
    await h.submit_modal(opener, {"Reason (sent to the member)": "Stop."})
    await h.wait_for(lambda: not card_for(h, row["id"]).components, message="card decided")
    assert "could not be sent a DM" in field(card_for(h, row["id"]), "Note")
    assert (await case_row(h, mid))["state"] == "warned"


async def test_timeout_select_times_the_member_out(review: Any, fake_discord: Any) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h)
    opener = await h.click(card.id, "Timeout", user="moderator")
    picker = opener.message
    assert picker is not None and picker.ephemeral
    labels = [o["label"] for o in h.find_component(picker.id, types=(3,))["options"]]
    assert labels == ["10 minutes", "1 hour", "1 day", "1 week"]
    picked = await h.select(picker.id, ["60"], user="moderator")
    await h.wait_for(lambda: "timed out" in (picked.message.content if picked.message else ""), message="answer")
    member = fake_discord.guild().members[h.state.user("member").id]
    assert member.timed_out()
    card = card_for(h, row["id"])
    assert card.embeds[0]["title"].endswith("Timed out") and not card.components
    assert (await case_row(h, mid))["state"] == "timed_out"
    detail = await h.db.fetchone("SELECT detail FROM audit_log WHERE action = 'case.timeout'")
    assert '"minutes": 60' in detail["detail"]


async def test_escalate_then_claim_then_decide(review: Any) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h)
    await h.click(card.id, "Escalate", user="moderator")
    card = await h.wait_for(lambda: (c := card_for(h, row["id"])) and c.embeds[0]["title"].endswith("Escalated")
                            and c, message="escalated card")
    assert buttons(card) == ["Approve", "Remove", "Warn", "Timeout", "Claim", "No appeal"]
    await h.click(card.id, "Claim", user="admin")
    admin = h.state.user("admin").id
    card = await h.wait_for(lambda: (c := card_for(h, row["id"])) and "Claim" not in buttons(c) and c,
                            message="claimed card")
    assert f"Claimed by <@{admin}>" in field(card, "Status")
    await h.click(card.id, "Approve", user="admin")
    await h.wait_for(lambda: not card_for(h, row["id"]).components, message="decided")
    stored = await case_row(h, mid)
    assert stored["state"] == "approved" and stored["decided_by"] == admin and stored["claimed_by"] == admin
    actions = [r["action"] for r in await h.db.fetchall("SELECT action FROM audit_log WHERE case_id = ? ORDER BY id",
                                                        (row["id"],))]
    assert actions == ["case.open", "case.escalate", "case.claim", "case.approve"]
    # escalate + approve (claims are audited, not logged); the approve entry is posted after the card edit
    await h.wait_for(lambda: len(h.bot_posts("mod-log")) >= 2, message="two mod-log entries")
    await h.quiet()
    assert len(h.bot_posts("mod-log")) == 2


async def test_automatic_removal_by_severity_still_queues_for_review(review: Any) -> None:
    h = await review(overrides={"moderation": {"auto_actions": {"high": "remove"}}})
    severe, row, card = await flag_and_wait(h, f"SEVERE {MARKER} rant")
    mild, mild_row, mild_card = await flag_and_wait(h, f"mild {MARKER}")
    assert h.state.message(severe).deleted and not h.state.message(mild).deleted
    assert "Automatic action: removed" in field(card, "Message status") and card.components
    stored = await case_row(h, severe)
    assert stored["state"] == "pending" and stored["auto_action"] == "removed"
    assert "Automatic action" not in field(mild_card, "Message status")
    await h.click(card.id, "Approve", user="moderator")  # a moderator reviews the automatic removal
    await h.wait_for(lambda: not card_for(h, row["id"]).components, message="reviewed")
