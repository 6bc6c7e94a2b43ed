"""The Redis test support itself: a real server on a unix socket, emptied between tests."""

from __future__ import annotations

import pytest
from support.redis_server import REQUIRE_ENV, RedisServer, skip_or_fail


async def test_redis_url_is_a_unix_socket_that_answers(redis_url: str) -> None:
    import redis.asyncio as redis

    assert redis_url.startswith("unix:///") and redis_url.endswith(".sock")
    client = redis.Redis.from_url(redis_url)
    try:
        assert await client.ping()
        assert await client.set("k", "v", nx=True, px=1000)
        assert not await client.set("k", "w", nx=True, px=1000)
        assert await client.get("k") == b"v"
    finally:
        await client.aclose()


async def test_each_test_starts_empty(redis_url: str, redis_server: RedisServer) -> None:
    import redis.asyncio as redis

    client = redis.Redis.from_url(redis_url)
    try:
        assert await client.dbsize() == 0
        await client.set("left-behind", "1")
    finally:
        await client.aclose()
    redis_server.flush()


def test_no_tcp_listener_and_no_persistence(redis_server: RedisServer) -> None:
    with redis_server.client() as client:
        config = {**client.config_get("port"), **client.config_get("save"), **client.config_get("appendonly")}
    assert config == {"port": "0", "save": "", "appendonly": "no"}


def test_required_redis_turns_a_skip_into_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="requires Redis"):
        skip_or_fail("redis-server is not installed")
    monkeypatch.setenv(REQUIRE_ENV, "0")
    with pytest.raises(pytest.skip.Exception):
        skip_or_fail("redis-server is not installed")
