"""The single aiosqlite connection owner: pragmas, migrations, parameterized helpers, transactions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.migrations import MIGRATIONS, Migration

log = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]


class StorageError(Exception):
    """The database could not be opened or migrated (message is operator-facing)."""


class Database:
    """Owns one aiosqlite connection. Writes that span statements go through :meth:`transaction`."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(
        cls,
        path: Path | str,
        *,
        migrations: Iterable[Migration] = MIGRATIONS,
        busy_timeout_ms: int = 5000,
    ) -> Database:
        """Open (creating folders and file as needed), set pragmas, apply pending migrations."""
        db_path = Path(path)
        try:
            if str(db_path) != ":memory:":
                db_path.parent.mkdir(parents=True, exist_ok=True)
            conn = await aiosqlite.connect(db_path, isolation_level=None)
        except Exception as exc:  # sqlite3.OperationalError, PermissionError, ...
            raise StorageError(f"cannot open database {db_path}: {exc}") from exc
        conn.row_factory = aiosqlite.Row
        db = cls(conn, db_path)
        try:
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            await db._migrate(tuple(migrations))
        except Exception as exc:
            await conn.close()
            if isinstance(exc, StorageError):
                raise
            raise StorageError(f"cannot prepare database {db_path}: {exc}") from exc
        return db

    async def schema_version(self) -> int:
        """The applied migration number (``PRAGMA user_version``)."""
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def _migrate(self, migrations: tuple[Migration, ...]) -> None:
        current = await self.schema_version()
        latest = migrations[-1].version if migrations else 0
        if current > latest:
            raise StorageError(
                f"database {self.path} has schema version {current}, newer than this modbot ({latest}); "
                "upgrade modbot or restore a backup"
            )
        for migration in migrations:
            if migration.version <= current:
                continue
            log.info("applying migration %d: %s", migration.version, migration.description)
            # executescript commits; wrap the step and the version bump in one explicit transaction.
            await self._conn.executescript(
                f"BEGIN IMMEDIATE;\n{migration.sql}\nPRAGMA user_version = {int(migration.version)};\nCOMMIT;"
            )

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement in its own transaction; returns lastrowid (or rowcount for updates)."""
        async with self._write_lock:
            cursor = await self._conn.execute(sql, params)
            result = cursor.lastrowid if sql.lstrip().upper().startswith("INSERT") else cursor.rowcount
            await cursor.close()
            return int(result or 0)

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """Run a query and return its first row (or None)."""
        rows = await self._conn.execute_fetchall(sql, params)  # one call: safe if the caller is cancelled
        return next(iter(rows), None)

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """Run a query and return all rows."""
        return list(await self._conn.execute_fetchall(sql, params))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error), serialized with other writes."""
        async with self._write_lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            else:
                await self._conn.execute("COMMIT")

    async def healthy(self) -> bool:
        """True when a trivial query answers."""
        try:
            row = await self.fetchone("SELECT 1")
        except Exception:
            return False
        return row is not None

    async def close(self) -> None:
        """Checkpoint the WAL and close the connection."""
        try:
            await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            await self._conn.close()
