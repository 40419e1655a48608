# ruff: noqa: ASYNC109  -- the waiting helpers take timeout= on purpose (test API)
"""A strict fake of Discord (gateway websocket + REST API v10) for end-to-end tests.

It plays Discord's side exactly as discord.py 2.7.1 talks to it, on 127.0.0.1 only::

    async with FakeDiscord(token=TOKEN) as fake:
        discord.http.Route.BASE = fake.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
        ...   # (restore both afterwards; ``fake.patch_discord_py()`` does it for you)

Strictness, in short (every rule names the Discord behaviour it copies, see PLATFORMS.md part 2):

* REST needs ``Authorization: Bot <token>`` (401 code 0) except on the routes Discord authenticates
  by the token in the URL (``/interactions/{id}/{token}/callback``, ``/webhooks/{app}/{token}...``)
  and CDN downloads (``/attachments/...``), which discord.py calls without the header.
* Message bodies are validated (2000 code points, embed limits, components, empty message) and
  every accepted or rejected message is recorded with its ``allowed_mentions`` and route.
* Interactions: one initial response (40060 after), 3 s deadline (10062, recorded as late),
  15 min token lifetime, autocomplete limits, follow-ups only after acknowledgement.
* Per-channel bucket on ``POST /channels/{id}/messages`` with honest ``X-RateLimit-*`` headers,
  429 bodies with ``retry_after`` and a ``Via`` header (without ``Via`` discord.py treats a 429 as a
  Cloudflare ban and raises instead of waiting).
* Gateway: HELLO, IDENTIFY (4004 bad token, 4014 disallowed privileged intents), READY,
  GUILD_CREATE, heartbeat ACK, RESUME with replay, plain-text JSON frames.

Bot tokens are never logged or recorded; interaction tokens are redacted in the request log.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import hashlib
import hmac
import itertools
import json
import re
import secrets
import time
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.checks.discord_markdown import mentions as _markdown_mentions

__all__ = [
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "InteractionRecord",
    "Perm",
    "RejectedMessage",
    "RequestRecord",
    "SentMessage",
]

DISCORD_EPOCH_MS = 1420070400000
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class Perm:
    """Permission bits (discord-api-docs permissions.mdx)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    SEND_MESSAGES_IN_THREADS = 1 << 38
    ALL = (1 << 51) - 1

    EVERYONE_DEFAULT = (
        CREATE_INSTANT_INVITE
        | ADD_REACTIONS
        | VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | USE_EXTERNAL_EMOJIS
        | USE_APPLICATION_COMMANDS
        | SEND_MESSAGES_IN_THREADS
    )
    BOT_DEFAULT = (
        VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | USE_EXTERNAL_EMOJIS
        | SEND_MESSAGES_IN_THREADS
    )


class Intent:
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    MESSAGE_CONTENT = 1 << 15
    PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT


class MessageFlag:
    SUPPRESS_EMBEDS = 1 << 2
    EPHEMERAL = 1 << 6
    LOADING = 1 << 7
    SUPPRESS_NOTIFICATIONS = 1 << 12
    IS_COMPONENTS_V2 = 1 << 15


def _iso(ts: float | None = None) -> str:
    return _dt.datetime.fromtimestamp(time.time() if ts is None else ts, _dt.UTC).isoformat()


class _Snowflakes:
    def __init__(self) -> None:
        self._last = 0

    def __call__(self) -> int:
        value = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22 | (1 << 17)
        value = max(value, self._last + 1)
        self._last = value
        return value


# ----------------------------------------------------------------------------------------------
# The guild model
# ----------------------------------------------------------------------------------------------


@dataclass
class FakeUser:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }


@dataclass
class FakeRole:
    id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False
    mentionable: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }


@dataclass
class FakeChannel:
    """A guild channel.

    ``overwrites`` items: ``{"id": int, "type": 0 (role) or 1 (member), "allow": int, "deny": int}``.
    """

    id: int
    guild_id: int
    name: str
    type: int = 0
    position: int = 0
    overwrites: list[dict[str, int]] = field(default_factory=list)
    topic: str | None = None
    parent_id: int | None = None  # threads: the channel they live in
    owner_id: int | None = None  # threads: who started it

    @property
    def is_thread(self) -> bool:
        """Announcement (10), public (11) and private (12) threads (channel.mdx, Channel Types)."""
        return self.type in (10, 11, 12)

    def payload(self) -> dict[str, Any]:
        if self.is_thread:
            # A thread has no overwrites of its own; permissions come from its parent (threads.mdx).
            return {
                "id": str(self.id),
                "guild_id": str(self.guild_id),
                "name": self.name,
                "type": self.type,
                "parent_id": str(self.parent_id),
                "owner_id": str(self.owner_id),
                "last_message_id": None,
                "rate_limit_per_user": 0,
                "message_count": 0,
                "member_count": 1,
                "total_message_sent": 0,
                "flags": 0,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": _iso(),
                    "locked": False,
                    "create_timestamp": _iso(),
                },
            }
        return {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "name": self.name,
            "type": self.type,
            "position": self.position,
            "parent_id": None,
            "topic": self.topic,
            "nsfw": False,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
            "permission_overwrites": [
                {"id": str(o["id"]), "type": o["type"], "allow": str(o["allow"]), "deny": str(o["deny"])}
                for o in self.overwrites
            ],
        }


@dataclass
class FakeMember:
    user: FakeUser
    roles: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=_iso)
    nick: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "user": self.user.payload(),
            "roles": [str(r) for r in self.roles],
            "joined_at": self.joined_at,
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "premium_since": None,
            "communication_disabled_until": None,
        }


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: list[FakeRole]
    channels: list[FakeChannel]
    members: list[FakeMember]

    @property
    def everyone(self) -> FakeRole:
        return next(r for r in self.roles if r.id == self.id)

    def role(self, name_or_id: str | int) -> FakeRole:
        return next(r for r in self.roles if name_or_id in (r.id, r.name))

    def channel(self, name_or_id: str | int) -> FakeChannel:
        return next(c for c in self.channels if name_or_id in (c.id, c.name))

    def member(self, user_id: int) -> FakeMember | None:
        return next((m for m in self.members if m.user.id == user_id), None)

    def permissions_for(self, user_id: int, channel_id: int | None = None) -> int:
        """Discord's permission resolution: base role permissions, then overwrites (permissions.mdx)."""
        if user_id == self.owner_id:
            return Perm.ALL
        member = self.member(user_id)
        if member is None:
            return 0
        perms = self.everyone.permissions
        for role in self.roles:
            if role.id in member.roles:
                perms |= role.permissions
        if perms & Perm.ADMINISTRATOR:
            return Perm.ALL
        if channel_id is None:
            return perms
        channel = self.channel(channel_id)
        if channel.is_thread and channel.parent_id is not None:
            # In a thread, the parent's permissions apply, except that sending is governed by
            # SEND_MESSAGES_IN_THREADS, which is not inherited from SEND_MESSAGES (permissions.mdx).
            parent = self.permissions_for(user_id, channel.parent_id)
            if parent & Perm.SEND_MESSAGES_IN_THREADS:
                return parent | Perm.SEND_MESSAGES
            return parent & ~(Perm.SEND_MESSAGES | Perm.EMBED_LINKS | Perm.ATTACH_FILES | Perm.MENTION_EVERYONE)
        overwrites = {(o["type"], o["id"]): o for o in channel.overwrites}
        everyone_ow = overwrites.get((0, self.id))
        if everyone_ow:
            perms = (perms & ~everyone_ow["deny"]) | everyone_ow["allow"]
        allow = deny = 0
        for role_id in member.roles:
            ow = overwrites.get((0, role_id))
            if ow:
                allow |= ow["allow"]
                deny |= ow["deny"]
        perms = (perms & ~deny) | allow
        member_ow = overwrites.get((1, user_id))
        if member_ow:
            perms = (perms & ~member_ow["deny"]) | member_ow["allow"]
        if not perms & Perm.VIEW_CHANNEL:
            return 0
        if not perms & Perm.SEND_MESSAGES:
            perms &= ~(Perm.EMBED_LINKS | Perm.ATTACH_FILES | Perm.MENTION_EVERYONE)
        return perms

    def create_payload(self, *, include_all_members: bool, bot_id: int) -> dict[str, Any]:
        members = self.members if include_all_members else [m for m in self.members if m.user.id == bot_id]
        me = self.member(bot_id)
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "system_channel_id": str(self.channels[0].id) if self.channels else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "features": [],
            "roles": [r.payload() for r in self.roles],
            "emojis": [],
            "stickers": [],
            "joined_at": me.joined_at if me else _iso(),
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "members": [m.payload() for m in members],
            "channels": [
                {k: v for k, v in c.payload().items() if k != "guild_id"} for c in self.channels if not c.is_thread
            ],
            "threads": [c.payload() for c in self.channels if c.is_thread],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "application_id": None,
            "max_members": 500000,
        }


def make_default_guild(new_id: Callable[[], int], bot: FakeUser) -> tuple[FakeGuild, dict[str, Any]]:
    """One guild: @everyone, Admin (MANAGE_GUILD), the bot's managed role; #general, #announcements
    (@everyone can't send, the bot can), #staff (hidden from @everyone, incl. the bot); owner, admin,
    member and the bot as members."""
    gid = new_id()
    owner = FakeUser(new_id(), "owner")
    admin = FakeUser(new_id(), "admin")
    member = FakeUser(new_id(), "member")
    everyone = FakeRole(gid, "@everyone", Perm.EVERYONE_DEFAULT, 0)
    admin_role = FakeRole(new_id(), "Admin", Perm.EVERYONE_DEFAULT | Perm.MANAGE_GUILD | Perm.MANAGE_MESSAGES, 2)
    bot_role = FakeRole(new_id(), bot.username, Perm.BOT_DEFAULT, 1, managed=True)
    general = FakeChannel(new_id(), gid, "general", position=0)
    announcements = FakeChannel(
        new_id(),
        gid,
        "announcements",
        position=1,
        overwrites=[
            {"id": gid, "type": 0, "allow": 0, "deny": Perm.SEND_MESSAGES},
            {"id": bot_role.id, "type": 0, "allow": Perm.SEND_MESSAGES, "deny": 0},
        ],
    )
    staff = FakeChannel(
        new_id(),
        gid,
        "staff",
        position=2,
        overwrites=[
            {"id": gid, "type": 0, "allow": 0, "deny": Perm.VIEW_CHANNEL},
            {"id": admin_role.id, "type": 0, "allow": Perm.VIEW_CHANNEL, "deny": 0},
        ],
    )
    guild = FakeGuild(
        id=gid,
        name="Movie Night",
        owner_id=owner.id,
        roles=[everyone, bot_role, admin_role],
        channels=[general, announcements, staff],
        members=[
            FakeMember(bot, [bot_role.id]),
            FakeMember(owner, []),
            FakeMember(admin, [admin_role.id]),
            FakeMember(member, []),
        ],
    )
    names = {
        "owner": owner,
        "admin": admin,
        "member": member,
        "general": general,
        "announcements": announcements,
        "staff": staff,
        "admin_role": admin_role,
        "bot_role": bot_role,
    }
    return guild, names


# ----------------------------------------------------------------------------------------------
# Records
# ----------------------------------------------------------------------------------------------


@dataclass
class RequestRecord:
    method: str
    path: str  # interaction tokens replaced by "<token>"
    status: int
    code: int | None = None


@dataclass
class SentMessage:
    """An accepted message create or edit. ``route`` is one of: channel, interaction-response,
    update-message, followup, edit-original, edit-followup."""

    id: int
    route: str
    channel_id: int
    guild_id: int | None
    content: str
    embeds: list[dict[str, Any]]
    components: list[dict[str, Any]]
    flags: int
    allowed_mentions: dict[str, Any] | None
    attachments: list[dict[str, Any]]
    author_id: int
    interaction_id: int | None
    request: dict[str, Any]  # the JSON body as sent (payload_json for multipart)
    pings: list[str]  # mentions that would actually notify someone
    files: list[tuple[str, bytes]] = field(default_factory=list)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & MessageFlag.EPHEMERAL)

    @property
    def is_edit(self) -> bool:
        return self.route in ("edit-original", "edit-followup", "update-message")

    @property
    def markdown(self) -> str:
        """Everything a reader sees as markdown: the content, then each embed's title,
        description, fields and footer, one per line (an embed card has no content)."""
        parts = [self.content] if self.content else []
        for e in self.embeds:
            parts += [e.get("title") or "", e.get("description") or ""]
            for f in e.get("fields") or []:
                parts += [f.get("name") or "", f.get("value") or ""]
            parts.append((e.get("footer") or {}).get("text") or "")
        return "\n".join(p for p in parts if p)


@dataclass
class RejectedMessage:
    route: str
    method: str
    path: str
    status: int
    error: dict[str, Any]
    request: dict[str, Any] | None
    interaction_id: int | None = None


@dataclass
class InteractionRecord:
    id: int
    token: str
    type: int
    name: str  # command name, custom_id for components and modals
    payload: dict[str, Any]
    guild_id: int | None
    channel_id: int
    user_id: int
    dispatched_at: float = 0.0
    response_type: int | None = None
    response: dict[str, Any] | None = None  # the accepted initial callback body
    acknowledged_at: float | None = None
    late: bool = False
    rejected: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (status, error body)
    original_message_id: int | None = None
    original_loading: bool = False
    followup_ids: list[int] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    component_message_id: int | None = None
    _acked: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def acknowledged(self) -> bool:
        return self.response_type is not None

    @property
    def ephemeral(self) -> bool:
        data = (self.response or {}).get("data") or {}
        return bool(int(data.get("flags") or 0) & MessageFlag.EPHEMERAL)

    async def wait_response(self, timeout: float = 5.0) -> dict[str, Any]:
        """The accepted initial callback body (``{"type": .., "data": ..}``)."""
        await asyncio.wait_for(self._acked.wait(), timeout)
        assert self.response is not None
        return self.response


class _HTTPError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "code": code}
        if errors:
            self.body["errors"] = errors


def _invalid_form(errors: dict[str, Any]) -> _HTTPError:
    return _HTTPError(400, 50035, "Invalid Form Body", errors)


def _form_error(path: list[str | int], code: str, message: str) -> _HTTPError:
    errors = _Errors()
    errors.add(path, code, message)
    return _invalid_form(errors.tree)


class _Errors:
    """Collects Discord-style nested ``errors`` objects."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def add(self, path: Iterable[str | int], code: str, message: str) -> None:
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def __bool__(self) -> bool:
        return bool(self.tree)

    def raise_if_any(self) -> None:
        if self.tree:
            raise _invalid_form(self.tree)


def _max_len(errors: _Errors, path: list[Any], value: Any, limit: int, *, min_len: int = 0) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        errors.add(path, "STRING_TYPE_CONVERT", "Could not interpret value as string.")
        return
    if len(value) > limit:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
    elif len(value) < min_len:
        errors.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {min_len} and {limit} in length.")


# ----------------------------------------------------------------------------------------------
# Rate limits
# ----------------------------------------------------------------------------------------------


class _Bucket:
    def __init__(self, name: str, limit: int, window: float) -> None:
        self.name = name
        self.hash = hashlib.sha1(name.encode()).hexdigest()[:16]
        self.limit = limit
        self.window = window
        self.reset_at = 0.0
        self.count = 0

    def _roll(self, now: float) -> None:
        if now >= self.reset_at:
            self.count = 0
            self.reset_at = now + self.window

    def exhaust(self, now: float) -> None:
        self._roll(now)
        self.count = self.limit

    def take(self, now: float) -> bool:
        self._roll(now)
        if self.count >= self.limit:
            return False
        self.count += 1
        return True

    def headers(self, now: float, wall: float) -> dict[str, str]:
        reset_after = max(self.reset_at - now, 0.0)
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.limit - self.count, 0)),
            "X-RateLimit-Reset": f"{wall + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": self.hash,
        }


@dataclass
class _Injected:
    pattern: re.Pattern[str]
    method: str | None
    status: int
    code: int
    remaining: int
    message: str | None
    retry_after: float


# ----------------------------------------------------------------------------------------------
# Gateway
# ----------------------------------------------------------------------------------------------


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


# ----------------------------------------------------------------------------------------------
# The fake
# ----------------------------------------------------------------------------------------------

_NAME_PUNCT = set("-_'")
_INTERACTION_TOKEN_RE = re.compile(r"(/(?:interactions/\d+|webhooks/\d+)/)([^/]+)")
_OPTION_TYPES = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
_CHANNEL_MESSAGES = "POST /channels/{channel}/messages"


def _valid_command_name(name: Any) -> bool:
    """``^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$``, lowercase where a lowercase form exists."""
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        return False
    for ch in name:
        cat = unicodedata.category(ch)
        if ch in _NAME_PUNCT or cat[0] in "LN" or (cat in ("Mn", "Mc") and _deva_or_thai(ch)):
            if ch.lower() != ch:
                return False
            continue
        return False
    return True


def _deva_or_thai(ch: str) -> bool:
    return 0x0900 <= ord(ch) <= 0x097F or 0x0E00 <= ord(ch) <= 0x0E7F


def _flag_set(value: Any) -> bool:
    return str(value).lower() in ("1", "true")


class FakeDiscord:
    """See the module docstring. Use as ``async with FakeDiscord(token=...) as fake``.

    Settings (all plain attributes, changeable during a test): ``interaction_deadline`` (s, initial
    response), ``token_lifetime`` (s, follow-ups/edits), ``channel_message_limit`` (count, window s)
    for ``POST /channels/{id}/messages`` per channel, ``default_limit`` for every other route,
    ``allowed_privileged_intents`` (intent bits "enabled in the developer portal"; IDENTIFY asking for
    others is closed with 4014), ``heartbeat_interval_ms``.

    Without ``guilds`` you get one default guild (see make_default_guild) with handles:
    ``guild, owner, admin, member, general, announcements, staff, admin_role, bot_role``.
    """

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
        self._routes = self._build_routes()
        self._saved_urls: tuple[Any, Any] | None = None

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        app = web.Application(client_max_size=30 * 1024 * 1024)
        app.router.add_get("/gateway", self._ws_handler)
        app.router.add_get("/attachments/{id}/{filename}", self._attachment_handler)
        app.router.add_route("*", "/api/v{version}/{tail:.*}", self._rest_handler)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def close(self) -> None:
        self.unpatch_discord_py()
        for conn in list(self._conns):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.ws.close(code=1001), 2)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

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

    # ------------------------------------------------------------------ test helpers: model

    def new_id(self) -> int:
        return self._new_id()

    def permissions_for(self, user: FakeUser | int, channel: FakeChannel | int) -> int:
        channel_obj = self._channel(channel)
        return self.guilds[channel_obj.guild_id].permissions_for(_id(user), channel_obj.id)

    def add_member(self, username: str, guild: FakeGuild | int | None = None) -> FakeUser:
        """A new member of `guild` (default: the default guild) with no roles but @everyone.

        Not announced on the gateway: GUILD_MEMBER_ADD needs the privileged GUILD_MEMBERS intent."""
        gid = _id(guild) if guild is not None else self.guild.id
        user = FakeUser(self._new_id(), username, global_name=username.title())
        self.users[user.id] = user
        self.guilds[gid].members.append(FakeMember(user, []))
        return user

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

    def add_attachment(self, data: bytes, filename: str, content_type: str | None = None) -> dict[str, Any]:
        """Register a file on the fake CDN; returns the attachment object Discord would send."""
        att_id = self._new_id()
        self._attachments[att_id] = (data, filename, content_type)
        url = self._cdn_url(att_id, filename)
        att: dict[str, Any] = {
            "id": str(att_id),
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
        }
        if content_type:
            att["content_type"] = content_type
        return att

    async def post_user_message(
        self,
        channel: FakeChannel | int,
        author: FakeUser | int,
        content: str = "",
        *,
        attachments: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A message a human posted; dispatched as MESSAGE_CREATE (content blanked without the
        MESSAGE_CONTENT intent unless it mentions the bot, as Discord does)."""
        ch = self._channel(channel)
        user = self.users[_id(author)]
        msg = self._message_payload(
            self._new_id(), ch.id, ch.guild_id, user, content, [], [], 0, attachments or [], msg_type=0
        )
        self.message_store[int(msg["id"])] = msg
        if self._session is not None and self._session.intents & Intent.GUILD_MESSAGES:
            event = dict(msg)
            member = self.guilds[ch.guild_id].member(user.id)
            if member is not None:
                event["member"] = {k: v for k, v in member.payload().items() if k != "user"}
            mentioned = f"<@{self.bot_user.id}>" in content or f"<@!{self.bot_user.id}>" in content
            if not self._session.intents & Intent.MESSAGE_CONTENT and not mentioned:
                event.update(content="", embeds=[], attachments=[], components=[])
            await self._dispatch("MESSAGE_CREATE", event)
        return msg

    def exhaust_channel_bucket(self, channel: FakeChannel | int) -> None:
        """Use up the channel's message bucket, as if another process had posted with our token."""
        self._bucket(_CHANNEL_MESSAGES, str(_id(channel))).exhaust(self._now())

    def inject_error(
        self,
        route_regex: str,
        status: int,
        code: int = 0,
        count: int = 1,
        *,
        method: str | None = None,
        message: str | None = None,
        retry_after: float = 0.3,
    ) -> None:
        """The next ``count`` requests whose path (after /api/v10) matches ``route_regex`` get this error.
        Status 429 produces a proper rate-limit response (retry_after, Retry-After, Via)."""
        self._injected.append(_Injected(re.compile(route_regex), method, status, code, count, message, retry_after))

    # ------------------------------------------------------------------ test helpers: waiting

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

    # ------------------------------------------------------------------ test helpers: gateway

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

    @property
    def connected(self) -> bool:
        return self._session is not None and self._session.conn is not None

    async def _dispatch(self, event: str, data: dict[str, Any]) -> None:
        if self._session is not None:
            await self._session.dispatch(event, data)

    # ------------------------------------------------------------------ test helpers: interactions

    async def slash(
        self,
        guild: FakeGuild | int | None,
        channel: FakeChannel | int,
        user: FakeUser | int,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        resolved: dict[str, Any] | None = None,
        force: bool = False,
    ) -> InteractionRecord:
        """A user runs ``/name`` (``"group sub"`` for subcommands) with ``options``. Values: str, int,
        float, bool, FakeUser/FakeRole/FakeChannel, or an attachment dict from add_attachment().
        Raises LookupError/ValueError/PermissionError for what a real client could not send
        (``force=True`` skips the default_member_permissions check)."""
        return await self._command_interaction(
            2, guild, channel, user, name, options or {}, resolved=resolved, focused=None, force=force
        )

    async def autocomplete(
        self,
        guild: FakeGuild | int | None,
        channel: FakeChannel | int,
        user: FakeUser | int,
        name: str,
        options: dict[str, Any],
        focused: str,
    ) -> InteractionRecord:
        """The user is typing into option ``focused``; other options may be partial or missing."""
        return await self._command_interaction(
            4, guild, channel, user, name, options, resolved=None, focused=focused, force=True
        )

    async def message_command(
        self,
        guild: FakeGuild | int | None,
        channel: FakeChannel | int,
        user: FakeUser | int,
        name: str,
        target_message: SentMessage | dict[str, Any] | int,
        *,
        force: bool = False,
    ) -> InteractionRecord:
        """A user picks Apps > ``name`` on ``target_message``."""
        guild_id = self._guild_id(guild, channel)
        cmd = self._find_command(guild_id, name, 3)
        self._check_command_permission(cmd, guild_id, channel, user, force)
        msg = self._stored_message(target_message)
        data = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": 3,
            "target_id": msg["id"],
            "resolved": {"messages": {msg["id"]: self._public(msg)}},
        }
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return await self._send_interaction(2, guild_id, channel, user, data, name=cmd["name"])

    async def button(
        self,
        guild: FakeGuild | int | None,
        channel: FakeChannel | int,
        user: FakeUser | int,
        message: SentMessage | dict[str, Any] | int,
        custom_id: str,
    ) -> InteractionRecord:
        """A user clicks the button ``custom_id`` on ``message`` (it must exist and be enabled)."""
        guild_id = self._guild_id(guild, channel)
        msg = self._stored_message(message)
        component = None
        for row in msg.get("components", []):
            for comp in row.get("components", []):
                if comp.get("custom_id") == custom_id:
                    component = comp
        if component is None:
            raise ValueError(f"message {msg['id']} has no component {custom_id!r}")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        if msg.get("flags", 0) & MessageFlag.EPHEMERAL and msg.get("_visible_to") not in (None, _id(user)):
            raise ValueError("only the invoking user can see this ephemeral message")
        data = {"custom_id": custom_id, "component_type": component["type"]}
        rec = await self._send_interaction(3, guild_id, channel, user, data, name=custom_id, message=msg)
        return rec

    async def modal_submit(
        self,
        guild: FakeGuild | int | None,
        channel: FakeChannel | int,
        user: FakeUser | int,
        custom_id: str,
        values: dict[str, str],
    ) -> InteractionRecord:
        """A user submits modal ``custom_id`` with text inputs ``{input custom_id: value}``."""
        guild_id = self._guild_id(guild, channel)
        data = {
            "custom_id": custom_id,
            "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in values.items()
            ],
        }
        return await self._send_interaction(5, guild_id, channel, user, data, name=custom_id)

    def interaction(self, interaction_id: int) -> InteractionRecord:
        return self.interactions[interaction_id]

    # ------------------------------------------------------------------ internals: lookups

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

    # ------------------------------------------------------------------ internals: interactions

    async def _command_interaction(
        self,
        itype: int,
        guild: FakeGuild | int | None,
        channel: FakeChannel | int,
        user: FakeUser | int,
        name: str,
        options: dict[str, Any],
        *,
        resolved: dict[str, Any] | None,
        focused: str | None,
        force: bool,
    ) -> InteractionRecord:
        guild_id = self._guild_id(guild, channel)
        path = name.split()
        cmd = self._find_command(guild_id, path[0], 1)
        self._check_command_permission(cmd, guild_id, channel, user, force)
        res: dict[str, dict[str, Any]] = {}
        level: list[dict[str, Any]] = cmd.get("options", [])
        wrappers: list[dict[str, Any]] = []
        for part in path[1:]:
            opt = next((o for o in level if o["name"] == part and o["type"] in (1, 2)), None)
            if opt is None:
                raise LookupError(f"/{name}: no subcommand {part!r}")
            wrappers.append({"type": opt["type"], "name": part, "options": []})
            level = opt.get("options", [])
        if any(o["type"] in (1, 2) for o in level):
            raise ValueError(f"/{name} has subcommands and can't be invoked itself")
        built = self._build_options(name, level, options, res, guild_id, focused)
        if wrappers:
            for outer, inner in itertools.pairwise(wrappers):
                outer["options"] = [inner]
            wrappers[-1]["options"] = built
            built = [wrappers[0]]
        data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": 1}
        if built:
            data["options"] = built
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        for key, extra in (resolved or {}).items():
            res.setdefault(key, {}).update(extra)
        if res:
            data["resolved"] = res
        return await self._send_interaction(itype, guild_id, channel, user, data, name=name)

    def _build_options(
        self,
        name: str,
        defs: list[dict[str, Any]],
        values: dict[str, Any],
        res: dict[str, dict[str, Any]],
        guild_id: int,
        focused: str | None,
    ) -> list[dict[str, Any]]:
        by_name = {o["name"]: o for o in defs}
        for key in values:
            if key not in by_name:
                raise ValueError(f"/{name} has no option {key!r}; options: {sorted(by_name)}")
        if focused is not None:
            if focused not in by_name:
                raise ValueError(f"/{name} has no option {focused!r}")
            if not by_name[focused].get("autocomplete"):
                raise ValueError(f"option {focused!r} of /{name} has no autocomplete")
        else:
            missing = [o["name"] for o in defs if o.get("required") and o["name"] not in values]
            if missing:
                raise ValueError(f"/{name}: required options missing: {missing}")
        out = []
        for opt in defs:  # Discord sends options in definition order
            key = opt["name"]
            if key not in values and key != focused:
                continue
            value = values.get(key, "")
            if key == focused:
                out.append({"name": key, "type": opt["type"], "value": str(value), "focused": True})
                continue
            out.append(
                {
                    "name": key,
                    "type": opt["type"],
                    "value": self._option_value(name, opt, value, res, guild_id),
                }
            )
        return out

    def _option_value(
        self, name: str, opt: dict[str, Any], value: Any, res: dict[str, dict[str, Any]], guild_id: int
    ) -> Any:
        t = opt["type"]
        label = f"/{name} option {opt['name']!r}"
        wanted = {3: str, 4: int, 5: bool, 10: int | float}.get(t)
        if wanted is not None and (not isinstance(value, wanted) or (t != 5 and isinstance(value, bool))):
            raise ValueError(f"{label} takes {wanted}, got {value!r}")
        if t == 3 and not opt.get("min_length", 0) <= len(value) <= opt.get("max_length", 6000):
            raise ValueError(f"{label}: length outside min_length/max_length")
        too_small = "min_value" in opt and value < opt["min_value"]
        too_big = "max_value" in opt and value > opt["max_value"]
        if t in (4, 10) and (too_small or too_big):
            raise ValueError(f"{label}: outside min_value/max_value")
        if opt.get("choices") and value not in [c["value"] for c in opt["choices"]]:
            raise ValueError(f"{label}: {value!r} is not one of the choices")
        guild = self.guilds[guild_id]
        if t in (6, 9) and (isinstance(value, FakeUser) or (isinstance(value, int) and value in self.users)):
            user = self.users[_id(value)]
            res.setdefault("users", {})[str(user.id)] = user.payload()
            member = guild.member(user.id)
            if member is not None:
                mp = {k: v for k, v in member.payload().items() if k != "user"}
                mp["permissions"] = str(guild.permissions_for(user.id))
                res.setdefault("members", {})[str(user.id)] = mp
            return str(user.id)
        if t in (8, 9) and isinstance(value, FakeRole | int):
            role = guild.role(_id(value))
            res.setdefault("roles", {})[str(role.id)] = role.payload()
            return str(role.id)
        if t == 7:
            ch = self._channel(value)
            res.setdefault("channels", {})[str(ch.id)] = {
                "id": str(ch.id),
                "name": ch.name,
                "type": ch.type,
                "permissions": str(guild.permissions_for(self.bot_user.id, ch.id)),
                "parent_id": None,
            }
            return str(ch.id)
        if t == 11:
            if not isinstance(value, dict) or "id" not in value:
                raise ValueError(f"{label} takes an attachment dict from add_attachment()")
            res.setdefault("attachments", {})[value["id"]] = value
            return value["id"]
        if t in (6, 7, 8, 9):
            raise ValueError(f"{label}: unknown user/role/channel {value!r}")
        return value

    async def _send_interaction(
        self,
        itype: int,
        guild_id: int,
        channel: FakeChannel | int,
        user: FakeUser | int,
        data: dict[str, Any],
        *,
        name: str,
        message: dict[str, Any] | None = None,
    ) -> InteractionRecord:
        if self._session is None:
            raise RuntimeError("no gateway session: the bot has not connected")
        ch = self._channel(channel)
        guild = self.guilds[guild_id]
        uid = _id(user)
        member = guild.member(uid)
        if member is None:
            raise LookupError(f"user {uid} is not a member of guild {guild_id}")
        if not guild.permissions_for(uid, ch.id) & Perm.VIEW_CHANNEL:
            raise PermissionError("the user can't see that channel")
        iid = self._new_id()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        member_payload = member.payload()
        member_payload["permissions"] = str(guild.permissions_for(uid, ch.id))
        channel_payload = ch.payload()
        channel_payload["permissions"] = member_payload["permissions"]
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "data": data,
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "guild_id": str(guild.id),
            "guild_locale": "en-US",
            "channel": channel_payload,
            "channel_id": str(ch.id),
            "member": member_payload,
            "token": token,
            "version": 1,
            "app_permissions": str(guild.permissions_for(self.bot_user.id, ch.id)),
            "locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": MAX_UPLOAD_BYTES,
        }
        if message is not None:
            payload["message"] = self._public(message)
        rec = InteractionRecord(
            id=iid,
            token=token,
            type=itype,
            name=name,
            payload=payload,
            guild_id=guild.id,
            channel_id=ch.id,
            user_id=uid,
            component_message_id=int(message["id"]) if message else None,
        )
        self.interactions[iid] = rec
        rec.dispatched_at = self._now()
        await self._dispatch("INTERACTION_CREATE", payload)
        return rec

    # ------------------------------------------------------------------ internals: messages

    def _cdn_url(self, att_id: int, filename: str) -> str:
        ex = format(int(time.time() + self.attachment_url_ttl), "x")
        is_ = format(int(time.time()), "x")
        hm = hmac.new(self._cdn_secret, f"{att_id}:{ex}".encode(), hashlib.sha256).hexdigest()
        return f"{self.base_url}/attachments/{att_id}/{urllib.parse.quote(filename)}?ex={ex}&is={is_}&hm={hm}"

    def _message_payload(
        self,
        mid: int,
        channel_id: int,
        guild_id: int | None,
        author: FakeUser,
        content: str,
        embeds: list[dict[str, Any]],
        components: list[dict[str, Any]],
        flags: int,
        attachments: list[dict[str, Any]],
        *,
        msg_type: int,
        interaction: InteractionRecord | None = None,
    ) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "id": str(mid),
            "type": msg_type,
            "channel_id": str(channel_id),
            "author": author.payload(),
            "content": content,
            "timestamp": _iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": embeds,
            "components": components,
            "pinned": False,
            "flags": flags,
            "reactions": [],
        }
        if guild_id is not None:
            msg["guild_id"] = str(guild_id)
        if interaction is not None:
            msg["webhook_id"] = str(self.application_id)
            msg["application_id"] = str(self.application_id)
            msg["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": self.users[interaction.user_id].payload(),
                "authorizing_integration_owners": {"0": str(interaction.guild_id)},
            }
        return msg

    def _pings(
        self, content: str, allowed: dict[str, Any] | None, default_parse: list[str], channel_id: int
    ) -> list[str]:
        if allowed is None:
            parse, users, roles = default_parse, [], []
        else:
            parse = allowed.get("parse", [])
            users = [str(u) for u in allowed.get("users", [])]
            roles = [str(r) for r in allowed.get("roles", [])]
        ch = self._find_channel(channel_id)
        can_everyone = bool(
            ch and self.guilds[ch.guild_id].permissions_for(self.bot_user.id, ch.id) & Perm.MENTION_EVERYONE
        )
        out = []
        for m in _markdown_mentions(content):
            if m in ("@everyone", "@here"):
                ok = "everyone" in parse and can_everyone
            elif m.startswith("<@&"):
                ok = "roles" in parse or m[3:-1] in roles
            elif m.startswith("<@"):
                ok = "users" in parse or m.strip("<@!>") in users
            else:
                ok = False  # channel links never notify
            if ok:
                out.append(m)
        return out

    def _validate_message(
        self,
        body: dict[str, Any],
        files: list[tuple[str, bytes, str | None]],
        *,
        partial: bool,
        under: str = "",
    ) -> None:
        """Raise Discord's error for an invalid message body; ``under`` nests the errors object
        (interaction callbacks report ``{"data": {"content": ...}}``)."""
        try:
            self._check_message(body, files, partial=partial)
        except _HTTPError as err:
            if under and "errors" in err.body:
                err.body["errors"] = {under: err.body["errors"]}
            raise

    def _check_message(
        self, body: dict[str, Any], files: list[tuple[str, bytes, str | None]], *, partial: bool
    ) -> None:
        errors = _Errors()
        content = body.get("content")
        if content is not None:
            _max_len(errors, ["content"], content, 2000)
        embeds = body.get("embeds")
        if embeds is not None:
            if not isinstance(embeds, list):
                errors.add(["embeds"], "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
            else:
                if len(embeds) > 10:
                    errors.add(["embeds"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
                total = 0
                for i, emb in enumerate(embeds):
                    total += self._validate_embed(errors, ["embeds", i], emb)
                if total > 6000:
                    errors.add(["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
        components = body.get("components")
        flags = int(body.get("flags") or 0)
        if components is not None:
            self._validate_components(errors, components, flags)
        if flags & MessageFlag.IS_COMPONENTS_V2 and (content or embeds):
            errors.add(
                ["content" if content else "embeds"],
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "The 'content' and 'embeds' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2",
            )
        allowed = body.get("allowed_mentions")
        if allowed is not None:
            parse = allowed.get("parse", [])
            for i, p in enumerate(parse):
                if p not in ("users", "roles", "everyone"):
                    errors.add(
                        ["allowed_mentions", "parse", i],
                        "BASE_TYPE_CHOICES",
                        "Value must be one of {'users', 'roles', 'everyone'}.",
                    )
            for kind in ("users", "roles"):
                if kind in parse and allowed.get(kind):
                    errors.add(
                        ["allowed_mentions", kind],
                        "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                        f'parse:["{kind}"] and {kind}: [ids] are mutually exclusive.',
                    )
                if len(allowed.get(kind) or []) > 100:
                    errors.add(["allowed_mentions", kind], "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
        if len(files) > 10:
            errors.add(["files"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        errors.raise_if_any()
        for _, data, _ in files:
            if len(data) > MAX_UPLOAD_BYTES:
                raise _HTTPError(413, 40005, "Request entity too large")
        if not partial and not self._has_body(body, files):
            raise _HTTPError(400, 50006, "Cannot send an empty message")

    @staticmethod
    def _has_body(body: dict[str, Any], files: list[Any]) -> bool:
        return bool(
            (body.get("content") or "").strip()
            or body.get("embeds")
            or body.get("components")
            or files
            or body.get("attachments")
            or body.get("sticker_ids")
            or body.get("poll")
        )

    @staticmethod
    def _validate_embed(errors: _Errors, path: list[Any], emb: Any) -> int:
        if not isinstance(emb, dict):
            errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            return 0
        total = 0

        def check(sub: list[Any], value: Any, limit: int) -> None:
            nonlocal total
            if value is None:
                return
            if not isinstance(value, str):
                errors.add(path + sub, "STRING_TYPE_CONVERT", "Could not interpret value as string.")
                return
            stripped = value.strip()
            total += len(stripped)
            if len(stripped) > limit:
                errors.add(path + sub, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

        check(["title"], emb.get("title"), 256)
        check(["description"], emb.get("description"), 4096)
        check(["footer", "text"], (emb.get("footer") or {}).get("text"), 2048)
        check(["author", "name"], (emb.get("author") or {}).get("name"), 256)
        fields = emb.get("fields") or []
        if len(fields) > 25:
            errors.add(path + ["fields"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for i, f in enumerate(fields):
            if not (f.get("name") or "").strip():
                errors.add(path + ["fields", i, "name"], "BASE_TYPE_REQUIRED", "This field is required")
            if not (f.get("value") or "").strip():
                errors.add(path + ["fields", i, "value"], "BASE_TYPE_REQUIRED", "This field is required")
            check(["fields", i, "name"], f.get("name"), 256)
            check(["fields", i, "value"], f.get("value"), 1024)
        return total

    @staticmethod
    def _validate_components(errors: _Errors, components: Any, flags: int) -> None:
        if not isinstance(components, list):
            errors.add(["components"], "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
            return
        if flags & MessageFlag.IS_COMPONENTS_V2:
            if len(components) > 40:
                errors.add(["components"], "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in length.")
            return
        if len(components) > 5:
            errors.add(["components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        seen: set[str] = set()
        for r, row in enumerate(components):
            if not isinstance(row, dict) or row.get("type") != 1:
                errors.add(
                    ["components", r],
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    "Top-level components must be action rows",
                )
                continue
            children = row.get("components") or []
            if not children:
                errors.add(
                    ["components", r, "components"],
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 5 in length.",
                )
            if len(children) > 5:
                errors.add(
                    ["components", r, "components"],
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 5 in length.",
                )
            has_select = any(c.get("type") in (3, 5, 6, 7, 8) for c in children)
            if has_select and len(children) > 1:
                errors.add(
                    ["components", r, "components"],
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    "The specified component exceeds the maximum width",
                )
            for c, comp in enumerate(children):
                path = ["components", r, "components", c]
                ctype = comp.get("type")
                if ctype == 2:
                    if "label" in comp:
                        _max_len(errors, path + ["label"], comp.get("label"), 80)
                    if comp.get("style") == 5:
                        if not comp.get("url"):
                            errors.add(path + ["url"], "BASE_TYPE_REQUIRED", "This field is required")
                        continue
                    if comp.get("style") == 6:
                        continue
                elif ctype in (3, 5, 6, 7, 8):
                    opts = comp.get("options") or []
                    if ctype == 3 and not 1 <= len(opts) <= 25:
                        errors.add(path + ["options"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length.")
                    for o, opt in enumerate(opts):
                        for key in ("label", "value", "description"):
                            if key in opt:
                                _max_len(errors, path + ["options", o, key], opt[key], 100, min_len=1)
                else:
                    errors.add(path + ["type"], "BASE_TYPE_CHOICES", "Value must be a valid component type.")
                    continue
                cid = comp.get("custom_id")
                if cid is None:
                    errors.add(path + ["custom_id"], "BASE_TYPE_REQUIRED", "This field is required")
                    continue
                _max_len(errors, path + ["custom_id"], cid, 100, min_len=1)
                if cid in seen:
                    errors.add(
                        path + ["custom_id"],
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                seen.add(cid)

    def _store_files(
        self, body: dict[str, Any], files: list[tuple[str, bytes, str | None]], keep: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        # Names come from the "attachments" list when given (discord.py sends it), else from the upload.
        meta = {str(a.get("id")): a for a in body.get("attachments") or [] if isinstance(a, dict)}
        out = list(keep)
        for i, (fname, data, ctype) in enumerate(files):
            info = meta.get(str(i)) or {}
            att = self.add_attachment(data, info.get("filename") or fname, ctype)
            if info.get("description"):
                att["description"] = info["description"]
            out.append(att)
        return out

    def _record(
        self,
        msg: dict[str, Any],
        route: str,
        body: dict[str, Any],
        files: list[tuple[str, bytes, str | None]],
        interaction: InteractionRecord | None,
        default_parse: list[str],
    ) -> SentMessage:
        allowed = msg.get("_allowed_mentions")
        rec = SentMessage(
            id=int(msg["id"]),
            route=route,
            channel_id=int(msg["channel_id"]),
            guild_id=int(msg["guild_id"]) if msg.get("guild_id") else None,
            content=msg["content"],
            embeds=msg["embeds"],
            components=msg["components"],
            flags=msg["flags"],
            allowed_mentions=allowed,
            attachments=msg["attachments"],
            author_id=int(msg["author"]["id"]),
            interaction_id=interaction.id if interaction else None,
            request=body,
            pings=self._pings(msg["content"], allowed, default_parse, int(msg["channel_id"])),
            files=[(n, d) for n, d, _ in files],
        )
        self.messages.append(rec)
        return rec

    def _reject(
        self,
        route: str,
        request: web.Request,
        err: _HTTPError,
        body: dict[str, Any] | None,
        iid: int | None = None,
    ) -> None:
        self.rejected.append(
            RejectedMessage(route, request.method, _redact(request.path), err.status, err.body, body, iid)
        )

    def _public(self, msg: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in msg.items() if not k.startswith("_")}

    def _new_message(
        self,
        channel_id: int,
        guild_id: int | None,
        body: dict[str, Any],
        attachments: list[dict[str, Any]],
        *,
        flags: int,
        msg_type: int,
        interaction: InteractionRecord | None = None,
        mid: int | None = None,
    ) -> dict[str, Any]:
        msg = self._message_payload(
            mid or self._new_id(),
            channel_id,
            guild_id,
            self.bot_user,
            body.get("content") or "",
            body.get("embeds") or [],
            body.get("components") or [],
            flags,
            attachments,
            msg_type=msg_type,
            interaction=interaction,
        )
        msg["_allowed_mentions"] = body.get("allowed_mentions")
        if interaction is not None and flags & MessageFlag.EPHEMERAL:
            msg["_visible_to"] = interaction.user_id
        self.message_store[int(msg["id"])] = msg
        return msg

    def _apply_edit(
        self, msg: dict[str, Any], body: dict[str, Any], files: list[tuple[str, bytes, str | None]]
    ) -> dict[str, Any]:
        merged = dict(msg)
        for key in ("content", "embeds", "components"):
            if key in body:
                merged[key] = body[key] if body[key] is not None else ("" if key == "content" else [])
        # An edit without allowed_mentions gets the defaults again.
        merged["_allowed_mentions"] = body.get("allowed_mentions")
        if "attachments" in body:
            keep_ids = {str(a.get("id")) for a in body["attachments"] or []}
            keep = [a for a in msg["attachments"] if a["id"] in keep_ids]
        else:
            keep = msg["attachments"]
        if "attachments" in body or files:
            merged["attachments"] = self._store_files(body, files, keep)
        if "flags" in body and body["flags"] is not None:
            # Only SUPPRESS_EMBEDS may change on edit; ephemeral/loading are fixed.
            fixed = msg["flags"] & ~MessageFlag.SUPPRESS_EMBEDS
            merged["flags"] = fixed | (int(body["flags"]) & MessageFlag.SUPPRESS_EMBEDS)
        merged["flags"] &= ~MessageFlag.LOADING
        merged["edited_timestamp"] = _iso()
        return merged

    # ------------------------------------------------------------------ REST plumbing

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], str, str, bool, Callable[..., Any]]]:
        """(method, path regex, bucket template, major-parameter group, needs bot auth, handler)."""
        raw = [
            ("GET", r"/users/@me", "", True, self._get_me),
            ("GET", r"/gateway", "", False, self._get_gateway),
            ("GET", r"/gateway/bot", "", True, self._get_gateway_bot),
            ("GET", r"/oauth2/applications/@me", "", True, self._get_application),
            ("GET", r"/applications/@me", "", True, self._get_application),
            ("GET", r"/applications/(?P<app>\d+)/commands", "", True, self._get_commands),
            ("PUT", r"/applications/(?P<app>\d+)/commands", "", True, self._put_commands),
            (
                "GET",
                r"/applications/(?P<app>\d+)/guilds/(?P<guild>\d+)/commands",
                "guild",
                True,
                self._get_commands,
            ),
            (
                "PUT",
                r"/applications/(?P<app>\d+)/guilds/(?P<guild>\d+)/commands",
                "guild",
                True,
                self._put_commands,
            ),
            ("POST", r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback", "iid", False, self._callback),
            (
                "GET",
                r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)",
                "token",
                False,
                self._webhook_get,
            ),
            (
                "PATCH",
                r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)",
                "token",
                False,
                self._webhook_edit,
            ),
            (
                "DELETE",
                r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)",
                "token",
                False,
                self._webhook_delete,
            ),
            ("POST", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)", "token", False, self._followup),
            ("GET", r"/channels/(?P<channel>\d+)", "channel", True, self._get_channel),
            ("POST", r"/channels/(?P<channel>\d+)/messages", "channel", True, self._channel_post),
            (
                "GET",
                r"/channels/(?P<channel>\d+)/messages/(?P<mid>\d+)",
                "channel",
                True,
                self._channel_get_message,
            ),
            (
                "PATCH",
                r"/channels/(?P<channel>\d+)/messages/(?P<mid>\d+)",
                "channel",
                True,
                self._channel_edit,
            ),
            (
                "DELETE",
                r"/channels/(?P<channel>\d+)/messages/(?P<mid>\d+)",
                "channel",
                True,
                self._channel_delete,
            ),
        ]
        out = []
        for method, pattern, major, auth, handler in raw:
            template = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern)
            out.append((method, re.compile(pattern + "$"), f"{method} {template}", major, auth, handler))
        return out

    def _bucket(self, template: str, major: str) -> _Bucket:
        key = (template, major)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(template, 1, 1.0)
        # Follow the current settings, so a test may change them at any time.
        bucket.limit, bucket.window = (
            self.channel_message_limit if template == _CHANNEL_MESSAGES else self.default_limit
        )
        return bucket

    def _respond(
        self,
        request: web.Request,
        status: int,
        body: Any,
        bucket: _Bucket | None,
        extra: dict[str, str] | None = None,
    ) -> web.Response:
        headers = {"Via": "1.1 google"}
        if bucket is not None:
            headers.update(bucket.headers(self._now(), time.time()))
        if extra:
            headers.update(extra)
        code = body.get("code") if isinstance(body, dict) and status >= 400 else None
        self.requests.append(RequestRecord(request.method, _redact(request.path), status, code))
        if status in (401, 403) or (status == 429 and headers.get("X-RateLimit-Scope") != "shared"):
            self.invalid_request_count += 1
        if body is None:
            return web.Response(status=status, headers=headers)
        headers["Content-Type"] = "application/json"
        return web.Response(status=status, body=json.dumps(body).encode(), headers=headers)

    async def _rest_handler(self, request: web.Request) -> web.StreamResponse:
        try:
            return await self._rest(request)
        finally:
            await self._notify()

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["version"] != "10":
            return self._respond(request, 400, {"message": "Invalid API version", "code": 50041}, None)
        path = "/" + request.match_info["tail"]
        path_known = False
        for route in self._routes:
            m = route[1].match(path)
            path_known = path_known or m is not None
            if m and route[0] == request.method:
                break
        else:
            self.unhandled.append((request.method, _redact(path)))
            if path_known:
                return self._respond(request, 405, {"message": "405: Method Not Allowed", "code": 0}, None)
            return self._respond(request, 404, {"message": "404: Not Found", "code": 0}, None)
        _, _, template, major, auth, handler = route
        params = m.groupdict()
        bucket = self._bucket(template, params.get(major, "") if major else "")
        if auth and request.headers.get("Authorization") != f"Bot {self._token}":
            return self._respond(request, 401, {"message": "401: Unauthorized", "code": 0}, bucket)
        now = self._now()
        for inj in self._injected:
            if inj.remaining > 0 and inj.pattern.search(path) and inj.method in (None, request.method):
                inj.remaining -= 1
                if inj.status == 429:
                    return self._too_many(request, bucket, inj.retry_after)
                body = {"message": inj.message or _default_message(inj.status), "code": inj.code}
                return self._respond(request, inj.status, body, bucket)
        if not bucket.take(now):
            return self._too_many(request, bucket, max(bucket.reset_at - now, 0.001))
        try:
            status, body = await handler(request, **params)
        except _HTTPError as err:
            return self._respond(request, err.status, err.body, bucket)
        return self._respond(request, status, body, bucket)

    def _too_many(self, request: web.Request, bucket: _Bucket, retry_after: float) -> web.Response:
        self.ratelimited_count += 1
        body = {
            "message": "You are being rate limited.",
            "retry_after": round(retry_after, 3),
            "global": False,
        }
        extra = {
            "Retry-After": str(max(1, int(retry_after + 0.999))),
            "X-RateLimit-Scope": "user",
            "X-RateLimit-Global": "false",
        }
        return self._respond(request, 429, body, bucket, extra)

    async def _read_body(self, request: web.Request) -> tuple[dict[str, Any], list[tuple[str, bytes, str | None]]]:
        ctype = request.content_type
        files: list[tuple[str, bytes, str | None]] = []
        if ctype == "multipart/form-data":
            form = await request.post()
            raw = form.get("payload_json")
            body: Any = {}
            if raw is not None:
                text = raw if isinstance(raw, str) else raw.file.read().decode()  # type: ignore[union-attr]
                body = _loads(text)
            for key in form:
                if re.fullmatch(r"files\[\d+\]", key):
                    item = form[key]
                    files.append((item.filename, item.file.read(), item.content_type))  # type: ignore[union-attr]
            return body, files
        text = await request.text()
        if not text:
            return {}, files
        if ctype != "application/json":
            raise _HTTPError(400, 50109, "The request body contains invalid JSON.")
        return _loads(text), files

    # ------------------------------------------------------------------ REST handlers

    def _app_payload(self) -> dict[str, Any]:
        owner = next(iter(self.guilds.values())).owner_id
        owner_user = self.users.get(owner, FakeUser(owner, "owner"))
        return {
            "id": str(self.application_id),
            "name": self.bot_user.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": hashlib.sha256(b"verify").hexdigest(),
            "owner": owner_user.payload(),
            "team": None,
            "flags": 0,
            "bot": self.bot_user.payload(),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": len(self.guilds),
        }

    async def _get_me(self, request: web.Request) -> tuple[int, Any]:
        me = self.bot_user.payload() | {"verified": True, "mfa_enabled": False, "flags": 0, "locale": "en-US"}
        return 200, me

    async def _get_gateway(self, request: web.Request) -> tuple[int, Any]:
        return 200, {"url": self.gateway_url}

    async def _get_gateway_bot(self, request: web.Request) -> tuple[int, Any]:
        return 200, {
            "url": self.gateway_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 1000 - self.identify_count,
                "reset_after": 86400000,
                "max_concurrency": 1,
            },
        }

    async def _get_application(self, request: web.Request) -> tuple[int, Any]:
        return 200, self._app_payload()

    def _check_app(self, app: str) -> None:
        if int(app) != self.application_id:
            raise _HTTPError(403, 20012, "You are not authorized to perform this action on this application")

    def _check_guild(self, guild: str | None) -> int | None:
        if guild is None:
            return None
        if int(guild) not in self.guilds:
            raise _HTTPError(403, 50001, "Missing Access")
        return int(guild)

    async def _get_commands(self, request: web.Request, app: str, guild: str | None = None) -> tuple[int, Any]:
        self._check_app(app)
        scope = self._check_guild(guild)
        return 200, self.commands.get(scope, [])

    async def _put_commands(self, request: web.Request, app: str, guild: str | None = None) -> tuple[int, Any]:
        self._check_app(app)
        scope = self._check_guild(guild)
        body, _ = await self._read_body(request)
        if not isinstance(body, list):
            raise _form_error([], "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        errors = _Errors()
        counts = {1: 0, 2: 0, 3: 0}
        seen: set[tuple[int, str]] = set()
        for i, cmd in enumerate(body):
            ctype = cmd.get("type", 1)
            if ctype not in (1, 2, 3):
                errors.add([i, "type"], "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")
                continue
            counts[ctype] += 1
            self._validate_command(errors, [i], cmd, ctype)
            key = (ctype, cmd.get("name"))
            if key in seen:
                errors.add(
                    [i, "name"],
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    "Application command names must be unique",
                )
            seen.add(key)
        for ctype, limit in ((1, 100), (2, 15), (3, 15)):
            if counts[ctype] > limit:
                errors.add(
                    [],
                    "APPLICATION_COMMANDS_TOO_MANY",
                    f"Maximum number of type {ctype} commands reached ({limit})",
                )
        errors.raise_if_any()
        old = {(c["type"], c["name"]): c for c in self.commands.get(scope, [])}
        stored = []
        for cmd in body:
            ctype = cmd.get("type", 1)
            prev = old.get((ctype, cmd["name"]))
            dmp = cmd.get("default_member_permissions")
            stored.append(
                {
                    "id": prev["id"] if prev else str(self._new_id()),
                    "application_id": str(self.application_id),
                    "version": str(self._new_id()),
                    "type": ctype,
                    "name": cmd["name"],
                    "name_localizations": cmd.get("name_localizations"),
                    "description": cmd["description"] if ctype == 1 else (cmd.get("description") or ""),
                    "description_localizations": cmd.get("description_localizations"),
                    "default_member_permissions": None if dmp is None else str(dmp),
                    "dm_permission": cmd.get("dm_permission", True),
                    "contexts": cmd.get("contexts"),
                    "integration_types": cmd.get("integration_types") or [0],
                    "nsfw": cmd.get("nsfw", False),
                    **({"options": cmd["options"]} if cmd.get("options") else {}),
                    **({"guild_id": str(scope)} if scope is not None else {}),
                }
            )
        self.commands[scope] = stored
        self.sync_count += 1
        self.syncs.append((scope, body))
        return 200, stored

    def _validate_command(self, errors: _Errors, path: list[Any], cmd: dict[str, Any], ctype: int) -> None:
        name = cmd.get("name")
        if ctype == 1:
            if not _valid_command_name(name):
                errors.add(path + ["name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
            desc = cmd.get("description")
            if not isinstance(desc, str) or not 1 <= len(desc) <= 100:
                errors.add(path + ["description"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            self._validate_options(errors, path + ["options"], cmd.get("options") or [], "command")
            size = _command_size(cmd)
            if size > 8000:
                errors.add(path, "APPLICATION_COMMAND_TOO_LARGE", f"Command exceeds maximum size (8000), got {size}")
        else:
            if not isinstance(name, str) or not 1 <= len(name) <= 32:
                errors.add(path + ["name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
            if cmd.get("description"):
                errors.add(
                    path + ["description"],
                    "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                    "Context menu commands cannot have description",
                )
            if cmd.get("options"):
                errors.add(
                    path + ["options"],
                    "APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS",
                    "Context menu commands cannot have options",
                )
        dmp = cmd.get("default_member_permissions")
        if dmp is not None and not str(dmp).isdigit():
            errors.add(path + ["default_member_permissions"], "NUMBER_TYPE_COERCE", "Value is not int.")

    def _validate_options(self, errors: _Errors, path: list[Any], options: list[dict[str, Any]], parent: str) -> None:
        """``parent``: "command" (may hold groups, subcommands or plain options), "group" (only
        subcommands) or "sub" (only plain options)."""
        if len(options) > 25:
            errors.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        kinds = {o.get("type") in (1, 2) for o in options}
        if parent == "command" and len(kinds) > 1:
            errors.add(
                path,
                "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                "Sub-command and sub-command group option types are mutually exclusive to all other types",
            )
        seen_optional = False
        names: set[str] = set()
        for i, opt in enumerate(options):
            p = path + [i]
            otype = opt.get("type")
            if otype not in _OPTION_TYPES:
                errors.add(p + ["type"], "BASE_TYPE_CHOICES", "Value must be a valid option type.")
                continue
            if not _valid_command_name(opt.get("name")):
                errors.add(p + ["name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
            if opt.get("name") in names:
                errors.add(
                    p + ["name"],
                    "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                    "Option names must be unique",
                )
            names.add(opt.get("name"))
            desc = opt.get("description")
            if not isinstance(desc, str) or not 1 <= len(desc) <= 100:
                errors.add(p + ["description"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            if otype in (1, 2):
                ok = parent == "command" or (parent == "group" and otype == 1)
                if not ok:
                    errors.add(
                        p + ["type"],
                        "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                        "Sub-commands nested too deep",
                    )
                self._validate_options(
                    errors, p + ["options"], opt.get("options") or [], "group" if otype == 2 else "sub"
                )
                continue
            if parent == "group":
                errors.add(
                    p + ["type"],
                    "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                    "A sub-command group may only hold sub-commands",
                )
            if opt.get("required"):
                if seen_optional:
                    errors.add(
                        p + ["required"],
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
            else:
                seen_optional = True
            choices = opt.get("choices") or []
            if choices and opt.get("autocomplete"):
                errors.add(
                    p + ["autocomplete"],
                    "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
                    "Autocomplete cannot be set with choices",
                )
            if len(choices) > 25:
                errors.add(p + ["choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            for c, choice in enumerate(choices):
                _max_len(errors, p + ["choices", c, "name"], choice.get("name"), 100, min_len=1)
                if isinstance(choice.get("value"), str):
                    _max_len(errors, p + ["choices", c, "value"], choice["value"], 100, min_len=1)
            for key, lo, hi in (("min_length", 0, 6000), ("max_length", 1, 6000)):
                if key in opt and not (isinstance(opt[key], int) and lo <= opt[key] <= hi):
                    errors.add(p + [key], "NUMBER_TYPE_MAX", f"Must be between {lo} and {hi}.")

    async def _get_channel(self, request: web.Request, channel: str) -> tuple[int, Any]:
        ch = self._find_channel(int(channel))
        if ch is None:
            raise _HTTPError(404, 10003, "Unknown Channel")
        if not self.guilds[ch.guild_id].permissions_for(self.bot_user.id, ch.id) & Perm.VIEW_CHANNEL:
            raise _HTTPError(403, 50001, "Missing Access")
        return 200, ch.payload()

    def _channel_for_write(self, channel: str) -> tuple[FakeChannel, int]:
        ch = self._find_channel(int(channel))
        if ch is None:
            raise _HTTPError(404, 10003, "Unknown Channel")
        perms = self.guilds[ch.guild_id].permissions_for(self.bot_user.id, ch.id)
        if not perms & Perm.VIEW_CHANNEL:
            raise _HTTPError(403, 50001, "Missing Access")
        return ch, perms

    async def _channel_post(self, request: web.Request, channel: str) -> tuple[int, Any]:
        body: dict[str, Any] | None = None
        try:
            body, files = await self._read_body(request)
            ch, perms = self._channel_for_write(channel)
            if not perms & Perm.SEND_MESSAGES:
                raise _HTTPError(403, 50013, "Missing Permissions")
            if body.get("embeds") and not perms & Perm.EMBED_LINKS:
                raise _HTTPError(403, 50013, "Missing Permissions")
            if files and not perms & Perm.ATTACH_FILES:
                raise _HTTPError(403, 50013, "Missing Permissions")
            self._validate_message(body, files, partial=False)
            flags = int(body.get("flags") or 0)
            if flags & MessageFlag.EPHEMERAL:
                raise _form_error(["flags"], "MESSAGE_FLAGS_INVALID", "Invalid flags")
        except _HTTPError as err:
            self._reject("channel", request, err, body)
            raise
        attachments = self._store_files(body, files, [])
        msg = self._new_message(ch.id, ch.guild_id, body, attachments, flags=flags, msg_type=0)
        self._record(msg, "channel", body, files, None, ["users", "roles", "everyone"])
        await self._echo_message_create(msg)
        return 200, self._public(msg)

    async def _echo_message_create(self, msg: dict[str, Any]) -> None:
        if msg["flags"] & MessageFlag.EPHEMERAL:
            return
        if self._session is not None and self._session.intents & Intent.GUILD_MESSAGES:
            await self._dispatch("MESSAGE_CREATE", self._public(msg))

    def _channel_message(self, channel: str, mid: str) -> dict[str, Any]:
        msg = self.message_store.get(int(mid))
        if (
            msg is None
            or int(msg["channel_id"]) != int(channel)
            or msg["flags"] & MessageFlag.EPHEMERAL
            or int(mid) in self.deleted_message_ids
        ):
            raise _HTTPError(404, 10008, "Unknown Message")
        return msg

    async def _channel_get_message(self, request: web.Request, channel: str, mid: str) -> tuple[int, Any]:
        ch, perms = self._channel_for_write(channel)
        if not perms & Perm.READ_MESSAGE_HISTORY:
            raise _HTTPError(403, 50013, "Missing Permissions")
        return 200, self._public(self._channel_message(channel, mid))

    async def _channel_edit(self, request: web.Request, channel: str, mid: str) -> tuple[int, Any]:
        body: dict[str, Any] | None = None
        try:
            body, files = await self._read_body(request)
            self._channel_for_write(channel)
            msg = self._channel_message(channel, mid)
            if int(msg["author"]["id"]) != self.bot_user.id and set(body) - {"flags"}:
                raise _HTTPError(403, 50005, "Cannot edit a message authored by another user")
            self._validate_message(body, files, partial=True)
            merged = self._apply_edit(msg, body, files)
            if not self._has_body(merged, []):
                raise _HTTPError(400, 50006, "Cannot send an empty message")
        except _HTTPError as err:
            self._reject("channel-edit", request, err, body)
            raise
        self.message_store[int(mid)] = merged
        self._record(merged, "channel-edit", body, files, None, ["users", "roles", "everyone"])
        return 200, self._public(merged)

    async def _channel_delete(self, request: web.Request, channel: str, mid: str) -> tuple[int, Any]:
        ch, perms = self._channel_for_write(channel)
        msg = self._channel_message(channel, mid)
        if int(msg["author"]["id"]) != self.bot_user.id and not perms & Perm.MANAGE_MESSAGES:
            raise _HTTPError(403, 50013, "Missing Permissions")
        self.deleted_message_ids.append(int(mid))
        await self._dispatch("MESSAGE_DELETE", {"id": mid, "channel_id": channel, "guild_id": str(ch.guild_id)})
        return 204, None

    # ------------------------------------------------------------------ interaction callbacks

    def _interaction_by_token(self, iid: int | None, token: str, *, webhook: bool) -> InteractionRecord:
        rec = (
            self.interactions.get(iid)
            if iid is not None
            else next((r for r in self.interactions.values() if r.token == token), None)
        )
        if rec is None or not hmac.compare_digest(rec.token, token):
            if webhook:
                raise _HTTPError(404, 10015, "Unknown Webhook")
            raise _HTTPError(404, 10062, "Unknown interaction")
        if webhook and self._now() - rec.dispatched_at > self.token_lifetime:
            raise _HTTPError(401, 50027, "Invalid Webhook Token")
        return rec

    async def _callback(self, request: web.Request, iid: str, token: str) -> tuple[int, Any]:
        rec: InteractionRecord | None = None
        body: dict[str, Any] | None = None
        try:
            rec = self._interaction_by_token(int(iid), token, webhook=False)
            body, files = await self._read_body(request)
            if rec.acknowledged:
                raise _HTTPError(400, 40060, "Interaction has already been acknowledged.")
            if self._now() - rec.dispatched_at > self.interaction_deadline:
                if not rec.late:
                    self.late_responses.append(rec)
                rec.late = True
                raise _HTTPError(404, 10062, "Unknown interaction")
            result = self._accept_callback(rec, body, files)
        except _HTTPError as err:
            if rec is not None:
                rec.rejected.append((err.status, err.body))
            if body is None or body.get("type") in (4, 7):
                self._reject("interaction-response", request, err, body, rec.id if rec else None)
            raise
        msg, route = result
        if route:
            self._record(msg, route, body, files, rec, ["users"])
            if route == "interaction-response":
                await self._echo_message_create(msg)
        if not _flag_set(request.query.get("with_response", "false")):
            return 204, None
        interaction: dict[str, Any] = {
            "id": str(rec.id),
            "type": rec.type,
            "response_message_loading": rec.original_loading,
            "response_message_ephemeral": bool(msg and msg["flags"] & MessageFlag.EPHEMERAL),
        }
        if rec.original_message_id is not None:
            interaction["response_message_id"] = str(rec.original_message_id)
        out: dict[str, Any] = {"interaction": interaction}
        if msg is not None:
            out["resource"] = {"type": body["type"], "message": self._public(msg)}
        elif body["type"] in (6, 8, 9):
            out["resource"] = {"type": body["type"]}
        return 200, out

    def _accept_callback(
        self, rec: InteractionRecord, body: dict[str, Any], files: list[tuple[str, bytes, str | None]]
    ) -> tuple[dict[str, Any] | None, str]:
        """Returns (message the callback created/updated or None, route to record it under or "")."""
        ctype = body.get("type")
        allowed = {2: (4, 5, 9), 3: (4, 5, 6, 7, 9), 4: (8,), 5: (4, 5, 6, 7)}[rec.type]
        if ctype not in allowed:
            raise _form_error(
                ["type"],
                "INTERACTION_CALLBACK_TYPE_INVALID",
                f"Interaction callback type {ctype} is not valid for this interaction.",
            )
        data = body.get("data") or {}
        msg: dict[str, Any] | None = None
        route = ""
        flags = int(data.get("flags") or 0)
        if ctype == 4:
            self._validate_message(data, files, partial=False, under="data")
            attachments = self._store_files(data, files, [])
            msg = self._new_message(
                rec.channel_id,
                rec.guild_id,
                data,
                attachments,
                flags=flags,
                msg_type=20 if rec.type == 2 else 0,
                interaction=rec,
            )
            rec.original_message_id = int(msg["id"])
            route = "interaction-response"
        elif ctype == 5:
            if flags & ~MessageFlag.EPHEMERAL:
                raise _form_error(
                    ["data", "flags"], "MESSAGE_FLAGS_INVALID", "Only EPHEMERAL may be set when deferring"
                )
            msg = self._new_message(
                rec.channel_id,
                rec.guild_id,
                {},
                [],
                flags=flags | MessageFlag.LOADING,
                msg_type=20 if rec.type == 2 else 0,
                interaction=rec,
            )
            rec.original_message_id = int(msg["id"])
            rec.original_loading = True  # not recorded as a message: nothing visible yet
        elif ctype == 6:
            rec.original_message_id = rec.component_message_id
        elif ctype == 7:
            if rec.component_message_id is None:
                raise _form_error(["type"], "INTERACTION_CALLBACK_TYPE_INVALID", "No message to update")
            self._validate_message(data, files, partial=True, under="data")
            old = self.message_store[rec.component_message_id]
            msg = self._apply_edit(old, data, files)
            if not self._has_body(msg, []):
                raise _HTTPError(400, 50006, "Cannot send an empty message")
            self.message_store[rec.component_message_id] = msg
            rec.original_message_id = rec.component_message_id
            route = "update-message"
        elif ctype == 8:
            choices = data.get("choices")
            errors = _Errors()
            if not isinstance(choices, list):
                errors.add(["data", "choices"], "BASE_TYPE_REQUIRED", "This field is required")
                choices = []
            if len(choices) > 25:
                errors.add(["data", "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            for i, choice in enumerate(choices):
                _max_len(errors, ["data", "choices", i, "name"], choice.get("name"), 100, min_len=1)
                if isinstance(choice.get("value"), str):
                    _max_len(errors, ["data", "choices", i, "value"], choice["value"], 100)
            errors.raise_if_any()
            rec.choices = choices
        elif ctype == 9:
            errors = _Errors()
            _max_len(errors, ["data", "title"], data.get("title"), 45, min_len=1)
            _max_len(errors, ["data", "custom_id"], data.get("custom_id"), 100, min_len=1)
            if not 1 <= len(data.get("components") or []) <= 5:
                errors.add(["data", "components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
            errors.raise_if_any()
        rec.response_type = ctype
        rec.response = body
        rec.acknowledged_at = self._now()
        rec._acked.set()
        return msg, route

    def _webhook_interaction(self, app: str, token: str) -> InteractionRecord:
        if int(app) != self.application_id:
            raise _HTTPError(404, 10015, "Unknown Webhook")
        return self._interaction_by_token(None, token, webhook=True)

    def _webhook_message_id(self, rec: InteractionRecord, mid: str) -> int:
        if not rec.acknowledged:
            raise _HTTPError(404, 10015, "Unknown Webhook")
        if mid == "@original":
            if rec.original_message_id is None:
                raise _HTTPError(404, 10008, "Unknown Message")
            return rec.original_message_id
        if int(mid) != rec.original_message_id and int(mid) not in rec.followup_ids:
            raise _HTTPError(404, 10008, "Unknown Message")
        return int(mid)

    async def _webhook_get(self, request: web.Request, app: str, token: str, mid: str) -> tuple[int, Any]:
        rec = self._webhook_interaction(app, token)
        message_id = self._webhook_message_id(rec, mid)
        if message_id in self.deleted_message_ids:
            raise _HTTPError(404, 10008, "Unknown Message")
        return 200, self._public(self.message_store[message_id])

    async def _webhook_edit(self, request: web.Request, app: str, token: str, mid: str) -> tuple[int, Any]:
        rec: InteractionRecord | None = None
        body: dict[str, Any] | None = None
        route = "edit-original" if mid == "@original" else "edit-followup"
        try:
            rec = self._webhook_interaction(app, token)
            body, files = await self._read_body(request)
            message_id = self._webhook_message_id(rec, mid)
            if message_id == rec.original_message_id:
                route = "edit-original"
            if message_id in self.deleted_message_ids:
                raise _HTTPError(404, 10008, "Unknown Message")
            self._validate_message(body, files, partial=True)
            merged = self._apply_edit(self.message_store[message_id], body, files)
            if not self._has_body(merged, []):
                raise _HTTPError(400, 50006, "Cannot send an empty message")
        except _HTTPError as err:
            self._reject(route, request, err, body, rec.id if rec else None)
            raise
        was_loading = message_id == rec.original_message_id and rec.original_loading
        if message_id == rec.original_message_id:
            rec.original_loading = False
        self.message_store[message_id] = merged
        self._record(merged, route, body, files, rec, ["users"])
        if was_loading:
            await self._echo_message_create(merged)
        return 200, self._public(merged)

    async def _webhook_delete(self, request: web.Request, app: str, token: str, mid: str) -> tuple[int, Any]:
        rec = self._webhook_interaction(app, token)
        message_id = self._webhook_message_id(rec, mid)
        if message_id in self.deleted_message_ids:
            raise _HTTPError(404, 10008, "Unknown Message")
        self.deleted_message_ids.append(message_id)
        if message_id == rec.original_message_id and rec.original_loading:
            # Deleting the "thinking" message: the next follow-up is a new message with its own
            # flags (discord/discord-api-docs#2739, fixed by Discord in 2021).
            rec.original_loading = False
        if not self.message_store[message_id]["flags"] & MessageFlag.EPHEMERAL:
            await self._dispatch(
                "MESSAGE_DELETE",
                {"id": str(message_id), "channel_id": str(rec.channel_id), "guild_id": str(rec.guild_id)},
            )
        return 204, None

    async def _followup(self, request: web.Request, app: str, token: str) -> tuple[int, Any]:
        rec: InteractionRecord | None = None
        body: dict[str, Any] | None = None
        try:
            rec = self._webhook_interaction(app, token)
            if not rec.acknowledged:
                raise _HTTPError(404, 10015, "Unknown Webhook")
            body, files = await self._read_body(request)
            self._validate_message(body, files, partial=False)
        except _HTTPError as err:
            self._reject("followup", request, err, body, rec.id if rec else None)
            raise
        flags = int(body.get("flags") or 0)
        if rec.original_loading:
            # Discord: the first follow-up after a deferred (type 5) response replaces the
            # "thinking" message; its ephemerality is the one chosen when deferring.
            old = self.message_store[rec.original_message_id]  # type: ignore[index]
            attachments = self._store_files(body, files, [])
            fixed = old["flags"] & MessageFlag.EPHEMERAL
            msg = self._new_message(
                rec.channel_id,
                rec.guild_id,
                body,
                attachments,
                flags=(flags & ~MessageFlag.EPHEMERAL) | fixed,
                msg_type=old["type"],
                interaction=rec,
                mid=rec.original_message_id,
            )
            rec.original_loading = False
        else:
            attachments = self._store_files(body, files, [])
            msg = self._new_message(
                rec.channel_id, rec.guild_id, body, attachments, flags=flags, msg_type=0, interaction=rec
            )
            rec.followup_ids.append(int(msg["id"]))
        self._record(msg, "followup", body, files, rec, ["users"])
        await self._echo_message_create(msg)
        if _flag_set(request.query.get("wait", "false")):
            return 200, self._public(msg)
        return 204, None

    # ------------------------------------------------------------------ CDN

    async def _attachment_handler(self, request: web.Request) -> web.StreamResponse:
        try:
            att_id = int(request.match_info["id"])
        except ValueError:
            return web.Response(status=404, text="Not Found")
        entry = self._attachments.get(att_id)
        ex = request.query.get("ex", "")
        expected = hmac.new(self._cdn_secret, f"{att_id}:{ex}".encode(), hashlib.sha256).hexdigest()
        if (
            entry is None
            or entry[1] != request.match_info["filename"]
            or not hmac.compare_digest(expected, request.query.get("hm", ""))
            or int(ex or "0", 16) < time.time()
        ):
            self.requests.append(RequestRecord("GET", f"/attachments/{att_id}", 404))
            return web.Response(status=404, text="This content is no longer available.")
        self.requests.append(RequestRecord("GET", f"/attachments/{att_id}", 200))
        data, _, ctype = entry
        return web.Response(body=data, headers={"Content-Type": ctype or "application/octet-stream"})

    # ------------------------------------------------------------------ gateway

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


# ----------------------------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------------------------


def _id(obj: Any) -> int:
    if isinstance(obj, FakeUser | FakeRole | FakeChannel | FakeGuild):
        return obj.id
    if isinstance(obj, FakeMember):
        return obj.user.id
    if isinstance(obj, dict):
        return int(obj["id"])
    return int(obj)


def _redact(path: str) -> str:
    return _INTERACTION_TOKEN_RE.sub(r"\1<token>", path)


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise _HTTPError(400, 50109, "The request body contains invalid JSON.") from None


def _default_message(status: int) -> str:
    return {
        400: "400: Bad Request",
        401: "401: Unauthorized",
        403: "Missing Permissions",
        404: "404: Not Found",
        500: "500: Internal Server Error",
        502: "502: Bad Gateway",
        503: "503: Service Unavailable",
    }.get(status, f"{status}: Error")


def _command_size(cmd: dict[str, Any]) -> int:
    def opt_size(opt: dict[str, Any]) -> int:
        n = len(opt.get("name") or "") + len(opt.get("description") or "")
        for choice in opt.get("choices") or []:
            n += len(choice.get("name") or "") + len(str(choice.get("value", "")))
        for sub in opt.get("options") or []:
            n += opt_size(sub)
        return n

    return opt_size(cmd)
