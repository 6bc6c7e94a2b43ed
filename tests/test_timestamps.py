"""bot.timestamps: the one writer and reader of timestamp text (rows, heartbeat, exports)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bot.timestamps import day_start, format_seconds, parse_iso, to_iso, try_parse_iso, utcnow

WHEN = datetime(2024, 5, 1, 12, 30, 45, 123456, tzinfo=UTC)


def test_row_format_is_milliseconds_utc_with_z() -> None:
    assert to_iso(WHEN) == "2024-05-01T12:30:45.123Z"
    assert to_iso(WHEN.astimezone(timezone(timedelta(hours=2)))) == "2024-05-01T12:30:45.123Z"


def test_seconds_format() -> None:
    assert format_seconds(WHEN) == "2024-05-01T12:30:45Z"


def test_round_trips() -> None:
    assert parse_iso(to_iso(WHEN)) == WHEN.replace(microsecond=123000)
    assert parse_iso(format_seconds(WHEN)) == WHEN.replace(microsecond=0)
    assert try_parse_iso(to_iso(WHEN)) == parse_iso(to_iso(WHEN))


def test_stored_text_sorts_like_time() -> None:
    earlier, later = WHEN, WHEN + timedelta(milliseconds=1)
    assert to_iso(earlier) < to_iso(later)
    assert day_start(date(2024, 5, 1)) <= to_iso(WHEN) < day_start(date(2024, 5, 2))


def test_day_start_matches_sqlite_default_shape() -> None:
    assert day_start(date(2024, 5, 1)) == "2024-05-01T00:00:00.000Z"


def test_parse_is_aware_utc() -> None:
    parsed = parse_iso("2024-05-01T14:30:45+02:00")
    assert parsed == datetime(2024, 5, 1, 12, 30, 45, tzinfo=UTC) and parsed.utcoffset() == timedelta(0)
    assert parse_iso("2024-05-01T12:30:45") == datetime(2024, 5, 1, 12, 30, 45, tzinfo=UTC)  # no offset: UTC


def test_blank_and_bad_text() -> None:
    assert parse_iso(None) is None and parse_iso("") is None
    with pytest.raises(ValueError):
        parse_iso("garbage")
    assert try_parse_iso("garbage") is None
    assert try_parse_iso(None) is None and try_parse_iso(12) is None and try_parse_iso("") is None


def test_utcnow_is_aware() -> None:
    assert utcnow().tzinfo is not None and utcnow().utcoffset() == timedelta(0)
