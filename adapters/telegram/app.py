"""`TelegramPlatform`: the python-telegram-bot Application behind the `Platform` protocol.

`start()` returns once the bot is serving (getMe checked, command menu set,
polling or webhook running); `stop()` undoes it within a few seconds. Long
polling is the default because it needs no public address; webhook mode is for
deployments behind a reverse proxy (TELEGRAM_WEBHOOK_URL/_LISTEN/_SECRET).

Tokens: Telegram puts the token in every URL, and PTB logs the API URL at DEBUG
while httpx logs each request URL at INFO. The CLI's formatter redacts, but any
other handler (a test's, an operator's) would not, so the adapter silences httpx
and rewrites records of the libraries' loggers before any handler sees them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from urllib.parse import urlparse

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
)

from bot.config import Settings
from bot.errors import StartupError
from bot.platform import Gone, RetryLater, Transient
from bot.replies import Reply
from bot.service import AsyncCore

from . import commands
from .handlers import Handlers
from .permissions import AdminCache
from .render import render_all
from .sending import classify

log = logging.getLogger("moviebot.telegram")

ALLOWED_UPDATES = ["message", "edited_message", "channel_post", "callback_query", "my_chat_member"]
POLL_TIMEOUT = 10  # seconds of long polling per getUpdates
STOP_STEP_TIMEOUT = 3.0
DELIVERY_PART_RETRIES = 3  # for the 2nd+ part of a feed post, which must not be re-sent from the top
MAX_PART_WAIT = 60.0
CONCURRENT_UPDATES = 16  # one chat's flood wait must not stall every other chat
_LIBRARY_LOGGERS = ("telegram", "httpx", "httpcore", "tornado")


class TokenRedactor(logging.Filter):
    """Replaces secrets in a record's message and freezes it; attached to the libraries' loggers."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        for s in self.secrets:
            message = message.replace(s, "***")
        # Freeze the text now: PTB logs mutable dicts that it later fills with file URLs
        # (getFile's file_path gains the token), so a lazy getMessage() would leak it.
        record.msg, record.args = message, ()
        return True


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of one chat in arrival order; different chats side by side.

    In order per chat, so "/addreview ..." then "/review ..." reads the new review even
    though the first waits on an admin check; side by side across chats, so one chat's
    flood wait (429) or slow download does not stall everyone else.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[object]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        key = chat.id
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # forget idle chats: the dict stays as small as the backlog
                del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def _library_loggers() -> list[logging.Logger]:
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in _LIBRARY_LOGGERS]
    return [logging.getLogger(n) for n in sorted(set(names) | set(_LIBRARY_LOGGERS))]


class TelegramPlatform:
    name = "telegram"

    def __init__(self, core: AsyncCore, settings: Settings) -> None:
        if not settings.telegram_token:
            raise StartupError("TELEGRAM_TOKEN is not set")
        self.core = core
        self.settings = settings
        self.admins = AdminCache()
        self.handlers = Handlers(core, settings, self.admins)
        self._app: Application | None = None
        self._redactor: TokenRedactor | None = None
        self._redacted: list[logging.Logger] = []

    @property
    def application(self) -> Application:
        """The running PTB Application (for extra handlers, e.g. in tests)."""
        if self._app is None:
            raise RuntimeError("TelegramPlatform is not started")
        return self._app

    # -- lifecycle ---------------------------------------------------------------

    def _protect_logs(self) -> None:
        logging.getLogger("httpx").setLevel(logging.WARNING)
        secrets = [self.settings.telegram_token.value if self.settings.telegram_token else ""]
        if self.settings.telegram_webhook_secret:
            secrets.append(self.settings.telegram_webhook_secret.value)
        self._redactor = TokenRedactor(secrets)
        self._redacted = _library_loggers()
        for logger in self._redacted:
            logger.addFilter(self._redactor)

    def _unprotect_logs(self) -> None:
        if self._redactor is not None:
            for logger in self._redacted:
                logger.removeFilter(self._redactor)
        self._redactor, self._redacted = None, []

    def build(self) -> Application:
        assert self.settings.telegram_token is not None
        app = (
            ApplicationBuilder()
            .token(self.settings.telegram_token.value)
            .base_url(self.settings.telegram_api_base_url)
            .base_file_url(self.settings.telegram_file_base_url)
            .concurrent_updates(PerChatUpdateProcessor(CONCURRENT_UPDATES))
            .build()
        )
        commands.register(app, self.handlers.on_message, self.handlers.on_callback)
        app.add_error_handler(self.handlers.on_error)
        return app

    async def start(self) -> None:
        self._protect_logs()
        app = self.build()
        try:
            await app.initialize()  # getMe: proves the token
        except InvalidToken:
            await self._abandon(app)
            raise StartupError("Telegram refused the token (401 Unauthorized)") from None
        except NetworkError as exc:
            await self._abandon(app)
            host = urlparse(self.settings.telegram_api_base_url).netloc
            raise StartupError(f"Telegram API at {host} is unreachable ({type(exc).__name__})") from None
        self._app = app
        try:
            await self._set_commands(app)
            await app.start()
            assert app.updater is not None
            if self.settings.telegram_webhook_url:
                await self._start_webhook(app)
            else:
                await app.updater.start_polling(timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES)
        except BaseException:
            await self.stop()
            raise
        log.info(
            "telegram: serving as @%s (%s)",
            app.bot.username,
            "webhook" if self.settings.telegram_webhook_url else "long polling",
        )

    async def _abandon(self, app: Application) -> None:
        """A failed initialize() leaves getMe's HTTP connection open (PTB's shutdown() skips an application
        that never initialized): close it, so a refused start leaks no socket."""
        with contextlib.suppress(Exception):
            await app.bot.request.shutdown()
        self._unprotect_logs()

    async def _set_commands(self, app: Application) -> None:
        try:
            await app.bot.set_my_commands(commands.menu())
        except TelegramError as exc:  # a missing menu is not worth refusing to serve
            log.warning("telegram: setMyCommands failed: %s", type(exc).__name__)

    async def _start_webhook(self, app: Application) -> None:
        assert app.updater is not None and self.settings.telegram_webhook_url
        host, port = self.settings.telegram_webhook_listen  # validated by load_settings
        secret = self.settings.telegram_webhook_secret
        try:
            await app.updater.start_webhook(
                listen=host,
                port=port,
                url_path=urlparse(self.settings.telegram_webhook_url).path.lstrip("/"),
                webhook_url=self.settings.telegram_webhook_url,
                secret_token=secret.value if secret else None,
                allowed_updates=ALLOWED_UPDATES,
            )
        except TelegramError as exc:
            raise StartupError(f"Telegram refused the webhook (TELEGRAM_WEBHOOK_URL): {exc.message}") from None
        except OSError as exc:
            raise StartupError(f"cannot listen on TELEGRAM_WEBHOOK_LISTEN {host}:{port}: {exc.strerror}") from None

    async def stop(self) -> None:
        app, self._app = self._app, None
        if app is None:
            self._unprotect_logs()
            return
        try:
            if app.updater is not None and app.updater.running:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(app.updater.stop(), STOP_STEP_TIMEOUT)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.handlers.drain_edits(), STOP_STEP_TIMEOUT)
            if app.running:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(app.stop(), STOP_STEP_TIMEOUT)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(app.shutdown(), STOP_STEP_TIMEOUT)
        finally:
            self.admins.forget()
            self._unprotect_logs()

    # -- feed --------------------------------------------------------------------

    async def deliver(self, chat_id: str, thread_id: str | None, replies: list[Reply]) -> None:
        """Post a feed item; one attempt per message, failures mapped for the dispatcher."""
        if self._app is None:
            raise Transient("telegram is not running")
        bot = self._app.bot
        for index, kw in enumerate(render_all(replies, thread_id)):
            attempt = 0
            while True:
                try:
                    await bot.send_message(chat_id=int(chat_id), **kw)
                    break
                except TelegramError as exc:
                    error = classify(exc)
                    attempt += 1
                    # Before the first part went out nothing is posted yet: the dispatcher
                    # decides when to try again. After it, a retry from the top would post
                    # the first part twice, so finish the rest here (bounded).
                    if index == 0 or isinstance(error, Gone) or attempt > DELIVERY_PART_RETRIES:
                        raise error from None
                    delay = error.retry_after if isinstance(error, RetryLater) else 2.0**attempt
                    await asyncio.sleep(min(delay, MAX_PART_WAIT))
