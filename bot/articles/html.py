"""HTML pages to `Article`: trafilatura finds the main text; comments are split off with their authors."""

from __future__ import annotations

import logging

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from bot.articles.assemble import article_from_blocks
from bot.articles.blocks import Block, line_block, normalize_text
from bot.articles.comments import html_comments, parse_comment_lines
from bot.articles.models import Article, Comment

log = logging.getLogger(__name__)
# trafilatura logs every page it finds too short at WARNING; that is our NotAnArticle case, not a problem.
logging.getLogger("trafilatura").setLevel(logging.ERROR)


def _text(element: etree._Element) -> str:
    return " ".join(normalize_text("".join(element.itertext())).split())


def _xml_blocks(main: etree._Element) -> list[Block]:
    """Typed blocks from trafilatura's XML ``<main>``: head, p, list/item, quote; tables are dropped."""
    blocks: list[Block] = []
    for element in main:
        tag = element.tag
        if tag == "head":
            blocks.append(Block(_text(element), "heading"))
        elif tag == "list":
            blocks.extend(Block(_text(item), "item") for item in element.iter("item") if _text(item))
        elif tag in ("p", "quote"):
            # <lb/> marks a line break inside a paragraph: treat each line as its own block
            for lb in element.iter("lb"):
                lb.tail = "\n" + (lb.tail or "")
            for line in normalize_text("".join(element.itertext())).split("\n"):
                if line.strip():
                    blocks.extend(line_block(" ".join(line.split())))
        elif tag == "table":
            blocks.append(Block(_text(element), "table"))
    return [b for b in blocks if b.text]


def parse_html(content: str | bytes, *, article_id: str, source: str = "", url: str | None = None) -> Article:
    """Extract the article in an HTML page; an empty Article (no paragraphs) if nothing was found."""
    try:
        tree = lxml_html.fromstring(content)
    except (etree.ParserError, ValueError):
        return article_from_blocks([], article_id=article_id, source=source)
    comments: list[Comment] = html_comments(tree)
    fallback_title = tree.findtext(".//title")
    xml = trafilatura.extract(
        tree,
        url=url,
        output_format="xml",
        with_metadata=True,
        include_comments=True,
        include_tables=True,
        include_images=False,
        include_links=False,
    )
    if not xml:
        return article_from_blocks([], article_id=article_id, source=source, title=fallback_title)
    doc = etree.fromstring(xml.encode("utf-8"))
    main = doc.find("main")
    blocks = _xml_blocks(main) if main is not None else []
    if not comments:
        section = doc.find("comments")
        if section is not None:
            comments = parse_comment_lines([_text(p) for p in section], header_seen=True)
    title = doc.get("title") or (fallback_title.strip() if fallback_title else None)
    return article_from_blocks(blocks, article_id=article_id, source=source, title=title, comments=comments)
