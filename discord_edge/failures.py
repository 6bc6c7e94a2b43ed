"""Failed components and dialogs are answered like failed commands: one function, :func:`report_failure`.

discord.py sends a failed slash command to the tree's ``on_error`` (:class:`bot.command_tree.ModTree`), but a
failed View item to ``View.on_error``, a failed Modal to ``Modal.on_error``, and a failed DynamicItem callback to a
log line only (nobody answers the member). Each of those delegates here, so every failed interaction is answered
ephemerally and logged once, the same way:

- :class:`ModView` and :class:`ModModal`: ``on_error`` is :func:`report_failure`;
- :func:`answers_failures`: for the ``callback`` of a DynamicItem.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord

from bot.command_tree import report_failure

__all__ = ["ModModal", "ModView", "answers_failures", "report_failure"]

S = TypeVar("S")
I = TypeVar("I", bound=discord.Interaction[Any])  # noqa: E741


def answers_failures(callback: Callable[[S, I], Awaitable[None]]) -> Callable[[S, I], Awaitable[None]]:
    """Wrap a component callback: an exception is answered and logged by :func:`report_failure`."""

    @functools.wraps(callback)
    async def guarded(self: S, interaction: I) -> None:
        try:
            await callback(self, interaction)
        except Exception as exc:
            await report_failure(interaction, exc)

    return guarded


class ModView(discord.ui.View):
    """A View whose failed items are answered and logged like failed commands."""

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception,
                       item: discord.ui.Item[Any], /) -> None:
        """Delegate to :func:`report_failure`."""
        await report_failure(interaction, error)


class ModModal(discord.ui.Modal):
    """A Modal whose failed submission is answered and logged like a failed command."""

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception,
                       item: discord.ui.Item[Any] | None = None, /) -> None:
        """Delegate to :func:`report_failure` (discord.py calls it with two arguments; BaseView declares three)."""
        await report_failure(interaction, error)
