"""Moderator decisions: side effects, permission pre-checks, failures keep the case open, races, audit, mod log."""

from __future__ import annotations

import asyncio

import pytest
from moderation.doubles import FakeExecutor

from bot.moderation.audit import AuditRepository
from bot.moderation.cases import CaseRepository
from bot.moderation.decisions import DecisionService, Status
from bot.moderation.models import Actor
from bot.moderation.ports import ActionError
from bot.moderation.scoring import Assessment
from bot.moderation.state import Action, CaseState

MOD, MOD2 = Actor(501, "mo"), Actor(502, "mo2")


@pytest.fixture
async def setup(db, snap):
    cases = CaseRepository(db)
    executor = FakeExecutor()
    refreshed: list[int] = []
    logged: list[str] = []

    async def refresh(case) -> None:
        refreshed.append(case.id)

    async def mod_log(text: str) -> None:
        logged.append(text)

    service = DecisionService(cases, AuditRepository(db), executor, refresh=refresh, mod_log=mod_log,
                              timeout_choices=[10, 60])
    case, _ = await cases.open(snap("bad"), Assessment(True, ("x",)))
    return service, executor, case, refreshed, logged, db


async def test_remove_deletes_audits_logs_and_refreshes(setup) -> None:
    service, executor, case, refreshed, logged, db = setup
    outcome = await service.act(case.id, MOD, Action.REMOVE, reason="spam")
    assert outcome.ok and outcome.case.state is CaseState.REMOVED
    assert executor.calls == [("delete", case.id, "spam")]
    assert refreshed == [case.id] and "<@501> removed" in logged[0] and "spam" in logged[0]
    row = await db.fetchone("SELECT * FROM audit_log WHERE action = 'case.remove'")
    assert row["actor_id"] == 501 and row["case_id"] == case.id and row["reason"] == "spam"
    assert row["target"] == f"user:{case.author_id}" and row["at"]
    again = await service.act(case.id, MOD2, Action.APPROVE)
    assert again.status is Status.ALREADY_DECIDED and "removed by <@501>" in again.message


async def test_missing_permission_is_reported_and_case_stays_pending(setup) -> None:
    service, executor, case, refreshed, logged, db = setup
    executor.missing["remove"] = ["Manage Messages"]
    outcome = await service.act(case.id, MOD, Action.REMOVE)
    assert outcome.status is Status.MISSING_PERMISSION and "Manage Messages" in outcome.message
    assert outcome.case.state is CaseState.PENDING and "Manage Messages" in outcome.case.note
    assert executor.calls == [] and logged == [] and refreshed == [case.id]


async def test_failure_during_the_action_releases_the_lock(setup) -> None:
    service, executor, case, refreshed, logged, db = setup
    executor.errors["timeout"] = ActionError("missing_permission", "role hierarchy")
    outcome = await service.act(case.id, MOD, Action.TIMEOUT, minutes=10)
    assert outcome.status is Status.MISSING_PERMISSION
    current = outcome.case
    assert current.state is CaseState.PENDING and current.lock_actor_id is None
    del executor.errors["timeout"]
    assert (await service.act(case.id, MOD, Action.TIMEOUT, minutes=60)).ok
    assert executor.calls == [("timeout", case.id, 60)]


async def test_unexpected_errors_do_not_leave_the_case_locked(setup) -> None:
    service, executor, case, *_ = setup
    executor.errors["delete"] = RuntimeError("boom")
    outcome = await service.act(case.id, MOD, Action.REMOVE)
    assert outcome.status is Status.FAILED and outcome.case.lock_actor_id is None


async def test_validation_and_not_found(setup) -> None:
    service, executor, case, *_ = setup
    assert (await service.act(case.id, MOD, Action.WARN, reason="  ")).status is Status.INVALID
    assert (await service.act(case.id, MOD, Action.TIMEOUT, minutes=7)).status is Status.INVALID
    assert (await service.act(999, MOD, Action.APPROVE)).status is Status.NOT_FOUND
    assert (await service.act(case.id, MOD, Action.APPROVE, guild_id=12345)).status is Status.NOT_FOUND


async def test_warn_with_closed_dms_is_still_recorded(setup) -> None:
    service, executor, case, *_ = setup
    executor.errors["warn"] = ActionError("cannot_dm", "closed")
    outcome = await service.act(case.id, MOD, Action.WARN, reason="be nice")
    assert outcome.ok and outcome.case.state is CaseState.WARNED and "could not be sent a DM" in outcome.case.note


async def test_removing_an_already_deleted_message_just_closes(setup) -> None:
    service, executor, case, *_ = setup
    executor.errors["delete"] = ActionError("not_found", "gone")
    outcome = await service.act(case.id, MOD, Action.REMOVE)
    assert outcome.ok and "already deleted" in outcome.case.note


async def test_racing_moderators_first_wins_second_learns_who(setup) -> None:
    service, executor, case, refreshed, logged, db = setup
    executor.delay = 0.05  # the first action is still running when the second arrives
    first, second = await asyncio.gather(service.act(case.id, MOD, Action.REMOVE),
                                         service.act(case.id, MOD2, Action.APPROVE))
    # SQLite serializes the two in order; on PostgreSQL either may take the lock first: one wins either way.
    won, lost, text, loser_action = ((first, second, "removed by <@501>", "approve") if first.ok
                                     else (second, first, "approved by <@502>", "remove"))
    assert won.ok and lost.status is Status.ALREADY_DECIDED
    assert text in lost.message
    assert len(executor.calls) == (1 if first.ok else 0) and len(logged) == 1
    assert await AuditRepository(db).count(f"case.{loser_action}") == 0


async def test_claim_then_decide(setup) -> None:
    service, executor, case, refreshed, logged, db = setup
    assert (await service.act(case.id, MOD, Action.CLAIM)).ok
    taken = await service.act(case.id, MOD2, Action.CLAIM)
    assert taken.status is Status.ALREADY_DECIDED and "claimed by <@501>" in taken.message
    assert (await service.act(case.id, MOD2, Action.ESCALATE)).ok
    done = await service.act(case.id, MOD, Action.APPROVE)
    assert done.ok and done.case.claimed_by == 501 and logged[-1].startswith(f"Case #{case.id}: <@501> approved")
    late = await service.act(case.id, MOD2, Action.CLAIM)
    assert late.status is Status.ALREADY_DECIDED and "approved by <@501>" in late.message
