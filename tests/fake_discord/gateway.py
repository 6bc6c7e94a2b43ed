"""The fake gateway: HELLO/IDENTIFY/READY/GUILD_CREATE, heartbeats, RESUME, intents, sharding (``sharding.py``)
and event dispatch."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import discord
from aiohttp import WSMsgType, web

from . import payloads
from .sharding import InvalidShard, Shard, ShardRules

if TYPE_CHECKING:
    from .server import FakeDiscord

log = logging.getLogger("fake_discord.gateway")

Intents = discord.Intents
PRIVILEGED = {
    "members": Intents.members.flag, "presences": Intents.presences.flag,
    "message_content": Intents.message_content.flag,
}
_EVENTS_BY_INTENT = {
    Intents.guilds.flag: ("GUILD_ROLE_CREATE", "GUILD_ROLE_UPDATE", "GUILD_ROLE_DELETE", "CHANNEL_CREATE",
                          "CHANNEL_UPDATE", "CHANNEL_DELETE", "THREAD_CREATE", "THREAD_UPDATE", "THREAD_DELETE"),
    Intents.members.flag: ("GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE"),
    Intents.moderation.flag: ("GUILD_BAN_ADD", "GUILD_BAN_REMOVE"),
    Intents.auto_moderation_execution.flag: ("AUTO_MODERATION_ACTION_EXECUTION",),
}
EVENT_INTENTS = {event: bit for bit, events in _EVENTS_BY_INTENT.items() for event in events}
MESSAGE_EVENTS = {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK"}
REACTION_EVENTS = {"MESSAGE_REACTION_ADD", "MESSAGE_REACTION_REMOVE"}


@dataclass
class Session:
    """One identified gateway session; survives a dropped socket so the client can RESUME it."""

    id: str
    intents: int
    ws: web.WebSocketResponse | None = None
    seq: int = 0
    buffer: list[dict[str, Any]] = field(default_factory=list)
    resumes: int = 0
    ready_sent: bool = False
    presence: dict[str, Any] | None = None
    shard: Shard | None = None  # (shard_id, shard_count) from IDENTIFY; None: not sharded

    def has(self, intent: int) -> bool:
        return bool(self.intents & intent)


class Gateway:
    """Serves ``/gateway``; ``dispatch`` sends an event to every session whose intents and shard allow it."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.sessions: dict[str, Session] = {}
        self.close_codes: list[int] = []  # close codes the fake sent (e.g. 4014)
        self.client_close_codes: list[int | None] = []
        self.identifies = 0
        self.shards = ShardRules(fake)  # IDENTIFY records per bucket, guild routing
        self.heartbeat_interval_ms = 41250
        self._sockets: set[web.WebSocketResponse] = set()
        self._locks: dict[str, asyncio.Lock] = {}

    # ---- connection ----------------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self._sockets.add(ws)
        session: Session | None = None
        try:
            await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}))
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                packet = json.loads(msg.data)
                session = await self._on_packet(ws, packet, session)
        finally:
            self._sockets.discard(ws)
            self.client_close_codes.append(ws.close_code)
            if session is not None and session.ws is ws:
                session.ws = None
        return ws

    async def _on_packet(self, ws: web.WebSocketResponse, packet: dict[str, Any],
                         session: Session | None) -> Session | None:
        op, data = packet.get("op"), packet.get("d")
        if op == 1:  # heartbeat
            await ws.send_str(json.dumps({"op": 11}))
        elif op == 2:
            return await self._identify(ws, data or {})
        elif op == 6:
            return await self._resume(ws, data or {})
        elif op == 3 and session is not None:
            session.presence = data
        elif op == 8 and session is not None:
            await self._chunk(session, data or {})
        return session

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> Session | None:
        self.identifies += 1
        now = time.monotonic()
        if data.get("token") != self.fake.token:
            self.shards.record(None, "auth", now)
            await self._close(ws, 4004, "Authentication failed.")
            return None
        try:
            shard = self.shards.parse(data.get("shard"))
        except InvalidShard:
            self.shards.record(None, "invalid_shard", now)
            await self._close(ws, 4010, "Invalid shard.")
            return None
        if self.shards.rate_limited(self.shards.bucket(shard), now):  # Discord: op 9, then identify again
            self.shards.record(shard, "rate_limited", now)
            await ws.send_str(json.dumps({"op": 9, "d": False}))
            return None
        intents = int(data.get("intents") or 0)
        denied = [name for name, bit in PRIVILEGED.items()
                  if intents & bit and name not in self.fake.config.granted_intents]
        if denied:
            self.shards.record(shard, "intents", now)
            await self._close(ws, 4014, "Disallowed intent(s).")
            return None
        if self.shards.too_many_guilds(shard):
            self.shards.record(shard, "sharding_required", now)
            await self._close(ws, 4011, "Sharding required.")
            return None
        self.shards.record(shard, "ready", now)
        guilds = self.shards.guilds_for(shard)
        session = Session(id=f"session-{self.fake.state.ids.next()}", intents=intents, ws=ws, shard=shard)
        self.sessions[session.id] = session
        me = self.fake.state.users[self.fake.bot_user.id]
        ready = {
            "v": 10, "user": payloads.user(me), "session_type": "normal", "session_id": session.id,
            "resume_gateway_url": self.fake.gateway_url, "private_channels": [], "relationships": [],
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "application": {"id": str(self.fake.application_id), "flags": self.fake.application_flags()},
        }
        if shard is not None:
            ready["shard"] = list(shard)
        await self._send(session, "READY", ready)
        for g in guilds:
            await self._send(session, "GUILD_CREATE", payloads.guild(
                self.fake.state, g, include_members=session.has(Intents.members.flag), bot_id=me.id))
        session.ready_sent = True
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> Session | None:
        session = self.sessions.get(str(data.get("session_id")))
        if data.get("token") != self.fake.token or session is None or self.fake.config.refuse_resume:
            await ws.send_str(json.dumps({"op": 9, "d": False}))
            return None
        if session.ws is not None and session.ws is not ws and not session.ws.closed:
            await session.ws.close(code=4000)
        session.ws = ws
        session.resumes += 1
        last = int(data.get("seq") or 0)
        async with self._lock(session):
            for packet in session.buffer:
                if packet["s"] > last:
                    await ws.send_str(json.dumps(packet))
        await self._send(session, "RESUMED", {})
        return session

    async def _chunk(self, session: Session, data: dict[str, Any]) -> None:
        guild = self.fake.state.guilds.get(int(data.get("guild_id") or 0))
        if guild is None:
            return
        wanted = {int(u) for u in data.get("user_ids") or []}
        query = (data.get("query") or "").lower()
        members = [m for uid, m in guild.members.items()
                   if (not wanted or uid in wanted)
                   and self.fake.state.users[uid].username.lower().startswith(query)]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id), "chunk_index": 0, "chunk_count": 1,
            "members": [payloads.member(self.fake.state, m) for m in members],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await self._send(session, "GUILD_MEMBERS_CHUNK", chunk)

    async def _close(self, ws: web.WebSocketResponse, code: int, reason: str) -> None:
        self.close_codes.append(code)
        await ws.close(code=code, message=reason.encode())

    def _lock(self, session: Session) -> asyncio.Lock:
        return self._locks.setdefault(session.id, asyncio.Lock())

    async def _send(self, session: Session, event: str, data: dict[str, Any]) -> None:
        async with self._lock(session):
            session.seq += 1
            packet = {"op": 0, "t": event, "s": session.seq, "d": data}
            session.buffer.append(packet)
            ws = session.ws
            if ws is not None and not ws.closed:
                try:
                    await ws.send_str(json.dumps(packet))
                except (ConnectionResetError, RuntimeError):  # socket went away; RESUME replays it
                    log.debug("dropped %s for session %s", event, session.id)

    # ---- dispatch ------------------------------------------------------------------------------------
    def live_sessions(self) -> list[Session]:
        """Sessions that got READY; events for a disconnected one are buffered for its RESUME."""
        return [s for s in self.sessions.values() if s.ready_sent]

    def connected_sessions(self) -> list[Session]:
        return [s for s in self.live_sessions() if s.ws is not None and not s.ws.closed]

    async def dispatch(self, event: str, data: dict[str, Any] | None = None, *, guild_id: int | None = None,
                       message_payload: Any = None) -> None:
        """Send ``event`` to every live session that has the intent for it and whose shard holds the guild
        (``guild_id``, else ``data["guild_id"]``; none: shard 0 only).

        For message events pass ``message_payload(hide_content: bool) -> dict`` so the content can be blanked
        for sessions without the message content intent.
        """
        routed = guild_id if guild_id is not None else (data or {}).get("guild_id")
        for session in self.live_sessions():
            if not self._wants(session, event, guild_id):
                continue
            if not self.shards.sees(session.shard, int(routed) if routed else None):
                continue
            body = data
            if message_payload is not None:
                body = message_payload(not session.has(Intents.message_content.flag))
            await self._send(session, event, body or {})

    def _wants(self, session: Session, event: str, guild_id: int | None) -> bool:
        if event in MESSAGE_EVENTS:
            return session.has(Intents.guild_messages.flag if guild_id else Intents.dm_messages.flag)
        if event in REACTION_EVENTS:
            return session.has(Intents.guild_reactions.flag if guild_id else Intents.dm_reactions.flag)
        needed = EVENT_INTENTS.get(event)
        return needed is None or session.has(needed)

    # ---- test controls -------------------------------------------------------------------------------
    async def send_op(self, op: int, data: Any = None) -> None:
        """Send a raw opcode (7 RECONNECT, 9 INVALID_SESSION, ...) to every live session."""
        for session in self.connected_sessions():
            assert session.ws is not None
            await session.ws.send_str(json.dumps({"op": op, "d": data}))

    async def drop_connections(self, code: int = 4000) -> None:
        """Close every socket abruptly (the client should RESUME)."""
        for ws in list(self._sockets):
            await ws.close(code=code)

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close(code=1001)
