"""Telegram adapter: python-telegram-bot in, neutral `Request`s to the core, HTML messages out.

Modules: `app` (Application lifecycle, polling or webhook, the Platform protocol),
`handlers` (Update -> Request), `render` (Reply -> sendMessage kwargs), `sending`
(the one retry policy for outgoing calls), `admins` (cached admin checks),
`files` (document downloads with size checks).
"""

from .app import TelegramPlatform

__all__ = ["TelegramPlatform"]
