"""Build clean `Article` objects from plain text, Markdown and files on disk (HTML goes through html.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from bot.articles.blocks import Block, clean_blocks, normalize_text, text_blocks
from bot.articles.boilerplate import is_boilerplate
from bot.articles.comments import parse_comment_lines
from bot.articles.models import Article, Comment, Paragraph, slugify
from bot.articles.sentences import split_sentences

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")

# "Kathmandu, Nepal (CNN)The ..." / "WASHINGTON (AP) — The ..." at the very start of the text.
_DATELINE = re.compile(
    r"^(?:[A-Z][\w.,'’ -]{0,50}?\s*)?\((?:[A-Z][\w.&]*(?:\s[A-Z][\w.&]*){0,3})\)"
    r"(?:\s*(?:--|—|–|-)\s*|(?=[A-Z0-9\"“‘]))"
)
_LIST_NUMBER = re.compile(r"^\(?\d{1,2}[.)]\s+")
_ORPHAN_PUNCT = re.compile(r"\s[,;](?:\s*[,;])+")
_LETTER = re.compile(r"[^\W\d_]")
_MAX_TITLE_WORDS = 25


def clean_sentence(sentence: str) -> str | None:
    """Strip list numbering from a sentence; None if it is chrome, empty or visibly broken."""
    sentence = _LIST_NUMBER.sub("", sentence.strip())
    if not _LETTER.search(sentence) or is_boilerplate(sentence) or _ORPHAN_PUNCT.search(sentence):
        return None
    return sentence


def strip_dateline(text: str) -> str:
    """Remove a wire-service dateline such as "Tokyo (CNN)" from the start of the first paragraph."""
    return _DATELINE.sub("", text, count=1)


def fallback_title(sentences: Sequence[str]) -> str:
    """A title made from the first sentence when the page has no headline."""
    if not sentences:
        return "Untitled article"
    words = sentences[0].split()
    if len(words) <= _MAX_TITLE_WORDS:
        return sentences[0]
    return " ".join(words[:12]).rstrip(",;:") + "…"


def article_from_blocks(
    blocks: list[Block],
    *,
    article_id: str,
    source: str,
    title: str | None = None,
    comments: Sequence[Comment] = (),
) -> Article:
    """Clean blocks into an Article; the page tail is parsed for reader comments."""
    title, body, tail = clean_blocks(blocks, title)
    found = list(comments) or parse_comment_lines([b.text for b in tail])
    paragraphs: list[Paragraph] = []
    sentences: list[str] = []
    for block in body:
        if block.kind != "text":
            paragraphs.append(Paragraph(block.text, block.kind))
            continue
        text = strip_dateline(block.text) if not sentences else block.text
        kept = [s for s in (clean_sentence(s) for s in split_sentences(text)) if s]
        if kept:
            paragraphs.append(Paragraph(" ".join(kept), "text"))
            sentences.extend(kept)
    return Article(
        id=article_id,
        title=" ".join((title or fallback_title(sentences)).split()),
        source=source,
        paragraphs=tuple(paragraphs),
        sentences=tuple(sentences),
        comments=tuple(found),
    )


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

