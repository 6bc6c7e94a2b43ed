"""Messages whose scoring (or case opening) failed: retried a few times, then given up loudly, never dropped silently.

Policy (issue 12, items 1 and 2):

- One message never affects another: a batch whose scoring fails is scored again one message at a time, and only
  the messages that fail on their own end up here.
- While a message is here it stays *in flight* for the channel cursor, so the stored cursor cannot pass it: if the
  bot stops or crashes before it is scored, the next catch-up reads it again from channel history.
- It is retried after each delay of :data:`RETRY_DELAYS`. When the last retry fails too, it is given up: a WARNING
  (ids and the exception type only, never the text) and an audit entry ``message.unscored`` record it, and only
  then may the cursor move past it. A message that can never be scored (a poison pill) thus cannot pin the cursor
  for ever, which would make every later catch-up re-read the same history and eventually miss newer messages.
- Edits get the same retries (re-scored as edits: the case is updated, or opened when the edit is flagged). An
  edit never holds a cursor (its message was read before). A newer failed edit replaces the text waiting here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.moderation.models import MessageSnapshot

if TYPE_CHECKING:
    from bot.moderation.intake import Intake

log = logging.getLogger(__name__)

RETRY_DELAYS: tuple[float, ...] = (2.0, 15.0, 60.0)  # seconds before the 2nd, 3rd and 4th attempt


@dataclass
class _Entry:
    message: MessageSnapshot
    attempts: int
    due: float
    error: str
    edit: bool = False


class UnscoredMessages:
    """Bookkeeping of failed messages (pure, no I/O): who is due for a retry and who is given up."""

    def __init__(self, delays: Sequence[float] = RETRY_DELAYS) -> None:
        self.delays = tuple(delays)
        self._entries: dict[int, _Entry] = {}

    @staticmethod
    def now() -> float:
        """Monotonic seconds."""
        return time.monotonic()

    def __contains__(self, message_id: object) -> bool:
        return message_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, message: MessageSnapshot, error: str, now: float | None = None, *, edit: bool = False) -> bool:
        """The first attempt failed; returns False when the message was already waiting for a retry (an edit's
        newer text has replaced the waiting one already: :meth:`refresh`)."""
        if message.message_id in self._entries:
            return False
        when = self.now() if now is None else now
        due = when + (self.delays[0] if self.delays else 0)
        self._entries[message.message_id] = _Entry(message, 1, due, error, edit)
        return True

    def refresh(self, message: MessageSnapshot) -> None:
        """A newer text of a waiting message (an edit that did score): the retry scores that one."""
        if (waiting := self._entries.get(message.message_id)) is not None:
            waiting.message = message

    def is_edit(self, message_id: int) -> bool:
        """True when the waiting message is an edit of an already-read message."""
        entry = self._entries.get(message_id)
        return entry is not None and entry.edit

    def due(self, now: float | None = None) -> list[MessageSnapshot]:
        """Messages whose next attempt is due, oldest first."""
        when = self.now() if now is None else now
        return [e.message for _, e in sorted(self._entries.items()) if e.due <= when]

    def failed_again(self, message_id: int, error: str, now: float | None = None) -> bool:
        """Another attempt failed. True when it was the last one: the entry is dropped (the caller gives up)."""
        entry = self._entries.get(message_id)
        if entry is None:
            return False
        entry.attempts += 1
        entry.error = error
        if entry.attempts > len(self.delays):
            del self._entries[message_id]
            return True
        entry.due = (self.now() if now is None else now) + self.delays[entry.attempts - 1]
        return False

    def attempts(self, message_id: int) -> int:
        """Attempts made so far (0 when not here)."""
        entry = self._entries.get(message_id)
        return entry.attempts if entry is not None else 0

    def done(self, message_id: int) -> bool:
        """The message was scored after all; True when it was waiting here."""
        return self._entries.pop(message_id, None) is not None


def keep_unscored(unscored: UnscoredMessages, message: MessageSnapshot, exc: Exception, *, edit: bool = False) -> bool:
    """First failure of a message (or an edit): keep it for a retry (a new message stays in flight, its cursor
    held). False if it was already waiting."""
    log.debug("scoring message %d failed", message.message_id, exc_info=exc)
    if not unscored.add(message, type(exc).__name__, edit=edit):
        return False
    log.warning("could not score %s %d in channel %d (%s); it will be retried", "the edit of message" if edit
                else "message", message.message_id, message.channel_id, type(exc).__name__)
    return True


async def retry_due(service: Intake) -> None:
    """Retry the messages that are due; the last failed retry gives a message up (WARNING + audit entry).

    Either way the message then leaves flight, so the channel cursor may move past it."""
    unscored = service.unscored
    for message in unscored.due():
        if service.stopping.is_set:
            return
        edit = unscored.is_edit(message.message_id)
        try:
            if edit:
                await service.handle_edit(message, retrying=True)
            elif service.queue is not None:  # workers mode: queueing it is what failed
                await service.queue.enqueue([message])
            else:
                [result] = await service.assess_messages([message])
                if result.flagged:
                    await service.review.admit(message, result)
        except Exception as exc:
            log.debug("retrying message %d failed", message.message_id, exc_info=exc)
            if not unscored.failed_again(message.message_id, type(exc).__name__):
                continue
            log.warning("giving up on message %d in channel %d after %d attempts (%s): it has no verdict",
                        message.message_id, message.channel_id, len(unscored.delays) + 1, type(exc).__name__)
            await service.audit.record("message.unscored", guild_id=message.guild_id, actor_id=None,
                                       target=f"message:{message.message_id}",
                                       detail={"channel_id": message.channel_id, "error": type(exc).__name__,
                                               "edit": edit})
        else:
            unscored.done(message.message_id)
        if not edit:
            service.tracker.finish(message.channel_id, message.message_id)
