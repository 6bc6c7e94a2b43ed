"""The article library: seeds, a folder of articles and articles added by URL, with a summary cache.

Articles added by URL are kept in SQLite when a store is attached (:meth:`ArticleLibrary.attach_store`, done by
``bot/services.py``), so they are still there after a restart.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import aiohttp

from bot.articles.config import SummariesConfig
from bot.articles.errors import ArticleNotFound
from bot.articles.fetch import fetch_article
from bot.articles.models import Article, Summary, slug_for_url
from bot.articles.parse import ARTICLE_SUFFIXES, load_file
from bot.articles.summarize import resolve_length, summarize_article
from bot.paths import SEEDS_DIR

log = logging.getLogger(__name__)


class ArticleSaver(Protocol):
    """Where articles added by URL are kept (:class:`bot.articles.store.ArticleStore`)."""

    async def save(self, article: Article, url: str) -> None:
        """Store ``article`` fetched from ``url``."""
        ...

    async def load(self) -> list[Article]:
        """Every stored article."""
        ...


def looks_like_url(text: str) -> bool:
    """True if ``text`` is meant as a link (has a scheme), whatever the scheme."""
    return "://" in text.strip()[:16]


class ArticleLibrary:
    """Articles by id, plus an LRU cache of summaries per (article id, length, backend).

    Build it with :meth:`from_config`; the cog calls :meth:`resolve`, :meth:`summarize` and
    :meth:`search` (for autocomplete).
    """

    def __init__(self, config: SummariesConfig | None = None) -> None:
        self.config = config or SummariesConfig()
        self._articles: dict[str, Article] = {}
        self._cache: OrderedDict[tuple[str, str, str], Summary] = OrderedDict()
        self._store: ArticleSaver | None = None

    async def attach_store(self, store: ArticleSaver) -> int:
        """Load the articles added by URL in earlier runs and keep new ones in ``store``; returns how many loaded."""
        self._store = store
        loaded = 0
        for article in await store.load():
            if article.id not in self._articles:
                self.add(article)
                loaded += 1
        return loaded

    @classmethod
    def from_config(cls, config: SummariesConfig | None = None, *, seeds_dir: Path = SEEDS_DIR) -> ArticleLibrary:
        """A library holding the seeds (if ``load_seeds``) and the files in ``library_dir`` (if set)."""
        library = cls(config)
        if library.config.load_seeds:
            library.load_folder(seeds_dir)
        if library.config.library_dir is not None:
            library.load_folder(library.config.library_dir)
        return library

    # -- contents ---------------------------------------------------------------------------------

    def load_folder(self, folder: Path) -> int:
        """Load every .txt/.md/.html file of ``folder`` (not recursive); returns how many were added.

        A file that cannot be read or holds no article text is logged and skipped.
        """
        if not folder.is_dir():
            log.warning("article folder %s does not exist", folder)
            return 0
        added = 0
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in ARTICLE_SUFFIXES or not path.is_file():
                continue
            try:
                article = load_file(path)
            except (OSError, UnicodeError, ValueError) as exc:
                log.warning("skipping article file %s: %s", path, exc)
                continue
            if not article.sentences:
                log.warning("skipping article file %s: no article text found", path)
                continue
            self.add(article)
            added += 1
        return added

    def add(self, article: Article) -> Article:
        """Add (or replace) an article; cached summaries of a replaced article are dropped."""
        if article.id in self._articles:
            self._cache = OrderedDict((k, v) for k, v in self._cache.items() if k[0] != article.id)
        self._articles[article.id] = article
        return article

    def get(self, article_id: str) -> Article:
        """The article with this id (or the only one whose id starts with it); ArticleNotFound otherwise."""
        key = article_id.strip().lower()
        if key in self._articles:
            return self._articles[key]
        matches = [a for i, a in self._articles.items() if i.startswith(key)] if key else []
        if len(matches) == 1:
            return matches[0]
        raise ArticleNotFound(article_id)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._articles

    def __len__(self) -> int:
        return len(self._articles)

    def __iter__(self) -> Iterator[Article]:
        return iter(sorted(self._articles.values(), key=lambda a: a.id))

    def search(self, query: str, limit: int = 25) -> list[Article]:
        """Articles whose id or title contains every word of ``query`` (all articles if it is empty).

        Only the first 200 characters count (Discord sends at most 100 for an option; a crafted autocomplete can
        send more), and each word once, so a hostile query costs no more than a normal one."""
        words = list(dict.fromkeys(query[:200].lower().split()))
        hits = [a for a in self if all(w in f"{a.id} {a.title.lower()}" for w in words)]
        return hits[:limit]

    async def add_url(self, url: str) -> Article:
        """Fetch the article at ``url`` (or return it if already fetched); raises FetchError subclasses."""
        article_id = slug_for_url(url.strip())
        if article_id in self._articles:
            return self._articles[article_id]
        article = await fetch_article(url, self.config, article_id=article_id)
        self.add(article)
        if self._store is not None:
            try:
                await self._store.save(article, url.strip())
            except Exception as exc:  # the summary still works; only persistence is lost
                log.warning("could not store article %s: %s", article.id, type(exc).__name__)
        return article

    async def resolve(self, target: str) -> Article:
        """An article from an id or a link (links are fetched and added)."""
        if looks_like_url(target):
            return await self.add_url(target)
        return self.get(target)

    # -- summaries --------------------------------------------------------------------------------

    async def summarize(
        self,
        target: Article | str,
        length: str | int | None = None,
        *,
        session: aiohttp.ClientSession | None = None,
    ) -> Summary:
        """Summary of an article (object, id or link), served from the LRU cache when possible.

        Summaries produced by a fallback are not cached, so a recovered LLM endpoint is used again.
        """
        article = target if isinstance(target, Article) else await self.resolve(target)
        label, count = resolve_length(length, self.config)
        key = (article.id, str(count), self.config.backend)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        summary = await summarize_article(article, count, config=self.config, session=session)
        summary = replace(summary, length=label)
        if summary.fallback_reason is None and self.config.cache_size > 0:
            self._cache[key] = summary
            while len(self._cache) > self.config.cache_size:
                self._cache.popitem(last=False)
        return summary

    def cache_info(self) -> tuple[int, int]:
        """(summaries cached, cache capacity)."""
        return len(self._cache), self.config.cache_size

    def clear_cache(self) -> None:
        """Forget every cached summary."""
        self._cache.clear()

