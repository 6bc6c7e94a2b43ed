"""Shared fixtures: a fake Discord on loopback and the real bot (in-process or as a child process) against it.

Fixtures
- ``fake_discord``: a started :class:`FakeDiscord` with the default world (see ``fake_discord/world.py``);
  discord.py is pointed at it for the test. The test fails at teardown on errors logged by discord.py / bot / cogs,
  requests Discord would reject, and network leaks; opt out with ``@pytest.mark.allow_errors`` or
  ``fake_discord.allow_errors()``.
- ``make_bot(overrides=None, *, start=True, scorer=None)``: a :class:`BotHarness` running ``bot.app.ModBot`` on a
  temp DB (``overrides`` are settings sections, deep-merged over the test defaults; ``harness.settings`` holds them;
  ``scorer`` replaces the analyzer, e.g. ``support.keyword_scorer.KeywordTestScorer()``).
- ``bot``: ``await make_bot()``.
- ``make_client(factory, *, start=True, token=None)``: a harness for any discord.Client (self-tests).
- ``spawn_bot(settings=None, *, args=("run",), module="bot", start=True, token=None)``: a :class:`BotProcess`
  running ``python -m bot run`` against the fake (same temp DB path as ``make_bot``); ``module="support.keyword_run"``
  runs the same command with the keyword TEST scorer.
- ``redis_server`` (session) / ``redis_url``: a real ``redis-server`` on a unix socket, emptied before each test
  (``support/redis_server.py``; skipped without it unless ``MODBOT_TEST_REQUIRE_REDIS=1``).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

TESTS_DIR = str(Path(__file__).resolve().parent)
if TESTS_DIR not in sys.path:  # make the fake_discord package importable however pytest was started
    sys.path.insert(0, TESTS_DIR)

from fake_discord import (  # noqa: E402
    BotHarness,
    BotProcess,
    ErrorLogGuard,
    FakeDiscord,
    collect_failures,
    network,
    pointed_at,
    seed_default_world,
)
from support.redis_server import redis_server, redis_url  # noqa: E402, F401 - fixtures (a real redis-server)

FAST_GUILD_READY = 0.05


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allow_errors: the test expects logged errors / requests Discord rejects")


def deep_merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def bot_overrides(fake: FakeDiscord, data_dir: Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Settings overrides for a test bot: the fake's token, a temp DB, a short guild_ready_timeout."""
    base = {
        "discord": {"token": fake.token, "guild_ready_timeout": FAST_GUILD_READY},
        "storage": {"path": str(data_dir / "modbot.sqlite3")},
        # No Detoxify weights offline: tests that need toxicity build a tiny checkpoint and opt in.
        "toxicity": {"enabled": False},
    }
    return deep_merge(base, overrides or {})


def load_test_settings(fake: FakeDiscord, data_dir: Path, overrides: Mapping[str, Any] | None = None) -> Any:
    from bot.settings import load_settings

    return load_settings(None, env_file=None, overrides=bot_overrides(fake, data_dir, overrides), environ={})


@pytest.fixture(autouse=True)
def _isolated_logging() -> Iterator[None]:
    """A test that runs ``modbot run`` in-process configures the root logger (bot.logsetup.setup_logging); put the
    root's handlers and level back afterwards so no test sees another's log setup."""
    from bot.logsetup import CurrentStderr

    root = logging.getLogger()
    before, level = set(root.handlers), root.level
    yield
    for handler in list(root.handlers):  # only the bot's own handler: pytest's capture handlers are pytest's
        if isinstance(handler, CurrentStderr) and handler not in before:
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
async def fake_discord(request: pytest.FixtureRequest) -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    seed_default_world(fake)
    await fake.start()
    network.leaks.clear()
    guard = ErrorLogGuard().install()
    fake.log_guard = guard
    if request.node.get_closest_marker("allow_errors"):
        fake.allow_errors()
    try:
        with pointed_at(fake.port):
            yield fake
    finally:
        guard.uninstall()
        await fake.stop()
    problems = collect_failures(fake, guard)
    network.leaks.clear()
    if problems:
        pytest.fail(problems, pytrace=False)


@pytest.fixture
async def make_client(fake_discord: FakeDiscord) -> AsyncIterator[Callable[..., Awaitable[BotHarness]]]:
    harnesses: list[BotHarness] = []

    async def factory(build: Callable[[], Any], *, start: bool = True, token: str | None = None) -> BotHarness:
        harness = BotHarness(fake_discord, build, token=token, guard=fake_discord.log_guard)
        harnesses.append(harness)
        if start:
            await harness.start()
        return harness

    yield factory
    for harness in harnesses:
        await harness.stop()


@pytest.fixture
async def make_bot(make_client: Callable[..., Awaitable[BotHarness]], fake_discord: FakeDiscord,
                   tmp_path: Path) -> Callable[..., Awaitable[BotHarness]]:
    async def factory(overrides: Mapping[str, Any] | None = None, *, start: bool = True,
                      scorer: Any = None) -> BotHarness:
        from bot.app import ModBot

        settings = load_test_settings(fake_discord, tmp_path, overrides)
        token = settings.discord.token.get_secret_value() if settings.discord.token else ""
        harness = await make_client(lambda: ModBot(settings, scorer=scorer), start=start, token=token)
        harness.settings = settings
        return harness

    return factory


@pytest.fixture
async def bot(make_bot: Callable[..., Awaitable[BotHarness]]) -> BotHarness:
    return await make_bot()


@pytest.fixture
async def spawn_bot(fake_discord: FakeDiscord, tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[BotProcess]]]:
    processes: list[BotProcess] = []

    async def factory(settings: Mapping[str, Any] | None = None, *, args: Sequence[str] = ("run",),
                      module: str = "bot", start: bool = True, token: str | None = None) -> BotProcess:
        merged = deep_merge({"discord": {"guild_ready_timeout": FAST_GUILD_READY},
                             "storage": {"path": str(tmp_path / "modbot.sqlite3")}}, settings or {})
        process = BotProcess(fake_discord, tmp_path / f"proc{len(processes)}", args=args, module=module,
                             settings=merged, token=token)
        processes.append(process)
        if start:
            await process.start()
        return process

    yield factory
    for process in processes:
        await process.close()
    errors = [line for process in processes for line in process.logged_errors()]
    if errors and not fake_discord.errors_allowed:
        pytest.fail("the bot process logged errors:\n" + "\n".join(errors), pytrace=False)
