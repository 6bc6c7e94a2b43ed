"""Configuration models for analysis: ``[toxicity]`` (ToxicityConfig) and ``[policy]`` (PolicyConfig)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.overrides import apply_overrides

ToxicityVariant = Literal["original", "unbiased", "multilingual", "original-small", "unbiased-small"]
ToxicityRuntime = Literal["auto", "fp32", "bf16", "onnx-int8"]


class ToxicityConfig(BaseModel):
    """Settings for the Detoxify toxicity engine (owned by the toxicity engine)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=True, description="Off: no model is loaded; toxicity scores are unavailable.")
    # Which model
    variant: ToxicityVariant = Field(
        default="unbiased", description="Detoxify variant; 'unbiased' was trained on news-site comments."
    )
    checkpoint: Path | None = Field(
        default=None, description="Local Detoxify checkpoint file (air-gapped installs); overrides the download."
    )
    hf_config_dir: Path | None = Field(
        default=None, description="Folder with config.json + tokenizer files for the checkpoint's architecture."
    )
    cache_dir: Path | None = Field(default=None, description="Weights cache; default: the torch hub cache.")
    allow_download: bool = Field(default=True, description="Download missing weights at first start.")
    allow_pickle_checkpoint: bool = Field(
        default=False,
        description="Open old checkpoints that need pickled code; this runs code stored in the file: only for "
        "files you trust.",
    )
    offline: bool = Field(default=False, description="Never touch the network (also sets HF_HUB_OFFLINE).")
    download_timeout: float = Field(default=30.0, gt=0, description="Seconds without data before a download fails.")
    startup_wait: float = Field(
        default=120.0, ge=0, description="Seconds start() waits for the model; after that the bot runs on, 'loading'."
    )
    # How it runs
    runtime: ToxicityRuntime = "auto"
    device: str = "cpu"
    torch_threads: int = Field(default=0, ge=0, description="Threads for inference; 0 = number of CPU cores.")
    onnx_dir: Path | None = Field(default=None, description="Where exported ONNX files go; default: next to weights.")
    # Batching and caching
    max_batch_size: int = Field(default=32, ge=1, le=1024)
    max_batch_tokens: int = Field(
        default=256, ge=16, description="Padded tokens per model call; small sub-batches stay in the CPU cache."
    )
    max_wait_ms: float = Field(default=4.0, ge=0, le=1000)
    cache_size: int = Field(default=4096, ge=0)
    # Text handling
    max_chars: int = Field(default=4000, ge=16, description="Longer messages are cut before scoring.")
    sentence_min_chars: int = Field(
        default=160, ge=0, description="Messages at least this long are also scored sentence by sentence."
    )
    max_sentences: int = Field(default=24, ge=1, description="At most this many sentences per message are scored.")
    window_words: int = Field(default=160, ge=8, description="Sentences longer than this many words are windowed.")


class PolicyConfig(BaseModel):
    """Thresholds and rules that turn detector scores into a verdict (owned by the policy).

    Per-guild settings override a few keys: ``config.merged({"partisan_threshold": 0.8})`` returns a new,
    validated config and leaves this one unchanged.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(default=True, description="Off: every message gets an unflagged verdict.")
    # Thresholds on scores in [0, 1]
    toxicity_threshold: float = Field(default=0.8, ge=0, le=1, description="Detoxify toxicity -> label 'toxic'.")
    threat_threshold: float = Field(default=0.5, ge=0, le=1, description="Detoxify threat -> label 'threat'.")
    identity_attack_threshold: float = Field(
        default=0.6, ge=0, le=1, description="Detoxify identity_attack -> label 'identity_attack'."
    )
    inflammatory_threshold: float = Field(
        default=0.8, ge=0, le=1, description="-> label 'inflammatory' (chosen on validation for precision)."
    )
    partisan_threshold: float = Field(
        default=0.8, ge=0, le=1, description="-> label 'partisan' (chosen on validation for precision)."
    )
    flag_profanity: bool = Field(
        default=False, description="Swearing aimed at no one gets label 'profanity' (off: it never flags alone)."
    )
    profanity_threshold: float = Field(default=0.4, ge=0, le=1, description="Profane head -> label 'profanity'.")
    evidence_words: bool = Field(
        default=True, description="Name the words that carry a label (one extra embedding per word, flags only)."
    )
    violence_pattern_threat: bool = Field(
        default=True, description="A call-for-violence pattern (\"should be shot\") alone gives label 'threat'."
    )
    partisan_requires_group_target: bool = Field(
        default=True, description="'partisan' needs a side named as a group (democrats, the libs, MAGA, ...)."
    )
    # Severity
    severity_medium: float = Field(default=0.85, ge=0, le=1, description="Top score at least this -> medium.")
    severity_high: float = Field(default=0.95, ge=0, le=1, description="Top score at least this -> high.")
    # What is looked at
    sentence_level: bool = Field(default=True, description="Also score each sentence; evidence names the sentence.")
    max_sentences: int = Field(default=20, ge=1, le=200, description="Sentences scored per message at most.")
    max_message_chars: int = Field(
        default=10_000, ge=100, description="Longer input is refused with an error (Discord allows 4,000)."
    )
    use_learned_heads: bool = Field(
        default=True, description="Off: lexicon and pattern evidence only (no MiniLM model is loaded)."
    )
    models_dir: Path | None = Field(default=None, description="Folder with heads.npz/heads.json; default: bundled.")
    encoder_dir: Path | None = Field(
        default=None, description="Local all-MiniLM-L6-v2 folder (air-gapped); its model.safetensors is hash-checked."
    )
    encoder_download: bool = Field(
        default=False, description="Fetch all-MiniLM-L6-v2 from the Hugging Face hub when the package is missing."
    )
    embedding_batch_size: int = Field(default=64, ge=1, le=1024)
    embedding_threads: int = Field(default=0, ge=0, description="Torch threads for the embedder; 0 = default.")

    def merged(self, overrides: Mapping[str, Any] | None) -> PolicyConfig:
        """A new config with ``overrides`` applied (validated; unknown keys raise ``ValidationError``)."""
        return apply_overrides(self, overrides)

    def threshold_for(self, score: str) -> float:
        """The flag threshold of a score name: toxicity, inflammatory or partisan."""
        return {
            "toxicity": self.toxicity_threshold,
            "inflammatory": self.inflammatory_threshold,
            "partisan": self.partisan_threshold,
            "profanity": self.profanity_threshold,
        }[score]
