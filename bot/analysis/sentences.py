"""Split a chat message into sentence-sized pieces for per-sentence toxicity scoring.

Lines first (chat users break thoughts with newlines), then nupunkt's Punkt model inside each line.
Sentences longer than a word budget are cut into overlapping word windows so nothing is lost to the
model's maximum length; when a message has more pieces than allowed, neighbours are grouped.
"""

from __future__ import annotations

from typing import cast

import nupunkt


def _windows(sentence: str, window_words: int) -> list[str]:
    words = sentence.split()
    if len(words) <= window_words:
        return [sentence]
    stride = max(1, window_words // 2)
    out = []
    for start in range(0, len(words), stride):
        out.append(" ".join(words[start : start + window_words]))
        if start + window_words >= len(words):
            break
    return out


def _group(pieces: list[str], limit: int) -> list[str]:
    """Join neighbouring pieces so that at most ``limit`` remain, keeping them about equally long."""
    size = -(-len(pieces) // limit)
    return [" ".join(pieces[i : i + size]) for i in range(0, len(pieces), size)]


def split_message(text: str, *, max_sentences: int = 24, window_words: int = 160) -> list[str]:
    """Return the sentences (or word windows) of ``text`` in order; [] for blank text.

    Every sentence keeps its words; a sentence of more than ``window_words`` words becomes windows that
    overlap by half. At most ``max_sentences`` pieces are returned (neighbours are joined to fit).
    """
    pieces: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        # without return_confidence nupunkt returns list[str]; its annotation (no overload) says either shape
        for sentence in cast(list[str], nupunkt.sent_tokenize(line)):
            sentence = sentence.strip()
            if sentence:
                pieces.extend(_windows(sentence, window_words))
    if len(pieces) > max_sentences:
        pieces = _group(pieces, max_sentences)
    return pieces
