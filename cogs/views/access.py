"""Moderator checks on interactions (the rule itself is :func:`bot.moderation.access.may_moderate`)."""

from __future__ import annotations

from typing import Any

import discord

from bot.moderation.access import REFUSAL, may_moderate
from bot.moderation.models import Actor
from bot.moderation_config import ModerationConfig
from cogs.interactions import reply_ephemeral, role_ids


def is_moderator(interaction: discord.Interaction[Any], config: ModerationConfig) -> bool:
    """True when the interaction's user may act on cases in this guild (its /config moderator role, if set)."""
    member = interaction.user
    if interaction.guild_id is None or not isinstance(member, discord.Member):
        return False
    guild_config = getattr(getattr(interaction.client, "services", None), "guild_config", None)
    if guild_config is not None:
        config = guild_config.current(interaction.guild_id).moderation
    return may_moderate(role_ids(member), manage_messages=interaction.permissions.manage_messages,
                        moderator_role_id=config.moderator_role_id)


async def refuse(interaction: discord.Interaction[Any], text: str = REFUSAL) -> None:
    """Answer ephemerally that the user may not do this."""
    await reply_ephemeral(interaction, text)


def actor_of(interaction: discord.Interaction[Any]) -> Actor:
    """The moderator behind an interaction."""
    return Actor(interaction.user.id, interaction.user.display_name)
