"""Fixtures for the moderation core tests: a fresh database and a snapshot factory."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.moderation.models import MessageSnapshot
from bot.storage import Database

GUILD, CHANNEL, AUTHOR = 10, 20, 30


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "mod.sqlite3")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def snap() -> Callable[..., MessageSnapshot]:
    ids = itertools.count(1000)

    def factory(content: str = "hello", **kwargs: Any) -> MessageSnapshot:
        values: dict[str, Any] = {"message_id": next(ids), "guild_id": GUILD, "channel_id": CHANNEL,
                                  "author_id": AUTHOR, "content": content, "author_name": "alice"}
        values.update(kwargs)
        return MessageSnapshot(**values)

    return factory
