"""Plain data the moderation core passes around: message snapshots, actors, cases and audit entries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.moderation.state import CaseState
from bot.timestamps import parse_iso

REPLY_CONTEXT_CHARS = 1000
"""How much of the replied-to message is kept: enough to judge the reply, not a second copy of a long post."""


@dataclass(frozen=True)
class ReplyContext:
    """The message a reply answers (Discord's reply reference), as the reply's author saw it."""

    message_id: int
    author_id: int
    author_name: str = ""
    content: str = ""


@dataclass(frozen=True)
class MessageSnapshot:
    """What the core needs to know about a Discord message (built by the cogs; no Discord types here).

    ``reply_to``: the message it answers, when it is a reply; ``article_title``: the article of the ``/summary``
    thread it was posted in (filled in by intake, which knows the threads)."""

    message_id: int
    guild_id: int
    channel_id: int
    author_id: int
    content: str
    author_name: str = ""
    parent_id: int | None = None
    category_id: int | None = None
    is_thread: bool = False
    author_is_bot: bool = False
    is_webhook: bool = False
    jump_url: str = ""
    reply_to: ReplyContext | None = None
    article_title: str | None = None


@dataclass(frozen=True)
class Actor:
    """Who performs an action: a moderator."""

    user_id: int
    display_name: str = ""


TRIGGER_NAMES: dict[int, str] = {
    1: "keyword", 2: "harmful link", 3: "spam", 4: "keyword preset", 5: "mention spam", 6: "member profile",
}


@dataclass(frozen=True)
class AutoModRecord:
    """What Discord AutoMod did about a case's message, per rule (a row of ``automod_hits``)."""

    rule_id: int
    rule_name: str | None
    trigger_type: int
    actions: tuple[str, ...]  # "block", "alert", "timeout", "block_interactions", in the order they arrived
    blocked: bool  # the message was never posted
    matched_keyword: str | None = None
    matched_content: str | None = None
    timeout_seconds: int | None = None
    alert_message_id: int | None = None

    @property
    def trigger(self) -> str:
        """The rule's trigger in words (``keyword``, ``spam``, ...)."""
        return TRIGGER_NAMES.get(self.trigger_type, f"trigger {self.trigger_type}")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AutoModRecord:
        """From one object of the cases query's ``automod_json`` array."""
        return cls(
            rule_id=int(data["rule_id"]),
            rule_name=data.get("rule_name"),
            trigger_type=int(data.get("trigger_type") or 0),
            actions=tuple(str(a) for a in data.get("actions") or ()),
            blocked=bool(data.get("blocked")),
            matched_keyword=data.get("matched_keyword"),
            matched_content=data.get("matched_content"),
            timeout_seconds=data.get("timeout_seconds"),
            alert_message_id=data.get("alert_message_id"),
        )


@dataclass(frozen=True)
class Case:
    """One stored case (a row of ``mod_cases``)."""

    id: int
    guild_id: int
    channel_id: int
    message_id: int
    author_id: int
    author_name: str
    jump_url: str
    content: str | None
    evidence: str | None
    flagged: bool
    severity: str
    labels: tuple[str, ...]
    reasons: tuple[str, ...]
    scores: dict[str, float]
    source: str
    state: CaseState
    note: str | None
    claimed_by: int | None
    claimed_at: datetime | None
    lock_actor_id: int | None
    lock_action: str | None
    decided_by: int | None
    decided_at: datetime | None
    decision_reason: str | None
    auto_action: str | None
    message_deleted: bool
    edit_count: int
    card_channel_id: int | None
    card_message_id: int | None
    digest_message_id: int | None
    content_purged_at: datetime | None
    created_at: datetime
    updated_at: datetime
    report_count: int = 0
    reply_to: ReplyContext | None = None
    article_title: str | None = None
    appealable: bool = True  # False: the moderators marked the decision final (no Appeal button)
    automod: tuple[AutoModRecord, ...] = ()

    @property
    def message_blocked(self) -> bool:
        """True when Discord AutoMod blocked the message: it was never posted, so there is nothing to remove."""
        return any(record.blocked for record in self.automod)

    @property
    def is_open(self) -> bool:
        """True while moderators can still decide it."""
        return self.state.is_open

    @property
    def announced(self) -> bool:
        """True once a card or a digest mentioning it was posted."""
        return self.card_message_id is not None or self.digest_message_id is not None

    @classmethod
    def from_row(cls, row: Any) -> Case:
        """Build from an ``aiosqlite.Row`` of ``mod_cases`` (optionally with a ``report_count`` column)."""
        keys = row.keys()
        created = parse_iso(row["created_at"])
        updated = parse_iso(row["updated_at"])
        assert created is not None and updated is not None
        return cls(
            id=int(row["id"]),
            guild_id=int(row["guild_id"]),
            channel_id=int(row["channel_id"]),
            message_id=int(row["message_id"]),
            author_id=int(row["author_id"]),
            author_name=str(row["author_name"] or ""),
            jump_url=str(row["jump_url"] or ""),
            content=row["content"],
            evidence=row["evidence"],
            flagged=bool(row["flagged"]),
            severity=str(row["severity"] or ""),
            labels=tuple(json.loads(row["labels_json"] or "[]")),
            reasons=tuple(json.loads(row["reasons_json"] or "[]")),
            scores={str(k): float(v) for k, v in json.loads(row["scores_json"] or "{}").items()},
            source=str(row["source"]),
            state=CaseState(row["state"]),
            note=row["note"],
            claimed_by=row["claimed_by"],
            claimed_at=parse_iso(row["claimed_at"]),
            lock_actor_id=row["lock_actor_id"],
            lock_action=row["lock_action"],
            decided_by=row["decided_by"],
            decided_at=parse_iso(row["decided_at"]),
            decision_reason=row["decision_reason"],
            auto_action=row["auto_action"],
            message_deleted=bool(row["message_deleted"]),
            edit_count=int(row["edit_count"]),
            card_channel_id=row["card_channel_id"],
            card_message_id=row["card_message_id"],
            digest_message_id=row["digest_message_id"],
            content_purged_at=parse_iso(row["content_purged_at"]),
            created_at=created,
            updated_at=updated,
            report_count=int(row["report_count"]) if "report_count" in keys else 0,
            reply_to=_reply_of(row),
            article_title=row["article_title"] or None,
            appealable=bool(row["appealable"]) if "appealable" in keys else True,
            automod=tuple(AutoModRecord.from_json(item) for item in json.loads(row["automod_json"] or "[]"))
            if "automod_json" in keys else (),
        )


def _reply_of(row: Any) -> ReplyContext | None:
    if row["reply_to_message_id"] is None:
        return None
    return ReplyContext(int(row["reply_to_message_id"]), int(row["reply_to_author_id"] or 0),
                        str(row["reply_to_author_name"] or ""), str(row["reply_to_content"] or ""))


@dataclass(frozen=True)
class AuditEntry:
    """One row of ``audit_log``: who did what, when, to which target, and why."""

    id: int
    at: datetime
    guild_id: int | None
    actor_id: int | None
    action: str
    target: str | None
    detail: str | None
    case_id: int | None
    reason: str | None
