"""Last-seen message id per channel, so a restart can catch up from channel history without skipping anything.

The stored cursor only moves past a message once it and every earlier message seen in the channel are processed.
A channel whose catch-up is pending is *pinned* at the cursor its catch-up reads from: live messages then cannot
move its stored cursor past the history nobody has read yet (the pin moves as catch-up proceeds and is released
when it completes). A pin that is not released (catch-up failed or was stopped) keeps the cursor where catch-up got
to, so the next catch-up (after a restart) reads the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.storage import Database
from bot.timestamps import to_iso, utcnow


@dataclass
class _ChannelProgress:
    guild_id: int
    inflight: dict[int, int] = field(default_factory=dict)  # id -> count (holds may repeat an id)
    done_max: int = 0
    pin: int | None = None  # the catch-up hold (first unread id) while catch-up is pending
    pin_generation: int = 0


class CursorTracker:
    """In-memory bookkeeping of in-flight and finished message ids per channel (pure, no I/O)."""

    def __init__(self) -> None:
        self._channels: dict[int, _ChannelProgress] = {}
        self._dirty: set[int] = set()

    def _progress(self, channel_id: int, guild_id: int) -> _ChannelProgress:
        progress = self._channels.get(channel_id)
        if progress is None:
            progress = self._channels[channel_id] = _ChannelProgress(guild_id)
        return progress

    def start(self, channel_id: int, guild_id: int, message_id: int) -> None:
        """A message (or a catch-up hold at ``message_id``) is being processed."""
        progress = self._progress(channel_id, guild_id)
        progress.inflight[message_id] = progress.inflight.get(message_id, 0) + 1

    def finish(self, channel_id: int, message_id: int, *, processed: bool = True) -> None:
        """The message is done (``processed=False`` for a hold that is released without processing anything)."""
        progress = self._channels.get(channel_id)
        if progress is None:
            return
        count = progress.inflight.get(message_id, 0)
        if count <= 1:
            progress.inflight.pop(message_id, None)
        else:
            progress.inflight[message_id] = count - 1
        if processed:
            progress.done_max = max(progress.done_max, message_id)
        self._dirty.add(channel_id)

    def move_hold(self, channel_id: int, guild_id: int, old: int, new: int) -> None:
        """Move a catch-up hold forward: everything before ``new`` is processed."""
        self.start(channel_id, guild_id, new)
        self.finish(channel_id, old, processed=False)
        progress = self._channels[channel_id]
        progress.done_max = max(progress.done_max, new - 1)

    def pin(self, channel_id: int, guild_id: int, after: int) -> int:
        """Catch-up of the channel is pending from ``after``: its cursor stays at or below ``after`` until the pin
        moves (:meth:`advance_pin`) or is released. Pinning a pinned channel keeps the lower position and starts a
        new generation, so a catch-up that began earlier cannot release it. Returns the generation."""
        progress = self._progress(channel_id, guild_id)
        progress.pin_generation += 1
        hold = after + 1
        if progress.pin is None:
            progress.pin = hold
            self.start(channel_id, guild_id, hold)
        elif hold < progress.pin:
            self.start(channel_id, guild_id, hold)
            self.finish(channel_id, progress.pin, processed=False)
            progress.pin = hold
        return progress.pin_generation

    def pinned(self, channel_id: int) -> tuple[int, int] | None:
        """``(after, generation)`` of a pinned channel: catch-up reads history after ``after``."""
        progress = self._channels.get(channel_id)
        if progress is None or progress.pin is None:
            return None
        return progress.pin - 1, progress.pin_generation

    def advance_pin(self, channel_id: int, after: int) -> None:
        """Catch-up processed the channel's history up to ``after``: move the pin there."""
        progress = self._channels.get(channel_id)
        if progress is None or progress.pin is None or after + 1 <= progress.pin:
            return
        self.move_hold(channel_id, progress.guild_id, progress.pin, after + 1)
        progress.pin = after + 1

    def release_pin(self, channel_id: int, generation: int) -> bool:
        """Catch-up of the channel completed: let its cursor follow live messages again. Refused (False) when the
        channel was pinned again since ``generation`` (a new gateway session: catch-up must run again)."""
        progress = self._channels.get(channel_id)
        if progress is None or progress.pin is None or progress.pin_generation != generation:
            return False
        self.finish(channel_id, progress.pin, processed=False)
        progress.pin = None
        return True

    def safe_cursor(self, channel_id: int) -> int | None:
        """Highest id such that everything seen up to it is processed (None when nothing is known)."""
        progress = self._channels.get(channel_id)
        if progress is None:
            return None
        if progress.inflight:
            floor = min(progress.inflight) - 1
            return min(floor, progress.done_max) if progress.done_max else floor
        return progress.done_max or None

    def take_dirty(self) -> list[tuple[int, int, int]]:
        """``(channel_id, guild_id, cursor)`` for channels whose cursor may have moved since the last call."""
        out = []
        for channel_id in sorted(self._dirty):
            cursor = self.safe_cursor(channel_id)
            if cursor is not None and cursor > 0:
                out.append((channel_id, self._channels[channel_id].guild_id, cursor))
        self._dirty.clear()
        return out


class ChannelCursorRepository:
    """``mod_channel_cursors``: the stored cursor never moves backwards.

    ``known`` mirrors what is stored (``{channel_id: (guild_id, cursor)}``, filled by :meth:`all` and every write)
    so synchronous callers (a gateway ``connect`` handler) can pin channels without I/O.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self.known: dict[int, tuple[int, int]] = {}

    def _remember(self, channel_id: int, guild_id: int, message_id: int) -> None:
        previous = self.known.get(channel_id)
        if previous is None or previous[1] < message_id:
            self.known[channel_id] = (guild_id, message_id)

    async def get(self, channel_id: int) -> int | None:
        """The stored cursor of a channel."""
        row = await self._db.fetchone(
            "SELECT last_message_id FROM mod_channel_cursors WHERE channel_id = ?", (channel_id,)
        )
        return int(row[0]) if row else None

    async def all(self) -> dict[int, tuple[int, int]]:
        """``{channel_id: (guild_id, last_message_id)}``."""
        rows = await self._db.fetchall("SELECT channel_id, guild_id, last_message_id FROM mod_channel_cursors")
        stored = {int(row[0]): (int(row[1]), int(row[2])) for row in rows}
        for channel_id, (guild_id, cursor) in stored.items():
            self._remember(channel_id, guild_id, cursor)
        return stored

    async def advance(self, channel_id: int, guild_id: int, message_id: int) -> None:
        """Store ``message_id`` unless the stored cursor is already further."""
        await self.advance_many([(channel_id, guild_id, message_id)])

    async def advance_many(self, entries: list[tuple[int, int, int]]) -> None:
        """Store several ``(channel_id, guild_id, cursor)`` in one transaction."""
        if not entries:
            return
        stamp = to_iso(utcnow())
        latest = self._db.dialect.greatest("mod_channel_cursors.last_message_id", "excluded.last_message_id")
        async with self._db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO mod_channel_cursors (channel_id, guild_id, last_message_id, updated_at) "  # noqa: S608
                f"VALUES (?, ?, ?, ?) ON CONFLICT(channel_id) DO UPDATE SET last_message_id = {latest}, "
                "updated_at = excluded.updated_at",
                [(*entry, stamp) for entry in entries],
            )
        for channel_id, guild_id, message_id in entries:
            self._remember(channel_id, guild_id, message_id)
