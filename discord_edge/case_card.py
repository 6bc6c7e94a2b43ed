"""Case cards on Discord: embed and persistent components (DynamicItems keyed by ``modbot:case:<id>:<action>``).

The components carry all their state in the custom_id, so a card's buttons work after a restart without any
per-message registration; ``cogs/review_queue.py`` registers the classes with ``bot.add_dynamic_items``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.moderation.cards import CardContent, custom_id
from bot.moderation.state import Action

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

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[ModBot], item: discord.ui.Button[Any], match: re.Match[str]
    ) -> CaseActionButton:
        """Rebuild the button from its custom_id (after a restart too)."""
        return cls(int(match["case_id"]), Action(match["action"]), label=item.label, style=item.style)

    async def callback(self, interaction: discord.Interaction[ModBot]) -> None:
        """Hand the click to the review-queue handlers."""
        from discord_edge.handlers import on_case_button

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

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[ModBot], item: discord.ui.Select[Any], match: re.Match[str]
    ) -> TimeoutDurationSelect:
        """Rebuild the select (its chosen values come with the interaction)."""
        return cls(int(match["case_id"]), [int(o.value) for o in item.options if o.value.isdigit()])

    async def callback(self, interaction: discord.Interaction[ModBot]) -> None:
        """Apply the chosen timeout."""
        from discord_edge.handlers import on_timeout_pick

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
