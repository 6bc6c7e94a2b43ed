"""Review queue: case cards in the mod channel with persistent buttons (Approve, Remove, Warn, Timeout, Escalate,
Claim, the strike ladder's suggestion, No appeal, Accept / Deny appeal), the Warn dialog and the Timeout duration
select; and the member's Appeal button (notice DMs) with its dialog.

Cards are posted by the moderation service's card worker (``bot.moderation.posting``); the components are
``discord.ui.DynamicItem`` classes (``discord_edge/case_card.py``) registered here, so clicks on cards posted before a
restart still reach their callbacks; Warn dialogs are dispatched by their custom_id
(``discord_edge/dialogs.py``), so one opened before a restart works after it.
"""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.app import ModBot
from discord_edge.appeals import AppealButton, on_appeal_submit
from discord_edge.case_card import (
    AppealDecisionButton,
    AppealsToggleButton,
    CaseActionButton,
    LadderButton,
    TimeoutDurationSelect,
    on_warn_submit,
)
from discord_edge.dialogs import dispatch_dialog

COMPONENTS = (CaseActionButton, TimeoutDurationSelect, LadderButton, AppealsToggleButton, AppealDecisionButton,
              AppealButton)


class ReviewQueue(commands.Cog):
    """Owns the card components; the moderation service posts and updates the cards."""

    def __init__(self, bot: ModBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        """Register the persistent components (the card worker is the moderation service's, started by the bot)."""
        self.bot.add_dynamic_items(*COMPONENTS)

    async def cog_unload(self) -> None:
        """Unregister the components."""
        self.bot.remove_dynamic_items(*COMPONENTS)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[ModBot]) -> None:
        """Warn dialogs (``modbot:warn:<case_id>``) and Appeal dialogs (``modbot:appeal:<case_id>:text``), whenever
        they were opened."""
        await dispatch_dialog(interaction, on_warn=on_warn_submit, on_appeal=on_appeal_submit)


async def setup(bot: ModBot) -> None:
    """Load the review queue."""
    await bot.add_cog(ReviewQueue(bot))
