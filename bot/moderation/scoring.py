"""How the listener asks for a verdict: the ``MessageScorer`` protocol, verdict normalizing, a keyword TEST scorer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol, runtime_checkable

KEYWORD_TEST_SCORER = "keyword-test"


@runtime_checkable
class VerdictLike(Protocol):
    """What the listener reads from a verdict (the analyzer's ``Verdict`` fits; extra attributes are ignored).

    Optional attributes read when present: ``severity``, ``reasons``, ``evidence``, ``scores``.
    """

    flagged: bool
    labels: Sequence[str]


class MessageScorer(Protocol):
    """Anything that scores message texts. One verdict per text, same order. Must not block the event loop."""

    async def analyze(self, texts: list[str]) -> Sequence[Any]:
        """Score ``texts`` and return one verdict-like object per text."""
        ...


@dataclass(frozen=True)
class Assessment:
    """A verdict reduced to plain data the moderation core stores and renders."""

    flagged: bool
    labels: tuple[str, ...] = ()
    severity: str = ""
    reasons: tuple[str, ...] = ()
    evidence: str = ""
    scores: dict[str, float] = field(default_factory=dict)


def _text_of(item: Any) -> str:
    """A readable string from a reason/evidence item (str, or an object with text/sentence/message)."""
    if item is None:
        return ""
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping):
        for key in ("text", "sentence", "message", "reason", "detail"):
            if item.get(key):
                return str(item[key])
        return ""
    for attr in ("text", "sentence", "message", "reason", "detail"):
        value = getattr(item, attr, None)
        if isinstance(value, str) and value:
            return value
    return str(item)


def _severity_name(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        value = value.name if isinstance(value.value, int | float) else value.value
    return str(value).strip().lower()


def _scores(value: Any) -> dict[str, float]:
    if isinstance(value, Mapping):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif value is not None and hasattr(value, "__dict__"):
        items = vars(value).items()
    else:
        return {}
    out: dict[str, float] = {}
    for key, raw in items:
        try:
            out[str(key)] = round(float(raw), 4)
        except (TypeError, ValueError):
            continue
    return out


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | bytes | Mapping):
        return [value]
    try:
        return list(value)
    except TypeError:
        return [value]


def assess(verdict: Any) -> Assessment:
    """Normalize a verdict-like object (or a mapping) into an :class:`Assessment`."""
    get = verdict.get if isinstance(verdict, Mapping) else (lambda name, default=None: getattr(verdict, name, default))
    labels = tuple(_text_of(label) for label in _as_list(get("labels")) if _text_of(label))
    reasons = tuple(text for text in (_text_of(r) for r in _as_list(get("reasons"))) if text)
    evidence_items = [text for text in (_text_of(e) for e in _as_list(get("evidence"))) if text]
    return Assessment(
        flagged=bool(get("flagged", False)),
        labels=labels,
        severity=_severity_name(get("severity")),
        reasons=reasons,
        evidence=evidence_items[0] if evidence_items else "",
        scores=_scores(get("scores")),
    )


@dataclass(frozen=True)
class KeywordVerdict:
    """The verdict shape produced by :class:`KeywordTestScorer`."""

    flagged: bool
    labels: tuple[str, ...]
    severity: str
    reasons: tuple[str, ...]
    evidence: tuple[str, ...]
    scores: dict[str, float]


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")


class KeywordTestScorer:
    """TEST/DEMO scorer: flags a text that contains one of ``words`` (whole word, case-insensitive).

    Deterministic and instant, for tests and demos (``moderation.scorer = "keyword-test"``). It knows nothing about
    toxicity or partisanship; never use it to moderate a real community.
    """

    def __init__(self, words: Iterable[str]) -> None:
        cleaned = [w.strip() for w in words if w.strip()]
        self.words = tuple(cleaned)
        pattern = "|".join(re.escape(w) for w in cleaned) or r"(?!x)x"
        self._pattern = re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)

    def verdict(self, text: str) -> KeywordVerdict:
        """Score one text."""
        match = self._pattern.search(text or "")
        if match is None:
            return KeywordVerdict(False, (), "", (), (), {"keyword": 0.0})
        sentence = next((s for s in _SENTENCE_SPLIT.split(text) if self._pattern.search(s)), text)
        severity = "high" if text.isupper() else "medium"
        reason = f"contains the test marker word {match.group(0).lower()!r}"
        return KeywordVerdict(True, ("test-keyword",), severity, (reason,), (sentence.strip(),), {"keyword": 1.0})

    async def analyze(self, texts: list[str]) -> list[KeywordVerdict]:
        """Score each text (no I/O, no model)."""
        return [self.verdict(text) for text in texts]
