"""Turn discord.py messages into the core's :class:`MessageSnapshot` (the only place that reads Message fields)."""

from __future__ import annotations

import re

import discord

from bot.moderation.models import REPLY_CONTEXT_CHARS, MessageSnapshot, ReplyContext

SCORED_TYPES = (discord.MessageType.default, discord.MessageType.reply)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` with every lone UTF-16 surrogate replaced by U+FFFD.

    The gateway's JSON may carry an escaped lone surrogate (``"\\ud800"``); Python keeps it in the str, but SQLite,
    log files and Discord's API (UTF-8 all) cannot take it, so the case could not be stored and its card not
    posted. Everything else stays as the member wrote it (detectors read their own sanitized copy)."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def snapshot(message: discord.Message, *, guild_id: int | None = None) -> MessageSnapshot | None:
    """A snapshot of a guild message (None for DMs and system messages)."""
    gid = message.guild.id if message.guild is not None else guild_id
    if gid is None or message.type not in SCORED_TYPES:
        return None
    channel = message.channel
    is_thread = isinstance(channel, discord.Thread)
    parent_id = channel.parent_id if isinstance(channel, discord.Thread) else None
    # a thread's category is its parent channel's; DMs and partial channels have none
    category_id = channel.category_id if isinstance(channel, discord.abc.GuildChannel | discord.Thread) else None
    author = message.author
    return MessageSnapshot(
        message_id=message.id,
        guild_id=gid,
        channel_id=channel.id,
        author_id=author.id,
        content=storable(message.content or ""),
        author_name=storable(author.display_name or author.name),
        parent_id=parent_id,
        category_id=category_id,
        is_thread=is_thread,
        author_is_bot=author.bot,
        is_webhook=message.webhook_id is not None,
        jump_url=f"https://discord.com/channels/{gid}/{channel.id}/{message.id}",
        reply_to=reply_context(message),
    )


def reply_context(message: discord.Message) -> ReplyContext | None:
    """The message a reply answers, as Discord sent it with the reply (``referenced_message``); None when it is not
    a reply, or the original was deleted or not sent along (no extra REST call is made for it)."""
    reference = message.reference
    parent = reference.resolved if reference is not None else None
    if not isinstance(parent, discord.Message):
        return None
    author = parent.author
    return ReplyContext(
        message_id=parent.id,
        author_id=author.id,
        author_name=storable(author.display_name or author.name),
        content=storable((parent.content or "")[:REPLY_CONTEXT_CHARS]),
    )
