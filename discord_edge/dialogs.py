"""Dialogs (modals) that survive a restart: everything a submission needs travels in its custom_id.

discord.py only dispatches a modal submission to a Modal object kept in memory, so a Warn or Report dialog opened
before a restart and submitted after it would get no answer. modbot therefore never leaves its modals in
discord.py's store (:func:`open_dialog` removes them right after sending) and handles every submission in an
``on_interaction`` listener that parses the custom_id, the same way before and after a restart:

- ``modbot:warn:<case_id>`` (older ``modbot:warn:<case_id>:<nonce>`` too): the Warn dialog of a case card;
- ``modbot:report:<channel_id>:<message_id>``: the member's "Report to moderators" dialog.

The text inputs have fixed custom_ids (``reason``), so their values are read from the submission payload.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import discord

from bot.command_tree import FAILED, answer_failure
from bot.moderation.reports import REPORT_REASON_MAX

log = logging.getLogger(__name__)

REASON_ID = "reason"
WARN_ID = re.compile(r"^modbot:warn:(?P<case_id>\d{1,19})(?::\d{1,20})?$")
REPORT_ID = re.compile(r"^modbot:report:(?P<channel_id>\d{1,20}):(?P<message_id>\d{1,20})$")
MAX_ID = 2**63 - 1  # ids are SQLite INTEGERs (and Discord snowflakes fit in 63 bits)
LEGACY_REPORT_ID = re.compile(r"^modbot:report:\d{1,20}$")  # opened by a version that kept the message in memory
EXPIRED = "This dialog has expired; please open it again."


def warn_custom_id(case_id: int) -> str:
    """custom_id of the Warn dialog of ``case_id``."""
    return f"modbot:warn:{case_id}"


def report_custom_id(channel_id: int, message_id: int) -> str:
    """custom_id of the Report dialog of a message."""
    return f"modbot:report:{channel_id}:{message_id}"


class WarnModal(discord.ui.Modal):
    """Asks for the warning text; the submission is handled by :func:`dispatch_dialog` (``modbot:warn:<id>``)."""

    reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Reason (sent to the member)", style=discord.TextStyle.paragraph, max_length=1000, required=True,
        custom_id=REASON_ID,
    )

    def __init__(self, case_id: int) -> None:
        super().__init__(title=f"Warn about case #{case_id}", custom_id=warn_custom_id(case_id))


class ReportModal(discord.ui.Modal):
    """Optional reason for a report; handled by :func:`dispatch_dialog` (``modbot:report:<channel>:<message>``)."""

    reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="What is wrong with this message? (optional)", style=discord.TextStyle.paragraph,
        required=False, max_length=REPORT_REASON_MAX, custom_id=REASON_ID,
    )

    def __init__(self, channel_id: int, message_id: int) -> None:
        super().__init__(title="Report to moderators", custom_id=report_custom_id(channel_id, message_id))


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


async def dispatch_dialog(interaction: discord.Interaction[Any], *, on_warn: WarnHandler | None = None,
                          on_report: ReportHandler | None = None) -> bool:
    """Handle a modal submission whose custom_id matches a handler given here; True when it was ours."""
    if interaction.type is not discord.InteractionType.modal_submit:
        return False
    data: Mapping[str, Any] = interaction.data or {}
    custom_id = str(data.get("custom_id") or "")
    reason = submitted_values(data).get(REASON_ID, "")
    warn, report = WARN_ID.match(custom_id), REPORT_ID.match(custom_id)
    mine = [m for m, handler in ((warn, on_warn), (report, on_report)) if m and handler is not None]
    ids = [int(v) for m in mine for v in m.groupdict().values()]
    if any(v > MAX_ID for v in ids):  # a forged id SQLite cannot hold: the dialog was never ours
        log.info("dialog with an out-of-range id refused for user %s", interaction.user.id)
        await answer_failure(interaction, EXPIRED)
        return True
    try:
        if warn and on_warn is not None:
            await on_warn(interaction, int(warn["case_id"]), reason)
        elif report and on_report is not None:
            channel_id, message_id = int(report["channel_id"]), int(report["message_id"])
            await on_report(interaction, channel_id, message_id, reason[:REPORT_REASON_MAX])
        elif LEGACY_REPORT_ID.match(custom_id) and on_report is not None:
            await answer_failure(interaction, EXPIRED)
        else:
            return False
    except Exception as exc:
        log.error("dialog %s failed for user %s (%s)", custom_id.split(":")[1] if ":" in custom_id else "?",
                  interaction.user.id, type(exc).__name__, exc_info=exc)
        await answer_failure(interaction, FAILED)
    return True
