"""``/about``: an ephemeral health card (version, uptime, gateway latency, DB and model status)."""

from __future__ import annotations

import math

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.app import ModBot


def _format_duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{days}d"] if days else []
    parts += [f"{hours}h"] if hours or days else []
    return " ".join([*parts, f"{minutes}m", f"{secs}s"])


class About(commands.Cog):
    """Health information for operators."""

    def __init__(self, bot: ModBot) -> None:
        self.bot = bot

    @app_commands.command(name="about", description="Show modbot's version and health")
    async def about(self, interaction: discord.Interaction) -> None:
        """Reply ephemerally with the health card."""
        bot = self.bot
        db_ok = await bot.db.healthy()
        version = await bot.db.schema_version() if db_ok else None
        latency = bot.latency
        latency_text = "n/a" if latency is None or math.isinf(latency) or math.isnan(latency) else (
            f"{latency * 1000:.0f} ms"
        )
        embed = discord.Embed(title="modbot", description="Summaries, flagging and a review queue for news talk.")
        embed.add_field(name="Version", value=__version__)
        embed.add_field(name="Uptime", value=_format_duration(bot.uptime_seconds))
        embed.add_field(name="Gateway latency", value=latency_text)
        embed.add_field(name="Database", value=f"ok (schema v{version})" if db_ok else "unavailable")
        model = bot.services.model_status()
        embed.add_field(name="Toxicity model", value=model[:1024], inline=False)
        heads = bot.services.heads_status()
        embed.add_field(name="Learned heads", value=heads[:1024], inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: ModBot) -> None:
    """Load the About cog."""
    await bot.add_cog(About(bot))
