"""Disguised variants of a sentence, as hostile members write them, for the normalizer's disguise matrix.

:func:`disguise_variants` applies one disguise at a time to the sentence's key words (the insults, threats and
political targets listed in :data:`KEY_WORDS`; the longest word when none is listed) and returns
``(kind, variant)`` pairs, one per kind in :data:`KINDS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

KEY_WORDS = frozenset("""
idiot idiots moron morons stupid bitch bitches vermin wiped ruin democrats democrat republicans republican
liberals conservatives libtards leftists scum trash kill die fuck shit retard loser pathetic
""".split())

_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
_CYRILLIC = dict(zip("aceijopsxyhdlwqABCEHIJKMOPSTXY", "асеіјорѕхуһԁӏԝԛАВСЕНІЈКМОРЅТХУ", strict=True))
_CYRILLIC_VOWELS = {k: v for k, v in _CYRILLIC.items() if k in "aeoicpyAEOICPY"}
_ZALGO_MARKS = "\u0300\u0301\u0302\u0303\u0308\u030a\u0315\u031b\u0323\u0327\u0330\u0334\u0336\u0337\u0338\u0352"
_VOWELS = "aeiouAEIOU"


def _leet(word: str) -> str:
    return word[0] + "".join(_LEET.get(ch.lower(), ch) for ch in word[1:])


def _cyrillic_some(word: str) -> str:
    return "".join(_CYRILLIC_VOWELS.get(ch, ch) for ch in word)


def _spaced(sep: str) -> Callable[[str], str]:
    return lambda word: sep.join(word)


def _inside(sep: str) -> Callable[[str], str]:
    return lambda word: word[: len(word) // 2] + sep + word[len(word) // 2:]


def _asterisk(word: str) -> str:
    mid = len(word) // 2
    return word[:mid] + "*" + word[mid + 1:]


def _repeat(word: str) -> str:
    pos = next((i for i, ch in enumerate(word) if ch in _VOWELS), len(word) - 1)
    return word[:pos] + word[pos] * 5 + word[pos + 1:]


def _leet_repeat(word: str) -> str:
    return _leet(_repeat(word))


def _fullwidth(word: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in word)


def _math_bold(word: str) -> str:
    def bold(ch: str) -> str:
        if "a" <= ch <= "z":
            return chr(0x1D41A + ord(ch) - ord("a"))
        if "A" <= ch <= "Z":
            return chr(0x1D400 + ord(ch) - ord("A"))
        return ch

    return "".join(bold(ch) for ch in word)


def _zalgo(word: str) -> str:
    out = []
    for i, ch in enumerate(word):
        marks = "".join(_ZALGO_MARKS[(i * 5 + k * 3) % len(_ZALGO_MARKS)] for k in range(3))
        out.append(ch + marks)
    return "".join(out)


def _rtl(word: str) -> str:
    return "\u202e" + word[::-1] + "\u202c"


# kind -> how one key word is disguised
_WORD_DISGUISES: dict[str, Callable[[str], str]] = {
    "leetspeak": _leet,
    "cyrillic-letters": _cyrillic_some,
    "spaced-letters": _spaced(" "),
    "dotted-letters": _spaced("."),
    "hyphenated-letters": _spaced("-"),
    "zero-width-joiner": _spaced("\u200d"),
    "zero-width-space": _spaced("\u200b"),
    "soft-hyphen": _inside("\u00ad"),
    "nul-inside": _spaced("\x00"),
    "rtl-override": _rtl,
    "punctuation-inside": _inside("."),
    "hyphen-inside": _inside("-"),
    "asterisk": _asterisk,
    "markdown-bold": lambda word: f"**{word}**",
    "markdown-italic": lambda word: f"*{word}*",
    "spoiler": lambda word: f"||{word}||",
    "strikethrough": lambda word: f"~~{word}~~",
    "upper-case": str.upper,
    "letter-repeats": _repeat,
    "leet-and-repeats": _leet_repeat,
    "fullwidth": _fullwidth,
    "math-bold": _math_bold,
    "zalgo": _zalgo,
}
# Whole-sentence disguises: every letter with a Cyrillic twin, so short words ("а", "аге"...) are all Cyrillic.
_SENTENCE_DISGUISES: dict[str, Callable[[str], str]] = {
    "cyrillic-words": lambda text: "".join(_CYRILLIC.get(ch, ch) for ch in text),
}
KINDS: tuple[str, ...] = (*_WORD_DISGUISES, *_SENTENCE_DISGUISES)
_WORD = re.compile(r"[A-Za-z]+")


def key_words(sentence: str) -> list[str]:
    """The words of ``sentence`` a detector needs (insults, threats, targets); the longest word if none."""
    words = _WORD.findall(sentence)
    keys = [w for w in words if w.lower() in KEY_WORDS]
    return keys or ([max(words, key=len)] if words else [])


def disguise_variants(sentence: str) -> list[tuple[str, str]]:
    """One ``(kind, variant)`` per disguise kind, the disguise applied to every key word of ``sentence``."""
    keys = set(key_words(sentence))
    variants: list[tuple[str, str]] = []
    for kind, disguise in _WORD_DISGUISES.items():
        variants.append((kind, _WORD.sub(lambda m, d=disguise: d(m.group()) if m.group() in keys else m.group(),
                                         sentence)))
    for kind, whole in _SENTENCE_DISGUISES.items():
        variants.append((kind, whole(sentence)))
    return variants
