"""``modbot healthcheck``: DB opens and answers + a fresh heartbeat -> 0; otherwise non-zero with a reason."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fake_discord import BotHarness

from bot.cli import main as cli_main
from bot.cli.healthcheck import check
from bot.heartbeat import HEARTBEAT_KEY, Heartbeat
from bot.storage import Database
from bot.timestamps import format_seconds as format_beat
from bot.timestamps import try_parse_iso as parse_beat


async def make_db(path: Path, beat: datetime | None = None) -> Path:
    db = await Database.open(path)
    if beat is not None:
        await db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (HEARTBEAT_KEY, format_beat(beat)))
    await db.close()
    return path


def test_missing_database_is_unhealthy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope" / "modbot.sqlite3"
    assert cli_main(["healthcheck", "--db", str(missing)]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert not missing.parent.exists()  # the check never creates anything


async def test_no_heartbeat_means_not_running(tmp_path: Path) -> None:
    path = await make_db(tmp_path / "db.sqlite3")
    result = check(path)
    assert not result.ok and "not running" in result.reason
    assert check(path, heartbeat=False).ok


async def test_fresh_and_stale_heartbeat(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(UTC).replace(microsecond=0)  # beats are stored to the second
    path = await make_db(tmp_path / "db.sqlite3", beat=now - timedelta(seconds=20))
    assert check(path, now=now).ok
    stale = check(path, max_age=10, now=now)
    assert not stale.ok and "stale" in stale.reason and "20s ago" in stale.reason
    assert cli_main(["healthcheck", "--db", str(path)]) == 0
    assert "ok: database answers" in capsys.readouterr().out
    assert cli_main(["healthcheck", "--db", str(path), "--max-age", "5"]) == 1
    assert "UNHEALTHY: heartbeat is stale" in capsys.readouterr().err


async def test_not_a_modbot_database(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    sqlite3.connect(path).close()
    path.write_bytes(b"")  # an empty file is a valid empty SQLite database
    result = check(path)
    assert not result.ok and "no meta table" in result.reason
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not sqlite at all" * 100)
    assert not check(garbage).ok


async def test_database_path_comes_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = await make_db(tmp_path / "configured.sqlite3", beat=datetime.now(UTC))
    monkeypatch.setenv("MODBOT_STORAGE__PATH", str(path))
    assert cli_main(["healthcheck", "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_beat_format_round_trip() -> None:
    when = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    assert parse_beat(format_beat(when)) == when
    assert parse_beat("garbage") is None and parse_beat(None) is None


async def test_heartbeat_task_writes_and_clears(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "hb.sqlite3")
    try:
        heartbeat = Heartbeat(db, interval=0.01)
        heartbeat.start()
        await asyncio.sleep(0.1)
        assert heartbeat.beats >= 2
        assert check(db.path).ok
        await heartbeat.stop()
        assert not check(db.path).ok
    finally:
        await db.close()


async def test_running_bot_is_healthy_and_stopped_bot_is_not(bot: BotHarness) -> None:
    path = Path(bot.settings.storage.path)
    assert bot.bot.heartbeat is not None and bot.bot.heartbeat.beats >= 1
    assert check(path).ok
    await bot.stop()
    result = check(path)
    assert not result.ok and "not running" in result.reason
