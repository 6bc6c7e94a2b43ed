"""Verdict normalizing (any analyzer Verdict shape) and the keyword TEST scorer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum

from bot.moderation.scoring import Assessment, KeywordTestScorer, assess


class Severity(Enum):
    HIGH = "high"


class Level(IntEnum):
    LOW = 1


@dataclass
class Evidence:
    sentence: str
    score: float


@dataclass
class Verdict:
    flagged: bool
    labels: tuple[str, ...]
    severity: object
    reasons: list[object]
    evidence: object
    scores: object


def test_assess_reads_a_rich_verdict() -> None:
    verdict = Verdict(True, ("partisan", "inflammatory"), Severity.HIGH,
                      ["loaded words", Evidence("why", 0.5)], [Evidence("You people ruin everything.", 0.9)],
                      {"toxicity": 0.912345, "insult": "0.4", "junk": "n/a"})
    result = assess(verdict)
    assert result == Assessment(True, ("partisan", "inflammatory"), "high", ("loaded words", "why"),
                                "You people ruin everything.", {"toxicity": 0.9123, "insult": 0.4})


def test_assess_tolerates_minimal_and_mapping_verdicts() -> None:
    assert assess({"flagged": False}) == Assessment(False)
    result = assess({"flagged": 1, "labels": "toxic", "severity": Level.LOW, "evidence": "Bad sentence."})
    assert result.flagged and result.labels == ("toxic",) and result.severity == "low"
    assert result.evidence == "Bad sentence."

    class Bare:
        flagged = True
        labels = ["x"]

    assert assess(Bare()) == Assessment(True, ("x",))


async def test_keyword_test_scorer_is_deterministic() -> None:
    scorer = KeywordTestScorer(["flagme", "  "])
    first, second, third = await scorer.analyze(["Hello. You FLAGME now! Bye.", "flagmenot here", "FLAGME LOUD"])
    assert first.flagged and first.evidence == ("You FLAGME now!",) and first.severity == "medium"
    assert not second.flagged  # whole words only
    assert third.severity == "high"
    assert assess(first).labels == ("test-keyword",)
    assert not (await KeywordTestScorer([]).analyze(["anything"]))[0].flagged
