"""The analyzer behind the scorer port: ``Verdict`` -> ``Assessment``, and the guild's policy reaching the analyzer."""

from __future__ import annotations

from bot.analysis.analyzer import Analyzer
from bot.analysis.config import PolicyConfig
from bot.analysis.policy import Evidence, Verdict
from bot.analysis.scorer import AnalyzerScorer, assessment_of
from bot.moderation.scoring import Assessment

THREAT = "The libtards should all be hanged."


def test_assessment_keeps_plain_data_of_a_rich_verdict() -> None:
    verdict = Verdict(
        True, ["partisan", "inflammatory"], "High", {"toxicity": 0.912345, "partisan": 0.4, "profanity": None},
        reasons=["loaded words", "", "names a side"],
        evidence=[Evidence("partisan", "", 0, 0), Evidence("partisan", "You people ruin everything.", 3, 30),
                  Evidence("inflammatory", "Second sentence.", 31, 47)],
    )
    assert assessment_of(verdict) == Assessment(
        True, ("partisan", "inflammatory"), "high", ("loaded words", "names a side"), "You people ruin everything.",
        {"toxicity": 0.9123, "partisan": 0.4},  # an unavailable score (None) is left out
    )


def test_assessment_of_a_calm_verdict() -> None:
    assert assessment_of(Verdict(False, [], None, {"toxicity": None})) == Assessment(False)


async def test_scorer_passes_the_guild_policy_to_the_analyzer() -> None:
    scorer = AnalyzerScorer(Analyzer(PolicyConfig(use_learned_heads=False)))
    [default] = await scorer.analyze([THREAT])
    assert default.flagged and default.severity == "high" and default.evidence
    [off] = await scorer.analyze([THREAT], policy=PolicyConfig(use_learned_heads=False, enabled=False))
    assert not off.flagged and off.severity == ""
    assert await scorer.analyze([]) == []
