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
