"""The cluster's ports: the per-bucket identify lock, the leader lease, the ``/config`` bus and the shared REST
budget (no Discord, no Redis here); and which guilds a process owns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

# Time between the identify hook's return and the IDENTIFY reaching Discord: each bucket is held this much longer
# than the interval, so IDENTIFYs are at least the interval apart where Discord measures them.
IDENTIFY_SLACK_SECONDS = 0.1


def bucket_of(shard_id: int | None, max_concurrency: int) -> int:
    """Discord's identify bucket of a shard: ``shard_id % max_concurrency`` (no shard: bucket 0)."""
    return (shard_id or 0) % max(1, max_concurrency)


def owner_filter(shard_count: int, shard_ids: Sequence[int]) -> Callable[[int], bool]:
    """Whether a guild is on one of this process's shards (Discord's ``(guild_id >> 22) % shard_count``; every
    guild when not sharded or when ``shard_ids`` is empty)."""
    if not shard_count:
        return lambda _guild_id: True
    mine = frozenset(shard_ids) if shard_ids else frozenset(range(shard_count))
    if mine >= frozenset(range(shard_count)):
        return lambda _guild_id: True
    return lambda guild_id: (guild_id >> 22) % shard_count in mine


ConfigChanged = Callable[[int | None], Awaitable[None]]
"""``on_change(guild_id)``: reload that guild's ``/config`` overrides from the database; ``None``: every guild's."""


class ConfigBus(Protocol):
    """Tells every process of the bot that a guild's ``/config`` overrides changed (after the database commit)."""

    async def publish(self, guild_id: int) -> None:
        """Announce a committed change of ``guild_id`` (never raises: a lost message is caught by the safety
        reload)."""
        ...

    async def start(self, on_change: ConfigChanged) -> None:
        """Call ``on_change`` for each announced change, ``on_change(None)`` after each (re)subscription and
        periodically, until :meth:`close`."""
        ...

    async def close(self) -> None:
        """Stop listening."""
        ...


class RestBudget(Protocol):
    """The bot's global REST rate limit (Discord's 50 requests/s per bot), shared by every process."""

    async def acquire(self) -> None:
        """Return when this process may send one more REST request (never raises)."""
        ...


class IdentifyLock(Protocol):
    """One IDENTIFY per bucket per interval, across every process that shares the lock."""

    async def acquire(self, bucket: int) -> None:
        """Return when this process may IDENTIFY for ``bucket``; nobody else may for the next interval."""
        ...


class LeaderLease(Protocol):
    """At most one leader at a time; the leader syncs application commands and runs the periodic jobs."""

    @property
    def is_leader(self) -> bool:
        """Whether this process holds the lease now."""
        ...

    async def start(self) -> bool:
        """Try to take the lease once (the result is :attr:`is_leader`), then keep renewing or retrying it."""
        ...

    async def close(self) -> None:
        """Stop renewing and give the lease up so another process takes over at once."""
        ...
