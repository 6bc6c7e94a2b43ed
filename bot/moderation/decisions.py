"""Moderator decisions: permission check, atomic first-wins lock, the Discord side effect, audit and mod log."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.moderation.audit import AuditRepository
from bot.moderation.cards import PAST_TENSE, mod_log_line, timestamp
from bot.moderation.cases import CaseRepository
from bot.moderation.config import MAX_TIMEOUT_MINUTES
from bot.moderation.models import Actor, Case
from bot.moderation.ports import ActionError, ActionExecutor
from bot.moderation.state import Action, CaseState, can_apply, result_state

if TYPE_CHECKING:
    from bot.moderation.sanctions import Sanctions

log = logging.getLogger(__name__)

WARN_REASON_MAX = 1000
LOCK_WAIT_SECONDS = 2.0
LOCK_POLL_SECONDS = 0.05


class Status(StrEnum):
    """How a moderator's request ended."""

    DONE = "done"
    ALREADY_DECIDED = "already_decided"
    BUSY = "busy"
    MISSING_PERMISSION = "missing_permission"
    FAILED = "failed"
    NOT_FOUND = "not_found"
    INVALID = "invalid"


@dataclass(frozen=True)
class Outcome:
    """Result of :meth:`DecisionService.act`: ``message`` is what to tell the moderator (ephemeral)."""

    status: Status
    message: str
    case: Case | None = None

    @property
    def ok(self) -> bool:
        """True when the action was carried out."""
        return self.status is Status.DONE


def already_decided_text(case: Case) -> str:
    """Tell a moderator who decided first."""
    if case.state is CaseState.PENDING and case.lock_actor_id:
        return f"Case #{case.id} is already being handled by <@{case.lock_actor_id}> right now."
    who = f"<@{case.decided_by}>" if case.decided_by else "another moderator"
    when = f" {timestamp(case.decided_at, 'R')}" if case.decided_at else ""
    return f"Case #{case.id} was already {case.state.label.lower()} by {who}{when}."


class DecisionService:
    """Applies moderator actions to cases. Card refresh and mod log go through the given callbacks."""

    def __init__(
        self,
        cases: CaseRepository,
        audit: AuditRepository,
        executor: ActionExecutor | None,
        *,
        refresh: Callable[[Case], Awaitable[None]],
        mod_log: Callable[[str], Awaitable[None]],
        timeout_choices: list[int],
        case_mod_log: Callable[[Case, str], Awaitable[None]] | None = None,
        sanctions: Sanctions | None = None,
    ) -> None:
        self._cases = cases
        self._audit = audit
        self._executor = executor
        self._refresh = refresh
        self._mod_log = mod_log
        self._case_mod_log = case_mod_log  # per-guild mod-log channel (/config), when the caller routes by case
        self._timeout_choices = timeout_choices
        self._sanctions = sanctions  # strikes (written with the decision) and the member's notice

    async def act(
        self,
        case_id: int,
        actor: Actor,
        action: Action,
        *,
        guild_id: int | None = None,
        reason: str | None = None,
        minutes: int | None = None,
        ladder: bool = False,
    ) -> Outcome:
        """Carry out ``action`` on a case; the first decision wins, the others are told who decided.

        ``ladder``: a timeout the strike ladder suggested (any length up to 28 days, not only the offered ones).
        A warning, removal or timeout also gives the author a strike, in the same transaction as the decision."""
        case = await self._cases.get_in(case_id, guild_id)
        if case is None:
            return Outcome(Status.NOT_FOUND, f"There is no case #{case_id}.")
        if action is Action.CLAIM:
            return await self._claim(case, actor)
        if not can_apply(case.state, action):
            return Outcome(Status.ALREADY_DECIDED, already_decided_text(case), case)
        if action is Action.REMOVE and case.message_blocked:
            return Outcome(Status.INVALID, f"Discord AutoMod blocked the message of case #{case.id}: there is nothing "
                           "to remove. Approve, warn or time out instead.", case)
        problem = self._validate(action, reason, minutes, ladder=ladder)
        if problem:
            return Outcome(Status.INVALID, problem, case)
        if action.has_side_effect and self._executor is not None:
            missing = await self._executor.missing_permissions(case, action)
            if missing:
                return await self._report_failure(
                    case, actor, action, ActionError("missing_permission", f"I am missing {', '.join(missing)}"),
                    locked=False,
                )
        lock = await self._cases.try_lock(case.id, actor.user_id, action)
        if not lock.acquired:
            return await self._lost_race(lock.case or case)
        note: str | None = None
        try:
            note = await self._side_effect(case, action, reason, minutes)
        except ActionError as exc:
            return await self._report_failure(case, actor, action, exc, locked=True)
        except Exception:
            log.exception("action %s on case #%d failed", action.value, case.id)
            return await self._report_failure(
                case, actor, action, ActionError("failed", "an unexpected error happened"), locked=True
            )
        new_state = result_state(action)
        assert new_state is not None
        strike = self._sanctions.strike_writer(case, action, minutes) if self._sanctions is not None else None
        decided = await self._cases.finish(case.id, actor.user_id, action, new_state, reason=reason, note=note,
                                           along=strike)
        if decided is None:  # the lock went stale and someone else decided meanwhile
            current = await self._cases.get(case.id) or case
            return Outcome(Status.ALREADY_DECIDED, already_decided_text(current), current)
        extra = f"{minutes} min" if action is Action.TIMEOUT and minutes else ""
        await self._audit.record(
            f"case.{action.value}",
            guild_id=decided.guild_id,
            actor_id=actor.user_id,
            case_id=decided.id,
            target=f"user:{decided.author_id}",
            reason=reason,
            detail={"minutes": minutes, "note": note} if (minutes or note) else None,
        )
        if self._sanctions is not None:
            await self._sanctions.after_decision(decided, action, actor, minutes)
        await self._refresh(decided)
        line = mod_log_line(decided, actor.user_id, action, reason, extra)
        await (self._case_mod_log(decided, line) if self._case_mod_log is not None else self._mod_log(line))
        text = f"Case #{decided.id} {PAST_TENSE[action]}." + (f" {note}" if note else "")
        return Outcome(Status.DONE, text, decided)

    async def _lost_race(self, case: Case) -> Outcome:
        """Another moderator got there first: wait briefly for their action to finish, then say who decided."""
        current = case
        for _ in range(int(LOCK_WAIT_SECONDS / LOCK_POLL_SECONDS)):
            if current.lock_actor_id is None or not current.is_open:
                break
            await asyncio.sleep(LOCK_POLL_SECONDS)
            current = await self._cases.get(case.id) or current
        if current.is_open and current.lock_actor_id is None and current.state is case.state:
            who = f"<@{case.lock_actor_id}>" if case.lock_actor_id else "Another moderator"
            return Outcome(Status.BUSY, f"{who} acted on case #{case.id} at the same time; it is "
                           f"still {current.state.label.lower()}. Try again if needed.", current)
        if current.is_open and current.lock_actor_id is not None:
            return Outcome(Status.BUSY, already_decided_text(current), current)
        return Outcome(Status.ALREADY_DECIDED, already_decided_text(current), current)

    def _validate(self, action: Action, reason: str | None, minutes: int | None, *, ladder: bool) -> str | None:
        if action is Action.WARN and not (reason or "").strip():
            return "A warning needs a reason."
        if action is Action.TIMEOUT and ladder and minutes is not None and 0 < minutes <= MAX_TIMEOUT_MINUTES:
            return None
        if action is Action.TIMEOUT and minutes not in self._timeout_choices:
            return "Pick one of the offered timeout durations."
        return None

    async def _side_effect(self, case: Case, action: Action, reason: str | None, minutes: int | None) -> str | None:
        if self._executor is None:
            return "No Discord connection: nothing was done on Discord." if action.has_side_effect else None
        if action is Action.REMOVE:
            if case.message_deleted:
                return "The message was already deleted."
            try:
                await self._executor.delete_message(case, reason)
            except ActionError as exc:
                if exc.kind != "not_found":
                    raise
                return "The message was already deleted."
        elif action is Action.TIMEOUT:
            assert minutes is not None
            await self._executor.timeout_member(case, minutes, reason)
        elif action is Action.WARN:
            appeal = self._sanctions.appeal_offered(case) if self._sanctions is not None else False
            try:
                await self._executor.warn_member(case, (reason or "").strip()[:WARN_REASON_MAX], appeal=appeal)
            except ActionError as exc:
                if exc.kind not in ("cannot_dm", "not_found"):
                    raise
                return "The member could not be sent a DM (DMs closed or member left); the warning is recorded."
        return None

    async def _report_failure(
        self, case: Case, actor: Actor, action: Action, error: ActionError, *, locked: bool
    ) -> Outcome:
        note = f"{action.label} failed: {error.message}. The case stays {case.state.label.lower()}."
        if locked:
            current = await self._cases.release(case.id, actor.user_id, note=note) or case
        else:
            await self._cases.set_note(case.id, note)
            current = await self._cases.get(case.id) or case
        await self._audit.record(
            f"case.{action.value}_failed",
            guild_id=case.guild_id,
            actor_id=actor.user_id,
            case_id=case.id,
            target=f"user:{case.author_id}",
            detail={"error": error.kind, "message": error.message},
        )
        await self._refresh(current)
        status = Status.MISSING_PERMISSION if error.kind == "missing_permission" else Status.FAILED
        return Outcome(status, note, current)

    async def _claim(self, case: Case, actor: Actor) -> Outcome:
        result = await self._cases.claim(case.id, actor.user_id)
        current = result.case or case
        if not result.acquired:
            if not current.is_open:
                return Outcome(Status.ALREADY_DECIDED, already_decided_text(current), current)
            return Outcome(Status.ALREADY_DECIDED, f"Case #{case.id} is already claimed by <@{current.claimed_by}>.",
                           current)
        await self._audit.record(
            "case.claim", guild_id=case.guild_id, actor_id=actor.user_id, case_id=case.id,
            target=f"user:{case.author_id}",
        )
        await self._refresh(current)
        return Outcome(Status.DONE, f"You claimed case #{case.id}.", current)
