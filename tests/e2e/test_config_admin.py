"""/config end to end: administrators view and change per-guild settings; others are refused; bad values explained."""

from __future__ import annotations

import json

import pytest
from fake_discord import BotHarness, CommandNotAvailable, FakeDiscord

from bot.guildconf import GUILD_KEYS
from cogs.config_admin import REFUSAL


def guild_id(fake: FakeDiscord) -> int:
    return fake.guild().id


async def stored(bot: BotHarness, gid: int) -> dict[str, object]:
    rows = await bot.bot.db.fetchall("SELECT key, value_json FROM guild_settings WHERE guild_id = ?", (gid,))
    return {row["key"]: json.loads(row["value_json"]) for row in rows}


async def test_show_lists_effective_settings(bot: BotHarness, fake_discord: FakeDiscord) -> None:
    record = await bot.slash("config show", user="admin")
    assert record.ephemeral
    text = record.embeds[0]["description"]
    assert f"`policy.partisan_threshold` = {bot.bot.settings.policy.partisan_threshold:g}" in text
    assert "`moderation.mod_channel_id` = unset" in text
    assert "`summaries.default_length` = medium" in text
    assert "set here" not in text
    assert bot.bot_posts("general") == []


async def test_set_changes_value_audits_and_applies_without_restart(bot: BotHarness, fake_discord: FakeDiscord) -> None:
    gid = guild_id(fake_discord)
    admin = fake_discord.state.user("admin").id
    file_value = bot.bot.settings.policy.partisan_threshold
    record = await bot.slash("config set", {"key": "policy.partisan_threshold", "value": "0.9"}, user="admin")
    assert record.ephemeral
    assert f"`policy.partisan_threshold`: {file_value:g} \u2192 **0.9**" in record.text()
    assert await stored(bot, gid) == {"policy.partisan_threshold": 0.9}
    effective = await bot.bot.services.guild_config.effective(gid)
    assert effective.policy.partisan_threshold == 0.9
    assert bot.bot.settings.policy.partisan_threshold == file_value  # the file config is untouched
    audit = await bot.bot.db.fetchall("SELECT * FROM audit_log WHERE action LIKE 'config.%'")
    assert len(audit) == 1 and audit[0]["actor_id"] == admin and audit[0]["guild_id"] == gid
    assert json.loads(audit[0]["detail"]) == {"key": "policy.partisan_threshold", "old": None, "new": 0.9}
    shown = (await bot.slash("config show", user="admin")).embeds[0]["description"]
    assert f"`policy.partisan_threshold` = 0.9 \u00b7 **set here** by <@{admin}> <t:" in shown


async def test_channel_and_role_values_accept_mentions_and_ids(bot: BotHarness, fake_discord: FakeDiscord) -> None:
    gid = guild_id(fake_discord)
    queue = fake_discord.state.channel("mod-queue").id
    log_channel = fake_discord.state.channel("mod-log").id
    general = fake_discord.state.channel("general").id
    role = fake_discord.guild().role_named("Moderator").id
    await bot.slash("config set", {"key": "moderation.mod_channel_id", "value": f"<#{queue}>"}, user="admin")
    await bot.slash("config set", {"key": "moderation.mod_log_channel_id", "value": str(log_channel)}, user="admin")
    await bot.slash("config set", {"key": "moderation.moderator_role_id", "value": f"<@&{role}>"}, user="admin")
    record = await bot.slash("config set", {"key": "moderation.watched_channel_ids", "value": f"<#{general}>"},
                             user="admin")
    assert f"<#{general}>" in record.text()
    assert await stored(bot, gid) == {
        "moderation.mod_channel_id": queue, "moderation.mod_log_channel_id": log_channel,
        "moderation.moderator_role_id": role, "moderation.watched_channel_ids": [general],
    }
    effective = await bot.bot.services.guild_config.effective(gid)
    assert effective.moderation.mod_channel_id == queue and effective.moderation.moderator_role_id == role
    record = await bot.slash("config set", {"key": "moderation.auto_actions", "value": "high=remove"}, user="admin")
    assert "high=remove" in record.text()
    assert (await bot.bot.services.guild_config.effective(gid)).moderation.auto_actions == {"high": "remove"}


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("policy.partisan_threshold", "1.5", "less than or equal to 1"),
        ("policy.toxicity_threshold", "high", "needs a number"),
        ("moderation.auto_actions", "high=explode", "actions must be one of none, remove"),
        ("moderation.auto_actions", "extreme=remove", "unknown severity"),
        ("moderation.mod_channel_id", "#general", "needs a channel"),
        ("moderation.mod_channel_id", "123456789012345678", "No channel with id 123456789012345678"),
        ("summaries.default_length", "huge", "must be one of short, medium, long"),
        ("discord.token", "abc", "is not a setting you can change"),
        ("policy.partisan", "0.5", "Did you mean `policy.partisan_threshold`"),
    ],
)
async def test_invalid_values_are_rejected_clearly(bot: BotHarness, fake_discord: FakeDiscord, key: str, value: str,
                                                   expected: str) -> None:
    record = await bot.slash("config set", {"key": key, "value": value}, user="admin")
    assert record.ephemeral
    assert record.text().startswith("\u274c") and expected in record.text(), record.text()
    assert await stored(bot, guild_id(fake_discord)) == {}
    assert await bot.bot.db.fetchall("SELECT * FROM audit_log WHERE action LIKE 'config.%'") == []


async def test_reset_returns_to_file_default(bot: BotHarness, fake_discord: FakeDiscord) -> None:
    gid = guild_id(fake_discord)
    await bot.slash("config set", {"key": "summaries.default_length", "value": "long"}, user="admin")
    assert (await bot.bot.services.guild_config.effective(gid)).summaries.default_length == "long"
    record = await bot.slash("config reset", {"key": "summaries.default_length"}, user="admin")
    assert "long \u2192 **medium** (the default)" in record.text()
    assert await stored(bot, gid) == {}
    assert (await bot.bot.services.guild_config.effective(gid)).summaries.default_length == "medium"
    again = await bot.slash("config reset", {"key": "summaries.default_length"}, user="admin")
    assert "was not set for this server" in again.text()
    actions = [r["action"] for r in await bot.bot.db.fetchall("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["config.set", "config.reset"]


async def test_non_admins_cannot_see_or_use_config(bot: BotHarness, fake_discord: FakeDiscord) -> None:
    synced = fake_discord.state.find_command("config", 1, None)
    assert synced is not None and int(synced["default_member_permissions"]) == 1 << 5  # Manage Server
    with pytest.raises(CommandNotAvailable):
        await bot.slash("config show", user="member")
    # A server owner may open the command to everyone (Integrations settings): the cog still refuses.
    synced["default_member_permissions"] = None
    for user in ("member", "moderator"):
        record = await bot.slash("config set", {"key": "policy.partisan_threshold", "value": "0.1"}, user=user)
        assert record.ephemeral and record.text() == REFUSAL
        assert (await bot.slash("config show", user=user)).text() == REFUSAL
        assert await bot.autocomplete("config set", "key", "", user=user) == []
    assert await stored(bot, guild_id(fake_discord)) == {}


async def test_key_and_value_autocomplete(bot: BotHarness, fake_discord: FakeDiscord) -> None:
    choices = await bot.autocomplete("config set", "key", "partisan", user="admin")
    assert [c["value"] for c in choices] == ["policy.partisan_threshold"]
    everything = await bot.autocomplete("config set", "key", "", user="admin")
    assert len(everything) == len(GUILD_KEYS) == 24 and all(len(c["name"]) <= 100 for c in everything)
    values = await bot.autocomplete("config set", "value", "gen", {"key": "moderation.mod_channel_id"}, user="admin")
    general = fake_discord.state.channel("general").id
    assert {"name": "#general", "value": str(general)} in values
    lengths = await bot.autocomplete("config set", "value", "", {"key": "summaries.default_length"}, user="admin")
    assert [c["value"] for c in lengths] == ["short", "medium", "long"]


async def test_settings_survive_restart(bot: BotHarness, fake_discord: FakeDiscord) -> None:
    gid = guild_id(fake_discord)
    await bot.slash("config set", {"key": "policy.inflammatory_threshold", "value": "85%"}, user="admin")
    await bot.restart()
    assert (await bot.bot.services.guild_config.effective(gid)).policy.inflammatory_threshold == 0.85
