"""Choose the cluster's implementations from ``[cluster]``: in-process without ``redis_url``, Redis with it."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from bot.cluster.config import ClusterConfig
from bot.cluster.local import LocalConfigBus, LocalIdentifyLock, LocalLeaderLease
from bot.cluster.ports import ConfigBus, IdentifyLock, LeaderLease, RestBudget


class ClusterUnavailable(Exception):
    """``[cluster] redis_url`` is set but the Redis client is not installed or the server does not answer."""


@dataclass
class Cluster:
    """What one process uses to coordinate with the others (``shared``: a store other processes see)."""

    identify: IdentifyLock
    leader: LeaderLease
    shared: bool
    config_bus: ConfigBus = field(default_factory=LocalConfigBus)
    rest_budget: RestBudget | None = None  # None: no budget beyond discord.py's own, per process
    redis: Any = field(default=None, repr=False)  # the redis.asyncio.Redis client when redis_url is set
    _close_client: Callable[[], Awaitable[None]] | None = field(default=None, repr=False)

    async def close(self) -> None:
        """Stop hearing /config changes, give the lease up, then close the store's connection."""
        await self.config_bus.close()
        await self.leader.close()
        if self._close_client is not None:
            with contextlib.suppress(Exception):
                await self._close_client()


async def build_cluster(config: ClusterConfig, *,
                        on_elected: Callable[[], Coroutine[Any, Any, None]] | None = None) -> Cluster:
    """The in-process cluster (Tier 0) or the Redis one; raises :class:`ClusterUnavailable` when Redis is
    configured but cannot be used. The lease is not started here (see :meth:`LeaderLease.start`)."""
    if not config.redis_url:
        return Cluster(LocalIdentifyLock(config.identify_interval), LocalLeaderLease(), shared=False)
    try:
        from redis.asyncio import Redis
        from redis.exceptions import RedisError

        from bot.cluster.config_bus import RedisConfigBus
        from bot.cluster.redis_store import RedisIdentifyLock, RedisLeaderLease
        from bot.cluster.rest_budget import RedisRestBudget
    except ImportError:
        raise ClusterUnavailable(
            "[cluster] redis_url is set but the Redis client is not installed: pip install 'modbot[redis]'"
        ) from None
    client = Redis.from_url(config.redis_url)
    try:
        await client.ping()
    except RedisError as exc:
        await client.aclose()
        raise ClusterUnavailable(f"[cluster] redis_url: Redis does not answer ({exc})") from None
    return Cluster(
        RedisIdentifyLock(client, config.identify_interval, config.key_prefix),
        RedisLeaderLease(client, config.leader_lease_seconds, config.key_prefix, on_elected),
        shared=True, config_bus=RedisConfigBus(client, config.key_prefix),
        rest_budget=RedisRestBudget(client, config.rest_budget_per_second, config.key_prefix)
        if config.rest_budget_per_second else None,
        redis=client, _close_client=client.aclose,
    )
