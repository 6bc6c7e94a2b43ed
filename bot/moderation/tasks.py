"""Background tasks that stop cooperatively, so shutdown never cancels one in the middle of a database call.

(Cancelling a task while aiosqlite runs its SELECT leaves the statement open for a moment, and the WAL
checkpoint in ``Database.close()`` then fails with "database table is locked".)
"""

from __future__ import annotations

import asyncio
import contextlib

STOP_TIMEOUT = 5.0


class StopSignal:
    """A flag that loops check between units of work, with a sleep that wakes up when it is set."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        """Ask the loops to finish."""
        self._event.set()

    @property
    def is_set(self) -> bool:
        """True once stopping was requested."""
        return self._event.is_set()

    async def sleep(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; returns True (early) when stopping was requested."""
        if seconds <= 0:
            return self.is_set
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout=seconds)
        return self.is_set

    async def wait(self) -> None:
        """Wait until stopping is requested."""
        await self._event.wait()


async def finish(task: asyncio.Task[None] | None, grace: float = STOP_TIMEOUT) -> None:
    """Let ``task`` end by itself (its stop signal is set); cancel it only if it overruns ``grace`` seconds."""
    if task is None or task.done():
        if task is not None and not task.cancelled():
            task.exception()  # retrieved: no "exception was never retrieved" warning
        return
    done, _ = await asyncio.wait({task}, timeout=grace)
    if not done:
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
