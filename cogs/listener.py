"""Moderation listener: scores member messages in watched places, re-scores edits, notes deletions, catches up;
turns Discord AutoMod action executions into cases.

Every flagged message becomes a case (stored first, then its card is queued). At each new gateway session the
listener pins every stored channel cursor (``on_connect``, before any event of the session), then reads channel
history after it, one channel after another, so messages sent while the bot was down are scored; and it reads
back recent open cases so edits and deletions made meanwhile are applied (see ``bot/moderation/catchup.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import discord
from discord.ext import commands

from bot.app import ModBot
from bot.moderation.automod import AutoModIntake
from bot.moderation.intake import Intake
from bot.moderation.models import MessageSnapshot
from bot.moderation.tasks import finish
from bot.timestamps import utcnow
from discord_edge.automod import hit_of
from discord_edge.snapshots import snapshot

log = logging.getLogger(__name__)


class ModerationListener(commands.Cog):
    """Feeds Discord message events to moderation intake."""

    def __init__(self, bot: ModBot, intake: Intake, automod: AutoModIntake) -> None:
        self.bot = bot
        self.intake = intake
        self.automod = automod
        self._catch_up_task: asyncio.Task[None] | None = None
        self._catch_up_again = False

    async def cog_unload(self) -> None:
        """Stop catching up (between batches, never mid-query)."""
        task, self._catch_up_task = self._catch_up_task, None
        self.intake.stopping.set()
        await finish(task)

    @property
    def _enabled(self) -> bool:
        return self.intake.enabled

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Score a new message."""
        if not self._enabled or message.author.bot:
            return
        snap = snapshot(message)
        if snap is not None:
            await self.intake.handle_message(snap)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """Re-score an edited message (embed-only updates carry no content and are skipped)."""
        if not self._enabled or payload.guild_id is None or "content" not in payload.data:
            return
        if payload.message.author.bot:
            return
        snap = snapshot(payload.message, guild_id=payload.guild_id)
        if snap is not None:
            await self.intake.handle_edit(snap)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """Mark the case of a deleted message."""
        if payload.guild_id is not None:
            await self.intake.handle_delete(payload.message_id)

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        """Mark the cases of bulk-deleted messages."""
        if payload.guild_id is not None:
            for message_id in sorted(payload.message_ids):
                await self.intake.handle_delete(message_id)

    @commands.Cog.listener()
    async def on_automod_action(self, execution: discord.AutoModAction) -> None:
        """Discord AutoMod blocked, flagged or timed out someone: one case per message (the events of one
        message's actions join it; see ``bot/moderation/automod.py``)."""
        if self._enabled:
            await self.automod.handle(hit_of(execution))

    @commands.Cog.listener()
    async def on_connect(self) -> None:
        """A new gateway session (READY): hold every stored cursor until its channel is caught up again.

        Synchronous on purpose: it runs before any message event of the session is handled."""
        if self._enabled:
            self.intake.pin_pending()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Catch up on messages missed while the bot was down (once per new gateway session)."""
        if not self._enabled:
            return
        if self._catch_up_task is not None and not self._catch_up_task.done():
            self._catch_up_again = True  # a session began during catch-up: read every channel once more
            return
        self._catch_up_task = asyncio.create_task(self._catch_up(), name="modbot-catch-up")

    async def _seed_cursors(self, intake: Intake) -> None:
        """Give every watched channel without a cursor one at its newest message, so later gaps can be read."""
        known = await intake.stored_cursors()
        now_id = discord.utils.time_snowflake(utcnow())
        seeds: list[tuple[int, int, int]] = []
        for guild in self.bot.guilds:
            rules = intake.rules_for(guild.id)  # the guild's own (/config) watch list
            channels: list[discord.TextChannel | discord.Thread] = [*guild.text_channels, *guild.threads]
            for channel in channels:
                if channel.id in known:
                    continue
                if guild.me is not None and not channel.permissions_for(guild.me).read_message_history:
                    continue
                parent_id = channel.parent_id if isinstance(channel, discord.Thread) else None
                if rules.place_watched(channel.id, parent_id=parent_id, category_id=channel.category_id):
                    seeds.append((channel.id, guild.id, channel.last_message_id or now_id))
        await intake.seed_cursors(seeds)

    async def _catch_up(self) -> None:
        intake = self.intake
        self._catch_up_again = True
        while self._catch_up_again and not intake.stopping.is_set:
            self._catch_up_again = False
            try:
                await self._catch_up_once(intake)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("catching up from channel history failed")

    async def _catch_up_once(self, intake: Intake) -> None:
        if intake.catch_up_limit <= 0:
            intake.release_pins()
            return
        cursors = await intake.stored_cursors()
        await self._seed_cursors(intake)  # channels seen for the first time: read from here next time
        total = failed = 0
        for channel_id, (guild_id, _last) in sorted(cursors.items()):
            if intake.stopping.is_set:
                break
            try:  # one channel's failure must not end catch-up for the others
                total += await self._catch_up_channel(intake, channel_id, guild_id)
            except Exception as exc:
                failed += 1
                log.warning("could not catch up on channel %s (%s); its cursor stays where catch-up got to",
                            channel_id, type(exc).__name__, exc_info=not isinstance(exc, discord.HTTPException))
        if total:
            log.info("caught up on %d messages sent while the bot was away", total)
        if failed:
            log.warning("catch-up failed in %d of %d channels; they are read again at the next session", failed,
                        len(cursors))

    async def _catch_up_channel(self, intake: Intake, channel_id: int, guild_id: int) -> int:
        channel = self.bot.get_channel(channel_id)
        if channel is None or not isinstance(channel, discord.abc.Messageable):
            return 0  # deleted, archived or no longer visible: its cursor stays pinned (nothing live moves it)
        limit = intake.catch_up_limit

        async def history(after_id: int) -> AsyncIterator[MessageSnapshot]:
            read = 0
            async for message in channel.history(after=discord.Object(after_id), limit=limit, oldest_first=True):
                read += 1
                if message.author.bot:
                    continue
                snap = snapshot(message, guild_id=guild_id)
                if snap is not None:
                    yield snap
            if read >= limit:
                log.warning("catch-up read the limit of %d messages in channel %s; older missed messages beyond it "
                            "are not scored (moderation.catch_up_limit)", limit, channel_id)

        async def fetch(message_id: int) -> MessageSnapshot | None:
            try:
                message = await channel.fetch_message(message_id)
            except discord.NotFound:  # 10008 Unknown Message: deleted while the bot was away
                return None
            return snapshot(message, guild_id=guild_id)

        seen = await intake.catch_up(channel_id, guild_id, history)
        recheck = await intake.recheck(channel_id, fetch)
        if recheck.edited or recheck.deleted:
            log.info("channel %s: %d cases edited and %d messages deleted while the bot was away", channel_id,
                     recheck.edited, recheck.deleted)
        return seen


async def setup(bot: ModBot) -> None:
    """Load the moderation listener."""
    await bot.add_cog(ModerationListener(bot, bot.moderation.intake, bot.moderation.automod))
