"""Sharding in the fake gateway: IDENTIFY's ``shard`` checked, guilds routed by shard, the identify rate limit.

As on Discord: a session identified with ``shard: [id, count]`` gets the guilds with ``(guild_id >> 22) % count ==
id`` (READY, GUILD_CREATE, and every later event that carries a guild id) and, on shard 0 only, the events without
a guild (DMs). An IDENTIFY of bucket ``shard_id % max_concurrency`` less than ``identify_interval`` seconds after
the previous accepted one of the same bucket is refused with INVALID_SESSION (op 9, ``d: false``); an invalid shard
closes with 4010, a shard that would hold more than ``max_guilds_per_shard`` guilds with 4011. Every IDENTIFY is
recorded (:class:`IdentifyRecord`) so tests can assert their spacing per bucket.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import FakeDiscord
    from .state import FakeGuild

Shard = tuple[int, int]  # (shard_id, shard_count)
DAY_MS = 24 * 60 * 60 * 1000


class InvalidShard(Exception):
    """IDENTIFY carried a malformed or out-of-range ``shard`` (close 4010)."""


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard a guild belongs to: ``(guild_id >> 22) % shard_count``."""
    return (guild_id >> 22) % shard_count


def guild_id_on_shard(fake: FakeDiscord, shard_id: int, shard_count: int) -> int:
    """A fresh snowflake (from the fake's id source) whose guild lands on ``shard_id`` of ``shard_count``."""
    while True:
        candidate = fake.state.ids.next()
        if shard_of(candidate, shard_count) == shard_id:
            return candidate
        fake.state.ids.skip_millisecond()


@dataclass(frozen=True)
class IdentifyRecord:
    """One IDENTIFY the fake received: when (``time.monotonic()`` of this process), for which shard and bucket,
    and what became of it: ``ready``, ``rate_limited`` (op 9), ``invalid_shard`` (4010), ``sharding_required``
    (4011), ``auth`` (4004), ``intents`` (4014)."""

    at: float
    shard: Shard | None
    bucket: int
    outcome: str

    @property
    def accepted(self) -> bool:
        return self.outcome == "ready"


class ShardRules:
    """The fake's sharding rules and its record of IDENTIFYs (``fake.gateway.shards``)."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.records: list[IdentifyRecord] = []
        self.started = time.monotonic()

    # ---- IDENTIFY ------------------------------------------------------------------------------------
    @staticmethod
    def parse(raw: Any) -> Shard | None:
        """``[id, count]`` from IDENTIFY (None: not sharded); raises :class:`InvalidShard`."""
        if raw is None:
            return None
        if not isinstance(raw, list | tuple) or len(raw) != 2 or not all(isinstance(v, int) for v in raw):
            raise InvalidShard(f"malformed shard {raw!r}")
        shard_id, count = raw
        if count < 1 or not 0 <= shard_id < count:
            raise InvalidShard(f"shard {shard_id} of {count}")
        return shard_id, count

    def bucket(self, shard: Shard | None) -> int:
        """The rate-limit bucket: ``shard_id % max_concurrency``."""
        return (shard[0] if shard else 0) % max(1, self.fake.config.max_concurrency)

    def rate_limited(self, bucket: int, now: float) -> bool:
        """True when the bucket's last accepted IDENTIFY is less than ``identify_interval`` ago."""
        interval = self.fake.config.identify_interval
        if interval <= 0:
            return False
        last = [r.at for r in self.records if r.accepted and r.bucket == bucket]
        return bool(last) and now - last[-1] < interval

    def record(self, shard: Shard | None, outcome: str, at: float) -> IdentifyRecord:
        entry = IdentifyRecord(at=at, shard=shard, bucket=self.bucket(shard), outcome=outcome)
        self.records.append(entry)
        return entry

    # ---- routing -------------------------------------------------------------------------------------
    def guilds_for(self, shard: Shard | None) -> list[FakeGuild]:
        """The guilds a session of ``shard`` holds (all of them when not sharded)."""
        return [g for g in self.fake.state.guilds.values() if self.sees(shard, g.id)]

    def too_many_guilds(self, shard: Shard | None) -> bool:
        return len(self.guilds_for(shard)) > self.fake.config.max_guilds_per_shard

    @staticmethod
    def sees(shard: Shard | None, guild_id: int | None) -> bool:
        """Does a session of ``shard`` get an event of ``guild_id`` (None: a DM or another guild-less event)?"""
        if shard is None:
            return True
        if guild_id is None:
            return shard[0] == 0
        return shard_of(guild_id, shard[1]) == shard[0]

    # ---- what GET /gateway/bot says ------------------------------------------------------------------
    def session_start_limit(self) -> dict[str, int]:
        config = self.fake.config
        used = sum(1 for r in self.records if r.accepted)
        elapsed_ms = int((time.monotonic() - self.started) * 1000)
        return {"total": config.session_start_total, "remaining": max(0, config.session_start_total - used),
                "reset_after": max(0, DAY_MS - elapsed_ms), "max_concurrency": config.max_concurrency}

    # ---- readers for tests ---------------------------------------------------------------------------
    def accepted(self, bucket: int | None = None) -> list[IdentifyRecord]:
        return [r for r in self.records if r.accepted and (bucket is None or r.bucket == bucket)]

    @property
    def violations(self) -> list[IdentifyRecord]:
        """IDENTIFYs refused because their bucket identified less than ``identify_interval`` before."""
        return [r for r in self.records if r.outcome == "rate_limited"]

    def min_spacing(self, bucket: int, records: Iterable[IdentifyRecord] | None = None) -> float | None:
        """The smallest gap in seconds between two IDENTIFYs of ``bucket`` (all of them by default, refused ones
        included: any two closer than the interval broke the rule); None with fewer than two."""
        times = sorted(r.at for r in (self.records if records is None else records) if r.bucket == bucket)
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        return min(gaps) if gaps else None
