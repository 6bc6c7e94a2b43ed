"""``modbot worker``'s start-up refusals: no Redis configured, Redis not answering, workers mode without Redis.
(The worker at work is tested in tests/cluster/test_worker.py and tests/e2e/test_workers_burst.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("MODBOT_CONFIG", "MODBOT_CLUSTER__REDIS_URL", "MODBOT_CLUSTER__SCORING", "MODBOT_STORAGE__URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MODBOT_STORAGE__PATH", str(tmp_path / "modbot.sqlite3"))


def test_worker_without_redis_url_says_what_to_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker"]) == 2
    assert "[cluster] redis_url" in capsys.readouterr().err


def test_workers_mode_without_redis_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MODBOT_CLUSTER__SCORING", "workers")
    assert main(["worker"]) == 2
    assert 'scoring = "workers" needs redis_url' in capsys.readouterr().err


def test_worker_exits_when_redis_does_not_answer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("redis")
    monkeypatch.setenv("MODBOT_CLUSTER__REDIS_URL", f"unix://{tmp_path / 'nobody.sock'}")
    assert main(["worker"]) == 1
    assert "Redis does not answer" in capsys.readouterr().err


def test_worker_opens_the_storage_url_not_the_sqlite_path(monkeypatch: pytest.MonkeyPatch, redis_url: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """``[storage] url`` (PostgreSQL) wins over ``path``, as in ``modbot run``: workers and gateways share it."""
    from bot.storage import Database, StorageError

    opened: list[object] = []

    async def refuse(cls: type[Database], target: object, **_: object) -> Database:
        opened.append(target)
        raise StorageError("not reachable in this test")

    monkeypatch.setattr(Database, "open", classmethod(refuse))
    monkeypatch.setenv("MODBOT_CLUSTER__REDIS_URL", redis_url)
    monkeypatch.setenv("MODBOT_STORAGE__URL", "postgresql+asyncpg://modbot@db.invalid/modbot")
    assert main(["worker"]) == 1
    assert opened == ["postgresql+asyncpg://modbot@db.invalid/modbot"]
    assert "not reachable in this test" in capsys.readouterr().err
