"""Blocks -> :class:`Article`: the step every article parser ends with (plain text and Markdown in parse.py, HTML in
html.py). It lives apart from both so that html.py and parse.py need not import each other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.articles.blocks import Block, clean_blocks
from bot.articles.boilerplate import is_boilerplate
from bot.articles.comments import parse_comment_lines
from bot.articles.models import Article, Comment, Paragraph
from bot.articles.sentences import split_sentences

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
            if block.kind == "heading" or block.kind == "item":  # clean_blocks keeps no other kind in the body
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
