"""``[cluster]``: where the processes of one bot coordinate (empty ``redis_url``: one process, nothing shared)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ClusterConfig(BaseModel):
    """The shared store of a multi-process bot and the timings of its identify lock and leader lease."""

    model_config = ConfigDict(extra="forbid")

    redis_url: str = ""
    identify_interval: float = Field(default=5.0, gt=0, le=60)
    leader_lease_seconds: float = Field(default=15.0, gt=0, le=600)
    key_prefix: str = Field(default="modbot", min_length=1)
