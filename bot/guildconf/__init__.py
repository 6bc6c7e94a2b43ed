"""Per-guild settings: which keys ``/config`` may change, their storage, and the effective config per guild."""

from bot.guildconf.keys import GUILD_KEYS, GuildKey, UnknownKeyError, ValueKind, guild_key, search_keys
from bot.guildconf.service import (
    Change,
    GuildConfigError,
    GuildConfigService,
    GuildSettings,
    apply_overrides,
)
from bot.guildconf.values import ValueParseError, format_value, parse_value

__all__ = [
    "GUILD_KEYS", "Change", "GuildConfigError", "GuildConfigService", "GuildKey", "GuildSettings", "UnknownKeyError",
    "ValueKind", "ValueParseError", "apply_overrides", "format_value", "guild_key",
    "parse_value", "search_keys",
]
