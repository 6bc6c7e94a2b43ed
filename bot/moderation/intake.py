"""The intake side of moderation: which messages are watched, scoring them, and handing flagged ones to review.

New messages, edits and deletions arrive here from the gateway (as :class:`MessageSnapshot`), and again from channel
history after downtime (:mod:`bot.moderation.catchup`). Each channel's cursor records how far it was read
(:mod:`bot.moderation.cursors`); a message that cannot be scored stays in flight and is retried
(:mod:`bot.moderation.unscored`). A flagged message becomes a case through :meth:`Review.admit`.

With a :class:`~bot.moderation.queueing.ScoreQueue` (``[cluster] scoring = "workers"``) new messages and edits are
not scored here: they are queued for the scoring workers, and the cursor passes a message once it is queued (a
message that cannot be queued stays in flight and is retried like one that cannot be scored).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from bot.moderation.assessing import assess_isolated, assess_messages
from bot.moderation.audit import AuditRepository
from bot.moderation.cases import CaseRepository
from bot.moderation.catchup import (
    Fetch,
    History,
    Recheck,
    catch_up_channel,
    pin_pending,
    recheck_open_cases,
    release_without_catch_up,
)
from bot.moderation.config import ModerationConfig
from bot.moderation.cursors import ChannelCursorRepository, CursorTracker
from bot.moderation.models import Case, MessageSnapshot
from bot.moderation.per_guild import PerGuild
from bot.moderation.queueing import ScoreQueue
from bot.moderation.review import Review
from bot.moderation.scoring import Assessment, MessageScorer
from bot.moderation.tasks import StopSignal
from bot.moderation.unscored import UnscoredMessages, keep_unscored, retry_due
from bot.moderation.watch import SummaryThreads, WatchRules

log = logging.getLogger(__name__)


class Intake:
    """Watch, score, open, edit, delete, catch up; the channel cursors and the messages waiting for a retry."""

    def __init__(
        self,
        cases: CaseRepository,
        audit: AuditRepository,
        cursors: ChannelCursorRepository,
        per_guild: PerGuild,
        scorer: MessageScorer | None,
        review: Review,
        stopping: StopSignal,
        threads: SummaryThreads,
        queue: ScoreQueue | None = None,
        owns: Callable[[int], bool] = lambda _guild_id: True,
    ) -> None:
        self.cases = cases
        self.audit = audit
        self.cursors = cursors
        self.per_guild = per_guild
        self.scorer = scorer
        self.review = review
        self.stopping = stopping
        self.threads = threads
        self.queue = queue
        self.owns = owns  # several gateways: only guilds on this process's shards are pinned and caught up
        self.rules = WatchRules.from_config(per_guild.config)
        self.tracker = CursorTracker()
        self.unscored = UnscoredMessages()
        self._started = False

    @property
    def config(self) -> ModerationConfig:
        """The file's ``[moderation]`` settings (a guild's own: :meth:`config_for`)."""
        return self.per_guild.config

    @property
    def enabled(self) -> bool:
        """Whether moderation watches anything at all (``[moderation] enabled``)."""
        return self.config.enabled

    @property
    def catch_up_limit(self) -> int:
        """How many missed messages per channel catch-up reads (0: catch-up is off)."""
        return self.config.catch_up_limit

    def config_for(self, guild_id: int) -> ModerationConfig:
        """The ``[moderation]`` settings that apply in ``guild_id`` (the guild's /config overrides included)."""
        return self.per_guild.config_for(guild_id)

    def rules_for(self, guild_id: int) -> WatchRules:
        """The guild's own watch rules (its /config watch list, else the file's)."""
        config = self.config_for(guild_id)
        return self.rules if config is self.config else WatchRules.from_config(config)

    async def start(self) -> None:
        """Pin every stored cursor until its catch-up completes (before any gateway event is handled)."""
        await self.cursors.all()
        pin_pending(self)
        self._started = True

    # ----- cursors ------------------------------------------------------------------------------------------------

    async def stored_cursors(self) -> dict[int, tuple[int, int]]:
        """The stored cursor of every channel of this process's guilds (:attr:`owns`): channel id -> (guild id,
        last message id read)."""
        return {channel_id: cursor for channel_id, cursor in (await self.cursors.all()).items()
                if self.owns(cursor[0])}

    def owned_cursors(self) -> dict[int, tuple[int, int]]:
        """:meth:`stored_cursors` as last read (synchronous: for pinning at a new gateway session)."""
        return {channel_id: cursor for channel_id, cursor in self.cursors.known.items() if self.owns(cursor[0])}

    async def seed_cursors(self, seeds: Iterable[tuple[int, int, int]]) -> None:
        """Give channels seen for the first time a cursor: (channel id, guild id, newest message id)."""
        await self.cursors.advance_many(list(seeds))

    async def flush_cursors(self) -> None:
        """Persist channel cursors that moved."""
        await self.cursors.advance_many(self.tracker.take_dirty())

    def pin_pending(self) -> int:
        """A new gateway session: hold the stored cursor of each of this process's channels until its channel is
        caught up again."""
        return pin_pending(self)

    # ----- scoring ------------------------------------------------------------------------------------------------

    async def is_watched(self, message: MessageSnapshot) -> bool:
        """Watch rules (the guild's own), including threads registered by /summary."""
        config = self.config_for(message.guild_id)
        rules = self.rules_for(message.guild_id)
        if not config.enabled or rules.author_ignored(message) or not message.content.strip():
            return False
        summary = False
        if message.is_thread and not rules.watches_everything and rules.watch_summary_threads:
            summary = await self.threads.is_summary_thread(message.channel_id)
        return rules.watched(message, summary_thread=summary)

    async def with_context(self, message: MessageSnapshot) -> MessageSnapshot:
        """The message with the article title of its ``/summary`` thread, if it was posted in one."""
        if not message.is_thread or message.article_title is not None:
            return message
        title = await self.threads.article_title(message.channel_id)
        return replace(message, article_title=title) if title else message

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
        watched = [await self.with_context(m) for m in messages if await self.is_watched(m)]
        if not watched:
            return []
        for message in watched:
            await self._track_start(message)
        if self.queue is not None:
            await self._enqueue(watched)
            return []
        out: list[Case] = []
        kept: set[int] = set()
        try:
            results = await assess_isolated(self.scorer, self.per_guild, watched)
            for message, result in zip(watched, results, strict=True):
                try:
                    if isinstance(result, Exception):
                        raise result
                    if result.flagged:
                        out.append(await self.review.admit(message, result))
                except Exception as exc:
                    if keep_unscored(self.unscored, message, exc):
                        kept.add(message.message_id)
        finally:
            for message in watched:
                if message.message_id not in kept:
                    self.tracker.finish(message.channel_id, message.message_id)
        return out

    async def _enqueue(self, watched: list[MessageSnapshot]) -> None:
        """Workers mode: queue the batch; the cursor may pass a message only once it is queued."""
        assert self.queue is not None
        kept: set[int] = set()
        try:
            await self.queue.enqueue(watched)
        except Exception as exc:
            kept = {m.message_id for m in watched if keep_unscored(self.unscored, m, exc)}
        finally:
            for message in watched:
                if message.message_id not in kept:
                    self.tracker.finish(message.channel_id, message.message_id)

    async def retry_unscored(self) -> None:
        """Retry the unscored messages that are due (see :mod:`bot.moderation.unscored`)."""
        await retry_due(self)

    async def _track_start(self, message: MessageSnapshot) -> None:
        self.tracker.start(message.channel_id, message.guild_id, message.message_id)
        if self._started and message.channel_id not in self.cursors.known:
            await self.cursors.advance(message.channel_id, message.guild_id, message.message_id - 1)

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
        message = await self.with_context(message)
        if self.queue is not None:  # workers mode: a worker re-scores it and tells the gateway (notice "edited")
            try:
                await self.queue.enqueue([message], edit=True)
            except Exception as exc:
                if retrying:
                    raise
                keep_unscored(self.unscored, message, exc, edit=True)
            return existing
        try:
            [assessment] = await self.assess_messages([message])
        except Exception as exc:
            if retrying:
                raise
            keep_unscored(self.unscored, message, exc, edit=True)
            return existing
        if existing is None:
            return await self.review.admit(message, assessment) if assessment.flagged else None
        updated = await self.cases.update_snapshot(message.message_id, message.content, assessment)
        if updated is not None and updated.updated_at != existing.updated_at:
            await self.audit.record("case.edited", guild_id=updated.guild_id, actor_id=None, case_id=updated.id,
                                    detail={"flagged": assessment.flagged, "state": updated.state.value})
            await self.review.refresh_card(updated)
            self.review.queue_card(updated)
        return updated

    async def handle_delete(self, message_id: int) -> Case | None:
        """The message is gone: mark its case and update the card."""
        case = await self.cases.mark_deleted(message_id)
        if case is not None:
            await self.audit.record("case.message_deleted", guild_id=case.guild_id, actor_id=None, case_id=case.id)
            await self.review.refresh_card(case)
        return case

    # ----- catch-up -----------------------------------------------------------------------------------------------

    async def catch_up(self, channel_id: int, guild_id: int, history: History) -> int:
        """Score messages after the channel's pinned (else stored) cursor (see :mod:`bot.moderation.catchup`)."""
        return await catch_up_channel(self, channel_id, guild_id, history)

    async def recheck(self, channel_id: int, fetch: Fetch) -> Recheck:
        """Apply edits and deletions made while the bot was away to the channel's recent open cases."""
        return await recheck_open_cases(self, channel_id, fetch)

    def release_pins(self) -> None:
        """Catch-up is turned off (``catch_up_limit = 0``): let every cursor follow live messages."""
        release_without_catch_up(self)
