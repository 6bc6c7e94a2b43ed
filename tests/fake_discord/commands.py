"""Simulated users invoking application commands: slash commands, autocomplete and context menus."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from . import payloads
from .interactions import InteractionRecord, Kind, build_interaction, resolve_user
from .permissions import base_permissions
from .state import FakeAttachment, FakeChannel, FakeMessage, FakeUser, WorldState

if TYPE_CHECKING:
    from .server import FakeDiscord

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)


class CommandNotAvailable(AssertionError):
    """The member could not run this command on real Discord (never synced, or hidden by permissions)."""


def _option_value(state: WorldState, fake: FakeDiscord, spec: dict[str, Any], value: Any, channel: FakeChannel,
                  resolved: dict[str, Any]) -> Any:
    kind = spec["type"]
    name = spec["name"]
    if kind == STRING:
        value = str(value)
        if "min_length" in spec and len(value) < spec["min_length"] or \
                "max_length" in spec and len(value) > spec["max_length"]:
            raise ValueError(f"option {name!r}: length {len(value)} outside Discord's allowed range")
    elif kind == INTEGER:
        value = int(value)
    elif kind == NUMBER:
        value = float(value)
    elif kind == BOOLEAN:
        value = bool(value)
    elif kind in (USER, MENTIONABLE) and not _is_role(fake, value, channel):
        user = state.user(value)
        resolve_user(state, user, channel, resolved)
        return str(user.id)
    elif kind in (ROLE, MENTIONABLE):
        guild = state.guild_of(channel)
        assert guild is not None, "role options need a guild channel"
        role = guild.roles[int(value)] if str(value).isdigit() else guild.role_named(str(value))
        resolved.setdefault("roles", {})[str(role.id)] = payloads.role(role)
        return str(role.id)
    elif kind == CHANNEL:
        target = state.channel(value)
        data = payloads.channel(state, target)
        data["permissions"] = str(base_permissions(state.guilds[target.guild_id], fake.bot_user.id)) \
            if target.guild_id else "0"
        resolved.setdefault("channels", {})[str(target.id)] = data
        return str(target.id)
    elif kind == ATTACHMENT:
        filename, data_bytes = value if isinstance(value, tuple) else ("file.bin", bytes(value))
        att_id = state.ids.next()
        url = f"{fake.base_url}/attachments/0/{att_id}/{filename}"
        attachment = FakeAttachment(att_id, filename, data_bytes, None, None, url)
        fake.loose_attachments.append(attachment)
        resolved.setdefault("attachments", {})[str(att_id)] = payloads.attachment(attachment)
        return str(att_id)
    choices = spec.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise ValueError(f"option {name!r}: {value!r} is not one of the choices {[c['value'] for c in choices]}")
    if kind in (INTEGER, NUMBER) and ("min_value" in spec and value < spec["min_value"]
                                      or "max_value" in spec and value > spec["max_value"]):
        raise ValueError(f"option {name!r}: {value} outside [{spec.get('min_value')}, {spec.get('max_value')}]")
    return value


def _is_role(fake: FakeDiscord, value: Any, channel: FakeChannel) -> bool:
    guild = fake.state.guild_of(channel)
    if guild is None:
        return False
    return (str(value).isdigit() and int(value) in guild.roles) or \
        any(r.name == value for r in guild.roles.values())


def build_options(fake: FakeDiscord, specs: list[dict[str, Any]], values: Mapping[str, Any], channel: FakeChannel,
                  resolved: dict[str, Any], focused: str | None = None) -> list[dict[str, Any]]:
    """Interaction ``options`` for ``values`` checked against the synced option ``specs``, as Discord's client does."""
    by_name = {s["name"]: s for s in specs}
    options = []
    for name, value in values.items():
        spec = by_name.get(name)
        if spec is None:
            raise ValueError(f"no option {name!r}; the synced command has {sorted(by_name)}")
        if name == focused:
            options.append({"type": spec["type"], "name": name, "value": str(value), "focused": True})
            continue
        options.append({"type": spec["type"], "name": name,
                        "value": _option_value(fake.state, fake, spec, value, channel, resolved)})
    missing = [s["name"] for s in specs if s.get("required") and s["name"] not in values]
    if missing and focused is None:
        raise ValueError(f"missing required option(s) {missing}")
    return options


def _guess_specs(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    def kind(v: Any) -> int:
        return BOOLEAN if isinstance(v, bool) else INTEGER if isinstance(v, int) else \
            NUMBER if isinstance(v, float) else STRING
    return [{"name": k, "type": kind(v)} for k, v in values.items()]


class CommandActions:
    """Mixin: a member runs slash commands, autocomplete and context menus. Needs ``fake`` and ``await_ack``."""

    fake: FakeDiscord
    command_timeout: float = 3.0
    await_ack: Callable[..., Any]

    async def _command(self, name: str, type_: int, guild_id: int | None, user: FakeUser) -> dict[str, Any] | None:
        state = self.fake.state
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.command_timeout
        found = state.find_command(name, type_, guild_id)
        # wait for a sync still in flight (only until the first sync lands: after that a miss is final)
        while found is None and state.sync_count == 0 and self.fake.config.require_synced_commands \
                and loop.time() < deadline:
            await asyncio.sleep(0.005)
            found = state.find_command(name, type_, guild_id)
        if found is None and self.fake.config.require_synced_commands:
            known = sorted({n for (n, _t) in [*state.global_commands, *state.guild_commands.get(guild_id or 0, {})]})
            raise CommandNotAvailable(f"command {name!r} (type {type_}) was never synced; synced: {known}")
        required = (found or {}).get("default_member_permissions")
        if found and required is not None and guild_id is not None:
            guild = state.guilds[guild_id]
            if base_permissions(guild, user.id) & int(required) != int(required):
                raise CommandNotAvailable(f"{user.username} lacks default_member_permissions of /{name}")
        return found

    async def _app_command(self, command: str, options: Mapping[str, Any] | None, user: str | int | FakeUser,
                           channel: str | int | FakeChannel, *, kind: int, focused: str | None = None
                           ) -> InteractionRecord:
        state = self.fake.state
        member, where = state.user(user), state.channel(channel)
        root, *path = command.split()
        found = await self._command(root, 1, where.guild_id, member)
        specs = (found or {}).get("options") or []
        data: dict[str, Any] = {"id": (found or {}).get("id", str(state.ids.next())), "name": root, "type": 1}
        if found and found.get("guild_id"):
            data["guild_id"] = found["guild_id"]
        resolved: dict[str, Any] = {}
        container = data
        for part in path:  # subcommand groups and subcommands
            spec = next((s for s in specs if s["name"] == part and s["type"] in (1, 2)), None)
            if spec is None and found is not None:
                raise ValueError(f"/{root} has no subcommand {part!r}")
            sub = {"type": spec["type"] if spec else SUB_COMMAND, "name": part, "options": []}
            container.setdefault("options", []).append(sub)
            container, specs = sub, (spec or {}).get("options") or []
        values = dict(options or {})
        specs = specs if found else _guess_specs(values)
        container["options"] = build_options(self.fake, specs, values, where, resolved, focused)
        if resolved:
            data["resolved"] = resolved
        record = build_interaction(self.fake, type_=kind, data=data, user=member, channel=where)
        await self.fake.gateway.dispatch("INTERACTION_CREATE", record.payload)
        return record

    async def slash(self, command: str, options: Mapping[str, Any] | None = None, *,
                    user: str | int | FakeUser = "member", channel: str | int | FakeChannel = "general",
                    wait: bool = True, timeout: float = 3.0) -> InteractionRecord:
        """Run ``/command`` ("review list" for subcommands) as ``user``; wait until the bot acknowledges it."""
        record = await self._app_command(command, options, user, channel, kind=Kind.APPLICATION_COMMAND)
        if wait:
            await self.await_ack(record, timeout, f"/{command}")
        return record

    async def autocomplete(self, command: str, focused: str, value: str = "",
                           options: Mapping[str, Any] | None = None, *, user: str | int | FakeUser = "member",
                           channel: str | int | FakeChannel = "general", timeout: float = 3.0) -> list[dict[str, Any]]:
        """Type ``value`` into option ``focused`` of ``/command``; return the choices the bot offers."""
        values = {**(options or {}), focused: value}
        record = await self._app_command(command, values, user, channel, kind=Kind.AUTOCOMPLETE, focused=focused)
        await self.await_ack(record, timeout, f"autocomplete for /{command} {focused}")
        return record.choices or []

    async def context_menu(self, name: str, target: int | FakeMessage | str | FakeUser, *,
                           user: str | int | FakeUser = "member", channel: str | int | FakeChannel | None = None,
                           wait: bool = True, timeout: float = 3.0) -> InteractionRecord:
        """Run a message context menu on message ``target`` (an id or FakeMessage), or a user one on a user key."""
        state = self.fake.state
        member = state.user(user)
        is_message = isinstance(target, FakeMessage) or (isinstance(target, int) and target in state.messages)
        resolved: dict[str, Any] = {}
        if is_message:
            message = state.message(target)  # type: ignore[arg-type]
            where = state.channel(channel) if channel is not None else state.channels[message.channel_id]
            resolved["messages"] = {str(message.id): payloads.message(state, message)}
            target_id, type_ = message.id, 3
        else:
            where = state.channel(channel or "general")
            target_user = state.user(target)  # type: ignore[arg-type]
            resolve_user(state, target_user, where, resolved)
            target_id, type_ = target_user.id, 2
        found = await self._command(name, type_, where.guild_id, member)
        data: dict[str, Any] = {"id": (found or {}).get("id", str(state.ids.next())), "name": name, "type": type_,
                                "target_id": str(target_id), "resolved": resolved}
        if found and found.get("guild_id"):
            data["guild_id"] = found["guild_id"]
        record = build_interaction(self.fake, type_=Kind.APPLICATION_COMMAND, data=data, user=member, channel=where)
        await self.fake.gateway.dispatch("INTERACTION_CREATE", record.payload)
        if wait:
            await self.await_ack(record, timeout, f"context menu {name!r}")
        return record
