"""Every refusal in Perspective's error shape, and hostile payloads answered clearly while a normal request in
flight at the same time still gets its scores."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from support.api_server import ANALYZE, RunningApi, assert_error

GOOD = {"comment": {"text": "hello there"}, "requestedAttributes": {"TOXICITY": {}}}


@pytest.mark.parametrize(("body", "words"), [
    ({**GOOD, "requestedAttributes": {"NOPE": {}}}, "Attribute NOPE does not exist"),
    ({**GOOD, "requestedAttributes": {}}, "at least one requested attribute"),
    ({"comment": {"text": "hi"}}, "at least one requested attribute"),
    ({**GOOD, "comment": {"text": ""}}, "Comment must be non-empty"),
    ({**GOOD, "comment": {}}, "Comment must be non-empty"),
    ({**GOOD, "comment": {"text": "é" * 10241}}, "too many bytes: 20482"),
    ({**GOOD, "languages": ["ja"]}, "Attribute TOXICITY does not support request languages: ja"),
    ({**GOOD, "requestedAttributes": {"INFLAMMATORY": {}}, "languages": ["fr"]}, "INFLAMMATORY does not support"),
    ({**GOOD, "languages": ["!!"]}, "Invalid language code"),
    ({**GOOD, "requestedAttributes": {"TOXICITY": {"scoreType": "STD_DEV_SCORE"}}}, "only PROBABILITY"),
    ({**GOOD, "requestedAttributes": {"TOXICITY": {"scoreThreshold": 2}}}, "scoreThreshold"),
    ({**GOOD, "requestedAttributes": {"TOXICITY": {"bogus": 1}}}, 'Unknown name "bogus"'),
    ({**GOOD, "surprise": True}, 'Unknown name "surprise"'),
    ({**GOOD, "comment": "just a string"}, "Invalid value at 'comment'"),
    ({**GOOD, "comment": {"text": ["nested", ["list"]]}}, "Invalid value at 'comment.text'"),
    ({**GOOD, "comment": {"text": "x", "type": "HTML"}}, "only PLAIN_TEXT"),
    ({**GOOD, "spanAnnotations": "yes"}, "spanAnnotations"),
    ({**GOOD, "context": {"entries": [{"text": {"deep": {"er": 1}}}]}}, "context.entries[0].text"),
    ([GOOD], "Invalid value at ''"),
])
async def test_invalid_argument(api: RunningApi, body: Any, words: str) -> None:
    assert_error(*await api.post(ANALYZE, body), 400, "INVALID_ARGUMENT", words)


@pytest.mark.parametrize(("raw", "words"), [
    (b"{not json", "Invalid JSON payload received"),
    (b"", "The body is empty"),
    (b'{"comment": {"text": "\xed\xa0\x80"}}', "not valid UTF-8"),
    (b"[" * 50_000 + b"]" * 50_000, "Request payload size exceeds the limit"),
    (b"[" * 30_000 + b"]" * 30_000, "nested too deeply"),
    (b"x" * 100_000, "Request payload size exceeds the limit: 65536 bytes"),
])
async def test_hostile_bodies(api: RunningApi, raw: bytes, words: str) -> None:
    assert_error(*await api.post(ANALYZE, raw=raw), 400, "INVALID_ARGUMENT", words)


async def test_body_over_limit_without_content_length(api: RunningApi) -> None:
    async def chunks() -> Any:
        for _ in range(10):
            yield b" " * 10_000

    async with aiohttp.ClientSession() as session, session.post(api.url + ANALYZE, data=chunks()) as resp:
        assert_error(resp.status, await resp.json(), 400, "INVALID_ARGUMENT", "exceeds the limit")


async def test_lone_surrogates_are_scored_and_echoed_safely(api: RunningApi) -> None:
    raw = json.dumps({"comment": {"text": "you idiot \ud800 \udfff!"}, "clientToken": "t\udc80",
                      "requestedAttributes": {"INSULT": {}, "INFLAMMATORY": {}}, "spanAnnotations": True}).encode()
    assert b"\\ud800" in raw
    status, body = await api.post(ANALYZE, raw=raw)
    assert status == 200, body
    assert body["attributeScores"]["INSULT"]["summaryScore"]["value"] > 0.9
    assert body["clientToken"] == "t\udc80"


async def test_unknown_route_and_method(api: RunningApi) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(api.url + "/v1alpha1/comments:nothing", json=GOOD) as resp:
            assert_error(resp.status, await resp.json(), 404, "NOT_FOUND", "comments:nothing")
        async with session.get(api.url + ANALYZE) as resp:
            assert_error(resp.status, await resp.json(), 405, "INVALID_ARGUMENT", "Method Not Allowed")


async def test_hostile_payloads_do_not_hold_up_a_normal_request(api: RunningApi) -> None:
    hostile = [b"x" * 100_000, b"{not json", b'{"comment": {"text": "\xed\xa0\x80"}}', b"[" * 30_000,
               json.dumps({**GOOD, "comment": {"text": "\ud800" * 5000}}).encode(), b"[" * 20_000 + b"]" * 20_000]
    normal = api.analyze("You are a stupid idiot", ["INSULT"])
    answers = await asyncio.gather(normal, *(api.post(ANALYZE, raw=raw) for raw in hostile * 3))
    status, body = answers[0]
    assert status == 200 and body["attributeScores"]["INSULT"]["summaryScore"]["value"] > 0.9
    for status, body in answers[1:]:
        assert status in (200, 400) and ("error" in body or "attributeScores" in body)
    assert sum(1 for status, _ in answers[1:] if status == 400) == 15


async def test_model_not_loaded_is_unavailable(start_api: Any, api_settings: Any, tmp_path: Any) -> None:
    from bot.api.server import build_server
    from bot.storage import Database

    running = await start_api(api_settings(toxicity={"enabled": False}))
    status, body = await running.analyze("hello", ["TOXICITY"])
    assert_error(status, body, 400, "INVALID_ARGUMENT", "does not exist")
    status, body = await running.analyze("hello", ["INFLAMMATORY"])
    assert status == 200

    from bot.analysis.engine import ScoringEngine

    settings = api_settings()
    loading = ScoringEngine(settings.toxicity)  # the real engine before its model has loaded
    db = await Database.open(tmp_path / "other.sqlite3")
    server = build_server(settings, db, loading, None)
    await server.start()
    try:
        async with aiohttp.ClientSession() as session, session.post(
                f"http://127.0.0.1:{server.port}{ANALYZE}", json=GOOD) as resp:
            assert_error(resp.status, await resp.json(), 503, "UNAVAILABLE", "not available (loading")
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{server.port}/healthz") as resp:
            assert resp.status == 503 and await resp.json() == {"status": "loading", "toxicity": "loading",
                                                                "inFlight": 0}
    finally:
        await server.stop()
        await loading.close()
        await db.close()


async def test_requests_beyond_max_in_flight_get_429_and_the_held_one_still_completes(
        start_api: Any, api_settings: Any) -> None:
    api = await start_api(api_settings(api={"port": 0, "key_refresh_seconds": 0.0, "max_in_flight": 1}))
    release = asyncio.Event()
    body = json.dumps(GOOD).encode()

    async def slow_body() -> Any:
        yield body[:5]  # the request is in flight (its body is being read) until the event is set
        await release.wait()
        yield body[5:]

    async with aiohttp.ClientSession() as session:
        held = asyncio.create_task(session.post(api.url + ANALYZE, data=slow_body(),
                                                headers={"Content-Type": "application/json"}))
        for _ in range(200):
            if api.server.in_flight == 1:
                break
            await asyncio.sleep(0.01)
        assert api.server.in_flight == 1
        async with session.post(api.url + ANALYZE, json=GOOD) as refused:
            assert refused.headers["Retry-After"] == "1"
            assert_error(refused.status, await refused.json(), 429, "RESOURCE_EXHAUSTED", "Too many requests")
        release.set()
        async with await held as response:
            assert response.status == 200 and "TOXICITY" in (await response.json())["attributeScores"]
    assert api.server.in_flight == 0
    assert (await api.analyze("hello again"))[0] == 200  # the slot is free again


async def test_health_endpoint_needs_no_key_and_scores_nothing(api: RunningApi) -> None:
    async with aiohttp.ClientSession() as session, session.get(api.url + "/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok", "toxicity": "ok", "inFlight": 0}
