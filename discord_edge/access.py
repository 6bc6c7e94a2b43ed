"""Moderator checks on interactions (the rule itself is :func:`bot.moderation.access.may_moderate`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.moderation.access import REFUSAL, may_moderate
from bot.moderation.models import Actor

if TYPE_CHECKING:
    from bot.app import ModBot


def role_ids(member: discord.Member) -> list[int]:
    """The member's role ids (from the member payload, even when roles are not cached)."""
    ids = [role.id for role in member.roles]
    raw = getattr(member, "_roles", None)
    return ids + [int(r) for r in raw] if raw is not None else ids


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
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)


def actor_of(interaction: discord.Interaction[ModBot]) -> Actor:
    """The moderator behind an interaction."""
    return Actor(interaction.user.id, interaction.user.display_name)
