"""What the runner and the feed expect of a platform adapter.

Each adapter (Discord, Telegram) implements `Platform`. `deliver` posts one
feed item to one subscribed channel and reports failures as the three kinds
the feed dispatcher acts on, so the dispatcher never needs to know a platform's
error classes.
"""

from __future__ import annotations

from typing import Protocol

from .replies import Reply


class DeliveryError(Exception):
    """A feed post did not go out."""


class RetryLater(DeliveryError):
    """Throttled (429): try again after `retry_after` seconds."""

    def __init__(self, retry_after: float, message: str = "rate limited") -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Transient(DeliveryError):
    """A 5xx, a timeout, a dropped connection: retry with backoff."""


class Gone(DeliveryError):
    """403, kicked, channel deleted: pause the subscription, do not retry."""


class Platform(Protocol):
    name: str

    async def start(self) -> None:
        """Connect and begin serving; raise StartupError when the platform refuses us."""

    async def stop(self) -> None:
        """Disconnect cleanly, within a few seconds."""

    async def deliver(self, chat_id: str, thread_id: str | None, replies: list[Reply]) -> None:
        """Post replies to a channel for the feed; raise a DeliveryError subclass on failure."""
