"""The map from discord.py's errors to feed errors. Mirrors `adapters/telegram/sending.py`.

Reply path: discord.py already waits out a 429 and retries 5xx on its own, so
replies need no policy of ours (Telegram's `call` exists because PTB does not).
Feed path (`classify`): no retry at all; the dispatcher owns the schedule, so a
discord.py error becomes RetryLater / Gone / Transient and nothing more.
"""

from __future__ import annotations

import aiohttp
import discord

from bot.platform import DeliveryError, Gone, RetryLater, Transient

# What a channel send can raise that is the platform's doing, not ours.
FEED_ERRORS: tuple[type[BaseException], ...] = (
    discord.RateLimited,
    discord.HTTPException,
    aiohttp.ClientError,
    OSError,
    TimeoutError,
)


def retry_after_seconds(exc: discord.HTTPException) -> float:
    try:
        return float(exc.response.headers.get("Retry-After", "1"))
    except (AttributeError, ValueError):
        return 1.0


def classify(exc: BaseException) -> DeliveryError:
    """A feed delivery failure (one of FEED_ERRORS) as the dispatcher understands it."""
    if isinstance(exc, discord.RateLimited):
        return RetryLater(exc.retry_after, "Discord rate limit")
    if isinstance(exc, discord.Forbidden | discord.NotFound):
        # 403: no access to the channel any more; 404: the channel or thread is gone.
        return Gone(f"Discord {exc.status} {exc.code}: {exc.text}"[:200])
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:
            return RetryLater(retry_after_seconds(exc), "Discord rate limit")
        return Transient(f"Discord {exc.status} {exc.code}")
    return Transient(f"Discord connection: {type(exc).__name__}")
