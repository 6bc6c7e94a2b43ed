"""Storage on SQLite (default) or PostgreSQL through SQLAlchemy: one owner, Alembic revisions, small repositories."""

from bot.storage import schema
from bot.storage.db import Database
from bot.storage.errors import StorageError
from bot.storage.sql import Record, Transaction

SCHEMA_VERSION = int(schema.head())
"""The schema revision this modbot brings a database to (as a number: the baseline, 9, then one per revision)."""

__all__ = ["SCHEMA_VERSION", "Database", "Record", "StorageError", "Transaction"]
