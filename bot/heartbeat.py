"""The running bot's heartbeat: meta key ``heartbeat_at`` rewritten every 30 s, read by ``modbot healthcheck``.

The key is deleted on a clean shutdown, so a stopped bot is reported as stopped rather than as merely late.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.storage import Database
from bot.storage.meta import MetaRepository
from bot.timestamps import format_seconds, utcnow

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "heartbeat_at"
HEARTBEAT_INTERVAL = 30.0


class Heartbeat:
    """Writes ``heartbeat_at`` now and then every ``interval`` seconds until stopped."""

    def __init__(self, db: Database, interval: float = HEARTBEAT_INTERVAL) -> None:
        self._meta = MetaRepository(db)
        self._db = db
        self.interval = interval
        self._task: asyncio.Task[None] | None = None
        self.beats = 0

    async def beat(self) -> None:
        """Record that the bot is alive now."""
        await self._meta.set(HEARTBEAT_KEY, format_seconds(utcnow()))
        self.beats += 1

    def start(self) -> None:
        """Start beating in a background task (idempotent)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="modbot-heartbeat")

    async def _run(self) -> None:
        while True:
            try:
                await self.beat()
            except Exception as exc:  # a locked or closing DB must never kill the task
                log.warning("could not write the heartbeat: %s", exc)
            await asyncio.sleep(self.interval)

    async def stop(self, *, clear: bool = True) -> None:
        """Stop beating; ``clear`` deletes the key so the health check reports a clean stop."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if clear:
            with contextlib.suppress(Exception):
                await self._db.execute("DELETE FROM meta WHERE key = ?", (HEARTBEAT_KEY,))
