"""An in-memory adapter for tests of the core: push a message, pop the Replies.

errbot's test backend, for moviebot. `push("/rate Parasite 9")` runs the whole
core in-process (the command table, services, the real SQLite file, error
translation in `bot.dispatch`) exactly as an adapter would call it, and queues
the Replies; `pop()` takes the next one, `pop_text()` the next one as plain
text (the console's writer, spoilers masked unless the reply reveals them).
`press("Show spoilers")` presses a button of the replies popped last.

Replies queue on the instance (no globals); `close()` fails the test when a
Reply was left unread, so a test cannot overlook an answer it did not expect.
It is also a `bot.platform.Platform` whose `deliver` records feed posts.

No subprocess, no network: a command costs what the core costs.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot import dispatch
from bot.core import MovieBot
from bot.platform import Platform
from bot.replies import Button, Reply, Request
from bot.richtext import to_console


def text_of(reply: Reply) -> str:
    """What a user reads: plain text, spoilers masked unless the user asked to see them."""
    return to_console(reply.body, reveal=reply.reveal)


@dataclass
class Delivery:
    chat_id: str
    thread_id: str | None
    replies: list[Reply]


@dataclass
class TestChat:
    """One conversation with the core, as `platform`'s user `user_id` in chat `chat_id`."""

    __test__ = False  # not a pytest test class despite its name

    bot: MovieBot
    platform: str = "console"
    user_id: str = "console"
    user_name: str = "console"
    chat_id: str = "console"
    admin: bool = True
    name: str = ""  # as a Platform: the name the feed knows it by (default: `platform`)
    queue: deque[Reply] = field(default_factory=deque)
    buttons: tuple[Button, ...] = ()
    delivered: list[Delivery] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.name = self.name or self.platform

    def request(self, command: str, args: str = "", *, body: str | None = None, admin: bool | None = None) -> Request:
        return Request(
            platform=self.platform,
            user_id=self.user_id,
            user_name=self.user_name,
            command=command,
            args=args,
            chat_id=self.chat_id,
            chat_title=self.chat_id,
            is_admin=self.admin if admin is None else admin,
            body=body,
        )

    # -- in ------------------------------------------------------------------------------------

    def push(self, line: str, *, body: str | None = None, admin: bool | None = None) -> None:
        """A command as typed (`/name args`); `body` is what follows it (a review's text)."""
        if not line.startswith("/"):
            raise ValueError(f"a command starts with '/': {line!r}")
        name, _, args = line[1:].partition(" ")
        self.queue.extend(dispatch.handle(self.bot, self.request(name, args, body=body, admin=admin)))

    def press(self, label: str) -> None:
        """Press the button labelled `label` among those of the replies popped since the last push."""
        found = [b for b in self.buttons if b.label == label]
        if not found:
            raise AssertionError(f"no button {label!r}; there are {[b.label for b in self.buttons]}")
        self.queue.extend(dispatch.press(self.bot, self.request("button"), found[0].action))

    # -- out -----------------------------------------------------------------------------------

    def pop(self) -> Reply:
        if not self.queue:
            raise AssertionError("no reply left to pop")
        reply = self.queue.popleft()
        self.buttons = reply.buttons or self.buttons
        return reply

    def pop_text(self) -> str:
        return text_of(self.pop())

    def pop_all(self) -> list[Reply]:
        out = []
        while self.queue:
            out.append(self.pop())
        return out

    def ask(self, line: str, *, body: str | None = None, admin: bool | None = None) -> str:
        """Push one command and pop every reply, as one text (replies separated by a blank line)."""
        self.push(line, body=body, admin=admin)
        self.buttons = ()
        return "\n\n".join(text_of(r) for r in self.pop_all())

    def close(self) -> None:
        if self.queue:
            unread = [text_of(r)[:80] for r in self.queue]
            self.queue.clear()
            raise AssertionError(f"{len(unread)} reply(s) left unread: {unread}")

    # -- as a Platform, for the feed -------------------------------------------------------------

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def deliver(self, chat_id: str, thread_id: str | None, replies: list[Reply]) -> None:
        self.delivered.append(Delivery(chat_id, thread_id, replies))


if TYPE_CHECKING:

    def _is_a_platform(chat: TestChat) -> Platform:
        return chat  # mypy checks TestChat against the adapters' protocol here
