"""The one place that writes and reads timestamp text: stored rows, the heartbeat, export files.

Stored timestamps are UTC ISO 8601 with a ``Z``: milliseconds for rows (``2024-05-01T12:00:00.000Z``, the same
text as SQLite's ``strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`` defaults, so they sort as text) and whole seconds for
the heartbeat and meta keys (``2024-05-01T12:00:00Z``). Every reader accepts both, any UTC offset, and ``Z``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

__all__ = ["day_start", "format_seconds", "parse_iso", "to_iso", "try_parse_iso", "utcnow"]


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def to_iso(when: datetime) -> str:
    """Store format of a row timestamp, to the millisecond: ``2024-05-01T12:00:00.000Z`` (sorts as text)."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def format_seconds(when: datetime) -> str:
    """Store format to the second (heartbeat, meta keys): ``2024-05-01T12:00:00Z``."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def day_start(day: date) -> str:
    """The stored text of midnight UTC at the start of ``day`` (compare with stored timestamps as text)."""
    return to_iso(datetime.combine(day, time(0, 0), tzinfo=UTC))


def parse_iso(text: str | None) -> datetime | None:
    """Parse timestamp text as aware UTC (no offset means UTC); ``None``/empty stays ``None``.

    Raises ``ValueError`` on text that is not ISO 8601: stored timestamps are written by :func:`to_iso` or SQLite,
    so bad text there is corruption worth hearing about. Use :func:`try_parse_iso` for outside input.
    """
    if not text:
        return None
    parsed = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def try_parse_iso(value: object) -> datetime | None:
    """Like :func:`parse_iso`, but ``None`` for anything unreadable (a non-string, bad text): for outside input."""
    if not isinstance(value, str):
        return None
    try:
        return parse_iso(value)
    except ValueError:
        return None
