"""TEST DOUBLE: a deterministic marker-word scorer for bots run by the tests (in process or as a child process).

:class:`KeywordTestScorer` flags a text that contains one of ``words`` (whole word, case-insensitive). It knows
nothing about toxicity or partisanship. In process it is passed as ``ModBot(settings, scorer=...)``; a child bot
gets it from :mod:`support.keyword_run`, which runs the real ``modbot run`` command with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.analysis.config import PolicyConfig
from bot.analysis.context import MessageContext, check_contexts
from bot.moderation.scoring import Assessment

DEFAULT_WORDS = ("flagme",)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")


class KeywordTestScorer:
    """A :class:`bot.moderation.scoring.MessageScorer` that flags ``words``; an all-caps text is "high" severity."""

    def __init__(self, words: Iterable[str] = DEFAULT_WORDS) -> None:
        cleaned = [w.strip() for w in words if w.strip()]
        self.words = tuple(cleaned)
        pattern = "|".join(re.escape(w) for w in cleaned) or r"(?!x)x"
        self._pattern = re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)

    def assess(self, text: str) -> Assessment:
        """Score one text."""
        match = self._pattern.search(text or "")
        if match is None:
            return Assessment(False, scores={"keyword": 0.0})
        sentence = next((s for s in _SENTENCE_SPLIT.split(text) if self._pattern.search(s)), text)
        severity = "high" if text.isupper() else "medium"
        reason = f"contains the test marker word {match.group(0).lower()!r}"
        return Assessment(True, ("test-keyword",), severity, (reason,), sentence.strip(), {"keyword": 1.0})

    async def analyze(self, texts: list[str], *, policy: PolicyConfig | None = None,
                      contexts: Sequence[MessageContext | None] | None = None) -> list[Assessment]:
        """Score each text (no I/O, no model; ``policy`` and ``contexts`` are ignored, but a ``contexts`` of
        another length than ``texts`` is refused as the real scorer refuses it)."""
        check_contexts(contexts, len(texts))
        return [self.assess(text) for text in texts]
