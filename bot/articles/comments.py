"""Reader-comment sections: split them off scraped text or HTML into (author, text) comments."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from lxml import html as lxml_html

from bot.articles.boilerplate import is_boilerplate, is_comment_header
from bot.articles.models import Comment

_AUTHOR_LINE = re.compile(
    r"^[•*·▪–-]?\s*(?P<author>[^\s:][^:]{0,58}?)\s+(?:says|said|wrote|commented|replied)\s*:?"
    r"(?:\s+(?P<rest>.+))?$",
    re.IGNORECASE,
)
_DATE_LINE = re.compile(
    r"^(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}|"
    r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2})(?:\s*(?:at|,)?\s*\d{1,2}:\d{2}\s*(?:am|pm)?)?$",
    re.IGNORECASE,
)
_STOP_LINE = re.compile(r"^(?:leave a (?:reply|comment)|post a comment|your email address)", re.IGNORECASE)
_SKIP_LINE = re.compile(r"^(?:reply|log in to reply|like|loading\.*|report|\d+ likes?)$", re.IGNORECASE)
_MAX_AUTHOR_WORDS = 6


def _author_from(line: str) -> tuple[str, str] | None:
    """If ``line`` opens a comment ("Scott says:"), return (author, text after the colon)."""
    match = _AUTHOR_LINE.match(line.strip())
    if not match:
        return None
    author = match.group("author").strip(" •*-")
    if not author or len(author.split()) > _MAX_AUTHOR_WORDS or author.endswith((".", "!", "?")):
        return None
    rest = (match.group("rest") or "").strip()
    if _DATE_LINE.match(rest):
        rest = ""
    return author, rest


def parse_comment_lines(lines: Sequence[str], *, header_seen: bool = False) -> list[Comment]:
    """Parse the lines of a page tail into comments.

    Comments start after a header like "1 Comment" (or right away when ``header_seen``). A line
    such as "Scott says:" opens a comment by Scott; the following lines are its text. Reply links,
    date stamps and the reply form ("Leave a Reply", ...) are not comment text.
    """
    comments: list[Comment] = []
    author: str | None = None
    text: list[str] = []
    in_section = header_seen

    def flush() -> None:
        body = "\n".join(t for t in text if t).strip()
        if body and author is not None:
            comments.append(Comment(author=author, text=body))

    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if _STOP_LINE.match(line):
            break
        if is_comment_header(line):
            flush()
            author, text, in_section = None, [], True
            continue
        opened = _author_from(line)
        if opened is not None:
            flush()
            author, first = opened
            text = [first] if first else []
            in_section = True
            continue
        if not in_section or _SKIP_LINE.match(line) or _DATE_LINE.match(line):
            continue
        if author is None:
            author = ""  # a comment without a recognisable author line
        text.append(line)
    flush()
    return comments


def _class_has(token: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {token} ')"


_COMMENT_CLASSES = {"comment", "comment-body"}
_COMMENT_NODES = f"//*[{_class_has('comment')} or {_class_has('comment-body')}]"
_AUTHOR_XPATHS = (
    f".//*[{_class_has('fn')}]",
    ".//*[@itemprop='author']",
    f".//*[{_class_has('comment-author')}]",
)
_TEXT_XPATHS = (
    f".//*[{_class_has('comment-content')}]",
    f".//*[{_class_has('comment-text')}]",
)


def _own(node: lxml_html.HtmlElement, found: Iterable[lxml_html.HtmlElement]) -> list[lxml_html.HtmlElement]:
    """Elements of ``found`` that belong to ``node`` itself, not to a nested reply."""
    own = []
    for element in found:
        parent = element.getparent()
        while parent is not None and parent is not node:
            if _COMMENT_CLASSES & set(parent.get("class", "").split()):
                break
            parent = parent.getparent()
        if parent is node:
            own.append(element)
    return own


def _element_text(element: lxml_html.HtmlElement) -> str:
    """Text of an element, one line per paragraph inside it."""
    paragraphs = element.findall(".//p")
    parts = paragraphs if paragraphs else [element]
    return "\n".join(" ".join(p.text_content().split()) for p in parts if p.text_content().strip())


def html_comments(tree: lxml_html.HtmlElement) -> list[Comment]:
    """Comments from WordPress-style markup (``li.comment`` with ``.fn`` author and content paragraphs)."""
    comments: list[Comment] = []
    seen: set[str] = set()
    for node in tree.xpath(_COMMENT_NODES):
        author = ""
        for xpath in _AUTHOR_XPATHS:
            hits = _own(node, node.xpath(xpath))
            if hits:
                author = re.sub(r"\s+(?:says|said|wrote)\s*:?\s*$", "", hits[0].text_content().strip(), flags=re.I)
                break
        if not author:
            continue
        blocks: list[lxml_html.HtmlElement] = []
        for xpath in _TEXT_XPATHS:
            blocks = _own(node, node.xpath(xpath))
            if blocks:
                break
        if not blocks:
            blocks = _own(node, node.xpath(".//p"))
        text = "\n".join(_element_text(b) for b in blocks).strip()
        if text and text not in seen and not is_boilerplate(text):
            seen.add(text)
            comments.append(Comment(author=" ".join(author.split()), text=text))
    return comments
