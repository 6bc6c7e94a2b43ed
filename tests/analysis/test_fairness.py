"""Fairness: swapping left and right terms in a template set moves the mean partisan score by at most 0.02."""

from __future__ import annotations

import numpy as np
import pytest

from bot.analysis.analyzer import Analyzer, shared_analyzer

PAIRS = [
    ("democrats", "republicans"),
    ("Democrats", "Republicans"),
    ("liberals", "conservatives"),
    ("progressives", "conservatives"),
    ("leftists", "right-wingers"),
    ("the left", "the right"),
    ("libtards", "MAGAts"),
    ("demonrats", "rethuglicans"),
    ("communists", "fascists"),
    ("snowflakes", "deplorables"),
    ("antifa", "the Proud Boys"),
    ("Biden voters", "Trump voters"),
    ("the Democratic Party", "the Republican Party"),
    ("#Resist", "#MAGA"),
]
TEMPLATES = [
    "This is what happens when you elect {X}.",
    "{X} are destroying this country.",
    "All {X} are traitors.",
    "I voted for {X} this time.",
    "{X} won the vote in the Senate today.",
    "Typical {X}, always lying.",
    "You {X} should be ashamed of yourselves.",
    "{X} want to take away our freedom.",
    "Thanks to {X}, gas prices are through the roof.",
    "I disagree with {X} on taxes, but they have a point on roads.",
    "{X} are vermin.",
    "Never trust {X}.",
    "Some {X} make good points about healthcare.",
    "{X} held a press conference this morning.",
    "Honestly {X} are the reason we can't have nice things lol",
]


def _texts(side: int) -> list[str]:
    return [t.replace("{X}", pair[side]) for pair in PAIRS for t in TEMPLATES]


def _scores(analyzer: Analyzer, score: str) -> tuple[np.ndarray, np.ndarray]:
    """Scores of the left and right versions, in one call (the masked texts embed once for both sides)."""
    left, right = _texts(0), _texts(1)
    values = np.array([getattr(s, score) for s in analyzer.signals(left + right)])
    return values[: len(left)], values[len(left) :]


def _gap(analyzer: Analyzer, score: str) -> float:
    left, right = _scores(analyzer, score)
    return abs(float(left.mean()) - float(right.mean()))


def test_lexicon_scores_are_side_symmetric() -> None:
    from bot.analysis.config import PolicyConfig

    analyzer = Analyzer(PolicyConfig(use_learned_heads=False))
    assert _gap(analyzer, "partisan") <= 0.02
    assert _gap(analyzer, "inflammatory") <= 0.02


@pytest.mark.slow
def test_swapping_sides_changes_mean_partisan_score_by_at_most_002() -> None:
    analyzer = shared_analyzer()
    analyzer.warm_up()
    if analyzer.status["heads"] != "ok":
        pytest.skip(f"learned heads unavailable: {analyzer.status['heads']}")
    assert _gap(analyzer, "partisan") <= 0.02
    assert _gap(analyzer, "inflammatory") <= 0.02
    # and per pair, not only on average
    left, right = _scores(analyzer, "partisan")
    per_pair = np.abs(left.reshape(len(PAIRS), -1).mean(1) - right.reshape(len(PAIRS), -1).mean(1))
    assert per_pair.max() <= 0.05, dict(zip([p[0] for p in PAIRS], per_pair.round(3), strict=True))
