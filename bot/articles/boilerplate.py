"""Recognisers for page chrome in scraped articles: credits, bylines, reply forms, pitches, tables, footers."""

from __future__ import annotations

import re

_FLAGS = re.IGNORECASE

# A whole line/paragraph that is page chrome (matched against the stripped text).
_LINE_PATTERNS = [
    # image captions and credits
    r"^featured image\b",
    r"^(?:image|photo|picture|video|graphic|illustration)s?\s*(?:credit|courtesy|source|via|by)?\s*:",
    r"^(?:photo|image)s?\s+(?:by|courtesy of)\b",
    r"^(?:credit|credits)\s*:",
    r"^(?:getty images|ap photo|reuters photo)\b",
    # bylines and author footers
    r"^written by\b",
    r"^about the author\b",
    r"^(?:posted|published|updated)\s+(?:by|on|at)\b.{0,80}$",
    r"^(?-i:[Bb]y(?:\s+[A-Z][\w'’.-]*){1,4})(?<!\.)$",
    # reply forms
    r"^leave a (?:reply|comment)\b",
    r"your email address will not be published",
    r"required fields are marked",
    r"^(?:cancel reply|post comment|submit comment|log in to reply|reply|report comment)$",
    # newsletter, recruiting and donation pitches
    r"^become an? [^.?]{1,40}!$",
    r"\binterested in writing for\b",
    r"\bsend us a writing sample\b",
    r"^(?:sign up|subscribe)\b.{0,120}\b(?:newsletter|updates|inbox|e-?mail|alerts)\b",
    r"\bjoin our (?:mailing list|newsletter)\b",
    r"^(?:we(?:'|’)re|we are) hiring\b",
    r"^(?:please )?(?:support|donate to) (?:our|independent) journalism\b",
    # citation cards and source lists
    r"^this citation (?:supports|provides|is|backs|confirms)\b",
    r"^related (?:sources?|articles?|posts?|stories|reading|coverage)\s*:?$",
    r"^sources?\s*\d*\s*:?$",
    r"^(?:read more|see also|related|more)\s*:",
    # share bars, ads, legal lines
    r"^(?:share|tweet|email|print|share this(?: article| story)?)(?: on \w+)?:?$",
    r"^advertisement$",
    r"\ball rights reserved\b",
    r"^(?:copyright|©)",
    r"^click here\b",
]
_LINE_RE = [re.compile(p, _FLAGS) for p in _LINE_PATTERNS]
# Markers after which the rest of the page (past most of the article) is chrome, comments or footer.
_TAIL_RE = re.compile(
    r"^(?:written by\b.*|about the author\b.*|leave a (?:reply|comment)\b.*|comments?|"
    r"(?:\d+|no|one)\s+(?:comments?|responses?|replies|thoughts? on\b.*)|"
    r"related (?:sources?|articles?|posts?|stories)\s*:?|you (?:may|might) also like\b.*|post navigation|"
    r"share this(?: article| story)?:?)$",
    _FLAGS,
)
_COMMENT_HEADER_RE = re.compile(
    r"^(?:(?:\d+|no|one)\s+(?:comments?|responses?|replies|thoughts? on\b.*)|comments?(?:\s*\(\d+\))?:?)$",
    _FLAGS,
)
_MAX_CHROME_WORDS = 60

# Table cells run together by a scraper: "deathsUN OHCHR reports (2025)286".
_GLUE_RE = re.compile(r"[a-z]{2}[A-Z]|[a-z)%]\d|\)[A-Z]")
_TERMINAL = (".", "!", "?", '"', "”", "’", "'", ")", ":", "…", ";")


def is_boilerplate(text: str) -> bool:
    """True if a line, paragraph or sentence is page chrome rather than article text."""
    stripped = text.strip().strip("*_#>•·▪-– ").strip()
    if not stripped:
        return True
    if len(stripped.split()) > _MAX_CHROME_WORDS:
        return False
    return any(p.search(stripped) for p in _LINE_RE)


def is_tail_marker(text: str) -> bool:
    """True for a line that starts the footer/comment part of a page ("Written by", "1 Comment", ...)."""
    stripped = text.strip().strip("*_#").strip()
    return bool(_TAIL_RE.match(stripped.rstrip(":")) or _COMMENT_HEADER_RE.match(stripped))


def is_comment_header(text: str) -> bool:
    """True for a comment-section header such as "1 Comment", "12 Responses" or "Comments (3)"."""
    return bool(_COMMENT_HEADER_RE.match(text.strip().strip("*_#").strip()))


def glue_count(text: str) -> int:
    """How many places look like two table cells glued together without a space."""
    return len(_GLUE_RE.findall(text))


def has_terminal_punctuation(text: str) -> bool:
    """True if the text ends like a sentence (period, question mark, closing quote, colon, ...)."""
    return text.rstrip().endswith(_TERMINAL)


def title_case_ratio(text: str) -> float:
    """Share of the longer words (4+ letters) that start with a capital letter."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if len(w) >= 4]
    if not words:
        return 1.0 if text.strip() and text.strip()[0].isupper() else 0.0
    return sum(w[0].isupper() for w in words) / len(words)
