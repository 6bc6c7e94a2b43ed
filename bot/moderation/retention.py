"""Retention: message text of closed cases is purged after ``retention_days`` (pure rule + the SQL that applies it)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.moderation.models import Case, to_iso, utcnow
from bot.moderation.state import CLOSED_STATES
from bot.storage import Database


def purge_cutoff(now: datetime, retention_days: int) -> datetime:
    """Cases decided before this instant have their content purged."""
    return now - timedelta(days=retention_days)


def is_purgeable(case: Case, now: datetime, retention_days: int) -> bool:
    """True when ``case`` is closed, was decided more than ``retention_days`` ago and still holds content."""
    if case.state not in CLOSED_STATES or case.decided_at is None:
        return False
    if case.content is None and case.evidence is None:
        return False
    return case.decided_at < purge_cutoff(now, retention_days)


async def purge_closed_content(db: Database, retention_days: int, *, now: datetime | None = None) -> int:
    """Null out content and evidence of closed cases past retention; returns how many cases were purged.

    The same rule as :func:`is_purgeable`, applied in one UPDATE.
    """
    when = now or utcnow()
    return await db.execute(
        "UPDATE mod_cases SET content = NULL, evidence = NULL, content_purged_at = ? "
        "WHERE state IN ('approved', 'removed', 'warned', 'timed_out') AND decided_at IS NOT NULL AND decided_at < ? "
        "AND (content IS NOT NULL OR evidence IS NOT NULL)",
        (to_iso(when), to_iso(purge_cutoff(when, retention_days))),
    )
