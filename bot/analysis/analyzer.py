"""The analyzer: targets + rhetoric + learned heads (+ optional toxicity results) -> one Verdict per message.

Use from async code (the review-queue listener)::

    analyzer = Analyzer(settings.policy, engine=services.engine)   # engine optional
    verdicts = await analyzer.analyze(["message one", "message two"])   # list[Verdict], same order

``analyze`` asks the toxicity engine (if any, and usable) for scores, then runs the CPU work (MiniLM, regexes)
in the analyzer's one worker thread, so the event loop never blocks. Without the toxicity model
``scores["toxicity"]`` is None; without MiniLM/the heads, lexicon and pattern evidence (``status["heads"]``).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

import numpy as np

from bot.analysis.config import PolicyConfig
from bot.analysis.context import MessageContext, check_contexts, resolve_targets
from bot.analysis.explain import explain
from bot.analysis.heads import Embedder, HeadSet, ModelUnavailable, head_texts
from bot.analysis.judge import (
    attack_score,
    gate,
    has_news_heads,
    legacy_scores,
    lexicon_scores,
    noisy_or,
    unit_scores,
)
from bot.analysis.policy import MessageSignals, UnitSignals, Verdict, decide
from bot.analysis.rhetoric import RhetoricMatch, find_rhetoric
from bot.analysis.targets import TargetMatch, find_targets
from bot.analysis.textmap import Prepared, prepare
from bot.analysis.toxicity import ToxicityResult, ToxicityState, ToxicityStatus
from bot.analysis.units import split_units

__all__ = ["Analyzer", "gate", "lexicon_scores", "noisy_or", "shared_analyzer", "split_units"]

log = logging.getLogger(__name__)

T = TypeVar("T")
CACHE_SIZE = 50_000  # head-score vectors kept (about 0.1 KB each)


class ToxicityEngine(Protocol):
    """The toxicity engine as the analyzer uses it (:class:`bot.analysis.engine.ScoringEngine` is the one)."""

    @property
    def status(self) -> ToxicityStatus:
        """Whether scores are available now (``status.state``)."""
        ...

    async def score(self, texts: list[str]) -> list[ToxicityResult]:
        """One result per text, same order."""
        ...


class Analyzer:
    """Scores messages and decides verdicts. Thread-safe; build once per process and share."""

    def __init__(
        self,
        config: PolicyConfig | None = None,
        *,
        engine: ToxicityEngine | None = None,
        heads: HeadSet | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.config = config or PolicyConfig()
        self.engine = engine
        self._heads = heads
        self._embedder = embedder
        self._heads_error: str | None = None
        self._verified = False
        self._load_lock = threading.Lock()
        self._embed_lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        # One worker thread for the CPU work of every analyze() call: concurrent callers queue here instead of
        # contending for the GIL with each other and with the event loop (torch still uses its own threads).
        self._worker: ThreadPoolExecutor | None = None
        if not self.config.use_learned_heads:
            self._heads_error = "disabled by policy.use_learned_heads"

    # ---- model loading ------------------------------------------------------------------------

    def _ensure_heads(self) -> bool:
        """Load heads + embedder on first use; False (with ``status['heads']`` set) when unavailable."""
        if self._heads_error is not None:
            return False
        if self._heads is not None and self._embedder is not None and self._embedder.loaded:
            return True
        with self._load_lock:
            try:
                if self._heads is None:
                    self._heads = HeadSet.load(self.config.models_dir)
                if self._embedder is None:
                    self._embedder = Embedder(
                        self._heads.lora,
                        self._heads.lora_scale,
                        batch_size=self.config.embedding_batch_size,
                        threads=self.config.embedding_threads,
                        model_dir=self.config.encoder_dir,
                        allow_download=self.config.encoder_download,
                    )
                self._embedder.load()
            except ModelUnavailable as exc:
                self._heads_error = str(exc)
                log.warning("learned heads unavailable, using lexicon evidence only: %s", exc)
                return False
        return True

    def warm_up(self) -> None:
        """Load the models now (blocking) instead of on the first message."""
        self._ensure_heads()

    def preflight(self) -> None:
        """Blocking, cheap: read the head artifacts and verify the encoder's sha256 without loading it, so a
        missing or corrupt encoder is reported (``status["heads"]``) at start, not at the first message."""
        if self._heads_error is not None or (self._embedder is not None and self._embedder.loaded):
            return
        from bot.analysis import encoder

        try:
            if self._heads is None:
                self._heads = HeadSet.load(self.config.models_dir)
            if not self.config.encoder_download:  # a download is checked when it happens
                encoder.resolve(self.config.encoder_dir)
            self._verified = True
        except ModelUnavailable as exc:
            self._heads_error = str(exc)
            log.warning("learned heads unavailable, using lexicon evidence only: %s", exc)

    @property
    def heads_error(self) -> str | None:
        """Why the learned heads cannot be used (None while they can; the analyzer then uses lexicon evidence)."""
        return self._heads_error

    @property
    def status(self) -> dict[str, str]:
        """``{"heads": "ok" | "not loaded" | reason, "toxicity": engine status or "none"}``."""
        if self._heads_error:
            heads = f"unavailable: {self._heads_error}"
        else:
            loaded = self._embedder is not None and self._embedder.loaded
            heads = "ok" if loaded else "ok (encoder verified; loads on first message)" if self._verified \
                else "not loaded"
        tox = "none" if self.engine is None else self.engine.status.summary
        return {"heads": heads, "toxicity": tox}

    # ---- scoring ------------------------------------------------------------------------------

    def _text_mode(self) -> str:
        """How the loaded heads read a text (``heads.json`` ``text_mode``): "masked" or "sided" (mirrors averaged)."""
        if self._ensure_heads() and self._heads is not None:
            return str(self._heads.meta.get("text_mode", "masked"))
        return "masked"

    def _head_scores(self, texts: list[str]) -> dict[str, np.ndarray] | None:
        """Head probabilities per text; a text the embedder cannot read gets NaN, never its neighbours' fate.

        Results are kept in a bounded cache (repeated chat lines, and re-scoring while finding evidence words).
        """
        if not texts or not self._ensure_heads():
            return None
        assert self._heads is not None and self._embedder is not None
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if todo:
            with self._embed_lock:
                emb = self._embed_each_safely(todo)
            probs = self._heads.predict(np.nan_to_num(emb))
            matrix = np.stack([probs[n] for n in self._heads.names], axis=1)
            matrix[np.isnan(emb).any(axis=1)] = np.nan
            with self._cache_lock:
                for text, row in zip(todo, matrix, strict=True):
                    self._cache[text] = row
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        with self._cache_lock:
            rows = np.stack([self._cache.get(t, np.full(len(self._heads.names), np.nan)) for t in texts])
        return {name: rows[:, i].astype(np.float32) for i, name in enumerate(self._heads.names)}

    def _embed_each_safely(self, texts: list[str]) -> np.ndarray:
        assert self._embedder is not None and self._heads is not None
        try:
            return self._embedder.embed(texts)
        except Exception:
            log.exception("embedding a batch of %d failed; embedding one at a time", len(texts))
        emb = np.full((len(texts), self._heads.W.shape[0]), np.nan, dtype=np.float32)
        for i, text in enumerate(texts):
            try:
                emb[i] = self._embedder.embed([text])[0]
            except Exception:
                log.warning("one text could not be embedded (%d chars); its heads are left out", len(text))
        return emb

    @property
    def head_names(self) -> list[str]:
        """Names of the loaded heads (empty when unavailable)."""
        return list(self._heads.names) if self._ensure_heads() and self._heads is not None else []

    def score_texts(self, texts: list[str], head: str) -> list[float]:
        """Blocking: one head's probability (or ``"attack"``) for each normalized text (finds evidence words)."""
        mode = self._text_mode()
        variants = [head_texts(text, mode=mode) for text in texts]
        probs = self._head_scores([v for vs in variants for v in vs])
        if probs is None:
            return [0.0] * len(texts)
        out, at = [], 0
        for vs in variants:
            row = {k: float(np.nanmean(v[at:at + len(vs)])) for k, v in probs.items()}
            out.append(attack_score(row.get) if head == "attack" else row.get(head, 0.0))
            at += len(vs)
        return out

    def signals(
        self, texts: Sequence[str], toxicity: Sequence[ToxicityResult | None] | None = None,
        prepared: Sequence[Prepared] | None = None,
        *,
        contexts: Sequence[MessageContext | None] | None = None,
    ) -> list[MessageSignals]:
        """Blocking: compute every signal of every message (CPU-bound; call from a thread in async code).

        Every detector reads the sanitized, normalized text (:func:`bot.analysis.textmap.prepare`); the
        signals keep it as ``text``. ``contexts``: what each text answers (:mod:`bot.analysis.context`); group
        pronouns of a reply that names no side inherit the side its context names, for the partisan gate and
        the rhetoric patterns only (the heads read the text as without context).
        """
        cfg = self.config
        prepared = list(prepared) if prepared is not None else [prepare(t) for t in texts]
        ctxs = check_contexts(contexts, len(prepared))
        plans = []
        head_inputs: dict[str, int] = {}
        mode = self._text_mode()
        for prep, ctx in zip(prepared, ctxs, strict=True):
            text = prep.scored
            own = find_targets(text)
            targets = resolve_targets(text, own, ctx)
            spans = split_units(text)[: cfg.max_sentences] if cfg.sentence_level else []
            if len(spans) <= 1:
                spans = []
            units = []
            for s, e in spans:
                sub = _within(targets, s, e)
                units.append((s, e, sub, find_rhetoric(text[s:e], sub)))
            whole_rhetoric = find_rhetoric(text, targets)
            keys = [head_texts(text, own, mode)] + [head_texts(text[s:e], _within(own, s, e), mode)
                                                    for s, e, _, _ in units]
            for key in keys:
                for variant in key:
                    head_inputs.setdefault(variant, len(head_inputs))
            plans.append((text, targets, whole_rhetoric, units, keys))
        probs = self._head_scores(list(head_inputs))
        news = probs is not None and has_news_heads(list(probs))
        out = []
        for i, (text, targets, whole_rhetoric, units, keys) in enumerate(plans):
            def head_of(key: tuple[str, ...]) -> Any:
                def head(name: str) -> float | None:
                    if probs is None or name not in probs:
                        return None
                    value = float(np.mean([probs[name][head_inputs[v]] for v in key]))
                    return None if np.isnan(value) else value
                return head

            unit_signals = [self._unit(text, 0, len(text), targets, whole_rhetoric, head_of(keys[0]), news)]
            for (s, e, sub, rhet), key in zip(units, keys[1:], strict=True):
                shifted_t = tuple(TargetMatch(t.text, t.start + s, t.end + s, t.side, t.kind, t.group) for t in sub)
                shifted_r = tuple(RhetoricMatch(r.pattern, r.category, r.text, r.start + s, r.end + s, r.weight,
                                                r.target) for r in rhet)
                unit_signals.append(self._unit(text, s, e, list(shifted_t), list(shifted_r), head_of(key), news))
            tox = toxicity[i] if toxicity is not None else None
            if tox is not None and not tox.available:
                tox = None
            whole = head_of(keys[0])
            out.append(MessageSignals(
                text=text,
                inflammatory=max(u.inflammatory for u in unit_signals),
                partisan=max(u.partisan for u in unit_signals),
                units=tuple(unit_signals[1:]) or tuple(unit_signals),
                toxicity=dict(tox.peak) if tox is not None else None,
                toxic_sentence=(tox.max_sentence[0] if tox is not None and tox.max_sentence else None),
                heads_available=probs is not None,
                head_scores={} if probs is None else {n: v for n in probs if (v := whole(n)) is not None},
                lexicon={"inflammatory": max(u.lexicon_inflammatory for u in unit_signals),
                         "partisan": max(u.lexicon_partisan for u in unit_signals)},
                profanity=max(u.profanity for u in unit_signals),
            ))
        return out

    @staticmethod
    def _unit(text: str, s: int, e: int, targets: list[TargetMatch], rhetoric: list[RhetoricMatch],
              head: Any, news: bool) -> UnitSignals:
        scores = (unit_scores if news else legacy_scores)(head, targets, rhetoric)
        return UnitSignals(text[s:e], s, e, scores.inflammatory, scores.partisan, tuple(targets), tuple(rhetoric),
                           scores.lexicon_inflammatory, scores.lexicon_partisan, scores.profanity, scores.attack)

    def analyze_sync(
        self,
        texts: Sequence[str],
        toxicity: Sequence[ToxicityResult | None] | None = None,
        *,
        config: PolicyConfig | None = None,
        prepared: Sequence[Prepared] | None = None,
        contexts: Sequence[MessageContext | None] | None = None,
    ) -> list[Verdict]:
        """Blocking version of :meth:`analyze` (CLI, tests). ``config`` overrides the policy (per guild);
        ``prepared``: the texts already through :func:`~bot.analysis.textmap.prepare` (one per text);
        ``contexts``: what each text answers, as in :meth:`analyze`.

        Evidence points at the member's own words: sentences are mapped back onto the original text, and the
        words that carry a label are found by occlusion (:mod:`bot.analysis.spans`).
        """
        cfg = config or self.config
        prepared = list(prepared) if prepared is not None else [prepare(t) for t in texts]
        out = []
        for prep, sig in zip(prepared, self.signals(texts, toxicity, prepared, contexts=contexts), strict=True):
            verdict = decide(sig, cfg)
            out.append(explain(verdict, prep, self, cfg) if verdict.flagged else verdict)
        return out

    async def analyze(
        self,
        texts: Sequence[str],
        toxicity: Sequence[ToxicityResult | None] | None = None,
        *,
        config: PolicyConfig | None = None,
        contexts: Sequence[MessageContext | None] | None = None,
    ) -> list[Verdict]:
        """One :class:`Verdict` per text, same order; never blocks the event loop.

        ``toxicity``: precomputed results (one per text, None items allowed). When omitted and an engine was
        given, the engine is asked; any engine failure just means ``scores["toxicity"] = None``.
        ``contexts``: one :class:`~bot.analysis.context.MessageContext` (reply parent, article title) or None
        per text; None (the default) scores every text alone. A length mismatch raises ValueError.
        """
        texts = list(texts)
        contexts = check_contexts(contexts, len(texts)) if contexts is not None else None
        if not texts:
            return []
        prepared = await self.in_worker(lambda: [prepare(t) for t in texts])  # normalizing is CPU work too
        if toxicity is None and self.engine is not None:
            toxicity = await self._engine_scores([p.scored or p.original for p in prepared])
        return await self.in_worker(lambda: self.analyze_sync(texts, toxicity, config=config, prepared=prepared,
                                                              contexts=contexts))

    async def in_worker(self, work: Callable[[], T]) -> T:
        """Run CPU work on the analyzer's one worker thread (what :meth:`analyze` uses), off the event loop."""
        # created on the event loop only, so no lock
        self._worker = self._worker or ThreadPoolExecutor(max_workers=1, thread_name_prefix="modbot-analyzer")
        return await asyncio.get_running_loop().run_in_executor(self._worker, work)

    async def _engine_scores(self, texts: list[str]) -> list[ToxicityResult | None] | None:
        assert self.engine is not None
        if self.engine.status.state is not ToxicityState.OK:  # loading or degraded: no scores to wait for
            return None
        try:
            results = await self.engine.score(texts)
        except Exception as exc:  # the toxicity model is optional: degrade, never fail the message
            log.warning("toxicity engine failed (%s); continuing without toxicity scores", exc)
            return None
        return list(results) if len(results) == len(texts) else None

    async def close(self) -> None:
        """Stop the worker thread once it is done (models are plain memory; a later call starts a new one)."""
        worker, self._worker = self._worker, None
        if worker is not None:
            await asyncio.to_thread(worker.shutdown, wait=True)


def _within(targets: list[TargetMatch], s: int, e: int) -> list[TargetMatch]:
    """The targets inside ``[s, e)``, with offsets into that slice."""
    return [TargetMatch(t.text, t.start - s, t.end - s, t.side, t.kind, t.group)
            for t in targets if t.start >= s and t.end <= e]


_SHARED: dict[str, Analyzer] = {}
_SHARED_LOCK = threading.Lock()


def shared_analyzer(config: PolicyConfig | None = None) -> Analyzer:
    """One process-wide Analyzer per models folder (MiniLM loads once; pass per-call configs to analyze)."""
    config = config or PolicyConfig()
    key = str(config.models_dir or "") + ("|lexicon" if not config.use_learned_heads else "")
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = Analyzer(config)
        return _SHARED[key]
