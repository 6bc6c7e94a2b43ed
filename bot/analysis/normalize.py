"""Text normalization before scoring: undo common evasions, keep the original text for display.

Pure functions, no I/O. :func:`normalize` reads right-to-left override runs in display order, removes invisible
characters and zalgo marks, folds fullwidth / math alphanumerics (NFKC) and Cyrillic/Greek lookalikes (inside
Latin words, and whole lookalike words in Latin text), unwraps Discord markdown, replaces mentions, custom emoji
and URLs, joins spaced-out letters preferring lexicon words (``What a m o r o n`` -> ``What a moron``) and undoes
leetspeak, asterisks, punctuation inside words and letter repeats (``f4ck``, ``i*iot``, ``mor.on``, ``fuuuck``)
guided by the lexicon in :mod:`bot.analysis.normalize_words`. Non-Latin scripts (Arabic, Hebrew, CJK, Russian,
Greek...) are left as they are. Every change adds a note; empty, emoji-only and binary input give an empty
``normalized`` with a note. It never raises, and ``normalized`` is always encodable as UTF-8.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

from bot.analysis.normalize_words import (
    COMMON,
    INNER_PUNCT,
    LEET,
    inner_punct_repair,
    is_word,
    lexicon_repair,
    segment,
)

# Scripts whose lookalike letters are folded to Latin inside Latin words (never Arabic, Hebrew, CJK...).
_FOLD_SCRIPTS = frozenset("""CYRILLIC GREEK ARMENIAN CHEROKEE LISU COPTIC CANADIAN TIFINAGH OSAGE DESERET CARIAN
LYCIAN MIAO ELBASAN WARANG SMALL ROMAN SCRIPT DOUBLE-STRUCK BLACK-LETTER MATHEMATICAL FULLWIDTH LATIN""".split())

_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001d173-\U0001d17a\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)
_JOINERS = "\u200c\u200d"
_RLO_RUN = re.compile("\u202e([^\u202c\u202d\u202e\n]*)\u202c?")
_USER = re.compile(r"<@!?\d{5,25}>")
_ROLE = re.compile(r"<@&\d{5,25}>")
_CHANNEL = re.compile(r"<#\d{5,25}>")
_EMOJI = re.compile(r"<a?:(\w{1,32}):\d{5,25}>")
_TIMESTAMP = re.compile(r"<t:-?\d{1,13}(?::[tTdDfFR])?>")
_SLASH = re.compile(r"</([\w\- ]{1,64}):\d{5,25}>")
_MASKED_LINK = re.compile(r"\[([^\]\n]{1,200})\]\(<?https?://[^\s)]+>?\)")
_URL = re.compile(r"<?\b(?:https?://|www\.)[^\s<>]+>?|\bdiscord(?:\.gg|app\.com/invite)/\S+", re.IGNORECASE)
_CODE_BLOCK = re.compile(r"```(?:[\w+\-.#]{1,20}\n)?(.*?)```", re.DOTALL)
_INLINE_CODE = re.compile(r"(`{1,2})([^`]+?)\1")
# Bounded spans: an unclosed marker must not make a long message quadratic.
_WRAPPERS = [
    re.compile(r"\|\|(.{1,400}?)\|\|", re.DOTALL),
    re.compile(r"~~(?=\S)(.{1,400}?)(?<=\S)~~", re.DOTALL),
    re.compile(r"(?<![\w*])\*{1,3}(?=[^\s*])(.{1,400}?)(?<=[^\s*])\*{1,3}(?![\w*])", re.DOTALL),
    re.compile(r"(?<!\w)_{1,2}(?=[^\s_])(.{1,400}?)(?<=[^\s_])_{1,2}(?!\w)", re.DOTALL),
]
_LINE_PREFIX = re.compile(r"^(?:#{1,3}\s+|-#\s+|>>>\s?|>\s?)", re.MULTILINE)
_ESCAPE = re.compile(r"\\([*_~|`>#\\])")
_LETTERISH = r"[^\W_]|[@$!*|]"
# Three or more single characters with the same separator: "f u c k", "i.d.i.o.t" ("U.S. e.g." is two runs).
_SPACED = re.compile(
    rf"(?<![\w@$!*|])(?:{_LETTERISH})([ .\-_*·•/]{{1,3}})(?:{_LETTERISH})(?:\1(?:{_LETTERISH}))+(?![\w@$])"
)
_EDGE_PUNCT = re.compile(r"^([\"'(\[{<]*)(.*?)([\"')\]}>.,?!:;…]*)$", re.DOTALL)
_RUN3 = re.compile(r"([^\W\d_])\1{2,}")
_RUN2 = re.compile(r"(\w)\1+")
_PUNCT_RUN = re.compile(r"([^\w\s])\1{3,}")
_ORDINAL_OR_UNIT = re.compile(r"^\d+(?:st|nd|rd|th|s|am|pm|k|m|b|x|p|gb|mb|kb|hz|d|h|min|px|fps)?$", re.I)
_STYLED_BLOCKS = ((0x1D00, 0x1DBF), (0x1F100, 0x1F1E5), (0xA730, 0xA7FF), (0x0250, 0x02AF))
_JUNK = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff\ud800-\udfff\U000f0000-\U0010ffff]")
_JUNK_SEPARATOR = re.compile("(?<=[^\\W\\d_])[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f](?=[^\\W\\d_])")
_MARKS = re.compile("[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_ALNUM = re.compile(r"[^\W_]")
_TRIGGER_TOKEN = re.compile(r"(?<!\S)(?=\S*(?:[@$!*|0-9€¢(+]|([^\W\d_])\1|\w[.\-_·•~^,:;/\\]+\w))\S+")


@dataclass(frozen=True)
class NormalizedText:
    """A message as shown (``original``) and as scored (``normalized``), with what was changed."""

    original: str
    normalized: str
    notes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing scorable is left (empty, emoji-only, binary)."""
        return not self.normalized


def _script(ch: str) -> str:
    try:
        return unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return "UNKNOWN"


@lru_cache(maxsize=1)
def _homoglyphs() -> dict[str, str]:
    """Non-Latin letters that look like an ASCII letter or digit, from the confusables data."""
    from confusable_homoglyphs import confusables

    table: dict[str, str] = {}
    for ch, entries in confusables.confusables_data.items():
        if len(ch) != 1 or ch.isascii() or not ch.isalpha():
            continue
        for entry in entries:
            target = entry["c"]
            if len(target) == 1 and target.isascii() and target.isalnum() and _script(ch) in _FOLD_SCRIPTS:
                if target == "l" and "CAPITAL" in unicodedata.name(ch, ""):
                    target = "I"
                table.setdefault(ch, target)
                break
    table["\u04cf"] = "l"  # small palochka: written for "l" ("еӏесt"), the confusables data says "i"
    return table


def _visual_order(text: str, notes: list[str]) -> str:
    """Read right-to-left override runs (U+202E up to U+202C, a line end or the text end) in display order."""
    out = _RLO_RUN.sub(lambda m: m.group(1)[::-1], text)
    if out != text:
        notes.append("rtl-override")
    return out


def _strip_invisible(text: str, notes: list[str]) -> str:
    def joiner(match: re.Match[str]) -> str:
        ch, start = match.group(), match.start()
        if ch in _JOINERS and 0 < start < len(text) - 1:
            before, after = text[start - 1], text[start + 1]
            if before.isalpha() and after.isalpha() and not before.isascii() and not after.isascii():
                return ch  # ZWNJ/ZWJ are spelling in Persian, Indic scripts...
        return ""

    out = _INVISIBLE.sub(joiner, text)
    if out != text:
        notes.append("invisible-characters")
    return out




def _discord_markup(text: str, notes: list[str]) -> str:
    lower = text.lower()
    steps: list[tuple[str, re.Pattern[str], str | Callable[[re.Match[str]], str], str]] = [
        # (cheap guard, pattern, replacement, note)
        ("](", _MASKED_LINK, r"\1", "links"), ("://", _URL, " ", "links"), ("www.", _URL, " ", "links"),
        ("discord", _URL, " ", "links"), ("<@", _USER, "@user", "mentions"), ("<@&", _ROLE, "@role", "mentions"),
        ("<#", _CHANNEL, "#channel", "mentions"), ("<t:", _TIMESTAMP, "", "mentions"),
        ("</", _SLASH, r"/\1", "mentions"),
        (":", _EMOJI, lambda m: f" {m.group(1).replace('_', ' ')} ", "custom-emoji"),
        ("```", _CODE_BLOCK, r"\1", "markdown"), ("`", _INLINE_CODE, r"\2", "markdown"),
        ("\\", _ESCAPE, r"\1", "markdown"),
    ]
    for guard, pattern, repl, note in steps:
        if guard in lower:
            text, count = pattern.subn(repl, text)
            if count and note not in notes:
                notes.append(note)
    for _ in range(3):  # nested wrappers: ||**x**||
        before = text
        for guard, pattern in zip(("||", "~~", "*", "_"), _WRAPPERS, strict=True):
            if guard in text:
                text = pattern.sub(r"\1", text)
        if text == before:
            break
        if "markdown" not in notes:
            notes.append("markdown")
    if "||" in text:
        text = text.replace("||", " ")  # unpaired spoiler bars
    if "#" in text or ">" in text:
        text, count = _LINE_PREFIX.subn("", text)
        if count and "markdown" not in notes:
            notes.append("markdown")
    return text


def _strip_zalgo(text: str, notes: list[str]) -> str:
    """Drop stacked / non-composing combining marks; if any were found, drop all marks on Latin-like letters."""
    if not _MARKS.search(unicodedata.normalize("NFD", text)):
        return text
    clusters: list[tuple[str, list[str], bool]] = []  # (base, marks, latin_like)
    zalgo = False
    for ch in unicodedata.normalize("NFD", text):
        if clusters and (unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me")):
            base, marks, latin_like = clusters[-1]
            composes = len(unicodedata.normalize("NFC", base + ch)) == 1
            if unicodedata.category(ch) == "Me" or len(marks) >= (2 if latin_like else 4) or (
                latin_like and not composes
            ):
                zalgo = True
                continue
            marks.append(ch)
        else:
            clusters.append((ch, [], ch.isascii() or _script(ch) in ("LATIN", "GREEK", "CYRILLIC")))
    if not zalgo:
        return text
    notes.append("zalgo")
    out = "".join(base + ("" if latin_like else "".join(marks)) for base, marks, latin_like in clusters)
    return unicodedata.normalize("NFC", out)


def _fold_lookalikes(text: str, notes: list[str]) -> str:
    """Fold lookalike letters inside Latin words, and whole lookalike words in Latin text ("іdіоt", "аrе").

    A word made only of lookalikes (no Latin letter) is folded when the text is mostly Latin, or when no letter
    of the text lacks a Latin twin and the folded words are English. Real Russian or Greek almost always has
    letters with no Latin twin (п, и, л, д, ж, λ, ...), so "привет", "Москва", "Καλημέρα" stay as they are.
    """
    table = _homoglyphs()
    letters = [ch for ch in text if ch.isalpha()]
    latin_total = sum(1 for ch in letters if ch.isascii() or _script(ch) == "LATIN")
    latin_context = bool(letters) and latin_total / len(letters) >= 0.5
    changed = False

    def styled(ch: str) -> bool:
        return any(lo <= ord(ch) <= hi for lo, hi in _STYLED_BLOCKS) and (ch.isalpha() or ord(ch) >= 0x1F100)

    def prepare(word: str) -> tuple[str, int, int, int]:
        word2 = "".join(anyascii(ch) if styled(ch) else ch for ch in word)
        word2 = "".join(table[ch] if ch in table and _script(ch) == "LATIN" else ch for ch in word2)
        alpha = [ch for ch in word2 if ch.isalpha()]
        latin = sum(1 for ch in alpha if ch.isascii() or _script(ch) == "LATIN")
        mapped = sum(1 for ch in alpha if ch in table)
        return word2, latin, mapped, len(alpha) - latin - mapped

    words = {w: prepare(w) for w in re.findall(r"\S*[^\x00-\x7f]\S*", text) if not w.isascii()}
    whole_ok = latin_context
    if not whole_ok and words and all(foreign == 0 for _, _, _, foreign in words.values()):
        folded = [re.sub(r"[^\w']+", "", "".join(table.get(ch, ch) for ch in w2)).lower()
                  for w2, latin, _, _ in words.values() if not latin]
        known = sum(1 for w in folded if is_word(w))
        whole_ok = bool(folded) and known * 2 > len(folded)

    def fold(match: re.Match[str]) -> str:
        nonlocal changed
        word = match.group()
        if word not in words:
            return word
        word2, latin, mapped, foreign = words[word]
        if mapped and not foreign and (latin or whole_ok):
            word2 = "".join(table.get(ch, ch) for ch in word2)
        changed = changed or word2 != word
        return word2

    out = re.sub(r"\S*[^\x00-\x7f]\S*", fold, text)
    if changed:
        notes.append("lookalikes")
    return out


def _join_spaced(text: str, notes: list[str]) -> str:
    def join(match: re.Match[str]) -> str:
        run, sep = match.group(), match.group(1)
        chars = re.findall(_LETTERISH, run)
        if sum(ch.isalpha() for ch in chars) < 2:
            return run
        pieces = segment(chars) if len(chars) <= 40 else None
        if pieces is None:
            joined = "".join(chars)
            if len(chars) < (5 if "." in sep else 4) and not _fix_token(joined)[1]:
                return run  # "u r a" and "U.S.S.R." stay; "k y s", "f u c k", "h e l l o", "Q.U.E.E.N" join
            return joined
        return " ".join(pieces)  # "a m o r o n" -> "a moron": a lone real word before the run stays apart

    out = _SPACED.sub(join, text)
    if out != text:
        notes.append("spaced-letters")
    return out


@lru_cache(maxsize=65536)
def _fix_token(token: str) -> tuple[str, str | None]:
    """Return (token, note) with leetspeak / letter repeats / inner punctuation undone when that yields a
    lexicon word ("f4ck", "i*iot", "mor.on"), plus a generic leet and repeat clean-up for other words."""
    lead, core, trail = _EDGE_PUNCT.match(token).groups()  # type: ignore[union-attr]
    if not core or core.lower() in COMMON:
        return token, None
    stem = core.rstrip("*")
    if stem != core and stem and (not core.endswith("**") or is_word(stem.lower())):
        core, trail = stem, core[len(stem):] + trail  # "bitch*", "pussy**": a mark, not hidden letters
    has_leet = any(ch in LEET or ch == "*" for ch in core) and any(ch.isalpha() for ch in core)
    has_repeat = bool(_RUN2.search(core))
    has_inner = any(ch in INNER_PUNCT for ch in core)
    if has_inner:
        fixed = inner_punct_repair(core)
        if fixed is not None:
            return lead + fixed + trail, "punctuation-inside-word"
    if not has_leet and not has_repeat:
        return token, None
    fixed = lexicon_repair(core)
    if fixed is not None:
        if fixed == core.lower():
            return token, None
        return lead + fixed + trail, "leetspeak" if has_leet else "repeated-letters"
    note = None
    if (has_leet and not _ORDINAL_OR_UNIT.match(core) and re.search(r"[a-zA-Z][013457@$!][a-zA-Z]", core)
            and not re.search(r"\d\d", core) and not re.search(r"\w\.\w|\w@\w+\.", core)):
        core = "".join(LEET.get(ch, ch) if i > 0 else ch for i, ch in enumerate(core))
        note = "leetspeak"
    squeezed = _RUN3.sub(r"\1\1", core)
    if squeezed != core:
        core, note = squeezed, note or "repeated-letters"
    return lead + core + trail, note


def _fix_words(text: str, notes: list[str]) -> str:
    found: list[str] = []

    def fix(match: re.Match[str]) -> str:
        token, note = _fix_token(match.group())
        if note and note not in found:
            found.append(note)
        return token

    out = _TRIGGER_TOKEN.sub(fix, text)
    out = _PUNCT_RUN.sub(r"\1\1\1", out)
    notes.extend(n for n in found if n not in notes)
    return out


def _fold_regional_indicators(text: str, notes: list[str]) -> str:
    """Runs of 3+ regional indicator letters spell words; pairs are flags and stay."""
    def letters(match: re.Match[str]) -> str:
        run = match.group()
        return "".join(chr(ord(ch) - 0x1F1E6 + ord("A")) for ch in run) if len(run) >= 3 else run

    out = re.sub("[\U0001f1e6-\U0001f1ff]+", letters, text)
    if out != text:
        notes.append("lookalikes")
    return out


def normalize(text: object, *, max_chars: int | None = None) -> NormalizedText:
    """Normalize a message for scoring. Never raises; ``normalized`` is "" when there is nothing to score.

    ``normalized`` is always valid Unicode (no lone surrogates, no control characters but newlines and tabs).
    """
    notes: list[str] = []
    try:
        if isinstance(text, bytes | bytearray):
            text = bytes(text).decode("utf-8", errors="replace")
            notes.append("decoded-bytes")
        elif not isinstance(text, str):
            text = "" if text is None else str(text)
    except Exception:  # noqa: BLE001 - a broken __str__ must not break scoring
        text = ""
    original = text
    try:
        return _normalize(original, text, notes, max_chars)
    except Exception:  # noqa: BLE001 - last resort: score the text with only control characters removed
        safe = _JUNK.sub("", text if max_chars is None else text[:max_chars])
        safe = re.sub(r"\s+", " ", _INVISIBLE.sub("", safe)).strip()
        return NormalizedText(original, safe if _ALNUM.search(safe) else "", (*notes, "normalize-error"))


def _normalize(original: str, text: str, notes: list[str], max_chars: int | None) -> NormalizedText:
    if not text.strip():
        return NormalizedText(original, "", ("empty",))
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars]
        notes.append("truncated")
    junk = len(_JUNK.findall(text))
    if junk >= 4 and junk / len(text) > 0.2 and len(_JUNK.findall(_JUNK_SEPARATOR.sub("", text))) / len(text) > 0.2:
        return NormalizedText(original, "", (*notes, "binary"))
    if junk:
        text = _JUNK.sub("", text)
        notes.append("control-characters")
    ascii_only = text.isascii()
    if not ascii_only:
        if "\u202e" in text:
            text = _visual_order(text, notes)
        text = _strip_invisible(text, notes)
        text = _fold_regional_indicators(text, notes)
        nfkc = unicodedata.normalize("NFKC", text)
        if nfkc != unicodedata.normalize("NFC", text):
            notes.append("compatibility-forms")
        text = nfkc
    text = _discord_markup(text, notes)
    if not ascii_only:
        text = _strip_zalgo(text, notes)
        text = _fold_lookalikes(text, notes)
    text = _join_spaced(text, notes)
    text = _fix_words(text, notes)
    text = re.sub(r"[^\S\n]+", " ", text)
    text = re.sub(r"\s*\n\s*", "\n", text).strip()
    if not _ALNUM.search(text):
        kind = "emoji-only" if any(unicodedata.category(ch) == "So" for ch in original) else "no-text"
        return NormalizedText(original, "", (*notes, kind))
    return NormalizedText(original, text, tuple(notes))
