"""The verdict: combine toxicity, inflammatory and partisan signals of a message into flag, labels, severity, reasons.

Pure logic, no model: :func:`decide` takes :class:`MessageSignals` (built by the analyzer) and a
:class:`~bot.analysis.config.PolicyConfig`. A partisan flag needs a political side named as a group in the
flagged sentence ("democrats", "the libs", "MAGA"), so ordinary talk about elections and bills is left alone.
:class:`Verdict` is JSON-serializable (:meth:`Verdict.to_dict`); :mod:`bot.analysis.scorer` maps it to the
moderation core's ``Assessment``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, overload

from bot.analysis.config import PolicyConfig
from bot.analysis.rhetoric import RhetoricMatch
from bot.analysis.targets import TargetMatch

_CATEGORY_WORDS = {
    "blame": "blames a side",
    "generalization": "generalizes about a side",
    "us_vs_them": "us-vs-them",
    "dehumanizing": "dehumanizing",
    "violence": "call for violence",
    "contempt": "contempt",
}
_QUOTE_CHARS = 160


@dataclass(frozen=True)
class UnitSignals:
    """Signals of one scored unit: a sentence, or the whole message (``start=0, end=len(text)``)."""

    text: str
    start: int
    end: int
    inflammatory: float
    partisan: float
    targets: tuple[TargetMatch, ...] = ()
    rhetoric: tuple[RhetoricMatch, ...] = ()
    lexicon_inflammatory: float = 0.0  # the lexicon/pattern part alone (for the lexicon-only baseline)
    lexicon_partisan: float = 0.0
    profanity: float = 0.0  # the profane head (swearing, aimed at no one in particular)
    attack: float = 0.0  # incivility aimed at someone (insult, identity attack, threat, hateful)

    @property
    def group_targets(self) -> tuple[TargetMatch, ...]:
        """Targets that name a side as a group (needed for a partisan flag)."""
        return tuple(t for t in self.targets if t.group and t.side != "unknown")


@dataclass(frozen=True)
class MessageSignals:
    """Everything the policy needs about one message."""

    text: str
    inflammatory: float
    partisan: float
    units: tuple[UnitSignals, ...]
    toxicity: Mapping[str, float] | None = None  # Detoxify label -> score; None = model unavailable
    toxic_sentence: str | None = None
    heads_available: bool = True
    head_scores: Mapping[str, float] = field(default_factory=dict)  # raw head probabilities, whole message
    lexicon: Mapping[str, float] = field(default_factory=dict)  # lexicon-only inflammatory/partisan
    profanity: float = 0.0


@dataclass(frozen=True)
class Evidence:
    """Why a label was given: the sentence, its offsets in the message, the matched terms/patterns, scores."""

    label: str
    sentence: str
    start: int
    end: int
    terms: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    spans: list[tuple[int, int]] = field(default_factory=list)  # offsets of the words that carry the label
    words: list[str] = field(default_factory=list)  # those words, as the member wrote them

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serializable dict."""
        return {
            "label": self.label,
            "sentence": self.sentence,
            "start": self.start,
            "end": self.end,
            "terms": list(self.terms),
            "patterns": list(self.patterns),
            "scores": dict(self.scores),
            "spans": [list(s) for s in self.spans],
            "words": list(self.words),
        }


@dataclass(frozen=True)
class Verdict:
    """The decision on one message. ``severity`` is None when not flagged; a toxicity score is None when the
    toxicity model is unavailable."""

    flagged: bool
    labels: list[str]
    severity: str | None
    scores: dict[str, float | None]
    reasons: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serializable dict (the shape ``modbot analyze --format jsonl`` prints)."""
        return {
            "flagged": self.flagged,
            "labels": list(self.labels),
            "severity": self.severity,
            "scores": dict(self.scores),
            "reasons": list(self.reasons),
            "evidence": [e.to_dict() for e in self.evidence],
        }


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return f'"{text}"' if len(text) <= _QUOTE_CHARS else f'"{text[: _QUOTE_CHARS - 1]}…"'


@overload
def _round(x: float) -> float: ...
@overload
def _round(x: None) -> None: ...
def _round(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


def _describe(unit: UnitSignals, categories: set[str] | None = None) -> tuple[list[str], list[str], str]:
    """Matched terms, pattern names and a short description of a unit's evidence."""
    rhet = [r for r in unit.rhetoric if categories is None or r.category in categories]
    terms = [t.text for t in unit.targets] + [r.text for r in rhet]
    patterns = sorted({r.pattern for r in rhet})
    bits = []
    for cat in dict.fromkeys(r.category for r in rhet):
        bits.append(_CATEGORY_WORDS.get(cat, cat))
    if unit.targets:
        bits.append("target " + ", ".join(f'"{t.text}" ({t.side})' for t in unit.targets[:3]))
    slurs = [t.text for t in unit.targets if t.kind == "slur"]
    if slurs:
        bits.append("partisan slur " + ", ".join(f'"{s}"' for s in slurs[:3]))
    return terms, patterns, "; ".join(bits)


def _best(units: tuple[UnitSignals, ...], key: str, need_group: bool = False) -> UnitSignals | None:
    pool = [u for u in units if not need_group or u.group_targets]
    return max(pool, key=lambda u: getattr(u, key), default=None)


def decide(signals: MessageSignals, config: PolicyConfig) -> Verdict:
    """Turn the signals of one message into a :class:`Verdict` under ``config``."""
    tox = signals.toxicity
    scores: dict[str, float | None] = {
        "toxicity": _round(tox.get("toxicity")) if tox is not None else None,
        "inflammatory": _round(signals.inflammatory),
        "partisan": _round(signals.partisan),
        "profanity": _round(signals.profanity),
    }
    if not config.enabled:
        return Verdict(False, [], None, scores)
    labels: list[str] = []
    reasons: list[str] = []
    evidence: list[Evidence] = []
    top: list[float] = []

    # -- toxicity model labels
    if tox is not None:
        sentence = signals.toxic_sentence or signals.text
        for label, key, threshold in (
            ("toxic", "toxicity", config.toxicity_threshold),
            ("threat", "threat", config.threat_threshold),
            ("identity_attack", "identity_attack", config.identity_attack_threshold),
        ):
            value = tox.get(key)
            if value is not None and value >= threshold:
                labels.append(label)
                top.append(float(value))
                reasons.append(f"{label} ({value:.2f}, toxicity model): {_quote(sentence)}")
                evidence.append(Evidence(label, sentence, *_span(signals.text, sentence), scores={key: _round(value)}))

    # -- calls for violence found by the rhetoric patterns
    violent = [(u, r) for u in signals.units for r in u.rhetoric if r.category == "violence"]
    if violent and config.violence_pattern_threat and "threat" not in labels:
        violent_unit, match = max(violent, key=lambda ur: ur[1].weight)
        labels.append("threat")
        top.append(1.0)
        reasons.append(f'threat: call for violence "{match.text}" in {_quote(violent_unit.text)}')
        evidence.append(Evidence("threat", violent_unit.text, violent_unit.start, violent_unit.end, [match.text],
                                 [match.pattern], {"inflammatory": _round(violent_unit.inflammatory)}))

    # -- inflammatory
    if signals.inflammatory >= config.inflammatory_threshold:
        unit = _best(signals.units, "inflammatory")
        if unit is not None:
            labels.append("inflammatory")
            top.append(signals.inflammatory)
            terms, patterns, why = _describe(unit, {"contempt", "dehumanizing", "violence", "us_vs_them"})
            quote = _quote(unit.text) + (f" [{why}]" if why else "")
            reasons.append(f"inflammatory ({signals.inflammatory:.2f}): {quote}")
            evidence.append(Evidence("inflammatory", unit.text, unit.start, unit.end, terms, patterns,
                                     {"inflammatory": _round(unit.inflammatory)}))

    # -- partisan: needs a side named as a group
    need_group = config.partisan_requires_group_target
    unit = _best(signals.units, "partisan", need_group=need_group)
    if unit is not None and unit.partisan >= config.partisan_threshold:
        labels.append("partisan")
        top.append(unit.partisan)
        terms, patterns, why = _describe(unit)
        reasons.append(f"partisan ({unit.partisan:.2f}): {_quote(unit.text)}" + (f" [{why}]" if why else ""))
        evidence.append(Evidence("partisan", unit.text, unit.start, unit.end, terms, patterns,
                                 {"partisan": _round(unit.partisan)}))

    # -- profanity: swearing aimed at no one flags only where the operator asked for it
    if config.flag_profanity and signals.profanity >= config.profanity_threshold and "inflammatory" not in labels:
        unit = _best(signals.units, "profanity")
        if unit is not None:
            labels.append("profanity")
            top.append(min(signals.profanity, config.severity_medium - 0.01))  # never above low on its own
            reasons.append(f"profanity ({signals.profanity:.2f}): {_quote(unit.text)}")
            evidence.append(Evidence("profanity", unit.text, unit.start, unit.end,
                                     scores={"profanity": _round(unit.profanity)}))

    flagged = bool(labels)
    severity = _severity(labels, top, signals, config) if flagged else None
    if flagged and not signals.heads_available:
        reasons.append("note: learned scorers unavailable; lexicon and pattern evidence only")
    return Verdict(flagged, labels, severity, scores, reasons, evidence)


def _severity(labels: list[str], top: list[float], signals: MessageSignals, config: PolicyConfig) -> str:
    dehumanizing = any(r.category == "dehumanizing" for u in signals.units for r in u.rhetoric)
    if "threat" in labels or max(top, default=0.0) >= config.severity_high:
        return "high"
    if ("partisan" in labels and dehumanizing) or len(labels) >= 2 or max(top, default=0.0) >= config.severity_medium:
        return "medium"
    return "low"


def _span(text: str, sentence: str) -> tuple[int, int]:
    at = text.find(sentence)
    return (at, at + len(sentence)) if at >= 0 else (0, len(text))
