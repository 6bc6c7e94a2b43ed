"""The member's side of appeals: the Appeal button of a notice DM (``modbot:appeal:<case_id>``) and its dialog
(``modbot:appeal:<case_id>:text``).

Both work after a restart: the button is a DynamicItem (registered by ``cogs/review_queue.py``) and the dialog is
handled from its custom_id by :func:`discord_edge.dialogs.dispatch_dialog`. The click arrives from a DM (no guild,
``interaction.user`` is a ``discord.User``), so who may appeal is checked against the case, in the core
(:meth:`bot.moderation.review.Review.appeal_refusal`: the case's author only, once per case, cooldown, window).
The moderators' Accept / Deny buttons are card components (``discord_edge/case_card.py``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.moderation.appeals import APPEAL_TEXT_MAX, APPEAL_TEXT_MIN
from bot.moderation.custom_ids import APPEAL_BUTTON_TEMPLATE, AppealButtonId, AppealDialogId
from discord_edge.dialogs import open_dialog
from discord_edge.failures import ModModal, ModView, answers_failures
from discord_edge.interactions import reply_ephemeral
from discord_edge.items import PersistentItem

if TYPE_CHECKING:
    from bot.app import ModBot

TEXT_ID = "reason"  # the dialog's text input (read from the submission by custom_id, like the other dialogs)


class AppealModal(ModModal):
    """Asks the member why the decision should change; handled by :func:`on_appeal_submit` via its custom_id."""

    text: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Why should the moderators reconsider?", style=discord.TextStyle.paragraph, required=True,
        min_length=APPEAL_TEXT_MIN, max_length=APPEAL_TEXT_MAX, custom_id=TEXT_ID,
    )

    def __init__(self, target: AppealDialogId) -> None:
        super().__init__(title=f"Appeal case #{target.case_id}", custom_id=target.custom_id)
        self.target = target


class AppealButton(PersistentItem[discord.ui.Button[Any]], template=APPEAL_BUTTON_TEMPLATE):
    """The Appeal button of a notice DM: only the case's author gets the dialog."""

    def __init__(self, target: AppealButtonId) -> None:
        super().__init__(discord.ui.Button(label="Appeal", style=discord.ButtonStyle.primary,
                                           custom_id=target.custom_id))
        self.target = target

    @classmethod
    def rebuild(cls, item: discord.ui.Button[Any], match: re.Match[str]) -> AppealButton:
        """From the custom_id."""
        return cls(AppealButtonId.from_match(match))

    @classmethod
    def placeholder(cls, item: discord.ui.Button[Any], match: re.Match[str]) -> AppealButton:
        """For a forged case id."""
        return cls(AppealButtonId(0))

    @answers_failures
    async def callback(self, interaction: discord.Interaction[ModBot]) -> None:  # type: ignore[override]
        """Open the dialog, or say why the member cannot appeal."""
        case_id = self.target.case_id
        problem = await interaction.client.moderation.review.appeal_refusal(case_id, interaction.user.id)
        if problem is not None:
            await reply_ephemeral(interaction, problem)
            return
        await open_dialog(interaction, AppealModal(AppealDialogId(case_id)))


def notice_view(case_id: int) -> discord.ui.View:
    """The view of a notice DM: the Appeal button."""
    view = ModView(timeout=None)
    view.add_item(AppealButton(AppealButtonId(case_id)))
    return view


async def on_appeal_submit(interaction: discord.Interaction[ModBot], case_id: int, text: str) -> None:
    """The member submitted the Appeal dialog (before or after a restart)."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    result = await interaction.client.moderation.review.open_appeal(case_id, interaction.user.id, text)
    await interaction.followup.send(result.message, ephemeral=True)
