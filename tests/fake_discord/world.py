"""The default test world: one guild with #general/#mod-queue/#mod-log, roles, a member, a moderator, an admin
(``seed_guild`` adds more guilds like it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .state import FakeGuild, Overwrite, perm

if TYPE_CHECKING:
    from .server import FakeDiscord

EVERYONE_PERMISSIONS = perm(
    "view_channel", "send_messages", "send_messages_in_threads", "create_public_threads", "read_message_history",
    "add_reactions", "embed_links", "attach_files", "use_application_commands", "use_external_emojis",
    "change_nickname", "connect", "speak",
)
MODERATOR_PERMISSIONS = perm("manage_messages", "moderate_members", "kick_members", "manage_threads",
                             "view_audit_log", "manage_nicknames")
BOT_PERMISSIONS = perm(
    "view_channel", "send_messages", "send_messages_in_threads", "create_public_threads", "create_private_threads",
    "embed_links", "attach_files", "read_message_history", "add_reactions", "manage_messages", "manage_threads",
    "moderate_members", "use_application_commands",
)
PRIVATE = perm("view_channel")


def seed_default_world(fake: FakeDiscord) -> FakeGuild:
    """Populate ``fake`` with the standard guild and return it.

    Users (keys for helpers): ``member`` (no roles), ``moderator`` (Moderator), ``admin`` (Admin, the guild owner),
    ``bot``. Role positions: Moderator 1 < ModBot (the bot's managed role) 2 < Admin 3, so the bot can time out
    members and moderators but not the admin. #mod-queue and #mod-log are hidden from @everyone.
    """
    state = fake.state
    state.add_user("member", "alice")
    state.add_user("moderator", "mo")
    state.add_user("admin", "ada")
    return seed_guild(fake, "Newsroom")


def seed_guild(fake: FakeDiscord, name: str, *, guild_id: int | None = None) -> FakeGuild:
    """One more guild like the default one (same users, roles, channel names) after :func:`seed_default_world`.

    ``guild_id`` chooses its id, e.g. ``sharding.guild_id_on_shard(fake, 1, 2)`` to put it on shard 1 of 2. Its
    channels are found with ``fake.state.channel("general", guild)``."""
    state = fake.state
    member, moderator, admin = (state.user(key) for key in ("member", "moderator", "admin"))
    guild = state.add_guild(name, admin.id, EVERYONE_PERMISSIONS, guild_id=guild_id)
    mod_role = state.add_role(guild, "Moderator", MODERATOR_PERMISSIONS, 1)
    bot_role = state.add_role(guild, fake.bot_user.global_name or "bot", BOT_PERMISSIONS, 2, managed=True,
                              bot_id=fake.bot_user.id)
    admin_role = state.add_role(guild, "Admin", perm("administrator"), 3)
    state.add_member(guild, member)
    state.add_member(guild, moderator, mod_role)
    state.add_member(guild, admin, admin_role)
    state.add_member(guild, fake.bot_user, bot_role)
    state.add_channel(guild, "general", topic="news and chat")
    hidden = [Overwrite(guild.id, 0, deny=PRIVATE), Overwrite(mod_role.id, 0, allow=PRIVATE),
              Overwrite(bot_role.id, 0, allow=PRIVATE)]
    state.add_channel(guild, "mod-queue", overwrites=list(hidden))
    state.add_channel(guild, "mod-log", overwrites=list(hidden))
    return guild
