"""Telegram adapter: python-telegram-bot in, neutral `Request`s to the core, HTML messages out.

Modules, the same as in `adapters/discord/`: `app` (Application lifecycle, polling
or webhook, the Platform protocol), `commands` (routing and the command menu from
the core's table), `handlers` (Update -> Request -> core -> messages), `render`
(Reply -> sendMessage kwargs), `permissions` (who is an admin, cached), `files`
(document downloads, after the core said yes), `sending` (the one retry policy for
outgoing calls, and feed errors classified for the dispatcher).
"""

from .app import TelegramPlatform

__all__ = ["TelegramPlatform"]
