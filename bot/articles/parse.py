"""Build clean `Article` objects from plain text, Markdown and files on disk (HTML goes through html.py)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.articles.assemble import article_from_blocks
from bot.articles.blocks import normalize_text, text_blocks
from bot.articles.models import Article, slugify

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")


def parse_text(text: str, *, article_id: str, source: str = "") -> Article:
    """Parse plain text (one paragraph per line or per blank-line block) into an Article."""
    return article_from_blocks(text_blocks(text), article_id=article_id, source=source)


_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_MD_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images (alt text is a caption)
    (re.compile(r"^\[[^\]]+\]:\s+\S+.*$", re.MULTILINE), ""),  # reference link definitions
    (re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)"), r"\1"),  # inline links
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),  # italics
    (re.compile(r"(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),  # inline code
    (re.compile(r"^\s{0,3}>\s?", re.MULTILINE), ""),  # block quotes
    (re.compile(r"^\s*\|.*\|\s*$", re.MULTILINE), ""),  # tables
    (re.compile(r"^\s*(?:[-*_]\s*){3,}$", re.MULTILINE), ""),  # horizontal rules
    (re.compile(r"^(.+)\n=+\s*$", re.MULTILINE), r"# \1"),  # setext headings
    (re.compile(r"^(.+)\n-+\s*$", re.MULTILINE), r"## \1"),
]


def markdown_to_text(markdown: str) -> tuple[str | None, str]:
    """Strip Markdown syntax; returns (front-matter title or None, text keeping '#' heading marks)."""
    text = normalize_text(markdown)
    title = None
    front = _FRONT_MATTER.match(text)
    if front:
        text = text[front.end() :]
        found = re.search(r"^title:\s*[\"']?(.+?)[\"']?\s*$", front.group(1), re.MULTILINE)
        title = found.group(1) if found else None
    for pattern, replacement in _MD_RULES:
        text = pattern.sub(replacement, text)
    return title, text


def parse_markdown(markdown: str, *, article_id: str, source: str = "") -> Article:
    """Parse a Markdown article; the front-matter title or first heading becomes the title."""
    title, text = markdown_to_text(markdown)
    return article_from_blocks(text_blocks(text), article_id=article_id, source=source, title=title)


def load_file(path: Path, *, article_id: str | None = None) -> Article:
    """Load a .txt, .md or .html article; the id defaults to a slug of the file name."""
    suffix = path.suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        raise ValueError(f"unsupported article file type {suffix!r}: use {', '.join(ARTICLE_SUFFIXES)}")
    article_id = article_id or slugify(path.stem)
    if suffix in (".html", ".htm"):
        from bot.articles.html import parse_html  # trafilatura is only imported when needed

        return parse_html(path.read_bytes(), article_id=article_id, source=str(path))
    text = path.read_text(encoding="utf-8", errors="replace")
    if suffix in (".md", ".markdown"):
        return parse_markdown(text, article_id=article_id, source=str(path))
    return parse_text(text, article_id=article_id, source=str(path))

