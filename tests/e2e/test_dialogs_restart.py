"""Dialogs survive a restart: a Warn dialog (moderator) or a Report dialog (member) opened before the bot restarts
and submitted after it is answered and carried out by the new bot instance (same fake Discord, same database)."""

from __future__ import annotations

from typing import Any

import pytest
from moderation.doubles import MARKER, card_for, cards, case_row, flag_and_wait
from moderation.doubles import review as review  # noqa: F401  (fixture)

from cogs.reports import THANKS
from discord_edge.dialogs import EXPIRED, submitted_values

WARN_REASON = "Reason (sent to the member)"
REPORT_REASON = "What is wrong with this message? (optional)"


async def test_warn_dialog_opened_before_a_restart_works_after_it(review: Any) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h)
    opener = await h.click(card.id, "Warn", user="moderator")
    assert opener.modal is not None and opener.modal["custom_id"] == f"modbot:warn:{row['id']}"
    await h.quiet()
    await h.restart()
    submitted = await h.submit_modal(opener, {WARN_REASON: "Keep it civil, please."})
    dms = await h.wait_for(lambda: h.dms_to("member"), message="the warning DM")
    assert "Keep it civil, please." in dms[0].content
    await h.wait_for(lambda: "warned" in submitted.text(), message="the moderator's confirmation")
    assert submitted.ephemeral
    stored = await case_row(h, mid)
    assert stored["state"] == "warned" and stored["decision_reason"] == "Keep it civil, please."
    await h.wait_for(lambda: not card_for(h, row["id"]).components, message="the card decided")


async def test_report_dialog_opened_before_a_restart_files_the_report_after_it(review: Any) -> None:
    h = await review()
    mid = await h.post_message("general", "a calm message someone dislikes", author="admin")
    opener = await h.context_menu("Report to moderators", mid, user="member")
    assert opener.modal is not None
    await h.quiet()
    await h.restart()
    submitted = await h.submit_modal(opener, {REPORT_REASON: "name-calling"})
    await h.wait_for(lambda: THANKS in submitted.text(), message="the reporter's acknowledgement")
    assert submitted.ephemeral
    row = await h.wait_for(lambda: case_row(h, mid), message="the reported case")
    assert row["source"] == "report" and row["content"] == "a calm message someone dislikes"
    reports = await h.db.fetchall("SELECT * FROM mod_reports WHERE case_id = ?", (row["id"],))
    assert [(r["reason"]) for r in reports] == ["name-calling"]
    await h.wait_for(lambda: cards(h), message="the card")


async def test_report_of_a_flagged_message_after_a_restart_joins_its_case(review: Any) -> None:
    h = await review()
    mid, row, _card = await flag_and_wait(h, f"You are a {MARKER} person.")
    opener = await h.context_menu("Report to moderators", mid, user="moderator")
    await h.quiet()
    await h.restart()
    await h.delete_message(mid)  # gone from Discord: the case still knows it
    submitted = await h.submit_modal(opener, {REPORT_REASON: ""})
    await h.wait_for(lambda: THANKS in submitted.text(), message="the acknowledgement")
    assert (await h.db.fetchone("SELECT COUNT(*) FROM mod_reports WHERE case_id = ?", (row["id"],)))[0] == 1


async def test_dialog_of_an_older_version_is_answered(review: Any) -> None:
    h = await review()
    mid = await h.post_message("general", "calm", author="admin")
    opener = await h.context_menu("Report to moderators", mid, user="member")
    assert opener.modal is not None
    opener.modal["custom_id"] = "modbot:report:123456789"  # what the previous version sent: no message in it
    submitted = await h.submit_modal(opener, {REPORT_REASON: ""})
    assert submitted.ephemeral and submitted.content == EXPIRED


@pytest.mark.parametrize("forged", ["modbot:warn:9999999999999999999",
                                    "modbot:report:99999999999999999999:99999999999999999999"])
async def test_forged_out_of_range_dialog_ids_are_answered_without_an_error(review: Any, forged: str) -> None:
    h = await review()
    mid = await h.post_message("general", "calm", author="admin")
    opener = await h.context_menu("Report to moderators", mid, user="member")
    assert opener.modal is not None
    opener.modal["custom_id"] = forged
    submitted = await h.submit_modal(opener, {REPORT_REASON: ""})
    assert submitted.ephemeral and submitted.content == EXPIRED


def test_submitted_values_reads_rows_and_labels() -> None:
    data = {"custom_id": "x", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "reason", "value": "a"}]},
        {"type": 18, "component": {"type": 4, "custom_id": "other", "value": "b"}},
    ]}
    assert submitted_values(data) == {"reason": "a", "other": "b"}
