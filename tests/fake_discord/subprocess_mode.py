"""Run the bot as a child process (``python -m bot run``) against the fake, for crash/restart tests."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .actions import Actions
from .harness import collect_failures
from .server import FakeDiscord

PACKAGE_DIR = Path(__file__).resolve().parent
SITE_DIR = PACKAGE_DIR / "subprocess_site"
REPO_ROOT = PACKAGE_DIR.parent.parent
ERROR_LINE = re.compile(r"\b(ERROR|CRITICAL)\b|Traceback \(most recent call last\)")


def settings_env(settings: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """``{"discord": {"cogs": [...]}}`` -> ``{"MODBOT_DISCORD__COGS": '["..."]'}`` (pydantic-settings env syntax)."""
    env = {}
    for section, values in settings.items():
        for key, value in values.items():
            raw = value if isinstance(value, str) else json.dumps(value)
            env[f"MODBOT_{section.upper()}__{key.upper()}"] = raw
    return env


class BotProcess(Actions):
    """A ``python -m <module> <args>`` child (``bot run`` by default) pointed at ``fake``.

    ``subprocess_site/sitecustomize.py`` on the child's PYTHONPATH patches discord.py at interpreter start.

    Output goes to ``<workdir>/bot.out``; the child's cwd is ``workdir`` (so no stray ``.env`` is read).
    """

    def __init__(self, fake: FakeDiscord, workdir: Path, *, args: Sequence[str] = ("run",), module: str = "bot",
                 settings: Mapping[str, Mapping[str, Any]] | None = None, token: str | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        super().__init__(fake)
        self.workdir = workdir
        self.args = list(args)
        self.module = module
        self.settings = settings or {}
        self.token = token if token is not None else fake.token
        self.extra_env = dict(env or {})
        self.proc: asyncio.subprocess.Process | None = None
        self.output_path = workdir / "bot.out"
        self._sessions_before = 0
        self.failure_check = self._failure

    def build_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("MODBOT_") and k not in ("DISCORD_TOKEN", "PYTHONPATH")}
        env.update({
            "PYTHONPATH": os.pathsep.join([str(SITE_DIR), str(REPO_ROOT), str(PACKAGE_DIR.parent)]),
            "FAKE_DISCORD_PORT": str(self.fake.port),
            "FAKE_DISCORD_NETWORK": str(PACKAGE_DIR / "network.py"),
            "MODBOT_DISCORD__TOKEN": self.token,
            "MODBOT_TOXICITY__ENABLED": "false",  # no Detoxify weights offline; a test may override it
            "PYTHONUNBUFFERED": "1",
        })
        env.update(settings_env(self.settings))
        env.update(self.extra_env)
        return env

    async def spawn(self) -> None:
        """Start the child without waiting for it to connect."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._sessions_before = len(self.fake.gateway.sessions)
        with self.output_path.open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", self.module, *self.args, cwd=self.workdir, env=self.build_env(),
                stdout=out, stderr=asyncio.subprocess.STDOUT, stdin=asyncio.subprocess.DEVNULL)

    async def start(self, timeout: float = 20.0, settle: float = 0.1) -> BotProcess:
        """Spawn and wait until the child's gateway session got READY and REST traffic settled."""
        await self.spawn()
        await self.wait_for(self._new_session_ready, timeout, message="the bot process to connect")
        await self.quiet(settle, timeout)
        return self

    def _new_session_ready(self) -> bool:
        sessions = list(self.fake.gateway.sessions.values())[self._sessions_before:]
        return any(s.ready_sent for s in sessions)

    def _failure(self) -> str | None:
        if self.fake.errors_allowed:
            return None
        if self.proc is not None and self.proc.returncode is not None:
            return f"the bot process exited with {self.proc.returncode}:\n{self.output()}"
        if self.logged_errors():
            return f"the bot process logged errors:\n{self.output()}"
        return collect_failures(self.fake, None)

    def logged_errors(self) -> list[str]:
        """Output lines that look like ERROR/CRITICAL log records or tracebacks."""
        return [line for line in self.output().splitlines() if ERROR_LINE.search(line)]

    def output(self) -> str:
        return self.output_path.read_text(errors="replace") if self.output_path.exists() else ""

    async def wait(self, timeout: float = 10.0) -> int:
        """Wait for the child to exit; return its exit code."""
        assert self.proc is not None, "not started"
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def terminate(self, timeout: float = 10.0) -> int:
        """SIGTERM (graceful shutdown) and wait; returns the exit code."""
        assert self.proc is not None, "not started"
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        return await self.wait(timeout)

    async def kill(self) -> int:
        """SIGKILL (a crash: no cleanup runs) and wait; returns the exit code (-9)."""
        assert self.proc is not None, "not started"
        if self.proc.returncode is None:
            self.proc.kill()
        return await self.wait()

    async def restart(self, *, crash: bool = False, timeout: float = 20.0) -> BotProcess:
        """Stop the child (SIGKILL if ``crash``, else SIGTERM) and start a new one with the same settings and DB."""
        await (self.kill() if crash else self.terminate())
        return await self.start(timeout)

    async def run_to_exit(self, timeout: float = 20.0) -> tuple[int, str]:
        """Spawn a command expected to exit by itself (e.g. a bad token); return (exit code, output)."""
        await self.spawn()
        code = await self.wait(timeout)
        return code, self.output()

    async def close(self) -> None:
        """Make sure the child is gone (fixture teardown)."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
