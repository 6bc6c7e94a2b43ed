"""Permission maths of the fake Discord: role bits, channel overwrites, hierarchy, and 50013 errors."""

from __future__ import annotations

from .errors import ApiError
from .state import ALL_PERMISSIONS, FakeChannel, FakeGuild, WorldState, perm

ADMINISTRATOR = perm("administrator")
VIEW_CHANNEL = perm("view_channel")


def base_permissions(guild: FakeGuild, user_id: int) -> int:
    """Guild-level permissions of a member: @everyone | their roles (administrator and owner get all)."""
    if user_id == guild.owner_id:
        return ALL_PERMISSIONS
    member = guild.members.get(user_id)
    value = guild.everyone.permissions
    if member is not None:
        for role_id in member.roles:
            role = guild.roles.get(role_id)
            if role is not None:
                value |= role.permissions
    return ALL_PERMISSIONS if value & ADMINISTRATOR else value


def channel_permissions(state: WorldState, channel: FakeChannel, user_id: int) -> int:
    """Effective permissions in a channel, applying overwrites the way Discord documents it."""
    if channel.guild_id is None:  # DMs: the basics
        return perm("view_channel", "send_messages", "read_message_history", "embed_links", "attach_files",
                    "add_reactions")
    guild = state.guilds[channel.guild_id]
    value = base_permissions(guild, user_id)
    if value == ALL_PERMISSIONS:
        return value
    source = state.channels[channel.parent_id] if channel.is_thread and channel.parent_id else channel
    member = guild.members.get(user_id)
    roles = set(member.roles) if member else set()
    allow = deny = 0
    for ow in source.overwrites:
        if ow.type == 0 and ow.id == guild.id:
            value = (value & ~ow.deny) | ow.allow
    for ow in source.overwrites:
        if ow.type == 0 and ow.id in roles:
            allow |= ow.allow
            deny |= ow.deny
    value = (value & ~deny) | allow
    for ow in source.overwrites:
        if ow.type == 1 and ow.id == user_id:
            value = (value & ~ow.deny) | ow.allow
    if not value & VIEW_CHANNEL:
        return 0
    return value


def has(state: WorldState, channel: FakeChannel, user_id: int, *names: str) -> bool:
    needed = perm(*names)
    return channel_permissions(state, channel, user_id) & needed == needed


def require(state: WorldState, channel: FakeChannel, user_id: int, *names: str) -> None:
    """Raise Discord's 50013 unless ``user_id`` has every named permission in ``channel``."""
    if not has(state, channel, user_id, *names):
        missing = [n for n in names if not has(state, channel, user_id, n)]
        raise ApiError(403, 50013, "Missing Permissions", detail=f"needs {', '.join(missing)} in #{channel.name}")


def require_guild(guild: FakeGuild, user_id: int, *names: str) -> None:
    """Raise 50013 unless the member has the named guild-level permissions."""
    needed = perm(*names)
    if base_permissions(guild, user_id) & needed != needed:
        raise ApiError(403, 50013, "Missing Permissions", detail=f"needs {', '.join(names)} in {guild.name}")


def require_above(guild: FakeGuild, actor_id: int, target_id: int) -> None:
    """Role hierarchy: the actor's top role must be above the target's, and nobody acts on the owner."""
    if actor_id == guild.owner_id:
        return
    if target_id == guild.owner_id:
        raise ApiError(403, 50013, "Missing Permissions", detail="the target is the guild owner")
    if guild.top_position(actor_id) <= guild.top_position(target_id):
        raise ApiError(403, 50013, "Missing Permissions", detail="the target's top role is not below yours")


def is_admin(guild: FakeGuild, user_id: int) -> bool:
    return base_permissions(guild, user_id) == ALL_PERMISSIONS
