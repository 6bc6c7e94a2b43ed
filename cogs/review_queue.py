"""Review queue: case cards in the mod channel with persistent buttons (Approve, Remove, Warn, Timeout, Escalate,
Claim), the Warn dialog and the Timeout duration select.

Cards are posted by the shared service's card worker (``bot.moderation.posting``); the components are
``discord.ui.DynamicItem`` classes (``cogs/views/case_card.py``) registered here, so clicks on cards posted before a
restart still reach ``cogs/views/handlers.py``; Warn dialogs are dispatched by their custom_id
(``cogs/views/dialogs.py``), so one opened before a restart works after it.
"""

from __future__ import annotations

from typing import Any

import discord
from discord.ext import commands

from bot.app import ModBot
from cogs.views.case_card import CaseActionButton, TimeoutDurationSelect
from cogs.views.context import acquire_service, release_service
from cogs.views.dialogs import dispatch_dialog
from cogs.views.handlers import on_warn_submit

HOLDER = "review_queue"


class ReviewQueue(commands.Cog):
    """Owns the card components; the moderation service posts and updates the cards."""

    def __init__(self, bot: ModBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        """Register the persistent components and join the shared service (which starts the card worker)."""
        self.bot.add_dynamic_items(CaseActionButton, TimeoutDurationSelect)
        await acquire_service(self.bot, HOLDER)

    async def cog_unload(self) -> None:
        """Unregister the components and release the service."""
        self.bot.remove_dynamic_items(CaseActionButton, TimeoutDurationSelect)
        await release_service(self.bot, HOLDER)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Warn dialogs (``modbot:warn:<case_id>``), whenever they were opened."""
        await dispatch_dialog(interaction, on_warn=on_warn_submit)


async def setup(bot: ModBot) -> None:
    """Load the review queue."""
    await bot.add_cog(ReviewQueue(bot))
