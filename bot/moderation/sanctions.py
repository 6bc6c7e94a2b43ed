"""Strikes and appeals around decisions: the strike a decision gives, the member's notice, the ladder's suggestion,
the card extras, clearing strikes, and an appeal from the member's DM to a moderator's answer.

:class:`~bot.moderation.decisions.DecisionService` calls :meth:`Sanctions.strike_writer` inside the transaction
that applies a decision (one strike per case) and :meth:`Sanctions.after_decision` once it is applied;
:class:`~bot.moderation.review.Review` exposes the rest to the Discord side. Nothing here acts on its own: the
ladder only suggests, and moderators apply the suggestion with a button.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.moderation.appeals import APPEAL_TEXT_MAX, NOT_YOURS, Appeal, AppealRepository, AppealState, refusal
from bot.moderation.audit import AuditRepository
from bot.moderation.card_extras import CardExtras, StrikeContext, extra_buttons, extra_fields
from bot.moderation.cards import CardContent, render_card, timestamp
from bot.moderation.cases import CaseRepository
from bot.moderation.config import ModerationConfig
from bot.moderation.models import Actor, Case
from bot.moderation.notices import Notice, NoticeKind
from bot.moderation.ports import ActionError, ActionExecutor
from bot.moderation.state import Action, CaseState
from bot.moderation.strikes import STRIKE_ACTIONS, Strike, StrikeRepository, next_step, suggestion
from bot.storage import Transaction
from bot.timestamps import utcnow

log = logging.getLogger(__name__)

Refresh = Callable[[Case], Awaitable[None]]
ModLog = Callable[[Case, str], Awaitable[None]]
OTHER_CARDS_REFRESHED = 10
NOTICE_KINDS = {Action.REMOVE: NoticeKind.REMOVE, Action.TIMEOUT: NoticeKind.TIMEOUT}


@dataclass(frozen=True)
class AppealResult:
    """What happened to an appeal request: ``ok`` and the text for whoever asked; ``case`` as it is now."""

    ok: bool
    message: str
    case: Case | None = None


async def _ignore(_: Case, __: str = "") -> None:
    return None


class Sanctions:
    """Strikes, the ladder and appeals of every guild (settings per guild through ``config_for``)."""

    def __init__(self, strikes: StrikeRepository, appeals: AppealRepository, cases: CaseRepository,
                 audit: AuditRepository, executor: ActionExecutor | None,
                 config_for: Callable[[int], ModerationConfig]) -> None:
        self.strikes = strikes
        self.appeals = appeals
        self._cases = cases
        self._audit = audit
        self._executor = executor
        self._config_for = config_for
        self._refresh: Refresh = _ignore
        self._mod_log: ModLog = _ignore

    def connect(self, *, refresh: Refresh, mod_log: ModLog) -> None:
        """Where refreshed cards and mod-log entries go (the review's own)."""
        self._refresh, self._mod_log = refresh, mod_log

    # ----- cards -----------------------------------------------------------------------------------------------

    async def strike_context(self, case: Case) -> StrikeContext:
        """The author's active strikes and what the ladder suggests for this case's decision."""
        config = self._config_for(case.guild_id)
        active = len(await self.strikes.active(case.guild_id, case.author_id))
        step = suggestion(config.strike_ladder, active)
        staff = False
        if step is not None:
            known = await self._executor.is_staff(case, config.moderator_role_id) if self._executor else False
            staff = known is not False  # unknown counts as staff: never suggest against someone we cannot tell
            if staff:
                step = None
        return StrikeContext(active, config.strike_decay_days, step, next_step(config.strike_ladder, active), staff)

    async def extras(self, case: Case) -> CardExtras:
        """Strikes for an open case's card; the appeal for a decided one."""
        config = self._config_for(case.guild_id)
        strikes = await self.strike_context(case) if case.is_open else None
        appeal = None if case.is_open else await self.appeals.get(case.id)
        return CardExtras(strikes, appeal, config.appeals_enabled)

    async def render(self, case: Case) -> CardContent:
        """The full card: the case, the author's strikes or the appeal, and their buttons."""
        extras = await self.extras(case)
        return render_card(case, excerpt_chars=self._config_for(case.guild_id).excerpt_chars,
                           more_fields=extra_fields(case, extras), more_buttons=extra_buttons(case, extras))

    async def _refresh_open_cards_of(self, case: Case) -> None:
        """Cards of the author's other open cases show their strike count: keep them current."""
        for other in await self._cases.open_for_author(case.guild_id, case.author_id, limit=OTHER_CARDS_REFRESHED):
            if other.id != case.id:
                await self._refresh(other)

    # ----- decisions ---------------------------------------------------------------------------------------------

    def appeal_offered(self, case: Case) -> bool:
        """True when the member's notice about this case's decision carries an Appeal button."""
        return self._config_for(case.guild_id).appeals_enabled and case.appealable

    def strike_writer(self, case: Case, action: Action,
                      minutes: int | None) -> Callable[[Transaction], Awaitable[None]] | None:
        """What the decision's transaction also writes: the strike, for a warning, removal or timeout."""
        if action not in STRIKE_ACTIONS:
            return None
        decay = self._config_for(case.guild_id).strike_decay_days

        async def write(tx: Transaction) -> None:
            await StrikeRepository.insert(tx, guild_id=case.guild_id, member_id=case.author_id, case_id=case.id,
                                          action=action, decay_days=decay, minutes=minutes)

        return write

    async def after_decision(self, case: Case, action: Action, actor: Actor, minutes: int | None) -> None:
        """After a strike-giving decision: audit the strike, tell the member (removal, timeout), update the
        author's other open cards. A notice that cannot be delivered is logged, not an error."""
        if action not in STRIKE_ACTIONS:
            return
        strike = await self.strikes.of_case(case.id)
        if strike is not None:
            await self._audit.record("strike.add", guild_id=case.guild_id, actor_id=actor.user_id, case_id=case.id,
                                     target=f"user:{case.author_id}",
                                     detail={"action": action.value, "expires_at": strike.expires_at.isoformat()})
        kind = NOTICE_KINDS.get(action)
        if kind is not None and self._executor is not None:
            notice = Notice(kind, minutes=minutes, appeal=self.appeal_offered(case))
            try:
                await self._executor.send_notice(case, notice)
            except ActionError as exc:
                log.info("case #%d: the member could not be told (%s)", case.id, exc.kind)
        await self._refresh_open_cards_of(case)

    # ----- strikes (moderators and administrators) ------------------------------------------------------------

    async def member_strikes(self, guild_id: int, member_id: int) -> list[Strike]:
        """A member's strikes, newest first (``/strikes show``)."""
        return await self.strikes.for_member(guild_id, member_id)

    async def clear(self, guild_id: int, member_id: int, actor: Actor, reason: str | None) -> int:
        """Clear a member's active strikes (administrators: ``/strikes clear``); audited. Returns how many."""
        cleared = await self.strikes.clear_member(guild_id, member_id, actor.user_id, reason or "cleared")
        await self._audit.record("strike.clear", guild_id=guild_id, actor_id=actor.user_id,
                                 target=f"user:{member_id}", reason=reason, detail={"cleared": cleared})
        if cleared:
            for case in await self._cases.open_for_author(guild_id, member_id, limit=OTHER_CARDS_REFRESHED):
                await self._refresh(case)
        return cleared

    async def set_appealable(self, case_id: int, guild_id: int | None, actor: Actor, appealable: bool) -> str:
        """Allow or forbid appeals of an open case's coming decision; audited."""
        case = await self._cases.get_in(case_id, guild_id)
        if case is None:
            return f"There is no case #{case_id}."
        updated = await self._cases.set_appealable(case_id, appealable)
        if updated is None:
            return f"Case #{case_id} is already decided; its appeal setting cannot change."
        await self._audit.record("case.appeals_on" if appealable else "case.appeals_off", guild_id=case.guild_id,
                                 actor_id=actor.user_id, case_id=case.id, target=f"user:{case.author_id}")
        await self._refresh(updated)
        return (f"Case #{case_id}: the decision can be appealed." if appealable
                else f"Case #{case_id}: the decision will be final (no Appeal button for the member).")

    # ----- appeals ----------------------------------------------------------------------------------------------

    async def appeal_refusal(self, case_id: int, user_id: int) -> str | None:
        """Why ``user_id`` may not appeal case ``case_id`` now, or None."""
        case = await self._cases.get(case_id)
        if case is None:
            return NOT_YOURS
        return refusal(case, user_id, self._config_for(case.guild_id), existing=await self.appeals.get(case.id),
                       last_appeal_at=await self.appeals.last_at(case.guild_id, user_id), now=utcnow())

    async def open_appeal(self, case_id: int, user_id: int, text: str) -> AppealResult:
        """The member submitted the Appeal dialog: store it (one per case), audit, show it on the card."""
        text = text.strip()[:APPEAL_TEXT_MAX]
        problem = await self.appeal_refusal(case_id, user_id)
        if problem is not None:
            return AppealResult(False, problem)
        if not text:
            return AppealResult(False, "An appeal needs a few words about why the decision should change.")
        case = await self._cases.get(case_id)
        assert case is not None
        appeal = await self.appeals.open(case, text)
        if appeal is None:
            return AppealResult(False, f"You have already appealed this decision (case #{case_id}).", case)
        await self._audit.record("appeal.open", guild_id=case.guild_id, actor_id=user_id, case_id=case.id,
                                 target=f"user:{case.author_id}", reason=text)
        await self._refresh(case)
        await self._mod_log(case, f"Case #{case.id}: <@{user_id}> appealed the decision ({case.state.label.lower()})"
                                  " \u2014 see the case card, or `/queue appeals:true`.")
        return AppealResult(True, "Your appeal was sent to the moderators. You will get their answer here.", case)

    async def decide_appeal(self, case_id: int, guild_id: int | None, actor: Actor, accept: bool) -> AppealResult:
        """A moderator accepts or denies a pending appeal (the first answer wins); the member is told by DM."""
        case = await self._cases.get_in(case_id, guild_id)
        if case is None:
            return AppealResult(False, f"There is no case #{case_id}.")
        decided = await self.appeals.decide(case.id, actor.user_id,
                                            AppealState.ACCEPTED if accept else AppealState.DENIED)
        if decided is None:
            return AppealResult(False, await self._not_pending(case), case)
        notes = await self._reverse(case, actor) if accept else []
        verb = "accepted" if accept else "denied"
        await self._audit.record(f"appeal.{'accept' if accept else 'deny'}", guild_id=case.guild_id,
                                 actor_id=actor.user_id, case_id=case.id, target=f"user:{case.author_id}",
                                 detail={"notes": notes} if notes else None)
        await self._tell_member(case, decided, notes)
        await self._refresh(case)
        await self._mod_log(case, f"Case #{case.id}: <@{actor.user_id}> {verb} the appeal of <@{case.author_id}>"
                            + (f" ({'; '.join(notes)})" if notes else ""))
        text = f"Appeal of case #{case.id} {verb}." + (f" {' '.join(notes)}" if notes else "")
        return AppealResult(True, text, case)

    async def _not_pending(self, case: Case) -> str:
        appeal = await self.appeals.get(case.id)
        if appeal is None:
            return f"Case #{case.id} has no appeal."
        return f"The appeal of case #{case.id} was already {appeal.state.value} by <@{appeal.decided_by}>."

    async def _reverse(self, case: Case, actor: Actor) -> list[str]:
        """Undo what can be undone: the strike, a running timeout. A removed message cannot come back."""
        notes = []
        if await self.strikes.clear_case(case.id, actor.user_id, "appeal accepted"):
            notes.append("The strike was cleared.")
        if case.state is CaseState.REMOVED:
            notes.append("The removed message cannot be restored.")
        elif case.state is CaseState.TIMED_OUT and self._executor is not None:
            later = await self._later_timeout(case)
            if later is not None:
                notes.append(f"The timeout was not lifted: case #{later.case_id} timed the member out later, "
                             f"until {timestamp(later_end(later), 'f')}.")
            else:
                try:
                    await self._executor.lift_timeout(case, f"modbot: appeal of case #{case.id} accepted")
                    notes.append("The timeout was lifted.")
                except ActionError as exc:
                    notes.append(f"The timeout could not be lifted ({exc.message}).")
        await self._refresh_open_cards_of(case)
        return notes

    async def _later_timeout(self, case: Case) -> Strike | None:
        """A timeout decided on another case of the member after this one and still running: lifting "the"
        timeout would end that one too (Discord keeps one per member), so the appeal must not."""
        mine = await self.strikes.of_case(case.id)
        now = utcnow()
        for strike in await self.strikes.for_member(case.guild_id, case.author_id):
            after = strike.id > mine.id if mine is not None else (
                case.decided_at is None or strike.created_at > case.decided_at)
            if (strike.case_id != case.id and strike.action == Action.TIMEOUT.value and strike.minutes and after
                    and later_end(strike) > now):
                return strike
        return None

    async def _tell_member(self, case: Case, appeal: Appeal, notes: list[str]) -> None:
        if self._executor is None:
            return
        accepted = appeal.state is AppealState.ACCEPTED
        member_notes = [n for n in notes if "could not" not in n]
        notice = Notice(NoticeKind.APPEAL_ACCEPTED if accepted else NoticeKind.APPEAL_DENIED,
                        note=" ".join(member_notes) or None)
        try:
            await self._executor.send_notice(case, notice)
        except ActionError as exc:
            log.info("case #%d: the member could not be told the appeal outcome (%s)", case.id, exc.kind)


def later_end(strike: Strike) -> datetime:
    """When the timeout a strike records ends."""
    return strike.created_at + timedelta(minutes=strike.minutes or 0)
