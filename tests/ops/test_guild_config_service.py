"""Per-guild settings: parsing what admins type, validation by the section models, cache, storage and audit."""

from __future__ import annotations

import json

import pytest

from bot.guildconf import (
    GUILD_KEYS,
    GuildConfigError,
    GuildConfigService,
    ValueParseError,
    format_value,
    guild_key,
    parse_value,
    search_keys,
)
from bot.services import Services
from bot.settings import Settings, load_settings
from bot.storage import Database

GUILD = 111


@pytest.fixture
def settings() -> object:
    return load_settings(None, env_file=None, environ={}, overrides={"policy": {"partisan_threshold": 0.65}})


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [
        ("moderation.mod_channel_id", "<#123456789012345678>", 123456789012345678),
        ("moderation.mod_channel_id", " 42 ", 42),
        ("moderation.mod_channel_id", "none", None),
        ("moderation.moderator_role_id", "<@&77>", 77),
        ("moderation.watched_channel_ids", "<#1>, <#2> 3 <#1>", [1, 2, 3]),
        ("moderation.watched_channel_ids", "none", []),
        ("moderation.auto_actions", "high=remove, MEDIUM=none", {"high": "remove", "medium": "none"}),
        ("moderation.auto_actions", '{"high": "remove"}', {"high": "remove"}),
        ("moderation.auto_actions", "off", {}),
        ("moderation.enabled", "off", False),
        ("policy.partisan_threshold", "85%", 0.85),
        ("policy.partisan_threshold", "0.5", 0.5),
        ("summaries.default_length", "LONG", "long"),
    ],
)
def test_parse_value(key: str, raw: str, value: object) -> None:
    assert parse_value(guild_key(key), raw) == value


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("moderation.mod_channel_id", "general", "needs a channel"),
        ("moderation.mod_channel_id", "0", "not a valid channel id"),
        ("moderation.moderator_role_id", "<#5>", "needs a role"),
        ("moderation.enabled", "maybe", "true or false"),
        ("moderation.auto_actions", "remove", "severity=action"),
        ("moderation.auto_actions", "critical=remove", "unknown severity"),
        ("summaries.default_length", "tiny", "must be one of"),
    ],
)
def test_parse_value_errors(key: str, raw: str, message: str) -> None:
    with pytest.raises(ValueParseError, match=message):
        parse_value(guild_key(key), raw)


def test_keys_are_real_fields_and_fit_discord_limits() -> None:
    for key in GUILD_KEYS.values():
        assert key.field in key.model.model_fields, key.name
        assert len(key.describe()) <= 100 and len(key.name) <= 100
    assert guild_key("PARTISAN_THRESHOLD").name == "policy.partisan_threshold"
    assert [k.name for k in search_keys("mod_log")] == ["moderation.mod_log_channel_id"]
    assert [k.name for k in search_keys("threshold partisan")] == ["policy.partisan_threshold"]
    assert len(search_keys("")) == min(len(GUILD_KEYS), 25)  # Discord shows at most 25 choices
    assert "moderation.appeal_cooldown_hours" in [k.name for k in search_keys("appeal")]  # typing finds the rest


def test_format_value() -> None:
    assert format_value(guild_key("moderation.watched_channel_ids"), []) == "none (every channel)"
    assert format_value(guild_key("moderation.watched_channel_ids"), [1, 2]) == "<#1> <#2>"
    assert format_value(guild_key("moderation.moderator_role_id"), 9) == "<@&9>"
    assert format_value(guild_key("moderation.auto_actions"), {"medium": "none", "high": "remove"}) == (
        "high=remove medium=none")


async def test_effective_applies_overrides_over_file_config(db: Database, settings: object) -> None:
    service = GuildConfigService(settings, db)
    assert (await service.effective(GUILD)).policy.partisan_threshold == 0.65  # the file value
    change = await service.set(GUILD, "policy.partisan_threshold", "0.9", actor_id=5)
    assert (change.before, change.after, change.changed) == ("0.65", "0.9", True)
    assert (await service.effective(GUILD)).policy.partisan_threshold == 0.9
    assert (await service.effective(GUILD + 1)).policy.partisan_threshold == 0.65  # other guilds untouched
    # the cache is per guild and rebuilt on write, so the synchronous view sees a change at once
    before = service.cached(GUILD)
    await service.set(GUILD, "policy.partisan_threshold", "0.8", actor_id=5)
    assert service.cached(GUILD) is not before
    assert service.current(GUILD).policy.partisan_threshold == 0.8
    assert service.current(GUILD + 5).policy.partisan_threshold == 0.65  # no overrides: the file config


async def test_load_warms_every_guild_with_overrides(db: Database, settings: object) -> None:
    await GuildConfigService(settings, db).set(GUILD, "summaries.default_length", "long", actor_id=1)
    fresh = GuildConfigService(settings, db)  # a restart
    await fresh.load()
    assert fresh.current(GUILD).summaries.default_length == "long"
    assert fresh.current(GUILD + 1).summaries.default_length == "medium"


async def test_rejected_values_store_nothing(db: Database, settings: object) -> None:
    service = GuildConfigService(settings, db)
    with pytest.raises(GuildConfigError, match="less than or equal to 1"):
        await service.set(GUILD, "policy.partisan_threshold", "2", actor_id=5)
    with pytest.raises(GuildConfigError, match="No channel with id 9"):
        await service.set(GUILD, "moderation.mod_channel_id", "9", actor_id=5, known_channels={1, 2})
    with pytest.raises(GuildConfigError, match="No role with id 9"):
        await service.set(GUILD, "moderation.moderator_role_id", "9", actor_id=5, known_roles={1})
    assert await db.fetchall("SELECT * FROM guild_settings") == []
    assert await db.fetchall("SELECT * FROM audit_log") == []


async def test_audit_entries_record_old_and_new(db: Database, settings: object) -> None:
    service = GuildConfigService(settings, db)
    await service.set(GUILD, "moderation.auto_actions", "high=remove", actor_id=5)
    await service.set(GUILD, "moderation.auto_actions", "high=none", actor_id=6)
    await service.reset(GUILD, "moderation.auto_actions", actor_id=7)
    rows = await db.fetchall("SELECT actor_id, action, target, detail FROM audit_log ORDER BY id")
    assert [(r["actor_id"], r["action"], r["target"]) for r in rows] == [
        (5, "config.set", "config:moderation.auto_actions"), (6, "config.set", "config:moderation.auto_actions"),
        (7, "config.reset", "config:moderation.auto_actions")]
    assert [json.loads(r["detail"])["old"] for r in rows] == [None, {"high": "remove"}, {"high": "none"}]


async def test_stale_stored_values_are_skipped_not_fatal(db: Database, settings: object) -> None:
    await db.execute("INSERT INTO guild_settings (guild_id, key, value_json) VALUES (?, ?, ?)",
                     (GUILD, "policy.partisan_threshold", "7"))
    await db.execute("INSERT INTO guild_settings (guild_id, key, value_json) VALUES (?, ?, ?)",
                     (GUILD, "policy.toxicity_threshold", "0.5"))
    await db.execute("INSERT INTO guild_settings (guild_id, key, value_json) VALUES (?, ?, ?)",
                     (GUILD, "policy.removed_in_a_later_version", "1"))
    effective = await GuildConfigService(settings, db).effective(GUILD)
    assert effective.policy.partisan_threshold == 0.65 and effective.policy.toxicity_threshold == 0.5


async def test_services_always_carry_the_guild_config(db: Database, settings: Settings) -> None:
    services = Services.core(settings, db)
    assert isinstance(services.guild_config, GuildConfigService)
    assert services.library is None and services.analyzer is None and services.engine is None


async def test_profanity_policy_is_per_guild(db: Database, settings: object) -> None:
    service = GuildConfigService(settings, db)
    assert (await service.effective(GUILD)).policy.flag_profanity is False  # off by default
    await service.set(GUILD, "policy.flag_profanity", "true", actor_id=5)
    await service.set(GUILD, "policy.profanity_threshold", "0.9", actor_id=5)
    policy = (await service.effective(GUILD)).policy
    assert policy.flag_profanity is True and policy.profanity_threshold == 0.9
    assert (await service.effective(GUILD + 1)).policy.flag_profanity is False
