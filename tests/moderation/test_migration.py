"""SQLite files made before Alembic (numbered migrations) upgrade in place and keep their rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.storage import Database
from bot.storage.legacy import create_legacy_file


async def test_upgrade_from_v2_keeps_audit_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    create_legacy_file(path, upto=2)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO audit_log (guild_id, actor_id, action, detail) VALUES (1, 2, 'old.thing', 'x')")
    db = await Database.open(path)
    try:
        row = await db.fetchone("SELECT * FROM audit_log")
        assert row["action"] == "old.thing" and row["case_id"] is None and row["reason"] is None
        tables = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"mod_cases", "mod_reports", "mod_channel_cursors"} <= tables
        assert await db.schema_version() >= 3
    finally:
        await db.close()


async def test_automod_migration_keeps_cases_and_reads_them_with_no_hits(tmp_path: Path) -> None:
    """Migration 8 (AutoMod hits) on a database of the schema before it, whatever that number is (7, strikes and
    appeals, is another branch's): existing cases survive and read with no AutoMod records."""
    from bot.moderation.cases import CaseRepository

    path = tmp_path / "pre8.sqlite3"
    create_legacy_file(path, upto=7)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO mod_cases (guild_id, channel_id, message_id, author_id) VALUES (1, 2, 3, 4)")
    db = await Database.open(path)
    try:
        assert await db.schema_version() >= 8
        case = await CaseRepository(db).get_by_message(3)
        assert case is not None and case.automod == () and not case.message_blocked
        columns = {r[1] for r in await db.fetchall("PRAGMA table_info(automod_hits)")}
        assert {"case_id", "rule_id", "rule_name", "actions_json", "content_key", "blocked"} <= columns
    finally:
        await db.close()
