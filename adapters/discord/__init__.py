"""The Discord adapter: discord.py app commands in front of the platform-neutral core.

`app.py` runs the client and syncs commands, `commands.py` builds the slash
commands from `bot.commands.COMMANDS`, `handlers.py` answers them,
`render.py` turns a `Reply` into messages and `permissions.py` says who is an
admin and what the bot needs in a channel.
"""

from .app import DiscordPlatform

__all__ = ["DiscordPlatform"]
