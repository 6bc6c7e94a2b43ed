"""Appeals end to end: the notice DM's Appeal button (a click from a DM: no guild, a user instead of a member) opens
a dialog; the appeal joins the case card with Accept / Deny; the member is told the outcome by DM. Also across a
restart, and refused for anyone but the case's author (appeal) or a moderator (answer)."""

from __future__ import annotations

from typing import Any

from moderation.doubles import card_for, case_row, flag_and_wait
from moderation.doubles import review as review  # noqa: F401  (fixture)

APPEAL_TEXT = "Why should the moderators reconsider?"
WHY = "I was quoting the article, not insulting anyone."


def field(card: Any, name: str) -> str:
    return next((f["value"] for f in card.embeds[0].get("fields", []) if f["name"] == name), "")


def buttons(message: Any) -> list[str]:
    return [c.get("label") for c in message.component_items()]


async def decide_and_get_notice(h: Any, action: str = "Remove") -> tuple[int, Any, Any]:
    mid, row, card = await flag_and_wait(h)
    if action == "Timeout":
        picker = await h.click(card.id, "Timeout", user="moderator")
        await h.select(picker.message.id, ["60"], placeholder="Timeout duration", user="moderator")
    else:
        await h.click(card.id, action, user="moderator")
    notice = (await h.wait_for(lambda: h.dms_to("member"), message="the notice DM"))[-1]
    return mid, row, notice


async def appeal(h: Any, notice: Any, text: str = WHY, user: str = "member") -> Any:
    opener = await h.click(notice.id, "Appeal", user=user)
    assert opener.guild_id is None and "user" in opener.payload and "member" not in opener.payload
    assert opener.modal is not None and opener.modal["custom_id"].endswith(":text")
    return await h.submit_modal(opener, {APPEAL_TEXT: text})


async def test_removal_appeal_from_dm_to_accept(review: Any) -> None:
    h = await review()
    mid, row, notice = await decide_and_get_notice(h, "Remove")
    assert f"removed your message in <#{h.state.channel('general').id}>" in notice.content
    assert "Newsroom" in notice.content and buttons(notice) == ["Appeal"]
    submitted = await appeal(h, notice)
    await h.wait_for(lambda: "sent to the moderators" in submitted.text(), message="the member's confirmation")
    assert submitted.ephemeral
    card = await h.wait_for(lambda: (c := card_for(h, row["id"])) and "Accept appeal" in buttons(c) and c,
                            message="the card shows the appeal")
    assert WHY in field(card, "Appeal") and "Waiting for a moderator" in field(card, "Appeal")
    assert buttons(card) == ["Accept appeal", "Deny appeal"]
    listed = await h.slash("queue", {"appeals": True}, user="moderator")
    assert f"#{row['id']}" in listed.embeds[0]["description"] and "1 pending appeal" in listed.embeds[0]["description"]
    answer = await h.click(card.id, "Accept appeal", user="moderator")
    await h.wait_for(lambda: "accepted" in answer.text(), message="the moderator's confirmation")
    assert "cannot be restored" in answer.text()
    outcome = await h.wait_for(lambda: len(h.dms_to("member")) == 2 and h.dms_to("member")[-1], message="outcome DM")
    assert "was **accepted**" in outcome.content and not outcome.components
    card = await h.wait_for(lambda: (c := card_for(h, row["id"])) and not c.components and c, message="answered")
    assert "**Accepted** by" in field(card, "Appeal")
    audit = [r["action"] for r in await h.db.fetchall("SELECT action FROM audit_log WHERE case_id = ? ORDER BY id",
                                                      (row["id"],))]
    audit = [action for action in audit if action != "case.message_deleted"]  # the removal's own gateway echo
    assert audit == ["case.open", "case.remove", "strike.add", "appeal.open", "appeal.accept"]
    strike = await h.db.fetchone("SELECT * FROM mod_strikes WHERE case_id = ?", (row["id"],))
    assert strike["cleared_by"] == h.state.user("moderator").id
    again = await h.click(notice.id, "Appeal", user="member")
    assert again.modal is None and "already appealed" in again.text()


async def test_timeout_appeal_accepted_lifts_the_timeout(review: Any) -> None:
    h = await review()
    guild = h.fake.guild()
    member = guild.members[h.state.user("member").id]
    _mid, row, notice = await decide_and_get_notice(h, "Timeout")
    assert "timed you out for 1 hour" in notice.content
    await h.wait_for(lambda: member.timed_out(), message="the timeout")
    submitted = await appeal(h, notice)
    await h.wait_for(lambda: "sent to the moderators" in submitted.text(), message="the confirmation")
    card = await h.wait_for(lambda: (c := card_for(h, row["id"])) and "Accept appeal" in buttons(c) and c,
                            message="the appeal on the card")
    answer = await h.click(card.id, "Accept appeal", user="moderator")
    await h.wait_for(lambda: "timeout was lifted" in answer.text(), message="lifted")
    assert member.communication_disabled_until is None and not member.timed_out()


async def test_denied_appeal_after_a_restart(review: Any) -> None:
    h = await review()
    _mid, row, notice = await _warned(h)
    opener = await h.click(notice.id, "Appeal", user="member")
    await h.quiet()
    await h.restart()  # the dialog was opened before the restart and is submitted after it
    submitted = await h.submit_modal(opener, {APPEAL_TEXT: WHY})
    await h.wait_for(lambda: "sent to the moderators" in submitted.text(), message="the confirmation")
    card = await h.wait_for(lambda: (c := card_for(h, row["id"])) and "Deny appeal" in buttons(c) and c,
                            message="the appeal on the card")
    await h.quiet()
    await h.restart()  # Accept / Deny still work after another restart
    answer = await h.click(card.id, "Deny appeal", user="moderator")
    await h.wait_for(lambda: "denied" in answer.text(), message="denied")
    outcome = await h.wait_for(lambda: len(h.dms_to("member")) == 2 and h.dms_to("member")[-1], message="outcome")
    assert "was **denied**" in outcome.content
    assert (await h.db.fetchone("SELECT state FROM mod_appeals"))["state"] == "denied"
    strike = await h.db.fetchone("SELECT * FROM mod_strikes WHERE case_id = ?", (row["id"],))
    assert strike["cleared_at"] is None


async def _warned(h: Any) -> tuple[int, Any, Any]:
    mid, row, card = await flag_and_wait(h)
    opener = await h.click(card.id, "Warn", user="moderator")
    await h.submit_modal(opener, {"Reason (sent to the member)": "Keep it civil, please."})
    notice = (await h.wait_for(lambda: h.dms_to("member"), message="the warning DM"))[-1]
    assert "Keep it civil, please." in notice.content and buttons(notice) == ["Appeal"]
    await h.quiet()
    await h.restart()  # the DM's button works after a restart
    return mid, row, notice


async def test_appeal_button_after_a_restart(review: Any) -> None:
    h = await review()
    _mid, row, notice = await _warned(h)
    submitted = await appeal(h, notice)
    await h.wait_for(lambda: "sent to the moderators" in submitted.text(), message="the confirmation")
    assert (await h.db.fetchone("SELECT * FROM mod_appeals"))["case_id"] == row["id"]


async def test_only_the_author_may_appeal_and_only_moderators_answer(review: Any) -> None:
    h = await review()
    mid, row, notice = await decide_and_get_notice(h, "Remove")
    stranger = await h.click(notice.id, "Appeal", user="moderator")  # a forwarded DM, someone else clicking
    assert stranger.modal is None and "your own message" in stranger.text() and stranger.ephemeral
    submitted = await appeal(h, notice)
    await h.wait_for(lambda: "sent to the moderators" in submitted.text(), message="the confirmation")
    card = await h.wait_for(lambda: (c := card_for(h, row["id"])) and "Accept appeal" in buttons(c) and c,
                            message="the appeal on the card")
    refused = await h.click(card.id, "Accept appeal", user="member")
    assert refused.ephemeral and "Only moderators" in refused.text()
    assert (await h.db.fetchone("SELECT state FROM mod_appeals"))["state"] == "pending"
    assert len(h.dms_to("member")) == 1


async def test_no_appeal_switch_makes_the_decision_final(review: Any) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h)
    switch = await h.click(card.id, "No appeal", user="moderator")
    assert "final" in switch.text()
    card = await h.wait_for(lambda: (c := card_for(h, row["id"])) and "Allow appeal" in buttons(c) and c,
                            message="the switch on the card")
    assert "Off for this decision" in field(card, "Appeals")
    await h.click(card.id, "Remove", user="moderator")
    notice = (await h.wait_for(lambda: h.dms_to("member"), message="the notice"))[-1]
    assert not notice.components and "appeal" not in notice.content.lower()
    assert (await case_row(h, mid))["appealable"] == 0
