"""The per-guild settings administrators may change with ``/config``: key names, value kinds and help text.

A key is ``<section>.<field>`` of a section model (``moderation``, ``policy``, ``summaries``); the value is
validated by that model, so a guild can never hold a value the file config would refuse.
"""

from __future__ import annotations

import difflib
import typing
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from bot.analysis.config import PolicyConfig
from bot.articles.config import SummariesConfig
from bot.moderation.config import ModerationConfig

SECTION_MODELS: dict[str, type[BaseModel]] = {
    "moderation": ModerationConfig,
    "policy": PolicyConfig,
    "summaries": SummariesConfig,
}
SEVERITIES: tuple[str, ...] = ("low", "medium", "high")


class ValueKind(StrEnum):
    """How a value is typed in ``/config set`` and shown by ``/config show``."""

    BOOL = "true/false"
    FLOAT = "number"
    CHANNEL = "channel"
    CHANNELS = "channels"
    ROLE = "role"
    CHOICE = "choice"
    ACTIONS = "severity=action"
    INT = "whole number"
    LADDER = "strikes=minutes"
    SEVERITY_ROLES = "severity=role"


@dataclass(frozen=True)
class GuildKey:
    """One overridable setting."""

    name: str
    kind: ValueKind
    help: str

    @property
    def section(self) -> str:
        """The settings section (``moderation``, ``policy`` or ``summaries``)."""
        return self.name.split(".", 1)[0]

    @property
    def field(self) -> str:
        """The field name inside the section model."""
        return self.name.split(".", 1)[1]

    @property
    def model(self) -> type[BaseModel]:
        """The pydantic model that validates this key's section."""
        return SECTION_MODELS[self.section]

    @property
    def nullable(self) -> bool:
        """True when the field may be unset (``None``)."""
        return type(None) in typing.get_args(self.model.model_fields[self.field].annotation)

    @property
    def choices(self) -> tuple[str, ...]:
        """Allowed words for CHOICE keys (from the field's ``Literal``), or the actions of ACTIONS keys."""
        annotation = self.model.model_fields[self.field].annotation
        if self.kind is ValueKind.ACTIONS:
            annotation = typing.get_args(annotation)[1]
        if typing.get_origin(annotation) is typing.Literal:
            return tuple(str(arg) for arg in typing.get_args(annotation))
        return ()

    def describe(self) -> str:
        """``name (kind): help`` in at most 100 characters (an autocomplete choice label)."""
        text = f"{self.name} ({self.kind.value}): {self.help}"
        return text if len(text) <= 100 else text[:99] + "\u2026"


_KEYS: tuple[GuildKey, ...] = (
    GuildKey("moderation.enabled", ValueKind.BOOL, "score messages in this server at all"),
    GuildKey("moderation.watched_channel_ids", ValueKind.CHANNELS, "channels to watch; none = every channel"),
    GuildKey("moderation.watched_category_ids", ValueKind.CHANNELS, "categories whose channels are watched"),
    GuildKey("moderation.ignored_channel_ids", ValueKind.CHANNELS, "channels never watched"),
    GuildKey("moderation.mod_channel_id", ValueKind.CHANNEL, "where case cards are posted"),
    GuildKey("moderation.mod_log_channel_id", ValueKind.CHANNEL, "where decisions are logged"),
    GuildKey("moderation.moderator_role_id", ValueKind.ROLE, "role that may act on cases; none = Manage Messages"),
    GuildKey("moderation.auto_actions", ValueKind.ACTIONS, "automatic action per severity, e.g. high=remove"),
    GuildKey("moderation.strike_decay_days", ValueKind.INT, "days a strike counts (1-365)"),
    GuildKey("moderation.strike_ladder", ValueKind.LADDER, "suggested timeout per strike count, e.g. 3=60 5=1440"),
    GuildKey("moderation.appeals_enabled", ValueKind.BOOL, "members may appeal decisions from the notice DM"),
    GuildKey("moderation.appeal_window_days", ValueKind.INT, "days after a decision it can be appealed (1-90)"),
    GuildKey("moderation.appeal_cooldown_hours", ValueKind.INT, "hours between one member's appeals (0-720)"),
    GuildKey("moderation.ping_roles", ValueKind.SEVERITY_ROLES, "role pinged per case severity, e.g. high=@Mods"),
    GuildKey("moderation.quiet_mode", ValueKind.BOOL, "no card per case: periodic digests of new cases only"),
    GuildKey("moderation.quiet_digest_minutes", ValueKind.FLOAT, "minutes between quiet-mode digests (1-1440)"),
    GuildKey("moderation.automod_cases", ValueKind.BOOL, "Discord AutoMod hits become cases in the queue"),
    GuildKey("moderation.automod_severity", ValueKind.CHOICE, "severity of AutoMod cases (decides their pings)"),
    GuildKey("policy.enabled", ValueKind.BOOL, "off: nothing is flagged"),
    GuildKey("policy.toxicity_threshold", ValueKind.FLOAT, "toxicity score that flags 'toxic' (0-1)"),
    GuildKey("policy.threat_threshold", ValueKind.FLOAT, "threat score that flags 'threat' (0-1)"),
    GuildKey("policy.identity_attack_threshold", ValueKind.FLOAT, "score that flags 'identity_attack' (0-1)"),
    GuildKey("policy.inflammatory_threshold", ValueKind.FLOAT, "score that flags 'inflammatory' (0-1)"),
    GuildKey("policy.partisan_threshold", ValueKind.FLOAT, "score that flags 'partisan' (0-1)"),
    GuildKey("policy.flag_profanity", ValueKind.BOOL, "flag swearing aimed at no one as 'profanity'"),
    GuildKey("policy.profanity_threshold", ValueKind.FLOAT, "score that flags 'profanity' when on (0-1)"),
    GuildKey("policy.severity_medium", ValueKind.FLOAT, "top score at least this -> severity medium (0-1)"),
    GuildKey("policy.severity_high", ValueKind.FLOAT, "top score at least this -> severity high (0-1)"),
    GuildKey("summaries.default_length", ValueKind.CHOICE, "summary length when /summary gets none"),
)

GUILD_KEYS: dict[str, GuildKey] = {key.name: key for key in _KEYS}


class UnknownKeyError(ValueError):
    """The key is not one ``/config`` can change."""


def guild_key(name: str) -> GuildKey:
    """The key called ``name`` (case-insensitive); raises :class:`UnknownKeyError` with close matches."""
    cleaned = name.strip().lower()
    if cleaned in GUILD_KEYS:
        return GUILD_KEYS[cleaned]
    by_field = [key for key in _KEYS if key.field == cleaned]
    if len(by_field) == 1:
        return by_field[0]
    close = difflib.get_close_matches(cleaned, list(GUILD_KEYS), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else " Use `/config show` to list them."
    raise UnknownKeyError(f"`{name[:80]}` is not a setting you can change here.{hint}")


def search_keys(text: str, limit: int = 25) -> list[GuildKey]:
    """Keys whose name or help contains every typed word (all keys for empty input), at most ``limit``."""
    words = text.lower().split()
    found = [key for key in _KEYS if all(w in f"{key.name} {key.help}".lower() for w in words)]
    return found[:limit]

