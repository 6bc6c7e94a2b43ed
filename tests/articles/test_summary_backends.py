"""The OpenAI-compatible backend against a loopback fake: success, timeout/garbage/errors fall back to extractive."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import web

from bot.articles.config import SummariesConfig
from bot.articles.library import ArticleLibrary
from bot.articles.models import Article
from bot.articles.openai_backend import LLMError, parse_reply
from bot.articles.parse import load_file
from bot.articles.summarize import resolve_length, summarize_article
from bot.paths import SEEDS_DIR

REPLY = "- Zelensky wants to meet Putin directly.\n- Russia struck near the Polish border.\n- Talks resume Monday."


class FakeLLM:
    """A minimal ``/v1/chat/completions`` endpoint whose behaviour the test picks."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(await request.json())
        self.headers.append(dict(request.headers))
        if self.mode == "slow":
            await asyncio.sleep(5)
        if self.mode == "garbage":
            return web.Response(text="<html>502 Bad Gateway</html>", content_type="text/html")
        if self.mode == "wrong-shape":
            return web.json_response({"error": {"message": "model not loaded"}})
        if self.mode == "empty":
            return web.json_response({"choices": [{"message": {"role": "assistant", "content": "  "}}]})
        if self.mode == "status":
            return web.json_response({"error": "overloaded"}, status=503)
        content = REPLY if self.mode == "ok" else "<think>Let me think.</think>\n" + REPLY
        return web.json_response({"choices": [{"message": {"role": "assistant", "content": content}}]})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self.handle)
        return app


@pytest.fixture
async def llm(serve) -> tuple[FakeLLM, str]:
    fake = FakeLLM()
    return fake, await serve(fake.app())


@pytest.fixture(scope="module")
def article() -> Article:
    return load_file(SEEDS_DIR / "000_f672cd09ce46a324.txt")


def _config(base: str, **extra: Any) -> SummariesConfig:
    return SummariesConfig(backend="openai", openai_base_url=f"{base}/v1", openai_model="tiny-llm",
                           openai_timeout=extra.pop("openai_timeout", 2.0), **extra)


async def test_success(llm: tuple[FakeLLM, str], article: Article) -> None:
    fake, base = llm
    config = _config(base, openai_api_key="sk-local-test")
    summary = await summarize_article(article, "medium", config=config)
    assert summary.backend == "openai" and summary.fallback_reason is None
    assert summary.sentences == (
        "Zelensky wants to meet Putin directly.",
        "Russia struck near the Polish border.",
        "Talks resume Monday.",
    )
    request = fake.requests[0]
    assert request["model"] == "tiny-llm" and request["temperature"] == 0
    sent = json.dumps(request)
    assert "3 sentences" in sent and article.title in sent
    assert "elect democrats" not in sent and "Leave a Reply" not in sent  # comments and chrome are never sent
    assert fake.headers[0]["Authorization"] == "Bearer sk-local-test"


async def test_reply_is_cut_to_length_and_reasoning_dropped(llm: tuple[FakeLLM, str], article: Article) -> None:
    fake, base = llm
    fake.mode = "think"
    summary = await summarize_article(article, "short", config=_config(base))
    assert summary.backend == "openai"
    assert summary.sentences == ("Zelensky wants to meet Putin directly.", "Russia struck near the Polish border.")


async def test_timeout_falls_back(llm: tuple[FakeLLM, str], article: Article) -> None:
    fake, base = llm
    fake.mode = "slow"
    loop = asyncio.get_running_loop()
    start = loop.time()
    summary = await summarize_article(article, "medium", config=_config(base, openai_timeout=0.3))
    assert loop.time() - start < 2
    assert summary.backend == "extractive"
    assert "no answer within" in (summary.fallback_reason or "")
    assert summary.sentences == (await summarize_article(article, "medium")).sentences


@pytest.mark.parametrize("mode", ["garbage", "wrong-shape", "empty", "status"])
async def test_bad_replies_fall_back(llm: tuple[FakeLLM, str], article: Article, mode: str) -> None:
    fake, base = llm
    fake.mode = mode
    summary = await summarize_article(article, "long", config=_config(base))
    assert summary.backend == "extractive" and summary.fallback_reason
    assert len(summary.sentences) == 5


async def test_unreachable_endpoint_falls_back(closed_port: int, article: Article) -> None:
    summary = await summarize_article(article, 2, config=_config(f"http://127.0.0.1:{closed_port}"))
    assert summary.backend == "extractive" and summary.fallback_reason
    assert len(summary.sentences) == 2


async def test_library_caches_only_real_results(llm: tuple[FakeLLM, str], article: Article) -> None:
    fake, base = llm
    library = ArticleLibrary(_config(base))
    library.add(article)
    fake.mode = "garbage"
    first = await library.summarize(article.id, "short")
    assert first.backend == "extractive"
    fake.mode = "ok"
    second = await library.summarize(article.id, "short")
    assert second.backend == "openai"
    third = await library.summarize(article.id, "short")
    assert third is second and len(fake.requests) == 2
    assert library.cache_info() == (1, 256)


async def test_extractive_cache_is_lru() -> None:
    library = ArticleLibrary.from_config(SummariesConfig(cache_size=2), seeds_dir=SEEDS_DIR)
    ids = [a.id for a in library]
    first = await library.summarize(ids[0], "short")
    await library.summarize(ids[1], "short")
    assert await library.summarize(ids[0], "short") is first  # hit, and now most recent
    await library.summarize(ids[2], "short")  # evicts ids[1]
    assert library.cache_info() == (2, 2)
    assert await library.summarize(ids[0], "short") is first
    library.clear_cache()
    assert library.cache_info() == (0, 2)


def test_parse_reply_and_lengths() -> None:
    assert parse_reply("1. One thing happened.\n2. Another did.", 5) == ["One thing happened.", "Another did."]
    with pytest.raises(LLMError):
        parse_reply(None, 3)
    with pytest.raises(LLMError):
        parse_reply("x" * 2000, 3)
    config = SummariesConfig()
    assert resolve_length(None, config) == ("medium", 3)
    assert resolve_length("long", config) == ("long", 5)
    assert resolve_length(4, config) == ("4 sentences", 4)
    with pytest.raises(ValueError):
        resolve_length("huge", config)
    with pytest.raises(ValueError):
        resolve_length(0, config)
