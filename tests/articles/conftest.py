"""Fixtures for the article tests: a loopback aiohttp server and a config that may fetch from it."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

from bot.articles.config import SummariesConfig

ServerFactory = Callable[[web.Application], Awaitable[str]]


@pytest.fixture
async def serve() -> AsyncIterator[ServerFactory]:
    """``base_url = await serve(app)`` runs ``app`` on 127.0.0.1 (a free port) until the test ends."""
    runners: list[web.AppRunner] = []

    async def start(app: web.Application) -> str:
        runner = web.AppRunner(app, shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
def loopback_config() -> SummariesConfig:
    """Summaries config allowed to fetch from loopback test servers, with short limits."""
    return SummariesConfig(
        allow_private_addresses=True, fetch_timeout=2.0, fetch_max_bytes=200_000, min_article_words=60
    )


@pytest.fixture
def closed_port() -> int:
    """A local TCP port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
