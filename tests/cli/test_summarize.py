"""``modbot summarize``: files, library ids, formats, and streaming JSONL batches with bad lines."""

from __future__ import annotations

import asyncio
import io
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.cli import main
from bot.paths import SEEDS_DIR

SEED_000 = SEEDS_DIR / "000_f672cd09ce46a324.txt"
TEXT = (
    "The city council voted on Tuesday to approve the school budget. Teachers will get a raise of six percent. "
    "Four schools will have their roofs repaired before winter. Parents at the meeting applauded the vote."
)


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("MODBOT_") or key == "DISCORD_TOKEN":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def test_file_and_id_targets_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(SEED_000), "003", "--length", "short"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Zelensky Wants Direct Talks With Putin To Negotiate\n")
    assert "Zelensky Seeks Strategic Collaboration with Trump" in out
    assert out.count("• ") == 4
    assert "elect democrats" not in out


def test_json_and_sentence_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", "004-05f88e38f5c36396", "--sentences", "4", "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["id"] == "004-05f88e38f5c36396"
    assert record["backend"] == "extractive"
    assert len(record["summary"]) == 4


def test_unknown_targets_fail_but_others_print(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", "no-such-article", "ftp://example.com/x", "001", "--format", "jsonl"]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["id"] == "001-b65d5fe6f478c5d4"
    assert "no-such-article" in captured.err and "ftp://example.com/x" in captured.err


def test_jsonl_batch_streams_in_order_and_survives_bad_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": TEXT}),
                "{not json",
                json.dumps({"id": 7, "text": TEXT.replace("Tuesday", "Monday")}),
                json.dumps({"id": "no-text"}),
                json.dumps(["a", "list"]),
                json.dumps({"id": "b", "text": TEXT}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    assert main(["summarize", str(batch), "-n", "2"]) == 1
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert [r.get("id") for r in records] == ["a", None, 7, "no-text", None, "b"]
    assert [("error" in r) for r in records] == [False, True, False, True, True, False]
    first = records[0]["summary"]
    assert len(first) == 2 and first[0] == "The city council voted on Tuesday to approve the school budget."
    assert all(sentence in TEXT for sentence in first)
    assert records[1]["line"] == 2
    assert "batch.jsonl:2" in captured.err and "batch.jsonl:4" in captured.err


def test_jsonl_from_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"id": "x", "text": TEXT}) + "\n"))
    assert main(["summarize", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "x"


def test_bad_sentence_count() -> None:
    with pytest.raises(SystemExit) as info:
        main(["summarize", "001", "--sentences", "0"])
    assert info.value.code == 2


@pytest.fixture
def page_server() -> Iterator[str]:
    """A loopback HTTP server (in its own thread and loop) serving one article page at /article."""
    page = (Path(__file__).parents[1] / "articles" / "fixtures" / "wordpress_post.html").read_bytes()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    state: dict[str, Any] = {}

    async def article(request: web.Request) -> web.Response:
        return web.Response(body=page, content_type="text/html")

    async def start() -> None:
        app = web.Application()
        app.router.add_get("/article", article)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        state["runner"] = runner
        state["port"] = runner.addresses[0][1]
        started.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(start()), loop.run_forever()), daemon=True)
    thread.start()
    assert started.wait(10)
    yield f"http://127.0.0.1:{state['port']}/article"
    asyncio.run_coroutine_threadsafe(state["runner"].cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


def test_url_target(page_server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", page_server]) == 1  # loopback refused by default
    assert "private or local network" in capsys.readouterr().err
    monkeypatch.setenv("MODBOT_SUMMARIES__ALLOW_PRIVATE_ADDRESSES", "true")
    assert main(["summarize", page_server, "--format", "jsonl"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["title"] == "City Council Approves School Budget"
    assert record["source"] == page_server and len(record["summary"]) == 3
