"""Articles added by URL are stored in SQLite and loaded back (a damaged row is skipped)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.articles.library import ArticleLibrary
from bot.articles.models import Article, Comment, Paragraph
from bot.articles.store import ArticleStore, from_json, to_json
from bot.storage import Database

ARTICLE = Article(id="example-com-story-1a2b3c4d", title="Storm \u00e9t\u00e9 hits the coast", source="https://example.com/story",
                  paragraphs=(Paragraph("Heading", "heading"), Paragraph("The storm hit. People left.")),
                  sentences=("The storm hit.", "People left."), comments=(Comment("ann", "Scary."),))


def test_json_round_trip() -> None:
    assert from_json(ARTICLE.id, to_json(ARTICLE)) == ARTICLE


async def test_store_and_reload_into_a_fresh_library(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = await Database.open(tmp_path / "a.sqlite3")
    try:
        store = ArticleStore(db)
        await store.save(ARTICLE, ARTICLE.source)
        await store.save(ARTICLE, ARTICLE.source)  # again: replaced, not duplicated
        await db.execute("INSERT INTO library_articles (article_id, url, data_json) VALUES (?, ?, ?)",
                         ("broken", "https://example.com/b", "{not json"))
        library = ArticleLibrary()
        assert await library.attach_store(ArticleStore(db)) == 1
        assert library.get(ARTICLE.id) == ARTICLE
        assert "broken" not in library and "skipping stored article broken" in caplog.text
    finally:
        await db.close()
