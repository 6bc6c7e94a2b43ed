"""Creating, editing and deleting messages in the fake (state, event log and gateway dispatch in one place)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import limits, payloads
from .errors import ApiError
from .state import FakeAttachment, FakeChannel, FakeMessage, iso

if TYPE_CHECKING:
    from .server import FakeDiscord

JSON_HEADERS = {"Content-Type": "application/json"}
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response whose Content-Type is exactly ``application/json`` (discord.py compares it verbatim)."""
    return web.Response(body=json.dumps(data).encode(), status=status, headers={**JSON_HEADERS, **(headers or {})})


def no_content() -> web.Response:
    return web.Response(status=204)


@dataclass
class Upload:
    index: int
    filename: str
    data: bytes
    content_type: str | None


async def read_body(request: web.Request) -> tuple[dict[str, Any], list[Upload]]:
    """The JSON payload and uploaded files of a request (JSON body, or multipart ``payload_json`` + ``files[n]``)."""
    if request.content_type.startswith("multipart/"):
        payload: dict[str, Any] = {}
        files: list[Upload] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            name = getattr(part, "name", None) or ""
            data = await part.read()  # type: ignore[union-attr]
            if name == "payload_json":
                payload = _refuse_lone_surrogates(json.loads(data))
            elif name.startswith("files["):
                index = int(name[6:-1])
                files.append(Upload(index, getattr(part, "filename", None) or f"file{index}", bytes(data),
                                    part.headers.get("Content-Type")))
        return payload, files
    if not request.can_read_body:
        return {}, []
    body = await request.read()
    return (_refuse_lone_surrogates(json.loads(body)) if body else {}), []


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return _LONE_SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def _refuse_lone_surrogates(payload: Any) -> Any:
    """A JSON string escape of a lone UTF-16 surrogate (``"\\ud800"``) from the bot: Discord keeps text as UTF-8,
    which cannot hold one, so the fake refuses the request (a protocol error: the bot must sanitize first)."""
    if _has_lone_surrogate(payload):
        raise ApiError(400, 50109, "The request body contains invalid JSON.")
    return payload


class Messenger:
    """Message lifecycle shared by REST routes, interaction responses and simulated users."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.state = fake.state

    def _attachments(self, message: FakeMessage | None, payload: dict[str, Any],
                     files: list[Upload]) -> list[FakeAttachment]:
        by_index = {f.index: f for f in files}
        existing = {a.id: a for a in (message.attachments if message else [])}
        result: list[FakeAttachment] = []
        used: set[int] = set()
        listed = payload.get("attachments")
        for entry in listed if listed is not None else list(existing.values()):
            raw_id = int(entry.id if isinstance(entry, FakeAttachment) else entry.get("id", -1))
            if raw_id in existing:
                result.append(existing[raw_id])
            elif raw_id in by_index:
                used.add(raw_id)
                desc = entry.get("description") if isinstance(entry, dict) else None
                result.append(self._store(message, by_index[raw_id], desc))
        result.extend(self._store(message, f, None) for f in files if f.index not in used)
        limit = self.fake.config.attachment_size_limit
        if any(len(a.data) > limit for a in result):
            raise ApiError(413, 40005, "Request entity too large")
        return result

    def _store(self, message: FakeMessage | None, upload: Upload, description: str | None) -> FakeAttachment:
        att_id = self.state.ids.next()
        channel_id = message.channel_id if message else 0
        url = f"{self.fake.base_url}/attachments/{channel_id}/{att_id}/{upload.filename}"
        return FakeAttachment(att_id, upload.filename, upload.data, upload.content_type, description, url)

    async def create(self, channel: FakeChannel, author_id: int, payload: dict[str, Any],
                     files: list[Upload] | None = None, *, webhook_id: int | None = None,
                     interaction: dict[str, Any] | None = None, type_: int = 0, dispatch: bool = True,
                     validate: bool = True, content_max: int = limits.CONTENT_MAX) -> FakeMessage:
        """Store a new message and (unless ephemeral) dispatch MESSAGE_CREATE."""
        files = files or []
        if validate:
            limits.check_message(payload, has_files=bool(files), content_max=content_max)
        if channel.is_thread and channel.archived and not channel.locked:
            channel.archived = False  # sending to an archived thread unarchives it, as on Discord
        embeds = list(payload.get("embeds") or [])
        if payload.get("embed"):
            embeds.insert(0, payload["embed"])
        reference = payload.get("message_reference") or {}
        message = FakeMessage(
            id=self.state.ids.next(), channel_id=channel.id, author_id=author_id, guild_id=channel.guild_id,
            content=payload.get("content") or "", embeds=embeds, components=list(payload.get("components") or []),
            flags=int(payload.get("flags") or 0), type=type_, webhook_id=webhook_id, interaction=interaction,
            nonce=payload.get("nonce"), allowed_mentions=payload.get("allowed_mentions"),
            reference_id=int(reference["message_id"]) if reference.get("message_id") else None,
        )
        if message.reference_id is not None and message.type == 0:
            message.type = 19  # REPLY
        message.attachments = self._attachments(message, payload, files)
        self.state.messages[message.id] = message
        if channel.is_thread:
            channel.message_count += 1
        self.state.record("create", message, author_id, after=self.snapshot(message))
        if dispatch and not message.ephemeral:
            await self.dispatch("MESSAGE_CREATE", message)
        return message

    async def edit(self, message: FakeMessage, payload: dict[str, Any], files: list[Upload] | None = None,
                   *, actor_id: int, validate: bool = True) -> FakeMessage:
        """Apply an edit (only the keys present) and dispatch MESSAGE_UPDATE."""
        files = files or []
        if validate:
            limits.check_message(payload, has_files=bool(files), editing=True)
        before = self.snapshot(message)
        if "content" in payload:
            message.content = payload["content"] or ""
        if "embeds" in payload:
            message.embeds = list(payload["embeds"] or [])
        if "components" in payload:
            message.components = list(payload["components"] or [])
        if "flags" in payload and payload["flags"] is not None:
            message.flags = (message.flags & 64) | (int(payload["flags"]) & ~64)
        if "attachments" in payload or files:
            message.attachments = self._attachments(message, payload, files)
        message.flags &= ~128  # an edit ends the "thinking..." state
        merged = {"content": message.content, "embeds": message.embeds, "components": message.components,
                  "flags": message.flags}
        limits.check_message(merged, has_files=bool(message.attachments), editing=True)
        message.edited_timestamp = iso()
        self.state.record("edit", message, actor_id, before=before, after=self.snapshot(message))
        if not message.ephemeral:
            await self.dispatch("MESSAGE_UPDATE", message)
        return message

    async def delete(self, message: FakeMessage, *, actor_id: int) -> None:
        message.deleted = True
        self.state.record("delete", message, actor_id, before=self.snapshot(message))
        if message.ephemeral:
            return
        data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        await self.fake.gateway.dispatch("MESSAGE_DELETE", data, guild_id=message.guild_id)

    async def dispatch(self, event: str, message: FakeMessage) -> None:
        """Dispatch a message event, blanking content for sessions without the intent (unless exempt)."""
        channel = self.state.channels[message.channel_id]
        if channel.guild_id is not None and not self.fake.bot_can_view(channel):
            return
        exempt = message.author_id == self.fake.bot_user.id or channel.guild_id is None \
            or f"<@{self.fake.bot_user.id}>" in message.content or f"<@!{self.fake.bot_user.id}>" in message.content

        def build(hide: bool) -> dict[str, Any]:
            return payloads.message(self.state, message, hide_content=hide and not exempt)

        await self.fake.gateway.dispatch(event, guild_id=message.guild_id, message_payload=build)

    @staticmethod
    def snapshot(message: FakeMessage) -> dict[str, Any]:
        return {"content": message.content, "embeds": [dict(e) for e in message.embeds],
                "components": list(message.components), "flags": message.flags,
                "attachments": [a.filename for a in message.attachments]}
