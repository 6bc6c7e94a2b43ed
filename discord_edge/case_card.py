"""Case cards on Discord: embed and persistent components (DynamicItems keyed by ``modbot:case:<id>:<action>``),
and what a click does (run the action through moderation review, answer). Who may click is declared once, by
:class:`discord_edge.items.ModeratorItem`; a failed callback is answered by
:func:`discord_edge.failures.report_failure`.

The components carry all their state in the custom_id, so a card's buttons work after a restart without any
per-message registration; ``cogs/review_queue.py`` registers the classes with ``bot.add_dynamic_items``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.moderation.cards import CardButton, CardContent
from bot.moderation.custom_ids import (
    APPEAL_DECISION_TEMPLATE,
    APPEALS_TOGGLE_TEMPLATE,
    CASE_BUTTON_TEMPLATE,
    LADDER_BUTTON_TEMPLATE,
    TIMEOUT_PICK_TEMPLATE,
    AppealDecisionId,
    AppealsToggleId,
    CaseButtonId,
    LadderButtonId,
    TimeoutPickId,
    WarnDialogId,
)
from bot.moderation.decisions import Outcome, Status, already_decided_text
from bot.moderation.state import Action
from bot.moderation.strikes import format_minutes
from discord_edge.access import actor_of
from discord_edge.dialogs import WarnModal, open_dialog
from discord_edge.failures import ModView, answers_failures
from discord_edge.interactions import reply_ephemeral
from discord_edge.items import ModeratorItem

if TYPE_CHECKING:
    from bot.app import ModBot

_STYLES = {
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
}


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
    view = ModView(timeout=None)
    for button in content.buttons:
        view.add_item(card_item(button))
    return view


def card_item(button: CardButton) -> discord.ui.Item[Any]:
    """The component of a card button, by what it targets."""
    target, style = button.target, _STYLES[button.style]
    if isinstance(target, CaseButtonId):
        return CaseActionButton(target, label=button.label, style=style)
    if isinstance(target, LadderButtonId):
        return LadderButton(target, label=button.label)
    if isinstance(target, AppealsToggleId):
        return AppealsToggleButton(target, label=button.label)
    if isinstance(target, AppealDecisionId):
        return AppealDecisionButton(target, label=button.label, style=style)
    raise TypeError(f"no card component for {target!r}")


class CaseActionButton(ModeratorItem[discord.ui.Button[Any]], template=CASE_BUTTON_TEMPLATE):
    """A card button: Approve, Remove, Warn, Timeout, Escalate or Claim (moderators only)."""

    def __init__(self, target: CaseButtonId, *, label: str | None = None,
                 style: discord.ButtonStyle = discord.ButtonStyle.secondary) -> None:
        super().__init__(discord.ui.Button(label=label or target.action.label, style=style,
                                           custom_id=target.custom_id))
        self.target = target

    @classmethod
    def rebuild(cls, item: discord.ui.Button[Any], match: re.Match[str]) -> CaseActionButton:
        """From the custom_id, with the label and style the card showed."""
        return cls(CaseButtonId.from_match(match), label=item.label, style=item.style)

    @classmethod
    def placeholder(cls, item: discord.ui.Button[Any], match: re.Match[str]) -> CaseActionButton:
        """For a forged case id."""
        return cls(CaseButtonId(0, Action(match["action"])), label=item.label, style=item.style)

    @answers_failures
    async def callback(self, interaction: discord.Interaction[ModBot]) -> None:  # type: ignore[override]
        """Act on the case (or open the Warn dialog / Timeout picker)."""
        await on_case_button(interaction, self.target)


class TimeoutDurationSelect(ModeratorItem[discord.ui.Select[Any]], template=TIMEOUT_PICK_TEMPLATE):
    """The duration picker the Timeout button opens (ephemeral; moderators only)."""

    def __init__(self, target: TimeoutPickId, choices: list[int] | None = None) -> None:
        options = [discord.SelectOption(label=format_minutes(m), value=str(m)) for m in (choices or [10])[:25]]
        super().__init__(discord.ui.Select(placeholder="Timeout duration", options=options,
                                           custom_id=target.custom_id))
        self.target = target

    @classmethod
    def rebuild(cls, item: discord.ui.Select[Any], match: re.Match[str]) -> TimeoutDurationSelect:
        """From the custom_id (the chosen values come with the interaction)."""
        return cls(TimeoutPickId.from_match(match), _choices(item))

    @classmethod
    def placeholder(cls, item: discord.ui.Select[Any], match: re.Match[str]) -> TimeoutDurationSelect:
        """For a forged case id."""
        return cls(TimeoutPickId(0), _choices(item))

    @answers_failures
    async def callback(self, interaction: discord.Interaction[ModBot]) -> None:  # type: ignore[override]
        """Apply the chosen timeout."""
        values = self.item.values
        await on_timeout_pick(interaction, self.target.case_id, int(values[0]) if values else 0)


def _choices(item: discord.ui.Select[Any]) -> list[int]:
    return [int(o.value) for o in item.options if o.value.isdigit()]


def timeout_view(case_id: int, choices: list[int]) -> discord.ui.View:
    """The ephemeral view holding the duration select."""
    view = ModView(timeout=None)
    view.add_item(TimeoutDurationSelect(TimeoutPickId(case_id), choices))
    return view


class LadderButton(ModeratorItem[discord.ui.Button[Any]], template=LADDER_BUTTON_TEMPLATE):
    """The strike ladder's suggested timeout ("Timeout 1 hour (3rd strike)"), applied as a normal decision."""

    def __init__(self, target: LadderButtonId, *, label: str | None = None) -> None:
        super().__init__(discord.ui.Button(label=label or f"Timeout {format_minutes(target.minutes)}",
                                           style=discord.ButtonStyle.danger, custom_id=target.custom_id))
        self.target = target

    @classmethod
    def rebuild(cls, item: discord.ui.Button[Any], match: re.Match[str]) -> LadderButton:
        """From the custom_id, with the card's caption."""
        return cls(LadderButtonId.from_match(match), label=item.label)

    @classmethod
    def placeholder(cls, item: discord.ui.Button[Any], match: re.Match[str]) -> LadderButton:
        """For a forged case id or length."""
        return cls(LadderButtonId(0, 1), label=item.label)

    @answers_failures
    async def callback(self, interaction: discord.Interaction[ModBot]) -> None:  # type: ignore[override]
        """Apply the suggested timeout if the ladder still suggests it."""
        await interaction.response.defer()
        outcome = await interaction.client.moderation.review.apply_ladder(
            self.target.case_id, actor_of(interaction), self.target.minutes, guild_id=interaction.guild_id)
        await _show_outcome(interaction, outcome)


class AppealsToggleButton(ModeratorItem[discord.ui.Button[Any]], template=APPEALS_TOGGLE_TEMPLATE):
    """"No appeal" / "Allow appeal": whether the member may appeal the case's coming decision."""

    def __init__(self, target: AppealsToggleId, *, label: str | None = None) -> None:
        super().__init__(discord.ui.Button(label=label or ("Allow appeal" if target.appealable else "No appeal"),
                                           style=discord.ButtonStyle.secondary, custom_id=target.custom_id))
        self.target = target

    @classmethod
    def rebuild(cls, item: discord.ui.Button[Any], match: re.Match[str]) -> AppealsToggleButton:
        """From the custom_id."""
        return cls(AppealsToggleId.from_match(match), label=item.label)

    @classmethod
    def placeholder(cls, item: discord.ui.Button[Any], match: re.Match[str]) -> AppealsToggleButton:
        """For a forged case id."""
        return cls(AppealsToggleId(0, False), label=item.label)

    @answers_failures
    async def callback(self, interaction: discord.Interaction[ModBot]) -> None:  # type: ignore[override]
        """Store the setting (the card shows it); tell the moderator."""
        text = await interaction.client.moderation.review.set_appealable(
            self.target.case_id, actor_of(interaction), self.target.appealable, guild_id=interaction.guild_id)
        await reply_ephemeral(interaction, text)


class AppealDecisionButton(ModeratorItem[discord.ui.Button[Any]], template=APPEAL_DECISION_TEMPLATE):
    """Accept or Deny a member's appeal (moderators only; the first answer wins)."""

    def __init__(self, target: AppealDecisionId, *, label: str | None = None,
                 style: discord.ButtonStyle = discord.ButtonStyle.secondary) -> None:
        super().__init__(discord.ui.Button(label=label or ("Accept appeal" if target.accept else "Deny appeal"),
                                           style=style, custom_id=target.custom_id))
        self.target = target

    @classmethod
    def rebuild(cls, item: discord.ui.Button[Any], match: re.Match[str]) -> AppealDecisionButton:
        """From the custom_id, with the card's caption and style."""
        return cls(AppealDecisionId.from_match(match), label=item.label, style=item.style)

    @classmethod
    def placeholder(cls, item: discord.ui.Button[Any], match: re.Match[str]) -> AppealDecisionButton:
        """For a forged case id."""
        return cls(AppealDecisionId(0, match["answer"] == "accept"), label=item.label, style=item.style)

    @answers_failures
    async def callback(self, interaction: discord.Interaction[ModBot]) -> None:  # type: ignore[override]
        """Answer the appeal; the member is told by DM, the card updated."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await interaction.client.moderation.review.decide_appeal(
            self.target.case_id, actor_of(interaction), self.target.accept, guild_id=interaction.guild_id)
        await interaction.followup.send(result.message, ephemeral=True)


# ----- what a click does ----------------------------------------------------------------------------------------

async def _show_outcome(interaction: discord.Interaction[ModBot], outcome: Outcome) -> None:
    """Update the clicked message when it is not the posted card (e.g. a /case card); tell the moderator."""
    case = outcome.case
    message = interaction.message
    if case is not None and message is not None and message.id != case.card_message_id and message.embeds:
        content = await interaction.client.moderation.review.render(case)
        await interaction.edit_original_response(embed=card_embed(content), view=card_view(content))
    if outcome.status is not Status.DONE or case is None or message is None or message.id != case.card_message_id:
        await interaction.followup.send(outcome.message, ephemeral=True)


async def on_case_button(interaction: discord.Interaction[ModBot], target: CaseButtonId) -> None:
    """A moderator clicked a card button."""
    review, case_id, action = interaction.client.moderation.review, target.case_id, target.action
    if action in (Action.WARN, Action.TIMEOUT):
        case = await review.case(case_id, interaction.guild_id)
        if case is None:
            await reply_ephemeral(interaction, f"There is no case #{case_id}.")
        elif not case.is_open:
            await reply_ephemeral(interaction, already_decided_text(case))
        elif action is Action.WARN:
            await open_dialog(interaction, WarnModal(WarnDialogId(case_id)))  # survives restarts: see dialogs.py
        else:
            choices = review.timeout_choices(case.guild_id)
            await interaction.response.send_message(
                f"Time out <@{case.author_id}> (case #{case_id}) for how long?",
                view=timeout_view(case_id, choices), ephemeral=True,
            )
        return
    await interaction.response.defer()
    outcome = await review.act(case_id, actor_of(interaction), action, guild_id=interaction.guild_id)
    await _show_outcome(interaction, outcome)


async def on_timeout_pick(interaction: discord.Interaction[ModBot], case_id: int, minutes: int) -> None:
    """A moderator picked a duration in the Timeout select."""
    await interaction.response.defer()
    outcome = await interaction.client.moderation.review.act(case_id, actor_of(interaction), Action.TIMEOUT,
                                                             guild_id=interaction.guild_id, minutes=minutes)
    await interaction.edit_original_response(content=outcome.message, view=None)


async def on_warn_submit(interaction: discord.Interaction[ModBot], case_id: int, reason: str) -> None:
    """A moderator submitted the Warn dialog (before or after a restart: see :func:`dispatch_dialog`)."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    outcome = await interaction.client.moderation.review.act(case_id, actor_of(interaction), Action.WARN,
                                                             guild_id=interaction.guild_id, reason=reason)
    await interaction.followup.send(outcome.message, ephemeral=True)
