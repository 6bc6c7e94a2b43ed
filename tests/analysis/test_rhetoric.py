"""Rhetoric patterns: each match carries its pattern name and span; group patterns need a political target."""

from __future__ import annotations

import pytest

from bot.analysis.rhetoric import PATTERNS, find_rhetoric
from bot.analysis.targets import find_targets


def _patterns(text: str) -> set[str]:
    return {m.pattern for m in find_rhetoric(text, find_targets(text))}


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("This is what happens when you elect democrats…", "blame_when_you_elect"),
        ("Thanks to the Democrats, gas is five dollars", "blame_thanks_to"),
        ("It is all the liberals fault", "blame_fault"),
        ("Republicans ruined this country", "blame_ruined"),
        ("the Proud Boys are destroying this country", "blame_ruined"),  # "the" + a two-word target
        ("All Republicans are traitors", "all_x_are"),
        ("Every Democrat is a communist", "every_x"),
        ("You libtards never learn", "you_x"),
        ("Conservatives always lie", "x_always_never"),
        ("the libs want to destroy America", "x_want_to_destroy"),
        ("they are enemies of the people", "enemy_of_the_people"),
        ("They are vermin", "dehumanizing_strong"),
        ("Trump supporters are sheep", "dehumanizing_animal"),
        ("They should all be hanged", "should_be_harmed"),
        ("Lock them all up!", "lock_them_up"),
        ("I hope they all die", "deserve_to_die"),
        ("what a bunch of idiots", "insult"),
    ],
)
def test_pattern_found(text: str, pattern: str) -> None:
    assert pattern in _patterns(text)


def test_match_carries_name_and_span() -> None:
    text = "Well. This is what happens when you elect democrats… sad"
    match = next(m for m in find_rhetoric(text, find_targets(text)) if m.pattern == "blame_when_you_elect")
    assert match.category == "blame"
    assert text[match.start : match.end] == match.text
    assert match.text.startswith("This is what happens")
    assert match.target == "democrats"
    assert set(match.to_dict()) >= {"pattern", "category", "text", "start", "end", "weight"}


@pytest.mark.parametrize(
    "text",
    [
        "This is what happens when you skip breakfast",  # blame needs a political side
        "All the kids are asleep",
        "Kill the bill",
        "The airstrike killed 35 people at the facility",
        "Lab rats were used in the study",  # weak animal words need a person or target
        "I voted for the Democrats this time",
        "The Republican bill passed the Senate",
    ],
)
def test_no_false_alarm(text: str) -> None:
    assert not (_patterns(text) - {"contempt_adjective"}), _patterns(text)


def test_pattern_names_are_unique() -> None:
    names = [p.name for p in PATTERNS]
    assert len(names) == len(set(names))
