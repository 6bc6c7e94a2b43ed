"""Discord AutoMod in the fake: rules, the REST routes that read them, and a member tripping a rule.

What Discord does (and the fake copies) when a message trips a rule:

- BLOCK_MESSAGE: the message is never created (no MESSAGE_CREATE, no message id in any event);
- SEND_ALERT_MESSAGE: a system message (type 24, AUTO_MODERATION_ACTION) is posted in the rule's alert channel;
- TIMEOUT: the member is timed out (GUILD_MEMBER_UPDATE);
- then one AUTO_MODERATION_ACTION_EXECUTION per action, in the rule's order. ``message_id`` is there only when the
  message was posted (no block action); ``alert_system_message_id`` only on the alert action's event; ``content``
  and ``matched_content`` are blank for sessions without the message content intent.

Events go to sessions with the ``auto_moderation_execution`` intent whose bot has **Manage Server** in the guild
(Discord: "all Auto Moderation related events are only sent to bot users which have the MANAGE_GUILD
permission"); ``GET /guilds/{guild}/auto-moderation/rules[/{rule}]`` needs it too (50013 otherwise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import payloads
from .errors import ApiError
from .messaging import json_response
from .permissions import base_permissions, require_guild
from .state import FakeGuild, FakeUser, perm

if TYPE_CHECKING:
    from .server import FakeDiscord

BLOCK_MESSAGE, SEND_ALERT_MESSAGE, TIMEOUT, BLOCK_MEMBER_INTERACTION = 1, 2, 3, 4
KEYWORD, SPAM, KEYWORD_PRESET, MENTION_SPAM, MEMBER_PROFILE = 1, 3, 4, 5, 6
AUTO_MODERATION_ACTION = 24  # message type of the alert system message
MANAGE_GUILD = perm("manage_guild")


@dataclass
class FakeAutoModRule:
    id: int
    guild_id: int
    name: str
    creator_id: int
    keywords: list[str]
    actions: list[dict[str, Any]]  # {"type": 1..4, "metadata": {...}} as Discord stores them
    trigger_type: int = KEYWORD
    enabled: bool = True
    exempt_roles: list[int] = field(default_factory=list)
    exempt_channels: list[int] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id), "guild_id": str(self.guild_id), "name": self.name, "creator_id": str(self.creator_id),
            "event_type": 1, "trigger_type": self.trigger_type,
            "trigger_metadata": {"keyword_filter": list(self.keywords), "regex_patterns": [], "allow_list": []},
            "actions": self.actions, "enabled": self.enabled,
            "exempt_roles": [str(r) for r in self.exempt_roles],
            "exempt_channels": [str(c) for c in self.exempt_channels],
        }

    def match(self, content: str) -> str | None:
        """The first keyword (``*`` wildcards as on Discord) found in ``content``, or None."""
        for keyword in self.keywords:
            pattern = re.escape(keyword.strip("*"))
            if re.search(("" if keyword.startswith("*") else r"\b") + pattern
                         + ("" if keyword.endswith("*") else r"\b"), content, re.IGNORECASE):
                return keyword
        return None


def add_rule(fake: FakeDiscord, name: str, keywords: list[str], *, block: bool = True,
             alert_channel: str | int | None = None, timeout_seconds: int | None = None,
             guild: FakeGuild | None = None, trigger_type: int = KEYWORD) -> FakeAutoModRule:
    """Create a rule in ``guild`` (the first one by default) with the actions asked for, in Discord's order."""
    guild = guild or fake.guild()
    actions: list[dict[str, Any]] = []
    if block:
        actions.append({"type": BLOCK_MESSAGE, "metadata": {}})
    if alert_channel is not None:
        actions.append({"type": SEND_ALERT_MESSAGE,
                        "metadata": {"channel_id": str(fake.state.channel(alert_channel).id)}})
    if timeout_seconds is not None:
        actions.append({"type": TIMEOUT, "metadata": {"duration_seconds": timeout_seconds}})
    rule = FakeAutoModRule(fake.state.ids.next(), guild.id, name, guild.owner_id, list(keywords), actions,
                           trigger_type)
    fake.automod_rules[rule.id] = rule
    return rule


def bot_may_manage(fake: FakeDiscord, guild: FakeGuild) -> bool:
    return bool(base_permissions(guild, fake.bot_user.id) & MANAGE_GUILD)


@dataclass
class Tripped:
    """What a tripped rule did: the message id (None when blocked), the alert message id, the events sent."""

    rule: FakeAutoModRule
    message_id: int | None
    alert_message_id: int | None
    events: list[dict[str, Any]]


class AutoModActions:
    """Mixin for :class:`~fake_discord.actions.Actions`: a member's message trips an AutoMod rule."""

    fake: FakeDiscord

    async def automod_trigger(self, rule: FakeAutoModRule, content: str, *, author: str | int | FakeUser = "member",
                              channel: str | int = "general", replay: bool = False) -> Tripped:
        """Post ``content`` as ``author`` the way Discord does when it trips ``rule`` (see the module docstring).
        ``replay=True`` sends the same events again without acting again (a duplicate delivery)."""
        fake, state = self.fake, self.fake.state
        keyword = rule.match(content)
        assert keyword is not None, f"{content!r} does not trip rule {rule.name!r} ({rule.keywords})"
        where, user = state.channel(channel), state.user(author)
        guild = fake.guild(rule.guild_id)
        types = [a["type"] for a in rule.actions]
        message_id = None
        if BLOCK_MESSAGE not in types:
            message_id = await self.post_message(where, content, author=user)  # type: ignore[attr-defined]
        alert_id = None
        if SEND_ALERT_MESSAGE in types:
            alert = next(a for a in rule.actions if a["type"] == SEND_ALERT_MESSAGE)
            alert_channel = state.channels[int(alert["metadata"]["channel_id"])]
            embed = {"type": "auto_moderation_message", "description": content,
                     "fields": [{"name": "rule_name", "value": rule.name},
                                {"name": "channel_id", "value": str(where.id)},
                                {"name": "keyword", "value": keyword}]}
            posted = await fake.messages.create(alert_channel, user.id, {"content": "", "embeds": [embed]},
                                                type_=AUTO_MODERATION_ACTION, validate=False)
            alert_id = posted.id
        if TIMEOUT in types:
            seconds = next(a for a in rule.actions if a["type"] == TIMEOUT)["metadata"]["duration_seconds"]
            member = guild.members[user.id]
            member.communication_disabled_until = (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()
            await fake.gateway.dispatch("GUILD_MEMBER_UPDATE", {"guild_id": str(guild.id),
                                                                **payloads.member(state, member)}, guild_id=guild.id)
        return await self.automod_events(rule, content, keyword, user=user, channel_id=where.id,
                                         message_id=message_id, alert_id=alert_id)

    async def automod_events(self, rule: FakeAutoModRule, content: str, keyword: str, *, user: FakeUser,
                             channel_id: int | None, message_id: int | None, alert_id: int | None) -> Tripped:
        """Dispatch one AUTO_MODERATION_ACTION_EXECUTION per action of ``rule`` (also usable to replay them)."""
        fake = self.fake
        guild = fake.guild(rule.guild_id)
        events = []
        for action in rule.actions:
            data: dict[str, Any] = {
                "guild_id": str(guild.id), "action": action, "rule_id": str(rule.id),
                "rule_trigger_type": rule.trigger_type, "user_id": str(user.id), "content": content,
                "matched_keyword": keyword, "matched_content": _matched(content, keyword),
            }
            if channel_id is not None:
                data["channel_id"] = str(channel_id)
            if message_id is not None:
                data["message_id"] = str(message_id)
            if action["type"] == SEND_ALERT_MESSAGE and alert_id is not None:
                data["alert_system_message_id"] = str(alert_id)
            events.append(data)
            if bot_may_manage(fake, guild):
                await fake.gateway.dispatch("AUTO_MODERATION_ACTION_EXECUTION", guild_id=guild.id,
                                            message_payload=lambda hide, d=data: _hidden(d) if hide else d)
        return Tripped(rule, message_id, alert_id, events)


def _matched(content: str, keyword: str) -> str | None:
    found = re.search(re.escape(keyword.strip("*")), content, re.IGNORECASE)
    return found.group(0) if found else None


def _hidden(data: dict[str, Any]) -> dict[str, Any]:
    """The event as a session without the message content intent gets it."""
    return {**data, "content": "", "matched_content": ""}


class AutoModRoutes:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    def _guild(self, request: web.Request) -> FakeGuild:
        guild = self.fake.state.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        require_guild(guild, self.fake.bot_user.id, "manage_guild")
        return guild

    async def get_rule(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        rule = self.fake.automod_rules.get(int(request.match_info["rule_id"]))
        if rule is None or rule.guild_id != guild.id:
            raise ApiError(404, 10069, "Unknown Auto Moderation Rule")  # code not checked against Discord
        return json_response(rule.payload())

    async def list_rules(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        return json_response([r.payload() for r in self.fake.automod_rules.values() if r.guild_id == guild.id])


def register(router: web.UrlDispatcher, fake: FakeDiscord, prefix: str) -> None:
    r = AutoModRoutes(fake)
    router.add_get(f"{prefix}/guilds/{{guild_id}}/auto-moderation/rules", r.list_rules)
    router.add_get(f"{prefix}/guilds/{{guild_id}}/auto-moderation/rules/{{rule_id}}", r.get_rule)

