"""Data model of the article library: articles, their paragraphs and comments, and summaries."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

ParagraphKind = Literal["text", "heading", "item"]

WORDS_PER_MINUTE = 230
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def slugify(value: str, *, max_length: int = 64) -> str:
    """Lower-case ASCII slug: letters and digits joined by single hyphens (``"Big News!" -> "big-news"``)."""
    ascii_value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    slug = _SLUG_JUNK.sub("-", ascii_value.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "article"


def slug_for_url(url: str) -> str:
    """Stable id for an article fetched from ``url``: host, last path segment and a short hash."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    last = segments[-1].rsplit(".", 1)[0] if segments else ""
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:8]
    return f"{slugify(f'{host} {last}', max_length=48)}-{digest}"


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One block of the article body: running text, a sub-heading, or a list item."""

    text: str
    kind: ParagraphKind = "text"


@dataclass(frozen=True, slots=True)
class Comment:
    """A reader comment split off the page (never part of the article body)."""

    author: str
    text: str


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article: title, body paragraphs, sentences of the running text, and reader comments."""

    id: str
    title: str
    source: str
    paragraphs: tuple[Paragraph, ...]
    sentences: tuple[str, ...]
    comments: tuple[Comment, ...] = ()

    @property
    def body(self) -> str:
        """Body text, one paragraph per line pair (headings and list items included)."""
        return "\n\n".join(p.text for p in self.paragraphs)

    @property
    def word_count(self) -> int:
        """Number of words in the body."""
        return sum(len(p.text.split()) for p in self.paragraphs)

    @property
    def reading_minutes(self) -> int:
        """Estimated reading time in whole minutes (at least 1)."""
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))


@dataclass(frozen=True, slots=True)
class Summary:
    """A summary of one article: sentences in article order, and how they were produced."""

    article_id: str
    title: str
    sentences: tuple[str, ...]
    backend: str
    length: str
    source: str = ""
    fallback_reason: str | None = None
    elapsed_ms: float = field(default=0.0, compare=False)

    @property
    def text(self) -> str:
        """The summary as one paragraph."""
        return " ".join(self.sentences)

    @property
    def word_count(self) -> int:
        """Number of words in the summary."""
        return sum(len(s.split()) for s in self.sentences)
