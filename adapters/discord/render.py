"""Reply -> Discord messages: a pure function, tested without a client.

Degradation policy (see also `bot/replies.py`), one line per Reply feature:

- `body`: written as Discord markdown by `split_discord`, which escapes user text,
  neutralises mentions and cuts at block boundaries so every message is valid on
  its own (content ≤ 2000 code points). A long review becomes several messages,
  in order; we use plain content, not embeds, so spoiler tags always render.
- `buttons`: one `discord.ui.Button` each (custom_id = the action), on the *last*
  message of the reply so they sit under the text they act on; labels are cut to
  Discord's 80 characters, duplicates dropped, at most 25 (5 rows of 5).
- `private` and `error`: ephemeral. In a channel post (the feed) there is no
  ephemeral, so the flag is simply not used there.
- `edit`: the first message replaces the one whose button was pressed
  (`update_kwargs`: a reply without buttons takes the old ones away).
- `reveal`: nothing to do; spoilers stay behind `||…||` on Discord anyway.
- `card`: an embed whose title is the first block's text (≤ 256) and whose
  description is the rest (≤ 4096); a card too long for one embed falls back
  to plain messages, so nothing is ever cut.

Every message carries `allowed_mentions=AllowedMentions.none()`: a review that
says `@everyone` or `<@&role>` must never ping anyone, whatever the escaping did.
An object that is not a `Reply` raises, so a new reply kind cannot be silently
dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord

from bot.replies import Button, Reply
from bot.richtext import Document, split_discord

CONTENT_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
CARD_COLOUR = 0xE5A00D
BUTTON_LABEL_LIMIT = 80
MAX_BUTTONS = 25
NO_MENTIONS = discord.AllowedMentions.none()


@dataclass(frozen=True)
class OutMessage:
    """One Discord message to send: text, whether only the invoker sees it, its buttons."""

    content: str
    ephemeral: bool = False
    buttons: tuple[Button, ...] = ()
    embed: discord.Embed | None = None

    def view(self) -> discord.ui.View | None:
        """The button row as a View, or None.

        The view is stopped before it is sent, so discord.py does not keep it in its
        view store: presses are answered by the client's `on_interaction`, which
        works the same for messages sent before a restart.
        """
        if not self.buttons:
            return None
        view = discord.ui.View(timeout=None)
        for button in self.buttons:
            view.add_item(
                discord.ui.Button(label=button.label, custom_id=button.action, style=discord.ButtonStyle.secondary)
            )
        view.stop()
        return view

    def send_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `InteractionResponse.send_message` / `Webhook.send`."""
        kwargs: dict[str, Any] = {
            "content": self.content or None,
            "allowed_mentions": NO_MENTIONS,
            "ephemeral": self.ephemeral,
        }
        if self.embed is not None:
            kwargs["embed"] = self.embed
        view = self.view()
        if view is not None:
            kwargs["view"] = view
        return kwargs

    def edit_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `Interaction.edit_original_response` (no ephemeral: it is fixed)."""
        kwargs = self.send_kwargs()
        del kwargs["ephemeral"]
        return kwargs

    def update_kwargs(self) -> dict[str, Any]:
        """Keyword arguments to replace a message in place (`Reply.edit`): no buttons removes them."""
        kwargs = self.edit_kwargs()
        kwargs.setdefault("view", None)
        return kwargs

    def channel_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `Messageable.send` in a channel (the feed): never ephemeral."""
        return self.edit_kwargs()


def _label(text: str) -> str:
    text = " ".join(text.split()) or "…"
    return text if len(text) <= BUTTON_LABEL_LIMIT else text[: BUTTON_LABEL_LIMIT - 1] + "…"


def _buttons(buttons: tuple[Button, ...]) -> tuple[Button, ...]:
    seen: set[str] = set()
    out: list[Button] = []
    for b in buttons:
        if b.action in seen:
            continue
        seen.add(b.action)
        out.append(Button(_label(b.label), b.action))
    return tuple(out[:MAX_BUTTONS])


def _card(reply: Reply) -> discord.Embed | None:
    """The card as one embed, or None when it would not fit in one."""
    blocks = reply.body.blocks
    if not blocks:
        return None
    title = " ".join(blocks[0].text.split())
    if len(title) > EMBED_TITLE_LIMIT:
        title = title[: EMBED_TITLE_LIMIT - 1] + "…"
    rest = split_discord(Document(blocks[1:]), limit=EMBED_DESCRIPTION_LIMIT) if blocks[1:] else []
    if len(rest) > 1:
        return None
    # Embed titles are plain text in Discord clients, so the title needs no markdown escaping.
    return discord.Embed(title=title, description=rest[0] if rest else None, colour=CARD_COLOUR)


def render(reply: Reply) -> list[OutMessage]:
    """The messages for one reply, in order; buttons ride on the last one."""
    if not isinstance(reply, Reply):
        raise TypeError(f"cannot render {type(reply).__name__} for Discord")
    ephemeral = reply.private or reply.error
    buttons = _buttons(reply.buttons)
    if reply.card:
        card = _card(reply)
        if card is not None:
            return [OutMessage("", ephemeral, buttons, card)]
    chunks = [c for c in split_discord(reply.body, limit=CONTENT_LIMIT) if c.strip()]
    if not chunks:
        if not buttons:
            return []
        chunks = ["\u2026"]
    out = [OutMessage(c, ephemeral) for c in chunks]
    out[-1] = OutMessage(out[-1].content, ephemeral, buttons)
    return out


def render_all(replies: list[Reply]) -> list[OutMessage]:
    """All replies' messages in order."""
    return [m for r in replies for m in render(r)]
