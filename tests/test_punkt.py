"""bot.punkt: the shared Punkt wrapper; the chat and article splitters built on it split exactly as before."""

from __future__ import annotations

import nupunkt

from bot.analysis.sentences import split_message
from bot.articles.sentences import split_sentences
from bot.punkt import punkt_sentences

SAMPLES = [
    "",
    "   \n\t ",
    "One sentence.",
    "First one. Second one! Third one? And a fourth",
    "Mr. Smith met Sen. Jones in the U.S. yesterday. They talked.",
    "line one without stop\nline two. with a stop\n\n\nline three!!!",
    "  spaced    out   words .  next  ",
    "... ?! ...",
    "Quote: \"Go home.\" He left. (Really.) Yes.",
    " ".join(f"word{n}" for n in range(400)) + ". Short tail.",
]


def _old_split_message(text: str, max_sentences: int = 24, window_words: int = 160) -> list[str]:
    from bot.analysis.sentences import _group, _windows

    pieces: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        for sentence in nupunkt.sent_tokenize(line):
            sentence = sentence.strip()
            if sentence:
                pieces.extend(_windows(sentence, window_words))
    if len(pieces) > max_sentences:
        pieces = _group(pieces, max_sentences)
    return pieces


def _old_raw(text: str) -> list[str]:
    text = " ".join(text.split())
    if not text:
        return []
    return [s.strip() for s in nupunkt.sent_tokenize(text) if s.strip()]


def test_punkt_sentences_normalises_and_drops_empty_pieces() -> None:
    assert punkt_sentences("") == [] and punkt_sentences(" \n ") == []
    assert punkt_sentences("Hello   there.\nGeneral   Kenobi.") == ["Hello there.", "General Kenobi."]
    for text in SAMPLES:
        assert punkt_sentences(text) == _old_raw(text)


def test_chat_splitter_unchanged() -> None:
    for text in SAMPLES:
        assert split_message(text) == _old_split_message(text)
        assert split_message(text, max_sentences=2, window_words=8) == _old_split_message(text, 2, 8)


def test_article_splitter_is_punkt_plus_repairs() -> None:
    for text in SAMPLES:
        joined = " ".join(split_sentences(text))
        assert joined == " ".join(_old_raw(text))  # repairs only glue neighbours back together
