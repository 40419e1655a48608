"""`moviebot run`: every configured platform and the feed, in one process.

Platforms start side by side; each runs in its own tasks, so one platform's
outage (or a slow reconnect) never stalls the other. SIGTERM and Ctrl-C stop
everything within a few seconds, as `docker stop` expects: adapters stop
taking new work, the feed leaves undelivered items owed in the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.config import Settings
from bot.core import MovieBot
from bot.errors import StartupError
from bot.feed import FeedDispatcher
from bot.movienight_closer import Closer
from bot.platform import Platform
from bot.service import AsyncCore

log = logging.getLogger("moviebot.run")
STOP_TIMEOUT = 8.0


def build_platforms(core: AsyncCore, settings: Settings) -> list[Platform]:
    # Imported here, not at the top: a console session or an import never loads discord.py or PTB.
    platforms: list[Platform] = []
    if settings.telegram_token:
        from adapters.telegram import TelegramPlatform

        platforms.append(TelegramPlatform(core, settings))
    if settings.discord_token:
        from adapters.discord import DiscordPlatform

        platforms.append(DiscordPlatform(core, settings))
    return platforms


async def serve(bot: MovieBot, settings: Settings, stop: asyncio.Event | None = None) -> int:
    """Run until `stop` is set (or a signal arrives); return the exit status."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    core = AsyncCore(bot)
    platforms = build_platforms(core, settings)
    started: list[Platform] = []
    try:
        results = await asyncio.gather(*(p.start() for p in platforms), return_exceptions=True)
        failure: BaseException | None = None
        for p, result in zip(platforms, results, strict=True):
            if isinstance(result, BaseException):
                failure = failure or result
                if not isinstance(result, StartupError):
                    log.error("%s failed to start: %s", p.name, type(result).__name__)
            else:
                started.append(p)
        if failure is not None:
            raise failure if isinstance(failure, StartupError) else StartupError(str(failure))
        log.info("moviebot running: %s", ", ".join(p.name for p in started))
        # The feed: its own task, so a slow channel never delays a command reply.
        # settings.feed_limits: the platforms' rate limits, or MOVIEBOT_FEED_LIMITS's (a paid Telegram
        # broadcast tier, a test).
        feed = FeedDispatcher(core, {p.name: p for p in started}, limits=settings.feed_limits)
        feed_task = asyncio.create_task(feed.run(stop))
        # Movie-night votes whose time is up close and announce their winner.
        closer_task = asyncio.create_task(Closer(core, {p.name: p for p in started}).run(stop))
        await stop.wait()
        log.info("stopping")
        with contextlib.suppress(asyncio.TimeoutError, Exception):
            await asyncio.wait_for(asyncio.gather(feed_task, closer_task), STOP_TIMEOUT / 2)
    finally:
        await asyncio.gather(*(asyncio.wait_for(p.stop(), STOP_TIMEOUT) for p in started), return_exceptions=True)
        core.close()
    return 0


def run(bot: MovieBot, settings: Settings) -> int:
    return asyncio.run(serve(bot, settings))
