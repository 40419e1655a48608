"""What users do: messages, channel posts and button presses, queued as updates for the bot."""

from __future__ import annotations

import re
import time

from tests.checks.telegram_html import parse_html, utf16_len

from .base import FakeTelegramBase
from .model import ANONYMOUS_ADMIN_ID, CHANNEL_BOT_ID

_USER_ENTITY_TYPES = frozenset(
    {
        "spoiler",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "code",
        "pre",
        "text_link",
        "blockquote",
        "expandable_blockquote",
        "bot_command",
    }
)


class UsersPart(FakeTelegramBase):
    """One layer of FakeTelegram: the protocol part this module's docstring names."""

    def enqueue(self, update_type: str, payload: dict) -> dict:
        """Queue a raw update ``{"update_id": n, update_type: payload}``; returns the update."""
        update = {"update_id": self._next_update_id, update_type: payload}
        self._next_update_id += 1
        self._updates.append(update)
        self._updates_changed.set()
        return update

    def _command_entities(self, text: str) -> list[dict]:
        """bot_command entities like Telegram's: "/cmd" or "/cmd@Bot" at a word start."""
        entities = []
        for m in re.finditer(r"(?<![\w/@])/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?(?![\w/@])", text):
            offset = utf16_len(text[: m.start()])
            entities.append({"type": "bot_command", "offset": offset, "length": utf16_len(m.group())})
        return entities

    def _incoming(self, text: str, html: str | None, entities: list[dict] | None) -> tuple[str, list[dict]]:
        """Text and entities of a message a member sends, as the Telegram app delivers them.

        ``html`` stands for formatting done in the app (select words, "Spoiler"): it is
        parsed as Telegram parses HTML, and the message carries the plain text plus the
        entities, with no markup left in the text. Explicit ``entities`` are checked like
        the server would send them: known types, UTF-16 offsets inside the text, no
        partial overlap. bot_command entities are added as Telegram adds them.
        """
        if html is not None:
            text, entities = parse_html(html)
        ents = [dict(e) for e in entities or []]
        units = utf16_len(text)
        for e in ents:
            if e.get("type") not in _USER_ENTITY_TYPES:
                raise ValueError(f"entity type {e.get('type')!r} is not one a user message carries here")
            if not 0 <= e["offset"] < e["offset"] + e["length"] <= units:
                raise ValueError(f"entity {e} is outside the text ({units} UTF-16 units)")
        for a in ents:
            for b in ents:
                a0, a1, b0, b1 = a["offset"], a["offset"] + a["length"], b["offset"], b["offset"] + b["length"]
                if a is not b and a0 < b0 < a1 < b1:
                    raise ValueError(f"entities {a} and {b} overlap without nesting")
        known = {(e["offset"], e["length"]) for e in ents if e["type"] == "bot_command"}
        ents += [e for e in self._command_entities(text) if (e["offset"], e["length"]) not in known]
        return text, sorted(ents, key=lambda e: (e["offset"], -e["length"]))

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
        html: str | None = None,
        caption_html: str | None = None,
    ) -> dict:
        """Simulate a user posting in a chat (an update of type ``message``); returns the Message dict.

        ``sender_chat`` equal to the chat itself makes it an anonymous-admin message (``from`` is
        @GroupAnonymousBot); another chat makes it a message sent on behalf of that channel.
        ``html``/``caption_html`` stand for formatting done in the app (see `_incoming`)."""
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
        if text is not None or html is not None:
            msg["text"], ents = self._incoming(text or "", html, entities)
            if ents:
                msg["entities"] = ents
            text = msg["text"]
        if document is not None:
            msg["document"] = document
        if caption is not None or caption_html is not None:
            msg["caption"], ents = self._incoming(caption or "", caption_html, None)
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
