"""Run a real discord.py client in-process against the fake: start (fail fast), stop, restart, crash checks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import discord

from . import network
from .actions import Actions
from .logguard import ErrorLogGuard
from .server import FakeDiscord


class BotStartupError(AssertionError):
    """The client did not become ready (it crashed, or timed out)."""


def collect_failures(fake: FakeDiscord, guard: ErrorLogGuard | None) -> str | None:
    """Everything that should fail a test: logged handler errors, protocol violations, fake crashes, leaks."""
    if fake.errors_allowed:
        return None
    parts = []
    logged = guard.describe() if guard is not None else None
    if logged:
        parts.append(f"errors logged by the bot / discord.py:\n{logged}")
    if fake.protocol_errors:
        parts.append("Discord would have rejected these requests:\n  " + "\n  ".join(fake.protocol_errors))
    if fake.internal_errors:
        parts.append("the fake Discord crashed (fix the fake):\n  " + "\n  ".join(fake.internal_errors))
    if network.leaks:
        parts.append(f"non-loopback connections were attempted: {network.leaks}")
    return "\n\n".join(parts) or None


class BotHarness(Actions):
    """A discord.py client (``factory()`` builds a fresh one per start) connected to ``fake``.

    ``harness.bot`` is the running client. All :class:`Actions` helpers (post_message, slash, click, ...) work.
    """

    def __init__(self, fake: FakeDiscord, factory: Callable[[], discord.Client], *, token: str | None = None,
                 guard: ErrorLogGuard | None = None, start_timeout: float = 5.0,
                 guild_ready_timeout: float | None = 0.05) -> None:
        super().__init__(fake)
        self.factory = factory
        self.token = token if token is not None else fake.token
        self.guard = guard
        self.start_timeout = start_timeout
        self.guild_ready_timeout = guild_ready_timeout
        self.client: discord.Client | None = None
        self.settings: Any = None  # the ModBot settings (set by the make_bot fixture)
        self.starts = 0
        self._task: asyncio.Task[None] | None = None
        self.failure_check = self._failure

    @property
    def bot(self) -> Any:
        """The running client (a ModBot for the ``bot`` fixture)."""
        if self.client is None:
            raise RuntimeError("the bot is not running; call start()")
        return self.client

    def _failure(self) -> str | None:
        if self._task is not None and self._task.done() and not self._task.cancelled() \
                and self._task.exception() is not None:
            return f"the bot's start() task crashed: {self._task.exception()!r}"
        return collect_failures(self.fake, self.guard)

    async def start(self) -> Any:
        """Build and start a client; return it once ready. Raises the start task's exception if it crashes."""
        client = self.factory()
        if self.guild_ready_timeout is not None:
            client._connection.guild_ready_timeout = self.guild_ready_timeout
        self.client = client
        self.starts += 1
        self._task = asyncio.create_task(client.start(self.token), name=f"fake-discord-bot-{self.starts}")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.start_timeout
        while not client.is_ready():
            if self._task.done():
                task, self.client, self._task = self._task, None, None
                if not client.is_closed():
                    await client.close()
                await task  # re-raises the startup exception (LoginFailure, PrivilegedIntentsRequired, ...)
                raise BotStartupError("the bot's start() returned before it became ready")
            if loop.time() > deadline:
                await self.stop()
                raise BotStartupError(f"the bot was not ready within {self.start_timeout}s")
            await asyncio.sleep(0.002)
        return client

    async def start_error(self) -> BaseException:
        """Start a client that is expected to fail; return the exception its start() raised."""
        try:
            await self.start()
        except Exception as exc:
            return exc
        await self.stop()
        raise AssertionError("the bot started although it was expected to fail")

    async def settle(self, duration: float = 0.02) -> None:
        """Let in-flight work finish (no REST traffic for ``duration``) so stopping does not cut a request."""
        with contextlib.suppress(AssertionError):
            await self.quiet(duration, timeout=2.0)

    async def stop(self, *, settle: bool = True) -> None:
        """Close the client (after :meth:`settle` unless told not to) and wait for its start task to end."""
        if settle and self.client is not None and self.client.is_ready():
            await self.settle()
        client, task = self.client, self._task
        self.client, self._task = None, None
        if client is not None and not client.is_closed():
            await client.close()
        if task is not None:
            try:
                await asyncio.wait_for(task, timeout=5.0)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def restart(self, *, settle: bool = True) -> Any:
        """Stop the running client and start a fresh one from the factory (same settings, same database)."""
        await self.stop(settle=settle)
        return await self.start()
