"""``/config show|set|reset``: administrators view and change this server's settings (no restart needed).

Thin adapter over :class:`bot.guildconf.GuildConfigService`: validation, storage, audit and the cache live there.
Only members with Administrator or Manage Server may use it (hidden from others by default permissions, and
checked again on every call because server owners can override command permissions).
"""

from __future__ import annotations

import logging
from datetime import datetime

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import ModBot
from bot.guildconf import (
    GUILD_KEYS,
    GuildConfigError,
    GuildConfigService,
    GuildKey,
    ValueKind,
    format_value,
    guild_key,
    search_keys,
)

log = logging.getLogger(__name__)

REFUSAL = "Only administrators (Administrator or Manage Server permission) can change modbot's settings."
MAX_CHOICES = 25


def is_admin(interaction: discord.Interaction) -> bool:
    """Administrator or Manage Server in this guild."""
    perms = interaction.permissions
    return interaction.guild_id is not None and (perms.administrator or perms.manage_guild)


def _channel_choices(guild: discord.Guild | None, typed: str, kind: ValueKind) -> list[app_commands.Choice[str]]:
    if guild is None:
        return []
    head, _, last = typed.rpartition(" ") if kind is ValueKind.CHANNELS else ("", "", typed)
    needle = last.lstrip("#").lower()
    prefix = f"{head} " if head else ""
    out = []
    for channel in guild.channels:
        if needle and needle not in channel.name.lower():
            continue
        value = f"{prefix}{channel.id}"
        if len(value) <= 100:
            out.append(app_commands.Choice(name=f"{prefix}#{channel.name}"[:100], value=value))
    return out[:MAX_CHOICES]


def value_choices(key: GuildKey | None, typed: str, guild: discord.Guild | None) -> list[app_commands.Choice[str]]:
    """Suggestions for the ``value`` option, depending on the key chosen so far."""
    if key is None:
        return []
    if key.kind is ValueKind.BOOL:
        words = ["true", "false"]
    elif key.kind is ValueKind.CHOICE:
        words = list(key.choices)
    elif key.kind is ValueKind.ACTIONS:
        words = ["none", "high=remove", "high=remove medium=remove"]
    elif key.kind in (ValueKind.CHANNEL, ValueKind.CHANNELS):
        return _channel_choices(guild, typed, key.kind) + [app_commands.Choice(name="none", value="none")]
    elif key.kind is ValueKind.SEVERITY_ROLES and guild is not None:
        roles = [r for r in guild.roles if not r.is_default()]
        return [app_commands.Choice(name=f"high=@{r.name}"[:100], value=f"high={r.id}") for r in roles
                if typed.lower() in f"high={r.name}".lower()][:MAX_CHOICES - 1] + [
            app_commands.Choice(name="none", value="none")]
    elif key.kind is ValueKind.ROLE and guild is not None:
        roles = [r for r in guild.roles if not r.is_default() and typed.lstrip("@").lower() in r.name.lower()]
        return [app_commands.Choice(name=f"@{r.name}"[:100], value=str(r.id)) for r in roles][:MAX_CHOICES - 1] + [
            app_commands.Choice(name="none", value="none")]
    else:
        return []
    return [app_commands.Choice(name=w, value=w) for w in words if typed.lower() in w][:MAX_CHOICES]


def settings_text(view: dict[str, tuple[str, bool]], changes: dict[str, tuple[datetime | None, int | None]]) -> str:
    """``/config show`` body: one line per key; this server's own values say so, with who set them and when."""
    lines = []
    for name, (shown, overridden) in view.items():
        line = f"`{name}` = {shown}"
        if overridden:
            when, actor = changes.get(name, (None, None))
            by = f" by <@{actor}>" if actor else ""
            at = f" {discord.utils.format_dt(when, 'R')}" if when else ""
            line += f" \u00b7 **set here**{by}{at}"
        lines.append(line)
    return "\n".join(lines)


class ConfigAdmin(commands.Cog):
    """Per-server settings for administrators."""

    config = app_commands.Group(
        name="config",
        description="View or change modbot's settings for this server (administrators)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: ModBot, service: GuildConfigService) -> None:
        self.bot = bot
        self.service = service  # the per-guild settings every feature reads

    async def _refuse_non_admin(self, interaction: discord.Interaction) -> bool:
        if is_admin(interaction):
            return False
        await interaction.response.send_message(REFUSAL, ephemeral=True)
        return True

    @config.command(name="show", description="Show this server's effective settings")
    async def show(self, interaction: discord.Interaction) -> None:
        """Every key with its effective value; values set for this server are marked."""
        if await self._refuse_non_admin(interaction):
            return
        assert interaction.guild_id is not None
        current = await self.service.effective(interaction.guild_id)
        view = {
            key.name: (format_value(key, current.value(key)), current.is_overridden(key)) for key in GUILD_KEYS.values()
        }
        changes = await self.service.last_changes(interaction.guild_id)
        embed = discord.Embed(title="modbot settings for this server",
                              description=settings_text(view, changes)[:4096])
        embed.set_footer(text="Change: /config set key value \u00b7 back to the default: /config reset key")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @config.command(name="set", description="Change one setting for this server")
    @app_commands.describe(key="The setting (start typing to search)",
                           value="New value: a number, true/false, #channel, @role or id; 'none' to clear")
    async def set_(self, interaction: discord.Interaction, key: str, value: app_commands.Range[str, 1, 1000]) -> None:
        """Validate and store one value; the change applies to the next message."""
        if await self._refuse_non_admin(interaction):
            return
        assert interaction.guild_id is not None
        guild = interaction.guild
        channels = {c.id for c in guild.channels} | {t.id for t in guild.threads} if guild is not None else None
        roles = {r.id for r in guild.roles} if guild is not None else None
        try:
            change = await self.service.set(interaction.guild_id, key, value, actor_id=interaction.user.id,
                                            known_channels=channels, known_roles=roles)
        except GuildConfigError as exc:
            await interaction.response.send_message(f"\u274c {exc}"[:2000], ephemeral=True)
            return
        text = f"\u2705 `{change.key.name}`: {change.before} \u2192 **{change.after}** (applies now)."
        if not change.changed:
            text = f"\u2705 `{change.key.name}` is already **{change.after}**; stored for this server."
        await interaction.response.send_message(text[:2000], ephemeral=True)

    @config.command(name="reset", description="Return one setting to the default from the config file")
    @app_commands.describe(key="The setting (start typing to search)")
    async def reset(self, interaction: discord.Interaction, key: str) -> None:
        """Drop this server's value of ``key``."""
        if await self._refuse_non_admin(interaction):
            return
        assert interaction.guild_id is not None
        try:
            change = await self.service.reset(interaction.guild_id, key, actor_id=interaction.user.id)
        except GuildConfigError as exc:
            await interaction.response.send_message(f"\u274c {exc}"[:2000], ephemeral=True)
            return
        if change.changed:
            text = f"\u2705 `{change.key.name}` reset: {change.before} \u2192 **{change.after}** (the default)."
        else:
            text = f"`{change.key.name}` was not set for this server; it is **{change.after}** (the default)."
        await interaction.response.send_message(text[:2000], ephemeral=True)

    @set_.autocomplete("key")
    @reset.autocomplete("key")
    async def key_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        """Keys matching what was typed (name or help words)."""
        if not is_admin(interaction):
            return []
        return [app_commands.Choice(name=k.describe(), value=k.name) for k in search_keys(current, MAX_CHOICES)]

    @set_.autocomplete("value")
    async def value_autocomplete(self, interaction: discord.Interaction,
                                 current: str) -> list[app_commands.Choice[str]]:
        """Values that fit the chosen key."""
        if not is_admin(interaction):
            return []
        try:
            key = guild_key(str(getattr(interaction.namespace, "key", "") or ""))
        except ValueError:
            key = None
        return value_choices(key, current, interaction.guild)


async def setup(bot: ModBot) -> None:
    """Load the /config cog."""
    await bot.add_cog(ConfigAdmin(bot, bot.guild_config))
