"""Turn scraped text into typed blocks (text, heading, list item, caption, table row) and drop page chrome."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from bot.articles.boilerplate import (
    glue_count,
    has_terminal_punctuation,
    is_boilerplate,
    is_tail_marker,
    title_case_ratio,
)

BlockKind = Literal["text", "heading", "item", "caption", "table", "unknown"]

_MD_HEADING = re.compile(r"^#{1,6}\s+")
_BULLET = re.compile(r"^(?:[•*·▪●◦‣–-]|\(?\d{1,2}[.)])\s+")
_INLINE_BULLET = re.compile(r"\s+[•·▪●]\s+")
_CITATION = re.compile(r"^this citation\b", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_MAX_HEADING_WORDS = 20
_MAX_SHORT_WORDS = 25
_MIN_TAIL_WORDS = 150


@dataclass(slots=True)
class Block:
    """A paragraph-sized piece of a page and what it looks like."""

    text: str
    kind: BlockKind = "unknown"

    @property
    def words(self) -> int:
        return len(self.text.split())


def normalize_text(text: str) -> str:
    """Unicode NFC, Unix newlines, no invisible characters, single spaces inside lines."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    return "\n".join(_SPACES.sub(" ", line).rstrip() for line in text.split("\n"))


def infer_kind(text: str) -> BlockKind:
    """Guess what an unmarked line is from its punctuation, capitalisation and glued table cells."""
    words = len(text.split())
    terminal = has_terminal_punctuation(text)
    if not terminal and words <= _MAX_SHORT_WORDS and glue_count(text) >= 2:
        return "table"
    if terminal:
        if text.rstrip().endswith("?") and words <= _MAX_HEADING_WORDS and title_case_ratio(text) >= 0.6:
            return "heading"
        return "text"
    if words > _MAX_SHORT_WORDS:
        return "text"
    return "heading" if title_case_ratio(text) >= 0.6 else "caption"


def line_block(line: str) -> list[Block]:
    """Blocks for one stripped line: markdown headings, bullet/numbered items, or an unmarked line."""
    if _MD_HEADING.match(line):
        return [Block(_MD_HEADING.sub("", line).strip(" #"), "heading")]
    if _INLINE_BULLET.search(line) or line.startswith(("•", "·", "▪", "●")):
        parts = [p.strip() for p in _INLINE_BULLET.split(line.lstrip("•·▪● "))]
        return [Block(p, "item") for p in parts if p]
    if _BULLET.match(line):
        return [Block(_BULLET.sub("", line).strip(), "item")]
    return [Block(line, "unknown")]


def _joins(previous: str, line: str) -> bool:
    """True if ``line`` continues a hard-wrapped ``previous`` line."""
    return bool(previous) and not has_terminal_punctuation(previous) and line[:1].islower()


def text_blocks(text: str) -> list[Block]:
    """Split plain (or markdown-ish) text into blocks: one per line, re-joining hard-wrapped lines."""
    lines: list[str] = []
    for raw in normalize_text(text).split("\n"):
        line = raw.strip()
        if not line:
            lines.append("")
        elif lines and lines[-1] and _joins(lines[-1], line) and not _BULLET.match(line):
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    blocks: list[Block] = []
    for line in lines:
        if line:
            blocks.extend(line_block(line))
    return blocks


def _resolve_kinds(blocks: list[Block]) -> None:
    for block in blocks:
        if block.kind == "unknown":
            block.kind = infer_kind(block.text)
    # a line with one glued cell next to a table row is a table row too
    for i, block in enumerate(blocks):
        near_table = any(0 <= j < len(blocks) and blocks[j].kind == "table" for j in (i - 1, i + 1))
        if block.kind in ("caption", "heading") and near_table and glue_count(block.text) >= 1:
            block.kind = "table"


def split_tail(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    """Split at the first footer/comment marker that comes after most of the article."""
    total = sum(b.words for b in blocks)
    seen = 0
    for i, block in enumerate(blocks):
        if is_tail_marker(block.text) and seen >= min(_MIN_TAIL_WORDS, total / 2):
            return blocks[:i], blocks[i:]
        seen += block.words
    return blocks, []


def _drop_citation_cards(blocks: list[Block]) -> list[Block]:
    """Remove "source cards": [heading] + quoted paragraph + "This citation supports ..." line."""
    drop: set[int] = set()
    for i, block in enumerate(blocks):
        if _CITATION.match(block.text):
            drop.add(i)
            if i >= 1 and blocks[i - 1].kind == "text":
                drop.add(i - 1)
                if i >= 2 and blocks[i - 2].kind == "heading":
                    drop.add(i - 2)
    return [b for i, b in enumerate(blocks) if i not in drop]


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def pick_title(blocks: list[Block]) -> tuple[str | None, list[Block]]:
    """Take a leading headline-like block as the title (only if more blocks follow)."""
    if len(blocks) > 1:
        first = blocks[0]
        headline_like = first.kind in ("heading", "caption") or (
            first.kind == "text" and not first.text.endswith(".") and first.words <= _MAX_HEADING_WORDS
        )
        if headline_like and first.words <= 30:
            return first.text, blocks[1:]
    return None, blocks


def clean_blocks(blocks: list[Block], title: str | None = None) -> tuple[str | None, list[Block], list[Block]]:
    """Classify blocks, cut the page tail, drop chrome; returns (title, body blocks, tail blocks).

    Body blocks are only "text", "heading" and "item". Headline-like blocks before the first running
    text (title variants, bylines, kickers) are dropped, as are captions and repeats of the title.
    """
    _resolve_kinds(blocks)
    body, tail = split_tail(blocks)
    body = _drop_citation_cards(body)
    body = [b for b in body if not is_boilerplate(b.text)]
    if title is None:
        title, body = pick_title(body)
    body = [b for b in body if b.kind not in ("table", "caption")]
    title_key = _key(title) if title else None
    body = [b for b in body if not (title_key and _key(b.text) == title_key)]
    first_text = next((i for i, b in enumerate(body) if b.kind == "text"), len(body))
    body = [b for i, b in enumerate(body) if i >= first_text or b.kind != "heading"]
    # a heading with nothing under it (its section was all chrome)
    body = [
        b
        for i, b in enumerate(body)
        if b.kind != "heading" or (i + 1 < len(body) and body[i + 1].kind != "heading")
    ]
    return title, body, tail
