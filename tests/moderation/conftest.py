"""Fixtures for the moderation core tests: a fresh database (each test runs on SQLite and on PostgreSQL), a snapshot
factory and a started moderation service."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from moderation.doubles import FakeExecutor, FakePublisher, MarkerScorer, core_config
from support.pg_server import ENGINES, database_for

from bot.moderation.models import MessageSnapshot
from bot.moderation.service import ModerationService
from bot.storage import Database

GUILD, CHANNEL, AUTHOR = 10, 20, 30


@pytest.fixture(params=ENGINES)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with database_for(request.param, request, tmp_path) as database:
        yield database


@pytest.fixture
def snap() -> Callable[..., MessageSnapshot]:
    ids = itertools.count(1000)

    def factory(content: str = "hello", **kwargs: Any) -> MessageSnapshot:
        values: dict[str, Any] = {"message_id": next(ids), "guild_id": GUILD, "channel_id": CHANNEL,
                                  "author_id": AUTHOR, "content": content, "author_name": "alice"}
        values.update(kwargs)
        return MessageSnapshot(**values)

    return factory


@pytest.fixture
async def make_service(db: Database) -> AsyncIterator[Callable[..., Any]]:
    """``await make_service(scorer=None, reconcile=True, publisher=None, guild_config=None, automod_rules=None,
    queue=None, **config)``: a started service with the marker scorer, a fake publisher and executor (all stopped
    at teardown)."""
    services: list[ModerationService] = []

    async def factory(scorer: Any = None, *, reconcile: bool = True, publisher: Any = None,
                      guild_config: Any = None, automod_rules: Any = None, queue: Any = None,
                      **values: Any) -> ModerationService:
        service = ModerationService(db, core_config(**values), scorer or MarkerScorer(),
                                    publisher=publisher or FakePublisher(), executor=FakeExecutor(),
                                    guild_config=guild_config, automod_rules=automod_rules,
                                    queue=queue)
        await service.start()
        if reconcile:
            await service.review.reconcile()
        services.append(service)
        return service

    yield factory
    for service in services:
        await service.stop()
