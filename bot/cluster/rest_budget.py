"""The bot's global REST budget shared over Redis (``[cluster] rest_budget_per_second``, Discord's 50/s per bot).

discord.py keeps Discord's per-route and global limits per process only: N processes may together send N x 50
requests in a second and draw global 429s (and, repeated, a temporary Cloudflare ban). Before each REST request
every process takes one unit of the second it is in, the fixed-window counter of Redis's rate-limiter pattern:
``INCR <prefix>:rest:<unix second>`` then ``PEXPIRE`` it (one round trip, a transaction). Over the budget, the
request waits for the next second and tries again. When Redis does not answer the request is sent anyway (fail
open: discord.py's own per-process limits and 429 handling still apply) and a warning is logged at most every
:data:`WARN_EVERY_SECONDS`.

Window edges use the wall clock of each process: keep the machines' clocks synchronised (NTP). A fixed window
allows up to twice the budget across one edge (the end of one second and the start of the next); Discord measures
its own windows, so the default budget leaves room below 50.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

WARN_EVERY_SECONDS = 60.0
KEY_TTL_MS = 2000  # a window's key outlives its second a little (clock differences), then goes by itself


class RedisRestBudget:
    """At most ``per_second`` REST requests per wall-clock second across every process on this Redis and prefix."""

    def __init__(self, client: Redis, per_second: int, prefix: str, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.per_second = per_second
        self.prefix = prefix
        self._clock = clock
        self._warned_at = float("-inf")
        self.waited = 0  # requests that had to wait for a later second (tests, logs)

    def key(self, second: int) -> str:
        return f"{self.prefix}:rest:{second}"

    async def acquire(self) -> None:
        waited = False
        while True:
            now = self._clock()
            second = int(now)
            try:
                async with self.client.pipeline(transaction=True) as pipe:
                    pipe.incr(self.key(second))
                    pipe.pexpire(self.key(second), KEY_TTL_MS)
                    count, _ = await pipe.execute()
            except (RedisError, OSError) as exc:
                if time.monotonic() - self._warned_at >= WARN_EVERY_SECONDS:
                    self._warned_at = time.monotonic()
                    log.warning("shared REST budget: Redis is unavailable (%s); sending without it", exc)
                return
            if int(count) <= self.per_second:
                self.waited += waited
                return
            waited = True
            await asyncio.sleep(max(second + 1 - self._clock(), 0.001))
