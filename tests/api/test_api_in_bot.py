"""``[api] enabled = true``: the bot's services serve the API over the bot's own engine and analyzer."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from bot.services import build_services
from bot.storage import Database


async def test_services_serve_the_api_with_the_bots_engine(api_settings: Any) -> None:
    settings = api_settings(api={"enabled": True})
    db = await Database.open(settings.storage.path)
    services = await build_services(settings, db)
    try:
        assert services.api is not None and services.api.scorer.engine is services.engine
        assert services.api.scorer.analyzer is services.analyzer
        await services.engine.start()
        url = f"http://127.0.0.1:{services.api.port}/v1alpha1/comments:analyze"
        body = {"comment": {"text": "what a moron"}, "requestedAttributes": {"INSULT": {}, "INFLAMMATORY": {}}}
        async with aiohttp.ClientSession() as session, session.post(url, json=body) as resp:
            assert resp.status == 200
            scores = (await resp.json())["attributeScores"]
        assert scores["INSULT"]["summaryScore"]["value"] > 0.9
    finally:
        await services.close()
        await db.close()
    assert services.api is None


async def test_a_refused_api_does_not_stop_the_bot(api_settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    settings = api_settings(api={"enabled": True, "host": "0.0.0.0"}, toxicity={"enabled": False})
    db = await Database.open(settings.storage.path)
    try:
        services = await build_services(settings, db)
        assert services.api is None and services.analyzer is not None
        assert "comment analysis API is not served: refusing to serve on 0.0.0.0" in caplog.text
        await services.close()
    finally:
        await db.close()


def test_the_api_does_not_import_discord() -> None:
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys, bot.api.server, bot.cli.serve, bot.cli.api_key; "
            "assert not [m for m in sys.modules if m == 'discord' or m.startswith(('discord.', 'cogs'))]")
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
