"""Split a chat message into sentence-sized pieces for per-sentence toxicity scoring.

Lines first (chat users break thoughts with newlines), then nupunkt's Punkt model inside each line.
Sentences longer than a word budget are cut into overlapping word windows so nothing is lost to the
model's maximum length; when a message has more pieces than allowed, neighbours are grouped.

Why not the other splitters: the toxicity model wants *text* of bounded length and a bounded count per message,
so this one windows and groups, which :func:`bot.analysis.units.split_units` (character offsets for evidence,
never windowed) and :func:`bot.articles.sentences.split_sentences` (article prose, repaired) must not do. The
toxicity scores in the evaluation tables depend on exactly these pieces.
"""

from __future__ import annotations

from bot.punkt import punkt_sentences


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
        for sentence in punkt_sentences(line):
            pieces.extend(_windows(sentence, window_words))
    if len(pieces) > max_sentences:
        pieces = _group(pieces, max_sentences)
    return pieces
