"""One :class:`ModerationService` per running bot, shared by the moderation cogs (created by the first to load).

The scorer comes from ``moderation.scorer``: ``"keyword-test"`` builds the TEST/DEMO keyword scorer; otherwise
``services.extras["moderation_scorer"]`` (tests inject a deterministic double here) or ``services.analyzer``
(the real analyzer, wired in ``bot/services.py``) is used. Either must provide ``async analyze(texts)``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from discord.ext import commands

from bot.moderation.scoring import KEYWORD_TEST_SCORER, KeywordTestScorer, MessageScorer
from bot.moderation.service import ModerationService
from bot.moderation.tasks import finish

log = logging.getLogger(__name__)

SERVICE_KEY = "moderation"
SCORER_KEY = "moderation_scorer"


@dataclass
class _Holder:
    service: ModerationService
    users: set[str] = field(default_factory=set)
    ready_task: asyncio.Task[None] | None = None


def _extras(bot: commands.Bot) -> dict[str, Any]:
    services = getattr(bot, "services", None)
    if services is None:
        raise RuntimeError("bot.services is not built yet")
    return services.extras


def build_scorer(bot: commands.Bot) -> MessageScorer | None:
    """The scorer the settings ask for (None: nothing can score; cases then only come from reports)."""
    config = bot.settings.moderation  # type: ignore[attr-defined]
    if config.scorer == KEYWORD_TEST_SCORER:
        log.warning("moderation uses the keyword-test scorer (test/demo only): %s", config.keyword_test_words)
        return KeywordTestScorer(config.keyword_test_words)
    extras = _extras(bot)
    candidate = extras.get(SCORER_KEY) or getattr(bot.services, "analyzer", None)  # type: ignore[attr-defined]
    if candidate is not None and callable(getattr(candidate, "analyze", None)):
        return candidate
    log.warning("no analyzer with analyze(texts) is available: the listener cannot score messages")
    return None


def moderation_service(bot: commands.Bot) -> ModerationService | None:
    """The running service, or None when no moderation cog is loaded."""
    holder = _extras(bot).get(SERVICE_KEY) if getattr(bot, "services", None) is not None else None
    return holder.service if isinstance(holder, _Holder) else None


async def acquire_service(bot: commands.Bot, user: str) -> ModerationService:
    """Get (building and starting on first use) the shared service; ``user`` names the cog holding it."""
    extras = _extras(bot)
    holder = extras.get(SERVICE_KEY)
    if not isinstance(holder, _Holder):
        from cogs.views.executor import DiscordActionExecutor
        from cogs.views.publisher import DiscordCardPublisher

        config = bot.settings.moderation  # type: ignore[attr-defined]
        service = ModerationService(
            bot.db,  # type: ignore[attr-defined]
            config,
            build_scorer(bot),
            publisher=DiscordCardPublisher(bot, config),
            executor=DiscordActionExecutor(bot),
            guild_config=getattr(bot.services, "guild_config", None),  # type: ignore[attr-defined]
        )
        await service.start()
        holder = _Holder(service)
        holder.ready_task = asyncio.create_task(_reconcile_when_ready(bot, service), name="modbot-reconcile")
        extras[SERVICE_KEY] = holder
        if config.mod_channel_id is None:
            log.warning("moderation.mod_channel_id is not set: cases are stored and listed by /queue, no cards")
    holder.users.add(user)
    return holder.service


async def _reconcile_when_ready(bot: commands.Bot, service: ModerationService) -> None:
    await bot.wait_until_ready()
    try:
        await service.reconcile()
    except Exception:
        log.exception("card reconciliation failed; opening the card queue anyway")
        if service.card_queue is not None:
            service.card_queue.open_gate()


async def release_service(bot: commands.Bot, user: str) -> None:
    """Drop ``user``'s hold; the last one stops the service."""
    extras = _extras(bot)
    holder = extras.get(SERVICE_KEY)
    if not isinstance(holder, _Holder):
        return
    holder.users.discard(user)
    if holder.users:
        return
    extras.pop(SERVICE_KEY, None)
    holder.service.stopping.set()
    task = holder.ready_task
    if task is not None and not task.done() and not bot.is_ready():
        task.cancel()  # still waiting for READY: no database call in flight
    await finish(task)
    await holder.service.stop()
