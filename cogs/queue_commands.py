"""``/queue`` (open cases, paginated, filter by label or channel), ``/case id:`` and ``/history member:``."""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import ModBot
from bot.moderation.cards import render_card
from bot.moderation.listing import render_history, render_queue_page, render_trail
from bot.moderation.service import ModerationService
from bot.paging import clamp_page
from discord_edge.access import moderator_check, moderator_only
from discord_edge.case_card import card_embed, card_view
from discord_edge.failures import ModView, answers_failures

_LABEL_SAFE = re.compile(r"[^A-Za-z0-9_.\- ]")


async def queue_message(
    service: ModerationService, guild_id: int, *, page: int, label: str | None, channel_id: int | None
) -> tuple[discord.Embed, discord.ui.View]:
    """The embed and navigation buttons of one ``/queue`` page."""
    size = service.config.queue_page_size
    total = await service.cases.count_open(guild_id, label=label, channel_id=channel_id)
    page = clamp_page(page, total, size)
    cases = await service.cases.list_open(guild_id, label=label, channel_id=channel_id,
                                          offset=(page - 1) * size, limit=size)
    rendered = render_queue_page(cases, total=total, page=page, page_size=size, label=label, channel_id=channel_id)
    view = ModView(timeout=None)
    for target, caption in ((page - 1, "\u25c0 Previous"), (page + 1, "Next \u25b6")):
        button = QueuePageButton(target, label or "", channel_id or 0, caption=caption)
        button.item.disabled = not 1 <= target <= rendered.pages
        view.add_item(button)
    return card_embed(rendered.content), view


class QueuePageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"modbot:queue:(?P<page>\d+):(?P<channel>\d+):(?P<label>[A-Za-z0-9_.\- ]*)",
):
    """Previous/next page of ``/queue``; the filters travel in the custom_id."""

    def __init__(self, page: int, label: str, channel_id: int, *, caption: str = "Page") -> None:
        safe_label = _LABEL_SAFE.sub("", label)[:40]
        super().__init__(discord.ui.Button(label=caption, style=discord.ButtonStyle.secondary,
                                           custom_id=f"modbot:queue:{max(page, 0)}:{channel_id}:{safe_label}"))
        self.page, self.label, self.channel_id = page, safe_label, channel_id

    # [override]: discord.py types the interaction for any client (a method-level TypeVar) and the item as any
    # Item; it calls these with ModBot's own interaction and the component type the template matched.
    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[ModBot],  # type: ignore[override]
        item: discord.ui.Button[Any],  # type: ignore[override]
        match: re.Match[str],
    ) -> QueuePageButton:
        """Rebuild from the custom_id."""
        return cls(int(match["page"]), match["label"], int(match["channel"]), caption=item.label or "Page")

    async def interaction_check(self, interaction: discord.Interaction[ModBot]) -> bool:  # type: ignore[override]
        """Moderators only."""
        return await moderator_check(interaction)

    @answers_failures
    async def callback(self, interaction: discord.Interaction[ModBot]) -> None:  # type: ignore[override]  # ^
        """Show the requested page in place."""
        service = interaction.client.moderation
        assert interaction.guild_id is not None  # moderator_check: only members of a guild
        embed, view = await queue_message(service, interaction.guild_id, page=self.page, label=self.label or None,
                                          channel_id=self.channel_id or None)
        await interaction.response.edit_message(embed=embed, view=view)


class QueueCommands(commands.Cog):
    """Moderator commands over the stored cases."""

    def __init__(self, bot: ModBot, service: ModerationService) -> None:
        self.bot = bot
        self.service = service

    async def cog_load(self) -> None:
        """Register the page buttons."""
        self.bot.add_dynamic_items(QueuePageButton)

    async def cog_unload(self) -> None:
        """Unregister the page buttons."""
        self.bot.remove_dynamic_items(QueuePageButton)

    @app_commands.command(name="queue", description="Open moderation cases, oldest first")
    @app_commands.describe(label="Only cases with this label", channel="Only cases from this channel",
                           page="Page number")
    @app_commands.guild_only()
    @moderator_only()
    async def queue(
        self,
        interaction: discord.Interaction[ModBot],
        label: str | None = None,
        channel: discord.TextChannel | discord.Thread | None = None,
        page: app_commands.Range[int, 1, 10_000] = 1,
    ) -> None:
        """Ephemeral, paginated list of pending and escalated cases."""
        service = self.service
        assert interaction.guild_id is not None
        embed, view = await queue_message(service, interaction.guild_id, page=page,
                                          label=_LABEL_SAFE.sub("", label) if label else None,
                                          channel_id=channel.id if channel else None)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @queue.autocomplete("label")
    async def _label_autocomplete(self, interaction: discord.Interaction[ModBot],
                                  current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        labels = await self.service.cases.open_labels(interaction.guild_id)
        return [app_commands.Choice(name=x, value=x) for x in labels if current.lower() in x.lower()][:25]

    @app_commands.command(name="case", description="Show one moderation case with its actions")
    @app_commands.describe(id="Case number")
    @app_commands.guild_only()
    @moderator_only()
    async def case(self, interaction: discord.Interaction[ModBot], id: app_commands.Range[int, 1]) -> None:
        """Ephemeral card of a case (with buttons while it is open) and its audit trail."""
        service = self.service
        found = await service.cases.get(id)
        if found is None or found.guild_id != interaction.guild_id:
            await interaction.response.send_message(f"There is no case #{id}.", ephemeral=True)
            return
        content = render_card(found, excerpt_chars=service.config.excerpt_chars)
        trail = discord.Embed(title=f"Case #{found.id} \u00b7 audit trail",
                              description=render_trail(await service.audit.for_case(found.id))[:4096])
        view = card_view(content)
        kwargs: dict[str, Any] = {"view": view} if view is not None else {}
        await interaction.response.send_message(embeds=[card_embed(content), trail], ephemeral=True, **kwargs)

    @app_commands.command(name="history", description="A member's moderation cases and the actions taken")
    @app_commands.describe(member="The member")
    @app_commands.guild_only()
    @moderator_only()
    async def history(self, interaction: discord.Interaction[ModBot], member: discord.User) -> None:
        """Ephemeral summary of a member's cases and actions."""
        service = self.service
        assert interaction.guild_id is not None
        cases = await service.cases.for_author(interaction.guild_id, member.id)
        counts = await service.cases.count_for_author(interaction.guild_id, member.id)
        actions = await service.audit.for_member(interaction.guild_id, member.id)
        content = render_history(member.id, cases, counts, actions)
        await interaction.response.send_message(embed=card_embed(content), ephemeral=True)


async def setup(bot: ModBot) -> None:
    """Load the queue commands."""
    await bot.add_cog(QueueCommands(bot, bot.moderation))
