"""Self-tests of the fake's interactions: slash commands, subcommands, autocomplete, context menus, components,
modals, deferrals, files, permissions, DMs and Discord's limits."""

from __future__ import annotations

import pytest
from fake_discord import Callback, CommandNotAvailable, FakeDiscord
from fake_discord.sample_bot import SampleBot


@pytest.fixture
async def sample(make_client):
    return await make_client(SampleBot)


async def test_slash_ephemeral(sample) -> None:
    record = await sample.slash("ping")
    assert record.callback_type == Callback.MESSAGE
    assert record.ephemeral and record.content == "pong"
    assert sample.bot_posts("general") == []  # ephemeral replies are not channel posts


async def test_slash_options_and_range(sample) -> None:
    record = await sample.slash("echo", {"text": "hi", "times": 3})
    assert record.content == "hi hi hi" and not record.ephemeral
    assert sample.bot_posts("general")[0].interaction["name"] == "echo"
    with pytest.raises(ValueError, match="outside"):
        await sample.slash("echo", {"text": "hi", "times": 9})
    with pytest.raises(ValueError, match="missing required"):
        await sample.slash("echo", {})


async def test_subcommand_with_choices(sample) -> None:
    record = await sample.slash("review show", {"item": 7, "status": "closed"})
    assert record.content == "item 7 closed"
    with pytest.raises(ValueError, match="choices"):
        await sample.slash("review show", {"item": 7, "status": "bogus"})


async def test_unsynced_command_is_unavailable(sample) -> None:
    with pytest.raises(CommandNotAvailable):
        await sample.slash("nope")


async def test_default_permissions_hide_command(sample) -> None:
    with pytest.raises(CommandNotAvailable):
        await sample.slash("mute", {"member": "moderator"}, user="member")


async def test_autocomplete_choices(sample) -> None:
    choices = await sample.autocomplete("lookup", "name", "ab")
    assert len(choices) == 25 and choices[0] == {"name": "ab0", "value": "ab0"}


async def test_autocomplete_over_25_is_rejected(sample, fake_discord: FakeDiscord) -> None:
    with pytest.raises(AssertionError, match="Discord would have rejected"):
        await sample.autocomplete("lookup", "name", "many")
    assert any("50035" in e and "choices" in e for e in fake_discord.protocol_errors)
    fake_discord.allow_errors()  # expected: do not fail the test at teardown


async def test_context_menu_thread_and_followup(sample, fake_discord: FakeDiscord) -> None:
    message_id = await sample.post_message("general", "this is spam")
    record = await sample.context_menu("Report message", message_id, user="moderator")
    assert record.content == "reported alice" and record.ephemeral
    thread = fake_discord.state.channels[message_id]  # a thread started from a message shares its id
    assert thread.is_thread and thread.parent_id == fake_discord.state.channel("general").id
    posts = await sample.wait_for(lambda: sample.bot_posts(thread.id))
    assert posts[0].content == "reported: this is spam"


async def test_buttons_select_and_modal(sample, fake_discord: FakeDiscord) -> None:
    await sample.slash("panel", {"channel": "mod-queue"}, user="moderator")
    card = sample.bot_posts("mod-queue")[0]
    labelled = await sample.select(card.id, ["abuse"], placeholder="Label", user="moderator")
    assert labelled.content == "labelled abuse" and labelled.ephemeral
    opened = await sample.click(card.id, "Reject", user="moderator")
    assert opened.callback_type == Callback.MODAL and opened.modal["title"] == "Reject"
    submitted = await sample.submit_modal(opened, {"Reason": "off topic"})
    assert submitted.content == "rejected: off topic"
    approved = await sample.click(card.id, "Approve", user="moderator")
    assert approved.callback_type == Callback.UPDATE_MESSAGE
    assert fake_discord.state.message(card.id).content == "approved by mo"
    assert fake_discord.state.message(card.id).components == []
    assert sample.bot_edits("mod-queue")[-1].before["content"] == "review item"


async def test_persistent_view_survives_restart(sample, fake_discord: FakeDiscord) -> None:
    await sample.slash("panel", {"channel": "general"})
    card = sample.bot_posts("general")[0]
    await sample.restart()
    record = await sample.click(card.id, custom_id="panel:approve")
    assert record.callback_type == Callback.UPDATE_MESSAGE


async def test_defer_then_followups(sample) -> None:
    record = await sample.slash("slow")
    assert record.callback_type == Callback.DEFERRED_MESSAGE and record.ephemeral
    await sample.wait_for(lambda: len(record.responses) >= 3)
    assert record.content == "done"  # the first followup fills the "thinking" message
    assert [m.content for m in record.followups] == ["extra"] and record.followups[0].ephemeral


async def test_file_upload_kept(sample) -> None:
    record = await sample.slash("upload")
    attachment = record.message.attachments[0]
    assert attachment.filename == "hello.txt" and attachment.data == b"hello"


async def test_timeout_and_hierarchy(sample, fake_discord: FakeDiscord) -> None:
    record = await sample.slash("mute", {"member": "member", "minutes": 10}, user="admin")
    assert record.content == "muted alice"
    assert fake_discord.guild().members[fake_discord.state.user("member").id].timed_out()
    with pytest.raises(PermissionError, match="timed out"):
        await sample.post_message("general", "can I talk?", author="member")
    record = await sample.slash("mute", {"member": "admin"}, user="moderator")
    assert record.content == "forbidden 50013"


async def test_missing_permission_is_50013(sample, fake_discord: FakeDiscord) -> None:
    await fake_discord.set_bot_permissions("view_channel", "read_message_history")
    record = await sample.slash("mute", {"member": "member"}, user="admin")
    assert record.content == "forbidden 50013"


async def test_dm_blocked_is_50007(sample, fake_discord: FakeDiscord) -> None:
    record = await sample.slash("dm", {"user": "moderator"})
    assert record.content == "sent" and sample.dms_to("moderator")[0].content == "hello from the bot"
    fake_discord.block_dms("member")
    record = await sample.slash("dm", {"user": "member"})
    assert record.content == "cannot dm 50007"


async def test_content_over_2000_fails_loudly(sample, fake_discord: FakeDiscord) -> None:
    with pytest.raises(AssertionError, match="Must be 2000 or fewer"):
        await sample.slash("toolong")
    assert any("content" in e for e in fake_discord.protocol_errors)
    fake_discord.allow_errors()


async def test_rate_limit_429_is_retried(sample, fake_discord: FakeDiscord) -> None:
    fake_discord.faults.fail_next("POST /channels/{channel_id}/messages", retry_after=0.01)
    await sample.post_message("general", "!reply")
    posts = await sample.wait_for(lambda: sample.bot_posts("general"))
    assert posts[0].content == "pong"
    assert [h.status for h in fake_discord.faults.hits] == [429]


async def test_roles_change_what_a_member_may_run(sample, fake_discord: FakeDiscord) -> None:
    with pytest.raises(CommandNotAvailable):
        await sample.slash("mute", {"member": "moderator"}, user="member")
    await sample.set_roles("member", "Moderator")
    record = await sample.slash("mute", {"member": "moderator"}, user="member")
    assert record.content == "muted mo"  # the bot's role sits above Moderator
    assert record.payload["member"]["roles"] == [str(fake_discord.guild().role_named("Moderator").id)]
