"""Storage: pragmas, numbered migrations (upgrading an old DB), transactions, persistence."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage import MIGRATIONS, SCHEMA_VERSION, Database, StorageError
from bot.storage.meta import MetaRepository


async def test_open_sets_pragmas_and_schema(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "sub" / "m.sqlite3")
    try:
        assert (await db.fetchone("PRAGMA journal_mode"))[0] == "wal"
        assert (await db.fetchone("PRAGMA foreign_keys"))[0] == 1
        assert (await db.fetchone("PRAGMA synchronous"))[0] == 1  # NORMAL
        assert await db.schema_version() == SCHEMA_VERSION
        assert await db.healthy()
    finally:
        await db.close()


async def test_upgrades_an_old_database_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = await Database.open(path, migrations=MIGRATIONS[:1])
    await MetaRepository(db).set("first_started_at", "2020-01-01")
    assert await db.schema_version() == 1
    await db.close()

    db = await Database.open(path)
    try:
        assert await db.schema_version() == SCHEMA_VERSION
        assert await MetaRepository(db).get("first_started_at") == "2020-01-01"
        tables = {row[0] for row in await db.fetchall("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"meta", "guild_settings", "audit_log"} <= tables
    finally:
        await db.close()


async def test_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(StorageError, match="newer than this modbot"):
        await Database.open(path)


async def test_unopenable_path_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError):
        await Database.open(blocker / "db.sqlite3")


async def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.sqlite3")
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("a", "1"))
                raise RuntimeError("boom")
        assert await MetaRepository(db).get("a") is None
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("a", "2"))
        assert await MetaRepository(db).get("a") == "2"
    finally:
        await db.close()


async def test_parameters_are_bound_not_interpolated(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "p.sqlite3")
    try:
        evil = "x'); DROP TABLE meta; --"
        await MetaRepository(db).set(evil, evil)
        assert await MetaRepository(db).get(evil) == evil
    finally:
        await db.close()
