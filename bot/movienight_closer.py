"""Closing movie-night votes on time, and telling their chats, while the bot runs.

A vote past its time also closes the moment someone touches it (`bot.movienight`),
but a vote nobody touches must still end and say who won: this task looks every
`interval` seconds and posts each announcement through the platform's `deliver`,
the same path as the feed, into the chat or topic where the vote was started.
A chat that refuses the post (kicked, no rights) loses only that announcement;
the vote is closed either way, and its buttons then answer "this vote has closed".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping

from . import movienight
from .platform import DeliveryError, Platform
from .service import AsyncCore

log = logging.getLogger("moviebot.movienight")

INTERVAL = 60.0


class Closer:
    def __init__(self, core: AsyncCore, platforms: Mapping[str, Platform], *, interval: float = INTERVAL) -> None:
        self.core = core
        self.platforms = platforms
        self.interval = interval

    async def sweep(self) -> int:
        """Close what is due and announce it; returns how many votes were closed."""
        due = await self.core.call(movienight.close_due, self.core.bot)
        for night, reply in due:
            platform = self.platforms.get(night.platform)
            if platform is None:
                continue  # a vote from a platform not running now (or the console): closed, not announced
            try:
                await platform.deliver(night.chat_id, night.thread_id or None, [reply])
            except DeliveryError as exc:
                log.warning("movie night %s: the winner could not be announced: %s", night.id, exc)
        return len(due)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.sweep()
            except Exception:
                log.exception("movie nights: closing due votes failed; trying again later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)
