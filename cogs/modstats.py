"""``/modstats days:``: a PNG chart of moderation cases (per day by label and decision, top channels) + the numbers.

Moderators (the guild's moderator role, or Manage Messages when none is set) and administrators may run it. The
chart is drawn in a worker thread; the same numbers go into the embed text and the image's alt text.
"""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import UTC, datetime

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import ModBot
from bot.stats.charts import modstats_png
from bot.stats.queries import load_cases
from bot.stats.summary import ModStats, compute, describe, format_duration, window
from bot.storage import Database
from discord_edge.access import staff_only

log = logging.getLogger(__name__)

FILENAME = "modstats.png"
REFUSAL = "Only moderators and administrators can see moderation statistics."
ALT_TEXT_LIMIT = 1024


def stats_embed(stats: ModStats, text: str) -> discord.Embed:
    """The embed carrying the chart and its numbers as text."""
    embed = discord.Embed(title=f"Moderation statistics \u00b7 last {len(stats.days)} days", description=text[:4096])
    embed.add_field(name="Cases", value=str(stats.total))
    embed.add_field(name="Decided", value=str(stats.decided))
    embed.add_field(name="Median time to a decision", value=format_duration(stats.median_decision_seconds))
    embed.set_image(url=f"attachment://{FILENAME}")
    return embed


class ModStatsCog(commands.Cog):
    """Moderation statistics for moderators."""

    def __init__(self, bot: ModBot, db: Database) -> None:
        self.bot = bot
        self.db = db

    @app_commands.command(name="modstats", description="Chart of moderation cases: per day, decisions, channels")
    @app_commands.describe(days="How many days back, 1-90 (default 7)",
                           public="Post in the channel for everyone instead of only you (default: only you)")
    @app_commands.guild_only()
    @staff_only(REFUSAL)
    async def modstats(self, interaction: discord.Interaction[ModBot], days: app_commands.Range[int, 1, 90] = 7,
                       public: bool = False) -> None:
        """Answer with the chart and the numbers."""
        if interaction.guild_id is None:
            await interaction.response.send_message("Statistics are not available here.", ephemeral=True)
            return
        await interaction.response.defer(ephemeral=not public, thinking=True)
        today = datetime.now(UTC).date()
        cases = await load_cases(self.db, interaction.guild_id, window(days, today)[0])
        stats = compute(cases, days=days, today=today)
        names = {}
        if interaction.guild is not None:
            for channel_id, _count in stats.top_channels:
                channel = interaction.guild.get_channel_or_thread(channel_id)
                if channel is not None:
                    names[channel_id] = channel.name
        text = describe(stats, names)
        try:
            png = await asyncio.to_thread(modstats_png, stats, names)
        except Exception:
            log.exception("could not draw the /modstats chart")
            await interaction.followup.send(f"The chart could not be drawn; the numbers:\n{text}"[:2000],
                                            ephemeral=not public)
            return
        alt = text if len(text) <= ALT_TEXT_LIMIT else text[: ALT_TEXT_LIMIT - 1] + "\u2026"
        chart = discord.File(io.BytesIO(png), filename=FILENAME, description=alt)
        await interaction.followup.send(embed=stats_embed(stats, text), file=chart, ephemeral=not public)
        log.info("guild %s: /modstats for %d days (%d cases)", interaction.guild_id, days, stats.total)


async def setup(bot: ModBot) -> None:
    """Load the /modstats cog."""
    await bot.add_cog(ModStatsCog(bot, bot.db))
