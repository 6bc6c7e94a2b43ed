"""Moderation statistics as plain data: cases per day by label and by decision, top channels, time to decision.

Pure functions over :class:`CaseRecord` rows (see :mod:`bot.stats.queries`); no I/O, no Discord, no plotting.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

CLOSED_DECISIONS = ("approved", "removed", "warned", "timed_out")
DECISION_ORDER = ("pending", "escalated", *CLOSED_DECISIONS)
DECISION_NAMES = {
    "pending": "pending", "escalated": "escalated", "approved": "approved", "removed": "removed",
    "warned": "warned", "timed_out": "timed out",
}
UNLABELLED = "unlabelled"
TOP_CHANNELS = 5


@dataclass(frozen=True)
class CaseRecord:
    """The columns of one case that statistics need."""

    created_at: datetime
    state: str
    labels: tuple[str, ...]
    channel_id: int
    decided_at: datetime | None = None


@dataclass(frozen=True)
class ModStats:
    """Counts over a window of days (oldest first). A case with several labels counts once under each."""

    days: tuple[date, ...]
    total: int
    by_label: dict[str, tuple[int, ...]] = field(default_factory=dict)
    by_decision: dict[str, tuple[int, ...]] = field(default_factory=dict)
    top_channels: tuple[tuple[int, int], ...] = ()
    decided: int = 0
    median_decision_seconds: float | None = None

    def label_totals(self) -> dict[str, int]:
        """label -> cases over the whole window, most frequent first."""
        totals = {label: sum(counts) for label, counts in self.by_label.items()}
        return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))

    def decision_totals(self) -> dict[str, int]:
        """decision -> cases over the whole window, in :data:`DECISION_ORDER`."""
        return {name: sum(counts) for name, counts in self.by_decision.items()}

    def cases_on(self, day: date) -> int:
        """How many cases opened on ``day``."""
        if day not in self.days:
            return 0
        index = self.days.index(day)
        return sum(counts[index] for counts in self.by_decision.values())


def window(days: int, today: date) -> tuple[date, ...]:
    """The ``days`` calendar days ending with ``today`` (UTC dates), oldest first."""
    return tuple(today - timedelta(days=offset) for offset in range(days - 1, -1, -1))


def compute(cases: Iterable[CaseRecord], *, days: int, today: date) -> ModStats:
    """Bucket ``cases`` by the UTC day they opened (cases outside the window are ignored)."""
    span = window(days, today)
    index = {day: i for i, day in enumerate(span)}
    labels: dict[str, list[int]] = {}
    decisions: dict[str, list[int]] = {name: [0] * len(span) for name in DECISION_ORDER}
    channels: Counter[int] = Counter()
    waits: list[float] = []
    total = 0
    for case in cases:
        slot = index.get(case.created_at.date())
        if slot is None:
            continue
        total += 1
        for label in case.labels or (UNLABELLED,):
            labels.setdefault(label, [0] * len(span))[slot] += 1
        decisions.setdefault(case.state, [0] * len(span))[slot] += 1
        channels[case.channel_id] += 1
        if case.state in CLOSED_DECISIONS and case.decided_at is not None:
            waits.append(max((case.decided_at - case.created_at).total_seconds(), 0.0))
    used = {name: tuple(counts) for name, counts in decisions.items() if any(counts)}
    top = tuple(sorted(channels.items(), key=lambda item: (-item[1], item[0]))[:TOP_CHANNELS])
    return ModStats(
        days=span,
        total=total,
        by_label={label: tuple(counts) for label, counts in sorted(labels.items())},
        by_decision=used,
        top_channels=top,
        decided=len(waits),
        median_decision_seconds=statistics.median(waits) if waits else None,
    )


def format_duration(seconds: float | None) -> str:
    """``45 s``, ``14 min``, ``3.5 h``, ``2.1 days``; ``n/a`` for None."""
    if seconds is None:
        return "n/a"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def channel_label(channel_id: int, names: Mapping[int, str]) -> str:
    """``#name`` when known, else ``#<id>``."""
    return f"#{names[channel_id]}" if channel_id in names else f"#{channel_id}"


def _pairs(items: Iterable[tuple[str, int]]) -> str:
    text = ", ".join(f"{name} {count}" for name, count in items if count)
    return text or "none"


def describe(stats: ModStats, names: Mapping[int, str] | None = None, *, max_chars: int = 4000) -> str:
    """The numbers behind the chart as plain text (for screen readers and the message embed)."""
    names = names or {}
    first, last = stats.days[0], stats.days[-1]
    lines = [
        f"Last {len(stats.days)} day{'s' if len(stats.days) != 1 else ''} ({first.isoformat()} to "
        f"{last.isoformat()}, UTC): {stats.total} case{'s' if stats.total != 1 else ''}.",
        f"By label: {_pairs(stats.label_totals().items())}.",
        f"By decision: {_pairs((DECISION_NAMES.get(k, k), v) for k, v in stats.decision_totals().items())}.",
        f"Top channels: {_pairs((channel_label(c, names), n) for c, n in stats.top_channels)}.",
        f"Median time to a decision: {format_duration(stats.median_decision_seconds)} "
        f"({stats.decided} decided).",
    ]
    per_day = per_day_lines(stats)
    if per_day:
        lines.append("Per day:")
    text = "\n".join(lines)
    for line in per_day:
        if len(text) + len(line) + 20 > max_chars:
            return text + "\n(more days in the chart)"
        text += "\n" + line
    return text


def per_day_lines(stats: ModStats) -> list[str]:
    """One line per day that had cases: ``2024-05-01: 3 (inflammatory 2, partisan 1; removed 1, pending 2)``."""
    out = []
    for i, day in enumerate(stats.days):
        count = stats.cases_on(day)
        if not count:
            continue
        labels = _pairs((label, counts[i]) for label, counts in stats.by_label.items())
        decisions = _pairs((DECISION_NAMES.get(k, k), counts[i]) for k, counts in stats.by_decision.items())
        out.append(f"{day.isoformat()}: {count} ({labels}; {decisions})")
    return out


def series_order(series: Mapping[str, Sequence[int]]) -> list[str]:
    """Series names, biggest total first (stable for equal totals)."""
    return sorted(series, key=lambda name: (-sum(series[name]), name))
