"""Catch-up after downtime: read each channel's history from its stored cursor, and re-check recent open cases
for edits and deletions made while the bot was away.

Why channels are *pinned*: live messages keep arriving while catch-up reads one channel after another. Without a
pin, a channel whose catch-up has not started yet would see its cursor moved by live messages past the downtime
window, and its catch-up would then start after the very messages it exists to read (issue 12, item 1). So every
channel with a stored cursor is pinned before any gateway event can arrive (:func:`pin_pending`, at service start and
at each new gateway session); the pin moves with catch-up and is released only when the channel's history was read
to the end. A failing message is kept in flight (see :mod:`bot.moderation.unscored`); a failing channel keeps its
pin (its cursor stays where catch-up got to) and catch-up goes on with the other channels.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.moderation.models import MessageSnapshot
from bot.timestamps import utcnow

if TYPE_CHECKING:
    from bot.moderation.intake import Intake

log = logging.getLogger(__name__)

BATCH_SIZE = 32
RECHECK_MAX_FAILURES = 5  # then the channel is likely unreadable (permissions): stop re-checking it

History = Callable[[int], AsyncIterator[MessageSnapshot]]
"""``history(after_id)`` yields the channel's messages after ``after_id``, oldest first."""
Fetch = Callable[[int], Awaitable[MessageSnapshot | None]]
"""``fetch(message_id)`` is the message as it is now, or None when it is gone (404, 10008 Unknown Message)."""


def pin_pending(service: Intake) -> int:
    """Pin every channel of this process's guilds (``service.owns``) with a stored cursor until its catch-up
    completes (synchronous: call it before any event of a new gateway session is handled). Returns how many channels
    are pinned."""
    tracker = service.tracker
    owned = service.owned_cursors()
    for channel_id, (guild_id, stored) in sorted(owned.items()):
        after = max(stored, tracker.safe_cursor(channel_id) or 0)
        tracker.pin(channel_id, guild_id, after)
    return len(owned)


async def catch_up_channel(service: Intake, channel_id: int, guild_id: int, history: History) -> int:
    """Score the channel's messages after its pinned (else stored) cursor; returns how many were read.

    The pin is released only when history was read to its end (not when stopping or when reading fails: the
    exception propagates and the cursor stays where catch-up got to)."""
    tracker = service.tracker
    pinned = tracker.pinned(channel_id)
    if pinned is None:
        cursor = await service.cursors.get(channel_id)
        if cursor is None:
            return 0  # never seen: nothing to catch up
        after, generation = cursor, tracker.pin(channel_id, guild_id, cursor)
    else:
        after, generation = pinned
    seen = 0
    batch: list[MessageSnapshot] = []
    async for message in history(after):
        if service.stopping.is_set:
            return seen
        batch.append(message)
        if len(batch) >= BATCH_SIZE:
            seen += await _catch_up_batch(service, channel_id, batch)
            batch = []
    if service.stopping.is_set:
        return seen
    if batch:
        seen += await _catch_up_batch(service, channel_id, batch)
    tracker.release_pin(channel_id, generation)
    return seen


async def _catch_up_batch(service: Intake, channel_id: int, batch: list[MessageSnapshot]) -> int:
    await service.handle_messages(batch)  # one message's failure is isolated inside (kept in flight, retried)
    service.tracker.advance_pin(channel_id, max(m.message_id for m in batch))
    return len(batch)


def release_without_catch_up(service: Intake) -> None:
    """Catch-up is turned off (``catch_up_limit = 0``): let every cursor follow live messages."""
    for channel_id in list(service.cursors.known):
        pinned = service.tracker.pinned(channel_id)
        if pinned is not None:
            service.tracker.release_pin(channel_id, pinned[1])


@dataclass(frozen=True)
class Recheck:
    """What re-checking a channel's open cases found."""

    checked: int = 0
    edited: int = 0
    deleted: int = 0
    failed: int = 0


async def recheck_open_cases(service: Intake, channel_id: int, fetch: Fetch) -> Recheck:
    """Apply edits and deletions made while the bot was away to the channel's recent open cases, exactly as the
    live edit/delete events would (re-score and update the card; mark deleted).

    Bounded: open cases created in the last ``catch_up_recheck_days`` days, newest first, at most
    ``catch_up_recheck_limit`` per channel (one REST read each)."""
    config = service.config
    if config.catch_up_recheck_limit <= 0:
        return Recheck()
    since = utcnow() - timedelta(days=config.catch_up_recheck_days)
    cases = [case for case in await service.cases.open_in_channel(channel_id, since, config.catch_up_recheck_limit)
             if service.owns(case.guild_id)]
    checked = edited = deleted = failed = 0
    for case in cases:
        if service.stopping.is_set:
            break
        try:
            current = await fetch(case.message_id)
            checked += 1
            if current is None:
                deleted += await service.handle_delete(case.message_id) is not None
            elif current.content != (case.content or "") and current.content.strip():
                await service.handle_edit(current)
                edited += 1
        except Exception as exc:  # one case must not stop the others
            failed += 1
            log.warning("could not re-check case #%d (message %d): %s", case.id, case.message_id, type(exc).__name__)
            log.debug("re-check of case #%d failed", case.id, exc_info=True)
            if failed >= RECHECK_MAX_FAILURES:
                log.warning("stopped re-checking cases in channel %d after %d failures", channel_id, failed)
                break
    return Recheck(checked, edited, deleted, failed)
