"""The cluster's ports over Redis (``[cluster] redis_url``), with redis-py's asyncio client.

- Identify lock: ``SET <prefix>:identify:<bucket> <token> NX PX <interval>``. Whoever sets the key may IDENTIFY;
  the others wait for its ``PTTL`` and try again. The key is never deleted: it expires after the interval, so one
  IDENTIFY per bucket per interval holds across processes, and a process that dies holding it blocks nobody longer.
- Leader lease: redis-py's :class:`redis.asyncio.lock.Lock` on ``<prefix>:leader`` with a timeout of
  ``leader_lease_seconds``, renewed (``reacquire``: a token-checked PEXPIRE) every third of it. A process that is
  not the leader tries to take it at the same pace; a leader that cannot renew before the timeout stops leading.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable, Coroutine
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import LockError, RedisError

from bot.cluster.ports import IDENTIFY_SLACK_SECONDS

log = logging.getLogger(__name__)

RETRY_SECONDS = 1.0  # after a Redis error
MIN_POLL_SECONDS = 0.01


class RedisIdentifyLock:
    """One IDENTIFY per bucket per ``interval`` across all processes on the same Redis and ``prefix``."""

    def __init__(self, client: Redis, interval: float, prefix: str) -> None:
        self.client = client
        self.hold_ms = int((interval + IDENTIFY_SLACK_SECONDS) * 1000)
        self.prefix = prefix
        self.token = secrets.token_hex(8)

    def key(self, bucket: int) -> str:
        return f"{self.prefix}:identify:{bucket}"

    async def acquire(self, bucket: int) -> None:
        key = self.key(bucket)
        while True:
            try:
                if await self.client.set(key, self.token, nx=True, px=self.hold_ms):
                    return
                remaining_ms = await self.client.pttl(key)
            except RedisError as exc:
                log.warning("identify lock: Redis is unavailable (%s); retrying in %.0f s", exc, RETRY_SECONDS)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            # -2: expired meanwhile; -1 cannot happen (always set with PX): poll soon.
            await asyncio.sleep(max(remaining_ms / 1000, MIN_POLL_SECONDS))


class RedisLeaderLease:
    """The leader lease. ``on_elected`` runs (as a task) each time this process becomes the leader after
    :meth:`start` (a takeover), e.g. to sync application commands with this process's code."""

    def __init__(self, client: Redis, ttl: float, prefix: str,
                 on_elected: Callable[[], Coroutine[Any, Any, None]] | None = None) -> None:
        self.client = client
        self.ttl = ttl
        self.key = f"{prefix}:leader"
        self.on_elected = on_elected
        self._lock = client.lock(self.key, timeout=ttl, blocking=False, thread_local=False)
        self._leader = False
        self._renewed_at = 0.0
        self._task: asyncio.Task[None] | None = None
        self._elected: set[asyncio.Task[None]] = set()

    @property
    def is_leader(self) -> bool:
        # A lease not renewed for its whole timeout has expired in Redis: someone else may hold it now.
        if self._leader and time.monotonic() - self._renewed_at >= self.ttl:
            self._leader = False
        return self._leader

    async def start(self) -> bool:
        await self._step()
        self._task = asyncio.create_task(self._loop(), name="modbot-leader-lease")
        return self.is_leader

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.ttl / 3)
            was_leader = self.is_leader
            await self._step()
            if self.is_leader and not was_leader:
                log.info("leader lease taken over: this process is the leader now")
                if self.on_elected is not None:
                    task = asyncio.create_task(self.on_elected(), name="modbot-on-elected")
                    self._elected.add(task)
                    task.add_done_callback(self._elected.discard)
            elif was_leader and not self.is_leader:
                log.warning("leader lease lost: this process stops leading")

    async def _step(self) -> None:
        """Renew the lease if held, else try to take it."""
        try:
            if self.is_leader:
                await self._lock.reacquire()
            elif not await self._lock.acquire(blocking=False):
                return
            self._leader, self._renewed_at = True, time.monotonic()
        except LockError:  # not ours any more (expired and taken)
            self._leader = False
        except RedisError as exc:
            log.warning("leader lease: Redis is unavailable (%s)", exc)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for task in list(self._elected):
            task.cancel()
        if self._leader:
            self._leader = False
            with contextlib.suppress(LockError, RedisError):
                await self._lock.release()
