"""REST routes of the fake for interaction callbacks and interaction webhooks (followups, @original)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import limits, payloads
from .errors import ApiError, unknown_message
from .interactions import Callback, InteractionRecord, Kind, ResponseRecord, interaction_metadata
from .messaging import Upload, json_response, no_content, read_body
from .state import FakeMessage

if TYPE_CHECKING:
    from .server import FakeDiscord

ALLOWED_CALLBACKS = {
    Kind.APPLICATION_COMMAND: {Callback.MESSAGE, Callback.DEFERRED_MESSAGE, Callback.MODAL},
    Kind.COMPONENT: {Callback.MESSAGE, Callback.DEFERRED_MESSAGE, Callback.DEFERRED_UPDATE,
                     Callback.UPDATE_MESSAGE, Callback.MODAL},
    Kind.AUTOCOMPLETE: {Callback.AUTOCOMPLETE},
    Kind.MODAL_SUBMIT: {Callback.MESSAGE, Callback.DEFERRED_MESSAGE, Callback.DEFERRED_UPDATE,
                        Callback.UPDATE_MESSAGE},
}
LOADING = 128


def unknown_interaction() -> ApiError:
    return ApiError(404, 10062, "Unknown interaction")


def unknown_webhook() -> ApiError:
    return ApiError(404, 10015, "Unknown Webhook")


class InteractionRoutes:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.state = fake.state
        self.bot_id = fake.bot_user.id

    def _message_type(self, record: InteractionRecord) -> int:
        if record.type != Kind.APPLICATION_COMMAND:
            return 0
        return 20 if record.payload["data"].get("type", 1) == 1 else 23

    async def _new_message(self, record: InteractionRecord, data: dict[str, Any], files: list[Upload],
                           *, validate: bool = True) -> FakeMessage:
        channel = self.state.channels[record.channel_id]
        meta = interaction_metadata(record, self.state.users[record.user_id])
        return await self.fake.messages.create(channel, self.bot_id, data, files, webhook_id=self.fake.application_id,
                                               interaction=meta, type_=self._message_type(record), validate=validate)

    # ---- callback ------------------------------------------------------------------------------------
    async def callback(self, request: web.Request) -> web.Response:
        record = self.fake.interactions.get(int(request.match_info["interaction_id"]))
        if record is None or record.token != request.match_info["token"]:
            raise unknown_interaction()
        if record.acked.is_set():
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        late = time.monotonic() - record.created
        if late > self.fake.config.ack_deadline:
            raise ApiError(404, 10062, "Unknown interaction", detail=f"acknowledged after {late:.2f}s")
        body, files = await read_body(request)
        type_ = int(body.get("type") or 0)
        data: dict[str, Any] = body.get("data") or {}
        if type_ not in ALLOWED_CALLBACKS.get(record.type, set()):
            raise ApiError(400, 50035, "Invalid Form Body",
                           detail=f"callback type {type_} is not valid for interaction type {record.type}")
        if type_ == Callback.UPDATE_MESSAGE and record.component_message_id is None:
            raise ApiError(400, 50035, "Invalid Form Body", detail="UPDATE_MESSAGE needs a component message")
        response = ResponseRecord("callback", type_, data)
        message: FakeMessage | None = None
        if type_ == Callback.MESSAGE:
            message = await self._new_message(record, data, files)
        elif type_ == Callback.DEFERRED_MESSAGE:
            flags = (int(data.get("flags") or 0) & 64) | LOADING
            message = await self._new_message(record, {"content": "", "flags": flags}, [], validate=False)
        elif type_ in (Callback.DEFERRED_UPDATE, Callback.UPDATE_MESSAGE):
            message = self.state.messages.get(record.component_message_id or 0)
            if type_ == Callback.UPDATE_MESSAGE and message is not None:
                await self.fake.messages.edit(message, data, files, actor_id=self.bot_id)
        elif type_ == Callback.AUTOCOMPLETE:
            limits.check_choices(data.get("choices") or [])
            record.choices = list(data.get("choices") or [])
        elif type_ == Callback.MODAL:
            limits.check_modal(data)
            record.modal = data
        if message is not None:
            record.original_id = message.id
            response.message_id = message.id
            response.attachments = list(message.attachments)
        record.responses.append(response)
        record.acked.set()
        if request.query.get("with_response") not in ("1", "true", "True"):
            return no_content()
        result: dict[str, Any] = {"interaction": {
            "id": str(record.id), "type": record.type, "activity_instance_id": None,
            "response_message_id": str(message.id) if message else None,
            "response_message_loading": type_ == Callback.DEFERRED_MESSAGE,
            "response_message_ephemeral": bool(message and message.ephemeral),
        }, "resource": {"type": type_}}
        if message is not None and type_ in (Callback.MESSAGE, Callback.UPDATE_MESSAGE):
            result["resource"]["message"] = payloads.message(self.state, message)
        return json_response(result)

    # ---- webhooks ------------------------------------------------------------------------------------
    def _record(self, request: web.Request) -> InteractionRecord:
        if int(request.match_info["webhook_id"]) != self.fake.application_id:
            raise unknown_webhook()
        record = self.fake.interactions_by_token.get(request.match_info["token"])
        if record is None or not record.acked.is_set():
            raise unknown_webhook()
        if time.monotonic() - record.created > self.fake.config.token_ttl:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        return record

    def _target(self, record: InteractionRecord, request: web.Request) -> FakeMessage:
        raw = request.match_info["message_id"]
        message_id = record.original_id if raw == "@original" else int(raw)
        message = self.state.messages.get(message_id or 0)
        allowed = {record.original_id, *record.followup_ids}
        if message is None or message.deleted or message.id not in allowed:
            raise unknown_message()
        return message

    async def followup(self, request: web.Request) -> web.Response:
        record = self._record(request)
        body, files = await read_body(request)
        original = record.message
        # the first followup fills the "thinking" message; once that was deleted, followups are new messages
        if original is not None and not original.deleted and original.flags & LOADING:
            body = {k: v for k, v in body.items() if k != "flags"}
            message = await self.fake.messages.edit(original, body, files, actor_id=self.bot_id)
        else:
            message = await self._new_message(record, body, files)
            record.followup_ids.append(message.id)
        record.responses.append(ResponseRecord("followup", None, body, message.id, list(message.attachments)))
        if request.query.get("wait") not in ("1", "true", "True"):
            return no_content()
        return json_response(payloads.message(self.state, message))

    async def webhook_message(self, request: web.Request) -> web.Response:
        record = self._record(request)
        message = self._target(record, request)
        if request.method == "GET":
            return json_response(payloads.message(self.state, message))
        if request.method == "DELETE":
            await self.fake.messages.delete(message, actor_id=self.bot_id)
            record.responses.append(ResponseRecord("delete", None, {}, message.id))
            return no_content()
        body, files = await read_body(request)
        await self.fake.messages.edit(message, body, files, actor_id=self.bot_id)
        record.responses.append(ResponseRecord("edit", None, body, message.id, list(message.attachments)))
        return json_response(payloads.message(self.state, message))


def register(router: web.UrlDispatcher, fake: FakeDiscord, prefix: str) -> None:
    r = InteractionRoutes(fake)
    w = f"{prefix}/webhooks/{{webhook_id}}/{{token}}"
    router.add_post(f"{prefix}/interactions/{{interaction_id}}/{{token}}/callback", r.callback)
    router.add_post(w, r.followup)
    router.add_get(f"{w}/messages/{{message_id}}", r.webhook_message)
    router.add_patch(f"{w}/messages/{{message_id}}", r.webhook_message)
    router.add_delete(f"{w}/messages/{{message_id}}", r.webhook_message)
