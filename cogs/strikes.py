"""``/strikes show member:`` (moderators and administrators) and ``/strikes clear member: [reason]``
(administrators: Administrator or Manage Server), over the strikes decisions give (``bot/moderation/strikes.py``).

Clearing is audited (``strike.clear``); cleared strikes stay listed, marked, and stop counting.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import ModBot
from bot.moderation.review import Review
from bot.moderation.strikes import Strike, format_minutes
from bot.timestamps import utcnow
from discord_edge.access import actor_of, admin_only, staff_only

SHOW_REFUSAL = "Only moderators and administrators can see strikes."
CLEAR_REFUSAL = "Only administrators (Administrator or Manage Server permission) can clear strikes."
SHOWN = 15


def strike_line(strike: Strike) -> str:
    """``#12 · warn · <t:..:d> · active until <t:..:d>`` (or faded / cleared)."""
    what = strike.action + (f" {format_minutes(strike.minutes)}" if strike.minutes else "")
    given = f"<t:{int(strike.created_at.timestamp())}:d>"
    if strike.cleared_at is not None:
        who = f" by <@{strike.cleared_by}>" if strike.cleared_by else ""
        status = f"cleared{who} <t:{int(strike.cleared_at.timestamp())}:d>"
    elif strike.active(utcnow()):
        status = f"active until <t:{int(strike.expires_at.timestamp())}:d>"
    else:
        status = f"faded <t:{int(strike.expires_at.timestamp())}:d>"
    return f"case #{strike.case_id} \u00b7 {what} \u00b7 {given} \u00b7 {status}"


class Strikes(commands.Cog):
    """Strike lookups and clearing."""

    strikes = app_commands.Group(name="strikes", description="A member's strikes (moderation)", guild_only=True)

    def __init__(self, bot: ModBot, review: Review) -> None:
        self.bot = bot
        self.review = review

    @strikes.command(name="show", description="A member's strikes: active, faded and cleared")
    @app_commands.describe(member="The member")
    @staff_only(SHOW_REFUSAL)
    async def show(self, interaction: discord.Interaction[ModBot], member: discord.User) -> None:
        """Ephemeral list of the member's strikes, newest first."""
        assert interaction.guild_id is not None
        found = await self.review.member_strikes(interaction.guild_id, member.id)
        now = utcnow()
        active = sum(1 for strike in found if strike.active(now))
        lines = "\n".join(strike_line(strike) for strike in found[:SHOWN]) or "No strikes."
        embed = discord.Embed(title="Strikes", description=f"<@{member.id}>: {active} active\n\n{lines}"[:4096])
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @strikes.command(name="clear", description="Clear a member's active strikes (administrators)")
    @app_commands.describe(member="The member", reason="Why (kept in the audit log)")
    @admin_only(CLEAR_REFUSAL)
    async def clear(self, interaction: discord.Interaction[ModBot], member: discord.User,
                    reason: app_commands.Range[str, 1, 300] | None = None) -> None:
        """Clear every active strike of the member; audited."""
        assert interaction.guild_id is not None
        cleared = await self.review.clear_strikes(interaction.guild_id, member.id, actor_of(interaction), reason)
        noun = "strike" if cleared == 1 else "strikes"
        await interaction.response.send_message(f"Cleared {cleared} active {noun} of <@{member.id}>.",
                                                ephemeral=True)


async def setup(bot: ModBot) -> None:
    """Load the strikes commands."""
    await bot.add_cog(Strikes(bot, bot.moderation.review))
