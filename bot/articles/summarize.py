"""Summarize an article with the configured backend; the extractive one is the default and the fallback."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace

import aiohttp

from bot.articles.config import SummariesConfig
from bot.articles.extractive import summarize_sentences
from bot.articles.models import Article, Summary
from bot.articles.openai_backend import LLMError, openai_summary

log = logging.getLogger(__name__)
MAX_SENTENCES = 20


def resolve_length(length: str | int | None, config: SummariesConfig) -> tuple[str, int]:
    """Map a length name ("short"/"medium"/"long", None = default) or a sentence count to (label, count)."""
    if length is None:
        length = config.default_length
    if isinstance(length, int):
        if not 1 <= length <= MAX_SENTENCES:
            raise ValueError(f"sentence count must be between 1 and {MAX_SENTENCES}")
        return f"{length} sentences", length
    return length, config.sentences_for(length)


def summarize_extractive(article: Article, count: int) -> Summary:
    """Synchronous extractive summary (cheap; call through asyncio.to_thread from async code)."""
    start = time.perf_counter()
    sentences = summarize_sentences(article.sentences, count)
    return Summary(
        article_id=article.id,
        title=article.title,
        sentences=tuple(sentences),
        backend="extractive",
        length=f"{count} sentences",
        source=article.source,
        elapsed_ms=(time.perf_counter() - start) * 1000,
    )


async def summarize_article(
    article: Article,
    length: str | int | None = None,
    *,
    config: SummariesConfig | None = None,
    session: aiohttp.ClientSession | None = None,
) -> Summary:
    """Summarize ``article`` with ``config.backend``; on any backend failure, fall back to extractive.

    ``length`` is "short", "medium", "long" (None = ``config.default_length``) or a sentence count.
    The returned Summary's ``backend`` says which backend produced it and ``fallback_reason`` why the
    configured one was not used.
    """
    config = config or SummariesConfig()
    label, count = resolve_length(length, config)
    reason: str | None = None
    if config.backend == "openai":
        start = time.perf_counter()
        try:
            sentences = await openai_summary(article, count, config, session=session)
        except LLMError as exc:
            reason = str(exc)
            log.warning("summary backend 'openai' failed for %s (%s); using extractive", article.id, reason)
        else:
            return Summary(
                article_id=article.id,
                title=article.title,
                sentences=tuple(sentences),
                backend="openai",
                length=label,
                source=article.source,
                elapsed_ms=(time.perf_counter() - start) * 1000,
            )
    summary = await asyncio.to_thread(summarize_extractive, article, count)
    return replace(summary, length=label, fallback_reason=reason)
