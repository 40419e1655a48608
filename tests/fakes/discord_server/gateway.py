# ruff: noqa: ASYNC109  -- the waiting helpers take timeout= on purpose (test API)
"""The gateway websocket: HELLO, IDENTIFY (4004, 4014), READY, GUILD_CREATE, heartbeats, RESUME with
replay, member chunks, and the events the other parts dispatch.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import secrets
from typing import Any

from aiohttp import WSMsgType, web

from .model import FakeChannel, FakeRole, FakeUser, Intent, Perm
from .rest import RestPart
from .validation import _id


class _Conn:
    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.session: _Session | None = None
        self.lock = asyncio.Lock()

    async def send(self, payload: dict[str, Any]) -> bool:
        if self.ws.closed:
            return False
        try:
            async with self.lock:
                await self.ws.send_str(json.dumps(payload))
        except (ConnectionError, RuntimeError):
            return False
        return True


class _Session:
    def __init__(self, session_id: str, intents: int) -> None:
        self.id = session_id
        self.intents = intents
        self.seq = 0
        self.log: list[dict[str, Any]] = []
        self.conn: _Conn | None = None

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        payload = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.log.append(payload)
        if self.conn is not None:
            await self.conn.send(payload)


class GatewayPart(RestPart):
    """One layer of FakeDiscord: the protocol part this module's docstring names."""

    @property
    def connected(self) -> bool:
        return self._session is not None and self._session.conn is not None

    async def add_thread(self, parent: FakeChannel | int, name: str, owner: FakeUser | int) -> FakeChannel:
        """A member starts a public thread in `parent`; the bot hears THREAD_CREATE (GUILDS intent)."""
        par = self._channel(parent)
        if par.is_thread:
            raise ValueError("threads cannot be nested")
        thread = FakeChannel(
            id=self._new_id(), guild_id=par.guild_id, name=name, type=11, parent_id=par.id, owner_id=_id(owner)
        )
        self.guilds[par.guild_id].channels.append(thread)
        await self._dispatch("THREAD_CREATE", {**thread.payload(), "newly_created": True})
        return thread

    async def _dispatch(self, event: str, data: dict[str, Any]) -> None:
        if self._session is not None:
            await self._session.dispatch(event, data)

    async def disconnect_gateway(self, code: int = 4000) -> None:
        """Close the live gateway connection with ``code`` (4000 is resumable)."""
        session = self._session
        conn = session.conn if session else None
        if conn is None:
            raise RuntimeError("no live gateway connection")
        session.conn = None  # type: ignore[union-attr]
        self.gateway_disconnects.append(code)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(conn.ws.close(code=code, message=b"fake disconnect"), 5)

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 on the live connection."""
        session = self._session
        if session is None or session.conn is None:
            raise RuntimeError("no live gateway connection")
        if not resumable:
            self._sessions.pop(session.id, None)
        await session.conn.send({"op": 9, "d": resumable, "s": None, "t": None})

    async def wait_connected(self, timeout: float = 10.0) -> None:
        await self.wait_for(lambda: self._session is not None and self._session.conn is not None, timeout)

    async def set_overwrite(
        self, channel: FakeChannel | int, target: FakeUser | FakeRole | int, *, allow: int = 0, deny: int = 0
    ) -> None:
        """Set (replace) one permission overwrite and tell the bot with CHANNEL_UPDATE."""
        ch = self._channel(channel)
        target_id = _id(target)
        kind = 1 if target_id in self.users else 0
        ch.overwrites = [o for o in ch.overwrites if o["id"] != target_id]
        if allow or deny:
            ch.overwrites.append({"id": target_id, "type": kind, "allow": allow, "deny": deny})
        await self._dispatch("CHANNEL_UPDATE", ch.payload())

    async def set_bot_channel_permissions(self, channel: FakeChannel | int, permissions: int) -> None:
        """Make the bot's effective permissions in ``channel`` exactly ``permissions`` (member overwrite)."""
        await self.set_overwrite(channel, self.bot_user, allow=permissions, deny=Perm.ALL & ~permissions)

    async def _ws_handler(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        conn = _Conn(ws)
        self._conns.append(conn)
        self.gateway_queries.append(dict(request.query))
        try:
            if request.query.get("v") != "10":
                await ws.close(code=4012, message=b"Invalid API version")
                return ws
            if request.query.get("encoding", "json") != "json":
                await ws.close(code=4002, message=b"Decode error")
                return ws
            await conn.send(
                {
                    "op": 10,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["fake-gateway"]},
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    await ws.close(code=4002, message=b"Decode error")
                    break
                try:
                    payload = json.loads(msg.data)
                    op = payload["op"]
                except (ValueError, KeyError, TypeError):
                    await ws.close(code=4002, message=b"Decode error")
                    break
                await self._gateway_op(conn, op, payload.get("d"))
                await self._notify()
        finally:
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
            self._conns.remove(conn)
            await self._notify()
        return ws

    async def _gateway_op(self, conn: _Conn, op: int, d: Any) -> None:
        if op == 1:
            await conn.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, d or {})
        elif op == 6:
            await self._resume(conn, d or {})
        elif conn.session is None:
            await conn.ws.close(code=4003, message=b"Not authenticated")
        elif op == 3:
            self.presence_updates.append(d)
        elif op == 8:
            await self._request_members(conn, d or {})
        elif op == 4:
            pass
        else:
            await conn.ws.close(code=4001, message=b"Unknown opcode")

    async def _identify(self, conn: _Conn, d: dict[str, Any]) -> None:
        if conn.session is not None:
            await conn.ws.close(code=4005, message=b"Already authenticated")
            return
        if not isinstance(d.get("token"), str) or not hmac.compare_digest(d["token"], self._token):
            await conn.ws.close(code=4004, message=b"Authentication failed")
            return
        intents = d.get("intents")
        if not isinstance(intents, int) or intents < 0:
            await conn.ws.close(code=4013, message=b"Invalid intent(s)")
            return
        if intents & Intent.PRIVILEGED & ~self.allowed_privileged_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s)")
            return
        self.identify_count += 1
        self.identifies.append({k: v for k, v in d.items() if k != "token"})
        self.intents = intents
        session = _Session(secrets.token_hex(16), intents)
        self._sessions[session.id] = session
        if self._session is not None and self._session.conn is not None and self._session.conn is not conn:
            old = self._session.conn
            self._session.conn = None
            with contextlib.suppress(Exception):
                await old.ws.close(code=4009, message=b"Session superseded")
        self._session = session
        session.conn = conn
        conn.session = session
        me = self.bot_user.payload() | {"verified": True, "mfa_enabled": False, "flags": 0}
        await session.dispatch(
            "READY",
            {
                "v": 10,
                "user": me,
                "guilds": [{"id": str(g), "unavailable": True} for g in self.guilds],
                "session_id": session.id,
                "session_type": "normal",
                "resume_gateway_url": self.gateway_url,
                "application": {"id": str(self.application_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "user_settings": {},
                "presences": [],
                "geo_ordered_rtc_regions": [],
                "auth_session_id_hash": "",
                "_trace": ["fake-gateway"],
            },
        )
        if intents & Intent.GUILDS:
            for guild in self.guilds.values():
                await session.dispatch(
                    "GUILD_CREATE",
                    guild.create_payload(
                        include_all_members=bool(intents & Intent.GUILD_MEMBERS), bot_id=self.bot_user.id
                    ),
                )

    async def _resume(self, conn: _Conn, d: dict[str, Any]) -> None:
        if not isinstance(d.get("token"), str) or not hmac.compare_digest(d["token"], self._token):
            await conn.ws.close(code=4004, message=b"Authentication failed")
            return
        session = self._sessions.get(d.get("session_id", ""))
        if session is None:
            await conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        seq = d.get("seq") or 0
        if seq > session.seq:
            await conn.ws.close(code=4007, message=b"Invalid seq")
            return
        self.resume_count += 1
        if session.conn is not None and session.conn is not conn:
            old = session.conn
            with contextlib.suppress(Exception):
                await old.ws.close(code=4009, message=b"Session superseded")
        session.conn = conn
        conn.session = session
        self._session = session
        for payload in session.log:
            if payload["s"] > seq:
                await conn.send(payload)
        await session.dispatch("RESUMED", {"_trace": ["fake-gateway"]})

    async def _request_members(self, conn: _Conn, d: dict[str, Any]) -> None:
        if not (conn.session and conn.session.intents & Intent.GUILD_MEMBERS):
            await conn.ws.close(code=4014, message=b"Disallowed intent(s)")
            return
        guild = self.guilds.get(int(d.get("guild_id", 0)))
        if guild is None:
            return
        members = guild.members
        if d.get("user_ids"):
            wanted = {int(u) for u in d["user_ids"]}
            members = [m for m in members if m.user.id in wanted]
        elif d.get("query"):
            members = [m for m in members if m.user.username.lower().startswith(d["query"].lower())]
        if d.get("limit"):
            members = members[: d["limit"]]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [m.payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if d.get("nonce"):
            chunk["nonce"] = d["nonce"]
        await conn.session.dispatch("GUILD_MEMBERS_CHUNK", chunk)
