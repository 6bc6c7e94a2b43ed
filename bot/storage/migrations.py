"""Numbered schema migrations, applied in order at start and tracked with ``PRAGMA user_version``.

Append only: never edit a migration that has shipped; add a new one instead.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    """One schema step: ``version`` is the user_version after it is applied."""

    version: int
    description: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "key/value metadata",
        """
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    ),
    Migration(
        2,
        "per-guild settings overrides and the audit log",
        """
        CREATE TABLE guild_settings (
            guild_id   INTEGER NOT NULL,
            key        TEXT    NOT NULL,
            value_json TEXT    NOT NULL,
            updated_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            updated_by INTEGER,
            PRIMARY KEY (guild_id, key)
        );
        CREATE TABLE audit_log (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            guild_id   INTEGER,
            actor_id   INTEGER,
            action     TEXT    NOT NULL,
            target     TEXT,
            detail     TEXT
        );
        CREATE INDEX audit_log_guild_at ON audit_log (guild_id, at);
        """,
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1].version
