"""Political-target recognition: both sides, case, plurals, hashtags, possessives, ambiguous surnames."""

from __future__ import annotations

import time

import pytest

from bot.analysis.targets import default_matcher, find_targets, mask_targets


def _found(text: str) -> list[tuple[str, str, str, bool]]:
    return [(t.text, t.side, t.kind, t.group) for t in find_targets(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This is what happens when you elect democrats…", [("democrats", "left", "party", True)]),
        ("REPUBLICANS did it", [("REPUBLICANS", "right", "party", True)]),
        ("the GOP's plan", [("GOP's", "right", "party", True)]),
        ("the libs want it", [("libs", "left", "ideology", True)]),
        ("#MAGA rally", [("#MAGA", "right", "movement", True)]),
        ("#Resist now", [("#Resist", "left", "movement", True)]),
        ("MAGA cult members", [("MAGA cult", "right", "slur", True)]),
        ("libtards and magats", [("libtards", "left", "slur", True), ("magats", "right", "slur", True)]),
        ("Trump supporters are here", [("Trump supporters", "right", "supporters", True)]),
        ("Biden voters again", [("Biden voters", "left", "supporters", True)]),
        ("The Republican bill passed", [("Republican", "right", "party", False)]),
        ("Democratic lawmakers voted", [("Democratic lawmakers", "left", "party", True)]),
        ("Pelosi’s bill", [("Pelosi’s", "left", "politician", False)]),
        ("Senator Warren said", [("Senator Warren", "left", "politician", False)]),
        ("Elizabeth Warren said", [("Elizabeth Warren", "left", "politician", False)]),
        ("#DemocratsAreDestroyingAmerica", [("#DemocratsAreDestroyingAmerica", "left", "party", True)]),
        ("The Left wants this", [("The Left", "left", "ideology", True)]),
    ],
)
def test_finds_targets(text: str, expected: list) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Warren Buffett bought shares",  # ambiguous surname alone
        "Clinton county fair",
        "reality trumps ideals",  # the verb, not the politician
        "turn left at the light",
        "the right to vote is sacred",
        "the democratic process works",
        "He was left behind",
        "Putin and Zelensky met",
        "",
    ],
)
def test_ignores_non_targets(text: str) -> None:
    assert find_targets(text) == []


def test_mask_is_side_neutral() -> None:
    left = mask_targets("The democrats and the libtards ruined it, thanks Biden")
    right = mask_targets("The republicans and the magats ruined it, thanks Trump")
    assert left == right
    assert "democrat" not in left.lower() and "trump" not in right.lower()


def test_lexicon_covers_rathje_identity_terms() -> None:
    stems = ["socialist", "communist", "marxist", "leftist", "liberal", "left-wing", "progressive", "antifa",
             "democrat", "dems", "libs", "conservative", "gop", "republican", "libertarian", "alt-right",
             "right-wing", "fascist", "far-right", "far right", "repubs", "maga", "social justice warrior"]
    for stem in stems:
        assert find_targets(f"about the {stem} today"), stem


def test_matching_is_fast() -> None:
    matcher = default_matcher()
    text = "Well, if NATO does get involved directly, it is highly likely that Putin will push the button. " * 2
    start = time.perf_counter()
    for _ in range(200):
        matcher.find(text)
    assert (time.perf_counter() - start) / 200 < 0.01  # well under 10 ms a message, even on a busy CI box
