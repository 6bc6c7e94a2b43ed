"""The scoring queue on Redis Streams (``[cluster] scoring = "workers"``), with redis-py's asyncio client.

Streams (``<prefix>`` is ``[cluster] key_prefix``, ``modbot`` by default):

- ``<prefix>:score``: one entry per watched message, field ``job`` = JSON ``{"kind": "new"|"edit", "message":
  <MessageSnapshot>, "at": <enqueue Unix time>}``. ``XADD ... MAXLEN ~ score_stream_maxlen`` trims the oldest
  entries; keep it well above any backlog (a pending entry that is trimmed is lost; XAUTOCLAIM then reports it and
  the worker logs a WARNING). The workers read it in the consumer group ``scorers``.
- ``<prefix>:score:dead``: entries delivered more than ``max_deliveries`` times, with ``error``, ``deliveries`` and
  the original ``entry_id`` (same MAXLEN).
- ``<prefix>:cases``: notices ``{guild_id, case_id, kind}`` from the workers to the gateways (same MAXLEN), read
  by :mod:`bot.cluster.notices`.

A worker reads with ``XREADGROUP GROUP scorers <consumer> COUNT <worker_batch> BLOCK <worker_block_ms>`` (the
micro-batch), acknowledges with ``XACK`` after its commit, and first takes over entries other consumers have held
longer than ``claim_idle_ms`` with ``XAUTOCLAIM`` (a worker that died, or a batch that failed).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from bot.cluster.config import ClusterConfig
from bot.moderation.models import MessageSnapshot
from bot.moderation.queueing import CaseNotice, ScoreJob, snapshot_from_dict, snapshot_to_dict

log = logging.getLogger(__name__)

SCORE_GROUP = "scorers"


@dataclass(frozen=True)
class Streams:
    """The stream keys of one bot (one ``key_prefix``)."""

    score: str
    dead: str
    cases: str

    @classmethod
    def of(cls, prefix: str) -> Streams:
        return cls(f"{prefix}:score", f"{prefix}:score:dead", f"{prefix}:cases")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass(frozen=True)
class Delivery:
    """One entry as handed to this worker: ``job`` is None when the entry cannot be decoded."""

    entry_id: str
    fields: dict[str, str]
    deliveries: int
    job: ScoreJob | None
    problem: str = ""


def decode(entry_id: Any, raw: dict[Any, Any], deliveries: int = 1) -> Delivery:
    """An entry of ``<prefix>:score`` as a :class:`Delivery` (a malformed one keeps its fields and the problem)."""
    ident = _text(entry_id)
    fields = {_text(k): _text(v) for k, v in (raw or {}).items()}
    try:
        data = json.loads(fields["job"])
        job = ScoreJob(ident, snapshot_from_dict(data["message"]), edit=data.get("kind") == "edit",
                       deliveries=deliveries, enqueued_at=float(data.get("at") or 0.0))
    except Exception as exc:  # a poison entry: it goes to the dead letters at once
        return Delivery(ident, fields, deliveries, None, f"undecodable entry ({type(exc).__name__})")
    return Delivery(ident, fields, deliveries, job)


async def ensure_group(client: Redis, stream: str, group: str) -> None:
    """Create ``group`` on ``stream`` (and the stream) from its start, unless it exists."""
    try:
        await client.xgroup_create(stream, group, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


class RedisScoreQueue:
    """The gateway's :class:`~bot.moderation.queueing.ScoreQueue`: one XADD per message, one round trip per batch."""

    def __init__(self, client: Redis, config: ClusterConfig) -> None:
        self.client = client
        self.streams = Streams.of(config.key_prefix)
        self.maxlen = config.score_stream_maxlen

    async def enqueue(self, messages: Sequence[MessageSnapshot], *, edit: bool = False) -> None:
        if not messages:
            return
        now = time.time()
        async with self.client.pipeline(transaction=False) as pipe:
            for message in messages:
                job = {"kind": "edit" if edit else "new", "message": snapshot_to_dict(message), "at": now}
                pipe.xadd(self.streams.score, {"job": json.dumps(job, separators=(",", ":"))},
                          maxlen=self.maxlen, approximate=True)
            await pipe.execute()


class RedisScoreConsumer:
    """One worker's side of the stream: take over, read, acknowledge, dead-letter; and publish case notices."""

    def __init__(self, client: Redis, config: ClusterConfig, consumer: str) -> None:
        self.client = client
        self.config = config
        self.consumer = consumer
        self.streams = Streams.of(config.key_prefix)
        self._claim_from = "0-0"

    async def start(self) -> None:
        """Create the consumer group if this is the first worker, and this consumer in it (XGROUP CREATECONSUMER:
        a blocking read that returns nothing does not create it, and operators look for it in XINFO CONSUMERS)."""
        await ensure_group(self.client, self.streams.score, SCORE_GROUP)
        await self.client.xgroup_createconsumer(self.streams.score, SCORE_GROUP, self.consumer)

    async def claim(self, count: int) -> list[Delivery]:
        """Take over up to ``count`` entries idle longer than ``claim_idle_ms`` (scanning the pending list a page
        per call), with their delivery counts (XAUTOCLAIM counts this delivery)."""
        reply = await self.client.xautoclaim(self.streams.score, SCORE_GROUP, self.consumer,
                                             self.config.claim_idle_ms, start_id=self._claim_from, count=count)
        self._claim_from = _text(reply[0])
        entries = [(entry_id, raw) for entry_id, raw in reply[1] if raw is not None]
        lost = reply[2] if len(reply) > 2 else []
        if lost:
            log.warning("%d queued messages were trimmed from %s before they were scored (raise "
                        "[cluster] score_stream_maxlen): %s", len(lost), self.streams.score,
                        ", ".join(_text(i) for i in lost[:10]))
        if not entries:
            return []
        ids = [_text(entry_id) for entry_id, _ in entries]
        pending = await self.client.xpending_range(self.streams.score, SCORE_GROUP, min=min(ids, key=_id_key),
                                                   max=max(ids, key=_id_key), count=len(ids) * 4,
                                                   consumername=self.consumer)
        counts = {_text(p["message_id"]): int(p["times_delivered"]) for p in pending}
        return [decode(entry_id, raw, counts.get(_text(entry_id), 2)) for entry_id, raw in entries]

    async def read(self, count: int, block_ms: int) -> list[Delivery]:
        """New entries (``XREADGROUP ... COUNT count BLOCK block_ms``): the micro-batch."""
        reply: Any = await self.client.xreadgroup(SCORE_GROUP, self.consumer, {self.streams.score: ">"},
                                             count=count, block=block_ms)
        out: list[Delivery] = []
        for _stream, entries in reply or []:
            out.extend(decode(entry_id, raw) for entry_id, raw in entries)
        return out

    async def ack(self, entry_ids: Sequence[str]) -> None:
        """Acknowledge committed entries (they leave the pending list)."""
        if entry_ids:
            await self.client.xack(self.streams.score, SCORE_GROUP, *entry_ids)

    async def dead_letter(self, delivery: Delivery, error: str) -> None:
        """Move an entry to ``<prefix>:score:dead`` and acknowledge it, atomically (MULTI/EXEC)."""
        fields: dict[Any, Any] = {**delivery.fields, "entry_id": delivery.entry_id, "error": error,
                  "deliveries": str(delivery.deliveries), "consumer": self.consumer}
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.xadd(self.streams.dead, fields, maxlen=self.config.score_stream_maxlen, approximate=True)
            pipe.xack(self.streams.score, SCORE_GROUP, delivery.entry_id)
            await pipe.execute()

    async def publish(self, notices: Sequence[CaseNotice]) -> None:
        """Tell the gateways about opened and changed cases (:class:`~bot.moderation.queueing.CaseNotices`)."""
        if not notices:
            return
        async with self.client.pipeline(transaction=False) as pipe:
            for notice in notices:
                pipe.xadd(self.streams.cases, {"guild_id": notice.guild_id, "case_id": notice.case_id,
                                               "kind": notice.kind},
                          maxlen=self.config.score_stream_maxlen, approximate=True)
            await pipe.execute()

    async def leave(self) -> bool:
        """A clean exit: remove this consumer from the group when it holds nothing (else others claim it)."""
        info = await self.client.xpending_range(self.streams.score, SCORE_GROUP, min="-", max="+", count=1,
                                                consumername=self.consumer)
        if info:
            return False
        await self.client.xgroup_delconsumer(self.streams.score, SCORE_GROUP, self.consumer)
        return True


def _id_key(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)
