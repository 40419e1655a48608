"""Messages: sendMessage with its validation (HTML, entities, length, markup, replies, topics), edits,
deletes, chat actions and callback answers.
"""

from __future__ import annotations

import re
import time

from tests.checks.telegram_html import TelegramError, check_formatted

from .chats import ChatsPart
from .model import _NOT_MODIFIED, _QUERY_TOO_OLD, SentMessage
from .validation import _ApiError, _as_bool, _as_int, _as_json, _bad


class MessagesPart(ChatsPart):
    """One layer of FakeTelegram: the protocol part this module's docstring names."""

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
