"""Numbered SQLite schema migrations 1..9 (before Alembic), tracked with ``PRAGMA user_version``.

Frozen: these are applied only to upgrade a SQLite file made before Alembic (:mod:`bot.storage.legacy`). New schema
changes are Alembic revisions in ``bot/storage/schema/versions/``, which start from this schema (the baseline).
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
    Migration(
        3,
        "moderation: cases, member reports, channel cursors; audit log case link",
        """
        CREATE TABLE mod_cases (
            id                 INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id           INTEGER NOT NULL,
            channel_id         INTEGER NOT NULL,
            message_id         INTEGER NOT NULL UNIQUE,
            author_id          INTEGER NOT NULL,
            author_name        TEXT    NOT NULL DEFAULT '',
            jump_url           TEXT    NOT NULL DEFAULT '',
            content            TEXT,
            evidence           TEXT,
            flagged            INTEGER NOT NULL DEFAULT 0,
            severity           TEXT    NOT NULL DEFAULT '',
            labels_json        TEXT    NOT NULL DEFAULT '[]',
            reasons_json       TEXT    NOT NULL DEFAULT '[]',
            scores_json        TEXT    NOT NULL DEFAULT '{}',
            source             TEXT    NOT NULL DEFAULT 'listener',
            state              TEXT    NOT NULL DEFAULT 'pending',
            note               TEXT,
            claimed_by         INTEGER,
            claimed_at         TEXT,
            lock_actor_id      INTEGER,
            lock_action        TEXT,
            lock_at            TEXT,
            decided_by         INTEGER,
            decided_at         TEXT,
            decision_reason    TEXT,
            auto_action        TEXT,
            message_deleted    INTEGER NOT NULL DEFAULT 0,
            edit_count         INTEGER NOT NULL DEFAULT 0,
            card_channel_id    INTEGER,
            card_message_id    INTEGER,
            digest_message_id  INTEGER,
            content_purged_at  TEXT,
            created_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            updated_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX mod_cases_state ON mod_cases (guild_id, state, id);
        CREATE INDEX mod_cases_author ON mod_cases (guild_id, author_id, id);
        CREATE INDEX mod_cases_unannounced ON mod_cases (id)
            WHERE card_message_id IS NULL AND digest_message_id IS NULL;
        CREATE TABLE mod_reports (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            case_id     INTEGER NOT NULL REFERENCES mod_cases (id) ON DELETE CASCADE,
            reporter_id INTEGER NOT NULL,
            reason      TEXT,
            at          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            UNIQUE (case_id, reporter_id)
        );
        CREATE TABLE mod_channel_cursors (
            channel_id      INTEGER PRIMARY KEY,
            guild_id        INTEGER NOT NULL,
            last_message_id INTEGER NOT NULL,
            updated_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        ALTER TABLE audit_log ADD COLUMN case_id INTEGER;
        ALTER TABLE audit_log ADD COLUMN reason TEXT;
        CREATE INDEX audit_log_case ON audit_log (case_id);
        """,
    ),
    Migration(
        4,
        "discussion threads",
        """
        CREATE TABLE discussion_threads (
            thread_id      INTEGER PRIMARY KEY,
            guild_id       INTEGER NOT NULL,
            channel_id     INTEGER NOT NULL,
            message_id     INTEGER NOT NULL,
            article_id     TEXT    NOT NULL,
            article_title  TEXT    NOT NULL DEFAULT '',
            article_source TEXT    NOT NULL DEFAULT '',
            created_by     INTEGER,
            created_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX discussion_threads_article ON discussion_threads (article_id);
        """,
    ),
    Migration(
        5,
        "articles added by URL",
        """
        CREATE TABLE library_articles (
            article_id TEXT PRIMARY KEY,
            url        TEXT NOT NULL,
            title      TEXT NOT NULL DEFAULT '',
            data_json  TEXT NOT NULL,
            added_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        """,
    ),
    Migration(
        6,
        "API keys and comments:suggestscore feedback (modbot serve)",
        """
        CREATE TABLE api_keys (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            name       TEXT    NOT NULL,
            key_sha256 TEXT    NOT NULL UNIQUE,
            qps        REAL    NOT NULL,
            created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            revoked_at TEXT
        );
        CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;
        CREATE TABLE api_feedback (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            at              TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            key_name        TEXT,
            comment_text    TEXT    NOT NULL,
            scores_json     TEXT    NOT NULL,
            languages_json  TEXT    NOT NULL DEFAULT '[]',
            community_id    TEXT,
            session_id      TEXT,
            client_token    TEXT
        );
        """,
    ),
    Migration(
        7,
        "reply context and article title of a case (the message it answers, the /summary thread's article)",
        """
        ALTER TABLE mod_cases ADD COLUMN reply_to_message_id INTEGER;
        ALTER TABLE mod_cases ADD COLUMN reply_to_author_id INTEGER;
        ALTER TABLE mod_cases ADD COLUMN reply_to_author_name TEXT;
        ALTER TABLE mod_cases ADD COLUMN reply_to_content TEXT;
        ALTER TABLE mod_cases ADD COLUMN article_title TEXT;
        """,
    ),
    Migration(
        8,
        "moderation: strikes per member (decay by expires_at), appeals (one per case), unappealable decisions",
        """
        CREATE TABLE mod_strikes (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id   INTEGER NOT NULL,
            member_id  INTEGER NOT NULL,
            case_id    INTEGER NOT NULL UNIQUE REFERENCES mod_cases (id) ON DELETE CASCADE,
            action     TEXT    NOT NULL,
            minutes    INTEGER,
            created_at TEXT    NOT NULL,
            expires_at TEXT    NOT NULL,
            cleared_at TEXT,
            cleared_by INTEGER,
            cleared_reason TEXT
        );
        CREATE INDEX mod_strikes_member ON mod_strikes (guild_id, member_id, expires_at);
        CREATE TABLE mod_appeals (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            case_id    INTEGER NOT NULL UNIQUE REFERENCES mod_cases (id) ON DELETE CASCADE,
            guild_id   INTEGER NOT NULL,
            member_id  INTEGER NOT NULL,
            text       TEXT    NOT NULL,
            state      TEXT    NOT NULL DEFAULT 'pending',
            created_at TEXT    NOT NULL,
            decided_by INTEGER,
            decided_at TEXT
        );
        CREATE INDEX mod_appeals_state ON mod_appeals (guild_id, state, case_id);
        CREATE INDEX mod_appeals_member ON mod_appeals (guild_id, member_id, created_at);
        ALTER TABLE mod_cases ADD COLUMN appealable INTEGER NOT NULL DEFAULT 1;
        """,
    ),
    Migration(
        9,
        "Discord AutoMod hits joined to cases (one row per case and rule)",
        """
        CREATE TABLE automod_hits (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            case_id          INTEGER NOT NULL REFERENCES mod_cases (id) ON DELETE CASCADE,
            guild_id         INTEGER NOT NULL,
            rule_id          INTEGER NOT NULL,
            rule_name        TEXT,
            trigger_type     INTEGER NOT NULL DEFAULT 0,
            user_id          INTEGER NOT NULL,
            channel_id       INTEGER NOT NULL DEFAULT 0,
            message_id       INTEGER,
            content_key      TEXT    NOT NULL,
            blocked          INTEGER NOT NULL DEFAULT 0,
            actions_json     TEXT    NOT NULL DEFAULT '[]',
            timeout_seconds  INTEGER,
            alert_message_id INTEGER,
            matched_keyword  TEXT,
            matched_content  TEXT,
            first_at         TEXT    NOT NULL,
            last_at          TEXT    NOT NULL,
            UNIQUE (case_id, rule_id)
        );
        CREATE INDEX automod_hits_recent ON automod_hits (guild_id, user_id, channel_id, content_key, last_at);
        CREATE INDEX automod_hits_rule ON automod_hits (guild_id, rule_id) WHERE rule_name IS NULL;
        """,
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1].version
