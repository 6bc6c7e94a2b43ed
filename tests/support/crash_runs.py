"""What the crash tests (``tests/e2e/test_crash_*.py``) share: the child bot's settings and how its output is read
back (the cases by a separate read-only SQLite connection, the cards from the fake Discord)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from moderation.doubles import REVIEW_COGS

CARD_FOOTER = re.compile(r"^Case #(\d+) \u00b7 message (\d+)")


def crash_settings(fake: Any, **moderation: Any) -> dict[str, Any]:
    """Settings of the child ``modbot run``: one card per case (so "exactly one card" is checkable), no pacing."""
    return {
        "discord": {"cogs": REVIEW_COGS},
        "logging": {"level": "WARNING"},
        "moderation": {
            "mod_channel_id": fake.state.channel("mod-queue").id,
            "mod_log_channel_id": fake.state.channel("mod-log").id,
            "digest_threshold": 0,
            "cards_per_minute": 0,
            "card_retry_seconds": 0.5,
            "catch_up_limit": 5000,
            **moderation,
        },
    }


def read_rows(path: Path) -> dict[int, dict[str, Any]]:
    """``{message_id: case row}`` read by a separate SQLite connection."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute("SELECT * FROM mod_cases").fetchall()
    finally:
        conn.close()
    return {int(row["message_id"]): dict(row) for row in rows}


def card_footers(proc: Any) -> list[tuple[int, int, int]]:
    """``(card message id, case id, flagged message id)`` of every card the bot posted (deleted ones too)."""
    out = []
    for message in proc.bot_posts("mod-queue"):
        for embed in message.embeds:
            match = CARD_FOOTER.match((embed.get("footer") or {}).get("text", ""))
            if match:
                out.append((message.id, int(match[1]), int(match[2])))
    return out


async def pending_of(client: Any, group: str = "scorers", stream: str = "modbot:score") -> dict[str, int]:
    """``{consumer: entries it holds unacknowledged}`` in a consumer group of the score stream (workers mode)."""
    try:
        consumers = await client.xinfo_consumers(stream, group)
    except Exception:  # the group does not exist yet
        return {}
    return {c["name"].decode(): int(c["pending"]) for c in consumers}


async def holds_fresh_batch(client: Any, consumer: str, *, within_ms: int = 5, group: str = "scorers",
                            stream: str = "modbot:score") -> bool:
    """True when ``consumer`` holds a batch delivered less than ``within_ms`` ago (still scoring it: a SIGKILL now
    leaves entries only another worker can finish)."""
    held = await client.xpending_range(stream, group, "-", "+", 1, consumername=consumer)
    return bool(held) and int(held[0]["time_since_delivered"]) < within_ms
