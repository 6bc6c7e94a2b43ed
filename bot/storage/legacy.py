"""SQLite databases made before Alembic: numbered migrations 1..9 tracked with ``PRAGMA user_version``.

Such a file is upgraded in place at open: the numbered migrations it lacks are applied as modbot always applied
them (one ``BEGIN IMMEDIATE`` ... ``COMMIT`` each, with the ``user_version`` bump), which brings it to version 9,
the schema Alembic's baseline revision describes; :meth:`bot.storage.Database.open` then stamps that revision and
continues with Alembic. New databases, on either engine, are made by Alembic alone.

This module uses the standard ``sqlite3`` module synchronously (:meth:`Database.open` runs it in a thread): it
runs once, before the engine opens the file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.storage.errors import StorageError
from bot.storage.migrations import MIGRATIONS, Migration

LEGACY_BASELINE = MIGRATIONS[-1].version
"""The last numbered migration; Alembic's baseline revision is this schema."""


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def _apply(conn: sqlite3.Connection, migrations: tuple[Migration, ...], current: int) -> None:
    for migration in migrations:
        if migration.version > current:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{migration.sql}\nPRAGMA user_version = {int(migration.version)};\nCOMMIT;"
            )


def upgrade_legacy_file(path: Path) -> bool:
    """Bring a pre-Alembic SQLite file to the baseline; True when it is one (Alembic must stamp the baseline).

    False for a missing or empty file and for a file Alembic already manages. A ``user_version`` above the baseline
    without Alembic's table is a database of a newer modbot: :class:`StorageError`.
    """
    if not path.exists():
        return False
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        if _has_table(conn, "alembic_version"):
            return False
        current = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if current > LEGACY_BASELINE:
            raise StorageError(
                f"database {path} has schema version {current}, newer than this modbot ({LEGACY_BASELINE}); "
                "upgrade modbot or restore a backup"
            )
        if current == 0:
            return False
        _apply(conn, MIGRATIONS, current)
        return True
    finally:
        conn.close()


def create_legacy_file(path: Path, upto: int = LEGACY_BASELINE) -> None:
    """A SQLite file as modbot before Alembic left it at schema version ``upto`` (tests of the in-place upgrade)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        _apply(conn, tuple(m for m in MIGRATIONS if m.version <= upto), 0)
    finally:
        conn.close()
