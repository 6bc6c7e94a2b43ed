"""Reading the review queue's ``mod_cases`` table for statistics (read-only; the schema belongs to bot.moderation)."""

from __future__ import annotations

import json
from datetime import date

from bot.stats.summary import CaseRecord
from bot.storage import Database
from bot.timestamps import day_start, parse_iso


def _labels(raw: str | None) -> tuple[str, ...]:
    try:
        loaded = json.loads(raw or "[]")
    except ValueError:
        return ()
    return tuple(str(item) for item in loaded if str(item).strip()) if isinstance(loaded, list) else ()


async def load_cases(db: Database, guild_id: int, since: date) -> list[CaseRecord]:
    """Cases of ``guild_id`` opened on or after ``since`` (UTC), oldest first."""
    rows = await db.fetchall(
        "SELECT created_at, decided_at, state, labels_json, channel_id FROM mod_cases "
        "WHERE guild_id = ? AND created_at >= ? ORDER BY created_at, id",
        (guild_id, day_start(since)),
    )
    out = []
    for row in rows:
        created = parse_iso(row["created_at"])
        if created is None:
            continue
        out.append(CaseRecord(
            created_at=created,
            state=str(row["state"]),
            labels=_labels(row["labels_json"]),
            channel_id=int(row["channel_id"]),
            decided_at=parse_iso(row["decided_at"]),
        ))
    return out
