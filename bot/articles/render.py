"""Render summaries within Discord's embed limits (pure data, no discord import; the cog builds the Embed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.articles.models import Article, Summary

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
TOTAL_LIMIT = 6000
CHOICE_LIMIT = 100
ELLIPSIS = "…"
BULLET = "• "


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary when possible, ending in "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    if text[len(cut)] != " " and " " in cut[len(cut) // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + ELLIPSIS


def bullet_list(sentences: tuple[str, ...] | list[str], limit: int = DESCRIPTION_LIMIT) -> str:
    """Sentences as "• ..." lines, whole sentences only while they fit; a single too-long one is cut."""
    lines: list[str] = []
    used = 0
    for sentence in sentences:
        line = BULLET + " ".join(sentence.split())
        extra = len(line) + (1 if lines else 0)
        if used + extra > limit:
            if not lines:
                lines.append(BULLET + truncate(sentence, limit - len(BULLET)))
            break
        lines.append(line)
        used += extra
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class EmbedFields:
    """Everything an embed needs, already within Discord's limits."""

    title: str
    description: str
    footer: str
    url: str | None = None
    fields: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def total_chars(self) -> int:
        """Characters Discord counts against the 6,000 total (title, description, footer, fields)."""
        return len(self.title) + len(self.description) + len(self.footer) + sum(len(n) + len(v) for n, v in self.fields)

    def to_dict(self) -> dict[str, Any]:
        """The embed as a dict in Discord's JSON shape (``discord.Embed.from_dict`` accepts it)."""
        data: dict[str, Any] = {"title": self.title, "description": self.description, "footer": {"text": self.footer}}
        if self.url:
            data["url"] = self.url
        if self.fields:
            data["fields"] = [{"name": n, "value": v, "inline": True} for n, v in self.fields]
        return data


def summary_footer(summary: Summary, article: Article | None = None) -> str:
    """E.g. "extractive summary · 3 sentences · 4 min read" (+ a note when the LLM was unavailable)."""
    parts = [f"{summary.backend} summary", f"{len(summary.sentences)} sentences"]
    if article is not None:
        parts.append(f"{article.reading_minutes} min read")
    if summary.fallback_reason:
        parts.append("LLM unavailable, extractive fallback")
    return truncate(" · ".join(parts), FOOTER_LIMIT)


def render_summary(summary: Summary, article: Article | None = None) -> EmbedFields:
    """Embed-ready title (<= 256), bullet description (<= 4,096), footer and link; total <= 6,000."""
    title = truncate(summary.title or "Summary", TITLE_LIMIT)
    footer = summary_footer(summary, article)
    url = summary.source if summary.source.startswith(("http://", "https://")) else None
    room = min(DESCRIPTION_LIMIT, TOTAL_LIMIT - len(title) - len(footer))
    description = bullet_list(summary.sentences, room) or "(no summary available)"
    return EmbedFields(title=title, description=description, footer=footer, url=url)


def choice_label(article: Article) -> str:
    """An autocomplete choice name (<= 100 characters): the title and reading time."""
    suffix = f" ({article.reading_minutes} min)"
    return truncate(article.title, CHOICE_LIMIT - len(suffix)) + suffix
