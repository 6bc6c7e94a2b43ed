"""The ``commands.AutoShardedBot`` subclass and the composition root: everything is built once, in
:meth:`ModBot.setup_hook`.

``setup_hook`` builds the cluster (:mod:`bot.cluster`: identify lock and leader lease), opens storage, builds the
core services (:func:`bot.services.build_services`), wraps the analyzer in the scorer port (or takes the scorer
given to the constructor), builds the Discord adapters (:mod:`discord_edge.publisher`, :mod:`discord_edge.executor`)
and the :class:`ModerationService` over them, starts it, then loads the cogs, which receive what they need in
``setup(bot)``; the leader syncs application commands. :meth:`ModBot.close` takes it all down in reverse: cogs,
moderation service, gateway, services, database, cluster.

Sharding: ``[discord] shard_count`` 0 runs one shard of one (one gateway connection, as an unsharded bot), else
``shard_ids`` of ``shard_count``. Every IDENTIFY first takes its bucket in the cluster's identify lock
(:meth:`ModBot.before_identify_hook`), which spaces IDENTIFYs of one bucket across processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.cluster import Cluster, build_cluster
from bot.cluster.ports import bucket_of, owner_filter
from bot.command_tree import ModTree
from bot.heartbeat import Heartbeat
from bot.moderation.queueing import ScoreQueue
from bot.moderation.scoring import MessageScorer
from bot.moderation.service import ModerationService
from bot.moderation.tasks import finish
from bot.services import Services, build_services
from bot.settings import Settings
from bot.storage import Database
from bot.storage.meta import MetaRepository
from bot.timestamps import format_seconds, utcnow
from discord_edge.automod import DiscordAutoModRules
from discord_edge.executor import DiscordActionExecutor
from discord_edge.publisher import DiscordCardPublisher
from discord_edge.rest_budget import budget_trace

if TYPE_CHECKING:
    from bot.analysis.analyzer import Analyzer
    from bot.articles.library import ArticleLibrary
    from bot.guildconf import GuildConfigService

log = logging.getLogger(__name__)


def build_intents(settings: Settings) -> discord.Intents:
    """Only what modbot needs: guilds, guild messages + message content (to score replies), AutoMod action
    executions (``moderation.automod_cases``; not privileged), members optional."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = True
    intents.auto_moderation_execution = settings.moderation.enabled and settings.moderation.automod_cases
    intents.members = settings.discord.members_intent
    return intents


def _scorer_for(services: Services) -> MessageScorer | None:
    """The analyzer behind the scorer port (None: nothing can score; cases then only come from reports)."""
    if services.analyzer is None:
        log.warning("no analyzer is available: the listener cannot score messages")
        return None
    from bot.analysis.scorer import AnalyzerScorer

    return AnalyzerScorer(services.analyzer)


class ModBot(commands.AutoShardedBot):
    """modbot's Discord client. Construct with settings; everything else is built in :meth:`setup_hook`.

    ``services``: prebuilt core services (tests share one database across restarts; the bot then leaves their
    closing to the caller). ``scorer``: scores messages instead of the analyzer (tests pass a deterministic one).
    """

    def __init__(self, settings: Settings, *, services: Services | None = None,
                 scorer: MessageScorer | None = None) -> None:
        shard_count = settings.discord.shard_count or 1
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=build_intents(settings),
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=ModTree,  # declared option limits checked server-side; one error handler for every command
            shard_count=shard_count,  # 0 in the settings: one shard of one, no GET /gateway/bot
            shard_ids=list(settings.discord.shard_ids) or list(range(shard_count)),  # empty: all of them
            **self._rest_budget_options(settings),
        )
        self._connection.guild_ready_timeout = settings.discord.guild_ready_timeout
        self.settings = settings
        self.started_at = time.monotonic()
        self._preset_services = services
        self._scorer = scorer
        self._services: Services | None = None
        self._moderation: ModerationService | None = None
        self._reconcile_task: asyncio.Task[None] | None = None
        self._notice_task: asyncio.Task[None] | None = None
        self.synced_commands: list[str] = []
        self._shutdown: asyncio.Future[None] | None = None
        self.heartbeat: Heartbeat | None = None
        self._cluster: Cluster | None = None
        self._max_concurrency: int | None = None

    def _rest_budget_options(self, settings: Settings) -> dict[str, Any]:
        """``[cluster] rest_budget_per_second``: each REST request first takes a unit of the bot's shared budget
        (the cluster, built in setup_hook, holds it); nothing otherwise."""
        if not settings.cluster.rest_budget_per_second:
            return {}
        return {"http_trace": budget_trace(lambda: self._cluster.rest_budget if self._cluster is not None else None)}

    # ----- what setup_hook built (cogs are loaded after it, so these are there for them) -------------------------

    @property
    def services(self) -> Services:
        """The core services (storage, per-guild settings, library, toxicity engine, analyzer)."""
        if self._services is None:
            raise RuntimeError("the services are built in setup_hook")
        return self._services

    @property
    def db(self) -> Database:
        """The database."""
        return self.services.db

    @property
    def guild_config(self) -> GuildConfigService:
        """Per-guild settings (``/config`` overrides over the file config)."""
        return self.services.guild_config

    @property
    def library(self) -> ArticleLibrary | None:
        """The article library (None when it could not be loaded)."""
        return self.services.library

    @property
    def analyzer(self) -> Analyzer | None:
        """The inflammatory/partisan analyzer (None when moderation is off or it could not be built)."""
        return self.services.analyzer

    @property
    def moderation(self) -> ModerationService:
        """The moderation core: scoring, cases, cards, decisions."""
        if self._moderation is None:
            raise RuntimeError("the moderation service is built in setup_hook")
        return self._moderation

    @property
    def cluster(self) -> Cluster:
        """The identify lock and leader lease shared with the bot's other processes (in-process at Tier 0)."""
        if self._cluster is None:
            raise RuntimeError("the cluster is built in setup_hook")
        return self._cluster

    @property
    def is_leader(self) -> bool:
        """Whether this process leads (syncs commands, runs the periodic jobs); always at Tier 0."""
        return self._cluster is not None and self._cluster.leader.is_leader

    # ----- lifecycle -------------------------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        """Build the cluster, open storage, build services and the moderation service, load cogs; the leader
        syncs application commands."""
        self._cluster = await build_cluster(self.settings.cluster, on_elected=self._on_elected)
        await self._cluster.leader.start()
        if self._preset_services is not None:
            services = self._preset_services
        else:
            storage = self.settings.storage
            db = await Database.open(storage.target, busy_timeout_ms=storage.busy_timeout_ms)
            services = await build_services(self.settings, db, analyzer_scores=self._scorer is None)
        self._services = services
        meta = MetaRepository(services.db)
        if await meta.get("first_started_at") is None:
            await meta.set("first_started_at", format_seconds(utcnow()))
        self.heartbeat = Heartbeat(services.db)
        self.heartbeat.start()  # read by `modbot healthcheck`
        await services.guild_config.load()  # per-guild /config overrides, before cogs use them
        # /config changes reach the other processes and theirs reach this one (Tier 0: nothing to tell)
        services.guild_config.publish_changes_with(self._cluster.config_bus.publish)
        await self._cluster.config_bus.start(services.guild_config.reload)
        await self._start_moderation(services)
        for extension in self.settings.discord.cogs:
            await self.load_extension(extension)
            log.info("loaded %s", extension)
        if self.settings.discord.sync_commands and self.is_leader:
            await self.sync_commands()
        elif self.settings.discord.sync_commands:
            log.info("not the leader: another process syncs the application commands")

    async def _on_elected(self) -> None:
        """A takeover (the leader stopped): sync the commands of this process's code (a rolling upgrade)."""
        if self.settings.discord.sync_commands and not self.is_closed():
            try:
                await self.sync_commands()
            except Exception:
                log.exception("command sync after the leader takeover failed")

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Wait for this shard's identify bucket in the cluster's lock (replaces discord.py's 5 s sleep)."""
        if self._max_concurrency is None:
            self._max_concurrency = await self._fetch_max_concurrency()
        await self.cluster.identify.acquire(bucket_of(shard_id, self._max_concurrency))

    async def _fetch_max_concurrency(self) -> int:
        """Discord's ``max_concurrency`` (GET /gateway/bot) when sharded; 1 otherwise or when it cannot be read."""
        if not self.settings.discord.shard_count:
            return 1
        try:
            limits = await self.fetch_session_start_limits()
        except (discord.HTTPException, discord.GatewayNotFound) as exc:
            log.warning("could not read max_concurrency (%s); identifying one shard at a time", exc)
            return 1
        return max(1, limits.max_concurrency)

    async def _start_moderation(self, services: Services) -> None:
        """Build and start the moderation service; its card workers post once reconciliation ran after READY."""
        config = self.settings.moderation
        if self._scorer is not None:
            scorer: MessageScorer | None = self._scorer
        else:
            scorer = _scorer_for(services)
        queue = self._score_queue()
        service = ModerationService(
            services.db, config, scorer, publisher=DiscordCardPublisher(self, config),
            executor=DiscordActionExecutor(self), guild_config=services.guild_config,
            automod_rules=DiscordAutoModRules(self), is_leader=lambda: self.is_leader, queue=queue,
            owns=owner_filter(self.settings.discord.shard_count, self.settings.discord.shard_ids),
        )
        await service.start()
        self._moderation = service
        if queue is not None:
            self._notice_task = asyncio.create_task(self._read_case_notices(service), name="modbot-case-notices")
        self._reconcile_task = asyncio.create_task(self._reconcile_when_ready(service), name="modbot-reconcile")
        if config.mod_channel_id is None:
            log.warning("moderation.mod_channel_id is not set in the configuration: cards are posted only in servers "
                        "that set one with /config; the others' cases are stored and listed by /queue")

    def _score_queue(self) -> ScoreQueue | None:
        """``[cluster] scoring = "workers"``: new messages and edits go to the scoring workers' stream."""
        if self.settings.cluster.scoring != "workers":
            return None
        from bot.cluster.score_stream import RedisScoreQueue

        log.info("scoring workers: watched messages are queued on Redis for `modbot worker` processes")
        return RedisScoreQueue(self.cluster.redis, self.settings.cluster)

    async def _read_case_notices(self, service: ModerationService) -> None:
        """Announce (automatic action, card) the cases the workers opened in this process's guilds."""
        from bot.cluster.notices import NoticeReader, gateway_group

        discord_config = self.settings.discord
        reader = NoticeReader(self.cluster.redis, self.settings.cluster,
                              gateway_group(discord_config.shard_count, discord_config.shard_ids),
                              owner_filter(discord_config.shard_count, discord_config.shard_ids),
                              service.review.announce_notice)
        await reader.run()

    async def _reconcile_when_ready(self, service: ModerationService) -> None:
        await self.wait_until_ready()
        try:
            await service.review.reconcile()
        except Exception:
            log.exception("card reconciliation failed; opening the card queues anyway")
            service.review.open_card_gates()

    async def _stop_moderation(self) -> None:
        service, self._moderation = self._moderation, None
        if service is None:
            return
        service.stopping.set()
        notices, self._notice_task = self._notice_task, None
        if notices is not None:
            notices.cancel()
            await finish(notices)
        task = self._reconcile_task
        if task is not None and not task.done() and not self.is_ready():
            task.cancel()  # still waiting for READY: no database call in flight
        await finish(task)
        await service.stop()

    async def sync_commands(self) -> list[str]:
        """Sync app commands to the dev guild when configured (instant), globally otherwise."""
        guild_id = self.settings.discord.dev_guild_id
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        self.synced_commands = sorted(cmd.name for cmd in synced)
        log.info("synced %d app commands (%s)", len(synced), f"guild {guild_id}" if guild_id else "global")
        return self.synced_commands

    async def close(self) -> None:
        """Close the gateway, then services and the database (idempotent: concurrent calls share one close)."""
        if self._shutdown is None:
            self._shutdown = asyncio.ensure_future(self._close_once())
        await asyncio.shield(self._shutdown)

    async def _close_once(self) -> None:
        for extension in tuple(self.extensions):  # cogs first (the listener ends its catch-up), as Bot.close does
            with contextlib.suppress(Exception):
                await self.unload_extension(extension)
        await self._stop_moderation()  # before the gateway: the card workers still post through its HTTP session
        await super().close()
        if self.heartbeat is not None:
            await self.heartbeat.stop()
            self.heartbeat = None
        services = self._services
        if services is not None:
            services.guild_config.publish_changes_with(None)  # the bus closes with the cluster below
        if services is not None and self._preset_services is None:
            await services.close()
            await services.db.close()
        if self._cluster is not None:
            await self._cluster.close()  # gives the leader lease up: another process takes over at once

    @property
    def uptime_seconds(self) -> float:
        """Seconds since this client object was created."""
        return time.monotonic() - self.started_at
