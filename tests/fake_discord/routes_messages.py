"""REST routes of the fake for channels: messages, history, threads, reactions, typing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from . import payloads
from .errors import ApiError, unknown_channel, unknown_message
from .messaging import json_response, no_content, read_body
from .permissions import has, require
from .state import ChannelType, FakeChannel, FakeMessage

if TYPE_CHECKING:
    from .server import FakeDiscord


class MessageRoutes:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.state = fake.state
        self.bot_id = fake.bot_user.id

    def _channel(self, request: web.Request) -> FakeChannel:
        channel = self.state.channels.get(int(request.match_info["channel_id"]))
        if channel is None:
            raise unknown_channel()
        if channel.guild_id is not None and not self.fake.bot_can_view(channel):
            raise ApiError(403, 50001, "Missing Access")
        return channel

    def _message(self, channel: FakeChannel, request: web.Request) -> FakeMessage:
        message = self.state.messages.get(int(request.match_info["message_id"]))
        if message is None or message.channel_id != channel.id or message.deleted or message.ephemeral:
            raise unknown_message()
        return message

    def _hide(self, message: FakeMessage) -> bool:
        """REST reads blank content too when the app lacks the message content intent."""
        return "message_content" not in self.fake.config.granted_intents and message.author_id != self.bot_id \
            and message.guild_id is not None and f"<@{self.bot_id}>" not in message.content

    def _payload(self, message: FakeMessage) -> dict:
        return payloads.message(self.state, message, hide_content=self._hide(message))

    # ---- channels ------------------------------------------------------------------------------------
    async def get_channel(self, request: web.Request) -> web.Response:
        return json_response(payloads.channel(self.state, self._channel(request)))

    async def patch_channel(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        body, _ = await read_body(request)
        if channel.is_thread:
            if channel.owner_id != self.bot_id or "locked" in body:
                require(self.state, channel, self.bot_id, "manage_threads")
            channel.archived = bool(body.get("archived", channel.archived))
            channel.locked = bool(body.get("locked", channel.locked))
        else:
            require(self.state, channel, self.bot_id, "manage_channels")
            channel.topic = body.get("topic", channel.topic)
        channel.name = body.get("name", channel.name)
        event = "THREAD_UPDATE" if channel.is_thread else "CHANNEL_UPDATE"
        data = payloads.channel(self.state, channel)
        await self.fake.gateway.dispatch(event, data, guild_id=channel.guild_id)
        return json_response(data)

    async def typing(self, request: web.Request) -> web.Response:
        self._channel(request)
        return no_content()

    # ---- messages ------------------------------------------------------------------------------------
    def _check_send(self, channel: FakeChannel, has_files: bool) -> None:
        if channel.type == ChannelType.DM:
            recipient = self.state.users.get(channel.recipient_id or 0)
            if recipient is None or recipient.dm_blocked:
                raise ApiError(403, 50007, "Cannot send messages to this user")
            return
        needed = ["send_messages_in_threads"] if channel.is_thread else ["send_messages"]
        if has_files:
            needed.append("attach_files")
        require(self.state, channel, self.bot_id, *needed)
        if channel.is_thread and channel.locked and not has(self.state, channel, self.bot_id, "manage_threads"):
            raise ApiError(403, 50083, "Thread is archived")

    async def create_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        body, files = await read_body(request)
        self._check_send(channel, bool(files))
        reference = body.get("message_reference") or {}
        if reference.get("message_id") and int(reference["message_id"]) not in self.state.messages \
                and reference.get("fail_if_not_exists", True):
            raise ApiError(400, 50035, "Invalid Form Body", detail="Unknown message in message_reference")
        message = await self.fake.messages.create(channel, self.bot_id, body, files)
        return json_response(payloads.message(self.state, message))

    async def get_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        require(self.state, channel, self.bot_id, "read_message_history")
        return json_response(self._payload(self._message(channel, request)))

    async def edit_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._message(channel, request)
        body, files = await read_body(request)
        if message.author_id != self.bot_id:
            if set(body) - {"flags"}:
                raise ApiError(403, 50005, "Cannot edit a message authored by another user")
            require(self.state, channel, self.bot_id, "manage_messages")
        await self.fake.messages.edit(message, body, files, actor_id=self.bot_id)
        return json_response(payloads.message(self.state, message))

    async def delete_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._message(channel, request)
        if message.author_id != self.bot_id:
            require(self.state, channel, self.bot_id, "manage_messages")
        await self.fake.messages.delete(message, actor_id=self.bot_id)
        return no_content()

    async def history(self, request: web.Request) -> web.Response:
        """``GET /channels/{id}/messages`` with before/after/around and limit (1-100), newest first."""
        channel = self._channel(request)
        require(self.state, channel, self.bot_id, "read_message_history")
        limit = int(request.query.get("limit", 50))
        if not 1 <= limit <= 100:
            raise ApiError(400, 50035, "Invalid Form Body", detail="limit must be between 1 and 100")
        messages = self.state.channel_messages(channel.id)
        q = request.query
        if "after" in q:
            chosen = [m for m in messages if m.id > int(q["after"])][:limit]
        elif "around" in q:
            pivot = int(q["around"])
            older = [m for m in messages if m.id < pivot][-(limit // 2):] if limit > 1 else []
            chosen = older + [m for m in messages if m.id >= pivot][: limit - len(older)]
        else:
            before = int(q.get("before", 1 << 63))
            chosen = [m for m in messages if m.id < before][-limit:]
        return json_response([self._payload(m) for m in reversed(chosen)])

    async def bulk_delete(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        require(self.state, channel, self.bot_id, "manage_messages")
        body, _ = await read_body(request)
        ids = [int(i) for i in body.get("messages") or []]
        if not 2 <= len(ids) <= 100:
            raise ApiError(400, 50016, "You must provide at least 2 and fewer than 100 messages to delete")
        for message_id in ids:
            message = self.state.messages.get(message_id)
            if message is not None and message.channel_id == channel.id and not message.deleted:
                await self.fake.messages.delete(message, actor_id=self.bot_id)
        return no_content()

    # ---- threads -------------------------------------------------------------------------------------
    async def thread_from_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._message(channel, request)
        require(self.state, channel, self.bot_id, "create_public_threads")
        if message.thread_id is not None:
            raise ApiError(400, 160004, "A thread has already been created for this message")
        body, _ = await read_body(request)
        thread = self._new_thread(channel, body, ChannelType.PUBLIC_THREAD, thread_id=message.id)
        message.thread_id = thread.id
        return await self._thread_created(thread)

    async def thread_without_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        body, _ = await read_body(request)
        type_ = int(body.get("type") or ChannelType.PRIVATE_THREAD)
        needed = "create_private_threads" if type_ == ChannelType.PRIVATE_THREAD else "create_public_threads"
        require(self.state, channel, self.bot_id, needed)
        return await self._thread_created(self._new_thread(channel, body, type_))

    def _new_thread(self, parent: FakeChannel, body: dict, type_: int, thread_id: int | None = None) -> FakeChannel:
        name = body.get("name") or ""
        if not 1 <= len(name) <= 100:
            raise ApiError(400, 50035, "Invalid Form Body", detail="thread name must be 1-100 characters")
        guild = self.state.guilds[parent.guild_id or 0]
        return self.state.add_channel(guild, name, type_, id=thread_id, parent_id=parent.id, owner_id=self.bot_id,
                                      auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
                                      thread_members={self.bot_id})

    async def _thread_created(self, thread: FakeChannel) -> web.Response:
        data = payloads.channel(self.state, thread)
        await self.fake.gateway.dispatch("THREAD_CREATE", {**data, "newly_created": True}, guild_id=thread.guild_id)
        return json_response(data, 201)

    async def thread_member(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        if not channel.is_thread:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        raw = request.match_info["user_id"]
        user_id = self.bot_id if raw == "@me" else int(raw)
        if request.method == "PUT":
            channel.thread_members.add(user_id)
        else:
            channel.thread_members.discard(user_id)
        return no_content()

    # ---- reactions -----------------------------------------------------------------------------------
    async def reaction(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._message(channel, request)
        emoji = request.match_info["emoji"]
        users = message.reactions.setdefault(emoji, set())
        if request.method == "PUT":
            require(self.state, channel, self.bot_id, "add_reactions", "read_message_history")
            users.add(self.bot_id)
        else:
            users.discard(self.bot_id)
        event = "MESSAGE_REACTION_ADD" if request.method == "PUT" else "MESSAGE_REACTION_REMOVE"
        data = {"user_id": str(self.bot_id), "channel_id": str(channel.id), "message_id": str(message.id),
                "emoji": {"id": None, "name": emoji}, "burst": False, "type": 0}
        if channel.guild_id:
            data["guild_id"] = str(channel.guild_id)
        await self.fake.gateway.dispatch(event, data, guild_id=channel.guild_id)
        return no_content()


def register(router: web.UrlDispatcher, fake: FakeDiscord, prefix: str) -> None:
    r = MessageRoutes(fake)
    c = f"{prefix}/channels/{{channel_id}}"
    m = f"{c}/messages/{{message_id:\\d+}}"
    router.add_get(c, r.get_channel)
    router.add_patch(c, r.patch_channel)
    router.add_post(f"{c}/typing", r.typing)
    router.add_get(f"{c}/messages", r.history)
    router.add_post(f"{c}/messages", r.create_message)
    router.add_post(f"{c}/messages/bulk-delete", r.bulk_delete)
    router.add_get(m, r.get_message)
    router.add_patch(m, r.edit_message)
    router.add_delete(m, r.delete_message)
    router.add_post(f"{m}/threads", r.thread_from_message)
    router.add_post(f"{c}/threads", r.thread_without_message)
    router.add_put(f"{c}/thread-members/{{user_id}}", r.thread_member)
    router.add_delete(f"{c}/thread-members/{{user_id}}", r.thread_member)
    router.add_put(f"{m}/reactions/{{emoji}}/@me", r.reaction)
    router.add_delete(f"{m}/reactions/{{emoji}}/@me", r.reaction)
