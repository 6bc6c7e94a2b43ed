"""Rendering summaries into Discord-embed-ready fields within Discord's limits."""

from __future__ import annotations

from typing import Any

from bot.articles.models import Article, Paragraph, Summary
from bot.articles.render import (
    CHOICE_LIMIT,
    DESCRIPTION_LIMIT,
    TITLE_LIMIT,
    TOTAL_LIMIT,
    bullet_list,
    choice_label,
    render_summary,
    truncate,
)


def _summary(title: str, sentences: list[str], **extra: Any) -> Summary:
    return Summary(article_id="a", title=title, sentences=tuple(sentences), backend="extractive",
                   length="medium", **extra)


def test_normal_summary() -> None:
    article = Article(id="a", title="T", source="", paragraphs=(Paragraph("word " * 500),), sentences=())
    embed = render_summary(_summary("Budget passes", ["One.", "Two."]), article)
    assert embed.title == "Budget passes"
    assert embed.description == "• One.\n• Two."
    assert embed.footer == "extractive summary · 2 sentences · 3 min read"
    assert embed.url is None
    assert embed.to_dict() == {"title": "Budget passes", "description": "• One.\n• Two.",
                               "footer": {"text": "extractive summary · 2 sentences · 3 min read"}}


def test_limits_hold_for_huge_input() -> None:
    embed = render_summary(
        _summary("T" * 1000, ["word " * 300] * 20, source="https://example.com/x", fallback_reason="timeout")
    )
    assert len(embed.title) <= TITLE_LIMIT and embed.title.endswith("…")
    assert len(embed.description) <= DESCRIPTION_LIMIT
    assert embed.total_chars <= TOTAL_LIMIT
    assert all(line.startswith("• ") for line in embed.description.split("\n"))
    assert embed.url == "https://example.com/x"
    assert "fallback" in embed.footer


def test_one_giant_sentence_is_cut() -> None:
    text = bullet_list(["x" * 10_000])
    assert len(text) == DESCRIPTION_LIMIT and text.endswith("…")
    assert render_summary(_summary("t", [])).description == "(no summary available)"


def test_truncate_and_choice_label() -> None:
    assert truncate("hello world this is long", 12) == "hello world…"
    assert truncate("short", 10) == "short"
    article = Article(id="a", title="A " * 200, source="", paragraphs=(), sentences=())
    label = choice_label(article)
    assert len(label) <= CHOICE_LIMIT and label.endswith("(1 min)")
