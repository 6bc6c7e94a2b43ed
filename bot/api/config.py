"""The ``[api]`` settings section (``modbot serve`` and the in-bot API server)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ApiConfig(BaseModel):
    """The Perspective-compatible comment analysis API. Loopback-only and keyless until keys are added."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=False, description="Also serve the API from `modbot run` (same process).")
    host: str = Field(default="127.0.0.1", description="Address to bind; a non-loopback one needs API keys.")
    port: int = Field(default=8080, ge=0, le=65535, description="TCP port (0 = any free port).")
    max_body_bytes: int = Field(default=65536, ge=1024, le=16 * 1024 * 1024,
                                description="Largest request body accepted; larger ones get a 400.")
    max_comment_bytes: int = Field(default=20480, ge=1, description="Largest comment.text in UTF-8 bytes "
                                   "(Perspective's limit is 20 KB).")
    max_in_flight: int = Field(default=64, ge=1, le=10_000,
                               description="Most analyze requests handled at once; one more is answered 429 "
                                           "RESOURCE_EXHAUSTED with Retry-After (bounds memory and latency).")
    default_qps: float = Field(default=1.0, gt=0, description="QPS quota of a key added without --qps.")
    keyless_qps: float = Field(default=0.0, ge=0, description="QPS quota shared by keyless (loopback) callers; "
                               "0 = no limit.")
    store_feedback: bool = Field(default=True, description="Store comments:suggestscore requests (table "
                                 "api_feedback) unless they set doNotStore; off: accepted and dropped.")
    key_refresh_seconds: float = Field(default=5.0, ge=0, description="How often keys are re-read from the "
                                       "database (keys added or revoked while serving).")
