"""Reading the review queue's ``mod_cases`` table for statistics (read-only; the schema belongs to bot.moderation)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

from bot.stats.summary import CaseRecord
from bot.storage import Database


def _parse(text: str | None) -> datetime | None:
    if not text:
        return None
    parsed = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _labels(raw: str | None) -> tuple[str, ...]:
    try:
        loaded = json.loads(raw or "[]")
    except ValueError:
        return ()
    return tuple(str(item) for item in loaded if str(item).strip()) if isinstance(loaded, list) else ()


def day_start(day: date) -> str:
    """The stored-timestamp text of midnight UTC at the start of ``day`` (timestamps sort as text)."""
    return datetime.combine(day, time(0, 0), tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


async def load_cases(db: Database, guild_id: int, since: date) -> list[CaseRecord]:
    """Cases of ``guild_id`` opened on or after ``since`` (UTC), oldest first."""
    rows = await db.fetchall(
        "SELECT created_at, decided_at, state, labels_json, channel_id FROM mod_cases "
        "WHERE guild_id = ? AND created_at >= ? ORDER BY created_at, id",
        (guild_id, day_start(since)),
    )
    out = []
    for row in rows:
        created = _parse(row["created_at"])
        if created is None:
            continue
        out.append(CaseRecord(
            created_at=created,
            state=str(row["state"]),
            labels=_labels(row["labels_json"]),
            channel_id=int(row["channel_id"]),
            decided_at=_parse(row["decided_at"]),
        ))
    return out
