"""What simulated members do (post, edit, delete, DM, click, select, submit modals) and what tests read back."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from . import limits, payloads
from .automod import AutoModActions
from .commands import CommandActions
from .interactions import InteractionRecord, Kind, build_interaction, resolve_user
from .messaging import Upload
from .permissions import has
from .state import ChannelType, FakeChannel, FakeMessage, FakeUser, MessageEvent

if TYPE_CHECKING:
    from .server import FakeDiscord

T = TypeVar("T")
Where = str | int | FakeChannel
Who = str | int | FakeUser


class Actions(CommandActions, AutoModActions):
    """Test-facing API over a :class:`FakeDiscord`: act as members, then read what the bot did.

    ``failure_check`` (set by harnesses) returns a description of a bot crash so waits fail fast.
    """

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.state = fake.state
        self.failure_check: Callable[[], str | None] = lambda: None

    # ---- waiting -------------------------------------------------------------------------------------
    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0, *, interval: float = 0.005,
                       message: str | None = None) -> T:
        """Poll ``predicate`` (sync or async) until it returns something truthy; return that value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if inspect.isawaitable(value):
                value = await value
            if value:
                return value  # type: ignore[return-value]
            crash = self.failure_check()
            if crash:
                raise AssertionError(f"{message or 'condition'}: the bot failed while we waited:\n{crash}")
            if loop.time() >= deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {message or 'condition'}")
            await asyncio.sleep(interval)

    async def await_ack(self, record: InteractionRecord, timeout: float, what: str) -> InteractionRecord:
        await self.wait_for(record.acked.is_set, timeout, message=f"the bot to acknowledge {what}")
        return record

    async def quiet(self, duration: float = 0.05, timeout: float = 5.0) -> None:
        """Wait until the bot has had no REST request in flight for ``duration`` seconds."""
        await self.wait_for(
            lambda: self.fake.inflight == 0 and time.monotonic() - self.fake.last_activity >= duration, timeout,
            message=f"{duration}s without REST traffic")

    # ---- members' messages ---------------------------------------------------------------------------
    def _check_can_post(self, channel: FakeChannel, user: FakeUser, files: bool) -> None:
        guild = self.state.guild_of(channel)
        if guild is None:
            return
        member = guild.members.get(user.id)
        if member is None:
            raise PermissionError(f"{user.username} is not a member of {guild.name}")
        if member.timed_out():
            raise PermissionError(f"{user.username} is timed out until {member.communication_disabled_until}")
        needed = ["send_messages_in_threads"] if channel.is_thread else ["send_messages"]
        if not has(self.state, channel, user.id, *needed, *(["attach_files"] if files else [])):
            raise PermissionError(f"{user.username} cannot post in #{channel.name}")

    async def post_message(self, channel: Where = "general", content: str = "", *, author: Who = "member",
                           files: Sequence[tuple[str, bytes]] = (), reply_to: int | None = None,
                           embeds: list[dict[str, Any]] | None = None) -> int:
        """Post as ``author`` (dispatches MESSAGE_CREATE); return the new message id."""
        where, user = self.state.channel(channel), self.state.user(author)
        self._check_can_post(where, user, bool(files))
        payload: dict[str, Any] = {"content": content, "embeds": embeds or []}
        if reply_to is not None:
            payload["message_reference"] = {"message_id": str(reply_to)}
        uploads = [Upload(i, name, data, None) for i, (name, data) in enumerate(files)]
        message = await self.fake.messages.create(where, user.id, payload, uploads,
                                                  content_max=limits.MEMBER_CONTENT_MAX)
        return message.id

    async def post_dm(self, content: str, *, author: Who = "member") -> int:
        """The member DMs the bot; return the message id."""
        user = self.state.user(author)
        channel_id = self.state.dm_channels.get(user.id)
        if channel_id is None:
            channel_id = self.state.add_channel(None, None, ChannelType.DM, recipient_id=user.id).id
            self.state.dm_channels[user.id] = channel_id
        message = await self.fake.messages.create(self.state.channels[channel_id], user.id, {"content": content})
        return message.id

    async def edit_message(self, message_id: int, content: str) -> None:
        """The author edits their message (dispatches MESSAGE_UPDATE)."""
        message = self.state.message(message_id)
        await self.fake.messages.edit(message, {"content": content}, actor_id=message.author_id)

    async def delete_message(self, message_id: int, *, by: Who | None = None) -> None:
        """The author (or ``by``, who needs Manage Messages) deletes a message (dispatches MESSAGE_DELETE)."""
        message = self.state.message(message_id)
        actor = self.state.user(by).id if by is not None else message.author_id
        channel = self.state.channels[message.channel_id]
        if actor != message.author_id and not has(self.state, channel, actor, "manage_messages"):
            raise PermissionError("only the author or someone with Manage Messages can delete it")
        await self.fake.messages.delete(message, actor_id=actor)

    async def add_member(self, key: str, username: str, *roles: str) -> FakeUser:
        """A new member joins the first guild (dispatches GUILD_MEMBER_ADD)."""
        guild = self.fake.guild()
        user = self.state.add_user(key, username)
        member = self.state.add_member(guild, user, *(guild.role_named(r) for r in roles))
        await self.fake.gateway.dispatch("GUILD_MEMBER_ADD", {"guild_id": str(guild.id),
                                                              **payloads.member(self.state, member)},
                                         guild_id=guild.id)
        return user

    async def set_roles(self, user: Who, *roles: str) -> None:
        """Replace a member's roles (by name) in the first guild (dispatches GUILD_MEMBER_UPDATE)."""
        guild = self.fake.guild()
        member = guild.members[self.state.user(user).id]
        member.roles = [guild.role_named(r).id for r in roles]
        await self.fake.gateway.dispatch("GUILD_MEMBER_UPDATE", {"guild_id": str(guild.id),
                                                                 **payloads.member(self.state, member)},
                                         guild_id=guild.id)

    # ---- components and modals -----------------------------------------------------------------------
    def find_component(self, message_id: int, *, label: str | None = None, custom_id: str | None = None,
                       placeholder: str | None = None, types: tuple[int, ...] = (2,)) -> dict[str, Any]:
        """A component on a message by label, custom_id or placeholder (buttons by default)."""
        message = self.state.message(message_id)
        items = [c for c in message.component_items() if c.get("type") in types]
        for c in items:
            if (custom_id is None or c.get("custom_id") == custom_id) and \
                    (label is None or c.get("label") == label) and \
                    (placeholder is None or c.get("placeholder") == placeholder):
                return c
        described = [(c.get("label") or c.get("placeholder"), c.get("custom_id")) for c in items]
        raise LookupError(f"no component label={label!r} custom_id={custom_id!r} on message {message_id}; "
                          f"it has {described}")

    async def _component(self, message_id: int, component: dict[str, Any], extra: dict[str, Any], user: Who,
                         timeout: float, wait: bool) -> InteractionRecord:
        if component.get("disabled"):
            raise PermissionError(f"component {component.get('custom_id')!r} is disabled")
        message = self.state.message(message_id)
        if message.deleted:
            raise LookupError(f"message {message_id} was deleted")
        data = {"custom_id": component["custom_id"], "component_type": component["type"], **extra}
        channel = self.state.channels[message.channel_id]
        record = build_interaction(self.fake, type_=Kind.COMPONENT, data=data, user=self.state.user(user),
                                   channel=channel, message=message)
        await self.fake.gateway.dispatch("INTERACTION_CREATE", record.payload)
        if wait:
            await self.await_ack(record, timeout, f"component {component['custom_id']!r}")
        return record

    async def click(self, message_id: int, label: str | None = None, *, custom_id: str | None = None,
                    user: Who = "member", wait: bool = True, timeout: float = 3.0) -> InteractionRecord:
        """Click a button (by label or custom_id) on a bot message as ``user``."""
        button = self.find_component(message_id, label=label, custom_id=custom_id)
        if button.get("style") in (5, 6):
            raise PermissionError("link and premium buttons do not send interactions")
        return await self._component(message_id, button, {}, user, timeout, wait)

    async def select(self, message_id: int, values: Sequence[Any], *, custom_id: str | None = None,
                     placeholder: str | None = None, user: Who = "member", wait: bool = True,
                     timeout: float = 3.0) -> InteractionRecord:
        """Choose ``values`` in a select menu (string selects: option values; user/role/channel selects: keys)."""
        menu = self.find_component(message_id, custom_id=custom_id, placeholder=placeholder, types=(3, 5, 6, 7, 8))
        low, high = menu.get("min_values", 1), menu.get("max_values", 1)
        if not low <= len(values) <= high:
            raise ValueError(f"select {menu['custom_id']!r} takes {low}-{high} values, got {len(values)}")
        extra: dict[str, Any] = {}
        if menu["type"] == 3:
            allowed = [o["value"] for o in menu.get("options") or []]
            bad = [v for v in values if v not in allowed]
            if bad:
                raise ValueError(f"{bad} are not options of {menu['custom_id']!r}: {allowed}")
            extra["values"] = list(values)
        else:
            extra["values"], extra["resolved"] = self._resolve_select(menu["type"], values, message_id)
        return await self._component(message_id, menu, extra, user, timeout, wait)

    def _resolve_select(self, kind: int, values: Sequence[Any], message_id: int) -> tuple[list[str], dict[str, Any]]:
        channel = self.state.channels[self.state.message(message_id).channel_id]
        resolved: dict[str, Any] = {}
        ids = []
        for value in values:
            if kind in (5, 7):
                user = self.state.user(value)
                resolve_user(self.state, user, channel, resolved)
                ids.append(str(user.id))
            elif kind == 8:
                target = self.state.channel(value)
                resolved.setdefault("channels", {})[str(target.id)] = {**payloads.channel(self.state, target),
                                                                       "permissions": "0"}
                ids.append(str(target.id))
            else:
                guild = self.fake.guild(channel.guild_id)
                role = guild.role_named(value) if not str(value).isdigit() else guild.roles[int(value)]
                resolved.setdefault("roles", {})[str(role.id)] = payloads.role(role)
                ids.append(str(role.id))
        return ids, resolved

    async def submit_modal(self, opener: InteractionRecord, values: Mapping[str, Any], *, user: Who | None = None,
                           wait: bool = True, timeout: float = 3.0) -> InteractionRecord:
        """Fill and submit the modal the bot opened in answer to ``opener``; keys are custom_ids or labels."""
        modal = opener.modal
        if modal is None:
            raise LookupError(f"the bot did not open a modal for interaction {opener.name!r}")
        remaining = dict(values)
        components = []
        for top in modal.get("components") or []:
            if top.get("type") == 1:
                leaves = [(leaf, leaf.get("label")) for leaf in top.get("components") or []]
            elif top.get("type") == 18:
                leaves = [(top["component"], top.get("label"))]
            else:
                continue
            answers = [self._answer(leaf, label, remaining) for leaf, label in leaves]
            components.append({"type": 1, "components": answers} if top["type"] == 1 else
                              {"type": 18, "id": top.get("id"), "component": answers[0]})
        if remaining:
            raise KeyError(f"modal {modal.get('custom_id')!r} has no inputs {sorted(remaining)}")
        submitter = self.state.user(user) if user is not None else self.state.users[opener.user_id]
        message = self.state.messages.get(opener.component_message_id or 0)
        record = build_interaction(self.fake, type_=Kind.MODAL_SUBMIT,
                                   data={"custom_id": modal["custom_id"], "components": components},
                                   user=submitter, channel=self.state.channels[opener.channel_id], message=message)
        await self.fake.gateway.dispatch("INTERACTION_CREATE", record.payload)
        if wait:
            await self.await_ack(record, timeout, f"modal {modal['custom_id']!r}")
        return record

    @staticmethod
    def _answer(leaf: dict[str, Any], label: str | None, remaining: dict[str, Any]) -> dict[str, Any]:
        custom_id = leaf.get("custom_id")
        key = custom_id if custom_id in remaining else label if label in remaining else None
        raw = remaining.pop(key) if key is not None else leaf.get("value")
        if leaf.get("type") == 4:
            text = "" if raw is None else str(raw)
            if leaf.get("required", True) and not text:
                raise ValueError(f"modal input {label or custom_id!r} is required")
            if text and not leaf.get("min_length", 0) <= len(text) <= leaf.get("max_length", 4000):
                raise ValueError(f"modal input {label or custom_id!r}: length {len(text)} outside allowed range")
            return {"type": 4, "custom_id": custom_id, "value": text}
        chosen = [] if raw is None else list(raw) if isinstance(raw, list | tuple) else [raw]
        return {"type": leaf.get("type"), "custom_id": custom_id, "values": [str(v) for v in chosen]}

    # ---- reading what the bot did --------------------------------------------------------------------
    def _events(self, kind: str, channel: Where | None, actor: int | None) -> list[MessageEvent]:
        channel_id = self.state.channel(channel).id if channel is not None else None
        return [e for e in self.state.events if e.kind == kind and (channel_id is None or e.channel_id == channel_id)
                and (actor is None or e.actor_id == actor)]

    def bot_posts(self, channel: Where | None = None, *, include_ephemeral: bool = False) -> list[FakeMessage]:
        """Messages the bot created in ``channel`` (all channels if None), oldest first, deleted ones included."""
        found = [self.state.messages[e.message_id] for e in self._events("create", channel, self.fake.bot_user.id)]
        return [m for m in found if include_ephemeral or not m.ephemeral]

    def bot_edits(self, channel: Where | None = None) -> list[MessageEvent]:
        """Edits the bot made (``before``/``after`` snapshots)."""
        return self._events("edit", channel, self.fake.bot_user.id)

    def bot_deletes(self, channel: Where | None = None) -> list[MessageEvent]:
        """Deletions the bot made (its own messages or members' messages)."""
        return self._events("delete", channel, self.fake.bot_user.id)

    def messages_in(self, channel: Where) -> list[FakeMessage]:
        """Live (not deleted, not ephemeral) messages in a channel, oldest first."""
        return self.state.channel_messages(self.state.channel(channel).id)

    def dms_to(self, user: Who) -> list[FakeMessage]:
        """Messages the bot sent to ``user`` by DM."""
        channel_id = self.state.dm_channels.get(self.state.user(user).id)
        return [] if channel_id is None else self.bot_posts(channel_id)
