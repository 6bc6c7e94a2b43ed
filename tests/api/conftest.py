"""Fixtures for the comment analysis API: the real server on an ephemeral loopback port, scoring with a tiny
planted Detoxify checkpoint (Detoxify's format, built offline) through the real engine and analyzer.

- ``api_settings(**sections)``: settings on a temp database, the tiny checkpoint, learned heads off (lexicons and
  patterns only, so the analyzer needs no MiniLM), ``[api] port = 0``.
- ``start_api(settings=None)``: a started :class:`support.api_server.RunningApi` (stopped at teardown).
- ``api``: ``await start_api()``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from support.api_server import RunningApi
from support.tiny_detoxify import cached_checkpoint

from bot.analysis.analyzer import Analyzer
from bot.analysis.engine import ScoringEngine
from bot.api.server import build_server
from bot.settings import Settings, load_settings
from bot.storage import Database


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) \
            else value
    return out


@pytest.fixture
def api_settings(tmp_path: Path) -> Callable[..., Settings]:
    def build(**sections: Any) -> Settings:
        base = {
            "storage": {"path": str(tmp_path / "modbot.sqlite3")},
            "toxicity": {"checkpoint": str(cached_checkpoint("original", planted=True)), "variant": "original",
                         "runtime": "fp32", "torch_threads": 1, "max_wait_ms": 5.0, "startup_wait": 60.0},
            "policy": {"use_learned_heads": False},
            "api": {"port": 0, "key_refresh_seconds": 0.0},
        }
        return load_settings(None, env_file=None, environ={}, overrides=deep_merge(base, sections))
    return build


@pytest.fixture
async def start_api(api_settings: Callable[..., Settings]) -> AsyncIterator[Callable[..., Awaitable[RunningApi]]]:
    running: list[tuple[RunningApi, Analyzer]] = []

    async def factory(settings: Settings | None = None) -> RunningApi:
        settings = settings or api_settings()
        db = await Database.open(settings.storage.path)
        engine = ScoringEngine(settings.toxicity) if settings.toxicity.enabled else None
        if engine is not None:
            status = await engine.start()
            assert status.ok, status.summary
        analyzer = Analyzer(settings.policy, engine=engine)
        server = build_server(settings, db, engine, analyzer)
        item = RunningApi(server, db, engine, settings)
        running.append((item, analyzer))
        await server.start()
        return item

    yield factory
    for item, analyzer in running:
        await item.server.stop()
        await analyzer.close()
        if item.engine is not None:
            await item.engine.close()
        await item.db.close()


@pytest.fixture
async def api(start_api: Callable[..., Awaitable[RunningApi]]) -> RunningApi:
    return await start_api()
