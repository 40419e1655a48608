"""A strict fake of Discord (gateway websocket + REST API v10) for end-to-end tests.

It plays Discord's side exactly as discord.py 2.7.1 talks to it, on 127.0.0.1 only::

    async with FakeDiscord(token=TOKEN) as fake:
        discord.http.Route.BASE = fake.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
        ...   # (restore both afterwards; ``fake.patch_discord_py()`` does it for you)

Strictness, in short (every rule copies a documented Discord behaviour):

* REST needs ``Authorization: Bot <token>`` (401 code 0) except on the routes Discord authenticates
  by the token in the URL (``/interactions/{id}/{token}/callback``, ``/webhooks/{app}/{token}...``)
  and CDN downloads (``/attachments/...``), which discord.py calls without the header.
* Message bodies are validated (2000 code points, embed limits, components, empty message) and
  every accepted or rejected message is recorded with its ``allowed_mentions`` and route.
* Interactions: one initial response (40060 after), 3 s deadline (10062, recorded as late),
  15 min token lifetime, autocomplete limits, follow-ups only after acknowledgement.
* Per-channel bucket on ``POST /channels/{id}/messages`` with honest ``X-RateLimit-*`` headers,
  429 bodies with ``retry_after`` and a ``Via`` header (without ``Via`` discord.py treats a 429 as a
  Cloudflare ban and raises instead of waiting).
* Gateway: HELLO, IDENTIFY (4004 bad token, 4014 disallowed privileged intents), READY,
  GUILD_CREATE, heartbeat ACK, RESUME with replay, plain-text JSON frames.

Bot tokens are never logged or recorded; interaction tokens are redacted in the request log.

Layout, one module per protocol part. ``FakeDiscord`` is built as a stack of layers, each a
subclass of the one below, so a part uses only what lies beneath it (and mypy sees every call):

    model         users, roles, channels (threads too), members, guilds; permission, intent and flag bits
    records       what tests read: requests, sent and rejected messages, interactions
    validation    Discord's error shapes and the shared limit checks
    base          FakeDiscordBase: state, addresses, look-ups, members, waiting helpers
    ratelimits    RateLimitsPart: buckets, 429s, injected errors, the error envelope
    rest          RestPart: authentication, routing, request bodies, the request log
    gateway       GatewayPart: the websocket session and the events it dispatches (threads, overwrites)
    messages      MessagesPart: channel message routes, validation, attachments and the CDN
    commands      CommandsPart: application commands, /users/@me, /gateway, /applications/@me
    interactions  InteractionsPart: slash, autocomplete, buttons, modals, callbacks, follow-ups
    server        FakeDiscord: the aiohttp app on 127.0.0.1 and the route table
"""

from __future__ import annotations

from .model import FakeChannel, FakeGuild, FakeMember, FakeRole, FakeUser, Intent, MessageFlag, Perm, make_default_guild
from .records import InteractionRecord, RejectedMessage, RequestRecord, SentMessage
from .server import FakeDiscord

__all__ = [
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "Intent",
    "InteractionRecord",
    "MessageFlag",
    "Perm",
    "RejectedMessage",
    "RequestRecord",
    "SentMessage",
    "make_default_guild",
]
