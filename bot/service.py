"""`AsyncCore`: the synchronous core, offered to async adapters without blocking them.

SQLite calls block. Every core call from an event loop runs on one dedicated
worker thread, which also serialises access to the single connection, so
Discord, Telegram and the feed dispatcher can share one database safely and
a slow query never stalls a gateway heartbeat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from . import dispatch
from .core import MovieBot
from .replies import Reply, Request

T = TypeVar("T")


class AsyncCore:
    def __init__(self, bot: MovieBot) -> None:
        self.bot = bot
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="moviebot-db")

    async def call(self, fn: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, fn, *args)

    async def handle(self, req: Request) -> list[Reply]:
        return await self.call(dispatch.handle, self.bot, req)

    async def press(self, req: Request, action: str) -> list[Reply]:
        return await self.call(dispatch.press, self.bot, req, action)

    async def admit(self, req: Request, *, file_size: int | None = None) -> list[Reply]:
        """Ask before downloading: [] to go on, else the refusal (see `dispatch.admit`)."""
        # Settings and the command table only, no SQLite: no need to queue behind the DB thread.
        return dispatch.admit(self.bot, req, file_size=file_size)

    @staticmethod
    def button_is_private(action: str) -> bool:
        return dispatch.button_is_private(action)

    @staticmethod
    def button_edits(action: str) -> bool:
        return dispatch.button_edits(action)

    @staticmethod
    def incident_reply(what: str, error: BaseException | None = None) -> Reply:
        """For an adapter's last-resort handler: log `error` under an id, the same line as the core's."""
        return dispatch.incident_reply(what, error)

    async def complete_title(self, prefix: str, limit: int = 25) -> list[tuple[int, str]]:
        # The title index is in memory and read-only here: no need to queue behind SQLite.
        return self.bot.titles.complete(prefix, limit)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
