"""Logs never contain the token or message text unless ``logging.debug_content`` is on (even at DEBUG)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from support.keyword_run import MODULE as KEYWORD_RUN

from bot.logsetup import CONTENT_LOGGERS, SQL_LOGGERS, setup_logging

SECRET_TEXT = "zebra-quokka-7731 flagme"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in (*CONTENT_LOGGERS, *SQL_LOGGERS)}
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)


def test_payload_loggers_stay_quiet_at_debug(restore_logging: None) -> None:
    setup_logging("DEBUG", "json")
    for name in CONTENT_LOGGERS:
        assert logging.getLogger(name).getEffectiveLevel() == logging.INFO
    setup_logging("DEBUG", "json", debug_content=True)
    for name in CONTENT_LOGGERS:
        assert logging.getLogger(name).getEffectiveLevel() == logging.DEBUG
    setup_logging("WARNING", "text")
    assert logging.getLogger("discord.gateway").getEffectiveLevel() == logging.WARNING


def test_sql_statements_stay_out_of_debug_logs(restore_logging: None, tmp_path: Any, capsys: Any) -> None:
    """SQLAlchemy logs statements with their parameters (message text) once its logger is enabled."""
    import asyncio

    from bot.storage import Database

    setup_logging("DEBUG", "text")
    for name in SQL_LOGGERS:
        assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING

    async def write() -> None:
        db = await Database.open(tmp_path / "quiet.sqlite3")
        await db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("k", "PRIVATE MESSAGE TEXT"))
        await db.close()

    asyncio.run(write())
    assert "PRIVATE MESSAGE TEXT" not in capsys.readouterr().err  # the handler writes to the current stderr


def test_the_handler_follows_stderr(restore_logging: None, capsys: Any) -> None:
    setup_logging("INFO", "text")
    capsys.readouterr()
    logging.getLogger("modbot.test").info("first")
    assert "first" in capsys.readouterr().err  # made before this capture began, still lands in it


@pytest.mark.slow
async def test_running_bot_at_debug_logs_neither_token_nor_message_text(spawn_bot, fake_discord) -> None:
    process = await spawn_bot({
        "logging": {"level": "DEBUG", "format": "json"},
        "moderation": {"mod_channel_id": fake_discord.state.channel("mod-queue").id},
    }, module=KEYWORD_RUN)
    await process.post_message("general", SECRET_TEXT)
    await process.wait_for(lambda: process.bot_posts("mod-queue"), timeout=10, message="the case card")
    await process.quiet()
    assert await process.terminate() == 0
    output = process.output()
    lines = [line for line in output.splitlines() if line.startswith("{")]
    assert any(json.loads(line)["level"] == "DEBUG" for line in lines)  # DEBUG really was on
    assert "zebra-quokka" not in output
    assert fake_discord.token not in output
