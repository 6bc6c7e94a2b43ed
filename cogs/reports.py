"""Member reports: the "Report to moderators" message context menu with an optional reason (modal)."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import ModBot
from bot.moderation.models import MessageSnapshot
from bot.moderation.reports import REPORT_REASON_MAX
from bot.moderation.service import ModerationService
from cogs.views.context import acquire_service, release_service
from cogs.views.snapshots import snapshot

log = logging.getLogger(__name__)

HOLDER = "reports"
MENU_NAME = "Report to moderators"
THANKS = "Thanks \u2014 the moderators have your report and will take a look."
ALREADY = "You have already reported this message; the moderators have it."


class ReportModal(discord.ui.Modal):
    """Optional reason for a report."""

    reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="What is wrong with this message? (optional)", style=discord.TextStyle.paragraph,
        required=False, max_length=REPORT_REASON_MAX,
    )

    def __init__(self, service: ModerationService, message: MessageSnapshot, nonce: int) -> None:
        super().__init__(title="Report to moderators", timeout=600, custom_id=f"modbot:report:{nonce}")
        self.service = service
        self.message = message

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Open or extend the case, then acknowledge ephemerally (without revealing case details)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.service.report(self.message, interaction.user.id, str(self.reason.value or ""))
        await interaction.followup.send(ALREADY if outcome.duplicate else THANKS, ephemeral=True)


class Reports(commands.Cog):
    """Adds the message context menu."""

    def __init__(self, bot: ModBot) -> None:
        self.bot = bot
        self.service: ModerationService | None = None
        self.menu = app_commands.ContextMenu(name=MENU_NAME, callback=self.report_message)
        self.menu.guild_only = True

    async def cog_load(self) -> None:
        """Join the shared service and add the context menu to the command tree."""
        self.service = await acquire_service(self.bot, HOLDER)
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        """Remove the context menu and release the service."""
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)
        await release_service(self.bot, HOLDER)

    async def report_message(self, interaction: discord.Interaction[Any], message: discord.Message) -> None:
        """Ask for an optional reason."""
        snap = snapshot(message, guild_id=interaction.guild_id) if interaction.guild_id else None
        if self.service is None or snap is None:
            await interaction.response.send_message("This message cannot be reported.", ephemeral=True)
            return
        if snap.author_is_bot or snap.is_webhook:
            await interaction.response.send_message("Only members' messages can be reported.", ephemeral=True)
            return
        await interaction.response.send_modal(ReportModal(self.service, snap, interaction.id))


async def setup(bot: ModBot) -> None:
    """Load the report context menu."""
    await bot.add_cog(Reports(bot))
