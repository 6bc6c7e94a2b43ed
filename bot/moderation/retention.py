"""Retention: message text of closed cases is purged after ``retention_days`` (pure rule + the SQL that applies it).

The posted case cards show the text too, so :func:`purge_and_refresh_cards` also re-renders each purged case's card
(its text replaced by "Message content purged after the retention period").
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.moderation.cases import CaseRepository
from bot.moderation.models import Case
from bot.moderation.state import CLOSED_STATES
from bot.storage import Database
from bot.timestamps import to_iso, utcnow

log = logging.getLogger(__name__)

_PURGE_SQL = (
    "UPDATE mod_cases SET content = NULL, evidence = NULL, reply_to_content = NULL, content_purged_at = ? "
    "WHERE state IN ('approved', 'removed', 'warned', 'timed_out') AND decided_at IS NOT NULL AND decided_at < ? "
    "AND (content IS NOT NULL OR evidence IS NOT NULL OR reply_to_content IS NOT NULL)"
)


def purge_cutoff(now: datetime, retention_days: int) -> datetime:
    """Cases decided before this instant have their content purged."""
    return now - timedelta(days=retention_days)


def is_purgeable(case: Case, now: datetime, retention_days: int) -> bool:
    """True when ``case`` is closed, was decided more than ``retention_days`` ago and still holds content."""
    if case.state not in CLOSED_STATES or case.decided_at is None:
        return False
    if case.content is None and case.evidence is None and not (case.reply_to and case.reply_to.content):
        return False
    return case.decided_at < purge_cutoff(now, retention_days)


async def purge_closed_content(db: Database, retention_days: int, *, now: datetime | None = None) -> int:
    """Null out content and evidence of closed cases past retention; returns how many cases were purged.

    The same rule as :func:`is_purgeable`, applied in one UPDATE.
    """
    return len(await _purge(db, retention_days, now))


async def _purge(db: Database, retention_days: int, now: datetime | None) -> list[tuple[int, bool]]:
    """Apply the purge; ``(case id, has a posted card)`` of every case purged."""
    when = now or utcnow()
    async with db.transaction() as tx:
        rows = await tx.fetchall(f"{_PURGE_SQL} RETURNING id, card_message_id",
                                 (to_iso(when), to_iso(purge_cutoff(when, retention_days))))
        if rows:  # AutoMod's matched text and the member's appeal are message text too
            ids = (json.dumps([int(row[0]) for row in rows]),)
            in_ids = db.dialect.id_list()
            await tx.execute(f"UPDATE automod_hits SET matched_content = NULL WHERE case_id IN {in_ids}", ids)  # noqa: S608
            await tx.execute(f"UPDATE mod_appeals SET text = '' WHERE case_id IN {in_ids}", ids)  # noqa: S608
    return [(int(row[0]), row[1] is not None) for row in rows]


async def purge_and_refresh_cards(db: Database, retention_days: int, cases: CaseRepository,
                                  refresh: Callable[[Case], Awaitable[None]], *, now: datetime | None = None) -> int:
    """Purge (as :func:`purge_closed_content`), then edit every purged case's posted card so its text goes too.

    ``refresh`` re-renders a card and logs its own failures (``ModerationService.refresh_card``).
    """
    purged = await _purge(db, retention_days, now)
    for case_id, has_card in purged:
        case = await cases.get(case_id) if has_card else None
        if case is not None:
            await refresh(case)
    return len(purged)
