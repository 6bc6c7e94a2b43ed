"""Baseline: the schema of numbered migration 9, on SQLite or PostgreSQL.

Revision ID: 0009
Revises:
Create Date: 2026-05-20

Snowflakes and ids are BIGINT (Discord ids exceed PostgreSQL's int4; SQLite stores any INTEGER in 8 bytes);
timestamps are ISO-8601 TEXT (written by Python; the defaults below only fill rows inserted without one); JSON is
TEXT. A SQLite file made before Alembic already has this schema and is only stamped with this revision.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = None
branch_labels = None
depends_on = None

_SQLITE_NOW = "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
_POSTGRES_NOW = """(to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))"""
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite: INTEGER PRIMARY KEY AUTOINCREMENT


def _now() -> sa.TextClause:
    return sa.text(_SQLITE_NOW if op.get_bind().dialect.name == "sqlite" else _POSTGRES_NOW)


def _id() -> sa.Column[int]:
    return sa.Column("id", ID, primary_key=True, autoincrement=True)


def _text(name: str, default: str | None = None, *, nullable: bool = False) -> sa.Column[str]:
    server_default = None if default is None else sa.text(f"'{default}'")
    return sa.Column(name, sa.Text(), nullable=nullable, server_default=server_default)


def _stamp(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=False, server_default=_now())


def _big(name: str, *, nullable: bool = False, default: int | None = None) -> sa.Column[int]:
    server_default = None if default is None else sa.text(str(default))
    return sa.Column(name, sa.BigInteger(), nullable=nullable, server_default=server_default)


def _int(name: str, default: int | None = None, *, nullable: bool = False) -> sa.Column[int]:
    server_default = None if default is None else sa.text(str(default))
    return sa.Column(name, sa.Integer(), nullable=nullable, server_default=server_default)


def _case_ref(*, unique: bool = False) -> sa.Column[int]:
    return sa.Column("case_id", sa.BigInteger(), sa.ForeignKey("mod_cases.id", ondelete="CASCADE"),
                     nullable=False, unique=unique)


def _partial(where: str) -> dict[str, Any]:
    return {"sqlite_where": sa.text(where), "postgresql_where": sa.text(where)}


def upgrade() -> None:
    auto = {"sqlite_autoincrement": True}
    op.create_table("meta", sa.Column("key", sa.Text(), primary_key=True), _text("value"))
    op.create_table(
        "guild_settings", _big("guild_id"), sa.Column("key", sa.Text(), nullable=False), _text("value_json"),
        _stamp("updated_at"), _big("updated_by", nullable=True), sa.PrimaryKeyConstraint("guild_id", "key"),
    )
    op.create_table(
        "audit_log", _id(), _stamp("at"), _big("guild_id", nullable=True), _big("actor_id", nullable=True),
        _text("action"), _text("target", nullable=True), _text("detail", nullable=True),
        _big("case_id", nullable=True), _text("reason", nullable=True), **auto,
    )
    op.create_index("audit_log_guild_at", "audit_log", ["guild_id", "at"])
    op.create_index("audit_log_case", "audit_log", ["case_id"])
    _cases(auto)
    op.create_table(
        "mod_reports", _id(), _case_ref(), _big("reporter_id"), _text("reason", nullable=True), _stamp("at"),
        sa.UniqueConstraint("case_id", "reporter_id"), **auto,
    )
    op.create_table(
        "mod_channel_cursors", sa.Column("channel_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        _big("guild_id"), _big("last_message_id"), _stamp("updated_at"),
    )
    op.create_table(
        "discussion_threads", sa.Column("thread_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        _big("guild_id"), _big("channel_id"), _big("message_id"), _text("article_id"), _text("article_title", ""),
        _text("article_source", ""), _big("created_by", nullable=True), _stamp("created_at"),
    )
    op.create_index("discussion_threads_article", "discussion_threads", ["article_id"])
    op.create_table(
        "library_articles", sa.Column("article_id", sa.Text(), primary_key=True), _text("url"), _text("title", ""),
        _text("data_json"), _stamp("added_at"),
    )
    _api(auto)
    _sanctions(auto)
    _automod(auto)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA user_version = 9")  # a modbot from before Alembic reads this file as schema 9 too


def _cases(auto: dict[str, bool]) -> None:
    op.create_table(
        "mod_cases", _id(), _big("guild_id"), _big("channel_id"),
        sa.Column("message_id", sa.BigInteger(), nullable=False, unique=True), _big("author_id"),
        _text("author_name", ""), _text("jump_url", ""), _text("content", nullable=True),
        _text("evidence", nullable=True), _int("flagged", 0), _text("severity", ""), _text("labels_json", "[]"),
        _text("reasons_json", "[]"), _text("scores_json", "{}"), _text("source", "listener"),
        _text("state", "pending"), _text("note", nullable=True), _big("claimed_by", nullable=True),
        _text("claimed_at", nullable=True), _big("lock_actor_id", nullable=True), _text("lock_action", nullable=True),
        _text("lock_at", nullable=True), _big("decided_by", nullable=True), _text("decided_at", nullable=True),
        _text("decision_reason", nullable=True), _text("auto_action", nullable=True), _int("message_deleted", 0),
        _int("edit_count", 0), _big("card_channel_id", nullable=True), _big("card_message_id", nullable=True),
        _big("digest_message_id", nullable=True), _text("content_purged_at", nullable=True), _stamp("created_at"),
        _stamp("updated_at"), _big("reply_to_message_id", nullable=True), _big("reply_to_author_id", nullable=True),
        _text("reply_to_author_name", nullable=True), _text("reply_to_content", nullable=True),
        _text("article_title", nullable=True), _int("appealable", 1), **auto,
    )
    op.create_index("mod_cases_state", "mod_cases", ["guild_id", "state", "id"])
    op.create_index("mod_cases_author", "mod_cases", ["guild_id", "author_id", "id"])
    op.create_index("mod_cases_unannounced", "mod_cases", ["id"],
                    **_partial("card_message_id IS NULL AND digest_message_id IS NULL"))


def _api(auto: dict[str, bool]) -> None:
    op.create_table(
        "api_keys", _id(), _text("name"), sa.Column("key_sha256", sa.Text(), nullable=False, unique=True),
        sa.Column("qps", sa.Float(), nullable=False), _stamp("created_at"), _text("revoked_at", nullable=True),
        **auto,
    )
    op.create_index("api_keys_active_name", "api_keys", ["name"], unique=True, **_partial("revoked_at IS NULL"))
    op.create_table(
        "api_feedback", _id(), _stamp("at"), _text("key_name", nullable=True), _text("comment_text"),
        _text("scores_json"), _text("languages_json", "[]"), _text("community_id", nullable=True),
        _text("session_id", nullable=True), _text("client_token", nullable=True), **auto,
    )


def _sanctions(auto: dict[str, bool]) -> None:
    op.create_table(
        "mod_strikes", _id(), _big("guild_id"), _big("member_id"), _case_ref(unique=True), _text("action"),
        _int("minutes", nullable=True), _text("created_at"), _text("expires_at"), _text("cleared_at", nullable=True),
        _big("cleared_by", nullable=True), _text("cleared_reason", nullable=True), **auto,
    )
    op.create_index("mod_strikes_member", "mod_strikes", ["guild_id", "member_id", "expires_at"])
    op.create_table(
        "mod_appeals", _id(), _case_ref(unique=True), _big("guild_id"), _big("member_id"), _text("text"),
        _text("state", "pending"), _text("created_at"), _big("decided_by", nullable=True),
        _text("decided_at", nullable=True), **auto,
    )
    op.create_index("mod_appeals_state", "mod_appeals", ["guild_id", "state", "case_id"])
    op.create_index("mod_appeals_member", "mod_appeals", ["guild_id", "member_id", "created_at"])


def _automod(auto: dict[str, bool]) -> None:
    op.create_table(
        "automod_hits", _id(), _case_ref(), _big("guild_id"), _big("rule_id"), _text("rule_name", nullable=True),
        _int("trigger_type", 0), _big("user_id"), _big("channel_id", default=0), _big("message_id", nullable=True),
        _text("content_key"), _int("blocked", 0), _text("actions_json", "[]"), _int("timeout_seconds", nullable=True),
        _big("alert_message_id", nullable=True), _text("matched_keyword", nullable=True),
        _text("matched_content", nullable=True), _text("first_at"), _text("last_at"),
        sa.UniqueConstraint("case_id", "rule_id"), **auto,
    )
    op.create_index("automod_hits_recent", "automod_hits", ["guild_id", "user_id", "channel_id", "content_key",
                                                            "last_at"])
    op.create_index("automod_hits_rule", "automod_hits", ["guild_id", "rule_id"], **_partial("rule_name IS NULL"))


def downgrade() -> None:
    raise NotImplementedError("modbot migrates forward only; restore a backup to go back")
