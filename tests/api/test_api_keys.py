"""API keys (hashed in SQLite, ?key= or X-Goog-Api-Key), QPS quotas, suggestscore feedback and doNotStore, the
api-key CLI, and the refusal to serve a non-loopback address without keys."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.api_server import SUGGEST, RunningApi, assert_error

from bot.api.errors import ApiError
from bot.api.keys import KeyStore
from bot.api.quota import TokenBucket, is_loopback
from bot.api.server import StartRefused, build_server
from bot.storage import Database

REPO = Path(__file__).resolve().parents[2]
FEEDBACK = {"comment": {"text": "a calm comment"}, "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.1}}},
            "clientToken": "fb-1", "languages": ["en"]}


async def test_keys_required_once_one_exists(api: RunningApi, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    assert (await api.analyze("hello"))[0] == 200  # keyless on loopback while no key exists
    store = KeyStore(api.db)
    key = await store.add("frontend", qps=50)
    rows = await api.db.fetchall("SELECT key_sha256 FROM api_keys")
    assert [r[0] for r in rows] == [hashlib.sha256(key.encode()).hexdigest()]  # only the hash is stored
    assert_error(*await api.analyze("hello"), 403, "PERMISSION_DENIED", "missing a valid API key")
    assert_error(*await api.analyze("hello", key="wrong"), 401, "UNAUTHENTICATED", "API key not valid")
    assert (await api.analyze("hello", key=key))[0] == 200
    status, _ = await api.post("/v1alpha1/comments:analyze", {"comment": {"text": "hi"},
                               "requestedAttributes": {"TOXICITY": {}}}, headers={"X-Goog-Api-Key": key})
    assert status == 200
    assert await store.revoke("frontend")
    assert_error(*await api.analyze("hello", key=key), 401, "UNAUTHENTICATED", "API key not valid (revoked)")
    assert (await api.analyze("hello"))[0] == 200  # no key left: keyless again, on loopback only
    assert key not in caplog.text and "(frontend)" in caplog.text  # the key's name is logged, never the key


async def test_quota_per_key(api: RunningApi) -> None:
    store = KeyStore(api.db)
    slow, fast = await store.add("slow", qps=1), await store.add("fast", qps=100)
    first = await api.analyze("hello", key=slow)
    second = await api.analyze("hello", key=slow)
    assert first[0] == 200
    assert_error(*second, 429, "RESOURCE_EXHAUSTED", "Quota exceeded for key 'slow'")
    answers = await asyncio.gather(*(api.analyze("hello", key=fast) for _ in range(20)))
    assert all(status == 200 for status, _ in answers)  # another key's quota is its own
    await asyncio.sleep(1.05)
    assert (await api.analyze("hello", key=slow))[0] == 200


def test_token_bucket_refills_at_qps() -> None:
    now = [0.0]
    bucket = TokenBucket(2.0, clock=lambda: now[0])
    assert [bucket.take() for _ in range(2)] == [0.0, 0.0]
    assert bucket.take() == pytest.approx(0.5)
    now[0] = 0.5
    assert bucket.take() == 0.0


async def test_keyless_quota(start_api: Any, api_settings: Any) -> None:
    running = await start_api(api_settings(api={"keyless_qps": 1.0}))
    assert (await running.analyze("hello"))[0] == 200
    assert_error(*await running.analyze("hello"), 429, "RESOURCE_EXHAUSTED", "(keyless)")


async def test_suggestscore_is_stored_unless_do_not_store(api: RunningApi) -> None:
    status, body = await api.post(SUGGEST, FEEDBACK)
    assert status == 200 and body == {"requestedLanguages": ["en"], "clientToken": "fb-1"}
    assert (await api.post(SUGGEST, {**FEEDBACK, "doNotStore": True}))[0] == 200
    rows = await api.db.fetchall("SELECT comment_text, scores_json, client_token, key_name FROM api_feedback")
    assert [tuple(r) for r in rows] == [("a calm comment", '{"TOXICITY": 0.1}', "fb-1", "(keyless)")]
    bad = {**FEEDBACK, "attributeScores": {"NOPE": {"summaryScore": {"value": 0.1}}}}
    assert_error(*await api.post(SUGGEST, bad), 400, "INVALID_ARGUMENT", "Attribute NOPE does not exist")


async def test_analyze_stores_no_comment_text(api: RunningApi, caplog: pytest.LogCaptureFixture) -> None:
    secret = "my very private comment about the mayor"
    with caplog.at_level("DEBUG"):
        assert (await api.analyze(secret, ["TOXICITY", "PARTISAN"]))[0] == 200
        assert (await api.post(SUGGEST, {**FEEDBACK, "comment": {"text": secret}, "doNotStore": True}))[0] == 200
    assert secret not in caplog.text and "comments:analyze -> 200" in caplog.text
    db_bytes = b"".join(p.read_bytes() for p in Path(api.settings.storage.path).parent.glob("modbot.sqlite3*"))
    assert secret.encode() not in db_bytes


def test_loopback_detection() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "localhost", "::1", "[::1]", "127.8.0.1"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.168.1.4", "example.org"]))


async def test_non_loopback_without_keys_refuses_to_start(api_settings: Any, tmp_path: Path) -> None:
    settings = api_settings(api={"host": "0.0.0.0"})
    db = await Database.open(settings.storage.path)
    try:
        with pytest.raises(StartRefused, match="no API key exists"):
            await build_server(settings, db, None, None).start()
        await KeyStore(db).add("ops", qps=1)
        server = build_server(settings, db, None, None)
        assert await server.start() > 0
        try:
            await KeyStore(db).revoke("ops")  # the last key revoked while serving a public address
            with pytest.raises(ApiError, match="only served on loopback"):
                await server.gate.admit(None)
        finally:
            await server.stop()
    finally:
        await db.close()


def _cli(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MODBOT_")}
    environ.update(PYTHONPATH=str(REPO), MODBOT_STORAGE__PATH=str(tmp_path / "cli.sqlite3"), **env)
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=environ,
                          cwd=tmp_path, timeout=120)


def test_api_key_cli_and_serve_refusal(tmp_path: Path) -> None:
    refused = _cli(["serve", "--host", "0.0.0.0", "--port", "0"], tmp_path, MODBOT_TOXICITY__ENABLED="false")
    assert refused.returncode == 1 and "refusing to serve on 0.0.0.0" in refused.stderr
    assert "modbot api-key add NAME" in refused.stderr
    added = _cli(["api-key", "add", "partner", "--qps", "5"], tmp_path)
    assert added.returncode == 0, added.stderr
    key = added.stdout.strip()
    assert key.startswith("mbk_") and "shown once" in added.stderr
    assert _cli(["api-key", "add", "partner"], tmp_path).returncode == 1  # one active key per name
    listed = _cli(["api-key", "list"], tmp_path)
    assert "partner\t5 qps" in listed.stdout and "active" in listed.stdout and key not in listed.stdout
    assert _cli(["api-key", "revoke", "partner"], tmp_path).returncode == 0
    assert "revoked" in _cli(["api-key", "list"], tmp_path).stdout
    missing = _cli(["api-key", "revoke", "partner"], tmp_path)
    assert missing.returncode == 1 and "no active key named 'partner'" in missing.stderr
