"""The Discord adapter: discord.py app commands in front of the platform-neutral core.

Modules, the same as in `adapters/telegram/`: `app` (the client's lifecycle,
command sync, the Platform protocol), `commands` (the slash commands from the
core's table), `handlers` (interactions -> Request -> core -> responses), `render`
(Reply -> messages), `permissions` (who is an admin, what the bot needs in a
channel), `files` (attachment downloads, after the core said yes), `sending`
(feed errors classified for the dispatcher).
"""

from .app import DiscordPlatform

__all__ = ["DiscordPlatform"]
