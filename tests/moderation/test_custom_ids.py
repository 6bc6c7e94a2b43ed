"""The custom_id grammar: every shape round-trips into typed fields; forged ids are refused, foreign ones ignored."""

from __future__ import annotations

import re

import pytest

from bot.moderation.custom_ids import (
    CASE_BUTTON_TEMPLATE,
    MAX_ID,
    MAX_PAGE,
    QUEUE_PAGE_TEMPLATE,
    TIMEOUT_PICK_TEMPLATE,
    CaseButtonId,
    ExpiredReportDialogId,
    IdOutOfRange,
    QueuePageId,
    ReportDialogId,
    TimeoutPickId,
    WarnDialogId,
    case_of_card_component,
    id_in_range,
    parse_custom_id,
)
from bot.moderation.state import Action

ALL = [
    *(CaseButtonId(7, action) for action in Action),
    CaseButtonId(MAX_ID, Action.APPROVE),
    TimeoutPickId(12),
    WarnDialogId(1),
    ReportDialogId(1234567890123456789, MAX_ID),
    ExpiredReportDialogId(99),
    QueuePageId(2),
    QueuePageId(MAX_PAGE, MAX_ID, "reported"),
    QueuePageId(3, 0, "x" * 40),
]


@pytest.mark.parametrize("typed", ALL, ids=lambda t: t.custom_id)
def test_every_shape_round_trips(typed: object) -> None:
    assert parse_custom_id(typed.custom_id) == typed  # type: ignore[attr-defined]
    assert len(typed.custom_id) <= 100  # type: ignore[attr-defined]  # Discord's limit


def test_fields_are_typed() -> None:
    parsed = parse_custom_id("modbot:case:42:timeout")
    assert isinstance(parsed, CaseButtonId) and parsed.case_id == 42 and parsed.action is Action.TIMEOUT
    assert parse_custom_id("modbot:case:42:timeout_pick") == TimeoutPickId(42)
    assert parse_custom_id("modbot:warn:5:1700000000") == WarnDialogId(5)  # the older shape, with a nonce
    assert WarnDialogId(5).custom_id == "modbot:warn:5"


@pytest.mark.parametrize("forged", [
    "modbot:case:0:approve", f"modbot:case:{MAX_ID + 1}:remove", "modbot:case:99999999999999999999999:warn",
    "modbot:case:0:timeout_pick", f"modbot:warn:{MAX_ID + 1}", "modbot:warn:0",
    f"modbot:report:1:{MAX_ID + 1}", f"modbot:report:{MAX_ID + 1}:1", "modbot:report:0",
    f"modbot:queue:1:{MAX_ID + 1}:",
])
def test_out_of_range_ids_are_refused(forged: str) -> None:
    with pytest.raises(IdOutOfRange) as caught:
        parse_custom_id(forged)
    assert caught.value.value > MAX_ID or caught.value.value == 0
    assert case_of_card_component(forged) is None


@pytest.mark.parametrize("foreign", [
    "", "modbot:case:5:explode", "modbot:case:5:", "modbot:case:-5:approve", "modbot:case:5:approve:x",
    "modbot:queue:1:2", "modbot:queue:1:2:l\u00e4bel", "modbot:warn:", "modbot:warn:x", "modbot:report:1:2:3",
    "other:case:5:approve",
    " modbot:case:5:approve", "modbot:case:\uff15:approve",  # a full-width digit
])
def test_unknown_shapes_and_actions_are_not_ours(foreign: str) -> None:
    assert parse_custom_id(foreign) is None


def test_templates_match_what_the_builders_write() -> None:
    assert re.fullmatch(CASE_BUTTON_TEMPLATE, CaseButtonId(3, Action.CLAIM).custom_id)
    assert not re.fullmatch(CASE_BUTTON_TEMPLATE, TimeoutPickId(3).custom_id)
    assert re.fullmatch(TIMEOUT_PICK_TEMPLATE, TimeoutPickId(3).custom_id)
    assert case_of_card_component(TimeoutPickId(3).custom_id) == 3
    assert case_of_card_component(WarnDialogId(3).custom_id) is None


def test_id_range() -> None:
    assert id_in_range(1) and id_in_range(MAX_ID) and MAX_ID == 2**63 - 1
    assert not id_in_range(0) and not id_in_range(-1) and not id_in_range(MAX_ID + 1)


def test_queue_pages_carry_their_filters_within_limits() -> None:
    assert parse_custom_id("modbot:queue:3:0:") == QueuePageId(3)
    assert parse_custom_id("modbot:queue:2:55:reported") == QueuePageId(2, 55, "reported")
    assert parse_custom_id("modbot:queue:" + "9" * 60 + ":0:") == QueuePageId(MAX_PAGE)  # any page: clamped
    assert parse_custom_id("modbot:queue:0000004:0:") == QueuePageId(4)
    made = QueuePageId.make(-3, None, "bad\u00e4<label>/" + "y" * 80)
    assert made.page == 0 and made.channel_id == 0 and made.label == "badlabel" + "y" * 32
    assert re.fullmatch(QUEUE_PAGE_TEMPLATE, made.custom_id) and len(made.custom_id) <= 100
