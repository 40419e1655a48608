"""Who is an admin of a Telegram chat, asked of Telegram at most once a minute per person.

Rules (README, "Admins"; Bot API getChatMember): chat creator and administrators (getChatMember),
anonymous group admins (the message's `sender_chat` is the group itself), every
channel post (only admins can post in a channel). In a private chat nobody is an
admin here; `MOVIEBOT_ADMINS` is checked by the core for every chat. The cache keeps
a busy group from costing one getChatMember per command; 60 s is short enough that
a demoted admin loses the right quickly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import Bot, Chat, Message
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from .sending import call

log = logging.getLogger("moviebot.telegram")
ADMIN_TTL = 60.0
ADMIN_STATUSES = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


class AdminCache:
    def __init__(self, ttl: float = ADMIN_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[tuple[int, int], tuple[float, bool]] = {}

    def forget(self, chat_id: int | None = None) -> None:
        self._cache = {k: v for k, v in self._cache.items() if chat_id is not None and k[0] != chat_id}

    async def is_admin(self, bot: Bot, message: Message) -> bool:
        """Whether the sender of `message` administers its chat."""
        chat = message.chat
        if chat.type == Chat.CHANNEL:
            return True
        if chat.type == Chat.PRIVATE:
            return False
        if message.sender_chat is not None:
            # Anonymous admin: the group speaks as itself. A post "on behalf of a channel" is not an admin.
            return message.sender_chat.id == chat.id
        if message.from_user is None:
            return False
        return await self.is_member_admin(bot, chat.id, message.from_user.id)

    async def is_member_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        key = (chat_id, user_id)
        now = self.clock()
        hit = self._cache.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        try:
            member = await call(lambda: bot.get_chat_member(chat_id, user_id), what="getChatMember")
        except TelegramError as exc:
            # Not cached: a transient failure should not lock an admin out for a minute.
            log.warning("admin check failed in chat %s: %s", chat_id, type(exc).__name__)
            return False
        admin = member.status in ADMIN_STATUSES
        self._cache[key] = (now, admin)
        return admin
