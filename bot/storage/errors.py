"""The storage layer's one exception."""

from __future__ import annotations


class StorageError(Exception):
    """The database could not be opened or migrated (message is operator-facing)."""
