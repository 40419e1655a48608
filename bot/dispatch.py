"""Running a command or a button press: the one place policy is applied and errors become replies.

`handle` and `press` never raise. A `UserError` becomes a one-line reply; anything
else is logged with an incident id and answered with a generic line carrying
that id, never the exception text. Adapters use the same `incident_reply` in their
last-resort error handlers, so the line is the same on every platform.

`admit` is the policy check an adapter makes before it fetches anything for a
command (a Telegram document, a Discord attachment): the same check `handle`
makes first, so a refusal reads the same whether it came early or late.

This module sits above `commands` (which sits above `core` and the importers), so
the command table can use the bot without the bot importing the table.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import replace

from .commands import BUTTONS, COMMANDS, Command, admins_only, check_file_size
from .core import MovieBot
from .errors import BadInput, NotAllowed, UserError
from .replies import Reply, Request, text_reply
from .text import clean_line
from .watchlist import note_member

log = logging.getLogger("moviebot.core")

STALE_BUTTON = "That button no longer works; run the command again."


def command(name: str) -> Command | None:
    """The command an adapter received, by name (`/Help@bot` -> help)."""
    return COMMANDS.get(name.lower().lstrip("/").split("@", 1)[0])


def _check(bot: MovieBot, req: Request, file_size: int | None) -> Command:
    cmd = command(req.command)
    if cmd is None:
        raise BadInput(f"Unknown command /{clean_line(req.command)[:32]}. Try /help.")
    if cmd.admin and not bot.is_admin(req):
        raise NotAllowed(admins_only(cmd.name))
    if file_size is not None:
        if not cmd.files:
            raise BadInput(f"/{cmd.name} takes no file.")
        check_file_size(file_size)
    return cmd


def admit(bot: MovieBot, req: Request, *, file_size: int | None = None) -> list[Reply]:
    """Before an adapter downloads anything: [] to go on, else the refusal to send instead.

    `file_size` is the size the platform announces for an attached file, if any.
    """
    try:
        _check(bot, req, file_size)
    except UserError as exc:
        return [text_reply(exc.message, error=True)]
    return []


def handle(bot: MovieBot, req: Request) -> list[Reply]:
    """Run one command; never raises."""
    try:
        bot.refresh()  # another process (an import) may have added films since the last request
        note_member(bot.store, req)  # "the people here", for movie nights
        return _check(bot, req, None).run(bot, req)
    except UserError as exc:
        return [text_reply(exc.message, error=True)]
    except Exception:
        return [incident_reply(f"/{req.command} on {req.platform}")]


def _plausible(action: str) -> bool:
    """Whether every number in a button's data fits a database id (64-bit).

    Telegram clients can send any callback data; a number past SQLite's range makes
    the driver raise OverflowError, which must read as a stale button, not an incident.
    """
    for part in action.split(":"):
        digits = part[1:] if part[:1] in "+-" else part
        if digits.isdecimal() and (len(digits) > 19 or not -(2**63) <= int(part) < 2**63):
            return False
    return True


def button_is_private(action: str) -> bool:
    """Whether pressing a button with this action answers the presser alone (known before running it)."""
    kind = BUTTONS.get(action.split(":", 1)[0])
    return kind is not None and kind.private


def button_edits(action: str) -> bool:
    """Whether pressing a button with this action answers by replacing the message it is on."""
    kind = BUTTONS.get(action.split(":", 1)[0])
    return kind is not None and kind.edits


def press(bot: MovieBot, req: Request, action: str) -> list[Reply]:
    """A button was pressed; `action` is the string the button carried. Never raises."""
    kind = BUTTONS.get(action.split(":", 1)[0])
    try:
        bot.refresh()
        note_member(bot.store, req)
        if kind is None or not _plausible(action):
            raise BadInput(STALE_BUTTON)
        replies = kind.run(bot, req, action)
    except UserError as exc:
        return [text_reply(exc.message, error=True)]
    except Exception:
        return [incident_reply(f"button {action[:20]!r} on {req.platform}")]
    return [replace(r, private=True) for r in replies] if kind.private else replies


def incident_reply(what: str, error: BaseException | None = None) -> Reply:
    """Log a failure (`error`, else the exception being handled) under a short id; the user sees the id."""
    incident = secrets.token_hex(4)
    log.error("incident %s: %s failed", incident, what, exc_info=error if error is not None else True)
    return text_reply(f"Sorry, something went wrong on our side (incident {incident}).", error=True)
