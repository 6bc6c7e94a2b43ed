"""The keyword TEST scorer (``tests/support``) that the child-process tests inject: deterministic, whole words."""

from __future__ import annotations

from support.keyword_scorer import KeywordTestScorer

from bot.moderation.scoring import Assessment


async def test_keyword_test_scorer_is_deterministic() -> None:
    scorer = KeywordTestScorer(["flagme", "  "])
    first, second, third = await scorer.analyze(["Hello. You FLAGME now! Bye.", "flagmenot here", "FLAGME LOUD"])
    assert first.flagged and first.evidence == "You FLAGME now!" and first.severity == "medium"
    assert first.labels == ("test-keyword",)
    assert not second.flagged  # whole words only
    assert third.severity == "high"
    assert (await KeywordTestScorer([]).analyze(["anything"])) == [Assessment(False, scores={"keyword": 0.0})]
