"""The fake Discord server: an aiohttp app on 127.0.0.1 serving REST (/api/v10) and the gateway (/gateway)."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import discord
from aiohttp import web

from . import automod, routes_core, routes_interactions, routes_messages
from .errors import PROTOCOL_ERROR_CODES, ApiError
from .faults import Faults
from .gateway import Gateway
from .interactions import InteractionRecord
from .logguard import ErrorLogGuard
from .messaging import Messenger, json_response
from .permissions import VIEW_CHANNEL, channel_permissions
from .state import FakeAttachment, FakeChannel, FakeGuild, FakeUser, WorldState, perm

log = logging.getLogger("fake_discord")
API_PREFIX = "/api/v10"
UNAUTHENTICATED_PREFIXES = ("/webhooks/", "/interactions/")
MAJOR_PARAMS = ("channel_id", "guild_id", "webhook_id", "interaction_id")


@dataclass
class FakeConfig:
    """Knobs tests flip on the fake."""

    granted_intents: set[str] = field(default_factory=lambda: {"message_content", "members"})
    ack_deadline: float = 3.0  # seconds to answer an interaction before 10062
    token_ttl: float = 15 * 60.0  # interaction token lifetime for followups
    require_synced_commands: bool = True  # invoking an unsynced command raises in the test helper
    refuse_resume: bool = False  # answer RESUME with INVALID_SESSION
    attachment_size_limit: int = 10 * 1024 * 1024
    # Sharding (fake_discord/sharding.py). GET /gateway/bot answers ``shards`` and session_start_limit.
    shards: int = 1  # the shard count Discord recommends
    max_concurrency: int = 1  # IDENTIFY buckets: shard_id % max_concurrency
    identify_interval: float = 0.0  # seconds between IDENTIFYs of one bucket (Discord: 5); 0: not enforced
    max_guilds_per_shard: int = 2500  # more guilds on one session: close 4011 (sharding required)
    session_start_total: int = 1000


@dataclass
class RequestRecord:
    method: str
    route: str  # "POST /channels/{channel_id}/messages"
    path: str
    query: dict[str, str]
    status: int = 0
    error: ApiError | None = None
    at: float = field(default_factory=time.monotonic)


class FakeDiscord:
    """A fake Discord for one test: state, REST routes, gateway, recorded requests and errors."""

    def __init__(self, *, token: str = "fake-bot-token", bot_name: str = "ModBot") -> None:
        self.token = token
        self.config = FakeConfig()
        self.state = WorldState()
        self.faults = Faults()
        self.gateway = Gateway(self)
        self.messages = Messenger(self)
        self.owner = self.state.add_user("app_owner", "appowner")
        self.bot_user: FakeUser = self.state.add_user("bot", bot_name.lower(), bot=True)
        self.bot_user.global_name = bot_name
        self.application_id = self.bot_user.id
        self.interactions: dict[int, InteractionRecord] = {}
        self.interactions_by_token: dict[str, InteractionRecord] = {}
        self.loose_attachments: list[FakeAttachment] = []  # uploaded as slash command options
        self.automod_rules: dict[int, automod.FakeAutoModRule] = {}  # automod.add_rule(fake, ...)
        self.requests: list[RequestRecord] = []
        self.api_errors: list[tuple[str, ApiError]] = []
        self.protocol_errors: list[str] = []  # bugs in the bot: limits, unknown routes, double acks, late acks
        self.internal_errors: list[str] = []  # bugs in the fake itself
        self.errors_allowed = False  # set by allow_errors(): the test expects errors
        self.log_guard: ErrorLogGuard | None = None  # set by the fixture; harnesses read it
        self.port = 0
        self._runner: web.AppRunner | None = None
        self.last_activity = time.monotonic()
        self.inflight = 0  # REST requests being handled right now

    # ---- lifecycle -----------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> FakeDiscord:
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        routes_core.register(app.router, self, API_PREFIX)
        routes_messages.register(app.router, self, API_PREFIX)
        routes_interactions.register(app.router, self, API_PREFIX)
        automod.register(app.router, self, API_PREFIX)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def stop(self) -> None:
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def allow_errors(self) -> None:
        """This test expects logged errors / rejected requests: do not fail it for them."""
        self.errors_allowed = True

    # ---- world helpers -------------------------------------------------------------------------------
    def application_flags(self) -> int:
        flags = discord.ApplicationFlags()
        flags.gateway_message_content = "message_content" in self.config.granted_intents
        flags.gateway_guild_members = "members" in self.config.granted_intents
        flags.gateway_presence = "presences" in self.config.granted_intents
        return flags.value

    def guild(self, which: int | str | None = None) -> FakeGuild:
        """A guild by id or name; the first guild by default."""
        for g in self.state.guilds.values():
            if which is None or g.id == which or g.name == which or str(g.id) == str(which):
                return g
        raise KeyError(f"no guild {which!r}")

    def bot_role(self, guild: FakeGuild | None = None) -> Any:
        guild = guild or self.guild()
        return next(r for r in guild.roles.values() if r.bot_id == self.bot_user.id)

    async def set_bot_permissions(self, *names: str, guild: FakeGuild | None = None, value: int | None = None) -> None:
        """Replace the bot's managed-role permissions in ``guild`` (names like "send_messages", or ``value``)."""
        role = self.bot_role(guild)
        role.permissions = value if value is not None else perm(*names)
        from . import payloads

        await self.gateway.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(role.guild_id), "role": payloads.role(role)})

    def block_dms(self, user: str | int | FakeUser, blocked: bool = True) -> None:
        """Make DMs to ``user`` fail with 50007 (Cannot send messages to this user)."""
        self.state.user(user).dm_blocked = blocked

    def bot_can_view(self, channel: FakeChannel) -> bool:
        return bool(channel_permissions(self.state, channel, self.bot_user.id) & VIEW_CHANNEL)

    # ---- request plumbing ----------------------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.last_activity = time.monotonic()
        if request.path == "/gateway" or request.path.startswith("/attachments/"):
            return await handler(request)
        self.inflight += 1
        try:
            return await self._handle(request, handler)
        finally:
            self.inflight -= 1
            self.last_activity = time.monotonic()

    async def _handle(self, request: web.Request, handler: Any) -> web.StreamResponse:
        info = request.match_info
        resource = info.route.resource
        template = resource.canonical if resource is not None else request.path
        route = f"{request.method} {template.removeprefix(API_PREFIX)}"
        record = RequestRecord(request.method, route, request.path, dict(request.query))
        self.requests.append(record)
        if info.http_exception is not None:
            record.status = 404
            self.protocol_errors.append(f"the fake has no route for {request.method} {request.path}")
            return json_response({"message": "404: Not Found", "code": 0}, 404)
        path = request.path.removeprefix(API_PREFIX)
        authorized = request.headers.get("Authorization") == f"Bot {self.token}"
        if not path.startswith(UNAUTHENTICATED_PREFIXES) and not authorized:
            record.status = 401
            return json_response({"message": "401: Unauthorized", "code": 0}, 401)
        major = next((info[p] for p in MAJOR_PARAMS if p in info), "")
        delay = self.faults.delay_for(route)
        if delay:
            await asyncio.sleep(delay)
        injected = self.faults.check(route, major)
        if injected is not None:
            status, body, headers = injected
            record.status = status
            return json_response(body, status, headers)
        try:
            response = await handler(request)
        except ApiError as exc:
            record.status, record.error = exc.status, exc
            self.api_errors.append((route, exc))
            if exc.code in PROTOCOL_ERROR_CODES:
                self.protocol_errors.append(f"{route}: {exc}")
            log.debug("fake discord %s -> %s", route, exc)
            return json_response(exc.body(), exc.status)
        except Exception as exc:  # a bug in the fake: answer 400 (a 5xx makes discord.py retry slowly)
            log.exception("fake discord crashed on %s", route)
            self.internal_errors.append(f"{route}: {exc!r}")
            record.status = 400
            return json_response({"message": f"fake discord internal error: {exc!r}", "code": 0}, 400)
        record.status = response.status
        for key, value in self.faults.headers_for(route, major).items():
            response.headers[key] = value
        return response

    def requests_to(self, route: str) -> list[RequestRecord]:
        """Recorded requests for a route like ``"POST /channels/{channel_id}/messages"``."""
        return [r for r in self.requests if r.route == route]
