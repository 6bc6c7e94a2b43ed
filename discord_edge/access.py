"""Moderator checks on interactions (the rule itself is :func:`bot.moderation.access.may_moderate`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.moderation.access import REFUSAL, may_moderate
from bot.moderation.models import Actor
from discord_edge.interactions import reply_ephemeral, role_ids

if TYPE_CHECKING:
    from bot.app import ModBot


def is_moderator(interaction: discord.Interaction[ModBot]) -> bool:
    """True when the interaction's user may act on cases in this guild (its /config moderator role, if set)."""
    member = interaction.user
    if interaction.guild_id is None or not isinstance(member, discord.Member):
        return False
    config = interaction.client.guild_config.current(interaction.guild_id).moderation
    return may_moderate(role_ids(member), manage_messages=interaction.permissions.manage_messages,
                        moderator_role_id=config.moderator_role_id)


async def refuse(interaction: discord.Interaction[ModBot], text: str = REFUSAL) -> None:
    """Answer ephemerally that the user may not do this."""
    await reply_ephemeral(interaction, text)


def actor_of(interaction: discord.Interaction[ModBot]) -> Actor:
    """The moderator behind an interaction."""
    return Actor(interaction.user.id, interaction.user.display_name)
