"""JSON payloads of the fake's objects, shaped the way discord.py 2.7 parses Discord's API."""

from __future__ import annotations

import re
from typing import Any

from .permissions import channel_permissions
from .state import (
    FakeAttachment,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakeRole,
    FakeUser,
    WorldState,
    iso,
)

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")


def user(u: FakeUser) -> dict[str, Any]:
    return {
        "id": str(u.id), "username": u.username, "discriminator": "0", "global_name": u.global_name,
        "avatar": None, "bot": u.bot, "system": False, "public_flags": 0,
    }


def member(state: WorldState, m: FakeMember, *, with_user: bool = True,
           channel: FakeChannel | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "roles": [str(r) for r in m.roles], "nick": m.nick, "joined_at": m.joined_at, "deaf": False,
        "mute": False, "flags": 0, "pending": False, "avatar": None, "premium_since": None,
        "communication_disabled_until": m.communication_disabled_until,
    }
    if with_user:
        data["user"] = user(state.users[m.user_id])
    if channel is not None:
        data["permissions"] = str(channel_permissions(state, channel, m.user_id))
    return data


def role(r: FakeRole) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(r.id), "name": r.name, "permissions": str(r.permissions), "position": r.position,
        "color": r.color, "colors": {"primary_color": r.color}, "hoist": False, "managed": r.managed,
        "mentionable": False, "icon": None, "unicode_emoji": None, "flags": 0,
    }
    if r.bot_id is not None:
        data["tags"] = {"bot_id": str(r.bot_id)}
    return data


def channel(state: WorldState, c: FakeChannel) -> dict[str, Any]:
    data: dict[str, Any] = {"id": str(c.id), "type": c.type, "last_message_id": None, "flags": 0}
    if c.type == 1:
        data["recipients"] = [user(state.users[c.recipient_id])] if c.recipient_id else []
        return data
    data.update({
        "guild_id": str(c.guild_id), "name": c.name, "position": c.position, "nsfw": False,
        "parent_id": str(c.parent_id) if c.parent_id else None, "rate_limit_per_user": 0,
    })
    if c.is_thread:
        data.update({
            "owner_id": str(c.owner_id), "message_count": c.message_count, "member_count": len(c.thread_members),
            "total_message_sent": c.message_count,
            "thread_metadata": {
                "archived": c.archived, "locked": c.locked, "auto_archive_duration": c.auto_archive_duration,
                "archive_timestamp": iso(), "invitable": True,
            },
        })
    else:
        data.update({
            "topic": c.topic, "default_auto_archive_duration": 1440,
            "permission_overwrites": [
                {"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)} for o in c.overwrites
            ],
        })
    return data


def guild(state: WorldState, g: FakeGuild, *, include_members: bool, bot_id: int) -> dict[str, Any]:
    """A full GUILD_CREATE payload. Without the members intent only the bot's own member is included."""
    members = [m for uid, m in g.members.items() if include_members or uid == bot_id]
    chans = [state.channels[c] for c in g.channels]
    return {
        "id": str(g.id), "name": g.name, "owner_id": str(g.owner_id), "icon": None, "splash": None,
        "discovery_splash": None, "banner": None, "description": None, "features": [], "unavailable": False,
        "large": False, "member_count": len(g.members), "joined_at": iso(), "verification_level": 0,
        "default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0,
        "premium_tier": 0, "preferred_locale": "en-US", "system_channel_id": None, "afk_timeout": 300,
        "roles": [role(r) for r in g.roles.values()],
        "emojis": [], "stickers": [], "voice_states": [], "presences": [], "stage_instances": [],
        "guild_scheduled_events": [], "soundboard_sounds": [],
        "members": [member(state, m) for m in members],
        "channels": [channel(state, c) for c in chans if not c.is_thread],
        "threads": [channel(state, c) for c in chans if c.is_thread and not c.archived],
    }


def attachment(a: FakeAttachment) -> dict[str, Any]:
    return {
        "id": str(a.id), "filename": a.filename, "size": len(a.data), "url": a.url, "proxy_url": a.url,
        "content_type": a.content_type, "description": a.description, "ephemeral": False,
    }


def mentions(state: WorldState, m: FakeMessage) -> tuple[list[dict[str, Any]], list[str]]:
    users = []
    for raw in dict.fromkeys(USER_MENTION.findall(m.content or "")):
        u = state.users.get(int(raw))
        if u is not None:
            data = user(u)
            g = state.guilds.get(m.guild_id) if m.guild_id else None
            if g is not None and u.id in g.members:
                data["member"] = member(state, g.members[u.id], with_user=False)
            users.append(data)
    return users, list(dict.fromkeys(ROLE_MENTION.findall(m.content or "")))


def message(state: WorldState, m: FakeMessage, *, hide_content: bool = False,
            with_reference: bool = True) -> dict[str, Any]:
    """A message payload; ``hide_content`` blanks what Discord hides without the message content intent."""
    author = state.users[m.author_id]
    mentioned, mentioned_roles = mentions(state, m)
    data: dict[str, Any] = {
        "id": str(m.id), "channel_id": str(m.channel_id), "author": user(author), "type": m.type,
        "content": "" if hide_content else m.content, "timestamp": iso(m.created_at),
        "edited_timestamp": m.edited_timestamp, "tts": False, "mention_everyone": False,
        "mentions": mentioned, "mention_roles": mentioned_roles, "pinned": False, "flags": m.flags,
        "attachments": [] if hide_content else [attachment(a) for a in m.attachments],
        "embeds": [] if hide_content else [dict(e, type=e.get("type", "rich")) for e in m.embeds],
        "components": [] if hide_content else m.components,
        "reactions": [
            {"emoji": {"id": None, "name": emoji}, "count": len(users), "me": False, "burst_count": 0,
             "count_details": {"normal": len(users), "burst": 0}, "burst_colors": [], "me_burst": False}
            for emoji, users in m.reactions.items() if users
        ],
    }
    if m.nonce is not None:
        data["nonce"] = m.nonce
    if m.guild_id is not None:
        data["guild_id"] = str(m.guild_id)
        g = state.guilds[m.guild_id]
        if m.author_id in g.members and m.webhook_id is None:
            data["member"] = member(state, g.members[m.author_id], with_user=False)
    if m.webhook_id is not None:
        data["webhook_id"] = str(m.webhook_id)
        data["application_id"] = str(m.webhook_id)
    if m.interaction is not None:
        data["interaction_metadata"] = m.interaction
    if m.reference_id is not None:
        ref = state.messages.get(m.reference_id)
        data["message_reference"] = {"type": 0, "message_id": str(m.reference_id),
                                     "channel_id": str(m.channel_id),
                                     "guild_id": str(m.guild_id) if m.guild_id else None}
        if with_reference:
            data["referenced_message"] = message(state, ref, hide_content=hide_content, with_reference=False) \
                if ref is not None and not ref.deleted else None
    if m.thread_id is not None and m.thread_id in state.channels:
        data["thread"] = channel(state, state.channels[m.thread_id])
    return data
