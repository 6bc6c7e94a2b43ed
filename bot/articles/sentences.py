"""Sentence splitting for article text: nupunkt's pretrained Punkt model plus repairs for scraped news.

Why not the chat splitters: article paragraphs arrive already separated and are well-formed prose, and extractive
summaries quote whole sentences, so a sentence wrongly cut after "U.S." or "Sen." would show in a summary; chat
messages (:mod:`bot.analysis.sentences`, :func:`bot.analysis.units.split_units`) need no such repairs but do
need line breaks, windows or offsets instead.
"""

from __future__ import annotations

import re

from bot.punkt import punkt_sentences

# Punkt sometimes ends a sentence right after an initialism ("... Scholz. U.S. | Secretary of State ...").
_LONE_INITIALISM = re.compile(r"^(?:[A-Z]\.){2,}$|^(?:Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|Lt|Col|Sgt|St)\.$")
_WORD = re.compile(r"\w+", re.UNICODE)


def split_sentences(text: str) -> list[str]:
    """Split one paragraph of text into sentences, in order, whitespace-normalised.

    Uses nupunkt's default English model, then glues back fragments that are only an
    initialism or a title abbreviation, and fragments with no word characters at all.
    """
    raw = punkt_sentences(text)
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

