"""The database owner over a SQLAlchemy async engine: SQLite (aiosqlite) or PostgreSQL (asyncpg), one code path.

SQLite (the default: a file, nothing to install or run): WAL, ``synchronous=NORMAL``, foreign keys and a busy
timeout on every pooled connection; writes are serialized in the process (one writer, as SQLite wants; readers run
beside it on their own connections) and a transaction starts with ``BEGIN IMMEDIATE``. PostgreSQL: an asyncpg pool,
writers run concurrently and races resolve in the database (conditional UPDATEs, unique keys). Reads run without
holding a transaction. The schema is migrated at open (:mod:`bot.storage.schema`, :mod:`bot.storage.legacy`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import URL, Connection, event, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from bot.storage import schema
from bot.storage.dialect import Dialect, dialect_named
from bot.storage.errors import StorageError
from bot.storage.legacy import upgrade_legacy_file
from bot.storage.sql import Params, Record, bound, records, statement

log = logging.getLogger(__name__)

_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}
_BEGIN = "modbot_begin"  # execution option: the statement that opens a SQLite transaction


def database_url(target: Path | str) -> URL:
    """A SQLAlchemy URL from a file path (SQLite) or a URL; ``sqlite://`` / ``postgresql://`` get modbot's driver."""
    if isinstance(target, Path) or "://" not in target:
        return URL.create("sqlite+aiosqlite", database=str(target))
    try:
        url = make_url(target)
    except ArgumentError as exc:
        raise StorageError(f"storage.url is not a database URL: {exc}") from exc
    return url.set(drivername=_DRIVERS.get(url.drivername, url.drivername))


class _Tx:
    """The :class:`~bot.storage.sql.Transaction` handle: statements on one connection inside one transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        result = await self._conn.execute(statement(sql), bound(params))
        return int(result.rowcount)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        values = [bound(params) for params in rows]
        if values:
            await self._conn.execute(statement(sql), values)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Record]:
        result = await self._conn.execute(statement(sql), bound(params))
        return records(list(result.keys()), result.all())

    async def fetchone(self, sql: str, params: Params = ()) -> Record | None:
        return next(iter(await self.fetchall(sql, params)), None)


class Database:
    """Owns the engine. Writes that span statements go through :meth:`transaction`."""

    def __init__(self, engine: AsyncEngine, url: URL, path: Path | None = None) -> None:
        self._engine = engine
        self.url = url
        self.path = path
        """The SQLite file (None on PostgreSQL)."""
        self.dialect: Dialect = dialect_named(engine.dialect.name)
        sqlite = self.dialect.name == "sqlite"
        self._write_lock: asyncio.Lock | None = asyncio.Lock() if sqlite else None
        self._reader = engine if sqlite else engine.execution_options(isolation_level="AUTOCOMMIT")
        self._closed = False

    @classmethod
    async def open(cls, target: Path | str, *, busy_timeout_ms: int = 5000) -> Database:
        """Open a SQLite file (a path; folders made as needed) or a database URL; migrate it to this modbot's
        schema."""
        url = database_url(target)
        where = url.render_as_string(hide_password=True)
        path = Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None
        try:
            stamp = False
            if path is not None and str(path) != ":memory:":
                path.parent.mkdir(parents=True, exist_ok=True)
                stamp = await asyncio.to_thread(upgrade_legacy_file, path)
            engine = create_async_engine(url, pool_pre_ping=url.get_backend_name() != "sqlite")
        except StorageError:
            raise
        except ModuleNotFoundError as exc:
            raise StorageError(f"cannot open database {where}: {exc} (PostgreSQL needs modbot[postgres])") from exc
        except Exception as exc:  # sqlite3.OperationalError, PermissionError, ...
            raise StorageError(f"cannot open database {where}: {exc}") from exc
        if engine.dialect.name == "sqlite":
            _sqlite_pragmas(engine, busy_timeout_ms)
        db = cls(engine, url, path)
        try:
            async with db._writing() as conn:
                await conn.run_sync(lambda sync: schema.upgrade(sync, stamp_baseline=stamp))
        except Exception as exc:
            await engine.dispose()
            if isinstance(exc, StorageError):
                raise StorageError(f"database {where}: {exc}") from exc
            raise StorageError(f"cannot prepare database {where}: {exc}") from exc
        return db

    async def schema_version(self) -> int:
        """The schema revision the database is at (the numbered migrations' number; the baseline is 9)."""
        row = await self.fetchone("SELECT version_num FROM alembic_version")
        return int(row[0]) if row else 0

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncConnection]:
        """A connection in a write transaction (SQLite: ``BEGIN IMMEDIATE``, one writer at a time)."""
        self._check_open()
        lock = self._write_lock or contextlib.nullcontext()
        async with lock, self._engine.connect() as conn:
            if self._write_lock is not None:
                await conn.execution_options(**{_BEGIN: "BEGIN IMMEDIATE"})
            async with conn.begin():
                yield conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement in its own transaction; returns the number of rows it changed."""
        async with self._writing() as conn:
            return await _Tx(conn).execute(sql, params)

    async def returning(self, sql: str, params: Params = ()) -> list[Record]:
        """Run one write statement with ``RETURNING`` in its own transaction; returns the rows it returned."""
        async with self._writing() as conn:
            return await _Tx(conn).fetchall(sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Record]:
        """Run a query and return all rows."""
        self._check_open()
        async with self._reader.connect() as conn:
            return await _Tx(conn).fetchall(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> Record | None:
        """Run a query and return its first row (or None)."""
        return next(iter(await self.fetchall(sql, params)), None)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Tx]:
        """One transaction: ``COMMIT`` when the block ends, ``ROLLBACK`` on error (SQLite: ``BEGIN IMMEDIATE``,
        serialized with other writes). The handle is a :class:`~bot.storage.sql.Transaction`."""
        async with self._writing() as conn:
            yield _Tx(conn)

    async def healthy(self) -> bool:
        """True when a trivial query answers."""
        try:
            row = await self.fetchone("SELECT 1")
        except Exception:
            return False
        return row is not None

    def _check_open(self) -> None:
        # a disposed engine would silently open a new pool: a closed database must stay closed
        if self._closed:
            raise StorageError("the database is closed")

    async def close(self) -> None:
        """Checkpoint the WAL (SQLite) and close every connection; later calls raise :class:`StorageError`."""
        if self._closed:
            return
        self._closed = True
        try:
            if self.dialect.name == "sqlite":
                async with self._engine.connect() as conn:
                    await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            await self._engine.dispose()


def _sqlite_pragmas(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    """Per connection: WAL, NORMAL sync, foreign keys, busy timeout; transactions begin only when we say so."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # no implicit BEGIN by the driver
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                       f"busy_timeout={int(busy_timeout_ms)}"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        begin = conn.get_execution_options().get(_BEGIN)
        if begin:
            conn.exec_driver_sql(str(begin))

