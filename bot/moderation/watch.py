"""Watch rules: which messages the listener scores (channels, categories, /summary threads; never bots)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.articles.threads_repo import DiscussionThreadRepository
from bot.moderation.config import ModerationConfig
from bot.moderation.models import MessageSnapshot
from bot.storage import Database


@dataclass(frozen=True)
class WatchRules:
    """A pure decision over a message snapshot. Empty channel and category lists mean "watch everything"."""

    channel_ids: frozenset[int]
    category_ids: frozenset[int]
    ignored_ids: frozenset[int]
    watch_summary_threads: bool = True

    @classmethod
    def from_config(cls, config: ModerationConfig) -> WatchRules:
        """Rules from the ``[moderation]`` section; the mod and mod-log channels are always ignored."""
        ignored = set(config.ignored_channel_ids)
        ignored.update(cid for cid in (config.mod_channel_id, config.mod_log_channel_id) if cid)
        return cls(
            channel_ids=frozenset(config.watched_channel_ids),
            category_ids=frozenset(config.watched_category_ids),
            ignored_ids=frozenset(ignored),
            watch_summary_threads=config.watch_summary_threads,
        )

    @property
    def watches_everything(self) -> bool:
        """True when no channel or category list narrows the watch."""
        return not self.channel_ids and not self.category_ids

    def author_ignored(self, message: MessageSnapshot) -> bool:
        """Bots and webhooks are never scored."""
        return message.author_is_bot or message.is_webhook

    def place_watched(
        self,
        channel_id: int,
        *,
        parent_id: int | None = None,
        category_id: int | None = None,
        summary_thread: bool = False,
    ) -> bool:
        """Whether a channel (or thread, with its parent) is watched."""
        if channel_id in self.ignored_ids or (parent_id is not None and parent_id in self.ignored_ids):
            return False
        if self.watches_everything:
            return True
        if summary_thread and self.watch_summary_threads:
            return True
        if channel_id in self.channel_ids or (parent_id is not None and parent_id in self.channel_ids):
            return True
        return category_id is not None and category_id in self.category_ids

    def watched(self, message: MessageSnapshot, *, summary_thread: bool = False) -> bool:
        """Whether the listener should score this message."""
        if self.author_ignored(message) or not message.content.strip():
            return False
        return self.place_watched(
            message.channel_id,
            parent_id=message.parent_id,
            category_id=message.category_id,
            summary_thread=summary_thread,
        )


class SummaryThreads:
    """Threads opened by ``/summary`` (the summaries feature's ``discussion_threads`` records)."""

    KNOWN_MAX = 4096

    def __init__(self, db: Database) -> None:
        self._repo = DiscussionThreadRepository(db)
        # thread id -> article title of threads known to be /summary's: a message in one is read for both the
        # watch rule and its context. Only found records are kept (a thread may be recorded after a first miss).
        self._known: dict[int, str] = {}

    async def _title_of(self, thread_id: int) -> str | None:
        if thread_id in self._known:
            return self._known[thread_id]
        record = await self._repo.get(thread_id)
        if record is None:
            return None
        if len(self._known) >= self.KNOWN_MAX:
            self._known.pop(next(iter(self._known)))
        self._known[thread_id] = record.article_title
        return record.article_title

    async def is_summary_thread(self, thread_id: int) -> bool:
        """True when ``/summary`` opened this thread."""
        return await self._title_of(thread_id) is not None

    async def article_title(self, thread_id: int) -> str | None:
        """The title of the article discussed in this ``/summary`` thread (None for any other channel)."""
        return await self._title_of(thread_id) or None
