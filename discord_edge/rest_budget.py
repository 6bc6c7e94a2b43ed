"""Hook the cluster's shared REST budget (:class:`bot.cluster.ports.RestBudget`) before each of discord.py's REST
requests, through discord.py's public ``http_trace`` option (an aiohttp ``TraceConfig`` whose ``on_request_start``
is awaited before the request is sent, retries after a 429 included).

Counted: requests to the bot's REST API (``/api/...``). Not counted: the gateway's websocket, and interaction
responses and follow-ups (``/interactions/``, ``/webhooks/``), which Discord does not count against the global limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
from yarl import URL

from bot.cluster.ports import RestBudget


def counted(url: URL) -> bool:
    """Whether a request to ``url`` counts against the bot's global REST limit."""
    path = url.path
    return "/api/" in path and "/interactions/" not in path and "/webhooks/" not in path


def budget_trace(budget: Callable[[], RestBudget | None]) -> aiohttp.TraceConfig:
    """A trace config that takes one unit of ``budget()`` (looked up per request: the cluster is built after the
    client; None: no budget yet) before each counted request."""

    async def on_request_start(_session: aiohttp.ClientSession, _context: Any,
                               params: aiohttp.TraceRequestStartParams) -> None:
        current = budget()
        if current is not None and counted(params.url):
            await current.acquire()

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    return trace
