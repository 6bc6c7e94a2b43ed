"""``modbot healthcheck``: exit 0 when the database answers and the running bot's heartbeat is fresh.

Used by the Docker ``HEALTHCHECK`` and usable from systemd or cron. The database is opened read-only (it is never
created or migrated here): the SQLite file, or the database ``[storage] url`` names (PostgreSQL). Non-zero exit with
one line saying why otherwise.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.exit_codes import ExitCode
from bot.heartbeat import HEARTBEAT_INTERVAL, HEARTBEAT_KEY
from bot.timestamps import try_parse_iso

DEFAULT_MAX_AGE = 3 * HEARTBEAT_INTERVAL


@dataclass(frozen=True)
class Health:
    """Result of a check: ``ok`` and one line for the operator."""

    ok: bool
    reason: str


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``healthcheck`` subcommand."""
    parser = subparsers.add_parser("healthcheck", help="exit 0 when the database answers and the bot is alive")
    parser.add_argument("--db", type=Path, help="database file (default: storage.path from the config)")
    parser.add_argument("--max-age", type=float, default=DEFAULT_MAX_AGE,
                        help=f"seconds after which the heartbeat is stale (default {DEFAULT_MAX_AGE:.0f})")
    parser.add_argument("--no-heartbeat", action="store_true", help="only check that the database answers")
    parser.add_argument("--quiet", action="store_true", help="print nothing when healthy")
    parser.set_defaults(func=run)


def check(db_path: Path, *, max_age: float = DEFAULT_MAX_AGE, heartbeat: bool = True,
          now: datetime | None = None) -> Health:
    """Open ``db_path`` read-only, run a query, and (unless ``heartbeat`` is False) check ``heartbeat_at``."""
    if not db_path.is_file():
        return Health(False, f"database {db_path} does not exist (has the bot ever started?)")
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error as exc:
        return Health(False, f"cannot open database {db_path}: {exc}")
    try:
        conn.execute("SELECT 1").fetchone()
        if not heartbeat:
            return Health(True, f"database {db_path} answers")
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (HEARTBEAT_KEY,)).fetchone()
        except sqlite3.OperationalError as exc:
            return Health(False, f"database {db_path} has no meta table ({exc}); is it a modbot database?")
    except sqlite3.Error as exc:
        return Health(False, f"database {db_path} does not answer: {exc}")
    finally:
        conn.close()
    return _judge(row[0] if row else None, max_age, now)


def check_url(url: str, *, max_age: float = DEFAULT_MAX_AGE, heartbeat: bool = True,
              now: datetime | None = None) -> Health:
    """:func:`check` for a database URL (``[storage] url``): one connection, one query, no migration."""
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.storage.db import database_url

    address = database_url(url)
    where = address.render_as_string(hide_password=True)

    async def read() -> tuple[str | None] | None:
        engine = create_async_engine(address)
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
                if not heartbeat:
                    return None
                result = await conn.execute(text("SELECT value FROM meta WHERE key = :key"), {"key": HEARTBEAT_KEY})
                found = result.first()
                return (found[0] if found else None,)
        finally:
            await engine.dispose()

    try:
        row = asyncio.run(read())
    except Exception as exc:
        return Health(False, f"database {where} does not answer: {exc}")
    if row is None:
        return Health(True, f"database {where} answers")
    return _judge(row[0], max_age, now)


def _judge(stored: str | None, max_age: float, now: datetime | None) -> Health:
    beat = try_parse_iso(stored)
    if beat is None:
        return Health(False, "no heartbeat: the bot is not running (or has not finished starting)")
    age = ((now or datetime.now(UTC)) - beat).total_seconds()
    if age > max_age:
        return Health(False, f"heartbeat is stale: last beat {age:.0f}s ago (limit {max_age:.0f}s)")
    return Health(True, f"ok: database answers, heartbeat {max(age, 0):.0f}s ago")


def run(args: argparse.Namespace) -> int:
    """Entry point for ``modbot healthcheck``."""
    db_path = args.db
    if db_path is None:
        from bot.cli.common import settings_or_exit

        settings = settings_or_exit(args)
        if isinstance(settings, int):
            return settings
        if settings.storage.url:
            result = check_url(settings.storage.url, max_age=args.max_age, heartbeat=not args.no_heartbeat)
            return _report(result, args.quiet)
        db_path = settings.storage.path
    return _report(check(Path(db_path), max_age=args.max_age, heartbeat=not args.no_heartbeat), args.quiet)


def _report(result: Health, quiet: bool) -> int:
    if not result.ok:
        print(f"modbot healthcheck: UNHEALTHY: {result.reason}", file=sys.stderr)
        return ExitCode.FAILED
    if not quiet:
        print(f"modbot healthcheck: {result.reason}")
    return ExitCode.OK
