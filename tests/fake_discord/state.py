"""In-memory world of the fake Discord: users, guilds, roles, members, channels, threads, messages, commands."""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord

DISCORD_EPOCH_MS = 1420070400000
ALL_PERMISSIONS = discord.Permissions.all().value


def perm(*names: str) -> int:
    """Permission bits for the given discord.py permission names (``perm("send_messages", "embed_links")``)."""
    value = 0
    for name in names:
        value |= getattr(discord.Permissions, name).flag
    return value


class Snowflakes:
    """Monotonic snowflake ids that encode the current time, like Discord's."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        now_ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        candidate = now_ms << 22
        self._last = max(candidate, self._last + 1)
        return self._last

    def skip_millisecond(self) -> None:
        """Move the next id into the next millisecond (its timestamp bits, hence its shard, change)."""
        self._last = (((self._last >> 22) + 1) << 22) - 1


def snowflake_time(snowflake: int) -> datetime:
    """The creation time encoded in a snowflake."""
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)


def iso(moment: datetime | None = None) -> str:
    """ISO-8601 timestamp as Discord sends them."""
    return (moment or datetime.now(UTC)).isoformat()


class ChannelType:
    """Discord channel type numbers used by the fake."""

    TEXT = 0
    DM = 1
    CATEGORY = 4
    NEWS = 5
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12


THREAD_TYPES = (ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD)


@dataclass
class FakeUser:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    dm_blocked: bool = False  # sending this user a DM fails with 50007


@dataclass
class FakeRole:
    id: int
    guild_id: int
    name: str
    permissions: int
    position: int
    managed: bool = False
    bot_id: int | None = None  # set for the bot's managed integration role
    color: int = 0


@dataclass
class FakeMember:
    user_id: int
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso)
    communication_disabled_until: str | None = None

    def timed_out(self) -> bool:
        until = self.communication_disabled_until
        return until is not None and datetime.fromisoformat(until) > datetime.now(UTC)


@dataclass
class Overwrite:
    id: int
    type: int  # 0 role, 1 member
    allow: int = 0
    deny: int = 0


@dataclass
class FakeChannel:
    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    recipient_id: int | None = None  # DM channels
    owner_id: int | None = None  # threads
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440
    message_count: int = 0
    thread_members: set[int] = field(default_factory=set)

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES


@dataclass
class FakeAttachment:
    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None
    url: str = ""


@dataclass
class FakeMessage:
    id: int
    channel_id: int
    author_id: int
    content: str = ""
    guild_id: int | None = None
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[FakeAttachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    edited_timestamp: str | None = None
    deleted: bool = False
    webhook_id: int | None = None
    interaction: dict[str, Any] | None = None  # interaction_metadata
    reference_id: int | None = None  # message_reference.message_id
    thread_id: int | None = None  # thread started from this message
    reactions: dict[str, set[int]] = field(default_factory=dict)
    nonce: str | int | None = None
    allowed_mentions: dict[str, Any] | None = None  # as sent; None: Discord's default (parse everything)

    @property
    def notified_roles(self) -> set[int]:
        """Role ids this message notifies: mentioned in its text and allowed by ``allowed_mentions``."""
        mentioned = {int(r) for r in re.findall(r"<@&(\d+)>", self.content)}
        allowed = self.allowed_mentions
        if allowed is None or "roles" in (allowed.get("parse") or []):
            return mentioned
        return mentioned & {int(r) for r in allowed.get("roles") or []}

    @property
    def notifies_everyone(self) -> bool:
        """True when @everyone/@here in its text would notify (``parse`` allows "everyone")."""
        allowed = self.allowed_mentions
        parse = ["everyone"] if allowed is None else allowed.get("parse") or []
        return "everyone" in parse and ("@everyone" in self.content or "@here" in self.content)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)

    @property
    def created_at(self) -> datetime:
        return snowflake_time(self.id)

    def component_items(self) -> list[dict[str, Any]]:
        """Every interactive component on the message, depth first (buttons, selects, inside rows/containers)."""
        return list(iter_components(self.components))


def iter_components(components: list[dict[str, Any]]) -> Any:
    """Walk a component tree (action rows, containers, sections, labels) yielding leaf components."""
    for component in components:
        nested = component.get("components")
        if nested is not None:
            yield from iter_components(nested)
        if "component" in component:  # modal label (type 18)
            yield from iter_components([component["component"]])
        if "accessory" in component:  # section accessory
            yield from iter_components([component["accessory"]])
        if component.get("type") not in (1, 9, 17, 18) and nested is None:
            yield component


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    channels: list[int] = field(default_factory=list)
    roles: dict[int, FakeRole] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)
    bans: dict[int, str | None] = field(default_factory=dict)

    @property
    def everyone(self) -> FakeRole:
        return self.roles[self.id]

    def role_named(self, name: str) -> FakeRole:
        for role in self.roles.values():
            if role.name == name:
                return role
        raise KeyError(f"no role named {name!r} in guild {self.name!r}")

    def top_position(self, user_id: int) -> int:
        member = self.members.get(user_id)
        if member is None:
            return 0
        return max((self.roles[r].position for r in member.roles if r in self.roles), default=0)


@dataclass
class MessageEvent:
    """One change to a message, kept in order so tests can read posts, edits and deletes per channel."""

    kind: str  # "create" | "edit" | "delete"
    channel_id: int
    message_id: int
    actor_id: int
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


class WorldState:
    """Everything the fake knows; routes and test helpers read and mutate it."""

    def __init__(self) -> None:
        self.ids = Snowflakes()
        self._counter = itertools.count(1)
        self.users: dict[int, FakeUser] = {}
        self.user_keys: dict[str, int] = {}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, FakeMessage] = {}
        self.dm_channels: dict[int, int] = {}  # user id -> DM channel id
        self.events: list[MessageEvent] = []
        self.global_commands: dict[tuple[str, int], dict[str, Any]] = {}
        self.guild_commands: dict[int, dict[tuple[str, int], dict[str, Any]]] = {}
        self.command_ids: dict[tuple[int | None, str, int], int] = {}
        self.sync_count = 0

    # ---- creation -------------------------------------------------------------------------------------
    def add_user(self, key: str, username: str, *, bot: bool = False, user_id: int | None = None) -> FakeUser:
        user = FakeUser(id=user_id or self.ids.next(), username=username, global_name=username.title(), bot=bot)
        self.users[user.id] = user
        self.user_keys[key] = user.id
        return user

    def add_guild(self, name: str, owner_id: int, everyone_permissions: int, *,
                  guild_id: int | None = None) -> FakeGuild:
        guild = FakeGuild(id=guild_id or self.ids.next(), name=name, owner_id=owner_id)
        guild.roles[guild.id] = FakeRole(guild.id, guild.id, "@everyone", everyone_permissions, 0)
        self.guilds[guild.id] = guild
        return guild

    def add_role(self, guild: FakeGuild, name: str, permissions: int, position: int, **extra: Any) -> FakeRole:
        role = FakeRole(self.ids.next(), guild.id, name, permissions, position, **extra)
        guild.roles[role.id] = role
        return role

    def add_member(self, guild: FakeGuild, user: FakeUser, *roles: FakeRole) -> FakeMember:
        member = FakeMember(user.id, guild.id, [r.id for r in roles])
        guild.members[user.id] = member
        return member

    def add_channel(self, guild: FakeGuild | None, name: str | None, type_: int = ChannelType.TEXT,
                    **extra: Any) -> FakeChannel:
        channel = FakeChannel(id=extra.pop("id", None) or self.ids.next(), type=type_, name=name,
                              guild_id=guild.id if guild else None, **extra)
        self.channels[channel.id] = channel
        if guild is not None:
            channel.position = extra.get("position", len(guild.channels))
            guild.channels.append(channel.id)
        return channel

    def next_token(self) -> str:
        return f"tok-{next(self._counter)}-{self.ids.next()}"

    # ---- lookup ---------------------------------------------------------------------------------------
    def user(self, who: str | int | FakeUser) -> FakeUser:
        """A user by key ("member", "moderator", "admin", "bot"), id, or object."""
        if isinstance(who, FakeUser):
            return who
        if isinstance(who, str) and not who.isdigit():
            try:
                return self.users[self.user_keys[who]]
            except KeyError:
                raise KeyError(f"unknown user key {who!r}; known: {sorted(self.user_keys)}") from None
        return self.users[int(who)]

    def guild_of(self, channel: FakeChannel) -> FakeGuild | None:
        return self.guilds.get(channel.guild_id) if channel.guild_id is not None else None

    def channel(self, which: str | int | FakeChannel, guild: FakeGuild | None = None) -> FakeChannel:
        """A channel by name (optionally with a leading '#'), id, or object."""
        if isinstance(which, FakeChannel):
            return which
        if isinstance(which, int) or (isinstance(which, str) and which.isdigit()):
            return self.channels[int(which)]
        name = which.lstrip("#")
        for channel in self.channels.values():
            if channel.name == name and (guild is None or channel.guild_id == guild.id):
                return channel
        raise KeyError(f"no channel named {name!r}")

    def message(self, message_id: int | FakeMessage) -> FakeMessage:
        if isinstance(message_id, FakeMessage):
            return message_id
        return self.messages[int(message_id)]

    def channel_messages(self, channel_id: int, *, include_ephemeral: bool = False) -> list[FakeMessage]:
        """Live messages in a channel, oldest first."""
        return sorted(
            (m for m in self.messages.values()
             if m.channel_id == channel_id and not m.deleted and (include_ephemeral or not m.ephemeral)),
            key=lambda m: m.id,
        )

    def record(self, kind: str, message: FakeMessage, actor_id: int, before: dict[str, Any] | None = None,
               after: dict[str, Any] | None = None) -> None:
        self.events.append(MessageEvent(kind, message.channel_id, message.id, actor_id, before, after))

    # ---- commands ------------------------------------------------------------------------------------
    def commands_for(self, guild_id: int | None) -> dict[tuple[str, int], dict[str, Any]]:
        return self.global_commands if guild_id is None else self.guild_commands.setdefault(guild_id, {})

    def find_command(self, name: str, type_: int, guild_id: int | None) -> dict[str, Any] | None:
        """A synced command as a member of ``guild_id`` would see it (guild commands shadow global ones)."""
        if guild_id is not None:
            found = self.guild_commands.get(guild_id, {}).get((name, type_))
            if found is not None:
                return found
        return self.global_commands.get((name, type_))
