"""The schema, as Alembic revisions (``versions/``), applied programmatically at open: no ``alembic.ini`` needed.

The baseline revision ``0009`` is the schema of numbered migration 9 (:mod:`bot.storage.migrations`); a SQLite file
made before Alembic is brought to 9 by :mod:`bot.storage.legacy` and then stamped with it. A new revision:
``alembic -c bot/storage/schema/alembic.ini revision -m "..."`` (see the README's "Storage" section); write it with
Core constructs or :mod:`bot.storage.dialect` fragments so it runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection

from bot.storage.errors import StorageError

SCRIPT_LOCATION = Path(__file__).resolve().parent
BASELINE = "0009"


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision this modbot knows."""
    script = ScriptDirectory(str(SCRIPT_LOCATION))
    heads = script.get_heads()
    assert len(heads) == 1, f"the schema revisions must form one line, not {heads}"
    return heads[0]


def current(connection: Connection) -> str | None:
    """The revision the database is at (None: Alembic has not touched it)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: Connection, *, stamp_baseline: bool) -> None:
    """Apply every pending revision on ``connection`` (in the caller's transaction); a database at a revision this
    modbot does not know is refused. ``stamp_baseline``: the database is a pre-Alembic one brought to the baseline."""
    config = _config(connection)
    if stamp_baseline:
        command.stamp(config, BASELINE)
    at = current(connection)
    if at is not None:
        try:
            ScriptDirectory(str(SCRIPT_LOCATION)).get_revision(at)
        except CommandError as exc:
            raise StorageError(
                f"the database has schema revision {at}, newer than this modbot ({head()}); "
                "upgrade modbot or restore a backup"
            ) from exc
    command.upgrade(config, "head")
