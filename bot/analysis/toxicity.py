"""Detoxify behind a small interface: the model type, its status report and the result type of scoring.

:class:`ToxicityModel` is what the scoring engine talks to: a tokenizer plus a runtime backend (PyTorch fp32,
bf16 autocast, or ONNX Runtime int8), with ``predict(texts) -> probabilities``. Texts are tokenized once,
sorted by token length and cut into padded sub-batches under a token budget, so short messages are not
padded to the length of long ones. :func:`load_toxicity_model` (in :mod:`bot.analysis.runtimes.loader`)
builds one from the ``[toxicity]`` config and never raises: on failure the model is ``None`` and the
:class:`ToxicityStatus` says why (state ``degraded``). The model, its status and the loader's result live in
:mod:`bot.analysis.toxicity_model` (the loader imports that, not this module) and are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.analysis.toxicity_model import LABEL_RENAMES, LoadResult, ToxicityModel, ToxicityState, ToxicityStatus

__all__ = [
    "LABEL_RENAMES", "PRIMARY_LABEL", "LoadResult", "ToxicityModel", "ToxicityResult", "ToxicityState",
    "ToxicityStatus", "load_toxicity_model",
]


PRIMARY_LABEL = "toxicity"


@dataclass(frozen=True)
class ToxicityResult:
    """Scores of one message: whole text, and per sentence for long texts (so one bad sentence stands out).

    ``scores`` are for the whole (normalized) text; ``per_sentence`` lists ``(sentence, scores)`` when the
    message was long enough to split; ``max_sentence`` is the sentence with the highest toxicity.
    ``available`` is False when no model could score (degraded / loading): ``scores`` is then empty.
    """

    scores: dict[str, float]
    max_sentence: tuple[str, dict[str, float]] | None = None
    per_sentence: tuple[tuple[str, dict[str, float]], ...] = ()
    normalized_text: str = ""
    original_text: str = ""
    notes: tuple[str, ...] = ()
    available: bool = True

    @property
    def peak(self) -> dict[str, float]:
        """Per label, the highest score of the whole text and of any sentence."""
        peak = dict(self.scores)
        for _, scores in self.per_sentence:
            for label, value in scores.items():
                peak[label] = max(peak.get(label, 0.0), value)
        return peak

    @property
    def toxicity(self) -> float | None:
        """Peak value of the main ``toxicity`` label (None when unavailable)."""
        return self.peak.get(PRIMARY_LABEL) if self.available else None


def load_toxicity_model(cfg: Any) -> LoadResult:
    """Load the configured Detoxify model; never raises (see :mod:`bot.analysis.runtimes.loader`)."""
    from bot.analysis.runtimes.loader import load

    return load(cfg)
