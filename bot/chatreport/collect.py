"""Collecting ``modbot analyze`` results for a report: totals, per-day and per-channel counts, the flagged rows.

Memory stays bounded: unflagged messages only bump counters, and at most ``max_rows`` flagged messages are kept
with their text (the JSONL output has all of them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.chatreport.export_meta import ExportInfo, MessageMeta, iter_message_meta, read_export_info

MAX_ROWS = 5000
NO_CHANNEL = "(no channel)"


@dataclass(frozen=True)
class FlaggedRow:
    """One flagged message as the report shows it."""

    id: str
    text: str
    labels: tuple[str, ...]
    severity: str
    scores: Mapping[str, float | None]
    reasons: tuple[str, ...]
    evidence: tuple[Mapping[str, Any], ...]
    timestamp: datetime | None = None
    author: str = ""
    channel: str = ""


@dataclass
class ReportData:
    """Everything the HTML renderer needs."""

    source: str
    info: ExportInfo = field(default_factory=ExportInfo)
    analyzed: int = 0
    flagged: int = 0
    errors: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    severities: Counter[str] = field(default_factory=Counter)
    per_day: dict[date, list[int]] = field(default_factory=dict)  # day -> [analyzed, flagged]
    per_channel: dict[str, list[int]] = field(default_factory=dict)  # channel -> [analyzed, flagged]
    rows: list[FlaggedRow] = field(default_factory=list)
    toxicity_seen: bool = False
    thresholds: dict[str, Any] = field(default_factory=dict)

    @property
    def rows_truncated(self) -> bool:
        """True when more messages were flagged than the report lists."""
        return self.flagged > len(self.rows)


class ReportBuilder:
    """Feed it every analyzed input (in order) with :meth:`add`; :meth:`data` returns the collected report."""

    def __init__(self, source: Path, *, discord_export: bool, max_rows: int = MAX_ROWS) -> None:
        self._data = ReportData(source=source.name)
        self._max_rows = max_rows
        self._meta: Iterator[MessageMeta | None] | None = None
        if discord_export:
            self._data.info = read_export_info(source)
            self._meta = iter_message_meta(source, self._data.info.channel)

    def _next_meta(self, record_id: str) -> MessageMeta | None:
        if self._meta is None:
            return None
        meta = next(self._meta, None)
        if meta is None or meta.id != record_id:
            return None
        return meta

    def add(self, record_id: str, text: str | None, line: Mapping[str, Any]) -> None:
        """Count one input; ``line`` is the result object ``modbot analyze`` writes (or ``{"error": ...}``)."""
        meta = self._next_meta(record_id)
        data = self._data
        if "error" in line or text is None:
            data.errors += 1
            return
        flagged = bool(line.get("flagged"))
        data.analyzed += 1
        data.flagged += flagged
        scores = dict(line.get("scores") or {})
        data.toxicity_seen = data.toxicity_seen or scores.get("toxicity") is not None
        channel = (meta.channel if meta else "") or NO_CHANNEL
        counts = data.per_channel.setdefault(channel, [0, 0])
        counts[0] += 1
        counts[1] += flagged
        if meta is not None and meta.timestamp is not None:
            day = data.per_day.setdefault(meta.timestamp.date(), [0, 0])
            day[0] += 1
            day[1] += flagged
        if not flagged:
            return
        labels = tuple(str(label) for label in line.get("labels") or ())
        data.labels.update(labels)
        data.severities[str(line.get("severity") or "none")] += 1
        if len(data.rows) < self._max_rows:
            data.rows.append(FlaggedRow(
                id=record_id, text=text, labels=labels, severity=str(line.get("severity") or ""), scores=scores,
                reasons=tuple(str(r) for r in line.get("reasons") or ()),
                evidence=tuple(e for e in line.get("evidence") or () if isinstance(e, Mapping)),
                timestamp=meta.timestamp if meta else None, author=meta.author if meta else "",
                channel=meta.channel if meta else "",
            ))

    def data(self, thresholds: Mapping[str, Any] | None = None) -> ReportData:
        """The collected report (``thresholds``: the policy values the analyzer used)."""
        if thresholds is not None:
            self._data.thresholds = dict(thresholds)
        return self._data


THRESHOLD_KEYS = (
    "toxicity_threshold", "threat_threshold", "identity_attack_threshold", "inflammatory_threshold",
    "partisan_threshold", "severity_medium", "severity_high", "violence_pattern_threat",
    "partisan_requires_group_target", "sentence_level", "use_learned_heads",
)


def thresholds_of(policy: Any) -> dict[str, Any]:
    """The policy values a reader needs to interpret the report (from a PolicyConfig or a mapping)."""
    source = policy.model_dump() if hasattr(policy, "model_dump") else dict(policy or {})
    return {key: source[key] for key in THRESHOLD_KEYS if key in source}
