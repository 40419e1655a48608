"""The server: one aiohttp app for REST, the gateway and the CDN on 127.0.0.1, and the route table."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .interactions import InteractionsPart


class FakeDiscord(InteractionsPart):
    """See the package docstring (discord_server/__init__.py). Use as ``async with FakeDiscord(token=...) as fake``.

    Settings (all plain attributes, changeable during a test): ``interaction_deadline`` (s, initial
    response), ``token_lifetime`` (s, follow-ups/edits), ``channel_message_limit`` (count, window s)
    for ``POST /channels/{id}/messages`` per channel, ``default_limit`` for every other route,
    ``allowed_privileged_intents`` (intent bits "enabled in the developer portal"; IDENTIFY asking for
    others is closed with 4014), ``heartbeat_interval_ms``.

    Without ``guilds`` you get one default guild (see make_default_guild) with handles:
    ``guild, owner, admin, member, general, announcements, staff, admin_role, bot_role``.
    """

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        self._routes = self._build_routes()
        app = web.Application(client_max_size=30 * 1024 * 1024)
        app.router.add_get("/gateway", self._ws_handler)
        app.router.add_get("/attachments/{id}/{filename}", self._attachment_handler)
        app.router.add_route("*", "/api/v{version}/{tail:.*}", self._rest_handler)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def close(self) -> None:
        self.unpatch_discord_py()
        for conn in list(self._conns):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.ws.close(code=1001), 2)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], str, str, bool, Callable[..., Any]]]:
        """(method, path regex, bucket template, major-parameter group, needs bot auth, handler)."""
        raw: list[tuple[str, str, str, bool, Callable[..., Any]]] = [
            ("GET", r"/users/@me", "", True, self._get_me),
            ("GET", r"/gateway", "", False, self._get_gateway),
            ("GET", r"/gateway/bot", "", True, self._get_gateway_bot),
            ("GET", r"/oauth2/applications/@me", "", True, self._get_application),
            ("GET", r"/applications/@me", "", True, self._get_application),
            ("GET", r"/applications/(?P<app>\d+)/commands", "", True, self._get_commands),
            ("PUT", r"/applications/(?P<app>\d+)/commands", "", True, self._put_commands),
            (
                "GET",
                r"/applications/(?P<app>\d+)/guilds/(?P<guild>\d+)/commands",
                "guild",
                True,
                self._get_commands,
            ),
            (
                "PUT",
                r"/applications/(?P<app>\d+)/guilds/(?P<guild>\d+)/commands",
                "guild",
                True,
                self._put_commands,
            ),
            ("POST", r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback", "iid", False, self._callback),
            (
                "GET",
                r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)",
                "token",
                False,
                self._webhook_get,
            ),
            (
                "PATCH",
                r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)",
                "token",
                False,
                self._webhook_edit,
            ),
            (
                "DELETE",
                r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)",
                "token",
                False,
                self._webhook_delete,
            ),
            ("POST", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)", "token", False, self._followup),
            ("GET", r"/channels/(?P<channel>\d+)", "channel", True, self._get_channel),
            ("POST", r"/channels/(?P<channel>\d+)/messages", "channel", True, self._channel_post),
            (
                "GET",
                r"/channels/(?P<channel>\d+)/messages/(?P<mid>\d+)",
                "channel",
                True,
                self._channel_get_message,
            ),
            (
                "PATCH",
                r"/channels/(?P<channel>\d+)/messages/(?P<mid>\d+)",
                "channel",
                True,
                self._channel_edit,
            ),
            (
                "DELETE",
                r"/channels/(?P<channel>\d+)/messages/(?P<mid>\d+)",
                "channel",
                True,
                self._channel_delete,
            ),
        ]
        out: list[tuple[str, re.Pattern[str], str, str, bool, Callable[..., Any]]] = []
        for method, pattern, major, auth, handler in raw:
            template = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern)
            out.append((method, re.compile(pattern + "$"), f"{method} {template}", major, auth, handler))
        return out
