"""Storage fixtures: ``db`` is a fresh, migrated database, once on SQLite and once on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support.pg_server import ENGINES, database_for

from bot.storage import Database


@pytest.fixture(params=ENGINES)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with database_for(request.param, request, tmp_path) as database:
        yield database
