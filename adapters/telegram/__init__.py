"""Telegram adapter: python-telegram-bot in, neutral `Request`s to the core, HTML messages out.

Modules: `app` (Application lifecycle, polling or webhook, the Platform protocol),
`handlers` (Update -> Request), `render` (Reply -> sendMessage kwargs), `sending`
(the one retry policy for outgoing calls), `permissions` (who is an admin, cached),
`files` (document downloads with size checks).
"""

from .app import TelegramPlatform

__all__ = ["TelegramPlatform"]
