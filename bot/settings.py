"""Typed settings: ``config/default.toml`` < operator TOML file < ``.env`` < environment variables.

The operator file path comes from ``MODBOT_CONFIG`` (or the ``config_file`` argument). Environment variables use
the ``MODBOT_`` prefix and ``__`` for nesting (``MODBOT_DISCORD__DEV_GUILD_ID=123``); the token is also accepted
as plain ``DISCORD_TOKEN``. Invalid config raises :class:`ConfigError` carrying one readable line per bad key.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from bot.analysis.config import PolicyConfig, ToxicityConfig
from bot.api.config import ApiConfig
from bot.articles.config import SummariesConfig
from bot.cluster.config import ClusterConfig
from bot.moderation.config import ModerationConfig

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PACKAGE_ROOT / "config" / "default.toml"
ENV_PREFIX = "MODBOT_"


class ConfigError(Exception):
    """Configuration could not be loaded; ``problems`` holds one human-readable line per bad key."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class DiscordConfig(BaseModel):
    """Connection to Discord."""

    model_config = ConfigDict(extra="forbid")

    token: SecretStr | None = None
    dev_guild_id: int | None = Field(default=None, ge=0)
    sync_commands: bool = True
    members_intent: bool = False
    cogs: list[str] = Field(
        default_factory=lambda: [
            "cogs.about", "cogs.summaries", "cogs.articles_list", "cogs.listener", "cogs.review_queue",
            "cogs.queue_commands", "cogs.reports", "cogs.strikes", "cogs.config_admin", "cogs.modstats",
        ]
    )
    guild_ready_timeout: float = Field(default=2.0, gt=0, le=60)
    # Sharding (README "Scaling out"): 0 = one connection for every guild; else this process runs shard_ids
    # (empty: all) of shard_count.
    shard_count: int = Field(default=0, ge=0, le=65536)
    shard_ids: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shards_in_range(self) -> DiscordConfig:
        if self.shard_ids and not self.shard_count:
            raise ValueError("shard_ids needs shard_count (the total number of shards of the bot)")
        bad = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
        if bad:
            raise ValueError(f"shard_ids {bad} are not in 0..{self.shard_count - 1} (shard_count {self.shard_count})")
        if len(set(self.shard_ids)) != len(self.shard_ids):
            raise ValueError("shard_ids has duplicates")
        return self


class StorageConfig(BaseModel):
    """Where the database lives: the embedded SQLite file at `path` (default), or the database `url` names."""

    model_config = ConfigDict(extra="forbid")

    path: Path = Path("data/modbot.sqlite3")
    url: str = ""
    busy_timeout_ms: int = Field(default=5000, ge=0)

    @field_validator("url")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        scheme = value.split("://", 1)[0].split("+", 1)[0]
        if value and ("://" not in value or scheme not in ("sqlite", "postgresql", "postgres")):
            raise ValueError("must be empty (the SQLite file at storage.path) or a sqlite:// or postgresql:// URL")
        return value

    @property
    def target(self) -> Path | str:
        """What :meth:`bot.storage.Database.open` takes: ``url`` when set, else the SQLite file ``path``."""
        return self.url or self.path


class LoggingConfig(BaseModel):
    """Log level and format. Message text is never logged unless ``debug_content`` is on."""

    model_config = ConfigDict(extra="forbid")

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"
    debug_content: bool = False


class Settings(BaseSettings):
    """All of modbot's settings. Build with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        nested_model_default_partial_update=True,
    )

    discord: DiscordConfig = Field(default_factory=DiscordConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    summaries: SummariesConfig = Field(default_factory=SummariesConfig)
    toxicity: ToxicityConfig = Field(default_factory=ToxicityConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    moderation: ModerationConfig = Field(default_factory=ModerationConfig)
    api: ApiConfig = Field(default_factory=ApiConfig)
    cluster: ClusterConfig = Field(default_factory=ClusterConfig)


class _TomlSource(InitSettingsSource):
    """A TOML file as a settings source (missing file -> empty; syntax error -> ConfigError)."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls, read_toml(path))


class _PlainTokenSource(InitSettingsSource):
    """Accept ``DISCORD_TOKEN`` (lower priority than ``MODBOT_DISCORD__TOKEN``)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        token = environ.get("DISCORD_TOKEN")
        super().__init__(settings_cls, {"discord": {"token": token}} if token else {})


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file, turning syntax errors into a ConfigError naming the file."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError([f"config file {path}: not found"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"config file {path}: invalid TOML: {exc}"]) from None


def _describe(error: Mapping[str, Any]) -> str:
    key = ".".join(str(part) for part in error["loc"]) or "(root)"
    value = error.get("input")
    last = key.split(".")[-1]
    shown = "***" if "token" in key or "key" in last or last.endswith("url") else repr(value)  # URLs may hold passwords
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown setting (value {shown}); check the spelling against config/default.toml"
    if error["type"] == "missing":
        return f"{key}: required setting is missing"
    return f"{key} = {shown}: {error['msg']}"


def load_settings(
    config_file: Path | str | None = None,
    *,
    env_file: Path | str | None = ".env",
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Load settings with precedence default.toml < config_file < .env < environment < overrides.

    The ``.env`` file (``env_file``) is read like extra environment variables that real ones override.

    ``config_file`` defaults to ``$MODBOT_CONFIG``. ``environ`` defaults to ``os.environ`` (tests pass a dict).
    """
    env = dict(os.environ if environ is None else environ)
    if env_file is not None and Path(env_file).is_file():
        from dotenv import dotenv_values

        dotenv = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
        env = {**dotenv, **env}  # real environment variables win over .env
    path = config_file if config_file is not None else env.get("MODBOT_CONFIG") or None
    # default.toml mirrors the models' defaults (a test holds that); an installed wheel may not carry it.
    layers: list[Path] = ([DEFAULT_CONFIG] if DEFAULT_CONFIG.is_file() else []) + ([Path(path)] if path else [])
    for layer in layers:
        read_toml(layer)  # surface syntax errors / a missing operator file before pydantic sees them

    class _Loaded(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            from pydantic_settings import EnvSettingsSource

            env_source = EnvSettingsSource(settings_cls)
            env_source.env_vars = {k.lower(): v for k, v in env.items()}
            sources: list[PydanticBaseSettingsSource] = [init_settings, env_source]
            sources.append(_PlainTokenSource(settings_cls, env))
            sources.extend(_TomlSource(settings_cls, layer) for layer in reversed(layers))
            return tuple(sources)

    try:
        loaded = _Loaded(**dict(overrides or {}))
    except ValidationError as exc:
        raise ConfigError([_describe(err) for err in exc.errors()]) from None
    return Settings.model_construct(**{name: getattr(loaded, name) for name in Settings.model_fields})


def masked_dump(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data with every secret replaced by ``'***'`` (or None when unset)."""
    return settings.model_dump(mode="json")
