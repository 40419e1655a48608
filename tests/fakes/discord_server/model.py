"""The fake's world: users, roles, channels, members, guilds, permission and intent bits."""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DISCORD_EPOCH_MS = 1420070400000


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
