"""Self-tests of the fake's AutoMod growth, read through discord.py itself: the events' shape, who gets them
(intent, Manage Server, content intent), the rule routes; allowed_mentions as Discord applies them; user context
menus."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands
from fake_discord import FakeDiscord
from fake_discord.automod import BLOCK_MESSAGE, SEND_ALERT_MESSAGE, TIMEOUT, add_rule
from fake_discord.state import perm
from fake_discord.world import BOT_PERMISSIONS


class AutoModClient(discord.Client):
    """Records every AutoModAction it receives; reads rules on request."""

    def __init__(self, *, content: bool = True, automod: bool = True) -> None:
        intents = discord.Intents.none()
        intents.guilds = intents.guild_messages = True
        intents.message_content = content
        intents.auto_moderation_execution = automod
        super().__init__(intents=intents)
        self.executions: list[discord.AutoModAction] = []

    async def on_automod_action(self, execution: discord.AutoModAction) -> None:
        self.executions.append(execution)


async def manage(fake: FakeDiscord) -> None:
    await fake.set_bot_permissions(value=BOT_PERMISSIONS | perm("manage_guild"))


async def test_block_alert_timeout_events_as_discord_sends_them(make_client, fake_discord: FakeDiscord) -> None:
    await manage(fake_discord)
    h = await make_client(AutoModClient)
    rule = add_rule(fake_discord, "No slurs", ["bad*"], alert_channel="mod-log", timeout_seconds=300)
    tripped = await h.automod_trigger(rule, "so badly done")
    got = await h.wait_for(lambda: len(h.bot.executions) == 3 and h.bot.executions, message="three events")
    assert [e.action.type.value for e in got] == [BLOCK_MESSAGE, SEND_ALERT_MESSAGE, TIMEOUT]
    assert all(e.message_id is None and e.rule_id == rule.id and e.matched_keyword == "bad*" for e in got)
    assert [e.alert_system_message_id for e in got] == [None, tripped.alert_message_id, None]
    assert got[0].content == "so badly done" and got[0].matched_content == "bad"
    assert got[2].action.duration is not None and got[2].action.duration.total_seconds() == 300
    alert = fake_discord.state.messages[tripped.alert_message_id]
    assert alert.type == 24 and alert.embeds[0]["type"] == "auto_moderation_message"
    member = fake_discord.guild().members[fake_discord.state.user("member").id]
    assert member.timed_out()
    fetched = await h.bot.get_guild(fake_discord.guild().id).fetch_automod_rule(rule.id)
    assert fetched.name == "No slurs"


async def test_flag_only_rule_posts_the_message(make_client, fake_discord: FakeDiscord) -> None:
    await manage(fake_discord)
    h = await make_client(AutoModClient)
    rule = add_rule(fake_discord, "Watch", ["watchword"], block=False, alert_channel="mod-log")
    tripped = await h.automod_trigger(rule, "a watchword here")
    got = await h.wait_for(lambda: h.bot.executions, message="the alert event")
    assert got[0].message_id == tripped.message_id and tripped.message_id in fake_discord.state.messages


async def test_no_content_intent_blanks_text(make_client, fake_discord: FakeDiscord) -> None:
    await manage(fake_discord)
    h = await make_client(lambda: AutoModClient(content=False))
    rule = add_rule(fake_discord, "No slurs", ["badslur"])
    await h.automod_trigger(rule, "badslur")
    got = await h.wait_for(lambda: h.bot.executions, message="the block event")
    assert got[0].content == "" and not got[0].matched_content and got[0].matched_keyword == "badslur"


@pytest.mark.parametrize("manage_server, intent", [(False, True), (True, False)])
async def test_no_events_without_manage_server_or_intent(make_client, fake_discord: FakeDiscord,
                                                         manage_server: bool, intent: bool) -> None:
    if manage_server:
        await manage(fake_discord)
    h = await make_client(lambda: AutoModClient(automod=intent))
    rule = add_rule(fake_discord, "No slurs", ["badslur"])
    await h.automod_trigger(rule, "badslur")
    await h.quiet(0.1)
    assert h.bot.executions == []


async def test_rule_routes_need_manage_server(make_client, fake_discord: FakeDiscord) -> None:
    h = await make_client(AutoModClient)
    rule = add_rule(fake_discord, "No slurs", ["badslur"])
    guild = h.bot.get_guild(fake_discord.guild().id)
    with pytest.raises(discord.Forbidden):
        await guild.fetch_automod_rule(rule.id)
    await manage(fake_discord)
    with pytest.raises(discord.NotFound):
        await guild.fetch_automod_rule(12345)
    assert [r.name for r in await guild.fetch_automod_rules()] == ["No slurs"]


async def test_allowed_mentions_decide_who_is_notified(make_client, fake_discord: FakeDiscord) -> None:
    h = await make_client(AutoModClient)
    role = fake_discord.guild().role_named("Moderator")
    channel = h.bot.get_channel(fake_discord.state.channel("general").id)
    text = f"<@&{role.id}> @everyone"
    default = await channel.send(text)
    none = await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
    only = await channel.send(text, allowed_mentions=discord.AllowedMentions(everyone=False, roles=[role]))
    found = {m.id: m for m in h.bot_posts("general")}
    assert found[default.id].notified_roles == {role.id} and found[default.id].notifies_everyone
    assert found[none.id].notified_roles == set() and not found[none.id].notifies_everyone
    assert found[only.id].notified_roles == {role.id} and not found[only.id].notifies_everyone
    with pytest.raises(discord.HTTPException):
        await h.bot.http.send_message(channel.id, params=_parse_and_ids(role.id))
    fake_discord.allow_errors()  # the refused request is the point


def _parse_and_ids(role_id: int) -> Any:
    """A request Discord refuses: parse "roles" and a roles list at once (discord.py never builds one)."""
    from discord.http import MultipartParameters

    return MultipartParameters(payload={"content": "x", "allowed_mentions": {"parse": ["roles"],
                                                                             "roles": [str(role_id)]}},
                               multipart=None, files=None)


async def test_user_context_menu(make_client, fake_discord: FakeDiscord) -> None:
    class MenuClient(discord.Client):
        def __init__(self) -> None:
            super().__init__(intents=discord.Intents.default())
            self.tree = app_commands.CommandTree(self)

            @self.tree.context_menu(name="Who")
            async def who(interaction: discord.Interaction, user: discord.Member) -> None:
                await interaction.response.send_message(f"{user.name} has {len(user.roles)} roles", ephemeral=True)

        async def setup_hook(self) -> None:
            await self.tree.sync()

    h = await make_client(MenuClient)
    record = await h.context_menu("Who", "moderator", user="member")
    assert record.ephemeral and record.content == "mo has 2 roles"  # @everyone + Moderator
