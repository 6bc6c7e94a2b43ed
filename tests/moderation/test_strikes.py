"""Strikes: one per decided case (also under concurrent clicks), decay by stored time, clearing, the ladder, and what
cards show (no suggestion against staff)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from moderation.doubles import FakeExecutor, FakePublisher, MarkerScorer

from bot.moderation.card_extras import suggestion_label
from bot.moderation.config import ModerationConfig
from bot.moderation.models import Actor
from bot.moderation.scoring import Assessment
from bot.moderation.service import ModerationService
from bot.moderation.state import Action
from bot.moderation.strikes import LadderStep, StrikeRepository, next_step, ordinal, suggestion
from bot.timestamps import utcnow

MOD, MOD2, ADMIN = Actor(501, "mo"), Actor(502, "mo2"), Actor(900, "ada")
FLAG = Assessment(True, ("inflammatory",), "medium")


@pytest.fixture
async def service(db):
    cfg = ModerationConfig(mod_channel_id=7, mod_log_channel_id=8, digest_threshold=0, cards_per_minute=0,
                           strike_ladder={3: 60, 5: 1440}, strike_decay_days=30)
    made = ModerationService(db, cfg, MarkerScorer(), publisher=FakePublisher(), executor=FakeExecutor())
    yield made
    await made.stop()


async def open_case(service, snap, **kwargs):
    case, _ = await service.cases.open(snap("bad", **kwargs), FLAG)
    return case


@pytest.mark.parametrize(("ladder", "active", "expected"), [
    ({3: 60, 5: 1440}, 0, None),
    ({3: 60, 5: 1440}, 2, LadderStep(3, 60)),
    ({3: 60, 5: 1440}, 3, LadderStep(4, 60)),
    ({3: 60, 5: 1440}, 4, LadderStep(5, 1440)),
    ({3: 60, 5: 1440}, 9, LadderStep(10, 1440)),
    ({}, 9, None),
])
def test_ladder_suggests_the_highest_step_reached_by_the_coming_strike(ladder, active, expected) -> None:
    assert suggestion(ladder, active) == expected


def test_next_step_and_wording() -> None:
    assert next_step({3: 60, 5: 1440}, 0) == LadderStep(3, 60)
    assert next_step({3: 60, 5: 1440}, 2) == LadderStep(5, 1440)
    assert next_step({3: 60}, 2) is None
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 103)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "103rd"]
    assert suggestion_label(LadderStep(3, 60)) == "Timeout 1 hour (3rd strike)"


def test_ladder_config_is_validated() -> None:
    assert ModerationConfig(strike_ladder={"5": 1440, "3": 60}).strike_ladder == {3: 60, 5: 1440}
    with pytest.raises(ValueError, match="28 days|40320"):
        ModerationConfig(strike_ladder={3: 50000})
    with pytest.raises(ValueError, match="strike counts"):
        ModerationConfig(strike_ladder={0: 60})


async def test_warn_remove_timeout_give_one_strike_each_approve_none(service, snap) -> None:
    review = service.review
    cases = [await open_case(service, snap) for _ in range(4)]
    await review.act(cases[0].id, MOD, Action.WARN, reason="civil")
    await review.act(cases[1].id, MOD, Action.REMOVE)
    await review.act(cases[2].id, MOD, Action.TIMEOUT, minutes=10)
    await review.act(cases[3].id, MOD, Action.APPROVE)
    strikes = await review.member_strikes(cases[0].guild_id, cases[0].author_id)
    assert sorted((s.case_id, s.action, s.minutes) for s in strikes) == [
        (cases[0].id, "warn", None), (cases[1].id, "remove", None), (cases[2].id, "timeout", 10)]
    assert all(timedelta(days=29) < s.expires_at - s.created_at <= timedelta(days=30) for s in strikes)
    assert await service.audit.count("strike.add") == 3


async def test_concurrent_decisions_give_exactly_one_strike(service, snap) -> None:
    case = await open_case(service, snap)
    service.executor.delay = 0.05
    await asyncio.gather(service.review.act(case.id, MOD, Action.REMOVE),
                         service.review.act(case.id, MOD2, Action.WARN, reason="x"),
                         service.review.act(case.id, MOD2, Action.REMOVE))
    rows = await service.db.fetchall("SELECT * FROM mod_strikes")
    assert len(rows) == 1 and rows[0]["case_id"] == case.id


async def test_repository_is_one_strike_per_case_and_decays_by_stored_time(db) -> None:
    repo = StrikeRepository(db)
    await db.execute("INSERT INTO mod_cases (guild_id, channel_id, message_id, author_id) VALUES (1, 2, 3, 4)")
    past = utcnow() - timedelta(days=31)
    assert await repo.record(guild_id=1, member_id=4, case_id=1, action=Action.WARN, decay_days=30, now=past)
    assert not await repo.record(guild_id=1, member_id=4, case_id=1, action=Action.REMOVE, decay_days=30)
    assert await repo.active(1, 4) == []  # faded
    assert len(await repo.active(1, 4, now=past + timedelta(days=29))) == 1
    assert len(await repo.for_member(1, 4)) == 1


async def test_card_shows_strikes_and_the_suggestion_at_the_third(service, snap) -> None:
    review = service.review
    for _ in range(2):
        case = await open_case(service, snap)
        await review.act(case.id, MOD, Action.WARN, reason="civil")
    third = await open_case(service, snap)
    content = await review.render(third)
    strikes = next(f.value for f in content.fields if f.name == "Strikes")
    assert strikes.startswith("2 active strikes (last 30 days)") and "3rd strike" in strikes
    ladder = [b for b in content.buttons if b.custom_id == f"modbot:case:{third.id}:ladder:60"]
    assert [b.label for b in ladder] == ["Timeout 1 hour (3rd strike)"]
    outcome = await review.apply_ladder(third.id, MOD, 60, guild_id=third.guild_id)
    assert outcome.ok and outcome.case.state.value == "timed_out"
    assert ("timeout", third.id, 60) in service.executor.calls
    assert outcome.case.decision_reason == "Strike ladder: 3rd strike"
    assert len(await review.member_strikes(third.guild_id, third.author_id)) == 3


async def test_stale_ladder_button_is_refused(service, snap) -> None:
    case = await open_case(service, snap)
    outcome = await service.review.apply_ladder(case.id, MOD, 60, guild_id=case.guild_id)
    assert outcome.status.value == "invalid" and "no longer suggests" in outcome.message
    assert (await service.cases.get(case.id)).is_open and service.executor.calls == []


async def test_staff_are_never_suggested_against(service, snap) -> None:
    review = service.review
    for _ in range(2):
        case = await open_case(service, snap)
        await review.act(case.id, MOD, Action.REMOVE)
    third = await open_case(service, snap)
    service.executor.staff.add(third.author_id)
    content = await review.render(third)
    assert not [b for b in content.buttons if ":ladder:" in b.custom_id]
    assert "Staff: no ladder suggestion" in next(f.value for f in content.fields if f.name == "Strikes")
    refused = await review.apply_ladder(third.id, MOD, 60, guild_id=third.guild_id)
    assert not refused.ok and third.id not in [c[1] for c in service.executor.calls]


async def test_decayed_strikes_are_forgotten(service, snap) -> None:
    review = service.review
    for _ in range(2):
        case = await open_case(service, snap)
        await review.act(case.id, MOD, Action.WARN, reason="civil")
    await service.db.execute("UPDATE mod_strikes SET expires_at = '2000-01-01T00:00:00.000Z'")
    third = await open_case(service, snap)
    content = await review.render(third)
    assert not [f for f in content.fields if f.name == "Strikes"]
    assert not [b for b in content.buttons if ":ladder:" in b.custom_id]


async def test_admin_clears_strikes_audited(service, snap) -> None:
    review = service.review
    first = await open_case(service, snap)
    await review.act(first.id, MOD, Action.WARN, reason="civil")
    other = await open_case(service, snap, author_id=31)
    await review.act(other.id, MOD, Action.WARN, reason="civil")
    assert await review.clear_strikes(first.guild_id, first.author_id, ADMIN, "fresh start") == 1
    assert await review.clear_strikes(first.guild_id, first.author_id, ADMIN, None) == 0
    shown = await review.member_strikes(first.guild_id, first.author_id)
    assert shown[0].cleared_by == ADMIN.user_id and not shown[0].active(utcnow())
    rows = await service.db.fetchall("SELECT * FROM audit_log WHERE action = 'strike.clear' ORDER BY id")
    assert [(r["actor_id"], r["reason"], r["target"]) for r in rows] == [
        (900, "fresh start", f"user:{first.author_id}"), (900, None, f"user:{first.author_id}")]
    assert len(await review.sanctions.strikes.active(other.guild_id, 31)) == 1


async def test_other_open_cards_of_the_author_are_refreshed_after_a_strike(service, snap) -> None:
    waiting = await open_case(service, snap)
    await service.cases.set_card(waiting.id, 7, 4242)
    decided = await open_case(service, snap)
    service.publisher.refreshed.clear()
    await service.review.act(decided.id, MOD, Action.WARN, reason="civil")
    assert waiting.id in service.publisher.refreshed
