"""The scorer port: how the moderation core asks for a verdict, and the plain data it gets back.

A :class:`MessageScorer` turns message texts into one :class:`Assessment` each. The real one is
:class:`bot.analysis.scorer.AnalyzerScorer` (the analyzer's ``Verdict`` mapped to an ``Assessment``); tests pass a
deterministic double through ``ModBot(settings, scorer=...)`` or ``ModerationService(..., scorer)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.analysis.config import PolicyConfig
    from bot.analysis.context import MessageContext


@dataclass(frozen=True)
class Assessment:
    """A verdict reduced to plain data the moderation core stores and renders."""

    flagged: bool
    labels: tuple[str, ...] = ()
    severity: str = ""
    reasons: tuple[str, ...] = ()
    evidence: str = ""
    scores: dict[str, float] = field(default_factory=dict)


class MessageScorer(Protocol):
    """Scores message texts: one assessment per text, same order. Must not block the event loop."""

    async def analyze(
        self,
        texts: list[str],
        *,
        policy: PolicyConfig | None = None,
        contexts: Sequence[MessageContext | None] | None = None,
    ) -> list[Assessment]:
        """Score ``texts`` with ``policy`` (a guild's ``[policy]``; None: the scorer's own).

        ``contexts``: what each text answers (reply parent, article title), one item or None per text; None
        scores every text alone. A scorer may ignore it; a length that differs from ``texts`` is a ValueError.
        """
        ...
