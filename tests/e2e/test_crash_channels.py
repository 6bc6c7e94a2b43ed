"""Crash and restart over several watched channels (issue 12, items 1 and 7a).

The subprocess test runs ``python -m bot run``, SIGKILLs it in the middle of a burst spread over three channels,
keeps posting in every channel while it is down, edits and deletes flagged messages meanwhile, restarts it on the
same database and keeps the burst going while it catches up (history reads are slowed down, so live messages reach
the channels whose catch-up has not started yet: before the fix, those moved the stored cursor past the downtime
window and the messages sent while down were never read). Afterwards every flaggable message has exactly one case
and one card, and the edits and deletions are on the cases and their cards.

The in-process test checks that a channel whose history cannot be read does not end catch-up for the others, and
is caught up at the next start.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from moderation.doubles import MARKER, cards, case_row
from moderation.doubles import review as review  # noqa: F401  (fixture)
from support.crash_runs import card_footers, crash_settings, read_rows
from support.keyword_run import MODULE as KEYWORD_RUN

CHANNELS = ("general", "news", "politics")
BURST = 600
WHILE_DOWN = 30  # per channel
AFTER_RESTART = 150
HISTORY = "GET /channels/{channel_id}/messages"


def burst_settings(fake: Any) -> dict[str, Any]:
    return crash_settings(fake, catch_up_recheck_limit=1000)  # the targets are the oldest of ~250 open cases


def text(i: int, flaggable: bool) -> str:
    return f"reply {i}: " + ("you flagme troll" if flaggable else "a calm and reasoned reply")


def card_status(proc: Any, card_id: int) -> str:
    """The "Message status" field of a card as it is now on Discord."""
    embed = proc.state.message(card_id).embeds[0]
    return next((f["value"] for f in embed.get("fields", []) if f["name"] == "Message status"), "")


@pytest.mark.slow
async def test_sigkill_over_three_channels_with_edits_and_deletes_while_down(
        spawn_bot: Any, fake_discord: Any, tmp_path: Path) -> None:
    guild = fake_discord.guild()
    for name in CHANNELS[1:]:
        fake_discord.state.add_channel(guild, name)
    db_path = tmp_path / "modbot.sqlite3"
    flagged: list[int] = []
    sent: dict[str, list[int]] = {name: [] for name in CHANNELS}

    async def post(proc: Any, channel: str, i: int, flaggable: bool) -> int:
        message_id = await proc.post_message(channel, text(i, flaggable))
        sent[channel].append(message_id)
        if flaggable:
            flagged.append(message_id)
        return message_id

    first = await spawn_bot(burst_settings(fake_discord), module=KEYWORD_RUN)
    targets = {name: [await post(first, name, -1 - k, True) for k in range(3)] for name in CHANNELS}
    await first.wait_for(lambda: len(card_footers(first)) >= 9, timeout=30, message="the target cases' cards")

    crashed: dict[str, Any] = {}

    async def crash() -> None:
        await first.wait_for(lambda: len(card_footers(first)) >= 40, timeout=30, message="cards flowing")
        crashed["code"] = await first.kill()
        crashed["cases"] = read_rows(db_path)

    killer: asyncio.Task[None] | None = None
    for i in range(BURST):
        if i == BURST // 4:
            killer = asyncio.create_task(crash())
        if i == BURST // 2:
            assert killer is not None
            await killer  # on a slow machine, hold the burst until the crash happened: it must be mid-burst
        await post(first, CHANNELS[i % 3], i, i % 3 == 0 or i % 7 == 0)
        await asyncio.sleep(0.002)
    assert killer is not None
    await killer
    assert crashed["code"] == -9
    assert 9 < len(crashed["cases"]) < len(flagged)

    # While the bot is down: messages in every channel, edits and deletions of flagged messages.
    for i in range(WHILE_DOWN * 3):
        await post(first, CHANNELS[i % 3], 10_000 + i, i % 2 == 0)
    edited_calm = [targets[name][0] for name in CHANNELS]
    edited_flagged = targets["news"][2]
    deleted = [targets[name][1] for name in CHANNELS]
    for message_id in edited_calm:
        await first.edit_message(message_id, "I take that back, sorry")
    await first.edit_message(edited_flagged, "still a flagme troll, reworded")
    for message_id in deleted:
        await first.delete_message(message_id)

    fake_discord.faults.slow(HISTORY, 0.3)  # catch-up takes seconds: live traffic meets channels not yet read
    sessions_before = len(fake_discord.gateway.sessions)
    second = await spawn_bot(burst_settings(fake_discord), module=KEYWORD_RUN, start=False)
    await second.spawn()  # no settling: the burst goes on while catch-up runs

    def connected() -> bool:
        return any(s.ready_sent for s in list(fake_discord.gateway.sessions.values())[sessions_before:])

    await second.wait_for(connected, timeout=20, message="the restarted bot to connect")
    for i in range(AFTER_RESTART):
        await post(second, CHANNELS[(i + 2) % 3], 20_000 + i, i % 3 == 0)  # the last channel first
        await asyncio.sleep(0.01)

    def complete() -> bool:
        rows = read_rows(db_path)
        return set(rows) >= set(flagged) and all(row["card_message_id"] is not None for row in rows.values())

    await second.wait_for(complete, timeout=90, message="every flagged message to have a case and a card")

    def reflected() -> bool:
        rows = read_rows(db_path)
        return all(rows[m]["message_deleted"] for m in deleted) and \
            all(rows[m]["edit_count"] == 1 for m in [*edited_calm, edited_flagged])

    await second.wait_for(reflected, timeout=30, message="edits and deletions made while down on the cases")
    fake_discord.faults.slow(HISTORY, 0)
    await second.quiet(0.5)

    rows = read_rows(db_path)
    assert set(rows) == set(flagged)  # exactly one case per flagged message (UNIQUE message_id), none missing
    for message_id, row in crashed["cases"].items():  # nothing stored before the crash was lost or renumbered
        assert rows[message_id]["id"] == row["id"]
    per_message: dict[int, list[int]] = {}
    for card_id, case_id, message_id in card_footers(second):
        per_message.setdefault(message_id, []).append(card_id)
        assert rows[message_id]["id"] == case_id
    duplicated = {m: ids for m, ids in per_message.items() if len(ids) != 1}
    assert not duplicated, f"{len(duplicated)} messages got more than one card"
    assert set(per_message) == set(flagged)
    for message_id in edited_calm:
        row = rows[message_id]
        assert row["content"] == "I take that back, sorry" and not row["flagged"] and row["state"] == "pending"
        assert "re-scored: not flagged" in card_status(second, row["card_message_id"])
    assert rows[edited_flagged]["content"] == "still a flagme troll, reworded" and rows[edited_flagged]["flagged"]
    for message_id in deleted:
        assert "Message deleted" in card_status(second, rows[message_id]["card_message_id"])
    untouched = targets["general"][2]
    assert rows[untouched]["edit_count"] == 0 and not rows[untouched]["message_deleted"]
    assert not second.logged_errors(), second.output()


async def test_one_unreadable_channel_does_not_stop_catch_up_of_the_others(review: Any, fake_discord: Any) -> None:
    guild = fake_discord.guild()
    extra = [fake_discord.state.add_channel(guild, name).id for name in CHANNELS[1:]]
    general = fake_discord.state.channel("general").id
    h = await review()
    for channel_id in (general, *extra):
        await h.post_message(channel_id, "hello")

    async def cursors_stored() -> bool:
        row = await h.db.fetchone("SELECT COUNT(*) FROM mod_channel_cursors")
        return row[0] == 3

    await h.wait_for(cursors_stored, message="cursors stored")
    await h.quiet(0.1)
    await h.stop()
    missed = {channel_id: [await h.post_message(channel_id, f"missed {MARKER} {i}") for i in range(3)]
              for channel_id in (general, *extra)}
    first_channel = min(general, *extra)  # catch-up reads channels in id order: the first one fails
    fake_discord.faults.fail_next(HISTORY, status=403, code=50001, message="Missing Access", major=first_channel)
    await h.start()
    for channel_id in (general, *extra):
        if channel_id == first_channel:
            continue
        for mid in missed[channel_id]:
            await h.wait_for(lambda mid=mid: case_row(h, mid), message=f"case for {mid} after a failed channel")
    live = await h.post_message(first_channel, "live in the failed channel")
    await h.wait_for(lambda: h.db.fetchone("SELECT 1 FROM mod_cases WHERE message_id = ?", (missed[extra[-1]][-1],)))
    await h.quiet(0.2)
    await asyncio.sleep(1.2)  # a cursor flush happens meanwhile
    assert all([await case_row(h, mid) is None for mid in missed[first_channel]])
    stored = await h.db.fetchone("SELECT last_message_id FROM mod_channel_cursors WHERE channel_id = ?",
                                 (first_channel,))
    assert stored[0] < missed[first_channel][0] < live  # not moved past the unread history
    await h.restart()  # the next start reads it
    for mid in missed[first_channel]:
        await h.wait_for(lambda mid=mid: case_row(h, mid), message=f"case for {mid} at the next start")
    await h.wait_for(lambda: len(cards(h)) == 9, message="nine cards")
    await h.quiet(0.2)
    assert len(cards(h)) == 9
