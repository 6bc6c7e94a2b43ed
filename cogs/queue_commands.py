"""``/queue`` (open cases, paginated, filter by label or channel; ``appeals:true``: cases with a pending appeal),
``/case id:``, ``/history member:`` and the "Moderation history" user menu (right-click a member > Apps)."""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import ModBot
from bot.moderation.custom_ids import QUEUE_PAGE_TEMPLATE, QueuePageId, safe_label
from bot.moderation.review import Review
from discord_edge.access import moderator_only
from discord_edge.case_card import card_embed, card_view
from discord_edge.failures import ModView, answers_failures
from discord_edge.items import ModeratorItem

HISTORY_MENU = "Moderation history"


async def queue_message(
    review: Review, guild_id: int, *, page: int, label: str | None, channel_id: int | None, appeals: bool = False
) -> tuple[discord.Embed, discord.ui.View]:
    """The embed and navigation buttons of one ``/queue`` page (``appeals``: cases with a pending appeal)."""
    rendered = await review.queue_page(guild_id, page=page, label=label, channel_id=channel_id, appeals=appeals)
    view = ModView(timeout=None)
    for target, caption in ((page - 1, "\u25c0 Previous"), (page + 1, "Next \u25b6")):
        button = QueuePageButton(QueuePageId.make(target, channel_id, label, appeals=appeals), caption=caption)
        button.item.disabled = not 1 <= target <= rendered.pages
        view.add_item(button)
    return card_embed(rendered.content), view


class QueuePageButton(ModeratorItem[discord.ui.Button[Any]], template=QUEUE_PAGE_TEMPLATE):
    """Previous/next page of ``/queue``; the filters travel in the custom_id."""

    def __init__(self, target: QueuePageId, *, caption: str = "Page") -> None:
        super().__init__(discord.ui.Button(label=caption, style=discord.ButtonStyle.secondary,
                                           custom_id=target.custom_id))
        self.target = target

    @classmethod
    def rebuild(cls, item: discord.ui.Button[Any], match: re.Match[str]) -> QueuePageButton:
        """From the custom_id."""
        return cls(QueuePageId.from_match(match), caption=item.label or "Page")

    @classmethod
    def placeholder(cls, item: discord.ui.Button[Any], match: re.Match[str]) -> QueuePageButton:
        """For a forged channel id."""
        return cls(QueuePageId(0), caption=item.label or "Page")

    @answers_failures
    async def callback(self, interaction: discord.Interaction[ModBot]) -> None:  # type: ignore[override]
        """Show the requested page in place."""
        assert interaction.guild_id is not None  # moderator_check: only members of a guild
        target = self.target
        embed, view = await queue_message(interaction.client.moderation.review, interaction.guild_id,
                                          page=target.page, label=target.label or None,
                                          channel_id=target.channel_id or None, appeals=target.appeals)
        await interaction.response.edit_message(embed=embed, view=view)


class QueueCommands(commands.Cog):
    """Moderator commands over the stored cases."""

    def __init__(self, bot: ModBot, review: Review) -> None:
        self.bot = bot
        self.review = review
        self.history_menu = app_commands.ContextMenu(name=HISTORY_MENU, callback=self.history_of)
        self.history_menu.guild_only = True

    async def cog_load(self) -> None:
        """Register the page buttons and the user menu."""
        self.bot.add_dynamic_items(QueuePageButton)
        self.bot.tree.add_command(self.history_menu)

    async def cog_unload(self) -> None:
        """Unregister the page buttons and the user menu."""
        self.bot.remove_dynamic_items(QueuePageButton)
        self.bot.tree.remove_command(self.history_menu.name, type=self.history_menu.type)

    @moderator_only()
    async def history_of(self, interaction: discord.Interaction[ModBot],
                         member: discord.Member | discord.User) -> None:
        """Right-click a member > Apps > Moderation history: the same card as ``/history`` (moderators only)."""
        assert interaction.guild_id is not None
        content = await self.review.member_history(interaction.guild_id, member.id)
        await interaction.response.send_message(embed=card_embed(content), ephemeral=True)

    @app_commands.command(name="queue", description="Open moderation cases, oldest first")
    @app_commands.describe(label="Only cases with this label", channel="Only cases from this channel",
                           page="Page number", appeals="Decided cases whose appeal waits for a moderator instead")
    @app_commands.guild_only()
    @moderator_only()
    async def queue(
        self,
        interaction: discord.Interaction[ModBot],
        label: str | None = None,
        channel: discord.TextChannel | discord.Thread | None = None,
        page: app_commands.Range[int, 1, 10_000] = 1,
        appeals: bool = False,
    ) -> None:
        """Ephemeral, paginated list of pending and escalated cases (or of cases with a pending appeal)."""
        assert interaction.guild_id is not None
        embed, view = await queue_message(self.review, interaction.guild_id, page=page,
                                          label=safe_label(label) if label else None,
                                          channel_id=channel.id if channel else None, appeals=appeals)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @queue.autocomplete("label")
    async def _label_autocomplete(self, interaction: discord.Interaction[ModBot],
                                  current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        labels = await self.review.open_labels(interaction.guild_id)
        return [app_commands.Choice(name=x, value=x) for x in labels if current.lower() in x.lower()][:25]

    @app_commands.command(name="case", description="Show one moderation case with its actions")
    @app_commands.describe(id="Case number")
    @app_commands.guild_only()
    @moderator_only()
    async def case(self, interaction: discord.Interaction[ModBot], id: app_commands.Range[int, 1]) -> None:
        """Ephemeral card of a case (with buttons while it is open) and its audit trail."""
        assert interaction.guild_id is not None
        found = await self.review.case_view(id, interaction.guild_id)
        if found is None:
            await interaction.response.send_message(f"There is no case #{id}.", ephemeral=True)
            return
        trail = discord.Embed(title=f"Case #{found.case.id} \u00b7 audit trail", description=found.trail[:4096])
        view = card_view(found.card)
        kwargs: dict[str, Any] = {"view": view} if view is not None else {}
        await interaction.response.send_message(embeds=[card_embed(found.card), trail], ephemeral=True, **kwargs)

    @app_commands.command(name="history", description="A member's moderation cases and the actions taken")
    @app_commands.describe(member="The member")
    @app_commands.guild_only()
    @moderator_only()
    async def history(self, interaction: discord.Interaction[ModBot], member: discord.User) -> None:
        """Ephemeral summary of a member's cases and actions."""
        assert interaction.guild_id is not None
        content = await self.review.member_history(interaction.guild_id, member.id)
        await interaction.response.send_message(embed=card_embed(content), ephemeral=True)


async def setup(bot: ModBot) -> None:
    """Load the queue commands."""
    await bot.add_cog(QueueCommands(bot, bot.moderation.review))
