"""Telegram updates -> neutral `Request`s -> the core -> messages back in the same chat/topic.

python-telegram-bot traps handled here (each has a test in tests/test_telegram_*.py):
- `CommandHandler` never sees channel posts, nor a command in a document's caption:
  separate `MessageHandler`s route both into the same `on_message`, which parses the
  command itself (`parse_command`), so every path shares one parser.
- `/cmd@OtherBot` is for another bot and is ignored; `/cmd@ThisBot` is ours.
- In a forum topic every message "replies" to the topic's creation message when the
  user replied to nothing; that is not a reply for /addreview or /spoiler.
- Edited messages are delivered (allowed_updates) but never re-run a command:
  an edited /addreview must not add a second review.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any

from telegram import Bot, CallbackQuery, Chat, MaybeInaccessibleMessage, Message, Update
from telegram import Document as TelegramDocument
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.commands import COMMANDS
from bot.config import Settings
from bot.dispatch import STALE_BUTTON
from bot.errors import BadInput
from bot.replies import Reply, Request, text_reply
from bot.richtext import utf16_ranges
from bot.service import AsyncCore

from . import files
from .permissions import AdminCache
from .render import GENERAL_TOPIC_ID, edit_kwargs, render_all
from .sending import call

log = logging.getLogger("moviebot.telegram")
TOAST_LIMIT = 200
# Seconds between edits of one vote message: 20 a minute at most, Telegram's per-group limit
# (Telegram's Bot FAQ on limits; whether edits count against it is unconfirmed, so assume they do).
EDIT_INTERVAL = 3.0
MAX_EDIT_SLOTS = 512  # answerCallbackQuery text, 0-200 characters (Bot API)
PLATFORM = "telegram"
_NAME_RE = re.compile(r"[A-Za-z0-9_]{1,32}")
CANNOT_DELETE = "I couldn't delete the original message: I need the right to delete messages here."


@dataclass
class _EditSlot:
    last: float  # loop time of the last edit sent
    pending: dict[str, Any] | None = None  # the newest version waiting for the trailing edit
    task: asyncio.Task[None] | None = None
    flush: asyncio.Event = field(default_factory=asyncio.Event)  # set: send the pending edit now


@dataclass(frozen=True)
class ParsedCommand:
    name: str  # lower case, without "/" and "@bot"
    args: str  # the rest of the first line (for /addreview) or of the whole text
    body: str | None  # the lines after the first, when there are any


def parse_command(text: str | None, bot_username: str) -> ParsedCommand | None:
    """`/name[@bot] args` at the start of `text`; None when not a command or not ours."""
    if not text or not text.startswith("/"):
        return None
    first, _, rest = text.partition("\n")
    head, _, first_args = first.partition(" ")
    name, at, target = head[1:].partition("@")
    if at and target.lower() != bot_username.lower():
        return None
    if not _NAME_RE.fullmatch(name):
        return None
    body = rest if rest.strip() else None
    name = name.lower()
    # A command that reads a body (/addreview): the title is the first line, the review the
    # lines after it. Other commands take everything after the name as their argument.
    command = COMMANDS.get(name)
    args = first_args.strip() if command is not None and command.body else " ".join(text[len(head) :].split())
    return ParsedCommand(name=name, args=args, body=body)


def spoiler_marks(message: Message, *, skip_first_line: bool) -> tuple[tuple[int, int], ...]:
    """Where the member marked words as spoiler in the Telegram app (entities of type
    ``spoiler``, nothing in the text), as code-point ranges of the review body: the
    text after the command line, or the whole text of a replied-to message."""
    text = message.text if message.text is not None else message.caption
    entities = message.entities if message.text is not None else message.caption_entities
    if not text or not entities:
        return ()
    start = len(text.partition("\n")[0]) + 1 if skip_first_line else 0
    return utf16_ranges(text, ((e.offset, e.length) for e in entities if e.type == "spoiler"), start=start)


def topic_of(message: Message) -> int | None:
    """The forum topic to answer in, or None (no topic, or the General topic)."""
    if message.is_topic_message and message.message_thread_id not in (None, GENERAL_TOPIC_ID):
        return message.message_thread_id
    return None


def real_reply(message: Message) -> Message | None:
    """The message this one replies to, ignoring the implicit reply to a topic's creation message."""
    target = message.reply_to_message
    if target is None:
        return None
    if target.forum_topic_created is not None or (
        message.is_topic_message and target.message_id == message.message_thread_id
    ):
        return None
    return target


def author_name(message: Message) -> str:
    if message.sender_chat is not None:
        return message.author_signature or message.sender_chat.title or message.sender_chat.effective_name or ""
    if message.from_user is not None:
        return message.from_user.full_name
    return ""


def sender_id(message: Message) -> str:
    if message.from_user is not None and message.sender_chat is None:
        return str(message.from_user.id)
    if message.sender_chat is not None:
        return str(message.sender_chat.id)
    return "unknown"


def press_request(query: CallbackQuery, message: MaybeInaccessibleMessage) -> tuple[Request, int | None]:
    """The neutral request for a button press, and the forum topic to answer in."""
    thread_id = topic_of(message) if isinstance(message, Message) else None
    req = Request(
        platform=PLATFORM,
        user_id=str(query.from_user.id),
        user_name=query.from_user.full_name,
        command="button",
        chat_id=str(message.chat.id),
        thread_id=None if thread_id is None else str(thread_id),
        chat_title=chat_title(message.chat),
    )
    return req, thread_id


def _fits_toast(reply: Reply) -> bool:
    """A one-line private answer fits a callback toast (at most 200 characters)."""
    text = reply.body.plain.strip()
    return bool(text) and "\n" not in text and len(text) <= TOAST_LIMIT


def chat_title(chat: Chat) -> str:
    return chat.title or chat.effective_name or str(chat.id)


class Handlers:
    """The PTB callbacks; one instance per platform, holding what they share."""

    def __init__(self, core: AsyncCore, settings: Settings, admins: AdminCache) -> None:
        self.core = core
        self.settings = settings
        self.admins = admins
        # In-place edits (votes) of one message: at most one per `edit_interval` seconds;
        # presses in between are folded into one trailing edit with the newest counts.
        self.edit_interval = EDIT_INTERVAL
        self._edits: dict[tuple[int, int], _EditSlot] = {}

    # -- sending -------------------------------------------------------------

    async def send_replies(self, bot: Bot, chat_id: int, thread_id: int | None, replies: list[Reply]) -> bool:
        """Send replies in order with the retry policy; False when the chat refused us (403)."""
        for kw in render_all(replies, thread_id):
            try:
                await call(functools.partial(bot.send_message, chat_id=chat_id, **kw), what="sendMessage")
            except Forbidden as exc:
                log.warning("chat %s refused our reply (%s); dropped", chat_id, exc.message)
                return False
            except TelegramError as exc:
                log.error("reply to chat %s not sent: %s: %s", chat_id, type(exc).__name__, exc.message)
                return False
        return True

    # -- messages and channel posts --------------------------------------------

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message or update.channel_post
        if message is None:  # edited messages and edited posts never re-run a command
            return
        parsed = parse_command(message.text or message.caption, context.bot.username)
        if parsed is None:
            return
        await self.run_command(context.bot, message, parsed)

    async def run_command(self, bot: Bot, message: Message, parsed: ParsedCommand) -> None:
        chat = message.chat
        thread_id = topic_of(message)
        command = COMMANDS.get(parsed.name)
        # getChatMember costs a call: only for commands whose answer depends on the caller's role.
        is_admin = await self.admins.is_admin(bot, message) if command is not None and command.needs_role else False
        body = parsed.body
        document: TelegramDocument | None = None
        options: dict[str, str] = {}
        marks = spoiler_marks(message, skip_first_line=True) if body else ()
        replied = real_reply(message)
        spoiler_of: Message | None = None
        if command is not None and command.files and message.document is not None:
            document = message.document
        elif command is not None and command.body and replied is not None and body is None:
            # A reply to a message or a document: that is the body.
            if command.files and replied.document is not None:
                document = replied.document
            else:
                body = replied.text or replied.caption
                marks = spoiler_marks(replied, skip_first_line=False)
        elif parsed.name == "spoiler" and not parsed.args and replied is not None:
            body = replied.text or replied.caption
            marks = spoiler_marks(replied, skip_first_line=False)
            if body:
                options["original_author"] = author_name(replied) or "someone"
                spoiler_of = replied
        req = Request(
            platform=PLATFORM,
            user_id=sender_id(message),
            user_name=author_name(message),
            command=parsed.name,
            args=parsed.args,
            chat_id=str(chat.id),
            thread_id=None if thread_id is None else str(thread_id),
            chat_title=chat_title(chat),
            is_admin=is_admin,
            body=body,
            options=options,
            marks=marks,
        )
        if document is not None:
            # The core decides first (who may, how big), so a refused file is never fetched.
            refusal = await self.core.admit(req, file_size=document.file_size or 0)
            if refusal:
                await self.send_replies(bot, chat.id, thread_id, refusal)
                return
            try:
                req = replace(req, attachments=(await files.download(bot, document),))
            except BadInput as exc:
                await self.send_replies(bot, chat.id, thread_id, [text_reply(exc.message, error=True)])
                return
        replies = await self.core.handle(req)
        sent = await self.send_replies(bot, chat.id, thread_id, replies)
        if sent and spoiler_of is not None and not any(r.error for r in replies):
            await self._delete_original(bot, chat.id, thread_id, spoiler_of)

    async def _delete_original(self, bot: Bot, chat_id: int, thread_id: int | None, original: Message) -> None:
        try:
            await call(lambda: bot.delete_message(chat_id, original.message_id), what="deleteMessage")
        except (BadRequest, Forbidden) as exc:
            log.info("could not delete message %s in chat %s: %s", original.message_id, chat_id, exc.message)
            await self.send_replies(bot, chat_id, thread_id, [text_reply(CANNOT_DELETE)])
        except TelegramError as exc:
            log.warning("deleteMessage failed in chat %s: %s", chat_id, type(exc).__name__)

    # -- buttons ---------------------------------------------------------------

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        message = query.message
        if message is not None and self.core.button_edits(query.data or ""):
            await self._press_in_place(context.bot, query, message)
            return
        # Answer first and exactly once: the user's spinner stops even if the work below fails.
        try:
            text = None if message is not None else STALE_BUTTON
            await call(lambda: query.answer(text=text), what="answerCallbackQuery")
        except TelegramError as exc:
            log.info("callback %s not answered: %s", query.id, type(exc).__name__)
        if message is None:
            return
        req, thread_id = press_request(query, message)
        replies = await self.core.press(req, query.data or "")
        await self.send_replies(context.bot, message.chat.id, thread_id, replies)

    async def _press_in_place(self, bot: Bot, query: CallbackQuery, message: MaybeInaccessibleMessage) -> None:
        """A button whose answer replaces its own message (a vote).

        The core runs first (it is quick: one SQLite write), so the presser's private
        line ("You voted for …", "This vote has closed.") can be the callback answer, a
        toast only they see, instead of a message to the whole chat. Then the message
        is edited in place. Telegram answers 400 "message is not modified" to an edit
        that changes nothing; that is success here, not an error. A 429 waits
        `retry_after` once (`call`), as for every reply.
        """
        chat = message.chat
        req, thread_id = press_request(query, message)
        replies = await self.core.press(req, query.data or "")
        toast = next((r for r in replies if (r.private or r.error) and not r.edit and _fits_toast(r)), None)
        try:
            text = toast.body.plain.strip() if toast is not None else None
            await call(lambda: query.answer(text=text), what="answerCallbackQuery")
        except TelegramError as exc:
            log.info("callback %s not answered: %s", query.id, type(exc).__name__)
        rest: list[Reply] = []
        for reply in replies:
            if reply is toast:
                continue
            if not reply.edit:
                rest.append(reply)
                continue
            await self._edit(bot, chat.id, message.message_id, edit_kwargs(reply))
        if rest:
            await self.send_replies(bot, chat.id, thread_id, rest)

    async def _edit(self, bot: Bot, chat_id: int, message_id: int, kw: dict[str, Any]) -> None:
        """Edit now, or fold into the trailing edit when this message was edited under `edit_interval` ago.

        A busy vote would otherwise edit once per press, and Telegram throttles a group
        that writes more than 20 messages a minute; the counts only need to be right
        a few seconds after the last press, not after every one.
        """
        loop = asyncio.get_running_loop()
        key = (chat_id, message_id)
        slot = self._edits.get(key)
        if slot is None or (slot.task is None and loop.time() - slot.last >= self.edit_interval):
            self._forget_idle_edits(loop.time())
            self._edits[key] = _EditSlot(last=loop.time())
            await self._send_edit(bot, chat_id, message_id, kw)
            return
        slot.pending = kw  # the newest version wins
        if slot.task is None:
            slot.task = asyncio.create_task(self._trailing_edit(bot, key, slot))

    async def _trailing_edit(self, bot: Bot, key: tuple[int, int], slot: _EditSlot) -> None:
        loop = asyncio.get_running_loop()
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(slot.flush.wait(), max(0.0, slot.last + self.edit_interval - loop.time()))
            kw, slot.pending = slot.pending, None
            slot.last = loop.time()
            if kw is not None:
                await self._send_edit(bot, key[0], key[1], kw)
        finally:
            slot.task = None
            slot.flush.clear()

    def _forget_idle_edits(self, now: float) -> None:
        if len(self._edits) > MAX_EDIT_SLOTS:
            for key in [k for k, v in self._edits.items() if v.task is None and now - v.last >= self.edit_interval]:
                del self._edits[key]

    async def drain_edits(self) -> None:
        """Send the trailing edits still waiting, now (on stop), so the last counts are shown."""
        tasks = [slot.task for slot in self._edits.values() if slot.task is not None]
        for slot in self._edits.values():
            slot.flush.set()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _send_edit(self, bot: Bot, chat_id: int, message_id: int, kw: dict[str, Any]) -> None:
        try:
            await call(
                functools.partial(bot.edit_message_text, chat_id=chat_id, message_id=message_id, **kw),
                what="editMessageText",
            )
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                log.warning("could not edit message %s in chat %s: %s", message_id, chat_id, exc.message)
        except TelegramError as exc:
            log.warning("editMessageText failed in chat %s: %s", chat_id, type(exc).__name__)

    # -- last resort -------------------------------------------------------------

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A handler raised: log it with the update id, tell the chat in one line, keep running."""
        exc = context.error
        update_id = update.update_id if isinstance(update, Update) else None
        reply = self.core.incident_reply(f"Telegram update {update_id}", exc)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        message = update.effective_message
        thread_id = topic_of(message) if isinstance(message, Message) else None
        try:
            await self.send_replies(context.bot, update.effective_chat.id, thread_id, [reply])
        except Exception:  # the error path must never raise
            log.exception("could not tell chat %s about the failure", update.effective_chat.id)
