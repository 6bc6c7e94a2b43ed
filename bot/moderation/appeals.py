"""Appeals: a member asks the moderators to reconsider a removal, warning or timeout decided on their case.

One appeal per case (``mod_appeals.case_id`` is UNIQUE); who may appeal and when is :func:`refusal` (the case's
author only, a decision that counts as a strike and was not marked unappealable, within ``appeal_window_days`` of
the decision, and ``appeal_cooldown_hours`` after the member's previous appeal in the same server). Moderators
accept or deny an appeal once: the first answer wins (a conditional UPDATE on ``state = 'pending'``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.moderation.cases import queue_filter
from bot.moderation.config import ModerationConfig
from bot.moderation.models import Case
from bot.moderation.state import CaseState
from bot.storage import Database
from bot.timestamps import parse_iso, to_iso, utcnow

APPEAL_TEXT_MIN = 10
APPEAL_TEXT_MAX = 1000
NOT_YOURS = "You can only appeal a decision about your own message."
APPEALABLE_STATES = frozenset({CaseState.REMOVED, CaseState.WARNED, CaseState.TIMED_OUT})


class AppealState(StrEnum):
    """Where an appeal is: waiting for a moderator, or answered."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DENIED = "denied"


@dataclass(frozen=True)
class Appeal:
    """One row of ``mod_appeals``."""

    id: int
    case_id: int
    guild_id: int
    member_id: int
    text: str
    state: AppealState
    created_at: datetime
    decided_by: int | None
    decided_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> Appeal:
        """From a row of ``mod_appeals``."""
        created = parse_iso(row["created_at"])
        assert created is not None
        return cls(int(row["id"]), int(row["case_id"]), int(row["guild_id"]), int(row["member_id"]),
                   str(row["text"]), AppealState(row["state"]), created, row["decided_by"],
                   parse_iso(row["decided_at"]))


def refusal(case: Case | None, user_id: int, config: ModerationConfig, *, existing: Appeal | None,
            last_appeal_at: datetime | None, now: datetime) -> str | None:
    """Why ``user_id`` may not appeal ``case`` now (text for the member), or None when they may."""
    if case is None or case.author_id != user_id:
        return NOT_YOURS
    if not config.appeals_enabled:
        return "Appeals are turned off in this server."
    if existing is not None:
        return f"You have already appealed this decision (case #{case.id}); it is {existing.state.value}."
    if case.state not in APPEALABLE_STATES:
        return f"Case #{case.id} has no decision that can be appealed."
    if not case.appealable:
        return "The moderators marked this decision as final: it cannot be appealed."
    if case.decided_at is not None and now - case.decided_at > timedelta(days=config.appeal_window_days):
        return f"Decisions can be appealed for {config.appeal_window_days} days; this one is older."
    cooldown = timedelta(hours=config.appeal_cooldown_hours)
    if last_appeal_at is not None and now - last_appeal_at < cooldown:
        ready = last_appeal_at + cooldown
        return f"You appealed recently; you can appeal again <t:{int(ready.timestamp())}:R>."
    return None


class AppealRepository:
    """Reads and writes ``mod_appeals``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def open(self, case: Case, text: str, *, now: datetime | None = None) -> Appeal | None:
        """Store the appeal of a case by its author; None when the case already has one."""
        rows = await self._db.returning(
            "INSERT INTO mod_appeals (case_id, guild_id, member_id, text, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(case_id) DO NOTHING RETURNING id",
            (case.id, case.guild_id, case.author_id, text, to_iso(now or utcnow())),
        )
        return await self.get(case.id) if rows else None

    async def get(self, case_id: int) -> Appeal | None:
        """The appeal of a case, if any."""
        row = await self._db.fetchone("SELECT * FROM mod_appeals WHERE case_id = ?", (case_id,))
        return Appeal.from_row(row) if row else None

    async def for_member(self, guild_id: int, member_id: int, *, limit: int = 10) -> list[Appeal]:
        """A member's appeals in this guild, newest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM mod_appeals WHERE guild_id = ? AND member_id = ? ORDER BY id DESC LIMIT ?",
            (guild_id, member_id, limit),
        )
        return [Appeal.from_row(row) for row in rows]

    async def last_at(self, guild_id: int, member_id: int) -> datetime | None:
        """When the member last appealed in this guild."""
        row = await self._db.fetchone(
            "SELECT MAX(created_at) FROM mod_appeals WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
        )
        return parse_iso(row[0]) if row and row[0] else None

    async def decide(self, case_id: int, actor_id: int, state: AppealState, *,
                     now: datetime | None = None) -> Appeal | None:
        """Answer a pending appeal (the first answer wins); None when it was not pending."""
        changed = await self._db.execute(
            "UPDATE mod_appeals SET state = ?, decided_by = ?, decided_at = ? WHERE case_id = ? AND state = ?",
            (state.value, actor_id, to_iso(now or utcnow()), case_id, AppealState.PENDING.value),
        )
        return await self.get(case_id) if changed else None

    def _pending_filter(self, guild_id: int, label: str | None, channel_id: int | None) -> tuple[str, list[object]]:
        return queue_filter(self._db.dialect, "a.guild_id = ? AND a.state = 'pending'", guild_id, label, channel_id)

    async def pending_case_ids(self, guild_id: int, *, label: str | None = None, channel_id: int | None = None,
                               offset: int = 0, limit: int = 10) -> list[int]:
        """Cases with a pending appeal, oldest appeal first."""
        where, params = self._pending_filter(guild_id, label, channel_id)
        rows = await self._db.fetchall(
            "SELECT a.case_id FROM mod_appeals a JOIN mod_cases c ON c.id = a.case_id "  # noqa: S608 - "?" only
            f"WHERE {where} ORDER BY a.id LIMIT ? OFFSET ?", (*params, limit, offset),
        )
        return [int(row[0]) for row in rows]

    async def count_pending(self, guild_id: int, *, label: str | None = None, channel_id: int | None = None) -> int:
        """How many appeals wait for a moderator."""
        where, params = self._pending_filter(guild_id, label, channel_id)
        row = await self._db.fetchone(
            f"SELECT COUNT(*) FROM mod_appeals a JOIN mod_cases c ON c.id = a.case_id WHERE {where}",  # noqa: S608
            params,
        )
        return int(row[0]) if row else 0
