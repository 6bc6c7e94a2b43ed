"""The attributes scored by the bot's own objects: Detoxify through the scoring engine, INFLAMMATORY and PARTISAN
through the analyzer.

The engine micro-batches every unit queued while it waits (``[toxicity] max_batch_size`` / ``max_wait_ms``) and
runs the model in its worker thread, so concurrent API requests (and the bot's messages, in one process) share
model calls and the event loop stays free. The analyzer's CPU work runs on the analyzer's own worker thread
(:meth:`bot.analysis.analyzer.Analyzer.in_worker`), the one the bot's messages use too.

Span scores are sentence scores: the comment is prepared like a chat message (:func:`bot.analysis.textmap.prepare`),
split into sentences, each sentence scored, and its offsets mapped back onto the comment as sent.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.analysis.textmap import Prepared, prepare
from bot.analysis.units import split_units
from bot.api.errors import invalid, unavailable
from bot.api.wire import ENGINE_ATTRIBUTES, EXPERIMENTAL_ATTRIBUTES, AnalyzeRequest

if TYPE_CHECKING:
    from bot.analysis.analyzer import Analyzer
    from bot.analysis.engine import ScoringEngine

# Detoxify's multilingual model (XLM-R) was trained on these; the other variants are English.
MULTILINGUAL = ("en", "fr", "es", "it", "pt", "tr", "ru")
Span = tuple[int, int, float]


class CommentScorer:
    """Scores checked analyze requests. ``engine``/``analyzer`` are the bot's objects (either may be None)."""

    def __init__(self, engine: ScoringEngine | None, analyzer: Analyzer | None, *, variant: str = "unbiased",
                 max_sentences: int = 24) -> None:
        self.engine = engine
        self.analyzer = analyzer
        self.engine_languages = MULTILINGUAL if variant == "multilingual" else ("en",)
        self.max_sentences = max_sentences

    @property
    def attributes(self) -> dict[str, str]:
        """Attribute name -> source label, for the attributes this server can offer."""
        out: dict[str, str] = {}
        if self.engine is not None:
            out.update(ENGINE_ATTRIBUTES)
        if self.analyzer is not None:
            out.update(EXPERIMENTAL_ATTRIBUTES)
        return out

    def languages_of(self, attribute: str) -> tuple[str, ...]:
        """Languages an attribute is offered in."""
        return self.engine_languages if attribute in ENGINE_ATTRIBUTES else ("en",)

    def check_languages(self, request: AnalyzeRequest) -> tuple[list[str], list[str]]:
        """(languages, detectedLanguages) of the answer, or 400 when an attribute does not support one.

        There is no language detection: without ``languages`` the comment is scored as the first language the
        requested attributes support (English).
        """
        for attr in request.attributes:
            supported = self.languages_of(attr.name)
            missing = [lang for lang in request.languages if lang not in supported]
            if missing:
                raise invalid(f"Attribute {attr.name} does not support request languages: {', '.join(missing)}. "
                              f"Supported: {', '.join(supported)}.")
        if request.languages:
            return list(request.languages), list(request.languages)
        return ["en"], ["en"]

    async def score(self, request: AnalyzeRequest) -> dict[str, tuple[float, list[Span]]]:
        """Attribute -> (summary score, span scores); raises ApiError (400 / 503)."""
        text = request.text
        prep = await (self.analyzer.in_worker(lambda: prepare(text)) if self.analyzer is not None
                      else asyncio.to_thread(prepare, text))
        wanted = [a.name for a in request.attributes]
        engine_attrs = [name for name in wanted if name in ENGINE_ATTRIBUTES]
        analyzer_attrs = [name for name in wanted if name in EXPERIMENTAL_ATTRIBUTES]
        jobs = []
        if engine_attrs:
            jobs.append(self._engine_scores(prep, engine_attrs, request.span_annotations))
        if analyzer_attrs:
            jobs.append(self._analyzer_scores(prep, analyzer_attrs, request.span_annotations))
        results: dict[str, tuple[float, list[Span]]] = {}
        for part in await asyncio.gather(*jobs):
            results.update(part)
        return results

    async def _engine_scores(self, prep: Prepared, attrs: list[str], spans: bool
                             ) -> dict[str, tuple[float, list[Span]]]:
        engine = self.engine
        assert engine is not None  # attrs are only asked for when it exists (see ``attributes``)
        if not engine.status.ok:
            raise unavailable(f"The toxicity model is not available ({engine.status.summary}).")
        sentences = self._sentences(prep) if spans else []
        texts = [prep.scored or prep.original, *(prep.scored[s:e] for s, e in sentences)]
        results = await engine.score(texts)
        whole = results[0]
        if not whole.available:
            raise unavailable(f"The toxicity model could not score this comment ({'; '.join(whole.notes[-1:])}).")
        out: dict[str, tuple[float, list[Span]]] = {}
        for name in attrs:
            label = ENGINE_ATTRIBUTES[name]
            if label not in whole.scores:
                raise invalid(f"Attribute {name} is not offered by the loaded toxicity model "
                              f"(labels: {', '.join(whole.scores)}).")
            summary = float(whole.scores[label])
            per = [(*prep.to_original(s, e), float(r.scores[label]))
                   for (s, e), r in zip(sentences, results[1:], strict=True) if r.available and label in r.scores]
            out[name] = (summary, per or [(0, len(prep.original), summary)])
        return out

    async def _analyzer_scores(self, prep: Prepared, attrs: list[str], spans: bool
                               ) -> dict[str, tuple[float, list[Span]]]:
        analyzer = self.analyzer
        assert analyzer is not None  # attrs are only asked for when it exists (see ``attributes``)
        [signals] = await analyzer.in_worker(lambda: analyzer.signals([prep.original], None, [prep]))
        out: dict[str, tuple[float, list[Span]]] = {}
        for name in attrs:
            key = EXPERIMENTAL_ATTRIBUTES[name]
            summary = float(getattr(signals, key))
            per: list[Span] = []
            if spans and len(signals.units) > 1:
                per = [(*prep.to_original(u.start, u.end), float(getattr(u, key))) for u in signals.units]
            out[name] = (summary, per or [(0, len(prep.original), summary)])
        return out

    def _sentences(self, prep: Prepared) -> list[tuple[int, int]]:
        units = split_units(prep.scored)[: self.max_sentences]
        return units if len(units) > 1 else []
