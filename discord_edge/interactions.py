"""Answering interactions and reading the member behind them: one rule each, for cogs and components.

- :func:`reply_ephemeral`: say something only the user sees, whether or not the interaction was answered already.
- :func:`role_ids`: the member's role ids, through discord.py's public ``Member.roles``.
"""

from __future__ import annotations

from typing import Any

import discord

__all__ = ["reply_ephemeral", "role_ids"]


async def reply_ephemeral(
    interaction: discord.Interaction[Any], text: str, *, replace_public_thinking: bool = False
) -> None:
    """Tell only the user ``text``: the response if none was sent yet, else a follow-up.

    ``replace_public_thinking``: for a command that deferred publicly ("... is thinking" for everyone), delete
    that message first, because a public response cannot turn ephemeral.
    """
    if not interaction.response.is_done():
        await interaction.response.send_message(text, ephemeral=True)
        return
    if replace_public_thinking:
        try:
            await interaction.delete_original_response()
        except discord.HTTPException:
            pass
    await interaction.followup.send(text, ephemeral=True)


def role_ids(member: discord.Member) -> list[int]:
    """The member's role ids, ``@everyone`` included (resolved through the guild's role cache)."""
    return [role.id for role in member.roles]
