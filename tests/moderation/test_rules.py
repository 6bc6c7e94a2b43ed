"""Pure rules: watch places, who may moderate, the state machine, list rendering."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.moderation.access import may_moderate
from bot.moderation.config import ModerationConfig
from bot.moderation.history import MemberHistory, render_history
from bot.moderation.listing import render_queue_page
from bot.moderation.models import AuditEntry
from bot.moderation.state import Action, CaseState, available_actions, can_apply, result_state
from bot.moderation.watch import WatchRules
from bot.paging import clamp_page, page_count


def test_watch_rules() -> None:
    everything = WatchRules.from_config(ModerationConfig(mod_channel_id=7, ignored_channel_ids=[3]))
    assert everything.watches_everything and everything.place_watched(1)
    assert not everything.place_watched(7) and not everything.place_watched(3)
    assert not everything.place_watched(50, parent_id=3)  # threads of ignored channels
    narrow = WatchRules.from_config(ModerationConfig(watched_channel_ids=[1], watched_category_ids=[9]))
    assert narrow.place_watched(1) and narrow.place_watched(2, parent_id=1) and narrow.place_watched(5, category_id=9)
    assert not narrow.place_watched(5) and narrow.place_watched(6, summary_thread=True)
    no_threads = WatchRules.from_config(ModerationConfig(watched_channel_ids=[1], watch_summary_threads=False))
    assert not no_threads.place_watched(6, summary_thread=True)


def test_may_moderate() -> None:
    assert may_moderate([], manage_messages=True, moderator_role_id=None)
    assert not may_moderate([1], manage_messages=False, moderator_role_id=None)
    assert may_moderate([1, 5], manage_messages=False, moderator_role_id=5)
    assert not may_moderate([1], manage_messages=True, moderator_role_id=5)


def test_state_machine() -> None:
    assert can_apply(CaseState.PENDING, Action.ESCALATE) and not can_apply(CaseState.ESCALATED, Action.ESCALATE)
    assert can_apply(CaseState.ESCALATED, Action.REMOVE) and not can_apply(CaseState.REMOVED, Action.APPROVE)
    assert result_state(Action.TIMEOUT) is CaseState.TIMED_OUT and result_state(Action.CLAIM) is None
    assert available_actions(CaseState.APPROVED) == []
    assert available_actions(CaseState.ESCALATED, claimed=True) == [Action.APPROVE, Action.REMOVE, Action.WARN,
                                                                     Action.TIMEOUT]


def test_listing_pages_and_history() -> None:
    assert page_count(0, 10) == 1 and page_count(21, 10) == 3
    assert clamp_page(9, 21, 10) == 3 and clamp_page(0, 21, 10) == 1
    empty = render_queue_page([], total=0, page=1, page_size=10, label="partisan", channel_id=4)
    assert "0 open cases (label **partisan**, channel <#4>)" in empty.content.description
    entry = AuditEntry(1, datetime(2024, 1, 1, tzinfo=UTC), 1, 5, "case.remove", "user:9", None, 3, "spam")
    history = render_history(MemberHistory(9, {"removed": 1, "timed_out": 2}, actions=[entry]))
    assert history.description == "<@9>: 3 cases (1 removed, 2 timed out)"
    assert "**case.remove** case #3 \u2014 spam" in history.fields[0].value


def test_history_lists_active_strikes_with_their_expiry_and_appeals() -> None:
    from datetime import timedelta

    from bot.moderation.appeals import Appeal, AppealState
    from bot.moderation.strikes import Strike

    now = datetime(2024, 6, 1, tzinfo=UTC)
    active = Strike(1, 1, 9, 12, "remove", None, now - timedelta(days=2), now + timedelta(days=28), None, None)
    faded = Strike(2, 1, 9, 7, "warn", None, now - timedelta(days=40), now - timedelta(days=10), None, None)
    cleared = Strike(3, 1, 9, 8, "timeout", 60, now, now + timedelta(days=30), now, 5)
    appeal = Appeal(1, 12, 1, 9, "I was quoting someone", AppealState.PENDING, now, None, None)
    history = render_history(MemberHistory(9, {"removed": 1}, strikes=[active, faded, cleared], appeals=[appeal],
                                           now=now))
    fields = {f.name: f.value for f in history.fields}
    expiry = int((now + timedelta(days=28)).timestamp())
    assert fields["Strikes (1 active)"] == f"#12 \u00b7 remove \u00b7 fades <t:{expiry}:R>\n2 faded or cleared"
    assert fields["Appeals"] == f"#12 \u00b7 pending \u00b7 <t:{int(now.timestamp())}:d>"
    assert [f.name for f in history.fields] == ["Strikes (1 active)", "Appeals"]
