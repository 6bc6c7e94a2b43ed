"""Configuration model for the `[summaries]` section: article library, summarizer and URL fetching."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

SummaryLength = Literal["short", "medium", "long"]


class SummariesConfig(BaseModel):
    """Settings for the article library, the summarizer backends and fetching articles by URL."""

    model_config = ConfigDict(extra="forbid")

    # Library
    library_dir: Path | None = Field(
        default=None, description="Extra folder of .txt/.md/.html articles loaded next to the seeds."
    )
    load_seeds: bool = Field(default=True, description="Load the bundled seed articles from seeds/.")
    cache_size: int = Field(default=256, ge=0, description="Summaries kept in the in-memory LRU cache.")

    # Lengths
    default_length: SummaryLength = "medium"
    short_sentences: int = Field(default=2, ge=1, le=20)
    medium_sentences: int = Field(default=3, ge=1, le=20)
    long_sentences: int = Field(default=5, ge=1, le=20)

    # Backend
    backend: Literal["extractive", "openai"] = "extractive"
    openai_base_url: str = Field(
        default="http://127.0.0.1:8080/v1", description="Base URL of an OpenAI-compatible chat endpoint."
    )
    openai_model: str = "local-model"
    openai_timeout: float = Field(default=20.0, gt=0)
    openai_api_key: SecretStr | None = None
    openai_max_tokens: int = Field(default=400, ge=16)
    openai_max_input_chars: int = Field(default=12_000, ge=500, description="Article text sent is cut here.")

    # URL fetching
    fetch_max_bytes: int = Field(default=3_000_000, ge=1024)
    fetch_timeout: float = Field(default=10.0, gt=0)
    allow_private_addresses: bool = False
    min_article_words: int = Field(default=120, ge=1, description="Pages with fewer words are not articles.")
    user_agent: str = "modbot/0.1 (+article summarizer)"

    def sentences_for(self, length: str) -> int:
        """Return the number of sentences configured for a length name (short/medium/long)."""
        table = {"short": self.short_sentences, "medium": self.medium_sentences, "long": self.long_sentences}
        try:
            return table[length]
        except KeyError:
            raise ValueError(f"unknown summary length {length!r}; use short, medium or long") from None
