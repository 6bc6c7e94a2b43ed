"""The moderation core in one object: score watched messages, open/update cases, queue cards, catch up, purge.

No Discord here: the cogs hand in :class:`MessageSnapshot` objects and implement the publisher/executor ports.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.moderation.assessing import assess_isolated, assess_messages
from bot.moderation.audit import AuditRepository
from bot.moderation.cases import CaseRepository
from bot.moderation.catchup import History, catch_up_channel, pin_pending
from bot.moderation.config import ModerationConfig
from bot.moderation.cursors import ChannelCursorRepository, CursorTracker
from bot.moderation.decisions import DecisionService, Outcome
from bot.moderation.models import Actor, Case, MessageSnapshot
from bot.moderation.per_guild import GuildConfigs, PerGuild
from bot.moderation.ports import ActionError, ActionExecutor, CardPublisher
from bot.moderation.posting import CardPostQueue
from bot.moderation.reconcile import reconcile_all
from bot.moderation.reports import ReportRepository
from bot.moderation.retention import purge_and_refresh_cards
from bot.moderation.scoring import Assessment, MessageScorer
from bot.moderation.state import Action
from bot.moderation.tasks import StopSignal, finish
from bot.moderation.unscored import UnscoredMessages, keep_unscored, retry_due
from bot.moderation.watch import SummaryThreads, WatchRules
from bot.storage import Database

log = logging.getLogger(__name__)

CURSOR_FLUSH_SECONDS = 1.0


@dataclass(frozen=True)
class ReportOutcome:
    """Result of a member report: ``duplicate`` when this member had already reported the message."""

    case: Case
    case_created: bool
    duplicate: bool


class ModerationService:
    """Everything the moderation cogs share. Build once per bot; :meth:`start` / :meth:`stop` own its tasks."""

    def __init__(
        self,
        db: Database,
        config: ModerationConfig,
        scorer: MessageScorer | None,
        *,
        publisher: CardPublisher | None = None,
        executor: ActionExecutor | None = None,
        guild_config: GuildConfigs | None = None,
    ) -> None:
        self.db = db
        self.config = config
        self.scorer = scorer
        self.publisher = publisher
        self.executor = executor
        self.cases = CaseRepository(db)
        self.per_guild = PerGuild(config, guild_config, self.cases, publisher)  # /config overrides per guild
        self.audit = AuditRepository(db)
        self.reports = ReportRepository(db)
        self.cursors = ChannelCursorRepository(db)
        self.threads = SummaryThreads(db)
        self.rules = WatchRules.from_config(config)
        self.tracker = CursorTracker()
        self.unscored = UnscoredMessages()
        self.decisions = DecisionService(
            self.cases, self.audit, executor, refresh=self.refresh_card, mod_log=self.post_mod_log,
            timeout_choices=list(config.timeout_choices_minutes), case_mod_log=self.post_case_mod_log,
        )
        self.card_queue: CardPostQueue | None = None
        if publisher is not None and config.mod_channel_id:
            self.card_queue = CardPostQueue(
                config.mod_channel_id, self.cases, publisher, digest_threshold=config.digest_threshold,
                per_minute=config.cards_per_minute, retry_seconds=config.card_retry_seconds,
            )
        self._started = False
        self._tasks: list[asyncio.Task[None]] = []
        self.stopping = StopSignal()
        self._reconciled = False

    # ----- lifecycle -------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Free stale decision locks, pin every stored cursor until its catch-up completes, start the card worker,
        the cursor flusher (which also retries unscored messages) and the retention purge."""
        released = await self.cases.release_all_locks()
        if released:
            log.info("released %d decision locks left by a previous run", released)
        await self.cursors.all()
        pin_pending(self)
        self._started = True
        if self.card_queue is not None:
            self.card_queue.start()
        self._tasks.append(asyncio.create_task(self._flush_loop(), name="modbot-cursor-flush"))
        self._tasks.append(asyncio.create_task(self._purge_loop(), name="modbot-retention"))

    async def stop(self) -> None:
        """Stop background work (each loop ends between database calls) and store the cursors reached."""
        self.stopping.set()
        for task in self._tasks:
            await finish(task)
        self._tasks.clear()
        if self.card_queue is not None:
            await self.card_queue.stop()
        await self.per_guild.stop()
        with contextlib.suppress(Exception):
            await self.flush_cursors()

    async def reconcile(self) -> list[int]:
        """Record cards posted before a crash in every mod channel in use (the file's and each guild's /config
        one), queue the unannounced cases of each, then let the card workers post."""
        if self.publisher is None:
            return []
        to_post = await reconcile_all(self.cases, self.publisher, self._mod_channel_of)
        for case in to_post:
            queue = self.card_queue_for(case.guild_id)
            if queue is not None:
                queue.enqueue(case.id)
        if to_post:
            log.info("queued %d stored cases that had no card yet", len(to_post))
        self._reconciled = True
        if self.card_queue is not None:
            self.card_queue.open_gate()
        self.per_guild.open_gates()
        return [case.id for case in to_post]

    def _mod_channel_of(self, case: Case) -> int | None:
        return self.config_for(case.guild_id).mod_channel_id if self.publisher is not None else None

    def config_for(self, guild_id: int) -> ModerationConfig:
        """The ``[moderation]`` settings that apply in ``guild_id`` (the guild's /config overrides included)."""
        return self.per_guild.config_for(guild_id)

    def card_queue_for(self, guild_id: int) -> CardPostQueue | None:
        """The card worker of the guild's mod channel (one per channel set with /config, started on demand)."""
        return self.per_guild.queue_for(guild_id, self.card_queue, gate_open=self._reconciled)

    async def flush_cursors(self) -> None:
        """Persist channel cursors that moved."""
        await self.cursors.advance_many(self.tracker.take_dirty())

    async def _flush_loop(self) -> None:
        while not await self.stopping.sleep(CURSOR_FLUSH_SECONDS):
            try:
                await self.retry_unscored()
                await self.flush_cursors()
            except Exception:
                log.exception("could not store channel cursors")

    async def _purge_loop(self) -> None:
        while not self.stopping.is_set:
            try:
                purged = await purge_and_refresh_cards(self.db, self.config.retention_days, self.cases,
                                                       self.refresh_card)  # posted cards lose the text too
                if purged:
                    log.info("retention: purged message content of %d closed cases", purged)
                    await self.audit.record("retention.purge", guild_id=None, actor_id=None,
                                            detail={"cases": purged, "days": self.config.retention_days})
            except Exception:
                log.exception("retention purge failed")
            await self.stopping.sleep(self.config.purge_interval_minutes * 60)

    # ----- scoring -----------------------------------------------------------------------------------------------

    async def is_watched(self, message: MessageSnapshot) -> bool:
        """Watch rules (the guild's own), including threads registered by /summary."""
        config = self.config_for(message.guild_id)
        rules = self.rules if config is self.config else WatchRules.from_config(config)
        if not config.enabled or rules.author_ignored(message) or not message.content.strip():
            return False
        summary = False
        if message.is_thread and not rules.watches_everything and rules.watch_summary_threads:
            summary = await self.threads.is_summary_thread(message.channel_id)
        return rules.watched(message, summary_thread=summary)

    async def assess_messages(self, messages: Sequence[MessageSnapshot]) -> list[Assessment]:
        """Score messages with each guild's own policy (one scorer call per guild)."""
        return await assess_messages(self.scorer, self.per_guild, messages)

    async def handle_message(self, message: MessageSnapshot) -> Case | None:
        """A new message: score it if watched; a flagged one becomes a case (stored, then its card queued)."""
        opened = await self.handle_messages([message])
        return opened[0] if opened else None

    async def handle_messages(self, messages: Sequence[MessageSnapshot]) -> list[Case]:
        """Score a batch of new messages (one scorer call); returns the cases opened or already open for them.

        A message that cannot be scored affects no other: it is kept in flight and retried (see
        :mod:`bot.moderation.unscored`)."""
        watched = [m for m in messages if await self.is_watched(m)]
        if not watched:
            return []
        for message in watched:
            await self._track_start(message)
        out: list[Case] = []
        kept: set[int] = set()
        try:
            results = await assess_isolated(self.scorer, self.per_guild, watched)
            for message, result in zip(watched, results, strict=True):
                try:
                    if isinstance(result, Exception):
                        raise result
                    if result.flagged:
                        out.append(await self.open_case(message, result))
                except Exception as exc:
                    if self._keep_unscored(message, exc):
                        kept.add(message.message_id)
        finally:
            for message in watched:
                if message.message_id not in kept:
                    self.tracker.finish(message.channel_id, message.message_id)
        return out

    def _keep_unscored(self, message: MessageSnapshot, exc: Exception) -> bool:
        return keep_unscored(self.unscored, message, exc)

    async def retry_unscored(self) -> None:
        """Retry the unscored messages that are due (see :mod:`bot.moderation.unscored`)."""
        await retry_due(self)

    async def _track_start(self, message: MessageSnapshot) -> None:
        self.tracker.start(message.channel_id, message.guild_id, message.message_id)
        if self._started and message.channel_id not in self.cursors.known:
            await self.cursors.advance(message.channel_id, message.guild_id, message.message_id - 1)

    async def open_case(self, message: MessageSnapshot, assessment: Assessment, *, source: str = "listener") -> Case:
        """Store a case (idempotent per message); a new one gets its automatic action and a queued card."""
        case, created = await self.cases.open(message, assessment, source=source)
        if not created:
            return case
        await self._record_open(case)
        return await self._announce_new(case)

    async def _record_open(self, case: Case) -> None:
        await self.audit.record("case.open", guild_id=case.guild_id, actor_id=None, case_id=case.id,
                                target=f"user:{case.author_id}", detail={"source": case.source})

    async def _announce_new(self, case: Case) -> Case:
        """Automatic action (if configured), then queue the card."""
        case = await self._auto_action(case)
        queue = self.card_queue_for(case.guild_id)
        if queue is not None:
            queue.enqueue(case.id)
        return case

    async def _auto_action(self, case: Case) -> Case:
        auto_actions = self.config_for(case.guild_id).auto_actions
        action = auto_actions.get(case.severity, "none") if case.severity else "none"
        if action != "remove" or self.executor is None:
            return case
        missing = await self.executor.missing_permissions(case, Action.REMOVE)
        try:
            if missing:
                raise ActionError("missing_permission", f"I am missing {', '.join(missing)}")
            await self.executor.delete_message(case, f"modbot: automatic removal (case #{case.id})")
        except ActionError as exc:
            await self.cases.set_note(case.id, f"Automatic removal failed: {exc.message}.")
            await self.audit.record("case.auto_remove_failed", guild_id=case.guild_id, actor_id=None,
                                    case_id=case.id, detail={"error": exc.kind})
        else:
            await self.cases.set_auto_action(case.id, "removed", "Removed automatically; waiting for review.")
            await self.audit.record("case.auto_remove", guild_id=case.guild_id, actor_id=None, case_id=case.id,
                                    target=f"user:{case.author_id}", detail={"severity": case.severity})
        return await self.cases.get(case.id) or case

    async def handle_edit(self, message: MessageSnapshot, *, retrying: bool = False) -> Case | None:
        """An edited message is re-scored: its case is updated, or one is opened when the edit is flagged.

        An edit that cannot be scored is kept for a retry like a new message (``retrying``: the retry itself,
        whose failure is raised to :func:`~bot.moderation.unscored.retry_due`)."""
        if not retrying:
            self.unscored.refresh(message)
        existing = await self.cases.get_by_message(message.message_id)
        if existing is None and not await self.is_watched(message):
            return None
        if not message.content.strip() or message.author_is_bot or message.is_webhook:
            return existing
        try:
            [assessment] = await self.assess_messages([message])
        except Exception as exc:
            if retrying:
                raise
            keep_unscored(self.unscored, message, exc, edit=True)
            return existing
        if existing is None:
            return await self.open_case(message, assessment) if assessment.flagged else None
        updated = await self.cases.update_snapshot(message.message_id, message.content, assessment)
        if updated is not None and updated.updated_at != existing.updated_at:
            await self.audit.record("case.edited", guild_id=updated.guild_id, actor_id=None, case_id=updated.id,
                                    detail={"flagged": assessment.flagged, "state": updated.state.value})
            await self.refresh_card(updated)
            queue = self.card_queue_for(updated.guild_id)
            if updated.is_open and not updated.announced and queue is not None:
                queue.enqueue(updated.id)
        return updated

    async def handle_delete(self, message_id: int) -> Case | None:
        """The message is gone: mark its case and update the card."""
        case = await self.cases.mark_deleted(message_id)
        if case is not None:
            await self.audit.record("case.message_deleted", guild_id=case.guild_id, actor_id=None, case_id=case.id)
            await self.refresh_card(case)
        return case

    async def catch_up(self, channel_id: int, guild_id: int, history: History) -> int:
        """Score messages after the channel's pinned (else stored) cursor (see :mod:`bot.moderation.catchup`)."""
        return await catch_up_channel(self, channel_id, guild_id, history)

    def pin_pending(self) -> int:
        """A new gateway session: hold every stored cursor until its channel is caught up again."""
        return pin_pending(self)

    # ----- reports and decisions ---------------------------------------------------------------------------------

    async def report(self, message: MessageSnapshot, reporter_id: int, reason: str | None) -> ReportOutcome:
        """A member reports a message: open a case (or use the existing one) and add the report."""
        case = await self.cases.get_by_message(message.message_id)
        created = False
        if case is None:
            [scored] = await self.assess_messages([message]) if message.content.strip() else [Assessment(False)]
            labels = ("reported", *[label for label in scored.labels if label != "reported"])
            assessment = Assessment(scored.flagged, labels, scored.severity, scored.reasons, scored.evidence,
                                    scored.scores)
            case, created = await self.cases.open(message, assessment, source="report")
            if created:
                await self._record_open(case)
        added = await self.reports.add(case.id, reporter_id, reason)
        if added:
            await self.audit.record("case.report", guild_id=case.guild_id, actor_id=reporter_id, case_id=case.id,
                                    target=f"message:{message.message_id}", reason=(reason or None))
        if created:  # the report is stored first so the card shows it
            case = await self._announce_new(case)
        current = await self.cases.get(case.id) or case
        if added and not created:
            await self.refresh_card(current)
        return ReportOutcome(current, created, not added)

    async def act(self, case_id: int, actor: Actor, action: Action, *, guild_id: int | None = None,
                  reason: str | None = None, minutes: int | None = None) -> Outcome:
        """Apply a moderator action (see :meth:`DecisionService.act`)."""
        return await self.decisions.act(case_id, actor, action, guild_id=guild_id, reason=reason, minutes=minutes)

    async def refresh_card(self, case: Case) -> None:
        """Update the posted card in place; failures are logged, never raised."""
        if self.publisher is None or case.card_message_id is None:
            return
        try:
            await self.publisher.refresh_card(case)
        except Exception as exc:
            log.warning("could not update the card of case #%d: %s", case.id, exc)

    async def post_case_mod_log(self, case: Case, text: str) -> None:
        """Post a decision to the mod-log channel of the case's guild (its /config value, else the file's)."""
        channel_id = self.config_for(case.guild_id).mod_log_channel_id
        if channel_id == self.config.mod_log_channel_id or self.publisher is None or not channel_id:
            await self.post_mod_log(text)
            return
        try:
            await self.publisher.post_mod_log(text, channel_id=channel_id)
        except Exception as exc:
            log.warning("could not post to the mod-log channel: %s", exc)

    async def post_mod_log(self, text: str) -> None:
        """Post a mod-log entry; failures are logged (the audit table is the record)."""
        if self.publisher is None or not self.config.mod_log_channel_id:
            return
        try:
            await self.publisher.post_mod_log(text)
        except Exception as exc:
            log.warning("could not post to the mod-log channel: %s", exc)

