"""Answering interactions: slash commands, autocomplete, buttons, the message menu.

Every core call goes through `AsyncCore`, on the DB thread, so a slow query never
stalls the gateway heartbeat or Telegram. Discord invalidates an interaction that
is not acknowledged within 3 seconds, so we defer ("thinking") before any core
call, then send the reply: the first message replaces the thinking message and
the rest follow as follow-ups, in order.

Ephemerality is fixed when deferring, before we know the reply. We defer public
(or ephemeral where the reply is known to be private, e.g. "Show spoilers"); if
the first message's privacy differs, the thinking message is deleted and every
message goes out as a follow-up with its own flag. So an error after a public
defer still reaches only the invoker, and spoilers never leak into the channel.

The per-interaction state (deferred? original message used?) is kept in
`interaction.extras`, so the tree's error handler answers correctly wherever a
command failed, and never sends a second initial response.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import discord
from discord import app_commands

from bot.config import Settings
from bot.errors import BadInput
from bot.replies import Reply, Request, text_reply
from bot.service import AsyncCore

from . import files
from .permissions import is_server_admin, missing_for_feed
from .render import OutMessage, render_all

log = logging.getLogger("moviebot.discord")

PLATFORM = "discord"
CHOICE_LIMIT = 100


@dataclass
class _State:
    deferred_ephemeral: bool | None = None  # None: not deferred
    original_used: bool = False


def _state(interaction: discord.Interaction) -> _State:
    state = interaction.extras.get("moviebot")
    if state is None:
        state = interaction.extras["moviebot"] = _State()
    return state


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Handlers:
    """Turns interactions into `Request`s and `Reply`s into interaction responses."""

    def __init__(self, core: AsyncCore, settings: Settings) -> None:
        self.core = core
        self.settings = settings
        self._busy = 0
        self._changed = asyncio.Condition()

    @contextlib.asynccontextmanager
    async def _handling(self, interaction: discord.Interaction) -> AsyncIterator[None]:
        """Count the interaction as in flight; an exception is answered here, inside the count."""
        async with self._changed:
            self._busy += 1
        try:
            yield
        except Exception as exc:
            await self.failed(interaction, exc)
        finally:
            async with self._changed:
                self._busy -= 1
                self._changed.notify_all()

    async def idle(self) -> None:
        """Wait until no interaction is being handled (stop() drains with it; tests sync on it)."""
        async with self._changed:
            await self._changed.wait_for(lambda: self._busy == 0)

    # -- requests --------------------------------------------------------------

    def request(self, interaction: discord.Interaction, command: str, **fields: Any) -> Request:
        """A neutral request for this interaction; who, where, and whether they manage the server."""
        user = interaction.user
        channel = interaction.channel
        return Request(
            platform=PLATFORM,
            user_id=str(user.id),
            user_name=user.display_name,
            command=command,
            chat_id=str(interaction.channel_id),
            chat_title=getattr(channel, "name", None) or "",
            is_admin=is_server_admin(interaction),
            **fields,
        )

    # -- slash commands --------------------------------------------------------

    async def command(
        self,
        interaction: discord.Interaction,
        name: str,
        *,
        args: str = "",
        body: str | None = None,
        attachment: discord.Attachment | None = None,
        options: dict[str, str] | None = None,
    ) -> None:
        """Run one slash command through the core and answer it."""
        async with self._handling(interaction):
            await self._command(interaction, name, args=args, body=body, attachment=attachment, options=options)

    async def _command(
        self,
        interaction: discord.Interaction,
        name: str,
        *,
        args: str,
        body: str | None,
        attachment: discord.Attachment | None,
        options: dict[str, str] | None,
    ) -> None:
        req = self.request(interaction, name, args=args, body=body, options=dict(options or {}))
        # The core decides first (who may, how big), so a refused file is never fetched and
        # the refusal is answered at once, seen only by the invoker.
        refusal = await self.core.admit(req, file_size=attachment.size if attachment is not None else None)
        if refusal:
            await self.answer_now(interaction, refusal)
            return
        if name == "subscribe":
            thread = isinstance(interaction.channel, discord.Thread)
            missing = missing_for_feed(interaction.app_permissions, thread=thread)
            if missing:
                await self.answer_now(
                    interaction,
                    [
                        text_reply(
                            f"I can't post new reviews in this channel: I'm missing {', '.join(missing)}. "
                            "Give me those permissions here, then run /subscribe again.",
                            error=True,
                        )
                    ],
                )
                return
        if not await self.defer(interaction, ephemeral=False):
            return
        if attachment is not None:
            try:
                req = replace(req, attachments=(await files.download(attachment),))
            except BadInput as exc:
                await self.answer(interaction, [text_reply(exc.message, error=True)])
                return
        replies = await self.core.handle(req)
        await self.answer(interaction, replies)

    async def complete_title(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        """Title suggestions from the in-memory index: no deferring is possible, so no DB."""
        try:
            found = await self.core.complete_title(current, 25)
        except Exception:
            log.exception("title autocomplete failed")
            return []
        choices = []
        for _, label in found[:25]:
            label = _clip(" ".join(label.split()), CHOICE_LIMIT)
            if label:
                choices.append(app_commands.Choice(name=label, value=label))
        return choices

    # -- the message menu: "Hide spoilers" -----------------------------------

    async def hide_spoilers(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Re-post `message` behind spoiler tags, credited to its author, then delete the original."""
        async with self._handling(interaction):
            await self._hide_spoilers(interaction, message)

    async def _hide_spoilers(self, interaction: discord.Interaction, message: discord.Message) -> None:
        content = message.content or ""
        if not content.strip():
            await self.answer_now(interaction, [text_reply("That message has no text to hide.", error=True)])
            return
        if not await self.defer(interaction, ephemeral=False):
            return
        req = self.request(
            interaction, "spoiler", body=content, options={"original_author": message.author.display_name}
        )
        replies = await self.core.handle(req)
        sent = await self.answer(interaction, replies)
        if not sent or any(r.error for r in replies):
            return
        try:
            await message.delete()
        except discord.NotFound:
            pass  # someone deleted it meanwhile: the goal is reached
        except discord.HTTPException as exc:
            log.info("could not delete a message for Hide spoilers: %s %s", exc.status, exc.code)
            await self.followup(
                interaction,
                [
                    text_reply(
                        "I re-posted it behind spoiler tags, but could not delete the original: "
                        "I need the Manage Messages permission in this channel.",
                        private=True,
                    )
                ],
            )

    # -- buttons -------------------------------------------------------------------

    async def press(self, interaction: discord.Interaction) -> None:
        """A button of ours was pressed; its custom_id is the core's action string."""
        async with self._handling(interaction):
            await self._press(interaction)

    async def _press(self, interaction: discord.Interaction) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        action = str(data.get("custom_id", ""))
        message = interaction.message
        if self.core.button_edits(action) and not (message and message.flags.ephemeral):
            await self._press_in_place(interaction, action)
            return
        private = self.core.button_is_private(action) or bool(message and message.flags.ephemeral)
        if not await self.defer(interaction, ephemeral=private):
            return
        replies = await self.core.press(self.request(interaction, "button"), action)
        await self.answer(interaction, replies)

    async def _press_in_place(self, interaction: discord.Interaction, action: str) -> None:
        """A button whose answer replaces its own message (a vote's counts).

        Acknowledged as a deferred update (type 6: no "thinking" message), then the
        message the button is on is edited through the interaction's webhook, which
        Discord does not count against the bot's global rate limit. Anything else the
        core says (the presser's "You voted for …") follows, ephemeral when private.
        """
        try:
            await interaction.response.defer()
        except discord.HTTPException as exc:
            log.warning("could not acknowledge a button: %s %s", exc.status, exc.code)
            return
        replies = await self.core.press(self.request(interaction, "button"), action)
        rest: list[Reply] = []
        for reply in replies:
            messages = render_all([reply]) if reply.edit else []
            if not messages:
                rest.append(reply)
                continue
            try:
                await interaction.edit_original_response(**messages[0].update_kwargs())
            except discord.HTTPException as exc:
                log.warning("could not update a message in place: %s %s", exc.status, exc.code)
        if rest:
            await self.followup(interaction, rest)

    # -- sending -------------------------------------------------------------------

    async def defer(self, interaction: discord.Interaction, *, ephemeral: bool) -> bool:
        """Acknowledge within the 3 s deadline; False when Discord no longer knows the interaction."""
        try:
            await interaction.response.defer(thinking=True, ephemeral=ephemeral)
        except discord.HTTPException as exc:
            log.warning("could not acknowledge an interaction: %s %s", exc.status, exc.code)
            return False
        _state(interaction).deferred_ephemeral = ephemeral
        return True

    async def answer_now(self, interaction: discord.Interaction, replies: list[Reply]) -> None:
        """Answer without deferring (quick, core-free answers such as refusals)."""
        messages = render_all(replies)
        if not messages:
            return
        first, rest = messages[0], messages[1:]
        try:
            await interaction.response.send_message(**first.send_kwargs())
        except discord.HTTPException as exc:
            log.warning("could not answer an interaction: %s %s", exc.status, exc.code)
            return
        _state(interaction).original_used = True
        await self._followups(interaction, rest)

    async def answer(self, interaction: discord.Interaction, replies: list[Reply]) -> bool:
        """Send the replies after `defer`; True when every message went out."""
        messages = render_all(replies) or render_all([text_reply("Done.")])
        state = _state(interaction)
        if state.deferred_ephemeral is None:
            if not interaction.response.is_done():
                await self.answer_now(interaction, replies)
                return True
            return await self._followups(interaction, messages)  # never a second initial response
        if not state.original_used:
            state.original_used = True
            first = messages[0]
            try:
                if first.ephemeral == state.deferred_ephemeral:
                    await interaction.edit_original_response(**first.edit_kwargs())
                    messages = messages[1:]
                else:
                    await interaction.delete_original_response()
            except discord.HTTPException as exc:
                log.warning("could not send a reply: %s %s", exc.status, exc.code)
                return False
        return await self._followups(interaction, messages)

    async def followup(self, interaction: discord.Interaction, replies: list[Reply]) -> bool:
        """Extra messages after the answer (never the initial response)."""
        return await self._followups(interaction, render_all(replies))

    async def _followups(self, interaction: discord.Interaction, messages: list[OutMessage]) -> bool:
        for i, m in enumerate(messages):
            try:
                await interaction.followup.send(**m.send_kwargs())
            except discord.HTTPException as exc:
                # 403 (no access), 404 (token expired), 400: the rest would read out of order; stop.
                log.warning("could not send reply part %d of %d: %s %s", i + 1, len(messages), exc.status, exc.code)
                return False
        return True

    # -- errors ----------------------------------------------------------------

    async def failed(self, interaction: discord.Interaction, error: BaseException) -> None:
        """Last resort for an exception in a command: log it, answer one ephemeral line."""
        reply = self.core.incident_reply("Discord interaction", error)
        if interaction.type is discord.InteractionType.autocomplete:
            return  # suggestions cannot carry a message; the user just sees none
        try:
            if not interaction.response.is_done():
                await self.answer_now(interaction, [reply])
            else:
                await self.answer(interaction, [reply])
        except Exception:
            log.exception("could not tell the user about a failed interaction")
