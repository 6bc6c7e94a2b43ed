"""``[cluster]``: where the processes of one bot coordinate (empty ``redis_url``: one process, nothing shared)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ClusterConfig(BaseModel):
    """The shared store of a multi-process bot, its identify lock and leader lease, and where messages are scored."""

    model_config = ConfigDict(extra="forbid")

    redis_url: str = ""
    identify_interval: float = Field(default=5.0, gt=0, le=60)
    leader_lease_seconds: float = Field(default=15.0, gt=0, le=600)
    key_prefix: str = Field(default="modbot", min_length=1)
    # The bot's global REST limit shared by its processes over Redis (0: off, each process keeps only its own).
    # Needs redis_url; 45 leaves room below Discord's 50/s (README "Scaling out").
    rest_budget_per_second: int = Field(default=0, ge=0, le=10_000)
    # Scoring workers (README "Scaling out"): "local" scores in the gateway process; "workers" queues each watched
    # message on the Redis stream <key_prefix>:score for `modbot worker` processes.
    scoring: Literal["local", "workers"] = "local"
    score_stream_maxlen: int = Field(default=1_000_000, ge=1000)
    worker_batch: int = Field(default=32, ge=1, le=1000)
    worker_block_ms: int = Field(default=1000, ge=1, le=60_000)
    claim_idle_ms: int = Field(default=60_000, ge=10, le=3_600_000)
    max_deliveries: int = Field(default=5, ge=1, le=100)

    @model_validator(mode="after")
    def _workers_need_redis(self) -> ClusterConfig:
        if self.scoring == "workers" and not self.redis_url:
            raise ValueError('scoring = "workers" needs redis_url (the stream the workers read)')
        if self.rest_budget_per_second and not self.redis_url:
            raise ValueError("rest_budget_per_second needs redis_url (one process keeps discord.py's own limits)")
        return self
