"""The error hierarchy, and the one rule that goes with it.

    BotError
    ├── UserError          a message the user may see, as is (one line)
    │   ├── NotFound       an unknown film, review, subscription
    │   ├── BadInput       a missing argument, a rating of 11, a binary file
    │   └── NotAllowed     a member asked for an admin command
    └── ConfigError        a bad environment variable (start-up, exit 2)

Anything that is not a `UserError` is a bug: the dispatcher logs it with its
traceback and an incident id, and the user sees a generic line with that id,
never the exception text (which could hold paths, SQL or a token).
"""

from __future__ import annotations


class BotError(Exception):
    """Base of every error the bot raises on purpose."""


class UserError(BotError):
    """An error whose message is written for the user: one short line."""

    def __init__(self, message: str, *, candidates: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.candidates = candidates or []


class NotFound(UserError):
    pass


class BadInput(UserError):
    pass


class NotAllowed(UserError):
    pass


class ConfigError(BotError):
    """A configuration value is missing or wrong; the message names the variable."""


class StoreError(BotError):
    """The database cannot be opened or migrated; the message names path and reason."""


class StartupError(BotError):
    """A platform refused to start (bad token, unreachable); one line, exit 1."""
