"""Self-tests of the fake's failure modelling: handler crashes, ack deadlines, double acks, 429 buckets, limits,
modals with labels, member attachments, threads and the subprocess mode."""

from __future__ import annotations

import asyncio

import discord
import pytest
from discord.ext import commands
from fake_discord import BotHarness, Callback, FakeDiscord


class EdgeBot(commands.Bot):
    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(command_prefix="!", intents=intents)
        self.read: list[bytes] = []

    async def setup_hook(self) -> None:
        tree = self.tree

        @tree.command(description="answer too late")
        async def late(interaction: discord.Interaction) -> None:
            await asyncio.sleep(0.2)
            await interaction.response.send_message("late")

        @tree.command(description="answer twice")
        async def twice(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("one")
            try:  # a second response object bypasses discord.py's own InteractionResponded guard
                await discord.InteractionResponse(interaction).send_message("two")
            except discord.HTTPException as exc:
                self.read.append(str(exc.code).encode())

        @tree.command(description="huge embed")
        async def huge(interaction: discord.Interaction) -> None:
            embed = discord.Embed(description="d" * 4000)
            for i in range(3):
                embed.add_field(name=f"f{i}", value="v" * 1000)
            await interaction.response.send_message(embed=embed)

        @tree.command(description="a modal with labels")
        async def form(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(LabelModal())

        @tree.command(description="burst of posts")
        async def burst(interaction: discord.Interaction, count: int) -> None:
            await interaction.response.defer(thinking=True)
            assert isinstance(interaction.channel, discord.TextChannel)
            for i in range(count):
                await interaction.channel.send(f"post {i}")
            await interaction.followup.send("burst done")

        @tree.command(description="private thread")
        async def private(interaction: discord.Interaction) -> None:
            assert isinstance(interaction.channel, discord.TextChannel)
            thread = await interaction.channel.create_thread(name="private room")
            await thread.send("inside")
            await interaction.response.send_message(f"thread {thread.id}", ephemeral=True)

        await tree.sync()

    async def on_message(self, message: discord.Message) -> None:
        if message.content == "boom":
            raise RuntimeError("handler exploded")
        for attachment in message.attachments:
            self.read.append(await attachment.read())


class LabelModal(discord.ui.Modal, title="Form"):
    def __init__(self) -> None:
        super().__init__()
        self.name_input = discord.ui.TextInput(custom_id="name")
        self.kind = discord.ui.Select(custom_id="kind", options=[discord.SelectOption(label=x) for x in ("a", "b")])
        self.add_item(discord.ui.Label(text="Your name", component=self.name_input))
        self.add_item(discord.ui.Label(text="Kind", component=self.kind))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"{self.name_input.value}/{self.kind.values[0]}", ephemeral=True)


@pytest.fixture
async def edge(make_client) -> BotHarness:
    return await make_client(EdgeBot)


async def test_handler_exception_fails_fast(edge: BotHarness, fake_discord: FakeDiscord) -> None:
    await edge.post_message("general", "boom")
    with pytest.raises(AssertionError, match="handler exploded"):
        await edge.wait_for(lambda: False, timeout=2)
    fake_discord.allow_errors()


async def test_late_ack_is_10062(edge: BotHarness, fake_discord: FakeDiscord) -> None:
    fake_discord.config.ack_deadline = 0.05
    with pytest.raises(AssertionError, match="10062"):
        await edge.slash("late")
    fake_discord.allow_errors()


async def test_double_ack_is_40060(edge: BotHarness, fake_discord: FakeDiscord) -> None:
    fake_discord.allow_errors()
    record = await edge.slash("twice")
    assert record.content == "one"
    await edge.wait_for(lambda: edge.bot.read, message="the second ack to be refused")
    assert edge.bot.read == [b"40060"] and "40060" in fake_discord.protocol_errors[0]


async def test_embed_total_over_6000(edge: BotHarness, fake_discord: FakeDiscord) -> None:
    with pytest.raises(AssertionError, match="6000"):
        await edge.slash("huge")
    fake_discord.allow_errors()


async def test_modal_with_labels_and_select(edge: BotHarness) -> None:
    opened = await edge.slash("form")
    submitted = await edge.submit_modal(opened, {"Your name": "Ada", "kind": ["b"]})
    assert submitted.content == "Ada/b"


@pytest.mark.parametrize("advertise", [True, False])
async def test_rate_limit_bucket_and_burst(edge: BotHarness, fake_discord: FakeDiscord, advertise: bool) -> None:
    fake_discord.faults.rate_limit("POST /channels/{channel_id}/messages", limit=3, per=0.1, advertise=advertise)
    record = await edge.slash("burst", {"count": 7})
    await edge.wait_for(lambda: record.content == "burst done", timeout=5)
    assert [m.content for m in edge.bot_posts("general") if m.content.startswith("post")] == \
        [f"post {i}" for i in range(7)]
    # with headers discord.py waits for the bucket to reset; without, it learns from 429s and retries
    assert bool(fake_discord.faults.hits) is not advertise


async def test_member_attachment_is_readable(edge: BotHarness) -> None:
    await edge.post_message("general", "see file", files=[("note.txt", b"attached bytes")])
    await edge.wait_for(lambda: edge.bot.read)
    assert edge.bot.read == [b"attached bytes"]


async def test_private_thread(edge: BotHarness, fake_discord: FakeDiscord) -> None:
    record = await edge.slash("private")
    thread_id = int(record.content.split()[1])
    thread = fake_discord.state.channels[thread_id]
    assert thread.type == 12 and edge.bot_posts(thread_id)[0].content == "inside"


async def test_callback_types_recorded(edge: BotHarness) -> None:
    record = await edge.slash("burst", {"count": 1})
    assert record.callback_type == Callback.DEFERRED_MESSAGE and not record.ephemeral
    await edge.wait_for(lambda: record.content == "burst done")
    assert [r.kind for r in record.responses] == ["callback", "followup"]


async def test_subprocess_mode_with_sample_bot(spawn_bot, fake_discord: FakeDiscord) -> None:
    process = await spawn_bot(module="fake_discord.sample_bot", args=())
    record = await process.slash("ping")
    assert record.content == "pong"
    await process.restart(crash=True)
    assert len(fake_discord.gateway.sessions) == 2
    assert (await process.slash("ping")).content == "pong"
    await process.kill()
