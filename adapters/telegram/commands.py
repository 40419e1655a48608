"""The Telegram side of `bot.commands.COMMANDS`: the handlers that route commands, and the menu.

Mirrors `adapters/discord/commands.py`: every command of the table is routed and
listed, so a command cannot exist on one platform and be missing on the other.
python-telegram-bot's `CommandHandler` misses two ways people send commands, so
`MessageHandler`s route them into the same callback:
- a file sent with the command as its caption (`/addreview Title` on a .txt), for
  every command that takes files (`Command.files`);
- a channel post (`/subscribe` in a channel).
Unknown commands in a private chat are routed too, so they get "Unknown command";
in groups they may be another bot's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.commands import COMMANDS

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def file_caption_pattern() -> str:
    """A caption that starts with a command taking files, e.g. `/addreview` or `/addreview@bot`."""
    names = "|".join(re.escape(c.name) for c in COMMANDS.values() if c.files)
    return rf"^/(?:{names})(@\w+)?(\s|$)"


def menu() -> list[BotCommand]:
    """The command menu (setMyCommands), from the same table."""
    return [BotCommand(c.name, c.description) for c in COMMANDS.values()]


def register(app: Application[Any, Any, Any, Any, Any, Any], on_message: Callback, on_callback: Callback) -> None:
    """Route every way a command arrives to `on_message`, and button presses to `on_callback`."""
    only_new = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler(list(COMMANDS), on_message, filters=only_new))
    app.add_handler(
        MessageHandler(only_new & filters.Document.ALL & filters.CaptionRegex(file_caption_pattern()), on_message)
    )
    app.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POST & (filters.TEXT | filters.CAPTION), on_message))
    app.add_handler(MessageHandler(only_new & filters.ChatType.PRIVATE & filters.COMMAND, on_message))
    app.add_handler(CallbackQueryHandler(on_callback))
