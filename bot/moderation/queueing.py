"""Scoring by worker processes (``[cluster] scoring = "workers"``): the ports and the plain data they carry.

The gateway's :class:`~bot.moderation.intake.Intake` hands each watched message to a :class:`ScoreQueue` instead of
scoring it; once :meth:`ScoreQueue.enqueue` returns, the message is durable and the channel cursor may pass it.
A worker scores :class:`ScoreJob` batches (:mod:`bot.moderation.remote`) and tells the gateways about the cases it
opened or changed through :class:`CaseNotices`; the gateway that owns the guild announces them
(:meth:`bot.moderation.review.Review.announce_notice`: automatic action and card). The Redis implementations are
in :mod:`bot.cluster.score_stream`; nothing here knows about Redis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol

from bot.moderation.models import MessageSnapshot, ReplyContext

NoticeKind = Literal["opened", "edited"]


class ScoreQueue(Protocol):
    """Where the gateway puts messages to be scored by a worker."""

    async def enqueue(self, messages: Sequence[MessageSnapshot], *, edit: bool = False) -> None:
        """Store ``messages`` durably for scoring (``edit``: new texts of messages read before). Returns only
        when every message is stored; raises when they could not be (the caller keeps them for a retry)."""
        ...


@dataclass(frozen=True)
class ScoreJob:
    """One queued message as a worker receives it: ``entry_id`` acknowledges it, ``deliveries`` counts how often
    it was handed to a worker (more than once: a worker died or failed on it), ``enqueued_at`` is Unix time."""

    entry_id: str
    message: MessageSnapshot
    edit: bool = False
    deliveries: int = 1
    enqueued_at: float = 0.0


@dataclass(frozen=True)
class CaseNotice:
    """A worker opened (``opened``) or changed (``edited``) a case; the gateway owning ``guild_id`` announces it."""

    guild_id: int
    case_id: int
    kind: NoticeKind = "opened"


class CaseNotices(Protocol):
    """How workers tell the gateways about cases (at least once: the gateway's handling is idempotent)."""

    async def publish(self, notices: Sequence[CaseNotice]) -> None:
        """Send ``notices``; raises when they could not be sent."""
        ...


def snapshot_to_dict(message: MessageSnapshot) -> dict[str, Any]:
    """A snapshot as JSON-able data (the policy is not in it: the worker looks up the guild's)."""
    return asdict(message)


def snapshot_from_dict(data: Mapping[str, Any]) -> MessageSnapshot:
    """The inverse of :func:`snapshot_to_dict`; unknown keys (a newer gateway) are ignored."""
    fields = {key: data[key] for key in MessageSnapshot.__dataclass_fields__ if key in data}
    reply = fields.get("reply_to")
    if isinstance(reply, Mapping):
        fields["reply_to"] = ReplyContext(**{k: reply[k] for k in ReplyContext.__dataclass_fields__ if k in reply})
    return MessageSnapshot(**fields)
