"""Storage: the same behaviour on SQLite and PostgreSQL (``db`` runs each test on both), SQLite's pragmas, Alembic
at open, and the in-place upgrade of SQLite files made before Alembic (numbered migrations)."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.moderation.audit import AuditRepository
from bot.moderation.cases import CaseRepository
from bot.moderation.state import Action, CaseState
from bot.moderation.strikes import StrikeRepository
from bot.storage import SCHEMA_VERSION, Database, StorageError
from bot.storage.legacy import LEGACY_BASELINE, create_legacy_file
from bot.storage.meta import MetaRepository

SNOWFLAKE = 1_234_567_890_123_456_789  # Discord ids exceed a 32-bit integer


async def test_open_sets_pragmas_and_schema(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "sub" / "m.sqlite3")
    try:
        assert (await db.fetchone("PRAGMA journal_mode"))[0] == "wal"
        assert (await db.fetchone("PRAGMA foreign_keys"))[0] == 1
        assert (await db.fetchone("PRAGMA synchronous"))[0] == 1  # NORMAL
        assert (await db.fetchone("PRAGMA busy_timeout"))[0] == 5000
        assert (await db.fetchone("PRAGMA user_version"))[0] == LEGACY_BASELINE  # older modbots read it as 9
        assert await db.schema_version() == SCHEMA_VERSION
        assert await db.healthy()
    finally:
        await db.close()


async def test_schema_version_and_health_on_both_engines(db: Database) -> None:
    assert await db.schema_version() == SCHEMA_VERSION >= LEGACY_BASELINE
    assert await db.healthy()


async def test_upgrades_an_old_database_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    create_legacy_file(path, upto=1)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('first_started_at', '2020-01-01')")
    db = await Database.open(path)
    try:
        assert await db.schema_version() == SCHEMA_VERSION
        assert await MetaRepository(db).get("first_started_at") == "2020-01-01"
        tables = {row[0] for row in await db.fetchall("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"meta", "guild_settings", "audit_log", "automod_hits", "alembic_version"} <= tables
    finally:
        await db.close()


async def test_a_version_9_file_of_todays_code_upgrades_in_place_with_its_rows(tmp_path: Path) -> None:
    """Migrations 1..9 applied as modbot before Alembic did, rows in, then opened: stamped, rows read, ids go on."""
    path = tmp_path / "v9.sqlite3"
    create_legacy_file(path, upto=9)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("INSERT INTO mod_cases (guild_id, channel_id, message_id, author_id, content, state) "
                     "VALUES (?, 2, ?, 4, 'old text', 'removed')", (SNOWFLAKE, SNOWFLAKE + 1))
        conn.execute("INSERT INTO mod_strikes (guild_id, member_id, case_id, action, created_at, expires_at) "
                     "VALUES (?, 4, 1, 'remove', '2020-01-01T00:00:00.000Z', '2999-01-01T00:00:00.000Z')",
                     (SNOWFLAKE,))
        conn.execute("INSERT INTO audit_log (guild_id, action, case_id) VALUES (?, 'case.remove', 1)", (SNOWFLAKE,))
    db = await Database.open(path)
    try:
        assert await db.schema_version() == SCHEMA_VERSION
        assert (await db.fetchone("SELECT version_num FROM alembic_version"))[0] is not None
        case = await CaseRepository(db).get_by_message(SNOWFLAKE + 1)
        assert case is not None and case.content == "old text" and case.guild_id == SNOWFLAKE
        assert case.state is CaseState.REMOVED and case.automod == ()
        assert [s.case_id for s in await StrikeRepository(db).active(SNOWFLAKE, 4)] == [1]
        assert [e.action for e in await AuditRepository(db).for_case(1)] == ["case.remove"]
        assert await AuditRepository(db).record("case.note", guild_id=1, actor_id=2, case_id=1) == 2
    finally:
        await db.close()
    db = await Database.open(path)  # a second open finds it Alembic's: nothing applied again
    try:
        assert await CaseRepository(db).get_by_message(SNOWFLAKE + 1) is not None
    finally:
        await db.close()


async def test_alembic_baseline_on_sqlite_matches_the_numbered_migrations(tmp_path: Path) -> None:
    """A new SQLite file (made by the Alembic baseline) has the tables, columns, keys and indexes of version 9."""
    legacy = tmp_path / "legacy.sqlite3"
    create_legacy_file(legacy)
    fresh = tmp_path / "fresh.sqlite3"
    await (await Database.open(fresh)).close()

    def shape(path: Path) -> dict[str, object]:
        with closing(sqlite3.connect(path)) as conn:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name "
                                                 "NOT IN ('sqlite_sequence', 'alembic_version') ORDER BY name")]
            out: dict[str, object] = {}
            for table in tables:
                # (name, NOT NULL, primary key); Alembic spells NOT NULL on primary keys, which never hold NULL here
                out[table] = [(r[1], r[3] and not r[5], r[5]) for r in conn.execute(f"PRAGMA table_info({table})")]
                out[f"{table} indexes"] = sorted((r[1], r[2], r[4]) for r in conn.execute(f"PRAGMA index_list({table})")
                                                 if not r[1].startswith("sqlite_autoindex"))
                out[f"{table} fks"] = sorted((r[2], r[3], r[4], r[6]) for r in conn.execute(
                    f"PRAGMA foreign_key_list({table})"))
                out[f"{table} autoincrement"] = "AUTOINCREMENT" in (conn.execute(
                    "SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]).upper()
            return out

    assert shape(fresh) == shape(legacy)


async def test_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {LEGACY_BASELINE + 5}")
    with pytest.raises(StorageError, match="newer than this modbot"):
        await Database.open(path)


async def test_refuses_an_unknown_alembic_revision(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    await (await Database.open(path)).close()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StorageError, match="newer than this modbot"):
        await Database.open(path)


async def test_unopenable_path_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError):
        await Database.open(blocker / "db.sqlite3")


async def test_a_bad_url_is_a_storage_error() -> None:
    with pytest.raises(StorageError):
        await Database.open("mysql+nodriver://x@/y")


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("a", "1"))
            raise RuntimeError("boom")
    assert await MetaRepository(db).get("a") is None
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("a", "2"))
        assert (await tx.fetchone("SELECT value FROM meta WHERE key = ?", ("a",)))["value"] == "2"
    assert await MetaRepository(db).get("a") == "2"


async def test_parameters_are_bound_not_interpolated(db: Database) -> None:
    for evil in ("x'); DROP TABLE meta; --", "a ? b :p0 ::text %s $1"):
        await MetaRepository(db).set(evil, evil)
        assert await MetaRepository(db).get(evil) == evil
    row = await db.fetchone("SELECT 'a?b:c' AS lit, ? AS param", ("v",))
    assert (row["lit"], row["param"]) == ("a?b:c", "v") and row.keys() == ["lit", "param"]


async def test_conditional_update_counts_rows_and_conflicts_return_nothing(db: Database) -> None:
    """What first-decision-wins and one-case-per-message rest on, on each engine."""
    assert await db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("k", "free")) == 1
    assert await db.execute("UPDATE meta SET value = ? WHERE key = ? AND value = ?", ("taken", "k", "free")) == 1
    assert await db.execute("UPDATE meta SET value = ? WHERE key = ? AND value = ?", ("again", "k", "free")) == 0
    sql = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING RETURNING key"
    assert [tuple(r) for r in await db.returning(sql, ("n", "1"))] == [("n",)]
    assert await db.returning(sql, ("n", "2")) == []


async def test_snowflakes_round_trip(db: Database) -> None:
    await db.execute("INSERT INTO mod_channel_cursors (channel_id, guild_id, last_message_id, updated_at) "
                     "VALUES (?, ?, ?, ?)", (SNOWFLAKE, SNOWFLAKE - 1, SNOWFLAKE + 1, "2020-01-01T00:00:00.000Z"))
    row = await db.fetchone("SELECT * FROM mod_channel_cursors WHERE channel_id = ?", (SNOWFLAKE,))
    assert (row["guild_id"], row["last_message_id"]) == (SNOWFLAKE - 1, SNOWFLAKE + 1)


async def test_two_concurrent_decisions_on_one_case_one_wins(db: Database) -> None:
    """Many moderators click at once: exactly one takes the decision lock, one decision is stored."""
    from bot.moderation.models import MessageSnapshot
    from bot.moderation.scoring import Assessment

    repo = CaseRepository(db)
    snapshot = MessageSnapshot(message_id=SNOWFLAKE, guild_id=1, channel_id=2, author_id=3, content="x")
    case, created = await repo.open(snapshot, Assessment(flagged=True, labels=("insult",), severity="high"))
    again, created_again = await repo.open(snapshot, Assessment(flagged=True))
    assert created and not created_again and again.id == case.id
    locks = await asyncio.gather(*(repo.try_lock(case.id, actor, Action.REMOVE) for actor in range(1, 9)))
    winners = [actor for actor, lock in zip(range(1, 9), locks, strict=True) if lock.acquired]
    assert len(winners) == 1
    finished = await asyncio.gather(*(repo.finish(case.id, actor, Action.REMOVE, CaseState.REMOVED)
                                      for actor in range(1, 9)))
    assert [f is not None for f in finished].count(True) == 1
    assert (await repo.get(case.id)).decided_by == winners[0]


async def test_healthcheck_reads_the_heartbeat_on_either_engine(db: Database) -> None:
    from bot.cli.healthcheck import check, check_url
    from bot.heartbeat import HEARTBEAT_KEY
    from bot.timestamps import to_iso, utcnow

    def health(heartbeat: bool = True) -> tuple[bool, str]:  # run in a thread: check_url runs its own loop
        if db.path is not None:
            result = check(db.path, heartbeat=heartbeat)
        else:
            result = check_url(db.url.render_as_string(hide_password=False), heartbeat=heartbeat)
        return result.ok, result.reason

    assert (await asyncio.to_thread(health, heartbeat=False))[0]
    assert not (await asyncio.to_thread(health))[0]  # no heartbeat yet
    await MetaRepository(db).set(HEARTBEAT_KEY, to_iso(utcnow()))
    ok, reason = await asyncio.to_thread(health)
    assert ok and "heartbeat" in reason


async def test_a_closed_database_stays_closed(tmp_path: Path) -> None:
    """The engine behind it would open a new pool on the next query; a closed Database refuses instead."""
    db = await Database.open(tmp_path / "closed.sqlite3")
    assert await db.healthy()
    await db.close()
    await db.close()  # idempotent
    assert not await db.healthy()
    with pytest.raises(StorageError, match="closed"):
        await db.fetchone("SELECT 1")
    with pytest.raises(StorageError, match="closed"):
        await db.execute("CREATE TABLE t (x INTEGER)")
