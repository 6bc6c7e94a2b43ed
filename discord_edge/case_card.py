"""Case cards on Discord: embed and persistent components (DynamicItems keyed by ``modbot:case:<id>:<action>``),
and what a click does (check the moderator, run the action through the moderation service, answer).

The components carry all their state in the custom_id, so a card's buttons work after a restart without any
per-message registration; ``cogs/review_queue.py`` registers the classes with ``bot.add_dynamic_items``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.moderation.cards import CardContent, custom_id, render_card
from bot.moderation.decisions import Outcome, Status, already_decided_text
from bot.moderation.service import ModerationService
from bot.moderation.state import Action
from discord_edge.access import actor_of, is_moderator, refuse
from discord_edge.dialogs import WarnModal, open_dialog
from discord_edge.interactions import reply_ephemeral

if TYPE_CHECKING:
    from bot.app import ModBot

_STYLES = {
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
}
_ACTIONS = "|".join(action.value for action in Action)


def card_embed(content: CardContent) -> discord.Embed:
    """The embed of a case card."""
    embed = discord.Embed(title=content.title, description=content.description[:4096], color=content.color,
                          url=content.url)
    for item in content.fields[:25]:
        embed.add_field(name=item.name[:256], value=item.value[:1024] or "\u2014", inline=item.inline)
    embed.set_footer(text=content.footer[:2048])
    return embed


def card_view(content: CardContent) -> discord.ui.View | None:
    """Buttons for an open case (None once decided: the card loses its buttons)."""
    if not content.buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in content.buttons:
        view.add_item(CaseActionButton(int(button.custom_id.split(":")[2]), Action(button.action),
                                       label=button.label, style=_STYLES[button.style]))
    return view


class CaseActionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"modbot:case:(?P<case_id>\d+):(?P<action>{_ACTIONS})",
):
    """A card button: Approve, Remove, Warn, Timeout, Escalate or Claim."""

    def __init__(self, case_id: int, action: Action, *, label: str | None = None,
                 style: discord.ButtonStyle = discord.ButtonStyle.secondary) -> None:
        super().__init__(discord.ui.Button(label=label or action.label, style=style,
                                           custom_id=custom_id(case_id, action)))
        self.case_id = case_id
        self.action = action

    # [override]: discord.py types the interaction for any client (a method-level TypeVar) and the item as any
    # Item; it calls these with ModBot's own interaction and the component type the template matched.
    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[ModBot],  # type: ignore[override]
        item: discord.ui.Button[Any],  # type: ignore[override]
        match: re.Match[str],
    ) -> CaseActionButton:
        """Rebuild the button from its custom_id (after a restart too)."""
        return cls(int(match["case_id"]), Action(match["action"]), label=item.label, style=item.style)

    async def callback(self, interaction: discord.Interaction[ModBot]) -> None:  # type: ignore[override]  # ^
        """Act on the case (or open the Warn dialog / Timeout picker)."""
        await on_case_button(interaction, self.case_id, self.action)


class TimeoutDurationSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"modbot:case:(?P<case_id>\d+):timeout_pick",
):
    """The duration picker the Timeout button opens (ephemeral)."""

    def __init__(self, case_id: int, choices: list[int] | None = None) -> None:
        options = [discord.SelectOption(label=format_minutes(m), value=str(m)) for m in (choices or [10])[:25]]
        super().__init__(discord.ui.Select(placeholder="Timeout duration", options=options,
                                           custom_id=f"modbot:case:{case_id}:timeout_pick"))
        self.case_id = case_id

    # [override]: discord.py types the interaction for any client (a method-level TypeVar) and the item as any
    # Item; it calls these with ModBot's own interaction and the component type the template matched.
    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[ModBot],  # type: ignore[override]
        item: discord.ui.Select[Any],  # type: ignore[override]
        match: re.Match[str],
    ) -> TimeoutDurationSelect:
        """Rebuild the select (its chosen values come with the interaction)."""
        return cls(int(match["case_id"]), [int(o.value) for o in item.options if o.value.isdigit()])

    async def callback(self, interaction: discord.Interaction[ModBot]) -> None:  # type: ignore[override]  # ^
        """Apply the chosen timeout."""
        values = self.item.values
        await on_timeout_pick(interaction, self.case_id, int(values[0]) if values else 0)


def format_minutes(minutes: int) -> str:
    """``10 minutes``, ``1 hour``, ``1 day``, ``1 week``."""
    for size, unit in ((10080, "week"), (1440, "day"), (60, "hour")):
        if minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def timeout_view(case_id: int, choices: list[int]) -> discord.ui.View:
    """The ephemeral view holding the duration select."""
    view = discord.ui.View(timeout=None)
    view.add_item(TimeoutDurationSelect(case_id, choices))
    return view


# ----- what a click does ----------------------------------------------------------------------------------------

async def _show_outcome(interaction: discord.Interaction[ModBot], outcome: Outcome) -> None:
    """Update the clicked message when it is not the posted card (e.g. a /case card); tell the moderator."""
    case = outcome.case
    message = interaction.message
    if case is not None and message is not None and message.id != case.card_message_id and message.embeds:
        content = render_card(case, excerpt_chars=interaction.client.settings.moderation.excerpt_chars)
        await interaction.edit_original_response(embed=card_embed(content), view=card_view(content))
    if outcome.status is not Status.DONE or case is None or message is None or message.id != case.card_message_id:
        await interaction.followup.send(outcome.message, ephemeral=True)


async def _service_for_moderator(interaction: discord.Interaction[ModBot]) -> ModerationService | None:
    """The moderation service when the user may act; otherwise answer (ephemerally) and return None."""
    service = interaction.client.moderation
    if not is_moderator(interaction):
        await refuse(interaction)
        return None
    return service


async def on_case_button(interaction: discord.Interaction[ModBot], case_id: int, action: Action) -> None:
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
            await open_dialog(interaction, WarnModal(case_id))  # survives restarts: see discord_edge/dialogs.py
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


async def on_timeout_pick(interaction: discord.Interaction[ModBot], case_id: int, minutes: int) -> None:
    """A duration was picked in the Timeout select."""
    service = await _service_for_moderator(interaction)
    if service is None:
        return
    await interaction.response.defer()
    outcome = await service.act(case_id, actor_of(interaction), Action.TIMEOUT, guild_id=interaction.guild_id,
                                minutes=minutes)
    await interaction.edit_original_response(content=outcome.message, view=None)


async def on_warn_submit(interaction: discord.Interaction[ModBot], case_id: int, reason: str) -> None:
    """The Warn dialog was submitted (before or after a restart: dispatched by ``modbot:warn:<case_id>``)."""
    service = await _service_for_moderator(interaction)
    if service is None:
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    outcome = await service.act(case_id, actor_of(interaction), Action.WARN, guild_id=interaction.guild_id,
                                reason=reason)
    await interaction.followup.send(outcome.message, ephemeral=True)
