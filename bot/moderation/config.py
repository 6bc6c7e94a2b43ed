"""Settings model for the moderation listener and review queue (the ``[moderation]`` config section)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

AutoAction = Literal["none", "remove"]
MAX_TIMEOUT_MINUTES = 40320  # Discord's longest timeout: 28 days
MAX_LADDER_STRIKES = 100
Severity = Literal["low", "medium", "high"]


class ModerationConfig(BaseModel):
    """Where the bot watches, where cases go, who may act on them, and how cards are posted."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    watched_channel_ids: list[int] = Field(default_factory=list)
    watched_category_ids: list[int] = Field(default_factory=list)
    watch_summary_threads: bool = True
    ignored_channel_ids: list[int] = Field(default_factory=list)
    mod_channel_id: int | None = None
    mod_log_channel_id: int | None = None
    moderator_role_id: int | None = None
    retention_days: int = Field(default=30, ge=1, le=3650)
    purge_interval_minutes: int = Field(default=360, ge=1, le=10080)
    auto_actions: dict[str, AutoAction] = Field(default_factory=dict)
    digest_threshold: int = Field(default=10, ge=0)
    cards_per_minute: int = Field(default=30, ge=0)
    card_retry_seconds: float = Field(default=30.0, gt=0, le=3600)
    catch_up_limit: int = Field(default=1000, ge=0, le=100_000)
    catch_up_recheck_days: int = Field(default=7, ge=0, le=90)
    catch_up_recheck_limit: int = Field(default=200, ge=0, le=5000)
    timeout_choices_minutes: list[int] = Field(default_factory=lambda: [10, 60, 1440, 10080], min_length=1)
    queue_page_size: int = Field(default=10, ge=1, le=15)
    excerpt_chars: int = Field(default=700, ge=100, le=3000)
    strike_decay_days: int = Field(default=30, ge=1, le=365)
    strike_ladder: dict[int, int] = Field(default_factory=lambda: {3: 60, 5: 1440})
    appeals_enabled: bool = True
    appeal_window_days: int = Field(default=14, ge=1, le=90)
    appeal_cooldown_hours: int = Field(default=24, ge=0, le=720)

    @field_validator("strike_ladder")
    @classmethod
    def _ladder_in_range(cls, ladder: dict[int, int]) -> dict[int, int]:
        """Strike counts 1-100, timeouts 1 minute to 28 days; stored sorted by strike count."""
        for strikes, minutes in ladder.items():
            if not 1 <= strikes <= MAX_LADDER_STRIKES:
                raise ValueError(f"strike counts must be 1-{MAX_LADDER_STRIKES} (got {strikes})")
            if not 1 <= minutes <= MAX_TIMEOUT_MINUTES:
                raise ValueError(f"timeouts must be 1-{MAX_TIMEOUT_MINUTES} minutes (got {minutes})")
        return dict(sorted(ladder.items()))
    automod_cases: bool = True
    automod_severity: Severity = "medium"
    ping_roles: dict[Severity, int] = Field(default_factory=dict)
    quiet_mode: bool = False
    quiet_digest_minutes: int = Field(default=15, ge=1, le=1440)

    @field_validator("ping_roles")
    @classmethod
    def _role_ids(cls, value: dict[Severity, int]) -> dict[Severity, int]:
        if any(not 0 < role_id < 2**63 for role_id in value.values()):
            raise ValueError("role ids are positive snowflakes")
        return value
