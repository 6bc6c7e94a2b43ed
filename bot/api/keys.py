"""API keys: created and revoked by ``modbot api-key``, kept in SQLite as sha256 hashes (table ``api_keys``).

A key is shown once, when it is added; only its hash is stored, so a copy of the database gives no key away.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from bot.storage import Database
from bot.timestamps import to_iso, utcnow

KEY_PREFIX = "mbk_"


def hash_key(key: str) -> str:
    """sha256 of the key as hex (what is stored and compared)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def new_key() -> str:
    """A fresh random key (about 240 bits)."""
    return KEY_PREFIX + secrets.token_urlsafe(30)


@dataclass(frozen=True)
class KeyInfo:
    """One key as stored (never the key itself)."""

    name: str
    qps: float
    created_at: str
    revoked_at: str | None = None
    key_sha256: str = ""

    @property
    def active(self) -> bool:
        """False once revoked."""
        return self.revoked_at is None


class KeyExists(ValueError):
    """An active key already has this name."""


class KeyStore:
    """Reads and writes ``api_keys``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, name: str, qps: float) -> str:
        """Create a key named ``name`` with a QPS quota; returns the key (shown once, stored hashed)."""
        name = name.strip()
        if not name:
            raise ValueError("the key name must not be empty")
        if qps <= 0:
            raise ValueError("qps must be greater than 0")
        if await self._db.fetchone("SELECT 1 FROM api_keys WHERE name = ? AND revoked_at IS NULL", (name,)):
            raise KeyExists(f"an active key is already named {name!r}; revoke it first or pick another name")
        key = new_key()
        await self._db.execute("INSERT INTO api_keys (name, key_sha256, qps, created_at) VALUES (?, ?, ?, ?)",
                               (name, hash_key(key), float(qps), to_iso(utcnow())))
        return key

    async def revoke(self, name: str) -> bool:
        """Revoke the active key named ``name``; False when there is none."""
        changed = await self._db.execute(
            "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", (to_iso(utcnow()), name))
        return changed > 0

    async def list(self) -> list[KeyInfo]:
        """Every key, revoked ones too, oldest first."""
        rows = await self._db.fetchall("SELECT name, qps, created_at, revoked_at, key_sha256 FROM api_keys ORDER BY id")
        return [KeyInfo(str(r[0]), float(r[1]), str(r[2]), r[3], str(r[4])) for r in rows]
