"""`DiscordPlatform`: the discord.py client's lifecycle, command sync and the feed's `deliver`.

Start-up order: point discord.py at the configured REST root and gateway
(`Route.BASE`, `DiscordWebSocket.DEFAULT_GATEWAY`, the library's documented
URL switch, restored on stop), log in (a refused token becomes `StartupError`
with no token in it), run `connect(reconnect=True)` in a task so the library
resumes after a dropped gateway connection on its own, wait for READY, then
sync the app commands only if their definitions changed since the last sync.

The client asks for the `guilds` intent only: slash commands, buttons and the
message menu need no privileged intent, and "Hide spoilers" gets the target
message's content in the interaction itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl
from discord import app_commands

from bot.config import Settings
from bot.errors import StartupError
from bot.platform import Transient
from bot.replies import Reply
from bot.service import AsyncCore

from .commands import build_tree, command_payloads
from .handlers import Handlers
from .permissions import missing_for_feed
from .render import render_all
from .sending import FEED_ERRORS, classify

log = logging.getLogger("moviebot.discord")

READY_TIMEOUT = 30.0
CLOSE_TIMEOUT = 5.0
DRAIN_TIMEOUT = 2.0


class MovieTree(app_commands.CommandTree[discord.Client]):
    """The command tree; its error handler answers the user instead of only logging."""

    def __init__(self, client: discord.Client, handlers: Handlers) -> None:
        super().__init__(client)
        self.handlers = handlers

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError, /) -> None:
        await self.handlers.failed(
            interaction, error.original if isinstance(error, app_commands.CommandInvokeError) else error
        )


class MovieClient(discord.Client):
    """A plain client (no shards: DEFAULT_GATEWAY is used as is) with our tree and button handling."""

    def __init__(self, handlers: Handlers) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        # A text bot never joins voice: the "PyNaCl/davey is not installed" start-up warnings are noise.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(intents=intents, allowed_mentions=discord.AllowedMentions.none())
        self.handlers = handlers
        self.tree = MovieTree(self, handlers)
        build_tree(self.tree, handlers)
        self.ready = asyncio.Event()

    async def on_connect(self) -> None:
        # READY arrived: the session and application id are known, interactions flow.
        # (on_ready would also wait out guild_ready_timeout after the last GUILD_CREATE.)
        self.ready.set()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        # Slash commands, autocomplete and the menu go through the tree; buttons come here,
        # so a button under a message sent before a restart still works.
        if interaction.type is not discord.InteractionType.component:
            return
        await self.handlers.press(interaction)


class DiscordPlatform:
    """The Discord side of `moviebot run` (see `bot.platform.Platform`)."""

    name = "discord"

    def __init__(self, core: AsyncCore, settings: Settings) -> None:
        if not settings.discord_token:
            raise StartupError("DISCORD_TOKEN is not set")
        self.core = core
        self.settings = settings
        self.handlers = Handlers(core, settings)
        self.client: MovieClient | None = None
        self._task: asyncio.Task[None] | None = None
        self._saved_urls: tuple[str, yarl.URL] | None = None
        self.synced = False  # whether the last start() pushed the command definitions

    # -- URL switch ---------------------------------------------------------------

    def _switch_urls(self) -> None:
        if self._saved_urls is None:
            self._saved_urls = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        discord.http.Route.BASE = self.settings.discord_api_base_url.rstrip("/")
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.settings.discord_gateway_url)

    def _restore_urls(self) -> None:
        if self._saved_urls is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved_urls
            self._saved_urls = None

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Log in, connect, wait for READY, sync commands if they changed."""
        assert self.settings.discord_token is not None
        self._switch_urls()
        client = self.client = MovieClient(self.handlers)
        try:
            await client.login(self.settings.discord_token.value)
        except discord.LoginFailure:
            await self._abort()
            raise StartupError("Discord refused the token (401 Unauthorized)") from None
        except (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError) as exc:
            await self._abort()
            raise StartupError(
                f"Discord is unreachable at {self.settings.discord_api_base_url} ({type(exc).__name__})"
            ) from None
        self._task = asyncio.create_task(self._connect(client), name="moviebot-discord-gateway")
        ready = asyncio.create_task(client.ready.wait())
        done, _ = await asyncio.wait({ready, self._task}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            reason = self._task.exception() if self._task in done else None
            await self._abort()
            if isinstance(reason, discord.PrivilegedIntentsRequired):
                raise StartupError("Discord refused the intents this bot asked for") from None
            if isinstance(reason, discord.LoginFailure | discord.ConnectionClosed):
                raise StartupError("Discord refused the gateway connection (check DISCORD_TOKEN)") from None
            raise StartupError(f"Discord gateway at {self.settings.discord_gateway_url} did not become ready") from None
        try:
            await self._sync_commands(client)
        except (discord.HTTPException, app_commands.AppCommandError) as exc:
            await self._abort()
            raise StartupError(f"Discord refused our slash commands ({type(exc).__name__})") from None
        log.info("discord ready as %s in %d server(s)", client.user, len(client.guilds))

    async def _connect(self, client: MovieClient) -> None:
        await client.connect(reconnect=True)

    async def _abort(self) -> None:
        with contextlib.suppress(Exception):
            await self.stop()

    async def stop(self) -> None:
        """Close the gateway and HTTP session; restore discord.py's URLs."""
        client, task = self.client, self._task
        self.client, self._task = None, None
        try:
            if client is not None:
                with contextlib.suppress(TimeoutError):  # let answers in flight finish first
                    await asyncio.wait_for(self.handlers.idle(), DRAIN_TIMEOUT)
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.close(), CLOSE_TIMEOUT)
            if task is not None:
                if not task.done():
                    with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError, Exception):
                        await asyncio.wait_for(task, CLOSE_TIMEOUT)
                elif not task.cancelled():
                    task.exception()  # retrieved, so asyncio does not warn about it
        finally:
            self._restore_urls()

    # -- command sync --------------------------------------------------------------

    def _guild(self) -> discord.Object | None:
        gid = self.settings.discord_guild_id
        return discord.Object(id=gid) if gid else None

    def _hash_file(self) -> Path | None:
        db = self.settings.db_path
        if str(db) == ":memory:":
            return None
        return db.with_name(db.name + ".discord-commands.json")

    async def _sync_commands(self, client: MovieClient) -> None:
        """PUT the command definitions only when they differ from the last sync we made.

        The last sync's digest is kept per (application, scope) in a small file beside
        the database; the remote list is also fetched (one cheap GET) so commands
        deleted on Discord's side get re-created even if the digest matches.
        """
        guild = self._guild()
        if guild is not None:
            client.tree.copy_global_to(guild=guild)
        payload = command_payloads(client.tree, guild)
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        key = f"{client.application_id}:{guild.id if guild else 'global'}"
        path = self._hash_file()
        known: dict[str, str] = {}
        if path is not None and path.is_file():
            with contextlib.suppress(OSError, ValueError):
                known = dict(json.loads(path.read_text(encoding="utf-8")))
        remote = await client.tree.fetch_commands(guild=guild)
        remote_names = sorted((c.type.value, c.name) for c in remote)
        local_names = sorted((c.get("type", 1), c["name"]) for c in payload)
        self.synced = known.get(key) != digest or remote_names != local_names
        if not self.synced:
            log.info("discord commands unchanged; not syncing")
            return
        await client.tree.sync(guild=guild)
        log.info("discord commands synced (%s)", "guild" if guild else "global")
        if path is not None:
            known[key] = digest
            with contextlib.suppress(OSError):
                path.write_text(json.dumps(known, indent=1), encoding="utf-8")

    # -- the feed --------------------------------------------------------------------

    def _client(self) -> MovieClient:
        client = self.client
        if client is None or client.is_closed() or not client.ready.is_set():
            raise Transient("Discord is not connected")
        return client

    async def deliver(self, chat_id: str, thread_id: str | None, replies: list[Reply]) -> None:
        """Post replies to a channel (a thread is a channel on Discord), in order, pinging nobody."""
        client = self._client()
        channel = client.get_partial_messageable(int(thread_id or chat_id))
        for message in render_all(replies):
            try:
                await channel.send(**message.channel_kwargs())
            except FEED_ERRORS as exc:
                raise classify(exc) from None

    async def check_channel_permissions(self, channel_id: str | int) -> list[str]:
        """What the bot lacks to post the feed in a channel (View Channel, Send Messages, Embed Links)."""
        client = self._client()
        try:
            channel: Any = client.get_channel(int(channel_id)) or await client.fetch_channel(int(channel_id))
        except (discord.Forbidden, discord.NotFound):
            return ["View Channel"]
        guild = getattr(channel, "guild", None)
        if guild is None or client.user is None:
            return []  # a DM: nothing to grant
        me = guild.me or await guild.fetch_member(client.user.id)
        return missing_for_feed(channel.permissions_for(me), thread=isinstance(channel, discord.Thread))
