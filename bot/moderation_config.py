"""Settings model for the moderation listener and review queue (the ``[moderation]`` config section)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ModerationConfig(BaseModel):
    """Where the bot watches, where cases go, and who may act on them."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    watched_channel_ids: list[int] = Field(default_factory=list)
    watched_category_ids: list[int] = Field(default_factory=list)
    mod_channel_id: int | None = None
    mod_log_channel_id: int | None = None
    moderator_role_id: int | None = None
    retention_days: int = Field(default=30, ge=1, le=3650)
