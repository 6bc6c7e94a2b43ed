"""Key/value metadata repository (first start time, counters, anything small and global)."""

from __future__ import annotations

from bot.storage.db import Database


class MetaRepository:
    """Get and set string values in the ``meta`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str, default: str | None = None) -> str | None:
        """The value stored for ``key``, or ``default``."""
        row = await self._db.fetchone("SELECT value FROM meta WHERE key = ?", (key,))
        return str(row["value"]) if row else default

    async def set(self, key: str, value: str) -> None:
        """Insert or replace ``key``."""
        await self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
