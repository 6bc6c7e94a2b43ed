"""Turning what an administrator types into a setting value (mentions, ids, words) and values back into text.

Parsing only shapes the input (``<#123>`` -> ``123``, ``85%`` -> ``0.85``); the section's pydantic model then
decides whether the value is allowed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from bot.guildconf.keys import SEVERITIES, GuildKey, ValueKind
from bot.moderation.custom_ids import id_in_range

CLEAR_WORDS = frozenset({"none", "unset", "off", "clear", "-"})
_TRUE = frozenset({"true", "on", "yes", "1", "enable", "enabled"})
_FALSE = frozenset({"false", "off", "no", "0", "disable", "disabled"})
_CHANNEL = re.compile(r"^(?:<#(\d+)>|(\d+))$")
_ROLE = re.compile(r"^(?:<@&(\d+)>|(\d+))$")
_SEPARATORS = re.compile(r"[\s,;]+")


class ValueParseError(ValueError):
    """The typed value has the wrong shape for the key (message is shown to the administrator)."""


def _snowflake(token: str, pattern: re.Pattern[str], what: str, key: GuildKey) -> int:
    match = pattern.match(token)
    if match is None:
        example = "#channel or a channel id" if what == "channel" else "@role or a role id"
        raise ValueParseError(f"`{key.name}` needs a {what}: {example} (got `{token[:40]}`).")
    value = int(match.group(1) or match.group(2))
    if not id_in_range(value):
        raise ValueParseError(f"`{token[:40]}` is not a valid {what} id.")
    return value


def _float(raw: str, key: GuildKey) -> float:
    text = raw.strip()
    try:
        return float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise ValueParseError(f"`{key.name}` needs a number such as 0.85 or 85% (got `{raw[:40]}`).") from None


def _json_object(text: str, key: GuildKey, pairs: str) -> dict[str, str] | None:
    """``text`` as a JSON object with string keys and values, or None when it is not JSON (``{...}``) at all."""
    if not text.startswith("{"):
        return None
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError:
        raise ValueParseError(f"`{key.name}`: not valid JSON.") from None
    if not isinstance(loaded, dict):
        raise ValueParseError(f"`{key.name}` needs {pairs} pairs.")
    return {str(k): str(v) for k, v in loaded.items()}


def _actions(raw: str, key: GuildKey) -> dict[str, str]:
    text = raw.strip()
    loaded = _json_object(text, key, "severity=action")
    if loaded is not None:
        return loaded
    out: dict[str, str] = {}
    for token in _SEPARATORS.split(text):
        if not token:
            continue
        severity, sep, action = token.partition("=")
        if not sep:
            raise ValueParseError(
                f"`{key.name}` needs severity=action pairs such as `high=remove medium=none` (got `{token[:40]}`)."
            )
        severity = severity.strip().lower()
        if severity not in SEVERITIES:
            raise ValueParseError(f"unknown severity `{severity[:20]}`; use {', '.join(SEVERITIES)}.")
        out[severity] = action.strip().lower()
    return out


def _int(raw: str, key: GuildKey) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ValueParseError(f"`{key.name}` needs a whole number (got `{raw[:40]}`).") from None


def _ladder(raw: str, key: GuildKey) -> dict[str, int]:
    """``3=60 5=1440`` (strike count = timeout minutes) or a JSON object; the model checks the ranges."""
    text = raw.strip()
    loaded = _json_object(text, key, "strikes=minutes")
    if loaded is not None:
        pairs = list(loaded.items())
    else:
        pairs = []
        for token in _SEPARATORS.split(text):
            strikes, sep, minutes = token.partition("=")
            if token and not sep:
                raise ValueParseError(f"`{key.name}` needs strikes=minutes pairs such as `3=60 5=1440` "
                                      f"(got `{token[:40]}`).")
            if token:
                pairs.append((strikes.strip(), minutes.strip()))
    out: dict[str, int] = {}
    for strikes, minutes in pairs:
        if not strikes.isdigit() or not minutes.isdigit():
            raise ValueParseError(f"`{key.name}`: `{strikes[:10]}={minutes[:10]}` needs two whole numbers.")
        out[str(int(strikes))] = int(minutes)
    return out


def _severity_roles(raw: str, key: GuildKey) -> dict[str, int]:
    """``high=@Mods medium=none`` -> ``{"high": <role id>}`` (a severity set to none is left out)."""
    out: dict[str, int] = {}
    for token in _SEPARATORS.split(raw.strip()):
        if not token:
            continue
        severity, sep, role = token.partition("=")
        severity = severity.strip().lower()
        if not sep:
            raise ValueParseError(
                f"`{key.name}` needs severity=role pairs such as `high=@Moderators` (got `{token[:40]}`)."
            )
        if severity not in SEVERITIES:
            raise ValueParseError(f"unknown severity `{severity[:20]}`; use {', '.join(SEVERITIES)}.")
        if role.strip().lower() in CLEAR_WORDS:
            out.pop(severity, None)
            continue
        out[severity] = _snowflake(role.strip(), _ROLE, "role", key)
    return out


def parse_value(key: GuildKey, raw: str) -> Any:
    """The JSON-able value for ``raw`` (``None`` clears a nullable key); raises :class:`ValueParseError`."""
    text = raw.strip()
    lowered = text.lower()
    if key.kind is ValueKind.BOOL:
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueParseError(f"`{key.name}` needs true or false (got `{text[:40]}`).")
    if key.kind is ValueKind.FLOAT:
        return _float(text, key)
    if key.kind is ValueKind.CHOICE:
        if lowered not in key.choices:
            raise ValueParseError(f"`{key.name}` must be one of {', '.join(key.choices)} (got `{text[:40]}`).")
        return lowered
    if key.kind is ValueKind.ACTIONS:
        return {} if lowered in CLEAR_WORDS or not text else _actions(text, key)
    if key.kind is ValueKind.INT:
        return _int(text, key)
    if key.kind is ValueKind.LADDER:
        return {} if lowered in CLEAR_WORDS or not text else _ladder(text, key)
    if key.kind is ValueKind.SEVERITY_ROLES:
        return {} if lowered in CLEAR_WORDS or not text else _severity_roles(text, key)
    if key.kind is ValueKind.CHANNELS:
        if lowered in CLEAR_WORDS or not text:
            return []
        ids = [_snowflake(token, _CHANNEL, "channel", key) for token in _SEPARATORS.split(text) if token]
        return list(dict.fromkeys(ids))
    if lowered in CLEAR_WORDS or not text:
        if not key.nullable:
            raise ValueParseError(f"`{key.name}` cannot be unset; use `/config reset` for the default.")
        return None
    if key.kind is ValueKind.CHANNEL:
        return _snowflake(text, _CHANNEL, "channel", key)
    return _snowflake(text, _ROLE, "role", key)


def format_value(key: GuildKey, value: Any) -> str:
    """Discord-ready text for a value (channel/role mentions, percentages kept as plain numbers)."""
    if value is None:
        return "unset"
    if key.kind is ValueKind.BOOL:
        return "true" if value else "false"
    if key.kind is ValueKind.CHANNEL:
        return f"<#{int(value)}>"
    if key.kind is ValueKind.ROLE:
        return f"<@&{int(value)}>"
    if key.kind is ValueKind.CHANNELS:
        if not value:
            return "none" + (" (every channel)" if key.field == "watched_channel_ids" else "")
        return " ".join(f"<#{int(v)}>" for v in value)
    if key.kind is ValueKind.ACTIONS:
        if not value:
            return "none"
        return " ".join(f"{k}={v}" for k, v in sorted(dict(value).items()))
    if key.kind is ValueKind.LADDER:
        if not value:
            return "none (no suggestions)"
        return " ".join(f"{k}={v}" for k, v in sorted(dict(value).items(), key=lambda kv: int(kv[0])))
    if key.kind is ValueKind.SEVERITY_ROLES:
        if not value:
            return "none (no pings)"
        return " ".join(f"{k}=<@&{int(v)}>" for k, v in sorted(dict(value).items()))
    if key.kind is ValueKind.FLOAT:
        return f"{float(value):g}"
    return str(value)


def referenced_ids(key: GuildKey, value: Any) -> list[int]:
    """Channel or role ids a value names (to check they exist in the guild)."""
    if value is None:
        return []
    if key.kind in (ValueKind.CHANNEL, ValueKind.ROLE):
        return [int(value)]
    if key.kind is ValueKind.CHANNELS:
        return [int(v) for v in value]
    if key.kind is ValueKind.SEVERITY_ROLES:
        return [int(v) for v in dict(value).values()]
    return []


def to_json(value: Any) -> str:
    """Storage form of a value (``guild_settings.value_json``)."""
    if isinstance(value, Mapping):
        value = dict(value)
    return json.dumps(value, sort_keys=True)
