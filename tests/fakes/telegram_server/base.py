# ruff: noqa: ASYNC109  -- the waiting helpers take timeout= on purpose (test API)
"""State, the world a test builds (users, chats, topics, members and their rights), and the waiting helpers."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .model import _DEFAULT_UPDATE_TYPES, RecordedRequest, Rejected, SentDocument, SentMessage, _Injection, _StoredFile


class FakeTelegramBase:
    """One layer of FakeTelegram: the protocol part this module's docstring names."""

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        bot_username: str = "moviebot_test_bot",
        bot_first_name: str = "MovieBot",
        long_poll_cap: float = 1.0,
    ) -> None:
        self.token = token
        bot_id_part = token.split(":", 1)[0]
        self.bot_user: dict = {
            "id": int(bot_id_part) if bot_id_part.isdigit() else 123,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.long_poll_cap = long_poll_cap
        self.port: int | None = None

        self.requests: list[RecordedRequest] = []
        self.sent: list[SentMessage] = []
        self.edits: list[SentMessage] = []
        self.rejected: list[Rejected] = []
        self.documents: list[SentDocument] = []
        self.deleted: list[tuple[int, int]] = []
        self.callback_answers: dict[str, dict] = {}
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.webhook: dict | None = None
        self.unhandled: list[str] = []
        self.chats: dict[int, dict] = {}
        self.users: dict[int, dict] = {self.bot_user["id"]: self.bot_user}

        self._stubs: dict[str, Any] = {}
        self._injections: list[_Injection] = []
        self._updates: list[dict] = []
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] = _DEFAULT_UPDATE_TYPES
        self._updates_changed = asyncio.Event()
        self._poll_generation = 0
        self._changed = asyncio.Event()
        self._ids = itertools.count(1)
        self._next_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], dict] = {}
        self._sent_by_key: dict[tuple[int, int], SentMessage] = {}
        self._members: dict[tuple[int, int], dict] = {}
        self._can_delete: dict[int, bool] = {}
        self._blocked_by: set[int] = set()
        self._topics: dict[int, set[int]] = {}
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._queries: dict[str, dict] = {}
        self._runner: web.AppRunner | None = None
        self._closing = False

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)`` (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def add_user(
        self,
        first_name: str = "Alice",
        *,
        username: str | None = None,
        user_id: int | None = None,
        last_name: str | None = None,
        language_code: str | None = "en",
        is_bot: bool = False,
    ) -> dict:
        uid = user_id if user_id is not None else 10_000 + next(self._ids)
        user: dict = {"id": uid, "is_bot": is_bot, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self.users[uid] = user
        return user

    def _add_chat(self, chat: dict) -> dict:
        self.chats[chat["id"]] = chat
        self._next_message_id.setdefault(chat["id"], 1)
        return chat

    def private_chat(self, user: dict) -> dict:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
        self.users.setdefault(user["id"], user)
        self._members[(chat["id"], user["id"])] = {"status": "member"}
        self._members[(chat["id"], self.bot_user["id"])] = {"status": "member"}
        return self._add_chat(chat)

    def group(self, title: str = "Group", *, chat_id: int | None = None) -> dict:
        cid = chat_id if chat_id is not None else -(4_000_000_000 + next(self._ids))
        chat = self._add_chat({"id": cid, "type": "group", "title": title})
        self._members[(cid, self.bot_user["id"])] = {"status": "member"}
        return chat

    def supergroup(
        self,
        title: str = "Supergroup",
        *,
        forum: bool = False,
        username: str | None = None,
        chat_id: int | None = None,
    ) -> dict:
        cid = chat_id if chat_id is not None else -(1_000_000_000_000 + next(self._ids))
        chat: dict = {"id": cid, "type": "supergroup", "title": title}
        if username:
            chat["username"] = username
        self._members[(cid, self.bot_user["id"])] = {"status": "member"}
        self._add_chat(chat)
        if forum:
            chat["is_forum"] = True
            self._topics[cid] = set()
            self._next_message_id[cid] = 2  # message 1 is the service message; thread 1 is "General"
        return chat

    def channel(self, title: str = "Channel", *, username: str | None = None, chat_id: int | None = None) -> dict:
        cid = chat_id if chat_id is not None else -(1_000_000_000_000 + next(self._ids))
        chat: dict = {"id": cid, "type": "channel", "title": title}
        if username:
            chat["username"] = username
        # bots can only be added to channels as administrators
        self._members[(cid, self.bot_user["id"])] = {"status": "administrator", "can_post_messages": True}
        return self._add_chat(chat)

    def add_topic(self, chat: dict | int, thread_id: int | None = None) -> int:
        cid = self._cid(chat)
        if not self.chats[cid].get("is_forum"):
            raise ValueError("topics exist only in forum supergroups")
        tid = thread_id if thread_id is not None else self._new_message_id(cid)
        if tid == 1:
            raise ValueError("thread id 1 is the General topic; it takes no message_thread_id")
        self._topics[cid].add(tid)
        return tid

    def set_member(self, chat: dict | int, user: dict | int, status: str, **fields: Any) -> None:
        """Set a user's (or the bot's: pass ``fake.bot_user``) status in a chat: creator, administrator,
        member, restricted, left, kicked.  Extra fields (rights, custom_title, until_date) are merged into
        the ChatMember object getChatMember returns."""
        if status not in ("creator", "administrator", "member", "restricted", "left", "kicked"):
            raise ValueError(status)
        self._members[(self._cid(chat), self._uid(user))] = {"status": status, **fields}

    def set_admin(self, chat: dict | int, user: dict | int, **rights: Any) -> None:
        self.set_member(chat, user, "administrator", **rights)

    def set_can_delete(self, chat: dict | int, allowed: bool) -> None:
        """Whether deleteMessage succeeds in this chat (default: yes)."""
        self._can_delete[self._cid(chat)] = allowed

    def block_bot(self, user: dict | int) -> None:
        """The user blocked the bot: sends to their private chat fail with 403."""
        self._blocked_by.add(self._uid(user))

    def kick_bot(self, chat: dict | int) -> None:
        self.set_member(chat, self.bot_user, "kicked", until_date=0)

    def _cid(self, chat: dict | int) -> int:
        return chat["id"] if isinstance(chat, dict) else int(chat)

    def _uid(self, user: dict | int) -> int:
        return user["id"] if isinstance(user, dict) else int(user)

    def _new_message_id(self, chat_id: int) -> int:
        mid = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = mid + 1
        return mid

    @staticmethod
    def _strip_reply(message: dict) -> dict:
        # The Bot API doesn't nest reply_to_message more than one level deep.
        return {k: v for k, v in message.items() if k != "reply_to_message"}

    async def wait_for_sent(
        self,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the documented test API
    ) -> SentMessage:
        """Wait until an accepted sendMessage matches ``predicate`` (any, if None); returns it."""

        def find() -> SentMessage | None:
            return next((m for m in self.sent if predicate is None or predicate(m)), None)

        return await self._wait(find, timeout, "sent message")

    async def wait_for_request(
        self,
        method: str,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the documented test API
        *,
        answered: bool = True,
    ) -> RecordedRequest:
        """Wait until a request to ``method`` matches ``predicate``; with ``answered=True`` (default) only
        requests already answered (successfully or not) count, otherwise also ones still in progress
        (such as a pending long poll)."""
        low = method.lower()

        def find() -> RecordedRequest | None:
            for r in self.requests:
                done = r.status is not None or not answered
                if r.method.lower() == low and done and (predicate is None or predicate(r)):
                    return r
            return None

        return await self._wait(find, timeout, f"{method} request")

    async def _wait(self, find: Callable[[], Any], timeout: float, what: str) -> Any:  # noqa: ASYNC109
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = find()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no matching {what} within {timeout}s")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                pass

    def requests_for(self, method: str) -> list[RecordedRequest]:
        low = method.lower()
        return [r for r in self.requests if r.method.lower() == low]

    @staticmethod
    def _json(status: int, body: Any) -> web.Response:
        return web.Response(status=status, text=json.dumps(body, ensure_ascii=False), content_type="application/json")
