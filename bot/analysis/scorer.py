"""The analyzer behind the moderation core's scorer port: ``Verdict`` in, :class:`Assessment` out.

:class:`AnalyzerScorer` is the one real :class:`bot.moderation.scoring.MessageScorer`; the composition root
(``bot/app.py``) wraps ``services.analyzer`` in it unless a scorer is injected.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.analysis.analyzer import Analyzer
from bot.analysis.config import PolicyConfig
from bot.analysis.context import MessageContext
from bot.analysis.policy import Verdict
from bot.moderation.scoring import Assessment


def assessment_of(verdict: Verdict) -> Assessment:
    """The plain data the moderation core keeps of a verdict (scores rounded; the first evidence sentence)."""
    evidence = next((e.sentence for e in verdict.evidence if e.sentence), "")
    return Assessment(
        flagged=verdict.flagged,
        labels=tuple(label for label in verdict.labels if label),
        severity=(verdict.severity or "").strip().lower(),
        reasons=tuple(reason for reason in verdict.reasons if reason),
        evidence=evidence,
        scores={name: round(float(value), 4) for name, value in verdict.scores.items() if value is not None},
    )


class AnalyzerScorer:
    """:class:`bot.moderation.scoring.MessageScorer` over the :class:`Analyzer` (per-guild policy per call)."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer

    async def analyze(
        self,
        texts: list[str],
        *,
        policy: PolicyConfig | None = None,
        contexts: Sequence[MessageContext | None] | None = None,
    ) -> list[Assessment]:
        """One assessment per text, same order; the analyzer's CPU work runs off the event loop. ``contexts``:
        what each text answers (:class:`~bot.analysis.context.MessageContext` or None, one per text)."""
        verdicts = await self.analyzer.analyze(texts, config=policy, contexts=contexts)
        return [assessment_of(verdict) for verdict in verdicts]
