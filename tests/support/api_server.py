"""The comment analysis API under test: a started server and small request helpers (see tests/api/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.analysis.engine import ScoringEngine
from bot.api.server import ApiServer
from bot.settings import Settings
from bot.storage import Database

ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"


def assert_error(status: int, body: dict[str, Any], code: int, canonical: str, words: str) -> None:
    """A Perspective error body: {"error": {code, message, status}} with ``words`` in the message."""
    assert status == code, body
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "status"}
    assert body["error"]["code"] == code and body["error"]["status"] == canonical
    assert words.lower() in body["error"]["message"].lower(), body["error"]["message"]


@dataclass
class RunningApi:
    server: ApiServer
    db: Database
    engine: ScoringEngine | None
    settings: Settings

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    async def post(self, path: str, body: Any = None, *, raw: bytes | None = None, key: str | None = None,
                   headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        params = {"key": key} if key else {}
        async with aiohttp.ClientSession() as session:
            async with session.post(self.url + path, json=None if raw is not None else body, data=raw,
                                    params=params, headers=headers or {}) as resp:
                return resp.status, await resp.json(content_type=None)

    async def analyze(self, text: str, attrs: Any = ("TOXICITY",), **extra: Any) -> tuple[int, dict[str, Any]]:
        requested = attrs if isinstance(attrs, dict) else {a: {} for a in attrs}
        key = extra.pop("key", None)
        return await self.post(ANALYZE, {"comment": {"text": text}, "requestedAttributes": requested, **extra},
                               key=key)
