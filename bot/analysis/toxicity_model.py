"""The loaded toxicity model, its status report and what loading returns: the part of :mod:`bot.analysis.toxicity`
that the loader (:mod:`bot.analysis.runtimes.loader`) builds.

It lives apart from :mod:`bot.analysis.toxicity` so that the loader and the module that calls it import it
without importing each other (no import cycle, deferred imports included).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

import numpy as np

from bot.analysis.runtimes import Backend


class ToxicityState(StrEnum):
    """Whether the toxicity engine can score now: ``ok``, ``loading`` (scores soon) or ``degraded`` (no model)."""

    OK = "ok"
    LOADING = "loading"
    DEGRADED = "degraded"


LABEL_RENAMES = {"toxic": "toxicity", "severe_toxic": "severe_toxicity", "identity_hate": "identity_attack"}


@dataclass(frozen=True)
class ToxicityStatus:
    """Whether toxicity scoring works right now, and with what. Shown by /about and ``modbot analyze``."""

    state: ToxicityState
    reason: str
    variant: str
    runtime: str
    device: str = "cpu"
    checkpoint: str | None = None
    labels: tuple[str, ...] = ()
    load_seconds: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", ToxicityState(self.state))  # a plain "ok" (tests, JSON) becomes the enum

    @property
    def ok(self) -> bool:
        """True when scores are available."""
        return self.state is ToxicityState.OK

    @property
    def summary(self) -> str:
        """One line for people: state, model, runtime and the reason."""
        what = f"Detoxify {self.variant} ({self.runtime}, {self.device})"
        if self.state is ToxicityState.OK:
            took = f", loaded in {self.load_seconds:.1f} s" if self.load_seconds is not None else ""
            return f"ok: {what}{took}" + (f"; {self.reason}" if self.reason else "")
        return f"{self.state}: {what}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {**asdict(self), "summary": self.summary}

    def __str__(self) -> str:
        return self.summary


class LoadResult(NamedTuple):
    """What :func:`load_toxicity_model` returns: the model (or None) and the status explaining it.

    ``upgrade``, when set, is slow follow-up work (exporting the ONNX model) to run in the background; it
    switches the model's runtime when done and returns the new status.
    """

    model: ToxicityModel | None
    status: ToxicityStatus
    upgrade: Callable[[], ToxicityStatus] | None = None


@dataclass
class ToxicityModel:
    """A loaded classifier. Thread-safe ``predict``; the backend can be swapped while serving."""

    tokenizer: Any
    backend: Backend
    labels: tuple[str, ...]
    variant: str
    max_tokens: int
    device: str = "cpu"
    batch_size: int = 32
    token_budget: int = 256
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def runtime(self) -> str:
        """Name of the backend in use (fp32, bf16, onnx-int8)."""
        return self.backend.name

    def swap_backend(self, backend: Backend) -> None:
        """Switch runtime (e.g. to ONNX once exported); waits for a running batch to finish."""
        with self._lock:
            self.backend = backend

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, with special tokens, truncated to ``max_tokens``."""
        enc = self.tokenizer(list(texts), truncation=True, max_length=self.max_tokens, padding=False,
                             return_attention_mask=False, return_token_type_ids=False)
        return enc["input_ids"]

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Label probabilities, shape ``(len(texts), len(labels))``, in input order."""
        n_labels = len(self.labels)
        out = np.zeros((len(texts), n_labels), dtype=np.float32)
        if not texts:
            return out
        ids = self.token_ids(texts)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        pad = self.tokenizer.pad_token_id or 0
        start = 0
        with self._lock:
            while start < len(order):
                stop, width = start, 0
                while stop < len(order) and stop - start < self.batch_size:
                    longer = max(width, len(ids[order[stop]]))
                    if stop > start and longer * (stop - start + 1) > self.token_budget:
                        break
                    width, stop = longer, stop + 1
                rows = order[start:stop]
                input_ids = np.full((len(rows), width), pad, dtype=np.int64)
                mask = np.zeros((len(rows), width), dtype=np.int64)
                for r, i in enumerate(rows):
                    input_ids[r, : len(ids[i])] = ids[i]
                    mask[r, : len(ids[i])] = 1
                logits = self.backend.logits(input_ids, mask)[:, :n_labels]
                out[rows] = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
                start = stop
        return out
