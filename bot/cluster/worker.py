"""The scoring worker's loop (``modbot worker``): claim, read, score, commit, notify, acknowledge.

One iteration:

1. ``XAUTOCLAIM`` up to ``worker_batch`` entries that another consumer (a dead worker) or this one (a failed batch)
   has held longer than ``claim_idle_ms``; if there are none, ``XREADGROUP ... COUNT worker_batch BLOCK
   worker_block_ms`` new ones.
2. An entry delivered more than ``max_deliveries`` times (or one that cannot be decoded) is not scored again: it
   moves to ``<prefix>:score:dead`` with the error (acknowledged in the same MULTI), a WARNING is logged and the
   audit entry ``message.unscored`` records it.
3. The rest is scored with each guild's policy and stored (:class:`bot.moderation.remote.RemoteScoring`, idempotent
   per message); the notices of opened or changed cases are published to ``<prefix>:cases``; only then are the
   committed entries acknowledged. A failed entry stays pending and is delivered again after ``claim_idle_ms``.

``stop`` (SIGTERM) is honoured between batches: the batch in progress is finished and acknowledged first.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from collections.abc import Awaitable, Callable, Iterable

from redis.exceptions import RedisError

from bot.cluster.config import ClusterConfig
from bot.cluster.score_stream import Delivery, RedisScoreConsumer
from bot.moderation.audit import AuditRepository
from bot.moderation.remote import BatchResult, RemoteScoring

log = logging.getLogger(__name__)

RETRY_SECONDS = 1.0
STATS_SECONDS = 60.0
GUILD_REFRESH_SECONDS = 30.0


class ScoringWorker:
    """One consumer of the ``scorers`` group. ``refresh_guilds`` re-reads the per-guild settings of the guilds
    of a batch (``/config`` changes made through a gateway); ``on_batch`` sees every batch result (the bench)."""

    def __init__(self, consumer: RedisScoreConsumer, scoring: RemoteScoring, audit: AuditRepository,
                 config: ClusterConfig, *, refresh_guilds: Callable[[set[int]], Awaitable[None]] | None = None,
                 on_batch: Callable[[BatchResult], None] | None = None) -> None:
        self.consumer = consumer
        self.scoring = scoring
        self.audit = audit
        self.config = config
        self.refresh_guilds = refresh_guilds
        self.on_batch = on_batch
        self.stop = asyncio.Event()
        self.errors: dict[str, str] = {}  # entry id -> last error seen here (for the dead letter)
        self.scored = self.opened = self.claimed = self.dead = 0
        self._latencies: list[float] = []
        self._stats_at = time.monotonic()

    async def run(self) -> None:
        """Until :attr:`stop` is set; errors are logged and the loop goes on (unacknowledged entries come back)."""
        await self.consumer.start()
        log.info("scoring worker %s: reading %s in group scorers", self.consumer.consumer,
                 self.consumer.streams.score)
        while not self.stop.is_set():
            try:
                await self.step()
            except (RedisError, OSError) as exc:
                log.warning("scoring worker: Redis is unavailable (%s); retrying in %.0f s", exc, RETRY_SECONDS)
                await asyncio.sleep(RETRY_SECONDS)
            except Exception:  # e.g. the database; the batch stays pending and is delivered again
                log.exception("scoring worker: the batch failed; retrying in %.0f s", RETRY_SECONDS)
                await asyncio.sleep(RETRY_SECONDS)
            self._log_stats()
        self._log_stats(force=True)

    async def step(self) -> int:
        """One claim-or-read and its batch; returns how many entries were handled."""
        batch = self.config.worker_batch
        deliveries = await self.consumer.claim(batch)
        if deliveries:
            self.claimed += len(deliveries)
            log.warning("took over %d queued messages idle for more than %d ms (a worker stopped or failed)",
                        len(deliveries), self.config.claim_idle_ms)
        else:
            deliveries = await self.consumer.read(batch, self.config.worker_block_ms)
        if deliveries:
            await self.handle(deliveries)
        return len(deliveries)

    async def handle(self, deliveries: list[Delivery]) -> BatchResult:
        """Dead-letter what was delivered too often, score and store the rest, notify, then acknowledge."""
        live = []
        for delivery in deliveries:
            if delivery.job is None or delivery.deliveries > self.config.max_deliveries:
                await self._dead_letter(delivery)
            else:
                live.append(delivery.job)
        if self.refresh_guilds is not None and live:
            await self.refresh_guilds({job.message.guild_id for job in live})
        result = await self.scoring.process(live)
        await self.consumer.publish(result.notices)  # before the ack: a crash in between re-sends, never loses
        await self.consumer.ack(result.done)
        for entry_id in result.done:
            self.errors.pop(entry_id, None)
        for entry_id, error in result.failed.items():
            self.errors[entry_id] = error
        if result.failed:
            log.warning("could not score %d of %d queued messages (%s); they are delivered again after %d ms",
                        len(result.failed), len(live), ", ".join(sorted(set(result.failed.values()))),
                        self.config.claim_idle_ms)
        self.scored += len(result.done)
        self.opened += result.opened
        self._latencies.extend(result.latencies)
        if self.on_batch is not None:
            self.on_batch(result)
        return result

    async def _dead_letter(self, delivery: Delivery) -> None:
        error = delivery.problem or self.errors.pop(delivery.entry_id, "") or "no verdict (its worker stopped)"
        await self.consumer.dead_letter(delivery, error)
        self.dead += 1
        job = delivery.job
        log.warning("queued message %s (entry %s) gave up after %d deliveries: %s; moved to the dead letters",
                    job.message.message_id if job else "?", delivery.entry_id, delivery.deliveries, error)
        await self.audit.record(
            "message.unscored", guild_id=job.message.guild_id if job else None, actor_id=None,
            target=f"message:{job.message.message_id}" if job else None,
            detail={"channel_id": job.message.channel_id if job else None, "error": error,
                    "edit": job.edit if job else False, "deliveries": delivery.deliveries,
                    "entry_id": delivery.entry_id})

    def _log_stats(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._stats_at < STATS_SECONDS:
            return
        self._stats_at = now
        latencies, self._latencies = self._latencies, []
        if latencies:
            log.info("scored %d messages (%d cases) so far; queue latency p50 %.0f ms, p99 %.0f ms",
                     self.scored, self.opened, *percentiles(latencies, (50, 99)))


def percentiles(values: Iterable[float], points: Iterable[int]) -> list[float]:
    """Milliseconds at each percentile of ``values`` (seconds)."""
    ordered = sorted(values)
    if not ordered:
        return [0.0 for _ in points]
    if len(ordered) == 1:
        return [ordered[0] * 1000 for _ in points]
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return [cuts[min(p, 99) - 1] * 1000 for p in points]
