"""Who may call: the key check (``?key=`` or ``X-Goog-Api-Key``) and a QPS quota per key (token buckets).

Keys are required as soon as one active key exists; with none the server is keyless, which it only allows on a
loopback address (checked at start). Keys added or revoked by ``modbot api-key`` while the server runs are seen
within ``[api] key_refresh_seconds``.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable

from bot.api.errors import exhausted, permission_denied, unauthenticated
from bot.api.keys import KeyInfo, KeyStore, hash_key

KEYLESS = "(keyless)"


def is_loopback(host: str) -> bool:
    """True for localhost / 127.0.0.0/8 / ::1."""
    if host.strip().lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class TokenBucket:
    """``qps`` requests a second on average, bursts of up to ``max(1, qps)``."""

    def __init__(self, qps: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.qps = qps
        self.capacity = max(1.0, qps)
        self.tokens = self.capacity
        self._clock = clock
        self._at = clock()

    def take(self) -> float:
        """0.0 when a request may go ahead (one token taken), else the seconds until one will be available."""
        now = self._clock()
        self.tokens = min(self.capacity, self.tokens + (now - self._at) * self.qps)
        self._at = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.qps


class Gate:
    """Checks a request's key and quota; keeps the active keys in memory, re-read every ``refresh_seconds``."""

    def __init__(self, store: KeyStore, *, refresh_seconds: float = 5.0, keyless_qps: float = 0.0,
                 loopback: bool = True, clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._loopback = loopback
        self._revoked: set[str] = set()
        self._refresh = refresh_seconds
        self._keyless_qps = keyless_qps
        self._clock = clock
        self._keys: dict[str, KeyInfo] = {}
        self._loaded_at: float | None = None
        self._buckets: dict[str, TokenBucket] = {}

    async def refresh(self, *, force: bool = False) -> dict[str, KeyInfo]:
        """Re-read the active keys when due (or ``force``)."""
        now = self._clock()
        if force or self._loaded_at is None or now - self._loaded_at >= self._refresh:
            every = await self._store.list()
            self._keys = {k.key_sha256: k for k in every if k.active}
            self._revoked = {k.key_sha256 for k in every if not k.active} - set(self._keys)
            self._loaded_at = now
        return self._keys

    @property
    def keyless(self) -> bool:
        """True while no active key exists (as of the last refresh)."""
        return not self._keys

    async def admit(self, key: str | None) -> str:
        """The name of the caller's key (or ``(keyless)``), or ApiError 403 / 401 / 429."""
        keys = await self.refresh()
        if key and hash_key(key) in self._revoked:
            raise unauthenticated("API key not valid (revoked). Please pass a valid API key.")
        if not keys and not self._loopback:  # every key was revoked while serving a public address
            raise permission_denied("No API key exists on this server; keyless use is only served on loopback.")
        if not keys:
            return self._charge(KEYLESS, self._keyless_qps) if self._keyless_qps > 0 else KEYLESS
        if not key:
            raise permission_denied("The request is missing a valid API key. Pass it as ?key= or in the "
                                    "X-Goog-Api-Key header.")
        info = keys.get(hash_key(key))
        if info is None:
            raise unauthenticated("API key not valid. Please pass a valid API key.")
        return self._charge(info.name, info.qps)

    def _charge(self, name: str, qps: float) -> str:
        bucket = self._buckets.get(name)
        if bucket is None or bucket.qps != qps:
            bucket = self._buckets[name] = TokenBucket(qps, self._clock)
        wait = bucket.take()
        if wait > 0:
            raise exhausted(f"Quota exceeded for key {name!r}: {qps:g} queries per second. Retry in {wait:.2f} s.",
                            wait)
        return name
