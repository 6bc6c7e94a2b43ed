"""Member reports of a message: stored once per reporter and case (``mod_reports``)."""

from __future__ import annotations

from datetime import datetime

from bot.storage import Database
from bot.timestamps import to_iso, utcnow

REPORT_REASON_MAX = 500


class ReportRepository:
    """Adds reports. A second report of the same message by the same member is ignored."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, case_id: int, reporter_id: int, reason: str | None, *, now: datetime | None = None) -> bool:
        """Store a report; returns False when this member had already reported this case."""
        text = (reason or "").strip()[:REPORT_REASON_MAX] or None
        rows = await self._db.returning(
            "INSERT INTO mod_reports (case_id, reporter_id, reason, at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(case_id, reporter_id) DO NOTHING RETURNING id",
            (case_id, reporter_id, text, to_iso(now or utcnow())),
        )
        return bool(rows)
