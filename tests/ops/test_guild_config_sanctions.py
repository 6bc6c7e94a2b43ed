"""/config keys of strikes and appeals: whole numbers, the ladder (strikes=minutes), validation by the model."""

from __future__ import annotations

import pytest

from bot.guildconf import GuildConfigError, GuildConfigService, ValueParseError, format_value, guild_key, parse_value
from bot.settings import load_settings
from bot.storage import Database

GUILD = 111


@pytest.mark.parametrize(("key", "raw", "value"), [
    ("moderation.strike_decay_days", " 14 ", 14),
    ("moderation.strike_ladder", "3=60, 5=1440", {"3": 60, "5": 1440}),
    ("moderation.strike_ladder", '{"4": 10}', {"4": 10}),
    ("moderation.strike_ladder", "none", {}),
    ("moderation.appeals_enabled", "off", False),
    ("moderation.appeal_cooldown_hours", "0", 0),
    ("moderation.appeal_window_days", "30", 30),
])
def test_parse(key: str, raw: str, value: object) -> None:
    assert parse_value(guild_key(key), raw) == value


@pytest.mark.parametrize(("key", "raw"), [("moderation.strike_decay_days", "two weeks"),
                                          ("moderation.strike_ladder", "3:60"),
                                          ("moderation.strike_ladder", "three=60"),
                                          ("moderation.strike_ladder", "[1, 2]")])
def test_bad_shapes(key: str, raw: str) -> None:
    with pytest.raises(ValueParseError):
        parse_value(guild_key(key), raw)


def test_format() -> None:
    ladder = guild_key("moderation.strike_ladder")
    assert format_value(ladder, {10: 1440, 3: 60}) == "3=60 10=1440"
    assert format_value(ladder, {}) == "none (no suggestions)"


async def test_set_validates_with_the_model_and_applies(db: Database) -> None:
    service = GuildConfigService(load_settings(None, env_file=None, environ={}, overrides={}), db)
    await service.load()
    await service.set(GUILD, "strike_ladder", "2=10 4=120", actor_id=1)
    await service.set(GUILD, "moderation.strike_decay_days", "7", actor_id=1)
    current = service.current(GUILD).moderation
    assert current.strike_ladder == {2: 10, 4: 120} and current.strike_decay_days == 7
    with pytest.raises(GuildConfigError, match="28 days|40320"):
        await service.set(GUILD, "moderation.strike_ladder", "3=99999", actor_id=1)
    with pytest.raises(GuildConfigError, match="less than or equal to 365"):
        await service.set(GUILD, "moderation.strike_decay_days", "1000", actor_id=1)
    assert service.current(GUILD).moderation.strike_ladder == {2: 10, 4: 120}
