"""Running a command or a button press: the one place errors become replies.

`handle` and `press` never raise. A `UserError` becomes a one-line reply; anything
else is logged with an incident id and answered with a generic line carrying
that id, never the exception text.

This module sits above `commands` (which sits above `core` and the importers), so
the command table can use the bot without the bot importing the table.
"""

from __future__ import annotations

import logging
import secrets

from .commands import BUTTONS, COMMANDS
from .core import MovieBot
from .errors import BadInput, NotAllowed, UserError
from .replies import Reply, Request, text_reply
from .text import clean_line

log = logging.getLogger("moviebot.core")


def handle(bot: MovieBot, req: Request) -> list[Reply]:
    """Run one command; never raises."""
    cmd = COMMANDS.get(req.command.lower().lstrip("/"))
    try:
        if cmd is None:
            raise BadInput(f"Unknown command /{clean_line(req.command)[:32]}. Try /help.")
        if cmd.admin and not bot.is_admin(req):
            raise NotAllowed(f"/{cmd.name} is for admins of this chat.")
        return cmd.run(bot, req)
    except UserError as exc:
        return [text_reply(exc.message, error=True)]
    except Exception:
        return [incident_reply(req)]


def press(bot: MovieBot, req: Request, action: str) -> list[Reply]:
    """A button was pressed; `action` is the string the button carried. Never raises."""
    prefix = action.split(":", 1)[0]
    handler = BUTTONS.get(prefix)
    try:
        if handler is None:
            raise BadInput("That button no longer works; run the command again.")
        return handler(bot, req, action)
    except UserError as exc:
        return [text_reply(exc.message, error=True)]
    except Exception:
        return [incident_reply(req)]


def incident_reply(req: Request) -> Reply:
    """Log the exception being handled under a short id, and say that id to the user."""
    incident = secrets.token_hex(4)
    log.exception("incident %s: /%s on %s failed", incident, req.command, req.platform)
    return text_reply(f"Sorry, something went wrong on our side (incident {incident}).", error=True)
