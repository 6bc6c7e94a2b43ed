"""Sentence splitting for article text: nupunkt's pretrained Punkt model plus repairs for scraped news."""

from __future__ import annotations

import re
from typing import cast

import nupunkt

# Punkt sometimes ends a sentence right after an initialism ("... Scholz. U.S. | Secretary of State ...").
_LONE_INITIALISM = re.compile(r"^(?:[A-Z]\.){2,}$|^(?:Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|Lt|Col|Sgt|St)\.$")
_WORD = re.compile(r"\w+", re.UNICODE)


def split_sentences(text: str) -> list[str]:
    """Split one paragraph of text into sentences, in order, whitespace-normalised.

    Uses nupunkt's default English model, then glues back fragments that are only an
    initialism or a title abbreviation, and fragments with no word characters at all.
    """
    text = " ".join(text.split())
    if not text:
        return []
    # without return_confidence nupunkt returns list[str]; its annotation (no overload) says either shape
    raw = [s.strip() for s in cast(list[str], nupunkt.sent_tokenize(text)) if s.strip()]
    merged: list[str] = []
    carry = ""
    for sentence in raw:
        if carry:
            sentence = f"{carry} {sentence}"
            carry = ""
        if _LONE_INITIALISM.match(sentence):
            carry = sentence
            continue
        if not _WORD.search(sentence) and merged:
            merged[-1] = f"{merged[-1]} {sentence}"
            continue
        merged.append(sentence)
    if carry:
        merged.append(carry)
    return merged


def count_words(text: str) -> int:
    """Count word tokens (runs of letters/digits) in a text."""
    return len(_WORD.findall(text))
