"""Catch-up after downtime: pinned cursors over several channels, failing messages and channels, edits and deletes
made while the bot was away, and reconciliation of every mod channel in use."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from moderation.doubles import MARKER, FakePublisher, MarkerScorer, core_config

from bot.analysis.config import PolicyConfig
from bot.moderation.catchup import recheck_open_cases
from bot.moderation.config import ModerationConfig
from bot.moderation.cursors import ChannelCursorRepository
from bot.moderation.models import MessageSnapshot
from bot.moderation.ports import PostedMessage
from bot.moderation.scoring import Assessment
from bot.moderation.service import ModerationService
from bot.moderation.unscored import UnscoredMessages

GUILD = 10
CHANNELS = (20, 21, 22)
STORED = 500  # every channel's cursor before the "downtime"


def history_of(messages: Iterable[MessageSnapshot], *, fail_after: int | None = None
               ) -> Callable[[int], AsyncIterator[MessageSnapshot]]:
    """Channel history as Discord serves it: messages after ``after_id``, oldest first."""
    ordered = sorted(messages, key=lambda m: m.message_id)

    async def history(after_id: int) -> AsyncIterator[MessageSnapshot]:
        for count, message in enumerate(m for m in ordered if m.message_id > after_id):
            if fail_after is not None and count >= fail_after:
                raise RuntimeError("simulated HTTP 500 while reading history")
            yield message

    return history


def msg(message_id: int, channel_id: int, content: str) -> MessageSnapshot:
    return MessageSnapshot(message_id=message_id, guild_id=GUILD, channel_id=channel_id, author_id=30,
                           content=content, author_name="alice")


async def stored_cursor(service: ModerationService, channel_id: int) -> int | None:
    await service.intake.flush_cursors()
    return await service.intake.cursors.get(channel_id)


async def test_live_messages_cannot_move_a_channel_past_history_it_has_not_read(db, make_service) -> None:
    await ChannelCursorRepository(db).advance_many([(c, GUILD, STORED) for c in CHANNELS])
    service = await make_service()
    missed = {c: [msg(600 + 10 * i + c - 20, c, f"missed {MARKER}" if i % 2 else "calm") for i in range(6)]
              for c in CHANNELS}
    live = [msg(2000 + i, 22, f"live {MARKER} {i}") for i in range(3)]
    for message in live:  # the last channel gets live traffic before its catch-up starts
        await service.intake.handle_message(message)
    assert await stored_cursor(service, 22) == STORED  # the bug: this used to jump to 2002
    for channel_id in CHANNELS:
        history = history_of([*missed[channel_id], *(live if channel_id == 22 else [])])
        await service.intake.catch_up(channel_id, GUILD, history)
        assert service.intake.tracker.pinned(channel_id) is None
    flagged = {m.message_id for ms in missed.values() for m in ms if MARKER in m.content} | {m.message_id for m in live}
    rows = await db.fetchall("SELECT message_id FROM mod_cases")
    assert {int(r[0]) for r in rows} == flagged
    assert await stored_cursor(service, 22) == 2002
    assert await stored_cursor(service, 20) == max(m.message_id for m in missed[20])


async def test_a_new_gateway_session_pins_again(db, make_service) -> None:
    await ChannelCursorRepository(db).advance(20, GUILD, STORED)
    service = await make_service()
    await service.intake.catch_up(20, GUILD, history_of([]))
    await service.intake.handle_message(msg(900, 20, "live"))
    assert await stored_cursor(service, 20) == 900
    service.intake.pin_pending()  # reconnect with a new session: messages were missed meanwhile
    await service.intake.handle_message(msg(950, 20, "live after the gap"))
    assert await stored_cursor(service, 20) == 900
    gap = [msg(920, 20, f"gap {MARKER}")]
    await service.intake.catch_up(20, GUILD, history_of([*gap, msg(950, 20, "live after the gap")]))
    assert await service.cases.get_by_message(920) is not None
    assert await stored_cursor(service, 20) == 950


class PoisonScorer(MarkerScorer):
    """TEST DOUBLE: raises for any batch containing "POISON" (like a tokenizer choking on a lone surrogate)."""

    def __init__(self, *, heal_after: int | None = None) -> None:
        super().__init__()
        self.failures = 0
        self.heal_after = heal_after

    async def analyze(self, texts: list[str], *, policy: PolicyConfig | None = None,
                      contexts: object = None) -> list[Assessment]:
        if any("POISON" in t for t in texts) and (self.heal_after is None or self.failures < self.heal_after):
            self.failures += 1
            raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
        return await super().analyze(texts, policy=policy)


async def test_one_bad_message_in_catch_up_affects_no_other_and_is_given_up_loudly(db, make_service) -> None:
    await ChannelCursorRepository(db).advance(20, GUILD, STORED)
    service = await make_service(PoisonScorer())
    service.intake.unscored = UnscoredMessages((0.0, 0.0))
    messages = [msg(600 + i, 20, f"x {MARKER} {i}" if i % 3 == 0 else f"calm {i}") for i in range(40)]
    messages[4] = msg(604, 20, f"POISON {MARKER}")
    assert await service.intake.catch_up(20, GUILD, history_of(messages)) == 40
    flagged = {m.message_id for m in messages if MARKER in m.content and "POISON" not in m.content}
    assert {int(r[0]) for r in await db.fetchall("SELECT message_id FROM mod_cases")} == flagged
    assert 604 in service.intake.unscored
    assert await stored_cursor(service, 20) == 603  # held below the unscored message, not past it
    await service.intake.retry_unscored()
    assert 604 in service.intake.unscored and await stored_cursor(service, 20) == 603
    await service.intake.retry_unscored()  # the last retry: given up, recorded, the cursor moves on
    assert 604 not in service.intake.unscored
    assert await stored_cursor(service, 20) == 639
    entries = await db.fetchall("SELECT target, detail FROM audit_log WHERE action = 'message.unscored'")
    assert [r[0] for r in entries] == ["message:604"] and "UnicodeEncodeError" in entries[0][1]


async def test_a_message_that_fails_once_gets_its_case_on_retry(db, make_service) -> None:
    service = await make_service(PoisonScorer(heal_after=1))
    service.intake.unscored = UnscoredMessages((0.0,))
    assert await service.intake.handle_message(msg(700, 20, f"POISON {MARKER}")) is None
    await service.intake.handle_message(msg(701, 20, "calm"))
    assert await stored_cursor(service, 20) == 699
    await service.intake.retry_unscored()
    assert (await service.cases.get_by_message(700)) is not None and len(service.intake.unscored) == 0
    assert await stored_cursor(service, 20) == 701


async def test_an_edit_that_fails_is_retried_as_an_edit_without_holding_the_cursor(db, make_service) -> None:
    service = await make_service(PoisonScorer(heal_after=1))
    service.intake.unscored = UnscoredMessages((0.0,))
    await service.intake.handle_message(msg(800, 20, "calm"))
    assert await service.intake.handle_edit(msg(800, 20, f"POISON {MARKER} edited")) is None  # never raised
    assert 800 in service.intake.unscored and service.intake.unscored.is_edit(800)
    await service.intake.handle_message(msg(801, 20, "calm"))
    assert await stored_cursor(service, 20) == 801  # an edit of a read message holds no cursor
    await service.intake.retry_unscored()
    case = await service.cases.get_by_message(800)
    assert case is not None and case.content == f"POISON {MARKER} edited" and len(service.intake.unscored) == 0


async def test_a_failed_edit_of_a_case_is_given_up_loudly_and_leaves_the_case(db, make_service) -> None:
    service = await make_service(PoisonScorer())
    service.intake.unscored = UnscoredMessages((0.0,))
    case = await open_case(service, 810)
    assert (await service.intake.handle_edit(msg(810, 20, "POISON now"))).id == case.id
    await service.intake.retry_unscored()  # fails again: the last attempt
    assert 810 not in service.intake.unscored
    assert (await service.cases.get_by_message(810)).content == case.content
    entries = await db.fetchall("SELECT target, detail FROM audit_log WHERE action = 'message.unscored'")
    assert [r[0] for r in entries] == ["message:810"] and '"edit": true' in entries[0][1]


async def test_an_edit_that_scores_replaces_the_text_a_retry_will_read(db, make_service) -> None:
    service = await make_service(PoisonScorer(heal_after=1))
    service.intake.unscored = UnscoredMessages((0.0,))
    assert await service.intake.handle_message(msg(820, 20, f"POISON {MARKER}")) is None
    await service.intake.handle_edit(msg(820, 20, "calm after all"))
    await service.intake.retry_unscored()
    assert await service.cases.get_by_message(820) is None and len(service.intake.unscored) == 0


async def test_history_failing_midway_keeps_the_pin_where_catch_up_got_to(db, make_service) -> None:
    await ChannelCursorRepository(db).advance(20, GUILD, STORED)
    service = await make_service()
    messages = [msg(600 + i, 20, "calm") for i in range(50)]
    with pytest.raises(RuntimeError):
        await service.intake.catch_up(20, GUILD, history_of(messages, fail_after=40))
    await service.intake.handle_message(msg(5000, 20, "live"))
    assert service.intake.tracker.pinned(20) is not None
    assert await stored_cursor(service, 20) == 631  # the first batch of 32 was processed; the rest is unread
    assert await service.intake.catch_up(20, GUILD, history_of([*messages, msg(5000, 20, "live")])) == 19
    assert await stored_cursor(service, 20) == 5000


async def open_case(service: ModerationService, message_id: int, channel_id: int = 20) -> Any:
    case = await service.intake.handle_message(msg(message_id, channel_id, f"you {MARKER} {message_id}"))
    assert case is not None
    return case


async def test_recheck_applies_edits_and_deletes_made_while_away(make_service) -> None:
    service = await make_service()
    edited, deleted, same, broken = [await open_case(service, i) for i in (801, 802, 803, 804)]
    other_channel = await open_case(service, 805, channel_id=21)
    await asyncio.wait_for(service.review.card_queue.wait_idle(), 5)
    now = {801: msg(801, 20, "I take it back, sorry"), 803: msg(803, 20, same.content)}
    asked: list[int] = []

    async def fetch(message_id: int) -> MessageSnapshot | None:
        asked.append(message_id)
        if message_id == 804:
            raise RuntimeError("simulated HTTP 500")
        return now.get(message_id)

    result = await recheck_open_cases(service.intake, 20, fetch)
    assert (result.checked, result.edited, result.deleted, result.failed) == (3, 1, 1, 1)
    assert sorted(asked) == [801, 802, 803, 804]
    after = await service.cases.get(edited.id)
    assert after.content == "I take it back, sorry" and not after.flagged and after.edit_count == 1
    assert (await service.cases.get(deleted.id)).message_deleted
    assert (await service.cases.get(same.id)).edit_count == 0
    assert not (await service.cases.get(broken.id)).message_deleted
    assert not (await service.cases.get(other_channel.id)).message_deleted
    assert set(service.publisher.refreshed) >= {edited.id, deleted.id}
    trail = [e.action for e in await service.audit.for_case(edited.id)]
    assert trail == ["case.open", "case.edited"]


async def test_recheck_is_bounded(make_service) -> None:
    service = await make_service(catch_up_recheck_limit=2)
    for i in range(5):
        await open_case(service, 900 + i)
    asked: list[int] = []

    async def fetch(message_id: int) -> MessageSnapshot | None:
        asked.append(message_id)
        return None

    assert (await recheck_open_cases(service.intake, 20, fetch)).deleted == 2
    assert asked == [904, 903]  # the newest cases first
    off = await make_service(catch_up_recheck_limit=0)
    assert (await recheck_open_cases(off.intake, 20, fetch)).checked == 0


@dataclass
class _Settings:
    moderation: ModerationConfig
    policy: Any = None


class GuildConfigs:
    """TEST DOUBLE of GuildConfigService.current(): guild 11 set its own mod channel with /config."""

    def __init__(self, base: ModerationConfig, own: dict[int, int]) -> None:
        self.base, self.own = base, own

    def current(self, guild_id: int) -> _Settings:
        if guild_id in self.own:
            return _Settings(self.base.model_copy(update={"mod_channel_id": self.own[guild_id]}))
        return _Settings(self.base)


class ChannelPublisher(FakePublisher):
    """TEST DOUBLE: what each mod channel already shows, and which channels were read back."""

    def __init__(self) -> None:
        super().__init__()
        self.by_channel: dict[int, list[PostedMessage]] = {}
        self.posted_in: list[tuple[int, int]] = []
        self.scanned: list[int] = []

    async def recent_posts(self, channel_id: int, since: Any, limit: int) -> list[Any]:
        self.scanned.append(channel_id)
        return list(self.by_channel.get(channel_id, []))

    async def post_card(self, channel_id: int, case: Any, content: Any = None, *, mention_roles: Any = ()) -> int:
        self.posted_in.append((channel_id, case.id))
        return await super().post_card(channel_id, case, content, mention_roles=mention_roles)


@pytest.mark.parametrize("file_channel", [7, None])
async def test_reconcile_reads_every_guilds_mod_channel(make_service, file_channel: int | None) -> None:
    publisher = ChannelPublisher()
    guilds = GuildConfigs(core_config(mod_channel_id=file_channel), {11: 70, 12: 71})
    service = await make_service(reconcile=False, publisher=publisher, guild_config=guilds,
                                 mod_channel_id=file_channel)
    opened = {}
    for guild_id, message_id in ((10, 1), (11, 2), (11, 3), (12, 4)):
        case, _ = await service.cases.open(replace(msg(message_id, 20, "x"), guild_id=guild_id), Assessment(True))
        opened[message_id] = case
    # Before the crash, case 2's card reached guild 11's own mod channel but its id was never stored.
    publisher.by_channel[70] = [PostedMessage(4242, "", (f"Case #{opened[2].id} \u00b7 message 2",), ())]
    posted = await service.review.reconcile()
    expected_scans = [70, 71] if file_channel is None else [7, 70, 71]
    assert sorted(publisher.scanned) == expected_scans
    assert (await service.cases.get(opened[2].id)).card_message_id == 4242
    expected = [opened[3].id, opened[4].id] if file_channel is None else [opened[1].id, opened[3].id, opened[4].id]
    assert sorted(posted) == sorted(expected)
    for queue in [service.review.card_queue, *service.intake.per_guild.queues.values()]:
        if queue is not None:
            await asyncio.wait_for(queue.wait_idle(), 5)
    where = {case_id: channel for channel, case_id in publisher.posted_in}
    assert where == {case_id: {opened[1].id: 7, opened[3].id: 70, opened[4].id: 71}[case_id] for case_id in expected}
