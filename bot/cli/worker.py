"""``modbot worker``: a scoring worker process (``[cluster] scoring = "workers"``, README "Scaling out").

It opens the database, builds the toxicity engine and the analyzer (one model copy per process) and the per-guild
settings, joins the consumer group ``scorers`` of ``<key_prefix>:score`` as ``<hostname>-<pid>`` and runs
:class:`bot.cluster.worker.ScoringWorker` until SIGTERM/SIGINT (the batch in progress is finished and
acknowledged; exit 0). It never talks to Discord: the gateway that owns a guild posts its cards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.cli.common import settings_or_exit
from bot.cli.exit_codes import ExitCode
from bot.logsetup import setup_logging
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.guildconf import GuildConfigService
    from bot.moderation.remote import BatchResult
    from bot.moderation.scoring import MessageScorer

log = logging.getLogger("bot.worker")

NOT_CONFIGURED = ('modbot: `modbot worker` needs [cluster] redis_url (the Redis the gateways queue messages on); '
                  'set it, and scoring = "workers" in the gateways\' configuration.')


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``worker`` subcommand."""
    parser = subparsers.add_parser("worker", help="score queued messages for the gateways (scaling out)")
    parser.set_defaults(func=worker)


def consumer_name() -> str:
    """This process's consumer name in the group: ``<hostname>-<pid>``."""
    return f"{socket.gethostname()}-{os.getpid()}"


def guild_refresher(guild_config: GuildConfigService, every: float) -> Callable[[set[int]], Awaitable[None]]:
    """Re-read a guild's ``/config`` overrides at most every ``every`` seconds (changed through a gateway)."""
    seen: dict[int, float] = {}

    async def refresh(guild_ids: set[int]) -> None:
        now = time.monotonic()
        for guild_id in guild_ids:
            if now - seen.get(guild_id, float("-inf")) >= every:
                guild_config.invalidate(guild_id)
                await guild_config.effective(guild_id)
                seen[guild_id] = now

    return refresh


async def run_worker(settings: Settings, *, scorer: MessageScorer | None = None,
                     on_batch: Callable[[BatchResult], None] | None = None) -> int:
    """Run one scoring worker until signalled (``scorer`` replaces the analyzer: tests and the bench)."""
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    from bot.cluster.config_bus import RedisConfigBus
    from bot.cluster.score_stream import RedisScoreConsumer
    from bot.cluster.worker import GUILD_REFRESH_SECONDS, ScoringWorker
    from bot.moderation.audit import AuditRepository
    from bot.moderation.cases import CaseRepository
    from bot.moderation.per_guild import PerGuild
    from bot.moderation.remote import RemoteScoring
    from bot.services import build_scoring_services
    from bot.storage import Database, StorageError

    cluster = settings.cluster
    client = Redis.from_url(cluster.redis_url)
    try:
        await client.ping()
    except RedisError as exc:
        await client.aclose()
        print(f"modbot: [cluster] redis_url: Redis does not answer ({exc})", file=sys.stderr)
        return ExitCode.FAILED
    try:
        db = await Database.open(settings.storage.target, busy_timeout_ms=settings.storage.busy_timeout_ms)
    except StorageError as exc:
        await client.aclose()
        print(f"modbot: {exc}", file=sys.stderr)
        return ExitCode.FAILED
    services = await build_scoring_services(settings, db, analyzer_scores=scorer is None)
    bus = RedisConfigBus(client, cluster.key_prefix)  # /config changes made through a gateway reach this worker
    try:
        await services.guild_config.load()
        services.guild_config.publish_changes_with(bus.publish)
        await bus.start(services.guild_config.reload)
        if scorer is None and services.analyzer is not None:
            from bot.analysis.scorer import AnalyzerScorer

            scorer = AnalyzerScorer(services.analyzer)
        if scorer is None:
            log.warning("no analyzer is available: queued messages are stored as not flagged")
        cases, audit = CaseRepository(db), AuditRepository(db)
        per_guild = PerGuild(settings.moderation, services.guild_config, cases, None)
        worker = ScoringWorker(
            RedisScoreConsumer(client, cluster, consumer_name()), RemoteScoring(cases, audit, per_guild, scorer),
            audit, cluster, refresh_guilds=guild_refresher(services.guild_config, GUILD_REFRESH_SECONDS),
            on_batch=on_batch)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, worker.stop.set)
        await worker.run()
        with contextlib.suppress(RedisError):
            await worker.consumer.leave()
    finally:
        await bus.close()
        await services.close()
        await db.close()
        await client.aclose()
    log.info("scoring worker stopped: %d messages scored, %d cases opened, %d taken over, %d dead letters",
             worker.scored, worker.opened, worker.claimed, worker.dead)
    return ExitCode.OK


def worker(args: argparse.Namespace, *, scorer: MessageScorer | None = None,
           on_batch: Callable[[BatchResult], None] | None = None) -> int:
    """Entry point for ``modbot worker`` (``scorer``, ``on_batch``: see :func:`run_worker`)."""
    settings = settings_or_exit(args)
    if isinstance(settings, int):
        return settings
    if not settings.cluster.redis_url:
        print(NOT_CONFIGURED, file=sys.stderr)
        return ExitCode.CONFIG
    try:
        import redis.asyncio  # noqa: F401
    except ImportError:
        print("modbot: the Redis client is not installed: pip install 'modbot[redis]'", file=sys.stderr)
        return ExitCode.FAILED
    setup_logging(settings.logging.level, settings.logging.format, debug_content=settings.logging.debug_content)
    return asyncio.run(run_worker(settings, scorer=scorer, on_batch=on_batch))
