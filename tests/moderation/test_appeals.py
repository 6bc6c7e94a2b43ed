"""Appeals: who may appeal and when (author only, one per case, unappealable decisions, window, cooldown), and a
moderator's answer (first wins, strike cleared and timeout lifted on accept, member told, audited)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from moderation.doubles import FakeExecutor, FakePublisher, MarkerScorer

from bot.moderation.appeals import AppealRepository, AppealState, refusal
from bot.moderation.config import ModerationConfig
from bot.moderation.models import Actor
from bot.moderation.ports import ActionError
from bot.moderation.scoring import Assessment
from bot.moderation.service import ModerationService
from bot.moderation.state import Action, CaseState
from bot.timestamps import utcnow

MOD, MOD2 = Actor(501, "mo"), Actor(502, "mo2")
FLAG = Assessment(True, ("inflammatory",), "medium")
AUTHOR = 30
TEXT = "I was quoting the article, not insulting anyone."


@pytest.fixture
async def service(db):
    cfg = ModerationConfig(mod_channel_id=7, mod_log_channel_id=8, digest_threshold=0, cards_per_minute=0,
                           appeal_cooldown_hours=24, appeal_window_days=14)
    made = ModerationService(db, cfg, MarkerScorer(), publisher=FakePublisher(), executor=FakeExecutor())
    yield made
    await made.stop()


async def decided(service, snap, action=Action.REMOVE, **kwargs):
    case, _ = await service.cases.open(snap("bad", **kwargs), FLAG)
    extra = {"reason": "civil"} if action is Action.WARN else {"minutes": 10} if action is Action.TIMEOUT else {}
    outcome = await service.review.act(case.id, MOD, action, **extra)
    assert outcome.ok
    return outcome.case


async def test_notices_carry_the_appeal_button_unless_marked_final(service, snap) -> None:
    removed = await decided(service, snap, Action.REMOVE)
    warned = await decided(service, snap, Action.WARN)
    timed = await decided(service, snap, Action.TIMEOUT)
    final, _ = await service.cases.open(snap("bad"), FLAG)
    assert "final" in await service.review.set_appealable(final.id, MOD, False, guild_id=final.guild_id)
    await service.review.act(final.id, MOD, Action.REMOVE)
    assert service.executor.notices == [(removed.id, "remove", True), (warned.id, "warn", True),
                                        (timed.id, "timeout", True), (final.id, "remove", False)]
    assert await service.review.appeal_refusal(final.id, AUTHOR) == \
        "The moderators marked this decision as final: it cannot be appealed."
    assert "already decided" in await service.review.set_appealable(final.id, MOD, True, guild_id=final.guild_id)
    assert await service.audit.count("case.appeals_off") == 1


async def test_only_the_author_once_per_case(service, snap) -> None:
    case = await decided(service, snap)
    review = service.review
    assert await review.appeal_refusal(case.id, 999) == "You can only appeal a decision about your own message."
    assert await review.appeal_refusal(12345, AUTHOR) == "You can only appeal a decision about your own message."
    not_yours = await review.open_appeal(case.id, 999, TEXT)
    assert not not_yours.ok
    assert (await review.open_appeal(case.id, AUTHOR, TEXT)).ok
    again = await review.open_appeal(case.id, AUTHOR, TEXT)
    assert not again.ok and "already appealed" in again.message
    assert (await service.db.fetchone("SELECT COUNT(*) FROM mod_appeals"))[0] == 1
    assert await service.audit.count("appeal.open") == 1


async def test_open_cases_and_approvals_cannot_be_appealed(service, snap) -> None:
    pending, _ = await service.cases.open(snap("bad"), FLAG)
    approved = await decided(service, snap, Action.APPROVE)
    assert "no decision that can be appealed" in await service.review.appeal_refusal(pending.id, AUTHOR)
    assert "no decision that can be appealed" in await service.review.appeal_refusal(approved.id, AUTHOR)


async def test_cooldown_between_one_members_appeals(service, snap) -> None:
    first, second = await decided(service, snap), await decided(service, snap)
    assert (await service.review.open_appeal(first.id, AUTHOR, TEXT)).ok
    refused = await service.review.open_appeal(second.id, AUTHOR, TEXT)
    assert not refused.ok and "appealed recently" in refused.message and "<t:" in refused.message
    await service.db.execute("UPDATE mod_appeals SET created_at = ?",
                             ((utcnow() - timedelta(hours=25)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),))
    assert (await service.review.open_appeal(second.id, AUTHOR, TEXT)).ok


def test_refusal_rules_are_pure() -> None:
    class Stub:
        id, author_id, appealable = 5, AUTHOR, True
        state = CaseState.WARNED
        decided_at = utcnow() - timedelta(days=15)

    config = ModerationConfig(appeal_window_days=14)
    now = utcnow()
    assert "14 days" in refusal(Stub(), AUTHOR, config, existing=None, last_appeal_at=None, now=now)
    Stub.decided_at = now
    assert refusal(Stub(), AUTHOR, config, existing=None, last_appeal_at=None, now=now) is None
    assert "turned off" in refusal(Stub(), AUTHOR, ModerationConfig(appeals_enabled=False), existing=None,
                                   last_appeal_at=None, now=now)
    assert refusal(Stub(), AUTHOR, ModerationConfig(appeal_cooldown_hours=0), existing=None,
                   last_appeal_at=now, now=now) is None


async def test_accept_lifts_the_timeout_clears_the_strike_and_tells_the_member(service, snap) -> None:
    case = await decided(service, snap, Action.TIMEOUT)
    await service.review.open_appeal(case.id, AUTHOR, TEXT)
    result = await service.review.decide_appeal(case.id, MOD2, True, guild_id=case.guild_id)
    assert result.ok and "timeout was lifted" in result.message and "strike was cleared" in result.message
    assert ("lift_timeout", case.id, f"modbot: appeal of case #{case.id} accepted") in service.executor.calls
    assert service.executor.notices[-1] == (case.id, "appeal_accepted", False)
    assert await service.review.sanctions.strikes.active(case.guild_id, AUTHOR) == []
    late = await service.review.decide_appeal(case.id, MOD, False, guild_id=case.guild_id)
    assert not late.ok and f"already accepted by <@{MOD2.user_id}>" in late.message
    appeal = await AppealRepository(service.db).get(case.id)
    assert appeal.state is AppealState.ACCEPTED and appeal.decided_by == MOD2.user_id
    rows = await service.db.fetchall("SELECT action FROM audit_log WHERE case_id = ? ORDER BY id", (case.id,))
    assert [r["action"] for r in rows] == ["case.timeout", "strike.add", "appeal.open", "appeal.accept"]


async def test_accepting_a_removal_says_the_message_cannot_come_back(service, snap) -> None:
    case = await decided(service, snap, Action.REMOVE)
    await service.review.open_appeal(case.id, AUTHOR, TEXT)
    result = await service.review.decide_appeal(case.id, MOD, True, guild_id=case.guild_id)
    assert "cannot be restored" in result.message


async def test_deny_keeps_the_decision_and_the_strike(service, snap) -> None:
    case = await decided(service, snap, Action.WARN)
    await service.review.open_appeal(case.id, AUTHOR, TEXT)
    result = await service.review.decide_appeal(case.id, MOD, False, guild_id=case.guild_id)
    assert result.ok and service.executor.notices[-1] == (case.id, "appeal_denied", False)
    assert len(await service.review.sanctions.strikes.active(case.guild_id, AUTHOR)) == 1
    assert await service.audit.count("appeal.deny") == 1
    no_appeal = await decided(service, snap)
    assert "has no appeal" in (await service.review.decide_appeal(no_appeal.id, MOD, True, guild_id=None)).message


async def test_accept_does_not_end_a_later_cases_running_timeout(service, snap) -> None:
    """Discord keeps one timeout per member: lifting it for an old case would end a later case's timeout too."""
    first = await decided(service, snap, Action.TIMEOUT)
    later, _ = await service.cases.open(snap("worse"), FLAG)
    outcome = await service.review.act(later.id, MOD, Action.TIMEOUT, minutes=1440)
    assert outcome.ok
    await service.review.open_appeal(first.id, AUTHOR, TEXT)
    result = await service.review.decide_appeal(first.id, MOD2, True, guild_id=first.guild_id)
    assert result.ok and f"not lifted: case #{later.id} timed the member out later" in result.message
    assert not [c for c in service.executor.calls if c[0] == "lift_timeout"]
    assert "strike was cleared" in result.message  # the appealed case's own strike still goes


async def test_failed_lift_and_closed_dms_are_reported_not_raised(service, snap) -> None:
    case = await decided(service, snap, Action.TIMEOUT)
    await service.review.open_appeal(case.id, AUTHOR, TEXT)
    service.executor.errors["lift_timeout"] = ActionError("missing_permission", "Discord refused")
    service.executor.errors["notice"] = ActionError("cannot_dm", "closed")
    result = await service.review.decide_appeal(case.id, MOD, True, guild_id=case.guild_id)
    assert result.ok and "could not be lifted (Discord refused)" in result.message


async def test_queue_lists_pending_appeals(service, snap) -> None:
    first, second = await decided(service, snap), await decided(service, snap, author_id=31)
    await service.review.open_appeal(first.id, AUTHOR, TEXT)
    await service.review.open_appeal(second.id, 31, TEXT)
    await service.review.decide_appeal(second.id, MOD, False, guild_id=None)
    page = await service.review.queue_page(first.guild_id, page=1, appeals=True)
    assert page.total == 1 and f"#{first.id}" in page.content.description
    assert page.content.description.startswith("1 pending appeal") and page.content.title.endswith("appeals")
    assert (await service.review.queue_page(first.guild_id, page=1)).total == 0


async def test_retention_purges_the_appeal_text_with_the_message(service, snap) -> None:
    from bot.moderation import retention
    from bot.moderation.card_extras import CardExtras, extra_fields

    case = await decided(service, snap, Action.WARN)
    await service.review.open_appeal(case.id, AUTHOR, TEXT)
    await service.review.decide_appeal(case.id, MOD2, False, guild_id=case.guild_id)
    assert await retention.purge_closed_content(service.db, 30, now=utcnow() + timedelta(days=31)) == 1
    appeal = await AppealRepository(service.db).get(case.id)
    assert appeal.text == "" and appeal.state is AppealState.DENIED  # the record stays, the words go
    purged = await service.cases.get(case.id)
    shown = "\n".join(f.value for f in extra_fields(purged, CardExtras(appeal=appeal)))
    assert "purged after the retention period" in shown and TEXT not in shown
