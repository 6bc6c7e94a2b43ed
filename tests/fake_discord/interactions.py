"""Interaction payloads the fake sends (slash, autocomplete, context menu, component, modal) and their records."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import payloads
from .permissions import channel_permissions
from .state import FakeAttachment, FakeChannel, FakeMessage, FakeUser, WorldState

if TYPE_CHECKING:
    from .server import FakeDiscord


class Kind:
    """Interaction types (Discord numbers)."""

    PING = 1
    APPLICATION_COMMAND = 2
    COMPONENT = 3
    AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class Callback:
    """Interaction callback types."""

    PONG = 1
    MESSAGE = 4
    DEFERRED_MESSAGE = 5
    DEFERRED_UPDATE = 6
    UPDATE_MESSAGE = 7
    AUTOCOMPLETE = 8
    MODAL = 9


@dataclass
class ResponseRecord:
    """One thing the bot did with an interaction: a callback, followup, edit or delete."""

    kind: str  # "callback" | "followup" | "edit" | "delete"
    type: int | None  # the callback type for kind == "callback"
    data: dict[str, Any]
    message_id: int | None = None
    attachments: list[FakeAttachment] = field(default_factory=list)

    @property
    def content(self) -> str:
        return self.data.get("content") or ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list(self.data.get("embeds") or [])

    @property
    def components(self) -> list[dict[str, Any]]:
        return list(self.data.get("components") or [])

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)


@dataclass
class InteractionRecord:
    """An interaction the fake sent to the bot and everything the bot answered, in order."""

    id: int
    token: str
    type: int
    name: str  # command name, custom_id, or modal custom_id
    user_id: int
    channel_id: int
    guild_id: int | None
    payload: dict[str, Any]
    state: WorldState
    created: float = field(default_factory=time.monotonic)
    responses: list[ResponseRecord] = field(default_factory=list)
    original_id: int | None = None  # the @original message
    component_message_id: int | None = None
    modal: dict[str, Any] | None = None  # the modal the bot opened
    choices: list[dict[str, Any]] | None = None  # autocomplete result
    acked: asyncio.Event = field(default_factory=asyncio.Event)
    followup_ids: list[int] = field(default_factory=list)

    @property
    def callback(self) -> ResponseRecord | None:
        return next((r for r in self.responses if r.kind == "callback"), None)

    @property
    def callback_type(self) -> int | None:
        return self.callback.type if self.callback else None

    @property
    def deferred(self) -> bool:
        return self.callback_type in (Callback.DEFERRED_MESSAGE, Callback.DEFERRED_UPDATE)

    @property
    def message(self) -> FakeMessage | None:
        """The @original message as it is now (after edits), or None."""
        return self.state.messages.get(self.original_id) if self.original_id else None

    @property
    def ephemeral(self) -> bool:
        message = self.message
        if message is not None:
            return message.ephemeral
        return bool(self.callback and self.callback.ephemeral)

    @property
    def content(self) -> str:
        message = self.message
        return message.content if message is not None else ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        message = self.message
        return message.embeds if message is not None else []

    @property
    def components(self) -> list[dict[str, Any]]:
        message = self.message
        return message.components if message is not None else []

    @property
    def followups(self) -> list[FakeMessage]:
        return [self.state.messages[i] for i in self.followup_ids]

    def text(self) -> str:
        """Content plus embed titles/descriptions/fields of the original and followups (for loose asserts)."""
        parts: list[str] = []
        for message in ([self.message] if self.message else []) + self.followups:
            parts.append(message.content)
            for embed in message.embeds:
                parts += [embed.get("title") or "", embed.get("description") or ""]
                parts += [f"{f.get('name')}: {f.get('value')}" for f in embed.get("fields") or []]
                parts.append((embed.get("footer") or {}).get("text") or "")
        return "\n".join(p for p in parts if p)


def build_interaction(fake: FakeDiscord, *, type_: int, data: dict[str, Any], user: FakeUser,
                      channel: FakeChannel, message: FakeMessage | None = None) -> InteractionRecord:
    """Create, register and return an interaction (not yet dispatched)."""
    state = fake.state
    interaction_id = state.ids.next()
    token = f"itok-{interaction_id}"
    payload: dict[str, Any] = {
        "id": str(interaction_id), "application_id": str(fake.application_id), "type": type_, "token": token,
        "version": 1, "attachment_size_limit": fake.config.attachment_size_limit, "data": data,
        "channel_id": str(channel.id), "channel": payloads.channel(state, channel), "locale": "en-US",
        "entitlements": [], "app_permissions": str(channel_permissions(state, channel, fake.bot_user.id)),
    }
    guild = state.guild_of(channel)
    if guild is not None:
        member = guild.members[user.id]
        payload.update({
            "guild_id": str(guild.id), "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "guild_locale": "en-US", "member": payloads.member(state, member, channel=channel), "context": 0,
            "authorizing_integration_owners": {"0": str(guild.id)},
        })
    else:
        payload.update({"user": payloads.user(user), "context": 1,
                        "authorizing_integration_owners": {"1": str(user.id)}})
    if message is not None:
        payload["message"] = payloads.message(state, message)
    name = data.get("name") or data.get("custom_id") or ""
    record = InteractionRecord(interaction_id, token, type_, name, user.id, channel.id,
                               guild.id if guild else None, payload, state,
                               component_message_id=message.id if message else None)
    fake.interactions[interaction_id] = record
    fake.interactions_by_token[token] = record
    return record


def interaction_metadata(record: InteractionRecord, user: FakeUser) -> dict[str, Any]:
    """``interaction_metadata`` for messages created by an interaction response."""
    data: dict[str, Any] = {"id": str(record.id), "type": record.type, "user": payloads.user(user),
                            "authorizing_integration_owners": record.payload.get("authorizing_integration_owners")}
    if record.type == Kind.APPLICATION_COMMAND:
        data["name"] = record.name
    if record.component_message_id:
        data["interacted_message_id"] = str(record.component_message_id)
    return data


def resolve_user(state: WorldState, user: FakeUser, channel: FakeChannel, resolved: dict[str, Any]) -> None:
    resolved.setdefault("users", {})[str(user.id)] = payloads.user(user)
    guild = state.guild_of(channel)
    if guild is not None and user.id in guild.members:
        resolved.setdefault("members", {})[str(user.id)] = payloads.member(
            state, guild.members[user.id], with_user=False, channel=channel)
