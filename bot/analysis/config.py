"""Configuration models for analysis: ``[toxicity]`` (ToxicityConfig) and ``[policy]`` (PolicyConfig)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ToxicityConfig(BaseModel):
    """Settings for the Detoxify toxicity engine (owned by the toxicity engine)."""

    model_config = ConfigDict(extra="forbid")


class PolicyConfig(BaseModel):
    """Thresholds and rules that turn detector scores into a verdict (owned by the policy)."""

    model_config = ConfigDict(extra="forbid")
