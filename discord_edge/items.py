"""Persistent components, declared once: :class:`PersistentItem` (anyone may click; the callback decides) and
:class:`ModeratorItem` (moderators only).

A card button, the Timeout select and a ``/queue`` page button are ``discord.ui.DynamicItem`` s: their state is
their custom_id (:mod:`bot.moderation.custom_ids`), so they work after a restart. Each is rebuilt from its custom_id
by :meth:`ModeratorItem.rebuild`; one whose id no row can have (forged: any client can send any custom_id) is
rebuilt as a placeholder and answered "There is no ..." by the shared ``interaction_check``, which also refuses
everyone but moderators. The callback of each item is wrapped by :func:`~discord_edge.failures.answers_failures`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self, TypeVar

import discord

from bot.moderation.custom_ids import IdOutOfRange
from discord_edge.access import moderator_check
from discord_edge.interactions import reply_ephemeral

if TYPE_CHECKING:
    from bot.app import ModBot

ItemT = TypeVar("ItemT", bound=discord.ui.Item[Any])

NEVER = r"(?!)"
"""The base class's own template: it matches nothing (only the concrete items are registered)."""


class PersistentItem(discord.ui.DynamicItem[ItemT], template=NEVER):
    """A persistent component rebuilt from its custom_id. Subclasses declare ``template=``, implement
    :meth:`rebuild` and :meth:`placeholder`, and may narrow who may use it with :meth:`allowed`."""

    forged: IdOutOfRange | None = None
    """Set on a placeholder rebuilt from a custom_id whose id no row can have."""

    @classmethod
    def rebuild(cls, item: ItemT, match: re.Match[str]) -> Self:
        """The component from its custom_id (raises :class:`IdOutOfRange` for an id no row can have)."""
        raise NotImplementedError

    @classmethod
    def placeholder(cls, item: ItemT, match: re.Match[str]) -> Self:
        """A stand-in for a forged custom_id (never acted on: :meth:`interaction_check` answers it)."""
        raise NotImplementedError

    # [override]: discord.py types the interaction for any client (a method-level TypeVar) and the item as any
    # Item; it calls this with ModBot's own interaction and the component type the template matched.
    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[ModBot],  # type: ignore[override]
        item: ItemT,  # type: ignore[override]
        match: re.Match[str],
    ) -> Self:
        """Rebuild the component from its custom_id (after a restart too)."""
        try:
            return cls.rebuild(item, match)
        except IdOutOfRange as exc:
            made = cls.placeholder(item, match)
            made.item.custom_id, made.forged = match.string, exc  # type: ignore[attr-defined]
            return made

    async def allowed(self, interaction: discord.Interaction[ModBot]) -> bool:
        """Whether this user may use the component (refuse ephemerally before returning False)."""
        return True

    async def interaction_check(self, interaction: discord.Interaction[ModBot]) -> bool:  # type: ignore[override]
        """:meth:`allowed`, and only for an id a row can have."""
        if not await self.allowed(interaction):
            return False
        if self.forged is None:
            return True
        await reply_ephemeral(interaction, f"There is no {self.forged.kind} #{self.forged.value}.")
        return False


class ModeratorItem(PersistentItem[ItemT], template=NEVER):
    """A persistent component only moderators may use."""

    async def allowed(self, interaction: discord.Interaction[ModBot]) -> bool:
        """Moderators only (refused ephemerally)."""
        return await moderator_check(interaction)
