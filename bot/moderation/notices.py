"""What a member is told by DM about a decision on their message, and about their appeal (plain text).

The Discord side (:class:`~bot.moderation.ports.ActionExecutor`) sends a :class:`Notice` with the server's name
filled in by :func:`notice_text`, and an Appeal button when ``appeal`` is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.moderation.models import Case
from bot.moderation.strikes import format_minutes

NOTICE_MAX = 2000


class NoticeKind(StrEnum):
    """Which notice."""

    WARN = "warn"
    REMOVE = "remove"
    TIMEOUT = "timeout"
    APPEAL_ACCEPTED = "appeal_accepted"
    APPEAL_DENIED = "appeal_denied"


@dataclass(frozen=True)
class Notice:
    """A DM to the case's author: ``appeal`` adds the Appeal button (``modbot:appeal:<case_id>``)."""

    kind: NoticeKind
    reason: str | None = None
    minutes: int | None = None
    appeal: bool = False
    note: str | None = None


APPEAL_HINT = "If you think this was a mistake, you can appeal with the button below."


def notice_text(notice: Notice, case: Case, server: str) -> str:
    """The DM text; ``server`` is the server's name as shown (e.g. ``**Newsroom**``)."""
    where = f"<#{case.channel_id}>"
    reason = f"\n> {notice.reason}" if notice.reason else ""
    if notice.kind is NoticeKind.WARN:
        text = f"You have received a warning from the moderators of {server} about your message in {where}:{reason}"
    elif notice.kind is NoticeKind.REMOVE:
        text = f"The moderators of {server} removed your message in {where} (case #{case.id}).{reason}"
    elif notice.kind is NoticeKind.TIMEOUT:
        length = format_minutes(notice.minutes or 0)
        text = (f"The moderators of {server} timed you out for {length} because of your message in {where} "
                f"(case #{case.id}).{reason}")
    elif notice.kind is NoticeKind.APPEAL_ACCEPTED:
        text = f"Your appeal about case #{case.id} in {server} was **accepted**."
    else:
        text = f"Your appeal about case #{case.id} in {server} was **denied**; the decision stands."
    if notice.note:
        text += f"\n{notice.note}"
    if notice.appeal:
        text += f"\n\n{APPEAL_HINT}"
    return text[:NOTICE_MAX]
