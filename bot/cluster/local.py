"""Tier 0 (one process): the identify lock as an asyncio lock and the interval, a lease that always leads, and a
/config bus with nobody to tell."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from bot.cluster.ports import IDENTIFY_SLACK_SECONDS, ConfigChanged


class LocalIdentifyLock:
    """Spaces this process's IDENTIFYs of one bucket by ``interval`` seconds (discord.py's default hook only
    sleeps 5 s before every non-first IDENTIFY; this waits only what the bucket still needs)."""

    def __init__(self, interval: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._locks: dict[int, asyncio.Lock] = {}
        self._last: dict[int, float] = {}

    async def acquire(self, bucket: int) -> None:
        async with self._locks.setdefault(bucket, asyncio.Lock()):
            last = self._last.get(bucket)
            if last is not None:
                wait = last + self.interval + IDENTIFY_SLACK_SECONDS - self._clock()
                if wait > 0:
                    await self._sleep(wait)
            self._last[bucket] = self._clock()


class LocalLeaderLease:
    """The only process is the leader."""

    @property
    def is_leader(self) -> bool:
        return True

    async def start(self) -> bool:
        return True

    async def close(self) -> None:
        return None


class LocalConfigBus:
    """One process: a ``/config`` change is already in this process's cache; nothing to tell, nothing to hear."""

    async def publish(self, guild_id: int) -> None:
        return None

    async def start(self, on_change: ConfigChanged) -> None:
        return None

    async def close(self) -> None:
        return None
