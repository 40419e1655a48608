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

Layout, one module per protocol part. ``FakeTelegram`` is a stack of layers, each a subclass of the
one below, so a part uses only what lies beneath it (and mypy sees every call):

    model       constants; what tests read (requests, sent messages and documents, rejections)
    validation  the Bot API's error shape and parameter coercion
    base        FakeTelegramBase: state, the world a test builds, waiting helpers
    users       UsersPart: what users do, queued as updates
    updates     UpdatesPart: getMe, getUpdates, webhooks, the command menu
    chats       ChatsPart: chats, membership, rights
    messages    MessagesPart: sending, editing, deleting, callback answers
    files       FilesPart: sendDocument, getFile, downloads
    server      FakeTelegram: the aiohttp app, request parsing, injected errors, the method table
"""

from __future__ import annotations

from .model import (
    ANONYMOUS_ADMIN_ID,
    CHANNEL_BOT_ID,
    MAX_DOWNLOAD_SIZE,
    RecordedRequest,
    Rejected,
    SentDocument,
    SentMessage,
)
from .server import FakeTelegram

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
