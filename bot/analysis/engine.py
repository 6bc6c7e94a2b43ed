"""Async toxicity scoring engine: micro-batching, length bucketing, de-duplication and an LRU cache.

Any number of coroutines call ``await engine.score(texts)``. Each text is normalized
(:mod:`bot.analysis.normalize`); long texts are also split into sentences (:mod:`bot.analysis.sentences`), so
one toxic sentence in a long calm message is scored on its own instead of being diluted. Every distinct
piece of text ("unit") is taken from an LRU cache, joined to an identical unit already in flight, or
queued. A batcher task collects queued units until ``max_batch_size`` or ``max_wait_ms`` and hands them to
one worker thread, where the model tokenizes, sorts by length and runs padded sub-batches: inference never
runs on the event loop. While the model loads, or when it cannot load, results come back with
``available=False`` and the reason in ``notes`` (the bot's other detectors keep working).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from bot.analysis.config import ToxicityConfig
from bot.analysis.normalize import NormalizedText, normalize
from bot.analysis.sentences import split_message
from bot.analysis.toxicity import (
    PRIMARY_LABEL,
    LoadResult,
    ToxicityModel,
    ToxicityResult,
    ToxicityState,
    ToxicityStatus,
    load_toxicity_model,
)

__all__ = ["EngineStats", "ScoringEngine", "ToxicityResult", "ToxicityState", "ToxicityStatus"]

log = logging.getLogger(__name__)
_YIELD_EVERY = 8  # give the event loop a turn while preparing big requests


class _LRU:
    """A small least-recently-used map of unit text -> label probabilities."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[str, np.ndarray] = OrderedDict()

    def get(self, key: str) -> np.ndarray | None:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: str, value: np.ndarray) -> None:
        if self.size <= 0:
            return
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


@dataclass
class EngineStats:
    """Counters for benchmarks and ``modbot analyze``."""

    messages: int = 0
    units: int = 0
    cache_hits: int = 0
    joined_in_flight: int = 0
    batches: int = 0
    batched_units: int = 0
    inference_seconds: float = 0.0
    batch_sizes: list[int] = field(default_factory=list, repr=False)

    @property
    def mean_batch(self) -> float:
        """Average number of units per model call."""
        return self.batched_units / self.batches if self.batches else 0.0


@dataclass
class _Plan:
    text: NormalizedText
    sentences: list[str]

    @property
    def units(self) -> list[str]:
        return [self.text.normalized, *self.sentences] if self.text.normalized else []


class ScoringEngine:
    """Scores messages for toxicity off the event loop. See the module docstring."""

    def __init__(self, cfg: ToxicityConfig, *, model: ToxicityModel | None = None,
                 loader: Callable[[ToxicityConfig], LoadResult] = load_toxicity_model) -> None:
        self.cfg = cfg
        self._loader = loader
        self._model = model
        variant = cfg.variant if cfg.checkpoint is None else "custom checkpoint"
        if model is not None:
            self._status = ToxicityStatus(ToxicityState.OK, "model given by the caller", variant=model.variant,
                                          runtime=model.runtime, device=model.device, labels=model.labels)
        else:
            self._status = ToxicityStatus(ToxicityState.LOADING, "not started", variant=variant, runtime=cfg.runtime,
                                          device=cfg.device)
        self._cache = _LRU(cfg.cache_size)
        self._inflight: dict[str, asyncio.Future[np.ndarray | BaseException]] = {}
        self._queue: asyncio.Queue[tuple[str, asyncio.Future[np.ndarray | BaseException], float]] | None = None
        self._batcher: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="toxicity")
        self._load_lock = threading.Lock()
        self._loading: asyncio.Future[LoadResult] | None = None
        self._closed = False
        self.stats = EngineStats()

    # -- lifecycle -------------------------------------------------------------------------------------
    @property
    def status(self) -> ToxicityStatus:
        """ok / degraded / loading, with the reason (for /about and ``modbot analyze``)."""
        return self._status

    @property
    def model(self) -> ToxicityModel | None:
        """The loaded model, or None while loading / degraded."""
        return self._model

    async def start(self, *, wait: float | None = None) -> ToxicityStatus:
        """Start the batcher and load the model in a background thread; wait at most ``wait`` seconds.

        ``wait`` defaults to ``[toxicity] startup_wait``. If the model is not ready by then the engine keeps
        loading in the background (state ``loading``) and switches to ``ok`` when it is done. Never raises.
        """
        loop = asyncio.get_running_loop()
        if self._batcher is None:
            self._loop = loop
            self._queue = asyncio.Queue()
            self._batcher = loop.create_task(self._batch_loop(), name="toxicity-batcher")
        if self._model is None and self._loading is None:
            self._status = replace(self._status, state=ToxicityState.LOADING, reason="loading the model")
            self._loading = loop.create_future()
            threading.Thread(target=self._load_in_thread, args=(loop, self._loading), name="toxicity-load",
                             daemon=True).start()
        if self._loading is not None and not self._loading.done():
            timeout = self.cfg.startup_wait if wait is None else wait
            try:
                await asyncio.wait_for(asyncio.shield(self._loading), timeout)
            except TimeoutError:
                self._status = replace(self._status, reason=f"still loading after {timeout:.0f} s (first start "
                                       "downloads or exports the model); scores are unavailable until it is ready")
                log.warning("toxicity model: %s", self._status.summary)
        return self._status

    def _load_in_thread(self, loop: asyncio.AbstractEventLoop, done: asyncio.Future[LoadResult]) -> None:
        result = self._load_blocking()

        def settle() -> None:
            if not done.done():
                done.set_result(result)

        try:
            loop.call_soon_threadsafe(settle)
        except RuntimeError:  # loop closed meanwhile
            pass

    def _load_blocking(self) -> LoadResult:
        with self._load_lock:
            if self._model is not None:
                return LoadResult(self._model, self._status)
            try:
                result = self._loader(self.cfg)
            except Exception as exc:  # noqa: BLE001 - the loader should not raise; degrade if it does
                log.exception("toxicity loader raised")
                result = LoadResult(None, replace(self._status, state=ToxicityState.DEGRADED,
                                                  reason=f"load failed: {exc}"))
            if self._closed:
                return result
            self._model, self._status = result.model, result.status
            if result.upgrade is not None:
                threading.Thread(target=self._run_upgrade, args=(result.upgrade,), name="toxicity-upgrade",
                                 daemon=True).start()
            return result

    def _run_upgrade(self, upgrade: Callable[[], ToxicityStatus]) -> None:
        status = upgrade()
        if not self._closed:
            self._status = status

    async def close(self) -> None:
        """Stop the batcher and the worker; pending requests get unavailable results."""
        self._closed = True
        if self._batcher is not None:
            self._batcher.cancel()
            try:
                await self._batcher
            except asyncio.CancelledError:
                pass
            self._batcher = None
        for fut in self._inflight.values():
            if not fut.done():
                fut.set_result(RuntimeError("engine closed"))
        self._inflight.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)

    # -- scoring ---------------------------------------------------------------------------------------
    async def score(self, texts: Sequence[str]) -> list[ToxicityResult]:
        """Score messages; one result per text, in order. Never raises for bad input."""
        if self._batcher is None and not self._closed:
            await self.start(wait=0)
        plans: list[_Plan] = []
        for i, text in enumerate(texts):
            plans.append(self._plan(text))
            if i % _YIELD_EVERY == _YIELD_EVERY - 1:
                await asyncio.sleep(0)
        self.stats.messages += len(plans)
        model = self._model
        if model is None or self._closed or self._queue is None:
            return [self._unavailable(plan) for plan in plans]
        loop = asyncio.get_running_loop()
        values: dict[str, np.ndarray | BaseException] = {}
        waits: dict[str, asyncio.Future[np.ndarray | BaseException]] = {}
        for plan in plans:
            for unit in plan.units:
                if unit in values or unit in waits:
                    continue
                self.stats.units += 1
                cached = self._cache.get(unit)
                if cached is not None:
                    self.stats.cache_hits += 1
                    values[unit] = cached
                elif unit in self._inflight:
                    self.stats.joined_in_flight += 1
                    waits[unit] = self._inflight[unit]
                else:
                    fut: asyncio.Future[np.ndarray | BaseException] = loop.create_future()
                    self._inflight[unit] = fut
                    self._queue.put_nowait((unit, fut, loop.time()))
                    waits[unit] = fut
        if waits:
            done = await asyncio.gather(*waits.values())
            values.update(zip(waits.keys(), done, strict=True))
        return [self._assemble(plan, model.labels, values) for plan in plans]

    def score_sync(self, texts: Sequence[str]) -> list[ToxicityResult]:
        """Blocking variant for scripts and the CLI (loads the model on first use; no event loop needed).

        Do not call it from inside a running event loop: it runs the model in the calling thread.
        """
        if self._model is None and not self._closed:
            self._load_blocking()
        plans = [self._plan(text) for text in texts]
        self.stats.messages += len(plans)
        model = self._model
        if model is None:
            return [self._unavailable(plan) for plan in plans]
        values: dict[str, np.ndarray | BaseException] = {}
        missing: list[str] = []
        for unit in dict.fromkeys(u for plan in plans for u in plan.units):
            cached = self._cache.get(unit)
            if cached is not None:
                values[unit] = cached
            else:
                missing.append(unit)
        if missing:
            try:
                probs = self._infer(missing)
            except Exception as exc:  # noqa: BLE001
                log.exception("toxicity inference failed")
                values.update((unit, exc) for unit in missing)
            else:
                for unit, row in zip(missing, probs, strict=True):
                    self._cache.put(unit, row)
                    values[unit] = row
        return [self._assemble(plan, model.labels, values) for plan in plans]

    # -- internals -------------------------------------------------------------------------------------
    def _plan(self, text: object) -> _Plan:
        norm = normalize(text, max_chars=self.cfg.max_chars)
        sentences: list[str] = []
        if norm.normalized and len(norm.normalized) >= self.cfg.sentence_min_chars:
            window = self.cfg.window_words
            if self._model is not None:  # keep windows under the model's maximum length
                window = max(8, min(window, int(self._model.max_tokens * 0.6)))
            pieces = split_message(norm.normalized, max_sentences=self.cfg.max_sentences, window_words=window)
            if len(pieces) > 1:
                sentences = pieces
        return _Plan(norm, sentences)

    def _infer(self, texts: list[str]) -> np.ndarray:
        model = self._model
        if model is None:
            raise RuntimeError("model not loaded")
        started = time.perf_counter()
        probs = model.predict(texts)
        self.stats.inference_seconds += time.perf_counter() - started
        self.stats.batches += 1
        self.stats.batched_units += len(texts)
        if len(self.stats.batch_sizes) < 100_000:
            self.stats.batch_sizes.append(len(texts))
        return probs

    async def _batch_loop(self) -> None:
        assert self._queue is not None and self._loop is not None
        queue, loop = self._queue, self._loop
        max_batch, max_wait = self.cfg.max_batch_size, self.cfg.max_wait_ms / 1000
        while True:
            first = await queue.get()
            batch = [first]
            deadline = first[2] + max_wait
            while len(batch) < max_batch:
                if not queue.empty():
                    batch.append(queue.get_nowait())
                    continue
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(queue.get(), remaining))
                except TimeoutError:
                    break
            units = [unit for unit, _, _ in batch]
            try:
                probs = await loop.run_in_executor(self._executor, self._infer, units)
                outcome: list[np.ndarray | BaseException] = list(probs)
            except Exception as exc:  # noqa: BLE001 - reported per result, the batcher keeps running
                log.exception("toxicity inference failed")
                outcome = [exc] * len(batch)
            for (unit, fut, _), value in zip(batch, outcome, strict=True):
                if isinstance(value, np.ndarray):
                    self._cache.put(unit, value)
                if self._inflight.get(unit) is fut:
                    del self._inflight[unit]
                if not fut.done():
                    fut.set_result(value)

    def _unavailable(self, plan: _Plan) -> ToxicityResult:
        reason = f"toxicity unavailable ({self._status.state}: {self._status.reason})"
        return ToxicityResult(scores={}, normalized_text=plan.text.normalized, original_text=plan.text.original,
                              notes=(*plan.text.notes, reason), available=False)

    @staticmethod
    def _assemble(plan: _Plan, labels: tuple[str, ...], values: dict[str, np.ndarray | BaseException]
                  ) -> ToxicityResult:
        norm = plan.text
        if not norm.normalized:
            return ToxicityResult(scores=dict.fromkeys(labels, 0.0), normalized_text="", original_text=norm.original,
                                  notes=(*norm.notes, "nothing to score"))
        failed = [v for v in (values[u] for u in plan.units) if isinstance(v, BaseException)]
        if failed:
            return ToxicityResult(scores={}, normalized_text=norm.normalized, original_text=norm.original,
                                  notes=(*norm.notes, f"inference failed: {failed[0]}"), available=False)

        def as_scores(row: np.ndarray | BaseException) -> dict[str, float]:
            return {label: round(float(v), 6) for label, v in zip(labels, row, strict=False)}  # type: ignore[arg-type]

        per = tuple((sentence, as_scores(values[sentence])) for sentence in plan.sentences)
        key = PRIMARY_LABEL if PRIMARY_LABEL in labels else labels[0]
        top = max(per, key=lambda item: item[1][key]) if per else None
        return ToxicityResult(scores=as_scores(values[norm.normalized]), max_sentence=top, per_sentence=per,
                              normalized_text=norm.normalized, original_text=norm.original, notes=norm.notes)
