"""Reply -> the keyword arguments of `Bot.send_message`, one dict per Telegram message.

Pure: no network, no Application, so every degradation rule is unit-testable.
Degradation policy (see bot/replies.py), for Telegram:
- `body`: written as Telegram HTML and split by the core's `split_telegram`, each
  chunk valid alone and within 4096 characters; sent with parse_mode HTML.
- `buttons`: an inline keyboard, one button a row (labels are long), on the
  *last* chunk only, so it sits under the end of the text it refers to.
- `private`: Telegram has no private reply inside a chat; sent normally.
- `error`: an ordinary message (one line written by the core).
- `edit`: `edit_kwargs` gives editMessageText's arguments for the message the
  button is on: one message's worth (the first chunk; a vote is far shorter),
  its keyboard, or none, which removes the keyboard (a closed vote).
- `reveal`: spoilers stay behind `<tg-spoiler>`; nothing to do here.
- thread: `message_thread_id` keeps replies in a forum topic; never 1, the
  General topic, which Telegram refuses ("message thread not found").
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions

from bot.replies import Reply
from bot.richtext import split_telegram

GENERAL_TOPIC_ID = 1


def thread_kwargs(thread_id: int | str | None) -> dict[str, Any]:
    """`message_thread_id` for a topic, or nothing (no topic, or the General topic)."""
    if thread_id is None or str(thread_id).strip() == "":
        return {}
    tid = int(thread_id)
    if tid == GENERAL_TOPIC_ID:
        return {}
    return {"message_thread_id": tid}


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.action)] for b in reply.buttons])


def render(reply: Reply, thread_id: int | str | None = None) -> list[dict[str, Any]]:
    """The send_message kwargs (without chat_id) for one Reply, in order."""
    if not isinstance(reply, Reply):
        raise TypeError(f"cannot render {type(reply).__name__} on Telegram")
    chunks = [c for c in split_telegram(reply.body) if c.strip()]
    markup = keyboard(reply)
    if not chunks and markup is not None:
        # A keyboard cannot travel alone; give it a line to hang from.
        chunks = ["…"]
    out: list[dict[str, Any]] = []
    for i, text in enumerate(chunks):
        kw: dict[str, Any] = {
            "text": text,
            "parse_mode": "HTML",
            "link_preview_options": LinkPreviewOptions(is_disabled=True),
            **thread_kwargs(thread_id),
        }
        if markup is not None and i == len(chunks) - 1:
            kw["reply_markup"] = markup
        out.append(kw)
    return out


def render_all(replies: list[Reply], thread_id: int | str | None = None) -> list[dict[str, Any]]:
    return [kw for r in replies for kw in render(r, thread_id)]


def edit_kwargs(reply: Reply) -> dict[str, Any]:
    """editMessageText's keyword arguments (without chat_id/message_id) for a `Reply.edit`."""
    if not isinstance(reply, Reply):
        raise TypeError(f"cannot render {type(reply).__name__} on Telegram")
    chunks = [c for c in split_telegram(reply.body) if c.strip()] or ["…"]
    kw: dict[str, Any] = {
        "text": chunks[0],
        "parse_mode": "HTML",
        "link_preview_options": LinkPreviewOptions(is_disabled=True),
    }
    markup = keyboard(reply)
    if markup is not None:
        kw["reply_markup"] = markup
    return kw
