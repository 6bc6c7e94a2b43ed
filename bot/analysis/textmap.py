"""One clean text for every detector, and a way back to the words the member wrote.

:func:`prepare` sanitizes a message (lone surrogates, NUL and other control characters can never reach a
tokenizer) and undoes disguises with :func:`bot.analysis.normalize.normalize`: targets, rhetoric patterns,
learned heads and the toxicity model all read ``Prepared.scored``. Moderators still see the original:
:meth:`Prepared.to_original` maps a span of the scored text back onto the message (a character alignment),
so the card can bold the sentence the member actually wrote.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from bot.analysis.normalize import normalize
from bot.safechars import UNSAFE_CHARS

log = logging.getLogger(__name__)
ALIGN_MAX_CHARS = 6000  # longer texts are mapped proportionally (alignment is quadratic in the worst case)


def sanitize(text: str) -> str:
    """``text`` with lone surrogates and control characters (NUL, ...) removed; always valid UTF-8."""
    return UNSAFE_CHARS.sub("", text)


@dataclass(frozen=True)
class Prepared:
    """A message as written (``original``) and as every detector reads it (``scored``)."""

    original: str
    scored: str
    notes: tuple[str, ...] = ()
    _blocks: list[tuple[int, int, int]] = field(default_factory=list, repr=False, compare=False)

    @property
    def changed(self) -> bool:
        """True when the detectors read something other than the original."""
        return self.scored != self.original

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``original`` that ``scored[start:end]`` came from (best effort, never out of range)."""
        if not self.changed:
            return start, end
        if not self._blocks:
            scale = len(self.original) / max(1, len(self.scored))
            return int(start * scale), min(len(self.original), int(round(end * scale)))
        return self._map(start, left=True), max(self._map(start, left=True), self._map(end, left=False))

    def _map(self, pos: int, *, left: bool) -> int:
        """Original offset of a scored offset. Inside a matching block the offset moves with it; in a gap (text
        the normalizer rewrote) a start maps to the gap's start and an end to the gap's end in the original."""
        gap_start = 0
        for a, b, size in self._blocks:  # matching blocks: scored[a:a+size] == original[b:b+size]
            if (a <= pos < a + size) if left else (a < pos <= a + size):
                return b + (pos - a)
            if a >= pos:
                return gap_start if left else b
            gap_start = b + size
        return gap_start if left else len(self.original)

    def original_text(self, start: int, end: int) -> str:
        """The words the member wrote for ``scored[start:end]``."""
        s, e = self.to_original(start, end)
        return self.original[s:e].strip() or self.scored[start:end]


def prepare(text: str) -> Prepared:
    """Sanitize and normalize ``text``; never raises (a normalizer failure falls back to the sanitized text)."""
    clean = sanitize(text)
    try:
        result = normalize(clean)
        scored, notes = result.normalized, tuple(result.notes)
    except Exception:  # the normalizer must never cost a message its score
        log.exception("normalizer failed; scoring the sanitized text")
        scored, notes = clean, ("normalizer-failed",)
    if not scored.strip() and clean.strip():
        scored = clean  # emoji-only / non-Latin: nothing was undone, keep what was written
    if scored == text:
        return Prepared(text, scored, notes)
    blocks: list[tuple[int, int, int]] = []
    if len(scored) + len(text) <= 2 * ALIGN_MAX_CHARS:
        matcher = SequenceMatcher(None, scored, text, autojunk=False)
        blocks = [(m.a, m.b, m.size) for m in matcher.get_matching_blocks() if m.size]
    return Prepared(text, scored, notes, blocks)
