"""The custom_ids of strikes and appeals: round trips, range checks, and which ones belong to a card."""

from __future__ import annotations

import pytest

from bot.moderation.custom_ids import (
    AppealButtonId,
    AppealDecisionId,
    AppealDialogId,
    AppealsToggleId,
    IdOutOfRange,
    LadderButtonId,
    QueuePageId,
    case_of_card_component,
    parse_custom_id,
)


@pytest.mark.parametrize("parsed", [
    LadderButtonId(7, 60), AppealsToggleId(7, False), AppealsToggleId(7, True), AppealButtonId(7),
    AppealDialogId(7), AppealDecisionId(7, True), AppealDecisionId(7, False), QueuePageId(2, 0, "", True),
    QueuePageId(2, 5, "partisan", False),
])
def test_round_trip(parsed: object) -> None:
    assert parse_custom_id(parsed.custom_id) == parsed  # type: ignore[attr-defined]
    assert len(parsed.custom_id) <= 100  # type: ignore[attr-defined]


def test_shapes() -> None:
    assert LadderButtonId(3, 1440).custom_id == "modbot:case:3:ladder:1440"
    assert AppealsToggleId(3, False).custom_id == "modbot:case:3:appeals:off"
    assert AppealButtonId(3).custom_id == "modbot:appeal:3"
    assert AppealDialogId(3).custom_id == "modbot:appeal:3:text"
    assert AppealDecisionId(3, False).custom_id == "modbot:appeal:3:deny"
    assert QueuePageId.make(1, None, None, appeals=True).custom_id == "modbot:queue:1:0::appeals"
    assert parse_custom_id("modbot:queue:1:0:") == QueuePageId(1, 0, "", False)  # ids of older versions


@pytest.mark.parametrize("forged", ["modbot:case:9999999999999999999:ladder:60", "modbot:case:0:appeals:on",
                                    "modbot:appeal:9999999999999999999", "modbot:appeal:0:text",
                                    "modbot:appeal:99999999999999999999:accept", "modbot:case:5:ladder:40321",
                                    "modbot:case:5:ladder:0"])
def test_out_of_range_ids_are_refused(forged: str) -> None:
    with pytest.raises(IdOutOfRange):
        parse_custom_id(forged)


@pytest.mark.parametrize("other", ["modbot:appeal:5:maybe", "modbot:case:5:ladder:1234567", "modbot:case:5:appeals:"])
def test_not_ours(other: str) -> None:
    assert parse_custom_id(other) is None


def test_card_components_name_their_case_but_the_dm_button_does_not() -> None:
    assert case_of_card_component("modbot:case:4:ladder:60") == 4
    assert case_of_card_component("modbot:case:4:appeals:off") == 4
    assert case_of_card_component("modbot:appeal:4:accept") == 4
    assert case_of_card_component("modbot:appeal:4") is None
    assert case_of_card_component("modbot:appeal:4:text") is None
