"""Discussion threads opened by ``/summary``: which thread discusses which article (table ``discussion_threads``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.storage import Database


@dataclass(frozen=True, slots=True)
class DiscussionThread:
    """One discussion thread and the article it was opened for."""

    thread_id: int
    guild_id: int
    channel_id: int
    message_id: int
    article_id: str
    article_title: str
    article_source: str
    created_by: int | None
    created_at: str


class DiscussionThreadRepository:
    """Store and look up the article behind a discussion thread."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        *,
        thread_id: int,
        guild_id: int,
        channel_id: int,
        message_id: int,
        article_id: str,
        article_title: str = "",
        article_source: str = "",
        created_by: int | None = None,
    ) -> None:
        """Remember that ``thread_id`` discusses ``article_id`` (a second record for the thread replaces the first)."""
        await self._db.execute(
            "INSERT INTO discussion_threads (thread_id, guild_id, channel_id, message_id, article_id, article_title,"
            " article_source, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(thread_id) DO UPDATE SET article_id = excluded.article_id,"
            " article_title = excluded.article_title, article_source = excluded.article_source",
            (thread_id, guild_id, channel_id, message_id, article_id, article_title, article_source, created_by),
        )

    async def get(self, thread_id: int) -> DiscussionThread | None:
        """The record of a thread, or None if ``/summary`` did not open it."""
        row = await self._db.fetchone("SELECT * FROM discussion_threads WHERE thread_id = ?", (thread_id,))
        if row is None:
            return None
        return _thread(row)

    async def article_for(self, thread_id: int) -> str | None:
        """The article id a thread discusses, or None."""
        record = await self.get(thread_id)
        return record.article_id if record is not None else None

    async def for_article(self, article_id: str) -> list[DiscussionThread]:
        """Every thread opened for an article, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM discussion_threads WHERE article_id = ? ORDER BY created_at, thread_id", (article_id,)
        )
        return [_thread(row) for row in rows]

    async def in_channel(self, article_id: str, guild_id: int, channel_id: int) -> list[DiscussionThread]:
        """Threads opened for an article from one channel, newest first (the one ``/summary`` reuses)."""
        rows = await self._db.fetchall(
            "SELECT * FROM discussion_threads WHERE article_id = ? AND guild_id = ? AND channel_id = ?"
            " ORDER BY created_at DESC, thread_id DESC",
            (article_id, guild_id, channel_id),
        )
        return [_thread(row) for row in rows]


def _thread(row: Any) -> DiscussionThread:
    return DiscussionThread(**{name: row[name] for name in DiscussionThread.__slots__})
