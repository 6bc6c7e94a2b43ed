"""REST routes of the fake for login, application info and commands, users, DMs, guilds, members and roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import limits, payloads
from .errors import ApiError, invalid_form_body, unknown_channel, unknown_guild, unknown_member, unknown_user
from .messaging import json_response, no_content, read_body
from .permissions import is_admin, require_above, require_guild
from .state import ChannelType, FakeGuild, FakeMember

if TYPE_CHECKING:
    from .server import FakeDiscord

MAX_TIMEOUT = timedelta(days=28)


class CoreRoutes:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.state = fake.state

    # ---- login and application -----------------------------------------------------------------------
    async def me(self, request: web.Request) -> web.Response:
        return json_response({**payloads.user(self.fake.bot_user), "verified": True, "mfa_enabled": False,
                              "flags": 0, "locale": "en-US"})

    async def application(self, request: web.Request) -> web.Response:
        return json_response({
            "id": str(self.fake.application_id), "name": self.fake.bot_user.global_name or "bot",
            "description": "fake application", "icon": None, "bot_public": False,
            "bot_require_code_grant": False, "owner": payloads.user(self.fake.owner), "team": None,
            "verify_key": "0" * 64, "flags": self.fake.application_flags(), "interactions_endpoint_url": None,
            "summary": "", "rpc_origins": [], "tags": [],
            "bot": payloads.user(self.fake.bot_user),
        })

    async def gateway_bot(self, request: web.Request) -> web.Response:
        return json_response({"url": self.fake.gateway_url, "shards": self.fake.config.shards,
                              "session_start_limit": self.fake.gateway.shards.session_start_limit()})

    # ---- application commands ------------------------------------------------------------------------
    def _guild_scope(self, request: web.Request) -> int | None:
        raw = request.match_info.get("guild_id")
        if raw is None:
            return None
        if int(raw) not in self.state.guilds:
            raise ApiError(403, 50001, "Missing Access")
        return int(raw)

    def _check_app(self, request: web.Request) -> None:
        if int(request.match_info["app_id"]) != self.fake.application_id:
            raise ApiError(403, 50035, "Invalid Form Body", detail="application id does not match the token")

    async def put_commands(self, request: web.Request) -> web.Response:
        self._check_app(request)
        guild_id = self._guild_scope(request)
        body, _ = await read_body(request)
        problems = [p for i, cmd in enumerate(body) for p in limits.check_command(cmd, i)]
        if len([c for c in body if c.get("type", 1) == 1]) > 100:
            problems.append(limits.FieldError("commands", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length."))
        if problems:
            raise invalid_form_body(problems)
        store = self.state.commands_for(guild_id)
        store.clear()
        for cmd in body:
            store[(cmd["name"], cmd.get("type", 1))] = self._stored(cmd, guild_id)
        self.state.sync_count += 1
        return json_response(list(store.values()))

    def _stored(self, cmd: dict[str, Any], guild_id: int | None) -> dict[str, Any]:
        key = (guild_id, cmd["name"], cmd.get("type", 1))
        cmd_id = self.state.command_ids.setdefault(key, self.state.ids.next())
        stored = {
            "description": "", "options": [], "default_member_permissions": None, "nsfw": False,
            **cmd, "id": str(cmd_id), "application_id": str(self.fake.application_id), "version": str(cmd_id),
            "type": cmd.get("type", 1),
        }
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        return stored

    async def get_commands(self, request: web.Request) -> web.Response:
        self._check_app(request)
        return json_response(list(self.state.commands_for(self._guild_scope(request)).values()))

    # ---- users and DMs -------------------------------------------------------------------------------
    async def get_user(self, request: web.Request) -> web.Response:
        user = self.state.users.get(int(request.match_info["user_id"]))
        if user is None:
            raise unknown_user()
        return json_response(payloads.user(user))

    async def open_dm(self, request: web.Request) -> web.Response:
        body, _ = await read_body(request)
        user = self.state.users.get(int(body.get("recipient_id") or 0))
        if user is None:
            raise unknown_user()
        channel_id = self.state.dm_channels.get(user.id)
        if channel_id is None:
            channel = self.state.add_channel(None, None, ChannelType.DM, recipient_id=user.id)
            self.state.dm_channels[user.id] = channel.id
            channel_id = channel.id
        return json_response(payloads.channel(self.state, self.state.channels[channel_id]))

    # ---- guilds, members, roles ----------------------------------------------------------------------
    def _guild(self, request: web.Request) -> FakeGuild:
        guild = self.state.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            raise unknown_guild()
        return guild

    def _member(self, guild: FakeGuild, request: web.Request) -> FakeMember:
        member = guild.members.get(int(request.match_info["user_id"]))
        if member is None:
            raise unknown_member()
        return member

    async def get_guild(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        data = payloads.guild(self.state, guild, include_members=False, bot_id=self.fake.bot_user.id)
        for key in ("members", "channels", "threads", "voice_states", "presences"):
            data.pop(key, None)
        data["approximate_member_count"] = len(guild.members)
        return json_response(data)

    async def get_channels(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        chans = [self.state.channels[c] for c in guild.channels if not self.state.channels[c].is_thread]
        return json_response([payloads.channel(self.state, c) for c in chans])

    async def get_roles(self, request: web.Request) -> web.Response:
        return json_response([payloads.role(r) for r in self._guild(request).roles.values()])

    async def get_member(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        return json_response(payloads.member(self.state, self._member(guild, request)))

    async def list_members(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        if "members" not in self.fake.config.granted_intents:
            raise ApiError(403, 50001, "Missing Access", detail="listing members needs the members intent")
        limit = int(request.query.get("limit", 1))
        after = int(request.query.get("after", 0))
        members = sorted((m for uid, m in guild.members.items() if uid > after), key=lambda m: m.user_id)[:limit]
        return json_response([payloads.member(self.state, m) for m in members])

    async def patch_member(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        member = self._member(guild, request)
        body, _ = await read_body(request)
        bot_id = self.fake.bot_user.id
        if "communication_disabled_until" in body:
            require_guild(guild, bot_id, "moderate_members")
            if is_admin(guild, member.user_id):
                raise ApiError(403, 50013, "Missing Permissions", detail="cannot time out an administrator")
            require_above(guild, bot_id, member.user_id)
            until = body["communication_disabled_until"]
            if until is not None and datetime.fromisoformat(until) - datetime.now(UTC) > MAX_TIMEOUT:
                raise invalid_form_body([limits.FieldError(
                    "communication_disabled_until", "BASE_TYPE_BAD_DATETIME", "Timeouts are at most 28 days")])
            member.communication_disabled_until = until
        if "nick" in body:
            require_guild(guild, bot_id, "manage_nicknames")
            require_above(guild, bot_id, member.user_id)
            member.nick = body["nick"]
        if "roles" in body:
            require_guild(guild, bot_id, "manage_roles")
            for role_id in set(map(int, body["roles"])) ^ set(member.roles):
                self._check_role(guild, role_id)
            member.roles = [int(r) for r in body["roles"]]
        await self._member_updated(guild, member)
        return json_response(payloads.member(self.state, member))

    def _check_role(self, guild: FakeGuild, role_id: int) -> None:
        role = guild.roles.get(role_id)
        if role is None:
            raise ApiError(404, 10011, "Unknown Role")
        if role.managed or guild.top_position(self.fake.bot_user.id) <= role.position:
            raise ApiError(403, 50013, "Missing Permissions", detail=f"role {role.name!r} is above the bot")

    async def member_role(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        member = self._member(guild, request)
        require_guild(guild, self.fake.bot_user.id, "manage_roles")
        role_id = int(request.match_info["role_id"])
        self._check_role(guild, role_id)
        if request.method == "PUT" and role_id not in member.roles:
            member.roles.append(role_id)
        elif request.method == "DELETE" and role_id in member.roles:
            member.roles.remove(role_id)
        await self._member_updated(guild, member)
        return no_content()

    async def kick(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        member = self._member(guild, request)
        require_guild(guild, self.fake.bot_user.id, "kick_members")
        require_above(guild, self.fake.bot_user.id, member.user_id)
        del guild.members[member.user_id]
        await self.fake.gateway.dispatch("GUILD_MEMBER_REMOVE", {
            "guild_id": str(guild.id), "user": payloads.user(self.state.users[member.user_id])}, guild_id=guild.id)
        return no_content()

    async def ban(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        user_id = int(request.match_info["user_id"])
        require_guild(guild, self.fake.bot_user.id, "ban_members")
        if request.method == "DELETE":
            if guild.bans.pop(user_id, "missing") == "missing":
                raise ApiError(404, 10026, "Unknown Ban")
            return no_content()
        if user_id in guild.members:
            require_above(guild, self.fake.bot_user.id, user_id)
            del guild.members[user_id]
        guild.bans[user_id] = request.headers.get("X-Audit-Log-Reason")
        await self.fake.gateway.dispatch("GUILD_BAN_ADD", {
            "guild_id": str(guild.id), "user": payloads.user(self.state.user(user_id))}, guild_id=guild.id)
        return no_content()

    async def _member_updated(self, guild: FakeGuild, member: FakeMember) -> None:
        await self.fake.gateway.dispatch("GUILD_MEMBER_UPDATE", {
            "guild_id": str(guild.id), **payloads.member(self.state, member)}, guild_id=guild.id)

    async def attachment(self, request: web.Request) -> web.Response:
        att_id = int(request.match_info["attachment_id"])
        attachments = [a for m in self.state.messages.values() for a in m.attachments]
        for att in attachments + self.fake.loose_attachments:
            if att.id == att_id:
                return web.Response(body=att.data, content_type=att.content_type or "application/octet-stream")
        raise unknown_channel()


def register(router: web.UrlDispatcher, fake: FakeDiscord, prefix: str) -> None:
    r = CoreRoutes(fake)
    p = prefix
    router.add_get(f"{p}/users/@me", r.me)
    router.add_get(f"{p}/oauth2/applications/@me", r.application)
    router.add_get(f"{p}/applications/@me", r.application)
    router.add_get(f"{p}/gateway/bot", r.gateway_bot)
    router.add_get(f"{p}/gateway", r.gateway_bot)
    router.add_put(f"{p}/applications/{{app_id}}/commands", r.put_commands)
    router.add_get(f"{p}/applications/{{app_id}}/commands", r.get_commands)
    router.add_put(f"{p}/applications/{{app_id}}/guilds/{{guild_id}}/commands", r.put_commands)
    router.add_get(f"{p}/applications/{{app_id}}/guilds/{{guild_id}}/commands", r.get_commands)
    router.add_get(f"{p}/users/{{user_id:\\d+}}", r.get_user)
    router.add_post(f"{p}/users/@me/channels", r.open_dm)
    router.add_get(f"{p}/guilds/{{guild_id}}", r.get_guild)
    router.add_get(f"{p}/guilds/{{guild_id}}/channels", r.get_channels)
    router.add_get(f"{p}/guilds/{{guild_id}}/roles", r.get_roles)
    router.add_get(f"{p}/guilds/{{guild_id}}/members", r.list_members)
    router.add_get(f"{p}/guilds/{{guild_id}}/members/{{user_id}}", r.get_member)
    router.add_patch(f"{p}/guilds/{{guild_id}}/members/{{user_id}}", r.patch_member)
    router.add_delete(f"{p}/guilds/{{guild_id}}/members/{{user_id}}", r.kick)
    router.add_put(f"{p}/guilds/{{guild_id}}/members/{{user_id}}/roles/{{role_id}}", r.member_role)
    router.add_delete(f"{p}/guilds/{{guild_id}}/members/{{user_id}}/roles/{{role_id}}", r.member_role)
    router.add_put(f"{p}/guilds/{{guild_id}}/bans/{{user_id}}", r.ban)
    router.add_delete(f"{p}/guilds/{{guild_id}}/bans/{{user_id}}", r.ban)
    router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", r.attachment)
