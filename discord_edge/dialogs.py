"""Dialogs (modals) that survive a restart: everything a submission needs travels in its custom_id.

discord.py only dispatches a modal submission to a Modal object kept in memory, so a Warn or Report dialog opened
before a restart and submitted after it would get no answer. modbot therefore never leaves its modals in
discord.py's store (:func:`open_dialog` removes them right after sending) and handles every submission in an
``on_interaction`` listener that parses the custom_id, the same way before and after a restart:

- ``modbot:warn:<case_id>`` (older ``modbot:warn:<case_id>:<nonce>`` too): the Warn dialog of a case card;
- ``modbot:report:<channel_id>:<message_id>``: the member's "Report to moderators" dialog;
- ``modbot:appeal:<case_id>:text``: the member's Appeal dialog (``discord_edge/appeals.py``), opened from a DM.

The grammar is :mod:`bot.moderation.custom_ids`. Who may submit is the dialog's own ``interaction_check``
(:class:`WarnModal`: moderators), which :func:`dispatch_dialog` runs on a dialog rebuilt from the custom_id, as
discord.py would on one it had kept; a failed handler is answered by :func:`discord_edge.failures.report_failure`.
The text inputs have fixed custom_ids (``reason``), so their values are read from the submission payload.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import discord

from bot.command_tree import answer_failure
from bot.moderation.appeals import APPEAL_TEXT_MAX
from bot.moderation.custom_ids import (
    AppealDialogId,
    ExpiredReportDialogId,
    IdOutOfRange,
    ReportDialogId,
    WarnDialogId,
    parse_custom_id,
)
from bot.moderation.reports import REPORT_REASON_MAX
from discord_edge.access import moderator_check
from discord_edge.failures import ModModal, report_failure

log = logging.getLogger(__name__)

REASON_ID = "reason"
EXPIRED = "This dialog has expired; please open it again."


class WarnModal(ModModal):
    """Asks for the warning text; the submission is handled by :func:`dispatch_dialog` (``modbot:warn:<id>``)."""

    reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Reason (sent to the member)", style=discord.TextStyle.paragraph, max_length=1000, required=True,
        custom_id=REASON_ID,
    )

    def __init__(self, target: WarnDialogId) -> None:
        super().__init__(title=f"Warn about case #{target.case_id}", custom_id=target.custom_id)
        self.target = target

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Moderators only (refused ephemerally)."""
        return await moderator_check(interaction)


class ReportModal(ModModal):
    """Optional reason for a report; handled by :func:`dispatch_dialog` (``modbot:report:<channel>:<message>``)."""

    reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="What is wrong with this message? (optional)", style=discord.TextStyle.paragraph,
        required=False, max_length=REPORT_REASON_MAX, custom_id=REASON_ID,
    )

    def __init__(self, target: ReportDialogId) -> None:
        super().__init__(title="Report to moderators", custom_id=target.custom_id)
        self.target = target


async def open_dialog(interaction: discord.Interaction[Any], modal: discord.ui.Modal) -> None:
    """Show ``modal``, then drop it from discord.py's in-memory store so its submission reaches the listener."""
    await interaction.response.send_modal(modal)
    modal.stop()


def submitted_values(data: Mapping[str, Any]) -> dict[str, str]:
    """Text input values of a modal submission by custom_id (action rows and labels, at any depth)."""
    values: dict[str, str] = {}
    stack = list(data.get("components") or [])
    while stack:
        item = stack.pop()
        if not isinstance(item, Mapping):
            continue
        if isinstance(item.get("custom_id"), str) and isinstance(item.get("value"), str):
            values[item["custom_id"]] = item["value"]
        stack.extend(item.get("components") or [])
        if isinstance(item.get("component"), Mapping):
            stack.append(item["component"])
    return values


WarnHandler = Callable[[discord.Interaction[Any], int, str], Awaitable[None]]
ReportHandler = Callable[[discord.Interaction[Any], int, int, str], Awaitable[None]]
AppealHandler = Callable[[discord.Interaction[Any], int, str], Awaitable[None]]


async def dispatch_dialog(interaction: discord.Interaction[Any], *, on_warn: WarnHandler | None = None,
                          on_report: ReportHandler | None = None, on_appeal: AppealHandler | None = None) -> bool:
    """Handle a modal submission whose custom_id matches a handler given here; True when it was ours."""
    if interaction.type is not discord.InteractionType.modal_submit:
        return False
    data: Mapping[str, Any] = interaction.data or {}
    custom_id = str(data.get("custom_id") or "")
    try:
        target = parse_custom_id(custom_id)
    except IdOutOfRange as exc:  # a forged id SQLite cannot hold: the dialog was never ours
        handlers: dict[str, object] = {"warn": on_warn, "report": on_report, "appeal": on_appeal}
        if handlers.get(exc.kind) is None:  # another listener's dialog, or no dialog's shape at all
            return False
        log.info("dialog with an out-of-range id refused for user %s", interaction.user.id)
        await answer_failure(interaction, EXPIRED)
        return True
    reason = submitted_values(data).get(REASON_ID, "")
    try:
        if isinstance(target, WarnDialogId) and on_warn is not None:
            if await WarnModal(target).interaction_check(interaction):
                await on_warn(interaction, target.case_id, reason)
        elif isinstance(target, ReportDialogId) and on_report is not None:
            await on_report(interaction, target.channel_id, target.message_id, reason[:REPORT_REASON_MAX])
        elif isinstance(target, AppealDialogId) and on_appeal is not None:
            await on_appeal(interaction, target.case_id, reason[:APPEAL_TEXT_MAX])  # who may: checked on submit
        elif isinstance(target, ExpiredReportDialogId) and on_report is not None:
            await answer_failure(interaction, EXPIRED)
        else:
            return False
    except Exception as exc:
        await report_failure(interaction, exc)
    return True
