"""The one policy for outgoing Bot API calls, and the map from PTB errors to feed errors.

Reply path (`call`): a 429 waits `retry_after` and tries once more; network
errors, timeouts and 5xx (PTB raises them all as `NetworkError`) retry with a
short bounded backoff; anything else (400, 403) is the caller's to handle.
Feed path (`classify`): no retry at all; the dispatcher owns the schedule, so a
PTB error becomes RetryLater / Gone / Transient and nothing more.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.platform import DeliveryError, Gone, RetryLater, Transient

log = logging.getLogger("moviebot.telegram")
T = TypeVar("T")

TRIES = 3
BACKOFF = 0.25  # seconds, doubled each try: 0.25, 0.5 -> at most ~0.75 s of waiting
MAX_FLOOD_WAIT = 60.0  # a reply that must wait longer than this is not worth sending late

# BadRequest descriptions that mean "this destination no longer exists for us".
GONE_DESCRIPTIONS = (
    "chat not found",
    "message thread not found",
    "topic_deleted",
    "topic_closed",
    "need administrator rights",
    "not enough rights",
    "have no rights",
)


def retry_after_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    if isinstance(value, dtm.timedelta):
        return value.total_seconds()
    return float(value)


def is_network(exc: BaseException) -> bool:
    """NetworkError/TimedOut/5xx, but not BadRequest (which PTB derives from NetworkError)."""
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


async def call(fn: Callable[[], Awaitable[T]], *, what: str, backoff: float = BACKOFF) -> T:
    """Run one Bot API call with the reply-path retry policy; re-raise what it cannot fix."""
    flood_waited = False
    attempt = 0
    while True:
        attempt += 1
        try:
            return await fn()
        except RetryAfter as exc:
            wait = retry_after_seconds(exc)
            if flood_waited or wait > MAX_FLOOD_WAIT:
                raise
            flood_waited = True
            log.warning("%s: flood control, waiting %.0f s", what, wait)
            await asyncio.sleep(wait)
        except TelegramError as exc:
            if not is_network(exc) or attempt >= TRIES:
                raise
            log.warning("%s: %s, retrying (%d/%d)", what, type(exc).__name__, attempt, TRIES)
            await asyncio.sleep(backoff * 2 ** (attempt - 1))


def classify(exc: TelegramError) -> DeliveryError:
    """A feed delivery failure as the dispatcher understands it."""
    if isinstance(exc, RetryAfter):
        return RetryLater(retry_after_seconds(exc), "Telegram flood control")
    if isinstance(exc, Forbidden):
        return Gone(exc.message)
    if isinstance(exc, ChatMigrated):
        return Gone(f"group became supergroup {exc.new_chat_id}")
    if isinstance(exc, BadRequest):
        if any(d in exc.message.lower() for d in GONE_DESCRIPTIONS):
            return Gone(exc.message)
        # Our own bug (markup the server refused): retrying later may meet a fixed bot.
        return Transient(f"refused: {exc.message}")
    return Transient(f"{type(exc).__name__}: {exc.message}")  # network, timeout, 5xx, anything else
