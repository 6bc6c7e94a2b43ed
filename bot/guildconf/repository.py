"""Storage of per-guild overrides (``guild_settings``) with one ``audit_log`` entry per change, atomically."""

from __future__ import annotations

import json
import logging
from typing import Any

from bot.storage import Database
from bot.timestamps import to_iso, utcnow

log = logging.getLogger(__name__)


class GuildSettingsRepository:
    """Reads and writes ``guild_settings`` rows; every write also appends to ``audit_log`` in the same transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def overrides(self, guild_id: int) -> dict[str, Any]:
        """The stored overrides of a guild, key -> decoded value (unreadable rows are skipped with a warning)."""
        rows = await self._db.fetchall(
            "SELECT key, value_json FROM guild_settings WHERE guild_id = ? ORDER BY key", (guild_id,)
        )
        out: dict[str, Any] = {}
        for row in rows:
            try:
                out[str(row["key"])] = json.loads(row["value_json"])
            except (TypeError, ValueError):
                log.warning("guild %s: ignoring unreadable stored setting %s", guild_id, row["key"])
        return out

    async def set(self, guild_id: int, key: str, value_json: str, *, actor_id: int | None,
                  old_json: str | None) -> None:
        """Insert or replace one override and audit it (``config.set``)."""
        stamp = to_iso(utcnow())
        detail = json.dumps({"key": key, "old": _decode(old_json), "new": _decode(value_json)}, sort_keys=True)
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO guild_settings (guild_id, key, value_json, updated_at, updated_by) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(guild_id, key) DO UPDATE SET value_json = excluded.value_json, "
                "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                (guild_id, key, value_json, stamp, actor_id),
            )
            await tx.execute(
                "INSERT INTO audit_log (at, guild_id, actor_id, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
                (stamp, guild_id, actor_id, "config.set", f"config:{key}", detail),
            )

    async def reset(self, guild_id: int, key: str, *, actor_id: int | None) -> bool:
        """Delete one override (back to the file config) and audit it; False when nothing was stored."""
        stamp = to_iso(utcnow())
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "DELETE FROM guild_settings WHERE guild_id = ? AND key = ? RETURNING value_json", (guild_id, key)
            )
            if row is None:
                return False
            detail = json.dumps({"key": key, "old": _decode(row[0]), "new": None}, sort_keys=True)
            await tx.execute(
                "INSERT INTO audit_log (at, guild_id, actor_id, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
                (stamp, guild_id, actor_id, "config.reset", f"config:{key}", detail),
            )
        return True

    async def updated(self, guild_id: int) -> dict[str, tuple[str, int | None]]:
        """key -> (updated_at, updated_by) for the guild's overrides."""
        rows = await self._db.fetchall(
            "SELECT key, updated_at, updated_by FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return {str(r["key"]): (str(r["updated_at"]), r["updated_by"]) for r in rows}


def _decode(value_json: str | None) -> Any:
    if value_json is None:
        return None
    try:
        return json.loads(value_json)
    except ValueError:
        return value_json
