"""What a click on a case card does: check the moderator, run the action through the service, answer."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.moderation.cards import render_card
from bot.moderation.decisions import Outcome, Status, already_decided_text
from bot.moderation.state import Action
from cogs.interactions import reply_ephemeral
from cogs.views.access import actor_of, is_moderator, refuse
from cogs.views.case_card import card_embed, card_view, timeout_view
from cogs.views.context import moderation_service
from cogs.views.dialogs import WarnModal, open_dialog

log = logging.getLogger(__name__)

NOT_RUNNING = "The review queue is not running right now; try again in a moment."


async def _show_outcome(interaction: discord.Interaction[Any], outcome: Outcome) -> None:
    """Update the clicked message when it is not the posted card (e.g. a /case card); tell the moderator."""
    case = outcome.case
    message = interaction.message
    if case is not None and message is not None and message.id != case.card_message_id and message.embeds:
        config = interaction.client.settings.moderation  # type: ignore[attr-defined]
        content = render_card(case, excerpt_chars=config.excerpt_chars)
        await interaction.edit_original_response(embed=card_embed(content), view=card_view(content))
    if outcome.status is not Status.DONE or case is None or message is None or message.id != case.card_message_id:
        await interaction.followup.send(outcome.message, ephemeral=True)


async def _service_for_moderator(interaction: discord.Interaction[Any]) -> Any:
    """The moderation service when it runs and the user may act; otherwise answer (ephemerally) and return None."""
    service = moderation_service(interaction.client)
    if service is None:
        await reply_ephemeral(interaction, NOT_RUNNING)
        return None
    if not is_moderator(interaction, service.config):
        await refuse(interaction)
        return None
    return service


async def on_case_button(interaction: discord.Interaction[Any], case_id: int, action: Action) -> None:
    """A card button was clicked."""
    service = await _service_for_moderator(interaction)
    if service is None:
        return
    if action in (Action.WARN, Action.TIMEOUT):
        case = await service.cases.get(case_id)
        if case is None or case.guild_id != interaction.guild_id:
            await reply_ephemeral(interaction, f"There is no case #{case_id}.")
        elif not case.is_open:
            await reply_ephemeral(interaction, already_decided_text(case))
        elif action is Action.WARN:
            await open_dialog(interaction, WarnModal(case_id))  # survives restarts: see cogs/views/dialogs.py
        else:
            choices = list(service.config.timeout_choices_minutes)
            await interaction.response.send_message(
                f"Time out <@{case.author_id}> (case #{case_id}) for how long?",
                view=timeout_view(case_id, choices), ephemeral=True,
            )
        return
    await interaction.response.defer()
    outcome = await service.act(case_id, actor_of(interaction), action, guild_id=interaction.guild_id)
    await _show_outcome(interaction, outcome)


async def on_timeout_pick(interaction: discord.Interaction[Any], case_id: int, minutes: int) -> None:
    """A duration was picked in the Timeout select."""
    service = await _service_for_moderator(interaction)
    if service is None:
        return
    await interaction.response.defer()
    outcome = await service.act(case_id, actor_of(interaction), Action.TIMEOUT, guild_id=interaction.guild_id,
                                minutes=minutes)
    await interaction.edit_original_response(content=outcome.message, view=None)


async def on_warn_submit(interaction: discord.Interaction[Any], case_id: int, reason: str) -> None:
    """The Warn dialog was submitted (before or after a restart: dispatched by ``modbot:warn:<case_id>``)."""
    service = await _service_for_moderator(interaction)
    if service is None:
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    outcome = await service.act(case_id, actor_of(interaction), Action.WARN, guild_id=interaction.guild_id,
                                reason=reason)
    await interaction.followup.send(outcome.message, ephemeral=True)
