"""The audit repository: every moderation action (who, what, when, target, reason) in ``audit_log``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.moderation.models import AuditEntry, Case
from bot.storage import Database
from bot.timestamps import parse_iso, to_iso, utcnow


def _entry(row: Any) -> AuditEntry:
    at = parse_iso(row["at"])
    assert at is not None
    return AuditEntry(
        id=int(row["id"]),
        at=at,
        guild_id=row["guild_id"],
        actor_id=row["actor_id"],
        action=str(row["action"]),
        target=row["target"],
        detail=row["detail"],
        case_id=row["case_id"],
        reason=row["reason"],
    )


class AuditRepository:
    """Append-only writes and simple reads of ``audit_log``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        action: str,
        *,
        guild_id: int | None,
        actor_id: int | None,
        case_id: int | None = None,
        target: str | None = None,
        reason: str | None = None,
        detail: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> int:
        """Append one entry; returns its id. ``action`` is a dotted verb such as ``case.remove``."""
        rows = await self._db.returning(
            "INSERT INTO audit_log (at, guild_id, actor_id, action, target, detail, case_id, reason) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                to_iso(now or utcnow()),
                guild_id,
                actor_id,
                action,
                target,
                json.dumps(dict(detail), sort_keys=True) if detail else None,
                case_id,
                reason,
            ),
        )
        return int(rows[0][0])

    async def for_case(self, case_id: int) -> list[AuditEntry]:
        """Entries about one case, oldest first."""
        rows = await self._db.fetchall("SELECT * FROM audit_log WHERE case_id = ? ORDER BY id", (case_id,))
        return [_entry(row) for row in rows]

    async def for_member(self, guild_id: int, member_id: int, *, limit: int = 25) -> list[AuditEntry]:
        """Entries about a member (targeting them, or about their cases), newest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM audit_log WHERE guild_id = ? AND (target = ? OR case_id IN "
            "(SELECT id FROM mod_cases WHERE guild_id = ? AND author_id = ?)) ORDER BY id DESC LIMIT ?",
            (guild_id, f"user:{member_id}", guild_id, member_id, limit),
        )
        return [_entry(row) for row in rows]

    async def count(self, action: str | None = None) -> int:
        """How many entries (optionally of one action) are stored."""
        if action is None:
            row = await self._db.fetchone("SELECT COUNT(*) FROM audit_log")
        else:
            row = await self._db.fetchone("SELECT COUNT(*) FROM audit_log WHERE action = ?", (action,))
        return int(row[0]) if row else 0


async def record_case_open(audit: AuditRepository, case: Case) -> None:
    """The ``case.open`` entry of a case just stored (by the gateway's review or a scoring worker)."""
    await audit.record("case.open", guild_id=case.guild_id, actor_id=None, case_id=case.id,
                       target=f"user:{case.author_id}", detail={"source": case.source})
