"""Member reports: the "Report to moderators" message context menu with an optional reason (a dialog).

The dialog's custom_id names the message (``discord_edge/dialogs.py``), so a dialog opened before a restart still
files the report after it: the message is then read back from Discord (or from its case, when it has one).
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import ModBot
from bot.moderation.custom_ids import ReportDialogId
from bot.moderation.models import MessageSnapshot
from bot.moderation.review import Review
from discord_edge.dialogs import ReportModal, dispatch_dialog, open_dialog
from discord_edge.snapshots import snapshot

log = logging.getLogger(__name__)

MENU_NAME = "Report to moderators"
THANKS = "Thanks \u2014 the moderators have your report and will take a look."
ALREADY = "You have already reported this message; the moderators have it."
GONE = "That message is gone, so it cannot be reported any more."
OPENED_KEEP = 500  # snapshots of messages whose dialog is open, kept to spare a fetch on submit


class Reports(commands.Cog):
    """Adds the message context menu."""

    def __init__(self, bot: ModBot, review: Review) -> None:
        self.bot = bot
        self.review = review
        self._opened: dict[int, MessageSnapshot] = {}  # message id -> snapshot taken when the dialog opened
        self.menu = app_commands.ContextMenu(name=MENU_NAME, callback=self.report_message)
        self.menu.guild_only = True

    async def cog_load(self) -> None:
        """Add the context menu to the command tree."""
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        """Remove the context menu."""
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def report_message(self, interaction: discord.Interaction[ModBot], message: discord.Message) -> None:
        """Ask for an optional reason."""
        snap = snapshot(message, guild_id=interaction.guild_id) if interaction.guild_id else None
        if snap is None:
            await interaction.response.send_message("This message cannot be reported.", ephemeral=True)
            return
        if snap.author_is_bot or snap.is_webhook:
            await interaction.response.send_message("Only members' messages can be reported.", ephemeral=True)
            return
        self._opened[snap.message_id] = snap
        while len(self._opened) > OPENED_KEEP:
            self._opened.pop(next(iter(self._opened)))
        await open_dialog(interaction, ReportModal(ReportDialogId(snap.channel_id, snap.message_id)))

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[ModBot]) -> None:
        """Report dialogs (``modbot:report:<channel>:<message>``), whenever they were opened."""
        await dispatch_dialog(interaction, on_report=self.submit_report)

    async def submit_report(self, interaction: discord.Interaction[ModBot], channel_id: int, message_id: int,
                            reason: str) -> None:
        """Open or extend the case, then acknowledge ephemerally (without revealing case details)."""
        review = self.review
        if interaction.guild_id is None:
            await interaction.response.send_message("Reports are not available right now.", ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        snap = self._opened.pop(message_id, None) or await self._snapshot(review, interaction.guild_id,
                                                                          channel_id, message_id)
        if snap is None or snap.guild_id != interaction.guild_id:
            await interaction.followup.send(GONE, ephemeral=True)
            return
        outcome = await review.report(snap, interaction.user.id, reason)
        await interaction.followup.send(ALREADY if outcome.duplicate else THANKS, ephemeral=True)

    async def _snapshot(self, review: Review, guild_id: int, channel_id: int,
                        message_id: int) -> MessageSnapshot | None:
        """The reported message after a restart: its case when it has one, else read back from Discord."""
        case = await review.case_of_message(message_id)
        if case is not None:
            return MessageSnapshot(message_id=case.message_id, guild_id=case.guild_id, channel_id=case.channel_id,
                                   author_id=case.author_id, content=case.content or "",
                                   author_name=case.author_name, jump_url=case.jump_url)
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
            message = await channel.fetch_message(message_id)  # type: ignore[union-attr]
        except (discord.NotFound, discord.Forbidden, AttributeError):
            return None
        snap = snapshot(message, guild_id=guild_id)
        return None if snap is None or snap.author_is_bot or snap.is_webhook else snap


async def setup(bot: ModBot) -> None:
    """Load the report context menu."""
    await bot.add_cog(Reports(bot, bot.moderation.review))
