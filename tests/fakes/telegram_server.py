"""A strict, in-process fake of the Telegram Bot API for end-to-end tests.

Usage::

    async with FakeTelegram(token="123:ABC") as fake:
        app = (ApplicationBuilder().token(fake.token)
               .base_url(fake.base_url).base_file_url(fake.file_base_url).build())
        alice = fake.add_user("Alice")
        chat = fake.supergroup("Film club")
        fake.user_message(chat, alice, "/review Dune")
        msg = await fake.wait_for_sent(lambda m: m.chat_id == chat["id"])

Wire format (as python-telegram-bot 22.8 sends it, see ``telegram/request/_requestparameter.py``):
every call is a ``POST`` of ``application/x-www-form-urlencoded`` data, or ``multipart/form-data`` when a
file is uploaded.  String parameters are sent as-is, every other value (ints, bools, lists, dicts such
as ``reply_markup``) is JSON-encoded into a string.  The fake also accepts ``application/json`` bodies
and GET query strings, which the real server accepts too.  Parameters are therefore coerced per
parameter, like the real server does.

Methods that are not modelled answer ``404 {"description": "Not Found"}`` (what Telegram answers for an
unknown method) and are listed in :attr:`FakeTelegram.unhandled`.  Note that PTB maps 404 to
``telegram.error.InvalidToken``.  Register a canned answer with :meth:`FakeTelegram.stub`.

Deliberately stricter than Telegram: HTML nesting that Telegram repairs silently is rejected and the
4096 limit is also checked in UTF-16 units (see ``tests/checks/telegram_html.py``).
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.checks.telegram_html import TelegramError, _trim, check_formatted, parse_html, utf16_len

__all__ = [
    "ANONYMOUS_ADMIN_ID",
    "CHANNEL_BOT_ID",
    "MAX_DOWNLOAD_SIZE",
    "FakeTelegram",
    "RecordedRequest",
    "Rejected",
    "SentDocument",
    "SentMessage",
]

MAX_DOWNLOAD_SIZE = 20 << 20  # tdlib/telegram-bot-api Client.h MAX_DOWNLOAD_FILE_SIZE
MAX_CAPTION_LENGTH = 1024
ANONYMOUS_ADMIN_ID = 1087968824  # @GroupAnonymousBot
CHANNEL_BOT_ID = 136817688  # @Channel_Bot (messages sent on behalf of a channel)

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_ADMIN_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
_RESTRICTED_RIGHTS = (
    "is_member",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_send_messages",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_manage_topics",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_edit_tag",
    "can_react_to_messages",
)


_current_request: contextvars.ContextVar[web.Request | None] = contextvars.ContextVar(
    "fake_telegram_request", default=None
)


def _client_gone() -> bool:
    request = _current_request.get()
    return request is not None and (request.transport is None or request.transport.is_closing())


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None, injected: bool = False) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters
        self.injected = injected


def _bad(description: str) -> _ApiError:
    return _ApiError(400, "Bad Request: " + description)


@dataclass
class RecordedRequest:
    method: str  # as spelled in the URL
    params: dict[str, Any]  # as received: strings for form/multipart bodies
    files: dict[str, tuple[str, bytes, str]]  # part name -> (file name, content, content type)
    time: float  # time.monotonic() when received
    status: int | None = None  # HTTP status of the answer
    response: Any = None  # the JSON answer


@dataclass
class SentMessage:
    chat_id: int
    message_id: int
    text: str  # raw text as sent (HTML source when parse_mode=HTML)
    plain: str  # text after entity parsing and trimming, as users see it
    entities: list[dict]
    parse_mode: str | None
    message_thread_id: int | None = None
    reply_markup: dict | None = None
    reply_to_message_id: int | None = None
    edits: list[SentMessage] = field(default_factory=list)  # later versions (editMessageText)
    deleted: bool = False


@dataclass
class SentDocument:
    chat_id: int
    message_id: int
    file_name: str | None
    content: bytes | None  # None when a file_id/URL string was sent instead of an upload
    mime_type: str | None
    caption: str | None
    caption_plain: str | None
    caption_entities: list[dict]
    message_thread_id: int | None = None
    reply_markup: dict | None = None


@dataclass
class Rejected:
    method: str
    chat_id: Any
    params: dict[str, Any]
    error_code: int
    description: str
    injected: bool = False


@dataclass
class _Injection:
    method: str
    chat_id: str | None
    code: int
    description: str
    parameters: dict | None
    remaining: int
    after: int = 0  # matching calls to let through before failing


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes
    file_name: str | None
    mime_type: str | None
    file_size: int
    file_path: str | None = None


def _as_int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise _bad(f"invalid {name} specified")
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise _bad(f"invalid {name} specified") from None


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1")


def _as_json(value: Any, what: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise _bad(f"can't parse {what} JSON object") from None


class FakeTelegram:
    """Fake Bot API server.  See the module docstring.

    Public state (all plain lists/dicts, read them freely in tests):

    * ``requests``: every HTTP call (:class:`RecordedRequest`), including getUpdates polls;
    * ``sent``: accepted sendMessage calls (:class:`SentMessage`); edits are appended to ``.edits``
      of the original and also listed in ``edits``;
    * ``rejected``: every call answered with an error (:class:`Rejected`), injected ones included;
    * ``documents``: accepted sendDocument calls (:class:`SentDocument`);
    * ``deleted``: ``(chat_id, message_id)`` of successful deleteMessage calls;
    * ``callback_answers``: answerCallbackQuery params by query id;
    * ``commands``: setMyCommands lists by ``(scope_json, language_code)``;
    * ``webhook``: last setWebhook params or None;  ``unhandled``: names of unmodelled methods called;
    * ``chats``: chat id -> Bot API Chat dict; ``users``: user id -> Bot API User dict.
    """

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

    # ------------------------------------------------------------------------------------------------
    # lifecycle
    # ------------------------------------------------------------------------------------------------

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application(client_max_size=60 << 20)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._closing = True
        self._updates_changed.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)`` (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ------------------------------------------------------------------------------------------------
    # test-side API: users, chats, membership
    # ------------------------------------------------------------------------------------------------

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

    # ------------------------------------------------------------------------------------------------
    # test-side API: files, failure injection, stubs
    # ------------------------------------------------------------------------------------------------

    def add_file(
        self,
        content: bytes,
        file_name: str = "file.txt",
        mime_type: str = "text/plain",
        *,
        file_size: int | None = None,
    ) -> dict:
        """Register a file users can send; returns the Bot API Document dict.

        ``file_size`` overrides the reported size (to test the 20 MiB getFile limit cheaply)."""
        n = next(self._ids)
        stored = _StoredFile(
            file_id=f"BQACAgIAAxkBAAI{n:08d}fake",
            file_unique_id=f"AgAD{n:08d}",
            content=content,
            file_name=file_name,
            mime_type=mime_type,
            file_size=len(content) if file_size is None else file_size,
        )
        self._files[stored.file_id] = stored
        doc = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
        }
        if file_name is not None:
            doc["file_name"] = file_name
        if mime_type is not None:
            doc["mime_type"] = mime_type
        return doc

    def inject_error(
        self,
        method: str,
        chat_id: int | str | None = None,
        code: int = 429,
        retry_after: int = 1,
        count: int = 1,
        description: str | None = None,
        after: int = 0,
    ) -> None:
        """Make the next ``count`` calls of ``method`` ("*" = any method; optionally only for ``chat_id``)
        fail before any validation, as a flood wait (429), a kick (403) or a server error (500/502).
        ``after`` lets that many matching calls through first (e.g. fail the second part of a post)."""
        parameters = None
        if description is None:
            if code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            elif code == 403:
                description = "Forbidden: bot was kicked from the group chat"
            elif code == 500:
                description = "Internal Server Error"
            elif code == 502:
                description = "Bad Gateway"
            elif code == 400:
                description = "Bad Request: injected error"
            else:
                description = f"Error {code}"
        if code == 429:
            parameters = {"retry_after": retry_after}
        self._injections.append(
            _Injection(
                method.lower(),
                None if chat_id is None else str(chat_id),
                code,
                description,
                parameters,
                count,
                after,
            )
        )

    def stub(self, method: str, result: Any) -> None:
        """Answer an otherwise unmodelled method with ``{"ok": true, "result": result}``."""
        self._stubs[method.lower()] = result

    # ------------------------------------------------------------------------------------------------
    # test-side API: incoming updates
    # ------------------------------------------------------------------------------------------------

    def enqueue(self, update_type: str, payload: dict) -> dict:
        """Queue a raw update ``{"update_id": n, update_type: payload}``; returns the update."""
        update = {"update_id": self._next_update_id, update_type: payload}
        self._next_update_id += 1
        self._updates.append(update)
        self._updates_changed.set()
        return update

    def _new_message_id(self, chat_id: int) -> int:
        mid = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = mid + 1
        return mid

    def _command_entities(self, text: str) -> list[dict]:
        """bot_command entities like Telegram's: "/cmd" or "/cmd@Bot" at a word start."""
        entities = []
        for m in re.finditer(r"(?<![\w/@])/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?(?![\w/@])", text):
            offset = utf16_len(text[: m.start()])
            entities.append({"type": "bot_command", "offset": offset, "length": utf16_len(m.group())})
        return entities

    def _resolve_message(self, chat_id: int, message: dict | int) -> dict:
        mid = message["message_id"] if isinstance(message, dict) else int(message)
        try:
            return self._messages[(chat_id, mid)]
        except KeyError:
            raise ValueError(f"no message {mid} in chat {chat_id}") from None

    def user_message(
        self,
        chat: dict | int,
        user: dict | None,
        text: str | None = None,
        *,
        reply_to: dict | int | None = None,
        thread_id: int | None = None,
        document: dict | None = None,
        caption: str | None = None,
        sender_chat: dict | None = None,
        entities: list[dict] | None = None,
    ) -> dict:
        """Simulate a user posting in a chat (an update of type ``message``); returns the Message dict.

        ``sender_chat`` equal to the chat itself makes it an anonymous-admin message (``from`` is
        @GroupAnonymousBot); another chat makes it a message sent on behalf of that channel."""
        cid = self._cid(chat)
        chat_obj = self.chats[cid]
        if chat_obj["type"] == "channel":
            raise ValueError("use channel_post() for channels")
        mid = self._new_message_id(cid)
        msg: dict = {"message_id": mid, "date": int(time.time()), "chat": chat_obj}
        if sender_chat is not None:
            msg["sender_chat"] = sender_chat
            if sender_chat["id"] == cid:
                msg["from"] = {
                    "id": ANONYMOUS_ADMIN_ID,
                    "is_bot": True,
                    "first_name": "Group",
                    "username": "GroupAnonymousBot",
                }
            else:
                msg["from"] = {
                    "id": CHANNEL_BOT_ID,
                    "is_bot": True,
                    "first_name": "Channel",
                    "username": "Channel_Bot",
                }
        else:
            if user is None:
                raise ValueError("user is required unless sender_chat is given")
            msg["from"] = user
            self.users.setdefault(user["id"], user)
            self._members.setdefault((cid, user["id"]), {"status": "member"})
        if thread_id is not None:
            if chat_obj.get("is_forum"):
                if thread_id == 1:
                    raise ValueError("General topic messages carry no message_thread_id")
                self._topics[cid].add(thread_id)
                msg["is_topic_message"] = True
            msg["message_thread_id"] = thread_id
        if reply_to is not None:
            msg["reply_to_message"] = self._strip_reply(self._resolve_message(cid, reply_to))
        if text is not None:
            msg["text"] = text
            ents = entities if entities is not None else self._command_entities(text)
            if ents:
                msg["entities"] = ents
        if document is not None:
            msg["document"] = document
        if caption is not None:
            msg["caption"] = caption
            ents = self._command_entities(caption)
            if ents:
                msg["caption_entities"] = ents
        if text is None and document is None:
            raise ValueError("a message needs text or a document")
        self._messages[(cid, mid)] = msg
        self.enqueue("message", msg)
        return msg

    def channel_post(self, chat: dict | int, text: str, *, author_signature: str | None = None) -> dict:
        cid = self._cid(chat)
        chat_obj = self.chats[cid]
        if chat_obj["type"] != "channel":
            raise ValueError("channel_post() needs a channel")
        mid = self._new_message_id(cid)
        msg: dict = {
            "message_id": mid,
            "date": int(time.time()),
            "chat": chat_obj,
            "sender_chat": chat_obj,
            "text": text,
        }
        ents = self._command_entities(text)
        if ents:
            msg["entities"] = ents
        if author_signature:
            msg["author_signature"] = author_signature
        self._messages[(cid, mid)] = msg
        self.enqueue("channel_post", msg)
        return msg

    def callback_query(self, chat: dict | int, user: dict, message_id: int | dict, data: str) -> str:
        """A user pressed an inline button on a message in ``chat``; returns the callback query id."""
        cid = self._cid(chat)
        message = self._resolve_message(cid, message_id)
        qid = str(4_000_000_000_000_000 + next(self._ids))
        query = {
            "id": qid,
            "from": user,
            "chat_instance": str(abs(cid) * 7 + 1),
            "message": message,
            "data": data,
        }
        self._queries[qid] = {"answered": False, "query": query}
        self.users.setdefault(user["id"], user)
        self.enqueue("callback_query", query)
        return qid

    @staticmethod
    def _strip_reply(message: dict) -> dict:
        # The Bot API doesn't nest reply_to_message more than one level deep.
        return {k: v for k, v in message.items() if k != "reply_to_message"}

    # ------------------------------------------------------------------------------------------------
    # test-side API: waiting
    # ------------------------------------------------------------------------------------------------

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

    # ------------------------------------------------------------------------------------------------
    # HTTP
    # ------------------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        m = re.fullmatch(r"/file/bot([^/]*)/(.+)", path)
        if m:
            return self._download(m.group(1), m.group(2))
        m = re.fullmatch(r"/bot([^/]*)/([^/]*)", path)
        if not m:
            return self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        token, method = m.group(1), m.group(2)
        _current_request.set(request)
        params, files = await self._read_params(request)
        rec = RecordedRequest(method=method, params=params, files=files, time=time.monotonic())
        self.requests.append(rec)
        self._changed.set()
        if token != self.token:
            rec.status, rec.response = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            self.rejected.append(Rejected(method, params.get("chat_id"), params, 401, "Unauthorized"))
        else:
            try:
                result = await self._dispatch(method, params, files)
                rec.status, rec.response = 200, {"ok": True, "result": result}
            except _ApiError as err:
                body: dict = {"ok": False, "error_code": err.code, "description": err.description}
                if err.parameters:
                    body["parameters"] = err.parameters
                rec.status, rec.response = err.code, body
                if err.code != 404:
                    self.rejected.append(
                        Rejected(
                            method,
                            params.get("chat_id"),
                            params,
                            err.code,
                            err.description,
                            injected=err.injected,
                        )
                    )
        self._changed.set()
        return self._json(rec.status, rec.response)

    @staticmethod
    def _json(status: int, body: Any) -> web.Response:
        return web.Response(status=status, text=json.dumps(body, ensure_ascii=False), content_type="application/json")

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, tuple[str, bytes, str]] = {}
        if request.method != "POST" or not request.can_read_body:
            return params, files
        ctype = request.content_type
        if ctype == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        elif ctype == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if part.filename is not None:
                    content = await part.read()
                    files[part.name] = (
                        part.filename,
                        bytes(content),
                        part.headers.get("Content-Type", "application/octet-stream"),
                    )
                else:
                    params[part.name] = await part.text()
        else:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        return params, files

    def _download(self, token: str, file_path: str) -> web.Response:
        if token != self.token:
            return self._json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        stored = self._files_by_path.get(file_path)
        if stored is None:
            return self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        return web.Response(body=stored.content, content_type="application/octet-stream")

    async def _dispatch(self, method: str, params: dict, files: dict) -> Any:
        low = method.lower()
        for inj in self._injections:
            if (
                inj.remaining > 0
                and inj.method in ("*", low)
                and (inj.chat_id is None or str(params.get("chat_id")) == inj.chat_id)
            ):
                if inj.after > 0:
                    inj.after -= 1
                    continue
                inj.remaining -= 1
                raise _ApiError(inj.code, inj.description, inj.parameters, injected=True)
        handler = self._handlers().get(low)
        if handler is not None:
            return await handler(params, files)
        if low in self._stubs:
            return self._stubs[low]
        self.unhandled.append(method)
        raise _ApiError(404, "Not Found")

    def _handlers(self) -> dict[str, Callable]:
        return {
            "getme": self._get_me,
            "logout": self._ok_true,
            "close": self._ok_true,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setchatmenubutton": self._ok_true,
            "sendchataction": self._send_chat_action,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "getfile": self._get_file,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "getchatadministrators": self._get_chat_administrators,
            "answercallbackquery": self._answer_callback_query,
            "senddocument": self._send_document,
        }

    # ------------------------------------------------------------------------------------------------
    # methods
    # ------------------------------------------------------------------------------------------------

    async def _ok_true(self, params: dict, files: dict) -> bool:
        return True

    async def _get_me(self, params: dict, files: dict) -> dict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: dict, files: dict) -> list[dict]:
        if self.webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
                "the webhook first",
            )
        offset = _as_int(params.get("offset", 0), "offset")
        limit = _as_int(params.get("limit", 100), "limit")
        limit = 100 if limit <= 0 or limit > 100 else limit
        try:
            timeout = float(params.get("timeout", 0))
        except (TypeError, ValueError):
            raise _bad("invalid timeout specified") from None
        if "allowed_updates" in params:
            allowed = _as_json(params["allowed_updates"], "allowed_updates")
            self._allowed_updates = frozenset(allowed) if allowed else _DEFAULT_UPDATE_TYPES
        if offset < 0:
            self._updates = self._updates[offset:]
        elif offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_changed.set()  # wake an older long poll so that it gets its 409 Conflict
        await asyncio.sleep(0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(max(timeout, 0.0), 50.0, self.long_poll_cap)
        while True:
            ready = [u for u in self._updates if self._update_type(u) in self._allowed_updates]
            if ready or self._closing:
                return ready[:limit]
            if _client_gone():
                return []  # PTB cancelled this poll (e.g. on updater.stop()); nobody reads the answer
            if generation != self._poll_generation:
                await asyncio.sleep(0.05)  # let a cancelled client's disconnect arrive first
                if _client_gone() or self._closing:
                    return []
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            self._updates_changed.clear()
            try:
                await asyncio.wait_for(self._updates_changed.wait(), remaining)
            except TimeoutError:
                pass

    @staticmethod
    def _update_type(update: dict) -> str:
        return next(k for k in update if k != "update_id")

    async def _set_webhook(self, params: dict, files: dict) -> bool:
        url = params.get("url", "")
        if not url:
            self.webhook = None
            return True
        if not str(url).startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = dict(params)
        if _as_bool(params.get("drop_pending_updates", False)):
            self._updates.clear()
        return True

    async def _delete_webhook(self, params: dict, files: dict) -> bool:
        self.webhook = None
        if _as_bool(params.get("drop_pending_updates", False)):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: dict, files: dict) -> dict:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _commands_key(self, params: dict) -> tuple[str, str]:
        scope = _as_json(params.get("scope", '{"type": "default"}'), "scope")
        if not isinstance(scope, dict) or "type" not in scope:
            raise _bad("can't parse BotCommandScope JSON object")
        return json.dumps(scope, sort_keys=True), str(params.get("language_code", ""))

    async def _set_my_commands(self, params: dict, files: dict) -> bool:
        commands = _as_json(params.get("commands", "[]"), "commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands specified")
        for cmd in commands:
            if not isinstance(cmd, dict) or not _COMMAND_RE.match(str(cmd.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            desc = cmd.get("description")
            if not isinstance(desc, str) or not 1 <= len(desc) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: dict, files: dict) -> list[dict]:
        return self.commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: dict, files: dict) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    # --- chats and membership -----------------------------------------------------------------------

    def _chat(self, params: dict) -> dict:
        raw = params.get("chat_id")
        if raw is None or str(raw).strip() == "":
            raise _bad("chat_id is empty")
        text = str(raw).strip()
        if text.startswith("@"):
            for chat in self.chats.values():
                if chat.get("username", "").lower() == text[1:].lower():
                    return chat
            raise _bad("chat not found")
        try:
            cid = int(text)
        except ValueError:
            raise _bad("chat not found") from None
        chat = self.chats.get(cid)
        if chat is None:
            raise _bad("chat not found")
        return chat

    def _check_can_post(self, chat: dict) -> None:
        cid = chat["id"]
        if chat["type"] == "private":
            if cid in self._blocked_by:
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
            return
        kind = {"group": "group", "supergroup": "supergroup", "channel": "channel"}[chat["type"]]
        status = self._members.get((cid, self.bot_user["id"]), {"status": "left"})
        if status["status"] == "kicked":
            raise _ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
        if status["status"] == "left":
            raise _ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        if chat["type"] == "channel" and not (
            status["status"] in ("creator",)
            or (status["status"] == "administrator" and status.get("can_post_messages"))
        ):
            raise _bad("need administrator rights in the channel chat")

    def _chat_member(self, chat: dict, uid: int) -> dict:
        user = self.users.get(uid)
        if user is None:
            raise _bad("user not found")
        entry = dict(self._members.get((chat["id"], uid), {"status": "left"}))
        status = entry.pop("status")
        member: dict = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = entry.pop("is_anonymous", False)
        elif status == "administrator":
            for right in _ADMIN_RIGHTS:
                default = right not in ("is_anonymous", "can_be_edited", "can_promote_members")
                member[right] = bool(entry.pop(right, default))
            if chat["type"] == "channel":
                member.setdefault("can_post_messages", bool(entry.pop("can_post_messages", False)))
                member.setdefault("can_edit_messages", bool(entry.pop("can_edit_messages", False)))
            else:
                member["can_pin_messages"] = bool(entry.pop("can_pin_messages", True))
                if chat.get("is_forum"):
                    member["can_manage_topics"] = bool(entry.pop("can_manage_topics", True))
        elif status == "restricted":
            for right in _RESTRICTED_RIGHTS:
                member[right] = bool(entry.pop(right, right == "is_member"))
            member["until_date"] = int(entry.pop("until_date", 0))
        elif status == "kicked":
            member["until_date"] = int(entry.pop("until_date", 0))
        member.update(entry)
        return member

    async def _get_chat(self, params: dict, files: dict) -> dict:
        chat = self._chat(params)
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_chat_member(self, params: dict, files: dict) -> dict:
        chat = self._chat(params)
        uid = _as_int(params.get("user_id", ""), "user_id")
        return self._chat_member(chat, uid)

    async def _get_chat_administrators(self, params: dict, files: dict) -> list[dict]:
        chat = self._chat(params)
        if chat["type"] == "private":
            raise _bad("there are no administrators in the private chat")
        return [
            self._chat_member(chat, uid)
            for (cid, uid), entry in self._members.items()
            if cid == chat["id"]
            and entry["status"] in ("creator", "administrator")
            and (not self.users[uid]["is_bot"] or uid == self.bot_user["id"])
        ]

    # --- sending ------------------------------------------------------------------------------------

    def _thread_id(self, chat: dict, params: dict) -> int | None:
        if "message_thread_id" not in params:
            return None
        tid = _as_int(params["message_thread_id"], "message_thread_id")
        if tid == 1 and chat["type"] in ("supergroup", "group"):
            raise _bad("message thread not found")
        if chat.get("is_forum") and tid not in self._topics.get(chat["id"], set()):
            raise _bad("message thread not found")
        return tid

    def _reply_markup(self, params: dict) -> dict | None:
        if "reply_markup" not in params:
            return None
        markup = _as_json(params["reply_markup"], "reply keyboard markup")
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return markup  # reply keyboards, force_reply, remove_keyboard: not validated further
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad("can't parse inline keyboard button: InlineKeyboardMarkup must be an Array of Arrays")
        if sum(len(r) for r in rows) > 100:
            raise _bad("reply markup is too long")
        actions = (
            "url",
            "callback_data",
            "web_app",
            "login_url",
            "switch_inline_query",
            "switch_inline_query_current_chat",
            "switch_inline_query_chosen_chat",
            "copy_text",
            "callback_game",
            "pay",
        )
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise _bad('can\'t parse inline keyboard button: Field "text" must be of type String')
                present = [a for a in actions if a in button]
                if not present:
                    raise _bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
                if len(present) > 1:
                    raise _bad("can't parse inline keyboard button: exactly one of the optional fields must be used")
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                        raise _bad("BUTTON_DATA_INVALID")
                if "url" in button and not re.match(r"^(https?|tg)://\S+$", str(button["url"])):
                    raise _bad("BUTTON_URL_INVALID")
        return markup

    def _reply_to(self, chat: dict, params: dict) -> dict | None:
        ref = None
        allow_missing = False
        if "reply_parameters" in params:
            rp = _as_json(params["reply_parameters"], "reply parameters")
            if not isinstance(rp, dict) or "message_id" not in rp:
                raise _bad("can't parse reply parameters JSON object")
            ref = _as_int(rp["message_id"], "message_id")
            allow_missing = bool(rp.get("allow_sending_without_reply", False))
            if "chat_id" in rp and str(rp["chat_id"]) != str(chat["id"]):
                raise _bad("replies to messages in other chats are not supported by the fake")
        elif "reply_to_message_id" in params:
            ref = _as_int(params["reply_to_message_id"], "reply_to_message_id")
            allow_missing = _as_bool(params.get("allow_sending_without_reply", False))
        if ref is None:
            return None
        msg = self._messages.get((chat["id"], ref))
        if msg is None:
            if allow_missing:
                return None
            raise _bad("message to be replied not found")
        return msg

    def _check_text(self, params: dict) -> tuple[str, list[dict]]:
        text = params.get("text")
        if text is None or text == "":
            raise _bad("message text is empty")
        text = str(text)
        if "entities" in params:
            entities = _as_json(params["entities"], "entities")
            # explicit entities: parse_mode is ignored, text is taken literally
            plain = check_formatted(text, None)[0]
            return plain, list(entities or [])
        try:
            return check_formatted(text, params.get("parse_mode"))
        except TelegramError as err:
            raise _ApiError(err.error_code, err.description) from None

    def _base_message(self, chat: dict, mid: int, thread_id: int | None, reply_to: dict | None) -> dict:
        msg: dict = {"message_id": mid, "date": int(time.time()), "chat": chat}
        if chat["type"] == "channel":
            msg["sender_chat"] = chat
        else:
            msg["from"] = {k: v for k, v in self.bot_user.items()}
        if thread_id is not None:
            msg["message_thread_id"] = thread_id
            if chat.get("is_forum"):
                msg["is_topic_message"] = True
        if reply_to is not None:
            msg["reply_to_message"] = self._strip_reply(reply_to)
        return msg

    async def _send_message(self, params: dict, files: dict) -> dict:
        chat = self._chat(params)
        self._check_can_post(chat)
        thread_id = self._thread_id(chat, params)
        plain, entities = self._check_text(params)
        markup = self._reply_markup(params)
        reply_to = self._reply_to(chat, params)
        mid = self._new_message_id(chat["id"])
        msg = self._base_message(chat, mid, thread_id, reply_to)
        msg["text"] = plain
        if entities:
            msg["entities"] = entities
        if markup is not None and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        self._messages[(chat["id"], mid)] = msg
        sent = SentMessage(
            chat_id=chat["id"],
            message_id=mid,
            text=str(params["text"]),
            plain=plain,
            entities=entities,
            parse_mode=params.get("parse_mode"),
            message_thread_id=thread_id,
            reply_markup=markup,
            reply_to_message_id=None if reply_to is None else reply_to["message_id"],
        )
        self.sent.append(sent)
        self._sent_by_key[(chat["id"], mid)] = sent
        return msg

    def _own_message(self, params: dict, what: str) -> tuple[dict, dict]:
        if "inline_message_id" in params:
            raise _bad("inline messages are not supported by the fake")
        chat = self._chat(params)
        mid = _as_int(params.get("message_id", ""), "message_id")
        msg = self._messages.get((chat["id"], mid))
        if msg is None:
            raise _bad(f"message to {what} not found")
        if msg.get("from", {}).get("id") != self.bot_user["id"] and not (
            chat["type"] == "channel" and (chat["id"], mid) in self._sent_by_key
        ):
            raise _bad(f"message can't be {what}ed")
        return chat, msg

    async def _edit_message_text(self, params: dict, files: dict) -> dict:
        chat, msg = self._own_message(params, "edit")
        plain, entities = self._check_text(params)
        markup = self._reply_markup(params)
        new_markup = markup if markup is not None and "inline_keyboard" in markup else None
        if "text" not in msg:
            raise _bad("there is no text in the message to edit")
        same_text = plain == msg["text"] and entities == msg.get("entities", [])
        if same_text and new_markup == msg.get("reply_markup"):
            raise _ApiError(400, _NOT_MODIFIED)
        msg["text"] = plain
        msg.pop("entities", None)
        if entities:
            msg["entities"] = entities
        msg.pop("reply_markup", None)
        if new_markup is not None:
            msg["reply_markup"] = new_markup
        msg["edit_date"] = int(time.time())
        original = self._sent_by_key.get((chat["id"], msg["message_id"]))
        version = SentMessage(
            chat_id=chat["id"],
            message_id=msg["message_id"],
            text=str(params["text"]),
            plain=plain,
            entities=entities,
            parse_mode=params.get("parse_mode"),
            message_thread_id=msg.get("message_thread_id"),
            reply_markup=markup,
        )
        if original is not None:
            original.edits.append(version)
        self.edits.append(version)
        return msg

    async def _edit_message_reply_markup(self, params: dict, files: dict) -> dict:
        chat, msg = self._own_message(params, "edit")
        markup = self._reply_markup(params)
        new_markup = markup if markup is not None and "inline_keyboard" in markup else None
        if new_markup == msg.get("reply_markup") or (new_markup is None and "reply_markup" not in msg):
            raise _ApiError(400, _NOT_MODIFIED)
        msg.pop("reply_markup", None)
        if new_markup is not None:
            msg["reply_markup"] = new_markup
        msg["edit_date"] = int(time.time())
        return msg

    async def _delete_message(self, params: dict, files: dict) -> bool:
        chat = self._chat(params)
        mid = _as_int(params.get("message_id", ""), "message_id")
        if (chat["id"], mid) not in self._messages:
            raise _bad("message to delete not found")
        if not self._can_delete.get(chat["id"], True):
            raise _bad("message can't be deleted")
        del self._messages[(chat["id"], mid)]
        sent = self._sent_by_key.get((chat["id"], mid))
        if sent is not None:
            sent.deleted = True
        self.deleted.append((chat["id"], mid))
        return True

    async def _send_chat_action(self, params: dict, files: dict) -> bool:
        chat = self._chat(params)
        self._check_can_post(chat)
        return True

    async def _send_document(self, params: dict, files: dict) -> dict:
        chat = self._chat(params)
        self._check_can_post(chat)
        thread_id = self._thread_id(chat, params)
        content: bytes | None = None
        file_name: str | None = None
        mime: str | None = None
        if "document" in files:
            file_name, content, mime = files["document"]
        elif isinstance(params.get("document"), str) and params["document"].startswith("attach://"):
            part = params["document"][len("attach://") :]
            if part not in files:
                raise _bad("wrong remote file identifier specified: can't unserialize it")
            file_name, content, mime = files[part]
        elif params.get("document"):
            ref = str(params["document"])
            stored = self._files.get(ref)
            if stored is None and not ref.startswith(("http://", "https://")):
                raise _bad("wrong file identifier/HTTP URL specified")
            if stored is not None:
                file_name, content, mime = stored.file_name, stored.content, stored.mime_type
        else:
            raise _bad("there is no document in the request")
        caption = params.get("caption")
        caption_plain, caption_entities = None, []
        if caption:
            try:
                caption_plain, caption_entities = _check_caption(str(caption), params.get("parse_mode"))
            except TelegramError as err:
                raise _ApiError(err.error_code, err.description) from None
        markup = self._reply_markup(params)
        reply_to = self._reply_to(chat, params)
        doc = self.add_file(content or b"", file_name or "document", mime or "application/octet-stream")
        mid = self._new_message_id(chat["id"])
        msg = self._base_message(chat, mid, thread_id, reply_to)
        msg["document"] = doc
        if caption_plain:
            msg["caption"] = caption_plain
            if caption_entities:
                msg["caption_entities"] = caption_entities
        if markup is not None and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        self._messages[(chat["id"], mid)] = msg
        self.documents.append(
            SentDocument(
                chat_id=chat["id"],
                message_id=mid,
                file_name=file_name,
                content=content,
                mime_type=mime,
                caption=None if caption is None else str(caption),
                caption_plain=caption_plain,
                caption_entities=caption_entities,
                message_thread_id=thread_id,
                reply_markup=markup,
            )
        )
        return msg

    # --- files and callbacks --------------------------------------------------------------------------

    async def _get_file(self, params: dict, files: dict) -> dict:
        file_id = str(params.get("file_id", ""))
        if not file_id:
            raise _bad("file_id is empty")
        stored = self._files.get(file_id)
        if stored is None:
            raise _bad("wrong file_id or the file is temporarily unavailable")
        if stored.file_size > MAX_DOWNLOAD_SIZE:
            raise _bad("file is too big")
        if stored.file_path is None:
            ext = ""
            if stored.file_name and "." in stored.file_name:
                ext = "." + stored.file_name.rsplit(".", 1)[1]
            stored.file_path = f"documents/file_{len(self._files_by_path)}{ext}"
            self._files_by_path[stored.file_path] = stored
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }

    async def _answer_callback_query(self, params: dict, files: dict) -> bool:
        qid = str(params.get("callback_query_id", ""))
        entry = self._queries.get(qid)
        if entry is None or entry["answered"]:
            raise _bad(_QUERY_TOO_OLD[len("Bad Request: ") :])
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        entry["answered"] = True
        self.callback_answers[qid] = dict(params)
        return True


def _check_caption(caption: str, parse_mode: str | None) -> tuple[str, list[dict]]:
    mode = (parse_mode or "").lower()
    if mode == "html":
        plain, entities = parse_html(caption)
    elif mode in ("", "none"):
        plain, entities = caption, []
    else:
        raise TelegramError("Bad Request: unsupported parse_mode in the fake")
    plain, entities = _trim(plain, entities)
    if len(plain) > MAX_CAPTION_LENGTH or utf16_len(plain) > MAX_CAPTION_LENGTH:
        raise TelegramError("Bad Request: message caption is too long")
    return plain, entities
