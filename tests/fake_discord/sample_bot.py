"""A small discord.py bot touching every feature of the fake; the fake's self-tests drive it.

Run as ``python -m fake_discord.sample_bot`` (token from ``MODBOT_DISCORD__TOKEN``) for the subprocess self-test.
"""

from __future__ import annotations

import asyncio
import io
import os
from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands


class Panel(discord.ui.View):
    """Persistent review buttons plus a select."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Approve", style=discord.ButtonStyle.success, custom_id="panel:approve")
    async def approve(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content=f"approved by {interaction.user.name}", view=None)

    @discord.ui.button(label="Reject", style=discord.ButtonStyle.danger, custom_id="panel:reject")
    async def reject(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_modal(ReasonModal())

    @discord.ui.select(custom_id="panel:label", placeholder="Label",
                       options=[discord.SelectOption(label=x, value=x) for x in ("spam", "abuse", "ok")])
    async def label(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.send_message(f"labelled {select.values[0]}", ephemeral=True)


class ReasonModal(discord.ui.Modal, title="Reject"):
    reason = discord.ui.TextInput(label="Reason", custom_id="reason", max_length=200)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"rejected: {self.reason.value}", ephemeral=True)


class SampleBot(commands.Bot):
    def __init__(self, *, message_content: bool = True, members: bool = False,
                 sync_guild: int | None = None) -> None:
        intents = discord.Intents.default()
        intents.message_content = message_content
        intents.members = members
        super().__init__(command_prefix="!", intents=intents)
        self.sync_guild = sync_guild
        self.seen: list[discord.Message] = []
        self.edited: list[discord.RawMessageUpdateEvent] = []
        self.deleted: list[int] = []
        self.resumed = 0

    async def setup_hook(self) -> None:
        self.add_view(Panel())
        register(self.tree)
        guild = discord.Object(self.sync_guild) if self.sync_guild else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)

    async def on_message(self, message: discord.Message) -> None:
        self.seen.append(message)
        if message.content == "!reply" and message.author != self.user:
            await message.reply("pong")

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        self.edited.append(payload)

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        self.deleted.append(payload.message_id)

    async def on_resumed(self) -> None:
        self.resumed += 1


def register(tree: app_commands.CommandTree) -> None:
    """The sample's slash commands, groups, autocomplete and context menu."""

    @tree.command(description="Ephemeral pong")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong", ephemeral=True)

    @tree.command(description="Echo text")
    async def echo(interaction: discord.Interaction, text: str, times: app_commands.Range[int, 1, 3] = 1) -> None:
        await interaction.response.send_message(" ".join([text] * times))

    @tree.command(description="Post the review panel in a channel")
    async def panel(interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        await channel.send("review item", view=Panel())
        await interaction.response.send_message("posted", ephemeral=True)

    @tree.command(description="Defer then follow up")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        await asyncio.sleep(0.01)
        await interaction.followup.send("done")
        await interaction.followup.send("extra", ephemeral=True)

    @tree.command(description="Time a member out")
    @app_commands.default_permissions(moderate_members=True)
    async def mute(interaction: discord.Interaction, member: discord.Member, minutes: int = 5) -> None:
        try:
            await member.timeout(timedelta(minutes=minutes), reason="test")
        except discord.Forbidden as exc:
            await interaction.response.send_message(f"forbidden {exc.code}", ephemeral=True)
            return
        await interaction.response.send_message(f"muted {member.name}", ephemeral=True)

    @tree.command(description="DM a user")
    async def dm(interaction: discord.Interaction, user: discord.User) -> None:
        try:
            await user.send("hello from the bot")
        except discord.Forbidden as exc:
            await interaction.response.send_message(f"cannot dm {exc.code}", ephemeral=True)
            return
        await interaction.response.send_message("sent", ephemeral=True)

    @tree.command(description="Upload a file")
    async def upload(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("file", file=discord.File(io.BytesIO(b"hello"), "hello.txt"))

    @tree.command(description="Too long content")
    async def toolong(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("x" * 2001)

    @tree.command(description="Look something up")
    async def lookup(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"found {name}", ephemeral=True)

    @lookup.autocomplete("name")
    async def lookup_name(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        words = [f"{current}{i}" for i in range(40)]
        limit = 30 if current == "many" else 25
        return [app_commands.Choice(name=w, value=w) for w in words[:limit]]

    review = app_commands.Group(name="review", description="Review queue")

    @review.command(name="show", description="Show an item")
    @app_commands.choices(status=[app_commands.Choice(name="Open", value="open"),
                                  app_commands.Choice(name="Closed", value="closed")])
    async def review_show(interaction: discord.Interaction, item: int,
                          status: app_commands.Choice[str] | None = None) -> None:
        label = status.value if status else "any"
        await interaction.response.send_message(f"item {item} {label}", ephemeral=True)

    tree.add_command(review)

    @tree.context_menu(name="Report message")
    async def report(interaction: discord.Interaction, message: discord.Message) -> None:
        thread = await message.create_thread(name=f"report {message.id}")
        await thread.send(f"reported: {message.content}")
        await interaction.response.send_message(f"reported {message.author.name}", ephemeral=True)

    @tree.command(description="Messages after an id")
    async def since(interaction: discord.Interaction, after: str) -> None:
        assert isinstance(interaction.channel, discord.TextChannel)
        found = [m.content async for m in interaction.channel.history(after=discord.Object(int(after)), limit=None)]
        await interaction.response.send_message("|".join(found), ephemeral=True)


if __name__ == "__main__":
    SampleBot().run(os.environ["MODBOT_DISCORD__TOKEN"], log_handler=None)
