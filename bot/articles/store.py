"""Articles added by URL survive restarts: stored in SQLite (table ``library_articles``) and loaded at start.

The cleaned article is stored (title, paragraphs, sentences, comments as JSON), not the fetched page, so loading
needs no network and gives the same article id, text and summaries as before the restart.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from bot.articles.models import Article, Comment, Paragraph
from bot.storage import Database

log = logging.getLogger(__name__)


def to_json(article: Article) -> str:
    """The article as JSON (everything but the id, which is the key)."""
    return json.dumps({
        "title": article.title, "source": article.source,
        "paragraphs": [[p.text, p.kind] for p in article.paragraphs],
        "sentences": list(article.sentences),
        "comments": [[c.author, c.text] for c in article.comments],
    }, ensure_ascii=False)


def from_json(article_id: str, text: str) -> Article:
    """Inverse of :func:`to_json` (raises ValueError/KeyError/TypeError on a damaged row)."""
    data: dict[str, Any] = json.loads(text)
    return Article(
        id=article_id, title=str(data["title"]), source=str(data["source"]),
        paragraphs=tuple(Paragraph(str(t), k) for t, k in data["paragraphs"]),
        sentences=tuple(str(s) for s in data["sentences"]),
        comments=tuple(Comment(str(a), str(t)) for a, t in data.get("comments") or []),
    )


class ArticleStore:
    """Reads and writes ``library_articles``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(self, article: Article, url: str) -> None:
        """Store (or replace) an article fetched from ``url``."""
        await self._db.execute(
            "INSERT INTO library_articles (article_id, url, title, data_json) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(article_id) DO UPDATE SET url = excluded.url, title = excluded.title, "
            "data_json = excluded.data_json",
            (article.id, url, article.title, to_json(article)),
        )

    async def load(self) -> list[Article]:
        """Every stored article, oldest first; a damaged row is logged and skipped."""
        rows = await self._db.fetchall(
            "SELECT article_id, data_json FROM library_articles ORDER BY added_at, article_id")
        out = []
        for row in rows:
            try:
                out.append(from_json(str(row["article_id"]), str(row["data_json"])))
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("skipping stored article %s: %s", row["article_id"], type(exc).__name__)
        return out
