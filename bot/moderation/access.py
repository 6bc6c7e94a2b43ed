"""Who may act on cases: the configured moderator role, or Manage Messages when no role is configured."""

from __future__ import annotations

from collections.abc import Iterable

REFUSAL = "Only moderators can do that. Nothing was changed."


def may_moderate(role_ids: Iterable[int], *, manage_messages: bool, moderator_role_id: int | None) -> bool:
    """True when a member with ``role_ids`` (and Manage Messages or not) may act on cases."""
    if moderator_role_id:
        return moderator_role_id in set(role_ids)
    return manage_messages
