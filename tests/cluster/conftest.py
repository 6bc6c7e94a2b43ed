"""Fixtures for the cluster tests: a redis-py client on the test Redis (``redis_url``, support/redis_server.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

try:
    from redis.asyncio import Redis
except ImportError:  # pragma: no cover - the redis_url fixture skips (or fails under MODBOT_TEST_REQUIRE_REDIS)
    Redis = None  # type: ignore[assignment,misc]


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[Redis]:
    redis = Redis.from_url(redis_url)
    yield redis
    await redis.aclose()
