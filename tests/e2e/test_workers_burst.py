"""Scoring workers end to end: one ``modbot run`` gateway (``[cluster] scoring = "workers"``) and two ``modbot
worker`` children on one database and one real redis-server; a burst of messages (a third flaggable) with one
worker SIGKILLed mid-burst while it holds a batch. Afterwards every flagged message has exactly one case, one
``case.open`` audit entry and one card, the others none; the dead worker's entries were taken over by the other.

The children are the real commands with the keyword TEST scorer injected (``support.keyword_run`` for the gateway,
``support.keyword_worker`` for the workers, marker word "flagme"; each scorer call of a worker takes 20 ms, so a
worker holds its batch long enough to be killed in the middle of one).
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from support.crash_runs import card_footers, crash_settings, holds_fresh_batch, pending_of, read_rows
from support.keyword_run import MODULE as KEYWORD_RUN
from support.keyword_worker import MODULE as KEYWORD_WORKER

TOTAL = 450


def case_opens(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'case.open'").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.slow
async def test_sigkill_of_a_worker_mid_burst_loses_and_duplicates_nothing(
        spawn_bot: Any, fake_discord: Any, tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEYWORD_TEST_DELAY", "0.02")
    db_path = tmp_path / "modbot.sqlite3"
    settings = {**crash_settings(fake_discord),
                "cluster": {"redis_url": redis_url, "scoring": "workers", "claim_idle_ms": 1000,
                            "worker_block_ms": 100, "worker_batch": 16}}
    client = Redis.from_url(redis_url)
    try:
        gateway = await spawn_bot(settings, module=KEYWORD_RUN)
        workers = [await spawn_bot(settings, module=KEYWORD_WORKER, args=("worker",), start=False) for _ in "ab"]
        for worker in workers:
            await worker.spawn()
        names = {f"{socket.gethostname()}-{w.proc.pid}": w for w in workers}
        await gateway.wait_for(lambda: _consumers_ready(client, names), timeout=30, message="both workers reading")
        victim_name = next(iter(names))
        victim = names[victim_name]
        crashed: dict[str, Any] = {}

        async def crash() -> None:
            # a batch delivered less than 5 ms ago: scoring it takes 20 ms
            await gateway.wait_for(lambda: holds_fresh_batch(client, victim_name), timeout=30, interval=0.001,
                                   message="the victim to hold a batch")
            crashed["code"] = await victim.kill()
            crashed["held"] = (await pending_of(client))[victim_name]
            crashed["cases"] = len(read_rows(db_path))

        flagged: list[int] = []
        killer: asyncio.Task[None] | None = None
        for i in range(TOTAL):
            if i == TOTAL // 3:
                killer = asyncio.create_task(crash())
            if i == 2 * TOTAL // 3 and killer is not None:
                await killer  # the kill must happen mid-burst, however slow the machine
            flaggable = i % 3 == 0
            message_id = await gateway.post_message(
                "general", f"reply {i}: " + ("you flagme troll" if flaggable else "a calm and reasoned reply"))
            if flaggable:
                flagged.append(message_id)
            await asyncio.sleep(0.002)
        assert killer is not None
        await killer
        print(f"killed a worker holding {crashed['held']} entries, {crashed['cases']} cases stored by then")
        assert crashed["code"] == -9 and crashed["held"] > 0 and 0 < crashed["cases"] < len(flagged)

        def complete() -> bool:
            rows = read_rows(db_path)
            return len(rows) == len(flagged) and all(row["card_message_id"] is not None for row in rows.values())

        await gateway.wait_for(complete, timeout=45, message="every flagged message to have a case and a card")
        await gateway.quiet(0.5)
        rows = read_rows(db_path)
        assert set(rows) == set(flagged)  # one case per flagged message (UNIQUE message_id), none for the others
        assert case_opens(db_path) == len(flagged)  # never audited twice, though redelivered
        per_message: dict[int, list[int]] = {}
        for card_id, case_id, message_id in card_footers(gateway):
            per_message.setdefault(message_id, []).append(card_id)
            assert rows[message_id]["id"] == case_id
        assert set(per_message) == set(flagged)
        assert not {m: ids for m, ids in per_message.items() if len(ids) != 1}, "a message got more than one card"
        pending = await pending_of(client)
        assert pending[victim_name] == 0 and sum(pending.values()) == 0  # its batch was taken over and finished
        survivor = workers[1] if victim is workers[0] else workers[0]
        assert "took over" in survivor.output()
        assert not gateway.logged_errors(), gateway.output()
        assert not survivor.logged_errors(), survivor.output()
        assert await survivor.terminate() == 0  # SIGTERM: finish the batch, acknowledge, exit 0
    finally:
        await client.aclose()


async def _consumers_ready(client: Redis, names: dict[str, Any]) -> bool:
    return set(names) <= set(await pending_of(client))
