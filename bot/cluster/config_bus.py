"""The ``/config`` bus over Redis pub/sub (``[cluster] redis_url``): every process of the bot hears every change.

``GuildConfigService.set``/``reset`` publish the guild id on ``<prefix>:guildconfig`` after the database commit;
each process (gateways and ``modbot worker``) subscribes and reloads that guild's overrides from the database.
Pub/sub delivers only to connected subscribers, so a process reloads every guild after each (re)subscription (the
``subscribe`` confirmation: also after redis-py reconnected by itself) and every :data:`SAFETY_RELOAD_SECONDS`,
so a message lost anyway leaves it stale for at most that long.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.cluster.ports import ConfigChanged

log = logging.getLogger(__name__)

SAFETY_RELOAD_SECONDS = 60.0  # every process reloads all overrides this often, whatever it heard
RETRY_SECONDS = 1.0  # after a Redis error
POLL_SECONDS = 1.0  # longest wait for one message (also how late a close or a due safety reload can be)


def channel_of(prefix: str) -> str:
    """The pub/sub channel of a bot's ``/config`` changes."""
    return f"{prefix}:guildconfig"


class RedisConfigBus:
    """Publishes and hears ``/config`` changes on ``<prefix>:guildconfig`` (payload: the guild id)."""

    def __init__(self, client: Redis, prefix: str, *, safety_reload: float = SAFETY_RELOAD_SECONDS,
                 retry: float = RETRY_SECONDS) -> None:
        self.client = client
        self.channel = channel_of(prefix)
        self.safety_reload = safety_reload
        self.retry = retry
        self.subscriptions = 0  # how often this process (re)subscribed (tests, logs)
        self._task: asyncio.Task[None] | None = None

    async def publish(self, guild_id: int) -> None:
        try:
            await self.client.publish(self.channel, str(guild_id))
        except (RedisError, OSError) as exc:
            log.warning("could not announce the /config change of guild %s (%s); the other processes reload it "
                        "within %.0f s", guild_id, exc, self.safety_reload)

    async def start(self, on_change: ConfigChanged) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(on_change), name="modbot-config-bus")

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, on_change: ConfigChanged) -> None:
        while True:
            pubsub = self.client.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                await self._listen(pubsub, on_change)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                log.warning("/config bus: Redis is unavailable (%s); subscribing again in %.0f s", exc, self.retry)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            await asyncio.sleep(self.retry)

    async def _listen(self, pubsub: Any, on_change: ConfigChanged) -> None:
        next_reload = time.monotonic() + self.safety_reload
        while True:
            message = await pubsub.get_message(timeout=POLL_SECONDS)
            if time.monotonic() >= next_reload:
                next_reload = time.monotonic() + self.safety_reload
                await self._deliver(on_change, None)
            if message is None:
                continue
            if message.get("type") == "subscribe":  # first or after a reconnect: anything may have been missed
                self.subscriptions += 1
                next_reload = time.monotonic() + self.safety_reload
                await self._deliver(on_change, None)
            elif message.get("type") == "message":
                try:
                    guild_id = int(message["data"])
                except (TypeError, ValueError):
                    log.warning("/config bus: ignoring malformed message %r", message.get("data"))
                    continue
                await self._deliver(on_change, guild_id)

    @staticmethod
    async def _deliver(on_change: ConfigChanged, guild_id: int | None) -> None:
        try:
            await on_change(guild_id)
        except asyncio.CancelledError:
            raise
        except Exception:  # the database, most likely: the next message or safety reload tries again
            log.exception("could not reload the /config overrides of %s", "every guild" if guild_id is None
                          else f"guild {guild_id}")
