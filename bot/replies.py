"""What flows between an adapter and the core: a neutral `Request` in, `Reply`s out.

Adapters translate a platform event into a `Request` and each `Reply` into the
platform's messages; the core never sees an `Update` or an `Interaction`.

Degradation policy, per Reply feature:
- `body`: rendered by the platform writer and split by its splitter; on the
  console spoilers are masked.
- `buttons`: inline keyboard on Telegram, a button row on Discord, a numbered
  hint line on the console. A button's `action` is at most 64 UTF-8 bytes, the
  smaller of the two platforms' limits, so one string works everywhere.
- `private`: ephemeral on Discord; Telegram and the console have no private
  replies in a chat, so it is an ordinary message there.
- `error`: same as a normal reply, but Discord sends it ephemeral.
- `card`: an embed on Discord (first block as its title); a plain message elsewhere.
- `edit`: replaces the message the pressed button is on (Discord: a deferred
  update, then an edit; Telegram: editMessageText); the console prints it anew.
- `reveal`: spoilers stay behind the platform's spoiler tag; only the console,
  which has no tag, prints them between `[spoiler]` markers instead of masking.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .richtext import Document, text_document

MAX_ACTION_BYTES = 64


@dataclass(frozen=True)
class Attachment:
    """A file that came with a command (Telegram document, Discord attachment)."""

    filename: str
    data: bytes
    content_type: str | None = None


@dataclass(frozen=True)
class Request:
    """One command as the core sees it, whatever platform it came from."""

    platform: str
    user_id: str
    command: str
    args: str = ""
    user_name: str = ""
    chat_id: str = "console"
    thread_id: str | None = None
    chat_title: str = ""
    is_admin: bool = False
    body: str | None = None
    attachments: tuple[Attachment, ...] = ()
    options: dict[str, str] = field(default_factory=dict)
    # Spoiler ranges of `body` that are not in its text (Telegram's spoiler entities),
    # as (start, end) code points of `body`.
    marks: tuple[tuple[int, int], ...] = ()

    @property
    def chat_key(self) -> str:
        """Identifies the conversation for per-chat memory (e.g. 'More picks')."""
        return f"{self.platform}:{self.chat_id}:{self.thread_id or ''}"


@dataclass(frozen=True)
class Button:
    label: str
    action: str

    def __post_init__(self) -> None:
        if len(self.action.encode()) > MAX_ACTION_BYTES:
            raise ValueError(f"button action over {MAX_ACTION_BYTES} bytes: {self.action!r}")


@dataclass(frozen=True)
class Reply:
    body: Document
    buttons: tuple[Button, ...] = ()
    private: bool = False
    error: bool = False
    # The user asked to see spoilers (/spoiler): platforms use their spoiler tags
    # anyway; the console, which can only mask, shows them bracketed instead.
    reveal: bool = False
    # A fact card (/movie): its first block is the card's heading. Discord shows it
    # as an embed; platforms without cards show the same text as a message.
    card: bool = False
    # Replaces the message whose button was pressed (a vote's counts), in place:
    # Discord edits that message, Telegram calls editMessageText on it. Where there
    # is no such message (a command, the console) it is sent as a new one.
    edit: bool = False


def text_reply(*paragraphs: str, error: bool = False, private: bool = False) -> Reply:
    return Reply(text_document(*paragraphs), error=error, private=private or error)
