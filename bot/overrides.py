"""Applying overrides to a pydantic config section: the one rule behind per-guild settings and ``merged()``.

A per-guild ``/config`` value (``bot/guildconf``) and a code path that tweaks a section (``PolicyConfig.merged``,
used by ``modbot eval``) both need "this section, with these fields replaced, validated again".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["apply_overrides"]

M = TypeVar("M", bound=BaseModel)


def apply_overrides(base: M, overrides: Mapping[str, Any] | None) -> M:
    """A validated copy of ``base`` with ``overrides`` (field -> value); ``base`` itself when there are none.

    Raises ``pydantic.ValidationError`` for a bad value or, when the model forbids extras, an unknown field.
    """
    if not overrides:
        return base
    return type(base).model_validate({**base.model_dump(), **dict(overrides)})
