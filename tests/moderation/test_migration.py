"""Migration 3 upgrades a version-2 database in place and keeps its audit log."""

from __future__ import annotations

from pathlib import Path

from bot.storage import MIGRATIONS, Database


async def test_upgrade_from_v2_keeps_audit_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = await Database.open(path, migrations=MIGRATIONS[:2])
    await db.execute("INSERT INTO audit_log (guild_id, actor_id, action, detail) VALUES (1, 2, 'old.thing', 'x')")
    await db.close()
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

    before = tuple(m for m in MIGRATIONS if m.version < 8)
    path = tmp_path / "pre8.sqlite3"
    db = await Database.open(path, migrations=before)
    await db.execute("INSERT INTO mod_cases (guild_id, channel_id, message_id, author_id) VALUES (1, 2, 3, 4)")
    await db.close()
    db = await Database.open(path)
    try:
        assert await db.schema_version() >= 8
        case = await CaseRepository(db).get_by_message(3)
        assert case is not None and case.automod == () and not case.message_blocked
        columns = {r[1] for r in await db.fetchall("PRAGMA table_info(automod_hits)")}
        assert {"case_id", "rule_id", "rule_name", "actions_json", "content_key", "blocked"} <= columns
    finally:
        await db.close()
