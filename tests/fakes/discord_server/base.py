# ruff: noqa: ASYNC109  -- the waiting helpers take timeout= on purpose (test API)
"""State, addresses, look-ups and the waiting helpers every other part builds on."""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .model import FakeChannel, FakeGuild, FakeMember, FakeRole, FakeUser, Perm, _Snowflakes, make_default_guild
from .records import InteractionRecord, RejectedMessage, RequestRecord, SentMessage
from .validation import _id

if TYPE_CHECKING:  # the layers above define these; the base only names them
    from .gateway import _Conn, _Session
    from .ratelimits import _Bucket, _Injected


class FakeDiscordBase:
    """One layer of FakeDiscord: the protocol part this module's docstring names."""

    def __init__(
        self,
        token: str = "fake-bot-token",
        *,
        guilds: list[FakeGuild] | None = None,
        bot_name: str = "MovieBot",
        heartbeat_interval_ms: int = 2500,
        interaction_deadline: float = 3.0,
        token_lifetime: float = 15 * 60.0,
        channel_message_limit: tuple[int, float] = (5, 2.0),
        default_limit: tuple[int, float] = (50, 1.0),
        allowed_privileged_intents: int = 0,
        attachment_url_ttl: float = 24 * 3600.0,
    ) -> None:
        self._token = token
        self._new_id = _Snowflakes()
        self.application_id = self._new_id()
        self.bot_user = FakeUser(self.application_id, bot_name, bot=True)
        self.users: dict[int, FakeUser] = {self.bot_user.id: self.bot_user}
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.interaction_deadline = interaction_deadline
        self.token_lifetime = token_lifetime
        self.channel_message_limit = channel_message_limit
        self.default_limit = default_limit
        self.allowed_privileged_intents = allowed_privileged_intents
        self.attachment_url_ttl = attachment_url_ttl

        self.guild: FakeGuild
        if guilds is None:
            guild, names = make_default_guild(self._new_id, self.bot_user)
            self.guilds = {guild.id: guild}
            self.guild = guild
            self.owner: FakeUser = names["owner"]
            self.admin: FakeUser = names["admin"]
            self.member: FakeUser = names["member"]
            self.general: FakeChannel = names["general"]
            self.announcements: FakeChannel = names["announcements"]
            self.staff: FakeChannel = names["staff"]
            self.admin_role: FakeRole = names["admin_role"]
            self.bot_role: FakeRole = names["bot_role"]
        else:
            self.guilds = {g.id: g for g in guilds}
            self.guild = guilds[0]
            # owner/admin/member/general/... attributes exist only for the default guild
            for g in guilds:
                if g.member(self.bot_user.id) is None:
                    g.members.append(FakeMember(self.bot_user))
        for g in self.guilds.values():
            for m in g.members:
                self.users.setdefault(m.user.id, m.user)

        # --- records (public, read them in tests)
        self.requests: list[RequestRecord] = []
        self.unhandled: list[tuple[str, str]] = []
        self.messages: list[SentMessage] = []
        self.rejected: list[RejectedMessage] = []
        self.message_store: dict[int, dict[str, Any]] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.late_responses: list[InteractionRecord] = []
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.sync_count = 0
        self.syncs: list[tuple[int | None, list[dict[str, Any]]]] = []
        self.identify_count = 0
        self.resume_count = 0
        self.identifies: list[dict[str, Any]] = []  # IDENTIFY payloads with the token removed
        self.intents: int | None = None
        self.gateway_queries: list[dict[str, str]] = []
        self.gateway_disconnects: list[int] = []  # close codes sent by disconnect_gateway()
        self.presence_updates: list[dict[str, Any]] = []
        self.ratelimited_count = 0
        self.invalid_request_count = 0  # 401, 403 and 429 (not shared), as Discord counts them
        self.deleted_message_ids: list[int] = []

        self._sessions: dict[str, _Session] = {}
        self._session: _Session | None = None
        self._conns: list[_Conn] = []
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._injected: list[_Injected] = []
        self._attachments: dict[int, tuple[bytes, str, str | None]] = {}
        self._cdn_secret = secrets.token_bytes(16)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._routes: list[tuple[str, re.Pattern[str], str, str, bool, Callable[..., Any]]] = []  # start() fills it
        self._saved_urls: tuple[Any, Any] | None = None

    def add_member(self, username: str, guild: FakeGuild | int | None = None) -> FakeUser:
        """A new member of `guild` (default: the default guild) with no roles but @everyone.

        Not announced on the gateway: GUILD_MEMBER_ADD needs the privileged GUILD_MEMBERS intent."""
        gid = _id(guild) if guild is not None else self.guild.id
        user = FakeUser(self._new_id(), username, global_name=username.title())
        self.users[user.id] = user
        self.guilds[gid].members.append(FakeMember(user, []))
        return user

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/gateway"

    def patch_discord_py(self) -> None:
        """Point discord.py's ``Route.BASE`` and ``DEFAULT_GATEWAY`` here (undone by close())."""
        import discord.gateway
        import discord.http
        import yarl

        if self._saved_urls is None:
            self._saved_urls = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)

    def unpatch_discord_py(self) -> None:
        if self._saved_urls is None:
            return
        import discord.gateway
        import discord.http

        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved_urls
        self._saved_urls = None

    def new_id(self) -> int:
        return self._new_id()

    def permissions_for(self, user: FakeUser | int, channel: FakeChannel | int) -> int:
        channel_obj = self._channel(channel)
        return self.guilds[channel_obj.guild_id].permissions_for(_id(user), channel_obj.id)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` returns something truthy and return it.

        Re-checked on every change the fake records and every 20 ms, so predicates about the
        bot's own state work too. Raises TimeoutError."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with self._changed:
            while not (result := predicate()):
                left = deadline - loop.time()
                if left <= 0:
                    raise TimeoutError(f"condition not met within {timeout}s")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), min(left, 0.02))
            return result

    async def wait_for_message(
        self, predicate: Callable[[SentMessage], bool] = lambda m: True, timeout: float = 5.0
    ) -> SentMessage:
        """The first recorded accepted message (create or edit) matching ``predicate``."""

        def find() -> SentMessage | None:
            return next((m for m in self.messages if predicate(m)), None)

        try:
            return await self.wait_for(find, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"no matching message within {timeout}s; recorded {len(self.messages)} accepted, "
                f"{len(self.rejected)} rejected: {[(m.route, m.content[:40]) for m in self.messages]}"
            ) from None

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def interaction(self, interaction_id: int) -> InteractionRecord:
        return self.interactions[interaction_id]

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def _channel(self, channel: FakeChannel | int) -> FakeChannel:
        cid = _id(channel)
        for g in self.guilds.values():
            for c in g.channels:
                if c.id == cid:
                    return c
        raise KeyError(f"unknown channel {cid}")

    def _find_channel(self, cid: int) -> FakeChannel | None:
        try:
            return self._channel(cid)
        except KeyError:
            return None

    def _guild_id(self, guild: FakeGuild | int | None, channel: FakeChannel | int) -> int:
        ch = self._channel(channel)
        if guild is not None and _id(guild) != ch.guild_id:
            raise ValueError("channel is not in that guild")
        return ch.guild_id

    def _stored_message(self, message: SentMessage | dict[str, Any] | int) -> dict[str, Any]:
        if isinstance(message, SentMessage):
            mid = message.id
        elif isinstance(message, dict):
            mid = int(message["id"])
        else:
            mid = int(message)
        msg = self.message_store.get(mid)
        if msg is None or mid in self.deleted_message_ids:
            raise LookupError(f"unknown message {mid}")
        return msg

    def _find_command(self, guild_id: int | None, name: str, type_: int) -> dict[str, Any]:
        for scope in (guild_id, None):
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name and cmd["type"] == type_:
                    return cmd
        known = sorted((c["name"], c["type"]) for cmds in self.commands.values() for c in cmds)
        raise LookupError(f"command {name!r} (type {type_}) was not synced; synced: {known}")

    def _check_command_permission(
        self,
        cmd: dict[str, Any],
        guild_id: int,
        channel: FakeChannel | int,
        user: FakeUser | int,
        force: bool,
    ) -> None:
        required = cmd.get("default_member_permissions")
        if force or required is None:
            return
        perms = self.guilds[guild_id].permissions_for(_id(user), _id(channel))
        need = int(required)
        if perms & Perm.ADMINISTRATOR or (need != 0 and perms & need == need):
            return
        raise PermissionError(
            f"Discord would not show /{cmd['name']} to this user (default_member_permissions={required})"
        )

    def _public(self, msg: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in msg.items() if not k.startswith("_")}
