"""Embedded SQLite storage: one connection owner, numbered migrations, small repositories."""

from bot.storage.db import Database, StorageError
from bot.storage.migrations import MIGRATIONS, SCHEMA_VERSION

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Database", "StorageError"]
