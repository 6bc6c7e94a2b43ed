"""The moderation core, assembled: :class:`Intake` (watch, score, open, edit, delete, catch up) and
:class:`Review` (admission, reports, decisions, cards, mod log) over one database, plus the background work they
share (cursor flushing with unscored retries, the retention purge).

No Discord here: the cogs hand in :class:`MessageSnapshot` objects and implement the publisher/executor ports. The
message path, gateway event to posted card, is drawn in ``docs/architecture.md``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from functools import partial

from bot.moderation.appeals import AppealRepository
from bot.moderation.assessing import assess_messages
from bot.moderation.audit import AuditRepository
from bot.moderation.automod import AutoModIntake, AutoModRepository, AutoModRules
from bot.moderation.cases import CaseRepository
from bot.moderation.config import ModerationConfig
from bot.moderation.cursors import ChannelCursorRepository
from bot.moderation.intake import Intake
from bot.moderation.per_guild import GuildConfigs, PerGuild
from bot.moderation.ports import ActionExecutor, CardPublisher
from bot.moderation.queueing import ScoreQueue
from bot.moderation.rendering import RenderingPublisher
from bot.moderation.reports import ReportRepository
from bot.moderation.retention import purge_and_refresh_cards
from bot.moderation.review import Review
from bot.moderation.sanctions import Sanctions
from bot.moderation.scoring import MessageScorer
from bot.moderation.strikes import StrikeRepository
from bot.moderation.tasks import StopSignal, finish
from bot.moderation.watch import SummaryThreads
from bot.storage import Database

log = logging.getLogger(__name__)

CURSOR_FLUSH_SECONDS = 1.0


class ModerationService:
    """Builds intake and review once per bot; :meth:`start` / :meth:`stop` own their background tasks.

    Cogs use :attr:`intake` and :attr:`automod` (the listener) or :attr:`review` (queue commands, reports, card
    components)."""

    def __init__(
        self,
        db: Database,
        config: ModerationConfig,
        scorer: MessageScorer | None,
        *,
        publisher: CardPublisher | None = None,
        executor: ActionExecutor | None = None,
        guild_config: GuildConfigs | None = None,
        automod_rules: AutoModRules | None = None,
        is_leader: Callable[[], bool] = lambda: True,
        queue: ScoreQueue | None = None,
        owns: Callable[[int], bool] = lambda _guild_id: True,
    ) -> None:
        self.db = db
        self.config = config
        self.scorer, self.publisher, self.executor = scorer, publisher, executor  # what it was built with
        self.cases = CaseRepository(db)
        self.audit = AuditRepository(db)
        self.stopping = StopSignal()
        sanctions = Sanctions(StrikeRepository(db), AppealRepository(db), self.cases, self.audit, executor,
                              config_for=lambda guild_id: per_guild.config_for(guild_id))
        rendering = RenderingPublisher(publisher, sanctions.render) if publisher is not None else None
        per_guild = PerGuild(config, guild_config, self.cases, rendering)  # /config overrides per guild
        self.review = Review(self.cases, self.audit, ReportRepository(db), per_guild,
                             partial(assess_messages, scorer, per_guild), publisher=rendering, executor=executor,
                             sanctions=sanctions)
        self.intake = Intake(self.cases, self.audit, ChannelCursorRepository(db), per_guild, scorer, self.review,
                             self.stopping, SummaryThreads(db), queue, owns)
        self.automod = AutoModIntake(AutoModRepository(db, self.cases), self.cases, self.review, per_guild,
                                     automod_rules)
        self.is_leader = is_leader  # several processes (bot.cluster): only the leader runs the retention purge
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Free stale decision locks, pin every stored cursor until its catch-up completes, start the card worker,
        the cursor flusher (which also retries unscored messages) and the retention purge."""
        released = await self.cases.release_all_locks()
        if released:
            log.info("released %d decision locks left by a previous run", released)
        await self.intake.start()
        self.review.start()
        self._tasks.append(asyncio.create_task(self._flush_loop(), name="modbot-cursor-flush"))
        self._tasks.append(asyncio.create_task(self._purge_loop(), name="modbot-retention"))

    async def stop(self) -> None:
        """Stop background work (each loop ends between database calls) and store the cursors reached."""
        self.stopping.set()
        for task in self._tasks:
            await finish(task)
        self._tasks.clear()
        await self.review.stop()
        with contextlib.suppress(Exception):
            await self.intake.flush_cursors()

    async def _flush_loop(self) -> None:
        while not await self.stopping.sleep(CURSOR_FLUSH_SECONDS):
            try:
                await self.intake.retry_unscored()
                await self.intake.flush_cursors()
            except Exception:
                log.exception("could not store channel cursors")

    async def _purge_loop(self) -> None:
        while not self.stopping.is_set:
            try:
                purged = await purge_and_refresh_cards(
                    self.db, self.config.retention_days, self.cases, self.review.refresh_card,  # cards lose the text
                ) if self.is_leader() else 0  # several processes: only the leader purges
                if purged:
                    log.info("retention: purged message content of %d closed cases", purged)
                    await self.audit.record("retention.purge", guild_id=None, actor_id=None,
                                            detail={"cases": purged, "days": self.config.retention_days})
            except Exception:
                log.exception("retention purge failed")
            await self.stopping.sleep(self.config.purge_interval_minutes * 60)
