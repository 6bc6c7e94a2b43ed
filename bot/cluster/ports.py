"""The cluster's two ports: the per-bucket identify lock and the leader lease (no Discord, no Redis here)."""

from __future__ import annotations

from typing import Protocol

# Time between the identify hook's return and the IDENTIFY reaching Discord: each bucket is held this much longer
# than the interval, so IDENTIFYs are at least the interval apart where Discord measures them.
IDENTIFY_SLACK_SECONDS = 0.1


def bucket_of(shard_id: int | None, max_concurrency: int) -> int:
    """Discord's identify bucket of a shard: ``shard_id % max_concurrency`` (no shard: bucket 0)."""
    return (shard_id or 0) % max(1, max_concurrency)


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
