"""The ``commands.Bot`` subclass: wires settings, storage and services, loads cogs, syncs app commands."""

from __future__ import annotations

import asyncio
import logging
import time

import discord
from discord.ext import commands

from bot.command_tree import ModTree
from bot.guildconf import ensure_guild_config
from bot.heartbeat import Heartbeat
from bot.services import Services, build_services
from bot.settings import Settings
from bot.storage import Database
from bot.storage.meta import MetaRepository

log = logging.getLogger(__name__)


def build_intents(settings: Settings) -> discord.Intents:
    """Only what modbot needs: guilds, guild messages + message content (to score replies), members optional."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = True
    intents.members = settings.discord.members_intent
    return intents


class ModBot(commands.Bot):
    """modbot's Discord client. Construct with settings; everything else is built in :meth:`setup_hook`."""

    def __init__(self, settings: Settings, *, services: Services | None = None) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=build_intents(settings),
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=ModTree,  # declared option limits checked server-side; one error handler for every command
        )
        self._connection.guild_ready_timeout = settings.discord.guild_ready_timeout
        self.settings = settings
        self.started_at = time.monotonic()
        self._preset_services = services
        self.services: Services | None = None
        self.db: Database | None = None
        self.synced_commands: list[str] = []
        self._shutdown: asyncio.Future[None] | None = None
        self.heartbeat: Heartbeat | None = None

    async def setup_hook(self) -> None:
        """Open storage, build services, load cogs and sync application commands."""
        if self._preset_services is not None:
            self.services = self._preset_services
            self.db = self.services.db
        else:
            self.db = await Database.open(
                self.settings.storage.path, busy_timeout_ms=self.settings.storage.busy_timeout_ms
            )
            self.services = await build_services(self.settings, self.db)
        meta = MetaRepository(self.db)
        if await meta.get("first_started_at") is None:
            await meta.set("first_started_at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        self.heartbeat = Heartbeat(self.db)
        self.heartbeat.start()  # read by `modbot healthcheck`
        await ensure_guild_config(self.services).load()  # per-guild /config overrides, before cogs use them
        for extension in self.settings.discord.cogs:
            await self.load_extension(extension)
            log.info("loaded %s", extension)
        if self.settings.discord.sync_commands:
            await self.sync_commands()

    async def sync_commands(self) -> list[str]:
        """Sync app commands to the dev guild when configured (instant), globally otherwise."""
        guild_id = self.settings.discord.dev_guild_id
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        self.synced_commands = sorted(cmd.name for cmd in synced)
        log.info("synced %d app commands (%s)", len(synced), f"guild {guild_id}" if guild_id else "global")
        return self.synced_commands

    async def close(self) -> None:
        """Close the gateway, then services and the database (idempotent: concurrent calls share one close)."""
        if self._shutdown is None:
            self._shutdown = asyncio.ensure_future(self._close_once())
        await asyncio.shield(self._shutdown)

    async def _close_once(self) -> None:
        await super().close()
        if self.heartbeat is not None:
            await self.heartbeat.stop()
            self.heartbeat = None
        if self.services is not None and self._preset_services is None:
            await self.services.close()
        if self.db is not None and self._preset_services is None:
            await self.db.close()
            self.db = None

    @property
    def uptime_seconds(self) -> float:
        """Seconds since this client object was created."""
        return time.monotonic() - self.started_at
