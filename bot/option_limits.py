"""Server-side check of the option limits a slash command declares (Discord's client enforces them; a crafted
request does not, and discord.py does not check them either).

One generic rule reads what every command declares: ``app_commands.Range[...]`` (min/max value, min/max length),
choices (``Literal`` / ``Choice``) and required options, plus Discord's own bounds for options that declare none
(integers within +-2^53, strings up to 6,000 characters). No per-command code.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from discord import AppCommandOptionType, app_commands

DISCORD_INT_LIMIT = 2**53  # Discord's integer and number options lie within [-2^53, 2^53]
DISCORD_STRING_LIMIT = 6000  # Discord's string options are at most 6,000 characters


class OptionLimitError(app_commands.AppCommandError):
    """An option of a (crafted) interaction breaks a declared limit; ``user_message`` says which, without values."""

    def __init__(self, command: str, option: str, user_message: str) -> None:
        super().__init__(user_message)
        self.command = command
        self.option = option
        self.user_message = user_message


@dataclass(frozen=True)
class Limits:
    """What one option declares (``low``/``high`` are lengths for strings, values for numbers)."""

    name: str
    type: AppCommandOptionType
    required: bool
    low: int | float | None
    high: int | float | None
    choices: tuple[Any, ...]


def declared_limits(parameters: Iterable[Any]) -> list[Limits]:
    """The limits of a command's parameters (``app_commands.Command.parameters``)."""
    return [
        Limits(p.display_name, p.type, bool(p.required), p.min_value, p.max_value,
               tuple(c.value for c in (p.choices or ())))
        for p in parameters
    ]


def _number_problem(limit: Limits, value: Any) -> str | None:
    integer = limit.type is AppCommandOptionType.integer
    if isinstance(value, bool) or not isinstance(value, int if integer else (int, float)):
        return f"`{limit.name}` must be {'a whole number' if integer else 'a number'}."
    if isinstance(value, float) and not math.isfinite(value):
        return f"`{limit.name}` must be a finite number."
    low = limit.low if limit.low is not None else -DISCORD_INT_LIMIT
    high = limit.high if limit.high is not None else DISCORD_INT_LIMIT
    if not low <= value <= high:
        return f"`{limit.name}` must be between {low} and {high}."
    return None


def _string_problem(limit: Limits, value: Any) -> str | None:
    if not isinstance(value, str):
        return f"`{limit.name}` must be text."
    low = int(limit.low) if limit.low is not None else 0
    high = int(limit.high) if limit.high is not None else DISCORD_STRING_LIMIT
    if not low <= len(value) <= high:
        return f"`{limit.name}` must be {low}\u2013{high} characters long."
    return None


def option_problem(limit: Limits, present: bool, value: Any) -> str | None:
    """Why ``value`` breaks ``limit`` (a short sentence naming the option, never the value), or None."""
    if not present or value is None:
        return f"`{limit.name}` is required." if limit.required else None
    if limit.choices and value not in limit.choices:
        return f"`{limit.name}` must be one of the offered choices."
    if limit.type in (AppCommandOptionType.integer, AppCommandOptionType.number):
        return _number_problem(limit, value)
    if limit.type is AppCommandOptionType.string:
        return _string_problem(limit, value)
    if limit.type is AppCommandOptionType.boolean and not isinstance(value, bool):
        return f"`{limit.name}` must be true or false."
    return None


def check_options(command: app_commands.Command[Any, ..., Any], namespace: app_commands.Namespace) -> None:
    """Raise :class:`OptionLimitError` for the first option of ``namespace`` that breaks ``command``'s limits."""
    for limit in declared_limits(command.parameters):
        present = limit.name in namespace
        problem = option_problem(limit, present, namespace[limit.name] if present else None)
        if problem is not None:
            raise OptionLimitError(command.qualified_name, limit.name, problem)
