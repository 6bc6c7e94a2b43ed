"""The moderator check on interactions, declared once (the rule itself is :func:`bot.moderation.access.may_moderate`).

- components and dialogs: ``interaction_check = moderator_check`` (refuses ephemerally, returns False);
- slash commands: the :func:`moderator_only` decorator (an ``app_commands.check``), whose failure the tree's
  ``on_error`` answers with the same text; :func:`staff_only` also lets administrators and Manage Server in
  (``/modstats``: statistics, not cases); :func:`admin_only`: Administrator or Manage Server (``/strikes clear``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from bot.command_tree import Refused
from bot.moderation.access import REFUSAL, may_moderate
from bot.moderation.models import Actor
from discord_edge.interactions import reply_ephemeral, role_ids

if TYPE_CHECKING:
    from bot.app import ModBot

T = TypeVar("T")


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


async def moderator_check(interaction: discord.Interaction[ModBot]) -> bool:
    """``interaction_check`` of moderator-only components and dialogs: False (after refusing) for anyone else."""
    if is_moderator(interaction):
        return True
    await refuse(interaction)
    return False


def is_staff(interaction: discord.Interaction[ModBot]) -> bool:
    """Administrators, Manage Server, or whoever may act on cases in this guild."""
    perms = interaction.permissions
    return interaction.guild_id is not None and (perms.administrator or perms.manage_guild
                                                 or is_moderator(interaction))


def is_admin(interaction: discord.Interaction[ModBot]) -> bool:
    """Administrators and Manage Server."""
    perms = interaction.permissions
    return interaction.guild_id is not None and (perms.administrator or perms.manage_guild)


def _require(rule: Callable[[discord.Interaction[Any]], bool], text: str) -> Callable[[T], T]:
    def check(interaction: discord.Interaction[Any]) -> bool:
        if not rule(interaction):
            raise Refused(text)
        return True

    return app_commands.check(check)


def moderator_only() -> Callable[[T], T]:
    """Decorator for moderator-only slash commands; a refusal is answered by the tree's ``on_error``."""
    return _require(is_moderator, REFUSAL)


def staff_only(text: str) -> Callable[[T], T]:
    """Decorator for commands moderators and administrators may use (:func:`is_staff`); refused with ``text``."""
    return _require(is_staff, text)


def admin_only(text: str) -> Callable[[T], T]:
    """Decorator for administrator commands (:func:`is_admin`); refused with ``text``."""
    return _require(is_admin, text)


def actor_of(interaction: discord.Interaction[ModBot]) -> Actor:
    """The moderator behind an interaction."""
    return Actor(interaction.user.id, interaction.user.display_name)
