"""End to end through the fake Discord: login + command sync, /about, bad token, missing intent, DB restart."""

from __future__ import annotations

import discord
from fake_discord import BotHarness, FakeDiscord

from bot.cli.run import BAD_TOKEN, intent_message, run_bot
from bot.storage.meta import MetaRepository


async def test_login_and_command_sync(bot: BotHarness, fake_discord: FakeDiscord) -> None:
    assert bot.bot.user.id == fake_discord.bot_user.id
    synced = {name for name, _type in fake_discord.state.global_commands}
    assert "about" in synced
    assert "about" in bot.bot.synced_commands


async def test_dev_guild_sync_is_guild_scoped(make_bot, fake_discord: FakeDiscord) -> None:
    guild = fake_discord.guild()
    harness = await make_bot({"discord": {"dev_guild_id": guild.id}})
    assert ("about", 1) in fake_discord.state.guild_commands[guild.id]
    assert fake_discord.state.global_commands == {}
    record = await harness.slash("about")
    assert record.payload["data"]["guild_id"] == str(guild.id)


async def test_about_is_ephemeral_health_card(bot: BotHarness) -> None:
    record = await bot.slash("about", user="member")
    assert record.ephemeral
    fields = {f["name"]: f["value"] for f in record.embeds[0]["fields"]}
    assert fields["Version"] == __import__("bot").__version__
    assert fields["Uptime"].endswith("s")
    assert fields["Gateway latency"].endswith("ms")
    assert fields["Database"].startswith("ok (schema v")
    assert "Toxicity model" in fields
    assert fields["Learned heads"].startswith("ok")
    assert bot.bot_posts("general") == []  # nothing public


async def test_about_says_heads_are_degraded_on_a_corrupt_encoder(make_bot, tmp_path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"truncated")
    harness = await make_bot({"policy": {"encoder_dir": str(tmp_path)}})
    record = await harness.slash("about", user="member")
    fields = {f["name"]: f["value"] for f in record.embeds[0]["fields"]}
    assert fields["Learned heads"].startswith("degraded: all-MiniLM-L6-v2:"), fields["Learned heads"]
    assert "sha256" in fields["Learned heads"] and "Detoxify and lexicons still active" in fields["Learned heads"]


async def test_bad_token_gives_login_failure_and_cli_message(make_bot, capsys) -> None:
    harness = await make_bot({"discord": {"token": "not-the-token"}}, start=False)
    error = await harness.start_error()
    assert isinstance(error, discord.LoginFailure)
    assert await run_bot(harness.settings) == 1  # what `modbot run` does
    assert BAD_TOKEN in capsys.readouterr().err


async def test_cli_run_bad_token_subprocess(spawn_bot) -> None:
    process = await spawn_bot(token="not-the-token", start=False)
    code, output = await process.run_to_exit()
    assert code == 1, output
    assert BAD_TOKEN in output


async def test_missing_message_content_intent_names_it(make_bot, fake_discord: FakeDiscord, capsys) -> None:
    fake_discord.config.granted_intents.discard("message_content")
    harness = await make_bot(start=False)
    error = await harness.start_error()
    assert isinstance(error, discord.PrivilegedIntentsRequired)
    assert fake_discord.gateway.close_codes == [4014]
    code = await run_bot(harness.settings)
    assert code == 1
    err = capsys.readouterr().err
    assert "MESSAGE CONTENT" in err and "4014" in err
    assert err.strip() == intent_message(False)


async def test_database_survives_restart(bot: BotHarness) -> None:
    first = bot.bot
    meta = MetaRepository(first.db)
    await meta.set("e2e_marker", "kept")
    started = await meta.get("first_started_at")
    first_db = first.db
    await bot.restart()
    assert bot.bot is not first and not await first_db.healthy()  # the old client closed its DB
    meta = MetaRepository(bot.bot.db)
    assert await meta.get("e2e_marker") == "kept"
    assert await meta.get("first_started_at") == started
    assert (await bot.slash("about")).ephemeral


async def test_cli_run_subprocess_smoke(spawn_bot, fake_discord: FakeDiscord) -> None:
    process = await spawn_bot()
    assert ("about", 1) in fake_discord.state.global_commands
    record = await process.slash("about")
    assert record.ephemeral and record.embeds[0]["title"] == "modbot"
    await process.quiet()
    assert await process.terminate() == 0, process.output()
    assert "received SIGTERM, shutting down" in process.output()
    assert "modbot stopped" in process.output()
