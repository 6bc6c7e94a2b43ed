"""Shared material for the report tests: a DiscordChatExporter-shaped export with HTML-injection attempts."""

from __future__ import annotations

import json
from pathlib import Path

from bot.cli import main as cli_main

INJECTIONS = (
    "<script>document.title='PWNED'</script>",
    "<img src=x onerror=\"document.title='PWNED'\">",
    "\"><svg onload=alert(1)>",
    "</td></tr></table><h1 id=\"injected\">owned</h1>",
)
FLAGGED_TEXTS = (
    "Democrats are vermin and should be shot.",
    f"{INJECTIONS[0]} all republicans are traitors and scum and should be shot",
    f"{INJECTIONS[1]} Democrats are vermin and should be shot.",
    f"{INJECTIONS[2]} {INJECTIONS[3]} the libs are vermin and should be shot",
)
CALM_TEXTS = ("I think the new bridge is nice.", "Lovely weather today", "See you at the town hall on Monday.")


def write_export(path: Path) -> Path:
    """An export of one channel over three days: 4 flagged-looking and 3 calm messages, hostile names."""
    texts = [*FLAGGED_TEXTS, *CALM_TEXTS]
    messages = [
        {
            "id": str(900 + i),
            "type": "Default",
            "timestamp": f"2024-05-0{1 + i % 3}T12:0{i}:00.000+00:00",
            "content": text,
            "author": {"id": "7", "name": f"user{i}", "nickname": "<b>nick</b>" if i == 1 else f"user{i}"},
            "reference": None,
        }
        for i, text in enumerate(texts)
    ]
    export = {
        "guild": {"id": "1", "name": "News <script>alert(1)</script> Guild"},
        "channel": {"id": "2", "type": "GuildTextChat", "category": "Talk", "name": "politics<img src=x>"},
        "dateRange": {"after": None, "before": None},
        "messages": messages,
        "messageCount": len(messages),
    }
    path.write_text(json.dumps(export), encoding="utf-8")
    return path


def run_analyze(export: Path, report: Path, jsonl: Path) -> int:
    """``modbot analyze`` with patterns and lexicons only (fast, no model), writing the HTML report."""
    return cli_main(["analyze", str(export), "--lexicon-only", "--no-toxicity", "--format", "jsonl",
                     "--out", str(jsonl), "--report", str(report)])


def flagged_ids(jsonl: Path) -> list[str]:
    """Ids of the flagged results in the JSONL output."""
    lines = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [line["id"] for line in lines if line.get("flagged")]
