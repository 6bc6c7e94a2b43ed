"""Self-tests of the fake Discord with a plain commands.Bot: login, gateway, messages, intents, limits."""

from __future__ import annotations

import discord
import pytest
from fake_discord import FakeDiscord
from fake_discord.sample_bot import SampleBot


@pytest.fixture
async def sample(make_client):
    return await make_client(SampleBot)


async def test_login_ready_and_sync(sample, fake_discord: FakeDiscord) -> None:
    bot = sample.bot
    assert bot.user.id == fake_discord.bot_user.id
    guild = bot.get_guild(fake_discord.guild().id)
    assert guild is not None and {c.name for c in guild.text_channels} >= {"general", "mod-queue", "mod-log"}
    names = {name for name, _type in fake_discord.state.global_commands}
    assert {"ping", "echo", "review", "Report message"} <= names
    assert bot.latency < 1.0


async def test_member_message_reaches_bot(sample, fake_discord: FakeDiscord) -> None:
    message_id = await sample.post_message("general", "hello there", author="member")
    seen = await sample.wait_for(lambda: [m for m in sample.bot.seen if m.id == message_id])
    assert seen[0].content == "hello there"
    assert seen[0].author.id == fake_discord.state.user("member").id


async def test_member_edit_and_delete_dispatch(sample) -> None:
    message_id = await sample.post_message("general", "first")
    await sample.edit_message(message_id, "second")
    await sample.wait_for(lambda: any(p.message_id == message_id for p in sample.bot.edited))
    await sample.delete_message(message_id)
    await sample.wait_for(lambda: message_id in sample.bot.deleted)


async def test_bot_reply_is_echoed_and_recorded(sample, fake_discord: FakeDiscord) -> None:
    message_id = await sample.post_message("general", "!reply")
    posts = await sample.wait_for(lambda: sample.bot_posts("general"))
    assert posts[0].content == "pong" and posts[0].reference_id == message_id
    # Discord echoes the bot's own message back on the gateway
    await sample.wait_for(lambda: any(m.author == sample.bot.user for m in sample.bot.seen))


async def test_history_after(sample) -> None:
    first = await sample.post_message("general", "one")
    await sample.post_message("general", "two")
    await sample.post_message("general", "three")
    record = await sample.slash("since", {"after": str(first)})
    assert record.content == "two|three"


async def test_member_cannot_post_in_hidden_channel(sample) -> None:
    with pytest.raises(PermissionError):
        await sample.post_message("mod-queue", "let me in", author="member")
    await sample.post_message("mod-queue", "mods only", author="moderator")


async def test_message_content_hidden_without_intent(make_client, fake_discord: FakeDiscord) -> None:
    harness = await make_client(lambda: SampleBot(message_content=False))
    message_id = await harness.post_message("general", "secret words")
    seen = await harness.wait_for(lambda: [m for m in harness.bot.seen if m.id == message_id])
    assert seen[0].content == ""
    mention = await harness.post_message("general", f"<@{fake_discord.bot_user.id}> hi")
    seen = await harness.wait_for(lambda: [m for m in harness.bot.seen if m.id == mention])
    assert "hi" in seen[0].content


async def test_bad_token_is_login_failure(make_client) -> None:
    harness = await make_client(SampleBot, start=False, token="wrong")
    error = await harness.start_error()
    assert isinstance(error, discord.LoginFailure)


async def test_privileged_intent_not_granted_closes_4014(make_client, fake_discord: FakeDiscord) -> None:
    fake_discord.config.granted_intents.discard("message_content")
    harness = await make_client(SampleBot, start=False)
    error = await harness.start_error()
    assert isinstance(error, discord.PrivilegedIntentsRequired)
    assert fake_discord.gateway.close_codes == [4014]


async def test_members_intent_sends_all_members(make_client, fake_discord: FakeDiscord) -> None:
    harness = await make_client(lambda: SampleBot(members=True))
    guild = harness.bot.get_guild(fake_discord.guild().id)
    assert guild.chunked and len(guild.members) == len(fake_discord.guild().members)


async def test_members_not_cached_without_intent(sample, fake_discord: FakeDiscord) -> None:
    guild = sample.bot.get_guild(fake_discord.guild().id)
    assert guild.get_member(fake_discord.state.user("member").id) is None
    fetched = await guild.fetch_member(fake_discord.state.user("member").id)
    assert fetched.name == "alice"


async def test_resume_replays_missed_events(sample, fake_discord: FakeDiscord) -> None:
    await fake_discord.gateway.drop_connections()
    message_id = await sample.post_message("general", "while you were away")
    await sample.wait_for(lambda: sample.bot.resumed >= 1, message="RESUMED")
    await sample.wait_for(lambda: any(m.id == message_id for m in sample.bot.seen))
    assert fake_discord.gateway.identifies == 1


async def test_reconnect_opcode_resumes(sample, fake_discord: FakeDiscord) -> None:
    await fake_discord.gateway.send_op(7)
    await sample.wait_for(lambda: sample.bot.resumed >= 1, message="RESUMED after op 7")
    assert fake_discord.gateway.identifies == 1


async def test_non_loopback_connection_is_refused(sample) -> None:
    import aiohttp
    from fake_discord import NetworkLeakError, network

    async with aiohttp.ClientSession() as session:
        with pytest.raises(NetworkLeakError):
            await session.get("http://example.com/")
    assert network.leaks == ["example.com"]
    network.leaks.clear()
