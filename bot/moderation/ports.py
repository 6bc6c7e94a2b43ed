"""What the moderation core needs from the outside world (Discord), as protocols the cogs implement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.moderation.cards import CardContent
from bot.moderation.models import Case
from bot.moderation.notices import Notice
from bot.moderation.state import Action


class ActionError(Exception):
    """An action could not be carried out on Discord.

    ``kind`` is ``missing_permission`` (the bot lacks a permission, or role hierarchy forbids it), ``not_found``
    (the message or member is gone), ``cannot_dm`` (the member does not accept DMs) or ``failed``.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class PostedMessage:
    """A message the bot posted in the mod channel, as read back from channel history."""

    message_id: int
    content: str
    footers: tuple[str, ...] = ()
    custom_ids: tuple[str, ...] = ()


class ActionExecutor(Protocol):
    """Carries out moderator actions on Discord."""

    async def missing_permissions(self, case: Case, action: Action) -> list[str]:
        """Human names of the bot permissions ``action`` needs but lacks (empty when fine or unknown)."""
        ...

    async def delete_message(self, case: Case, reason: str | None) -> None:
        """Delete the case's message. Raises :class:`ActionError`."""
        ...

    async def timeout_member(self, case: Case, minutes: int, reason: str | None) -> None:
        """Time the author out for ``minutes``. Raises :class:`ActionError`."""
        ...

    async def warn_member(self, case: Case, reason: str, *, appeal: bool = False) -> None:
        """DM the author a warning (``appeal``: with the Appeal button). Raises :class:`ActionError` (``cannot_dm``
        when DMs are closed)."""
        ...

    async def send_notice(self, case: Case, notice: Notice) -> None:
        """DM the author a notice about their case. Raises :class:`ActionError`."""
        ...

    async def lift_timeout(self, case: Case, reason: str | None) -> None:
        """End the author's timeout now. Raises :class:`ActionError`."""
        ...

    async def is_staff(self, case: Case, moderator_role_id: int | None) -> bool | None:
        """Whether the author may moderate (or administer) the case's guild; None when it cannot be told."""
        ...


class CardPublisher(Protocol):
    """Posts and updates case cards, digests and mod-log entries."""

    async def post_card(self, channel_id: int, case: Case, content: CardContent | None = None, *,
                        mention_roles: Sequence[int] = ()) -> int:
        """Post the card of ``case`` in ``channel_id`` (``content``: as the core rendered it; mentioning exactly
        ``mention_roles``); returns the message id."""
        ...

    async def post_digest(self, channel_id: int, case_ids: Sequence[int], *,
                          mention_roles: Sequence[int] = ()) -> int:
        """Post one message standing for ``case_ids`` during a burst; returns the message id."""
        ...

    async def post_quiet_digest(self, channel_id: int, cases: Sequence[Case], *,
                                mention_roles: Sequence[int] = ()) -> int:
        """Quiet mode: post one message listing ``cases``; returns the message id."""
        ...

    async def refresh_card(self, case: Case, content: CardContent | None = None) -> None:
        """Show ``content`` (else the case re-rendered) on the posted card of ``case`` (no-op without a card)."""
        ...

    async def post_mod_log(self, text: str, channel_id: int | None = None) -> None:
        """Append an entry to the mod-log channel (``channel_id``: a guild's own; no-op when none is configured)."""
        ...

    async def recent_posts(self, channel_id: int, since: datetime, limit: int) -> list[PostedMessage]:
        """The bot's own messages in ``channel_id`` posted after ``since`` (for reconciliation)."""
        ...
