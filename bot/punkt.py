"""The sentence tokenizer shared by chat messages and articles: nupunkt's pretrained English Punkt model.

One wrapper so both callers normalise whitespace and drop empty pieces the same way. What each does on top:

- :func:`bot.analysis.sentences.split_message` (toxicity model input): line by line, long sentences cut into
  overlapping word windows, neighbours grouped to a maximum count;
- :func:`bot.articles.sentences.split_sentences` (article summaries): repairs for scraped news (initialisms,
  title abbreviations, punctuation-only fragments).
"""

from __future__ import annotations

from typing import cast

import nupunkt

__all__ = ["punkt_sentences"]


def punkt_sentences(text: str) -> list[str]:
    """The sentences of ``text``, in order, whitespace-normalised (runs of spaces and newlines become one space)."""
    text = " ".join(text.split())
    if not text:
        return []
    # without return_confidence nupunkt returns list[str]; its annotation (no overload) says either shape
    return [s.strip() for s in cast(list[str], nupunkt.sent_tokenize(text)) if s.strip()]
