"""modbot's command tree: declared option limits checked before every command, and one error handler for all.

- :meth:`ModTree.interaction_check` validates every slash command's options against what the command declares
  (:mod:`bot.option_limits`) before discord.py converts them or runs the callback.
- :meth:`ModTree.on_error` answers every failed command with a short ephemeral message (a fresh response, or a
  followup when the interaction was already acknowledged) and logs it once: refusals (limits, checks, unknown
  commands) as one INFO line that names the command and option but never what the member typed; unexpected
  failures as one ERROR record with the traceback.
- :func:`report_failure` is that answer and log line; components and dialogs, whose errors discord.py does not
  route to the tree (``View.on_error``, ``Modal.on_error``, or only a log line for DynamicItems), delegate to it
  (``discord_edge/failures.py``).
- :class:`Refused` is a check failure that carries its own text for the member (e.g. "Only moderators ...").
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import discord
from discord import app_commands

from bot.option_limits import OptionLimitError, check_options

log = logging.getLogger(__name__)

FAILED = "Something went wrong on my side; please try again later."
UNKNOWN_COMMAND = "This command is not available (any more); reload Discord to see the current commands."
NOT_ALLOWED = "You cannot use this command here."
BAD_OPTION = "One of the options is not valid; please pick it again."
RESULT_POSTED = "modbot_result_posted"  # interaction.extras key: the command's answer is out, do not replace it


def command_name(interaction: discord.Interaction[Any]) -> str:
    """``/name`` of the command (or the component/modal custom_id) behind an interaction, for logs."""
    command = interaction.command
    if command is not None:
        return f"/{command.qualified_name}"
    data: Mapping[str, object] = interaction.data or {}
    return str(data.get("name") or data.get("custom_id") or interaction.type.name)


async def answer_failure(interaction: discord.Interaction[Any], text: str) -> None:
    """Tell only the invoker ``text``, whatever state the interaction is in (never raises)."""
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=True)
            return
        if interaction.extras.get(RESULT_POSTED):
            return  # the command's own answer is out: leave it
        if interaction.response.type is discord.InteractionResponseType.deferred_channel_message:
            try:  # a public "thinking..." placeholder cannot turn ephemeral: remove it first
                await interaction.delete_original_response()
            except discord.HTTPException:
                pass
        await interaction.followup.send(text, ephemeral=True)
    except discord.HTTPException as exc:  # expired token, unknown interaction: nothing more can be said
        log.info("could not answer the failed interaction %s: %s", interaction.id, exc.status)


class Refused(app_commands.CheckFailure):
    """A command check said no; ``user_message`` tells the member why (raised by ``app_commands.check`` predicates)."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


def describe_failure(error: Exception) -> tuple[str, bool]:
    """``(text for the member, expected)``: expected failures are refusals, the rest are bugs."""
    if isinstance(error, OptionLimitError | Refused):
        return error.user_message, True
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return UNKNOWN_COMMAND, True
    if isinstance(error, app_commands.TransformerError):
        return BAD_OPTION, True
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {error.retry_after:.0f} s.", True
    if isinstance(error, app_commands.CheckFailure):
        return NOT_ALLOWED, True
    return FAILED, False


def log_failure(interaction: discord.Interaction[Any], error: Exception, *, expected: bool) -> None:
    """One log record per failed interaction (no option values, no message text)."""
    name = command_name(interaction)
    if expected:
        detail = f"option {error.option!r}" if isinstance(error, OptionLimitError) else type(error).__name__
        log.info("refused %s from user %s in guild %s: %s", name, interaction.user.id, interaction.guild_id, detail)
        return
    cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    log.error("%s failed for user %s in guild %s (%s)", name, interaction.user.id, interaction.guild_id,
              type(cause).__name__, exc_info=(type(cause), cause, cause.__traceback__))


async def report_failure(interaction: discord.Interaction[Any], error: Exception) -> None:
    """Answer a failed interaction (command, component or dialog) ephemerally and log it once."""
    text, expected = describe_failure(error)
    log_failure(interaction, error, expected=expected)
    await answer_failure(interaction, text)


class ModTree(app_commands.CommandTree[Any]):
    """The command tree of :class:`bot.app.ModBot` (``tree_cls``)."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Check the declared option limits of a slash command before it runs (raises OptionLimitError)."""
        if interaction.type is discord.InteractionType.application_command:
            command = interaction.command
            if isinstance(command, app_commands.Command):
                check_options(command, interaction.namespace)
        return True

    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError, /) -> None:
        """Answer ephemerally and log once, for every command that failed."""
        await report_failure(interaction, error)
