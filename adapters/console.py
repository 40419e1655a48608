"""The console: chat with the bot in a terminal or through a pipe.

One message a line. `/addreview <title>` takes the lines after it as the review,
up to a line holding a single `.`. Buttons are printed as numbered choices;
typing the number presses it. A reply that replaces the pressed message (a vote's
counts, `Reply.edit`) is printed anew: a terminal cannot edit what it printed.
Spoilers are masked, except in replies the user asked to reveal (/spoiler,
"Show spoilers"), where they are bracketed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TextIO

from bot import dispatch
from bot.core import MovieBot
from bot.replies import Button, Reply, Request
from bot.richtext import Block, Document, Span, to_console

CONSOLE_USER = "console"


def render(reply: Reply) -> str:
    text = to_console(reply.body, reveal=reply.reveal)
    if reply.buttons:
        text += "\n" + "  ".join(f"[{i}] {b.label}" for i, b in enumerate(reply.buttons, start=1))
    return text


def run_console(bot: MovieBot, stdin: TextIO, stdout: TextIO, *, admin: bool = True) -> int:
    interactive = stdin.isatty()
    if interactive:
        stdout.write("moviebot console: type /help, or /quit to leave.\n> ")
        stdout.flush()
    buttons: list[Button] = []
    lines = iter(stdin)
    for raw in lines:
        line = raw.rstrip("\r\n")
        stripped = line.strip()
        replies: list[Reply] | None = None
        base = Request(
            platform="console",
            user_id=CONSOLE_USER,
            user_name="console",
            command="",
            chat_id="console",
            chat_title="console",
            is_admin=admin,
        )
        if not stripped:
            pass
        elif stripped in ("/quit", "/exit"):
            break
        elif stripped.isdigit() and buttons:
            index = int(stripped) - 1
            if 0 <= index < len(buttons):
                replies = dispatch.press(bot, replace(base, command="button"), buttons[index].action)
        elif stripped.startswith("/"):
            name, _, args = stripped[1:].partition(" ")
            name = name.split("@", 1)[0]
            body = None
            command = dispatch.command(name)
            if command is not None and command.body:
                body_lines = []
                for more in lines:
                    more = more.rstrip("\r\n")
                    if more.strip() == ".":
                        break
                    body_lines.append(more)
                body = "\n".join(body_lines)
            replies = dispatch.handle(bot, replace(base, command=name, args=args, body=body))
        else:
            replies = [Reply(Document((Block((Span("Commands start with /. Try /help."),)),)))]
        if replies is not None:
            new_buttons: list[Button] = []
            for r in replies:
                stdout.write(render(r) + "\n\n")
                new_buttons.extend(r.buttons)
            # Like a chat, where an older message keeps its buttons: numbers stay pressable
            # until a newer reply brings buttons of its own (a closed vote's "1" still answers).
            buttons = new_buttons or buttons
        if interactive:
            stdout.write("> ")
        stdout.flush()
    return 0
