"""Point discord.py at the fake (Route.BASE, DEFAULT_GATEWAY) and refuse every non-loopback connection.

Importable on its own (no package-relative imports): the subprocess ``sitecustomize`` uses it too.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import discord.gateway
import discord.http
import yarl

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
leaks: list[str] = []  # every refused host, so a swallowed error still fails the test


class NetworkLeakError(RuntimeError):
    """Something tried to reach a non-loopback host during a test."""


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _refuse(host: str | None) -> None:
    leaks.append(str(host))
    raise NetworkLeakError(f"refused connection to non-loopback host {host!r} during a test (network leak)")


class LoopbackResolver(aiohttp.abc.AbstractResolver):
    """A resolver that only knows loopback names."""

    async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[dict[str, Any]]:
        if not is_loopback(host):
            _refuse(host)
        address = "::1" if host == "::1" else "127.0.0.1"
        fam = socket.AF_INET6 if address == "::1" else socket.AF_INET
        return [{"hostname": host, "host": address, "port": port, "family": fam, "proto": 0,
                 "flags": socket.AI_NUMERICHOST}]

    async def close(self) -> None:
        return None


class LoopbackConnector(aiohttp.TCPConnector):
    """A TCPConnector that refuses any non-loopback host, including IP literals that skip the resolver."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(resolver=LoopbackResolver(), **kwargs)

    async def connect(self, req: aiohttp.ClientRequest, *args: Any, **kwargs: Any) -> Any:
        if not is_loopback(req.url.host):
            _refuse(req.url.host)
        return await super().connect(req, *args, **kwargs)


def install_guard() -> Callable[[], None]:
    """Make every aiohttp TCPConnector refuse non-loopback hosts; return a function that undoes it."""
    had_own = "connect" in aiohttp.TCPConnector.__dict__
    original = aiohttp.TCPConnector.connect

    async def connect(self: aiohttp.TCPConnector, req: aiohttp.ClientRequest, *args: Any, **kwargs: Any) -> Any:
        if not is_loopback(req.url.host):
            _refuse(req.url.host)
        return await original(self, req, *args, **kwargs)

    aiohttp.TCPConnector.connect = connect  # type: ignore[method-assign]

    def undo() -> None:
        if had_own:
            aiohttp.TCPConnector.connect = original  # type: ignore[method-assign]
        else:
            del aiohttp.TCPConnector.connect

    return undo


@contextmanager
def guard_aiohttp() -> Iterator[None]:
    """Refuse non-loopback hosts in every aiohttp TCPConnector (article fetchers too) inside this block."""
    undo = install_guard()
    try:
        yield
    finally:
        undo()


def apply_seams(port: int) -> dict[str, Any]:
    """Point discord.py at ``127.0.0.1:port``; return what was there so :func:`restore_seams` can undo it."""
    saved = {
        "base": discord.http.Route.BASE,
        "gateway": discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
        "static_login": discord.http.HTTPClient.static_login,
    }
    discord.http.Route.BASE = f"http://127.0.0.1:{port}/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://127.0.0.1:{port}/gateway")
    original_login = saved["static_login"]

    async def static_login(self: discord.http.HTTPClient, token: str) -> Any:
        if self.connector is discord.utils.MISSING:
            self.connector = LoopbackConnector(limit=0)
        return await original_login(self, token)

    discord.http.HTTPClient.static_login = static_login  # type: ignore[method-assign]
    return saved


def restore_seams(saved: dict[str, Any]) -> None:
    discord.http.Route.BASE = saved["base"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved["gateway"]
    discord.http.HTTPClient.static_login = saved["static_login"]  # type: ignore[method-assign]


@contextmanager
def pointed_at(port: int) -> Iterator[None]:
    """discord.py talks to the fake on ``port`` (and nothing else) inside this block."""
    saved = apply_seams(port)
    try:
        with guard_aiohttp():
            yield
    finally:
        restore_seams(saved)
