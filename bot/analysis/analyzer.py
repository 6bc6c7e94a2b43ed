"""The analyzer: targets + rhetoric + learned heads (+ optional toxicity results) -> one Verdict per message.

Use from async code (the review-queue listener)::

    analyzer = Analyzer(settings.policy, engine=services.engine)   # engine optional
    verdicts = await analyzer.analyze(["message one", "message two"])   # list[Verdict], same order

``analyze`` asks the toxicity engine (if any, and if its status is usable) for scores, then runs the CPU work
(MiniLM embeddings, regexes) in a worker thread, so the event loop never blocks. Without the toxicity model
``scores["toxicity"]`` is None and the other detectors still work; without MiniLM/the heads the analyzer
falls back to lexicon and pattern evidence (``status["heads"]`` says why).
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from bot.analysis.config import PolicyConfig
from bot.analysis.heads import Embedder, HeadSet, ModelUnavailable, head_texts
from bot.analysis.policy import MessageSignals, UnitSignals, Verdict, decide
from bot.analysis.rhetoric import RhetoricMatch, find_rhetoric
from bot.analysis.targets import TargetMatch, find_targets

log = logging.getLogger(__name__)

INFLAMMATORY_HEAD = "impoliteness"
PARTISAN_HEAD = "intolerance"
# How much a political target in the unit lets the intolerance head count towards "partisan".
GATE_GROUP, GATE_POLITICAL, GATE_NONE = 1.0, 0.6, 0.3
SLUR_WEIGHT = 0.6
_INFLAMMATORY_CATEGORIES = {"contempt": 1.0, "dehumanizing": 1.0, "violence": 1.0, "us_vs_them": 0.6}
_PARTISAN_CATEGORIES = {"blame": 1.0, "generalization": 1.0, "us_vs_them": 0.7}
_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)\]]*\s+|\n+")
_ABBREV = re.compile(r"(?:\b[A-Z]\.|\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|St|vs|etc|U\.S|U\.K)\.)$")


class ToxicityLike(Protocol):
    """What the analyzer reads from a toxicity result (bot.analysis.engine.ToxicityResult fits)."""

    scores: Mapping[str, float]
    max_sentence: tuple[str, Mapping[str, float]] | None


class ToxicityEngineLike(Protocol):
    """The toxicity engine as the analyzer uses it: ``await engine.score(texts)`` + ``engine.status``."""

    status: Any

    async def score(self, texts: list[str]) -> list[ToxicityLike]:
        """One result per text, same order."""
        ...


def noisy_or(values: Sequence[float]) -> float:
    """1 - prod(1 - v): combines independent pieces of evidence into one score in [0, 1]."""
    out = 1.0
    for v in values:
        out *= 1.0 - min(max(float(v), 0.0), 1.0)
    return 1.0 - out


def split_units(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a chat message (newlines and . ! ? … end a sentence; "U.S." and "Sen." do not)."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if _ABBREV.search(text[start : m.start()]) and "\n" not in m.group(0):
            continue
        if text[start : m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    out = []
    for s, e in spans:  # trim whitespace so offsets point at the sentence itself
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        out.append((s, e))
    return out


def lexicon_scores(targets: Sequence[TargetMatch], rhetoric: Sequence[RhetoricMatch]) -> tuple[float, float]:
    """(inflammatory, partisan) evidence from lexicons and patterns alone, each in [0, 1]."""
    slurs = [t for t in targets if t.kind == "slur"]
    has_group = any(t.group and t.side != "unknown" for t in targets)
    inflam = [r.weight * _INFLAMMATORY_CATEGORIES[r.category]
              for r in rhetoric if r.category in _INFLAMMATORY_CATEGORIES]
    inflam += [SLUR_WEIGHT] * min(len(slurs), 1)
    partisan = [r.weight * _PARTISAN_CATEGORIES[r.category] for r in rhetoric if r.category in _PARTISAN_CATEGORIES]
    partisan += [SLUR_WEIGHT] * min(len(slurs), 1)
    if has_group:  # contempt, dehumanizing or violence aimed where a side is named
        partisan += [0.8 * r.weight for r in rhetoric if r.category in ("contempt", "dehumanizing", "violence")]
    return noisy_or(inflam), noisy_or(partisan)


def gate(targets: Sequence[TargetMatch]) -> float:
    """Weight of the partisan evidence given the targets present (a side as a group > a politician > none)."""
    if any(t.group and t.side != "unknown" for t in targets):
        return GATE_GROUP
    return GATE_POLITICAL if targets else GATE_NONE


class Analyzer:
    """Scores messages and decides verdicts. Thread-safe; build once per process and share."""

    def __init__(
        self,
        config: PolicyConfig | None = None,
        *,
        engine: ToxicityEngineLike | None = None,
        heads: HeadSet | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.config = config or PolicyConfig()
        self.engine = engine
        self._heads = heads
        self._embedder = embedder
        self._heads_error: str | None = None
        self._load_lock = threading.Lock()
        self._embed_lock = threading.Lock()
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

    @property
    def status(self) -> dict[str, str]:
        """``{"heads": "ok" | "not loaded" | reason, "toxicity": engine status or "none"}``."""
        if self._heads_error:
            heads = f"unavailable: {self._heads_error}"
        else:
            heads = "ok" if self._embedder is not None and self._embedder.loaded else "not loaded"
        tox = "none" if self.engine is None else str(getattr(self.engine, "status", "unknown"))
        return {"heads": heads, "toxicity": tox}

    # ---- scoring ------------------------------------------------------------------------------

    def _text_mode(self) -> str:
        """How the loaded heads read a text (``heads.json`` ``text_mode``): "masked" or "sided" (mirrors averaged)."""
        if self._ensure_heads() and self._heads is not None:
            return str(self._heads.meta.get("text_mode", "masked"))
        return "masked"

    def _head_scores(self, texts: list[str]) -> dict[str, np.ndarray] | None:
        if not texts or not self._ensure_heads():
            return None
        assert self._heads is not None and self._embedder is not None
        with self._embed_lock:
            emb = self._embedder.embed(texts)
        return self._heads.predict(emb)

    def signals(
        self, texts: Sequence[str], toxicity: Sequence[ToxicityLike | None] | None = None
    ) -> list[MessageSignals]:
        """Blocking: compute every signal of every message (CPU-bound; call from a thread in async code)."""
        cfg = self.config
        plans = []
        head_inputs: dict[str, int] = {}
        mode = self._text_mode()
        for text in texts:
            targets = find_targets(text)
            spans = split_units(text)[: cfg.max_sentences] if cfg.sentence_level else []
            if len(spans) <= 1:
                spans = []
            units = []
            for s, e in spans:
                sub = [TargetMatch(t.text, t.start - s, t.end - s, t.side, t.kind, t.group)
                       for t in targets if t.start >= s and t.end <= e]
                sentence = text[s:e]
                units.append((s, e, sub, find_rhetoric(sentence, sub)))
            whole_rhetoric = find_rhetoric(text, targets)
            keys = [head_texts(text, targets, mode)] + [head_texts(text[s:e], sub, mode) for s, e, sub, _ in units]
            for key in keys:
                for variant in key:
                    head_inputs.setdefault(variant, len(head_inputs))
            plans.append((text, targets, whole_rhetoric, units, keys))
        probs = self._head_scores(list(head_inputs))
        out = []
        for i, (text, targets, whole_rhetoric, units, keys) in enumerate(plans):
            def head(key: tuple[str, ...], name: str) -> float:
                if probs is None or name not in probs:
                    return 0.0
                return float(np.mean([probs[name][head_inputs[v]] for v in key]))

            unit_signals = [self._unit(text, 0, len(text), targets, whole_rhetoric, keys[0], head)]
            for (s, e, sub, rhet), key in zip(units, keys[1:], strict=True):
                shifted_t = tuple(TargetMatch(t.text, t.start + s, t.end + s, t.side, t.kind, t.group) for t in sub)
                shifted_r = tuple(RhetoricMatch(r.pattern, r.category, r.text, r.start + s, r.end + s, r.weight,
                                                r.target) for r in rhet)
                unit_signals.append(self._unit(text, s, e, list(shifted_t), list(shifted_r), key, head))
            tox = toxicity[i] if toxicity is not None else None
            if tox is not None and getattr(tox, "available", True) is False:
                tox = None
            out.append(MessageSignals(
                text=text,
                inflammatory=max(u.inflammatory for u in unit_signals),
                partisan=max(u.partisan for u in unit_signals),
                units=tuple(unit_signals[1:]) or tuple(unit_signals),
                toxicity=dict(getattr(tox, "peak", None) or tox.scores) if tox is not None else None,
                toxic_sentence=(tox.max_sentence[0] if tox is not None and tox.max_sentence else None),
                heads_available=probs is not None,
                head_scores={} if probs is None else {n: head(keys[0], n) for n in probs},
                lexicon={"inflammatory": max(u.lexicon_inflammatory for u in unit_signals),
                         "partisan": max(u.lexicon_partisan for u in unit_signals)},
            ))
        return out

    @staticmethod
    def _unit(text: str, s: int, e: int, targets: list[TargetMatch], rhetoric: list[RhetoricMatch],
              key: tuple[str, ...], head: Any) -> UnitSignals:
        lex_inf, lex_par = lexicon_scores(targets, rhetoric)
        inflammatory = noisy_or([head(key, INFLAMMATORY_HEAD), lex_inf])
        partisan = gate(targets) * noisy_or([head(key, PARTISAN_HEAD), lex_par])
        return UnitSignals(text[s:e], s, e, inflammatory, partisan, tuple(targets), tuple(rhetoric),
                           lex_inf, gate(targets) * lex_par)

    def analyze_sync(
        self,
        texts: Sequence[str],
        toxicity: Sequence[ToxicityLike | None] | None = None,
        *,
        config: PolicyConfig | None = None,
    ) -> list[Verdict]:
        """Blocking version of :meth:`analyze` (CLI, tests). ``config`` overrides the policy (per guild)."""
        cfg = config or self.config
        return [decide(sig, cfg) for sig in self.signals(texts, toxicity)]

    async def analyze(
        self,
        texts: Sequence[str],
        toxicity: Sequence[ToxicityLike | None] | None = None,
        *,
        config: PolicyConfig | None = None,
    ) -> list[Verdict]:
        """One :class:`Verdict` per text, same order; never blocks the event loop.

        ``toxicity``: precomputed results (one per text, None items allowed). When omitted and an engine was
        given, the engine is asked; any engine failure just means ``scores["toxicity"] = None``.
        """
        texts = list(texts)
        if not texts:
            return []
        if toxicity is None and self.engine is not None:
            toxicity = await self._engine_scores(texts)
        return await asyncio.to_thread(self.analyze_sync, texts, toxicity, config=config)

    async def _engine_scores(self, texts: list[str]) -> list[ToxicityLike | None] | None:
        assert self.engine is not None
        status = getattr(self.engine, "status", None)
        usable = getattr(status, "ok", None)
        if usable is False or (usable is None and any(
                word in str(status).lower() for word in ("degraded", "loading", "unavailable", "failed", "disabled"))):
            return None
        try:
            results = await self.engine.score(texts)
        except Exception as exc:  # the toxicity model is optional: degrade, never fail the message
            log.warning("toxicity engine failed (%s); continuing without toxicity scores", exc)
            return None
        return list(results) if len(results) == len(texts) else None

    async def close(self) -> None:
        """Nothing to release today (models are plain memory); kept for the services lifecycle."""


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
