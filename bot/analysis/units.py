"""Sentence units of a chat message as character offsets: what the analyzer scores one by one and points at."""

from __future__ import annotations

import re

__all__ = ["split_units"]

_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)\]]*\s+|\n+")
_ABBREV = re.compile(r"(?:\b[A-Z]\.|\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|St|vs|etc|U\.S|U\.K)\.)$")


def split_units(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a chat message (newlines and . ! ? … end a sentence; "U.S." and "Sen." do not).

    Why not :func:`bot.analysis.sentences.split_message` (nupunkt): the detectors need character *offsets* into the
    prepared text (targets found in the whole message are assigned to sentences by position), every sentence
    whole (no windows, no grouping), and a splitter cheap enough for the worker thread. The evaluation numbers
    depend on exactly these spans, so the two are kept apart.
    """
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if _ABBREV.search(text[start : m.start()]) and "\n" not in m.group(0):
            continue
        if text[start : m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    out = []
    for s, e in spans:  # trim whitespace so offsets point at the sentence itself
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        out.append((s, e))
    return out
