"""Moderation statistics: counting (pure), the screen-reader text, reading mod_cases, and the PNG chart."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PIL import Image

from bot.moderation.cases import CaseRepository
from bot.moderation.models import MessageSnapshot
from bot.moderation.scoring import Assessment
from bot.stats.charts import daily_bars, modstats_png, ranking_bars
from bot.stats.queries import load_cases
from bot.stats.summary import CaseRecord, compute, describe, format_duration, per_day_lines, window
from bot.storage import Database

TODAY = date(2024, 5, 10)


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2024, 5, day, hour, minute, tzinfo=UTC)


CASES = [
    CaseRecord(at(10), "pending", ("inflammatory",), 1),
    CaseRecord(at(9), "removed", ("partisan", "toxic"), 1, at(9, 12, 4)),
    CaseRecord(at(9, 8), "approved", (), 2, at(9, 9)),
    CaseRecord(at(8), "warned", ("inflammatory",), 3, at(8, 14)),
    CaseRecord(at(1), "removed", ("threat",), 1, at(1, 13)),  # outside a 7-day window
]


def test_window_is_oldest_first_and_ends_today() -> None:
    days = window(3, TODAY)
    assert days == (date(2024, 5, 8), date(2024, 5, 9), date(2024, 5, 10))


def test_compute_counts_by_day_label_decision_and_channel() -> None:
    stats = compute(CASES, days=7, today=TODAY)
    assert stats.total == 4
    assert stats.label_totals() == {"inflammatory": 2, "partisan": 1, "toxic": 1, "unlabelled": 1}
    assert stats.decision_totals() == {"pending": 1, "approved": 1, "removed": 1, "warned": 1}
    assert stats.by_label["inflammatory"][-3:] == (1, 0, 1)
    assert stats.top_channels == ((1, 2), (2, 1), (3, 1))
    assert stats.decided == 3
    assert stats.median_decision_seconds == 3600  # 4 min, 60 min, 120 min
    assert stats.cases_on(date(2024, 5, 9)) == 2 and stats.cases_on(date(2000, 1, 1)) == 0


def test_describe_is_the_numbers_in_words() -> None:
    stats = compute(CASES, days=7, today=TODAY)
    text = describe(stats, {1: "general"})
    assert text.splitlines()[:5] == [
        "Last 7 days (2024-05-04 to 2024-05-10, UTC): 4 cases.",
        "By label: inflammatory 2, partisan 1, toxic 1, unlabelled 1.",
        "By decision: pending 1, approved 1, removed 1, warned 1.",
        "Top channels: #general 2, #2 1, #3 1.",
        "Median time to a decision: 60 min (3 decided).",
    ]
    assert per_day_lines(stats)[1] == (
        "2024-05-09: 2 (partisan 1, toxic 1, unlabelled 1; approved 1, removed 1)")
    assert len(describe(compute(CASES * 200, days=90, today=TODAY), max_chars=300)) <= 330


def test_format_duration() -> None:
    assert [format_duration(s) for s in (None, 30, 600, 7200, 3 * 86400)] == [
        "n/a", "30 s", "10 min", "2.0 h", "3.0 days"]


async def test_load_cases_reads_one_guild_since_a_day(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    try:
        repo = CaseRepository(db)
        for n, (guild, when) in enumerate([(5, at(9)), (5, at(2)), (6, at(9))], start=1):
            message = MessageSnapshot(message_id=n, guild_id=guild, channel_id=7, author_id=8, content="x")
            await repo.open(message, Assessment(True, ("toxic",), "low"), now=when)
        cases = await load_cases(db, 5, date(2024, 5, 4))
        assert [(c.created_at, c.labels, c.state) for c in cases] == [(at(9), ("toxic",), "pending")]
    finally:
        await db.close()


def test_modstats_png_draws_something() -> None:
    png = modstats_png(compute(CASES, days=7, today=TODAY), {1: "general $x$"})
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (1000, 1000)
    assert len(image.getcolors(maxcolors=1 << 20) or []) > 10


def test_generic_charts_png_and_svg() -> None:
    days = [TODAY - timedelta(days=i) for i in range(3)][::-1]
    assert daily_bars(days, {"a": [1, 2, 3]}, "t").startswith(b"\x89PNG")
    assert b"<svg" in daily_bars(days, {"a": [1, 2, 3]}, "t", fmt="svg")
    assert ranking_bars([], "nothing").startswith(b"\x89PNG")
