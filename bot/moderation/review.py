"""The review side of moderation: what happens to a case once it exists.

A new case is *admitted* (stored once per message, audited, its automatic action taken, its card queued); member
reports join cases; moderators decide (:class:`~bot.moderation.decisions.DecisionService`); cards are posted by the
card workers (:mod:`bot.moderation.posting`), reconciled after a crash and refreshed in place; decisions reach the
mod log. The Discord side (cogs, card components) uses only the public methods here, never the repositories.

Intake (:mod:`bot.moderation.intake`) decides *whether* a message becomes a case and hands it here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.moderation.appeals import AppealRepository
from bot.moderation.audit import AuditRepository, record_case_open
from bot.moderation.cards import CardContent
from bot.moderation.cases import CaseRepository
from bot.moderation.config import ModerationConfig
from bot.moderation.decisions import DecisionService, Outcome, Status
from bot.moderation.history import MemberHistory, render_history
from bot.moderation.listing import QueuePage, render_queue_page, render_trail
from bot.moderation.models import Actor, Case, MessageSnapshot
from bot.moderation.per_guild import PerGuild
from bot.moderation.ports import ActionError, ActionExecutor, CardPublisher
from bot.moderation.posting import CardPostQueue
from bot.moderation.queueing import CaseNotice
from bot.moderation.reconcile import reconcile_all
from bot.moderation.reports import ReportRepository
from bot.moderation.sanctions import AppealResult, Sanctions
from bot.moderation.scoring import Assessment
from bot.moderation.state import Action
from bot.moderation.strikes import Strike, ordinal
from bot.paging import clamp_page

log = logging.getLogger(__name__)

Assess = Callable[[Sequence[MessageSnapshot]], Awaitable[list[Assessment]]]
"""Scores messages with each guild's policy (:func:`bot.moderation.assessing.assess_messages`, bound)."""


@dataclass(frozen=True)
class ReportOutcome:
    """Result of a member report: ``duplicate`` when this member had already reported the message."""

    case: Case
    case_created: bool
    duplicate: bool


@dataclass(frozen=True)
class CaseView:
    """``/case``: the card of a case and its audit trail, rendered."""

    case: Case
    card: CardContent
    trail: str


class Review:
    """Cases after intake: admission, reports, decisions, cards and the mod log."""

    def __init__(
        self,
        cases: CaseRepository,
        audit: AuditRepository,
        reports: ReportRepository,
        per_guild: PerGuild,
        assess: Assess,
        *,
        publisher: CardPublisher | None = None,
        executor: ActionExecutor | None = None,
        sanctions: Sanctions,
    ) -> None:
        config = per_guild.config
        self._cases = cases
        self._audit = audit
        self._reports = reports
        self._per_guild = per_guild
        self._assess = assess
        self._publisher = publisher
        self._executor = executor
        self._reconciled = False
        self.sanctions = sanctions
        """Strikes, the ladder's suggestions and appeals (:mod:`bot.moderation.sanctions`)."""
        sanctions.connect(refresh=self.refresh_card, mod_log=self.post_case_mod_log)
        self.decisions = DecisionService(
            cases, audit, executor, refresh=self.refresh_card, mod_log=self.post_mod_log,
            timeout_choices=list(config.timeout_choices_minutes), case_mod_log=self.post_case_mod_log,
            sanctions=sanctions,
        )
        self.card_queue: CardPostQueue | None = None
        """The card worker of the file's mod channel (guilds with their own /config channel get one each)."""
        if publisher is not None and config.mod_channel_id:
            self.card_queue = CardPostQueue(
                config.mod_channel_id, cases, publisher, digest_threshold=config.digest_threshold,
                per_minute=config.cards_per_minute, retry_seconds=config.card_retry_seconds,
                policy=per_guild.alert_policy,
            )

    @property
    def _config(self) -> ModerationConfig:
        return self._per_guild.config

    # ----- card workers -------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the file mod channel's card worker (it posts once :meth:`reconcile` opened its gate)."""
        if self.card_queue is not None:
            self.card_queue.start()

    async def stop(self) -> None:
        """Stop every card worker; queued cases stay stored and unannounced."""
        if self.card_queue is not None:
            await self.card_queue.stop()
        await self._per_guild.stop()

    def card_queue_for(self, guild_id: int) -> CardPostQueue | None:
        """The card worker of the guild's mod channel (one per channel set with /config, started on demand)."""
        return self._per_guild.queue_for(guild_id, self.card_queue, gate_open=self._reconciled)

    async def reconcile(self) -> list[int]:
        """Record cards posted before a crash in every mod channel in use (the file's and each guild's /config
        one), queue the unannounced cases of each, then let the card workers post. Returns the queued case ids."""
        if self._publisher is None:
            return []
        to_post = await reconcile_all(self._cases, self._publisher, self._mod_channel_of)
        for case in to_post:
            queue = self.card_queue_for(case.guild_id)
            if queue is not None:
                queue.enqueue(case.id)
        if to_post:
            log.info("queued %d stored cases that had no card yet", len(to_post))
        self.open_card_gates()
        return [case.id for case in to_post]

    def open_card_gates(self) -> None:
        """Let every card worker post (after reconciliation, or when it failed)."""
        self._reconciled = True
        if self.card_queue is not None:
            self.card_queue.open_gate()
        self._per_guild.open_gates()

    def _mod_channel_of(self, case: Case) -> int | None:
        return self._per_guild.config_for(case.guild_id).mod_channel_id

    async def refresh_card(self, case: Case) -> None:
        """Update the posted card in place; failures are logged, never raised."""
        if self._publisher is None or case.card_message_id is None:
            return
        try:
            await self._publisher.refresh_card(case)
        except Exception as exc:
            log.warning("could not update the card of case #%d: %s", case.id, exc)

    # ----- admission ------------------------------------------------------------------------------------------------

    async def admit(self, message: MessageSnapshot, assessment: Assessment, *, source: str = "listener") -> Case:
        """Store a case (idempotent per message); a new one gets its automatic action and a queued card."""
        case, created = await self._cases.open(message, assessment, source=source)
        if not created:
            if assessment.flagged and not case.flagged and case.source == "automod":  # AutoMod's case came first
                case = await self._cases.add_verdict(case, assessment)
                await self.refresh_card(case)
            return case
        return await self.announce_opened(case)

    async def announce_opened(self, case: Case, *, auto_action: bool = True) -> Case:
        """A case just stored: audit it, take its automatic action (unless ``auto_action`` is False: AutoMod
        cases, which Discord already acted on), then queue its card."""
        await self._record_open(case)
        return await self._announce(case, auto_action=auto_action)

    def queue_card(self, case: Case) -> None:
        """Queue the card of an open case that has none yet (e.g. a case flagged again by an edit)."""
        queue = self.card_queue_for(case.guild_id)
        if case.is_open and not case.announced and queue is not None:
            queue.enqueue(case.id)

    async def _record_open(self, case: Case) -> None:
        await record_case_open(self._audit, case)

    async def announce_notice(self, notice: CaseNotice) -> Case | None:
        """A scoring worker opened or changed a case of a guild this process owns (``[cluster] scoring =
        "workers"``): take the automatic action and queue the card, or refresh the card. Idempotent, since
        notices come at least once: an announced or decided case is not queued again, and the automatic action
        runs only while the case has none (nor a note of a failed one)."""
        case = await self._cases.get(notice.case_id)
        if case is None or case.guild_id != notice.guild_id:
            return None
        if notice.kind == "edited":
            await self.refresh_card(case)
            self.queue_card(case)
            return case
        if case.announced or not case.is_open:
            return case
        return await self._announce(case, auto_action=case.auto_action is None and case.note is None)

    async def _announce(self, case: Case, *, auto_action: bool = True) -> Case:
        """Automatic action (if configured), then queue the card."""
        if auto_action:
            case = await self._auto_action(case)
        queue = self.card_queue_for(case.guild_id)
        if queue is not None:
            queue.enqueue(case.id)
        return case

    async def _auto_action(self, case: Case) -> Case:
        auto_actions = self._per_guild.config_for(case.guild_id).auto_actions
        action = auto_actions.get(case.severity, "none") if case.severity else "none"
        if action != "remove" or self._executor is None:
            return case
        missing = await self._executor.missing_permissions(case, Action.REMOVE)
        try:
            if missing:
                raise ActionError("missing_permission", f"I am missing {', '.join(missing)}")
            await self._executor.delete_message(case, f"modbot: automatic removal (case #{case.id})")
        except ActionError as exc:
            await self._cases.set_note(case.id, f"Automatic removal failed: {exc.message}.")
            await self._audit.record("case.auto_remove_failed", guild_id=case.guild_id, actor_id=None,
                                     case_id=case.id, detail={"error": exc.kind})
        else:
            await self._cases.set_auto_action(case.id, "removed", "Removed automatically; waiting for review.")
            await self._audit.record("case.auto_remove", guild_id=case.guild_id, actor_id=None, case_id=case.id,
                                     target=f"user:{case.author_id}", detail={"severity": case.severity})
        return await self._cases.get(case.id) or case

    # ----- reports and decisions ------------------------------------------------------------------------------------

    async def report(self, message: MessageSnapshot, reporter_id: int, reason: str | None) -> ReportOutcome:
        """A member reports a message: open a case (or use the existing one) and add the report."""
        case = await self._cases.get_by_message(message.message_id)
        created = False
        if case is None:
            [scored] = await self._assess([message]) if message.content.strip() else [Assessment(False)]
            labels = ("reported", *[label for label in scored.labels if label != "reported"])
            assessment = Assessment(scored.flagged, labels, scored.severity, scored.reasons, scored.evidence,
                                    scored.scores)
            case, created = await self._cases.open(message, assessment, source="report")
            if created:
                await self._record_open(case)
        added = await self._reports.add(case.id, reporter_id, reason)
        if added:
            await self._audit.record("case.report", guild_id=case.guild_id, actor_id=reporter_id, case_id=case.id,
                                     target=f"message:{message.message_id}", reason=(reason or None))
        if created:  # the report is stored first so the card shows it
            case = await self._announce(case)
        current = await self._cases.get(case.id) or case
        if added and not created:
            await self.refresh_card(current)
        return ReportOutcome(current, created, not added)

    async def act(self, case_id: int, actor: Actor, action: Action, *, guild_id: int | None = None,
                  reason: str | None = None, minutes: int | None = None) -> Outcome:
        """Apply a moderator action (see :meth:`DecisionService.act`)."""
        return await self.decisions.act(case_id, actor, action, guild_id=guild_id, reason=reason, minutes=minutes)

    async def apply_ladder(self, case_id: int, actor: Actor, minutes: int, *, guild_id: int | None) -> Outcome:
        """A moderator clicked the ladder's suggested timeout: apply it if the ladder still suggests it now."""
        case = await self.case(case_id, guild_id)
        if case is None:
            return Outcome(Status.NOT_FOUND, f"There is no case #{case_id}.")
        if not case.is_open:
            return await self.act(case_id, actor, Action.TIMEOUT, guild_id=guild_id, minutes=minutes)
        step = (await self.sanctions.strike_context(case)).suggestion
        if step is None or step.minutes != minutes:
            await self.refresh_card(case)
            return Outcome(Status.INVALID, f"The strike ladder no longer suggests this for case #{case_id} "
                           "(strikes changed); the card shows what applies now.", case)
        return await self.decisions.act(case_id, actor, Action.TIMEOUT, guild_id=guild_id, minutes=minutes,
                                        reason=f"Strike ladder: {ordinal(step.strike)} strike", ladder=True)

    async def set_appealable(self, case_id: int, actor: Actor, appealable: bool, *, guild_id: int | None) -> str:
        """Allow or forbid appeals of an open case's coming decision."""
        return await self.sanctions.set_appealable(case_id, guild_id, actor, appealable)

    async def appeal_refusal(self, case_id: int, user_id: int) -> str | None:
        """Why ``user_id`` may not appeal case ``case_id`` now (None: they may)."""
        return await self.sanctions.appeal_refusal(case_id, user_id)

    async def open_appeal(self, case_id: int, user_id: int, text: str) -> AppealResult:
        """The member's appeal, from the dialog of their notice DM."""
        return await self.sanctions.open_appeal(case_id, user_id, text)

    async def decide_appeal(self, case_id: int, actor: Actor, accept: bool, *, guild_id: int | None) -> AppealResult:
        """A moderator accepts or denies an appeal."""
        return await self.sanctions.decide_appeal(case_id, guild_id, actor, accept)

    async def member_strikes(self, guild_id: int, member_id: int) -> list[Strike]:
        """A member's strikes, newest first."""
        return await self.sanctions.member_strikes(guild_id, member_id)

    async def clear_strikes(self, guild_id: int, member_id: int, actor: Actor, reason: str | None) -> int:
        """Clear a member's active strikes (administrators only: the caller checks); audited."""
        return await self.sanctions.clear(guild_id, member_id, actor, reason)

    # ----- reading (what moderators see) ----------------------------------------------------------------------------

    async def case(self, case_id: int, guild_id: int | None) -> Case | None:
        """A case of this guild (None for another guild's: ids are not secrets, cases are)."""
        return await self._cases.get_in(case_id, guild_id)

    async def case_of_message(self, message_id: int) -> Case | None:
        """The case opened for a message, if any."""
        return await self._cases.get_by_message(message_id)

    async def render(self, case: Case) -> CardContent:
        """A case's card as the guild's settings show it, with the author's strikes or the appeal."""
        return await self.sanctions.render(case)

    async def case_view(self, case_id: int, guild_id: int) -> CaseView | None:
        """``/case``: the card and the audit trail."""
        case = await self.case(case_id, guild_id)
        if case is None:
            return None
        return CaseView(case, await self.render(case), render_trail(await self._audit.for_case(case.id)))

    async def queue_page(self, guild_id: int, *, page: int, label: str | None = None,
                         channel_id: int | None = None, appeals: bool = False) -> QueuePage:
        """One ``/queue`` page of open cases, oldest first (``page`` clamped to the pages there are); ``appeals``:
        decided cases whose appeal waits for a moderator instead, oldest appeal first."""
        size = self._per_guild.config_for(guild_id).queue_page_size
        if appeals:
            repo: AppealRepository = self.sanctions.appeals
            total = await repo.count_pending(guild_id, label=label, channel_id=channel_id)
            page = clamp_page(page, total, size)
            ids = await repo.pending_case_ids(guild_id, label=label, channel_id=channel_id,
                                              offset=(page - 1) * size, limit=size)
            cases = [case for case in [await self._cases.get(i) for i in ids] if case is not None]
        else:
            total = await self._cases.count_open(guild_id, label=label, channel_id=channel_id)
            page = clamp_page(page, total, size)
            cases = await self._cases.list_open(guild_id, label=label, channel_id=channel_id,
                                                offset=(page - 1) * size, limit=size)
        return render_queue_page(cases, total=total, page=page, page_size=size, label=label, channel_id=channel_id,
                                 appeals=appeals)

    async def open_labels(self, guild_id: int) -> list[str]:
        """Labels of the guild's open cases (``/queue label:`` autocomplete)."""
        return await self._cases.open_labels(guild_id)

    async def member_history(self, guild_id: int, member_id: int) -> CardContent:
        """``/history`` and the "Moderation history" user menu: open cases first, recent cases, actions taken
        (:mod:`bot.moderation.history`; a new section is a field of :class:`MemberHistory` read here)."""
        history = MemberHistory(
            member_id=member_id,
            counts=await self._cases.count_for_author(guild_id, member_id),
            open_cases=tuple(await self._cases.for_author(guild_id, member_id, open_only=True)),
            recent_cases=tuple(await self._cases.for_author(guild_id, member_id)),
            actions=tuple(await self._audit.for_member(guild_id, member_id)),
            strikes=tuple(await self.sanctions.member_strikes(guild_id, member_id)),
            appeals=tuple(await self.sanctions.appeals.for_member(guild_id, member_id)),
        )
        return render_history(history)

    def timeout_choices(self, guild_id: int) -> list[int]:
        """The durations (minutes) the Timeout select offers in this guild."""
        return list(self._per_guild.config_for(guild_id).timeout_choices_minutes)

    # ----- mod log ------------------------------------------------------------------------------------------------

    async def post_case_mod_log(self, case: Case, text: str) -> None:
        """Post a decision to the mod-log channel of the case's guild (its /config value, else the file's)."""
        channel_id = self._per_guild.config_for(case.guild_id).mod_log_channel_id
        if channel_id == self._config.mod_log_channel_id or self._publisher is None or not channel_id:
            await self.post_mod_log(text)
            return
        try:
            await self._publisher.post_mod_log(text, channel_id=channel_id)
        except Exception as exc:
            log.warning("could not post to the mod-log channel: %s", exc)

    async def post_mod_log(self, text: str) -> None:
        """Post a mod-log entry; failures are logged (the audit table is the record)."""
        if self._publisher is None or not self._config.mod_log_channel_id:
            return
        try:
            await self._publisher.post_mod_log(text)
        except Exception as exc:
            log.warning("could not post to the mod-log channel: %s", exc)
