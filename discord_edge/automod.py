"""Discord AutoMod, the Discord side: an ``AutoModAction`` (one AUTO_MODERATION_ACTION_EXECUTION event) as the
core's :class:`~bot.moderation.automod.AutoModHit`, and rule names read over REST (cached).

Discord sends AutoMod events, and answers ``GET /guilds/{guild}/auto-moderation/rules/{rule}``, only to bots with
the Manage Server permission; without it there are no AutoMod cases at all, and with it a rule that cannot be read
(deleted meanwhile, an outage) only leaves its name off the card.
"""

from __future__ import annotations

import asyncio
import logging
import time

import discord
from discord.ext import commands

from bot.moderation.automod import AutoModHit
from discord_edge.snapshots import storable

log = logging.getLogger(__name__)

ACTION_NAMES: dict[discord.AutoModRuleActionType, str] = {
    discord.AutoModRuleActionType.block_message: "block",
    discord.AutoModRuleActionType.send_alert_message: "alert",
    discord.AutoModRuleActionType.timeout: "timeout",
    discord.AutoModRuleActionType.block_member_interactions: "block_interactions",
}
RETRY_FAILED_SECONDS = 300.0


def hit_of(execution: discord.AutoModAction) -> AutoModHit:
    """The event in the core's terms (text made storable; no Discord types past this point)."""
    action = execution.action
    duration = action.duration if action.type is discord.AutoModRuleActionType.timeout else None
    member = execution.member
    return AutoModHit(
        guild_id=execution.guild_id,
        rule_id=execution.rule_id,
        trigger_type=int(execution.rule_trigger_type.value),
        action=ACTION_NAMES.get(action.type, str(action.type.value)),
        user_id=execution.user_id,
        channel_id=execution.channel_id,
        message_id=execution.message_id,
        alert_message_id=execution.alert_system_message_id,
        content=storable(execution.content or ""),
        matched_keyword=storable(execution.matched_keyword) if execution.matched_keyword else None,
        matched_content=storable(execution.matched_content) if execution.matched_content else None,
        timeout_seconds=int(duration.total_seconds()) if duration is not None else None,
        author_name=storable(member.display_name) if member is not None else "",
    )


class DiscordAutoModRules:
    """The :class:`~bot.moderation.automod.AutoModRules` port over REST: one request per rule (concurrent lookups
    share it), names cached; a failed lookup is not repeated for :data:`RETRY_FAILED_SECONDS`."""

    def __init__(self, bot: commands.Bot | commands.AutoShardedBot) -> None:
        self._bot = bot
        self._names: dict[tuple[int, int], str] = {}
        self._failed: dict[tuple[int, int], float] = {}
        self._inflight: dict[tuple[int, int], asyncio.Task[str | None]] = {}

    async def rule_name(self, guild_id: int, rule_id: int) -> str | None:
        """The rule's name (None when Discord does not say: no Manage Server, unknown rule, an outage)."""
        key = (guild_id, rule_id)
        if key in self._names:
            return self._names[key]
        if time.monotonic() < self._failed.get(key, 0.0):
            return None
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.create_task(self._fetch(guild_id, rule_id), name=f"modbot-automod-rule-{rule_id}")
            self._inflight[key] = task
            task.add_done_callback(lambda _t: self._inflight.pop(key, None))
        return await asyncio.shield(task)

    async def _fetch(self, guild_id: int, rule_id: int) -> str | None:
        key = (guild_id, rule_id)
        try:
            data = await self._bot.http.get_auto_moderation_rule(guild_id, rule_id)
        except discord.HTTPException as exc:
            self._failed[key] = time.monotonic() + RETRY_FAILED_SECONDS
            hint = " (modbot needs the Manage Server permission to read AutoMod rules)" \
                if isinstance(exc, discord.Forbidden) else ""
            log.warning("could not read AutoMod rule %s of guild %s: HTTP %s%s", rule_id, guild_id, exc.status, hint)
            return None
        name = storable(str(data.get("name") or "")) or None
        if name:
            self._names[key] = name
        return name
