"""The gateway's side of the case notices (``<prefix>:cases``, see :mod:`bot.cluster.score_stream`).

Every gateway process reads every notice: it has its own consumer group, named after the shards it runs
(``gateway:all``, ``gateway:0,1/4``), so a restarted process resumes after the last notice it acknowledged
(its unacknowledged ones first). A notice for a guild of another shard is acknowledged and skipped; one for its own
guilds is handed to :meth:`bot.moderation.review.Review.announce_notice` (automatic action, card) and acknowledged
after that. A notice that fails is read again after :data:`RETRY_SECONDS`. Should a notice be lost anyway, the
gateway's start-up reconciliation queues every stored case without a card.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.cluster.config import ClusterConfig
from bot.cluster.ports import owner_filter
from bot.cluster.score_stream import Streams, ensure_group
from bot.moderation.queueing import CaseNotice, NoticeKind

log = logging.getLogger(__name__)

__all__ = ["NoticeReader", "gateway_group", "owner_filter"]

RETRY_SECONDS = 1.0
CONSUMER = "gateway"


def gateway_group(shard_count: int, shard_ids: Sequence[int]) -> str:
    """The consumer group of a gateway process, from the shards it runs."""
    if not shard_count:
        return "gateway:all"
    ids = sorted(shard_ids) or list(range(shard_count))
    return f"gateway:{','.join(map(str, ids))}/{shard_count}"


def _notice(raw: dict[Any, Any]) -> CaseNotice:
    fields = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
              for k, v in raw.items()}
    kind: NoticeKind = "edited" if fields.get("kind") == "edited" else "opened"
    return CaseNotice(int(fields["guild_id"]), int(fields["case_id"]), kind)


class NoticeReader:
    """Reads ``<prefix>:cases`` in this gateway's group and announces the notices of its guilds."""

    def __init__(self, client: Redis, config: ClusterConfig, group: str, owns: Callable[[int], bool],
                 handle: Callable[[CaseNotice], Awaitable[object]], *, block_ms: int = 1000) -> None:
        self.client = client
        self.stream = Streams.of(config.key_prefix).cases
        self.group = group
        self.owns = owns
        self.handle = handle
        self.block_ms = block_ms
        self.handled = 0
        self._started = False

    async def start(self) -> None:
        """Create this gateway's group (from the start of the stream: nothing retained is missed)."""
        if not self._started:
            await ensure_group(self.client, self.stream, self.group)
            self._started = True

    async def run(self) -> None:
        """Until cancelled: its pending notices first (after a restart), then new ones."""
        cursor = "0"
        while True:
            try:
                await self.start()
                cursor = await self.step(cursor)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                log.warning("case notices: Redis is unavailable (%s); retrying in %.0f s", exc, RETRY_SECONDS)
                cursor, self._started = "0", False
                await asyncio.sleep(RETRY_SECONDS)

    async def step(self, cursor: str) -> str:
        """Read and handle one batch; returns where to read next (``0``: this group's pending notices)."""
        reply: Any = await self.client.xreadgroup(self.group, CONSUMER, {self.stream: cursor}, count=100,
                                             block=None if cursor == "0" else self.block_ms)
        entries = [entry for _stream, batch in reply or [] for entry in batch]
        if cursor == "0" and not entries:
            return ">"  # nothing left over: new notices from now on
        failed = False
        for entry_id, raw in entries:
            if not raw:  # trimmed while pending
                await self.client.xack(self.stream, self.group, entry_id)
                continue
            try:
                notice = _notice(raw)
            except (KeyError, ValueError):
                log.warning("case notices: skipping malformed entry %r", entry_id)
                await self.client.xack(self.stream, self.group, entry_id)
                continue
            try:
                if self.owns(notice.guild_id):
                    await self.handle(notice)
                    self.handled += 1
            except (RedisError, OSError):
                raise
            except Exception:
                log.exception("could not announce the case of notice %r; retrying", entry_id)
                failed = True
                continue
            await self.client.xack(self.stream, self.group, entry_id)
        if failed:
            await asyncio.sleep(RETRY_SECONDS)
            return "0"
        return cursor
