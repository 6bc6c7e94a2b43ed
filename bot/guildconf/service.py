"""Effective per-guild settings: the file config with the guild's overrides applied, cached, invalidated on write.

Other features read one interface::

    settings = await bot.guild_config.effective(guild_id)        # -> GuildSettings
    settings.moderation.mod_channel_id, settings.policy.partisan_threshold, settings.summaries.default_length
    settings = bot.guild_config.current(guild_id)                # the same, synchronously, once load() ran

Overrides are applied onto the guild's copy of the section model with ``model_validate``, so a guild value obeys
exactly the rules of the file config; a rejected value raises :class:`GuildConfigError` with one readable line.

Several processes (``[cluster] redis_url``): after each committed change the service calls the publisher given to
:meth:`GuildConfigService.publish_changes_with` (the cluster's /config bus), and the bus calls :meth:`reload` in
every process.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.analysis.config import PolicyConfig
from bot.articles.config import SummariesConfig
from bot.guildconf.keys import GUILD_KEYS, GuildKey, ValueKind, guild_key
from bot.guildconf.repository import GuildSettingsRepository
from bot.guildconf.values import ValueParseError, format_value, parse_value, referenced_ids, to_json
from bot.moderation.config import ModerationConfig
from bot.overrides import apply_overrides
from bot.settings import Settings
from bot.storage import Database
from bot.timestamps import try_parse_iso

log = logging.getLogger(__name__)


class GuildConfigError(ValueError):
    """A ``/config`` change was refused; ``str(error)`` is the message for the administrator."""


@dataclass(frozen=True)
class GuildSettings:
    """What applies in one guild: the three overridable sections plus the raw overrides (``key -> value``)."""

    guild_id: int
    moderation: ModerationConfig
    policy: PolicyConfig
    summaries: SummariesConfig
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def value(self, key: GuildKey | str) -> Any:
        """The effective value of a key."""
        spec = key if isinstance(key, GuildKey) else guild_key(key)
        return getattr(getattr(self, spec.section), spec.field)

    def is_overridden(self, key: GuildKey | str) -> bool:
        """True when the guild set this key itself."""
        return (key.name if isinstance(key, GuildKey) else key) in self.overrides


@dataclass(frozen=True)
class Change:
    """A stored change: the key and its effective value before and after, as display text."""

    key: GuildKey
    before: str
    after: str
    changed: bool = True


def describe_error(key: GuildKey, exc: ValidationError) -> str:
    """One clear line per pydantic error, naming the key the administrator typed."""
    lines = []
    for error in exc.errors():
        loc = ".".join(str(part) for part in error["loc"][1:])
        where = key.name + (f"[{loc}]" if loc else "")
        message = str(error["msg"])
        if error["type"] == "literal_error" and key.kind is ValueKind.ACTIONS:
            message = f"actions must be one of {', '.join(key.choices)}"
        lines.append(f"`{where}`: {message}.")
    return "Invalid value. " + " ".join(lines)


class GuildConfigService:
    """Per-guild settings behind one small interface; cogs never touch ``guild_settings`` directly."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.repo = GuildSettingsRepository(db)
        self._cache: dict[int, GuildSettings] = {}
        self._db = db
        self._loaded = False
        self._base: GuildSettings | None = None
        self._publish: Callable[[int], Awaitable[None]] | None = None

    def publish_changes_with(self, publish: Callable[[int], Awaitable[None]] | None) -> None:
        """Announce each committed change (``publish(guild_id)``, after the commit) to the bot's other processes."""
        self._publish = publish

    async def _changed(self, guild_id: int) -> None:
        if self._publish is not None:
            await self._publish(guild_id)

    async def reload(self, guild_id: int | None = None) -> None:
        """Read one guild's overrides (or every guild's: ``None``) from the database again: another process changed
        them. The cache entry is replaced, never emptied first, so :meth:`current` never sees the file config for a
        guild that has overrides."""
        if guild_id is not None:
            self._cache[guild_id] = self._build_tolerant(guild_id, await self.repo.overrides(guild_id))
            return
        rows = await self._db.fetchall("SELECT DISTINCT guild_id FROM guild_settings")
        fresh: dict[int, GuildSettings] = {}
        for row in rows:
            gid = int(row["guild_id"])
            fresh[gid] = self._build_tolerant(gid, await self.repo.overrides(gid))
        self._cache = fresh
        self._loaded = True

    def _build(self, guild_id: int, overrides: Mapping[str, Any]) -> GuildSettings:
        """Apply overrides section by section (raises ``ValidationError`` on the first bad section)."""
        keys = [GUILD_KEYS[k] for k in overrides if k in GUILD_KEYS]

        def fields(section: str) -> dict[str, Any]:
            return {key.field: overrides[key.name] for key in keys if key.section == section}

        return GuildSettings(
            guild_id,
            moderation=apply_overrides(self.settings.moderation, fields("moderation")),
            policy=apply_overrides(self.settings.policy, fields("policy")),
            summaries=apply_overrides(self.settings.summaries, fields("summaries")),
            overrides=dict(overrides),
        )

    def _build_tolerant(self, guild_id: int, overrides: Mapping[str, Any]) -> GuildSettings:
        """Like :meth:`_build`, but stored values that no longer validate (an upgrade) are skipped, not fatal."""
        known = {k: v for k, v in overrides.items() if k in GUILD_KEYS}
        try:
            return self._build(guild_id, known)
        except ValidationError:
            pass
        kept: dict[str, Any] = {}
        for key, value in known.items():
            try:
                self._build(guild_id, {**kept, key: value})
            except ValidationError:
                log.warning("guild %s: stored setting %s is no longer valid and is ignored", guild_id, key)
                continue
            kept[key] = value
        return self._build(guild_id, kept)

    async def effective(self, guild_id: int) -> GuildSettings:
        """The settings that apply in ``guild_id`` (cached until the next change)."""
        cached = self._cache.get(guild_id)
        if cached is not None:
            return cached
        built = self._build_tolerant(guild_id, await self.repo.overrides(guild_id))
        self._cache[guild_id] = built
        return built

    def cached(self, guild_id: int) -> GuildSettings | None:
        """The cached settings of a guild, if loaded."""
        return self._cache.get(guild_id)

    async def load(self) -> None:
        """Build the settings of every guild that has overrides (idempotent; the bot calls it at start)."""
        if self._loaded:
            return
        rows = await self._db.fetchall("SELECT DISTINCT guild_id FROM guild_settings")
        for row in rows:
            await self.effective(int(row["guild_id"]))
        self._loaded = True

    def current(self, guild_id: int) -> GuildSettings:
        """The settings of ``guild_id`` without I/O, for synchronous callers (event handlers, permission checks).

        Exact once :meth:`load` has run: guilds with overrides are cached then and re-cached on every change, and
        any other guild uses the file config.
        """
        cached = self._cache.get(guild_id)
        if cached is not None:
            return cached
        if not self._loaded:
            log.warning("guild settings read before load(); using the file config for guild %s", guild_id)
        if self._base is None:
            self._base = self._build(0, {})
        return GuildSettings(guild_id, self._base.moderation, self._base.policy, self._base.summaries)

    def invalidate(self, guild_id: int | None = None) -> None:
        """Forget cached settings (of one guild, or all)."""
        if guild_id is None:
            self._cache.clear()
        else:
            self._cache.pop(guild_id, None)

    async def set(
        self,
        guild_id: int,
        name: str,
        raw: str,
        *,
        actor_id: int | None,
        known_channels: Collection[int] | None = None,
        known_roles: Collection[int] | None = None,
    ) -> Change:
        """Validate and store ``raw`` for key ``name``; raises :class:`GuildConfigError` (nothing stored)."""
        try:
            key = guild_key(name)
            value = parse_value(key, raw)
        except ValueError as exc:  # UnknownKeyError, ValueParseError
            raise GuildConfigError(str(exc)) from None
        self._check_ids(key, value, known_channels, known_roles)
        if key.kind is ValueKind.SEVERITY_ROLES and guild_id in referenced_ids(key, value):
            raise GuildConfigError("Pings never go to @everyone; pick a role. Nothing was changed.")
        current = await self.effective(guild_id)
        stored = dict(current.overrides)
        try:
            candidate = self._build(guild_id, {**stored, key.name: value})
        except ValidationError as exc:
            raise GuildConfigError(describe_error(key, exc)) from None
        before, after = current.value(key), candidate.value(key)
        normalized = after.model_dump() if isinstance(after, BaseModel) else after
        old_json = to_json(stored[key.name]) if key.name in stored else None
        await self.repo.set(guild_id, key.name, to_json(normalized), actor_id=actor_id, old_json=old_json)
        self.invalidate(guild_id)
        await self.effective(guild_id)  # re-cache now so current() sees the change at once
        await self._changed(guild_id)  # the other processes reload it
        log.info("guild %s: %s set by %s", guild_id, key.name, actor_id)
        return Change(key, format_value(key, before), format_value(key, after), before != after)

    async def last_changes(self, guild_id: int) -> dict[str, tuple[datetime | None, int | None]]:
        """key -> (when, by whom) for each value this guild set (for ``/config show``)."""
        out: dict[str, tuple[datetime | None, int | None]] = {}
        for key, (stamp, actor) in (await self.repo.updated(guild_id)).items():
            out[key] = (try_parse_iso(stamp), actor)
        return out

    async def reset(self, guild_id: int, name: str, *, actor_id: int | None) -> Change:
        """Drop the guild's override of ``name`` (back to the file config)."""
        try:
            key = guild_key(name)
        except ValueError as exc:
            raise GuildConfigError(str(exc)) from None
        before = (await self.effective(guild_id)).value(key)
        removed = await self.repo.reset(guild_id, key.name, actor_id=actor_id)
        self.invalidate(guild_id)
        after = (await self.effective(guild_id)).value(key)
        if removed:
            await self._changed(guild_id)
            log.info("guild %s: %s reset by %s", guild_id, key.name, actor_id)
        return Change(key, format_value(key, before), format_value(key, after), removed)

    @staticmethod
    def _check_ids(key: GuildKey, value: Any, channels: Collection[int] | None, roles: Collection[int] | None) -> None:
        is_role = key.kind in (ValueKind.ROLE, ValueKind.SEVERITY_ROLES)
        known = roles if is_role else channels
        if known is None:
            return
        missing = [i for i in referenced_ids(key, value) if i not in known]
        if missing:
            what = "role" if is_role else "channel"
            raise GuildConfigError(f"No {what} with id {missing[0]} in this server; nothing was changed.")


__all__ = [
    "Change", "GuildConfigError", "GuildConfigService", "GuildSettings", "ValueParseError", "apply_overrides",
]
