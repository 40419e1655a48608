"""Messages: channel REST routes, message validation (length, embeds, components, empty bodies),
attachments and their CDN, mentions, and the record of every accepted or rejected message.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.parse
from typing import Any

from aiohttp import web

from tests.checks.discord_markdown import mentions as _markdown_mentions

from .gateway import GatewayPart
from .model import FakeChannel, FakeUser, Intent, MessageFlag, Perm, _iso
from .records import InteractionRecord, RejectedMessage, RequestRecord, SentMessage
from .validation import MAX_UPLOAD_BYTES, _Errors, _form_error, _HTTPError, _id, _max_len, _redact


class MessagesPart(GatewayPart):
    """One layer of FakeDiscord: the protocol part this module's docstring names."""

    def add_attachment(self, data: bytes, filename: str, content_type: str | None = None) -> dict[str, Any]:
        """Register a file on the fake CDN; returns the attachment object Discord would send."""
        att_id = self._new_id()
        self._attachments[att_id] = (data, filename, content_type)
        url = self._cdn_url(att_id, filename)
        att: dict[str, Any] = {
            "id": str(att_id),
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
        }
        if content_type:
            att["content_type"] = content_type
        return att

    async def post_user_message(
        self,
        channel: FakeChannel | int,
        author: FakeUser | int,
        content: str = "",
        *,
        attachments: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A message a human posted; dispatched as MESSAGE_CREATE (content blanked without the
        MESSAGE_CONTENT intent unless it mentions the bot, as Discord does)."""
        ch = self._channel(channel)
        user = self.users[_id(author)]
        msg = self._message_payload(
            self._new_id(), ch.id, ch.guild_id, user, content, [], [], 0, attachments or [], msg_type=0
        )
        self.message_store[int(msg["id"])] = msg
        if self._session is not None and self._session.intents & Intent.GUILD_MESSAGES:
            event = dict(msg)
            member = self.guilds[ch.guild_id].member(user.id)
            if member is not None:
                event["member"] = {k: v for k, v in member.payload().items() if k != "user"}
            mentioned = f"<@{self.bot_user.id}>" in content or f"<@!{self.bot_user.id}>" in content
            if not self._session.intents & Intent.MESSAGE_CONTENT and not mentioned:
                event.update(content="", embeds=[], attachments=[], components=[])
            await self._dispatch("MESSAGE_CREATE", event)
        return msg

    def _cdn_url(self, att_id: int, filename: str) -> str:
        ex = format(int(time.time() + self.attachment_url_ttl), "x")
        is_ = format(int(time.time()), "x")
        hm = hmac.new(self._cdn_secret, f"{att_id}:{ex}".encode(), hashlib.sha256).hexdigest()
        return f"{self.base_url}/attachments/{att_id}/{urllib.parse.quote(filename)}?ex={ex}&is={is_}&hm={hm}"

    def _message_payload(
        self,
        mid: int,
        channel_id: int,
        guild_id: int | None,
        author: FakeUser,
        content: str,
        embeds: list[dict[str, Any]],
        components: list[dict[str, Any]],
        flags: int,
        attachments: list[dict[str, Any]],
        *,
        msg_type: int,
        interaction: InteractionRecord | None = None,
    ) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "id": str(mid),
            "type": msg_type,
            "channel_id": str(channel_id),
            "author": author.payload(),
            "content": content,
            "timestamp": _iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": embeds,
            "components": components,
            "pinned": False,
            "flags": flags,
            "reactions": [],
        }
        if guild_id is not None:
            msg["guild_id"] = str(guild_id)
        if interaction is not None:
            msg["webhook_id"] = str(self.application_id)
            msg["application_id"] = str(self.application_id)
            msg["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": self.users[interaction.user_id].payload(),
                "authorizing_integration_owners": {"0": str(interaction.guild_id)},
            }
        return msg

    def _pings(
        self, content: str, allowed: dict[str, Any] | None, default_parse: list[str], channel_id: int
    ) -> list[str]:
        if allowed is None:
            parse, users, roles = default_parse, [], []
        else:
            parse = allowed.get("parse", [])
            users = [str(u) for u in allowed.get("users", [])]
            roles = [str(r) for r in allowed.get("roles", [])]
        ch = self._find_channel(channel_id)
        can_everyone = bool(
            ch and self.guilds[ch.guild_id].permissions_for(self.bot_user.id, ch.id) & Perm.MENTION_EVERYONE
        )
        out = []
        for m in _markdown_mentions(content):
            if m in ("@everyone", "@here"):
                ok = "everyone" in parse and can_everyone
            elif m.startswith("<@&"):
                ok = "roles" in parse or m[3:-1] in roles
            elif m.startswith("<@"):
                ok = "users" in parse or m.strip("<@!>") in users
            else:
                ok = False  # channel links never notify
            if ok:
                out.append(m)
        return out

    def _validate_message(
        self,
        body: dict[str, Any],
        files: list[tuple[str, bytes, str | None]],
        *,
        partial: bool,
        under: str = "",
    ) -> None:
        """Raise Discord's error for an invalid message body; ``under`` nests the errors object
        (interaction callbacks report ``{"data": {"content": ...}}``)."""
        try:
            self._check_message(body, files, partial=partial)
        except _HTTPError as err:
            if under and "errors" in err.body:
                err.body["errors"] = {under: err.body["errors"]}
            raise

    def _check_message(
        self, body: dict[str, Any], files: list[tuple[str, bytes, str | None]], *, partial: bool
    ) -> None:
        errors = _Errors()
        content = body.get("content")
        if content is not None:
            _max_len(errors, ["content"], content, 2000)
        embeds = body.get("embeds")
        if embeds is not None:
            if not isinstance(embeds, list):
                errors.add(["embeds"], "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
            else:
                if len(embeds) > 10:
                    errors.add(["embeds"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
                total = 0
                for i, emb in enumerate(embeds):
                    total += self._validate_embed(errors, ["embeds", i], emb)
                if total > 6000:
                    errors.add(["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
        components = body.get("components")
        flags = int(body.get("flags") or 0)
        if components is not None:
            self._validate_components(errors, components, flags)
        if flags & MessageFlag.IS_COMPONENTS_V2 and (content or embeds):
            errors.add(
                ["content" if content else "embeds"],
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "The 'content' and 'embeds' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2",
            )
        allowed = body.get("allowed_mentions")
        if allowed is not None:
            parse = allowed.get("parse", [])
            for i, p in enumerate(parse):
                if p not in ("users", "roles", "everyone"):
                    errors.add(
                        ["allowed_mentions", "parse", i],
                        "BASE_TYPE_CHOICES",
                        "Value must be one of {'users', 'roles', 'everyone'}.",
                    )
            for kind in ("users", "roles"):
                if kind in parse and allowed.get(kind):
                    errors.add(
                        ["allowed_mentions", kind],
                        "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                        f'parse:["{kind}"] and {kind}: [ids] are mutually exclusive.',
                    )
                if len(allowed.get(kind) or []) > 100:
                    errors.add(["allowed_mentions", kind], "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
        if len(files) > 10:
            errors.add(["files"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        errors.raise_if_any()
        for _, data, _ in files:
            if len(data) > MAX_UPLOAD_BYTES:
                raise _HTTPError(413, 40005, "Request entity too large")
        if not partial and not self._has_body(body, files):
            raise _HTTPError(400, 50006, "Cannot send an empty message")

    @staticmethod
    def _has_body(body: dict[str, Any], files: list[Any]) -> bool:
        return bool(
            (body.get("content") or "").strip()
            or body.get("embeds")
            or body.get("components")
            or files
            or body.get("attachments")
            or body.get("sticker_ids")
            or body.get("poll")
        )

    @staticmethod
    def _validate_embed(errors: _Errors, path: list[Any], emb: Any) -> int:
        if not isinstance(emb, dict):
            errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            return 0
        total = 0

        def check(sub: list[Any], value: Any, limit: int) -> None:
            nonlocal total
            if value is None:
                return
            if not isinstance(value, str):
                errors.add(path + sub, "STRING_TYPE_CONVERT", "Could not interpret value as string.")
                return
            stripped = value.strip()
            total += len(stripped)
            if len(stripped) > limit:
                errors.add(path + sub, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

        check(["title"], emb.get("title"), 256)
        check(["description"], emb.get("description"), 4096)
        check(["footer", "text"], (emb.get("footer") or {}).get("text"), 2048)
        check(["author", "name"], (emb.get("author") or {}).get("name"), 256)
        fields = emb.get("fields") or []
        if len(fields) > 25:
            errors.add(path + ["fields"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for i, f in enumerate(fields):
            if not (f.get("name") or "").strip():
                errors.add(path + ["fields", i, "name"], "BASE_TYPE_REQUIRED", "This field is required")
            if not (f.get("value") or "").strip():
                errors.add(path + ["fields", i, "value"], "BASE_TYPE_REQUIRED", "This field is required")
            check(["fields", i, "name"], f.get("name"), 256)
            check(["fields", i, "value"], f.get("value"), 1024)
        return total

    @staticmethod
    def _validate_components(errors: _Errors, components: Any, flags: int) -> None:
        if not isinstance(components, list):
            errors.add(["components"], "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
            return
        if flags & MessageFlag.IS_COMPONENTS_V2:
            if len(components) > 40:
                errors.add(["components"], "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in length.")
            return
        if len(components) > 5:
            errors.add(["components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        seen: set[str] = set()
        for r, row in enumerate(components):
            if not isinstance(row, dict) or row.get("type") != 1:
                errors.add(
                    ["components", r],
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    "Top-level components must be action rows",
                )
                continue
            children = row.get("components") or []
            if not children:
                errors.add(
                    ["components", r, "components"],
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 5 in length.",
                )
            if len(children) > 5:
                errors.add(
                    ["components", r, "components"],
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 5 in length.",
                )
            has_select = any(c.get("type") in (3, 5, 6, 7, 8) for c in children)
            if has_select and len(children) > 1:
                errors.add(
                    ["components", r, "components"],
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    "The specified component exceeds the maximum width",
                )
            for c, comp in enumerate(children):
                path: list[str | int] = ["components", r, "components", c]
                ctype = comp.get("type")
                if ctype == 2:
                    if "label" in comp:
                        _max_len(errors, path + ["label"], comp.get("label"), 80)
                    if comp.get("style") == 5:
                        if not comp.get("url"):
                            errors.add(path + ["url"], "BASE_TYPE_REQUIRED", "This field is required")
                        continue
                    if comp.get("style") == 6:
                        continue
                elif ctype in (3, 5, 6, 7, 8):
                    opts = comp.get("options") or []
                    if ctype == 3 and not 1 <= len(opts) <= 25:
                        errors.add(path + ["options"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length.")
                    for o, opt in enumerate(opts):
                        for key in ("label", "value", "description"):
                            if key in opt:
                                _max_len(errors, path + ["options", o, key], opt[key], 100, min_len=1)
                else:
                    errors.add(path + ["type"], "BASE_TYPE_CHOICES", "Value must be a valid component type.")
                    continue
                cid = comp.get("custom_id")
                if cid is None:
                    errors.add(path + ["custom_id"], "BASE_TYPE_REQUIRED", "This field is required")
                    continue
                _max_len(errors, path + ["custom_id"], cid, 100, min_len=1)
                if cid in seen:
                    errors.add(
                        path + ["custom_id"],
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                seen.add(cid)

    def _store_files(
        self, body: dict[str, Any], files: list[tuple[str, bytes, str | None]], keep: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        # Names come from the "attachments" list when given (discord.py sends it), else from the upload.
        meta = {str(a.get("id")): a for a in body.get("attachments") or [] if isinstance(a, dict)}
        out = list(keep)
        for i, (fname, data, ctype) in enumerate(files):
            info = meta.get(str(i)) or {}
            att = self.add_attachment(data, info.get("filename") or fname, ctype)
            if info.get("description"):
                att["description"] = info["description"]
            out.append(att)
        return out

    def _record(
        self,
        msg: dict[str, Any],
        route: str,
        body: dict[str, Any],
        files: list[tuple[str, bytes, str | None]],
        interaction: InteractionRecord | None,
        default_parse: list[str],
    ) -> SentMessage:
        allowed = msg.get("_allowed_mentions")
        rec = SentMessage(
            id=int(msg["id"]),
            route=route,
            channel_id=int(msg["channel_id"]),
            guild_id=int(msg["guild_id"]) if msg.get("guild_id") else None,
            content=msg["content"],
            embeds=msg["embeds"],
            components=msg["components"],
            flags=msg["flags"],
            allowed_mentions=allowed,
            attachments=msg["attachments"],
            author_id=int(msg["author"]["id"]),
            interaction_id=interaction.id if interaction else None,
            request=body,
            pings=self._pings(msg["content"], allowed, default_parse, int(msg["channel_id"])),
            files=[(n, d) for n, d, _ in files],
        )
        self.messages.append(rec)
        return rec

    def _reject(
        self,
        route: str,
        request: web.Request,
        err: _HTTPError,
        body: dict[str, Any] | None,
        iid: int | None = None,
    ) -> None:
        self.rejected.append(
            RejectedMessage(route, request.method, _redact(request.path), err.status, err.body, body, iid)
        )

    def _new_message(
        self,
        channel_id: int,
        guild_id: int | None,
        body: dict[str, Any],
        attachments: list[dict[str, Any]],
        *,
        flags: int,
        msg_type: int,
        interaction: InteractionRecord | None = None,
        mid: int | None = None,
    ) -> dict[str, Any]:
        msg = self._message_payload(
            mid or self._new_id(),
            channel_id,
            guild_id,
            self.bot_user,
            body.get("content") or "",
            body.get("embeds") or [],
            body.get("components") or [],
            flags,
            attachments,
            msg_type=msg_type,
            interaction=interaction,
        )
        msg["_allowed_mentions"] = body.get("allowed_mentions")
        if interaction is not None and flags & MessageFlag.EPHEMERAL:
            msg["_visible_to"] = interaction.user_id
        self.message_store[int(msg["id"])] = msg
        return msg

    def _apply_edit(
        self, msg: dict[str, Any], body: dict[str, Any], files: list[tuple[str, bytes, str | None]]
    ) -> dict[str, Any]:
        merged = dict(msg)
        for key in ("content", "embeds", "components"):
            if key in body:
                merged[key] = body[key] if body[key] is not None else ("" if key == "content" else [])
        # An edit without allowed_mentions gets the defaults again.
        merged["_allowed_mentions"] = body.get("allowed_mentions")
        if "attachments" in body:
            keep_ids = {str(a.get("id")) for a in body["attachments"] or []}
            keep = [a for a in msg["attachments"] if a["id"] in keep_ids]
        else:
            keep = msg["attachments"]
        if "attachments" in body or files:
            merged["attachments"] = self._store_files(body, files, keep)
        if "flags" in body and body["flags"] is not None:
            # Only SUPPRESS_EMBEDS may change on edit; ephemeral/loading are fixed.
            fixed = msg["flags"] & ~MessageFlag.SUPPRESS_EMBEDS
            merged["flags"] = fixed | (int(body["flags"]) & MessageFlag.SUPPRESS_EMBEDS)
        merged["flags"] &= ~MessageFlag.LOADING
        merged["edited_timestamp"] = _iso()
        return merged

    async def _get_channel(self, request: web.Request, channel: str) -> tuple[int, Any]:
        ch = self._find_channel(int(channel))
        if ch is None:
            raise _HTTPError(404, 10003, "Unknown Channel")
        if not self.guilds[ch.guild_id].permissions_for(self.bot_user.id, ch.id) & Perm.VIEW_CHANNEL:
            raise _HTTPError(403, 50001, "Missing Access")
        return 200, ch.payload()

    def _channel_for_write(self, channel: str) -> tuple[FakeChannel, int]:
        ch = self._find_channel(int(channel))
        if ch is None:
            raise _HTTPError(404, 10003, "Unknown Channel")
        perms = self.guilds[ch.guild_id].permissions_for(self.bot_user.id, ch.id)
        if not perms & Perm.VIEW_CHANNEL:
            raise _HTTPError(403, 50001, "Missing Access")
        return ch, perms

    async def _channel_post(self, request: web.Request, channel: str) -> tuple[int, Any]:
        body: dict[str, Any] | None = None
        try:
            body, files = await self._read_body(request)
            ch, perms = self._channel_for_write(channel)
            if not perms & Perm.SEND_MESSAGES:
                raise _HTTPError(403, 50013, "Missing Permissions")
            if body.get("embeds") and not perms & Perm.EMBED_LINKS:
                raise _HTTPError(403, 50013, "Missing Permissions")
            if files and not perms & Perm.ATTACH_FILES:
                raise _HTTPError(403, 50013, "Missing Permissions")
            self._validate_message(body, files, partial=False)
            flags = int(body.get("flags") or 0)
            if flags & MessageFlag.EPHEMERAL:
                raise _form_error(["flags"], "MESSAGE_FLAGS_INVALID", "Invalid flags")
        except _HTTPError as err:
            self._reject("channel", request, err, body)
            raise
        attachments = self._store_files(body, files, [])
        msg = self._new_message(ch.id, ch.guild_id, body, attachments, flags=flags, msg_type=0)
        self._record(msg, "channel", body, files, None, ["users", "roles", "everyone"])
        await self._echo_message_create(msg)
        return 200, self._public(msg)

    async def _echo_message_create(self, msg: dict[str, Any]) -> None:
        if msg["flags"] & MessageFlag.EPHEMERAL:
            return
        if self._session is not None and self._session.intents & Intent.GUILD_MESSAGES:
            await self._dispatch("MESSAGE_CREATE", self._public(msg))

    def _channel_message(self, channel: str, mid: str) -> dict[str, Any]:
        msg = self.message_store.get(int(mid))
        if (
            msg is None
            or int(msg["channel_id"]) != int(channel)
            or msg["flags"] & MessageFlag.EPHEMERAL
            or int(mid) in self.deleted_message_ids
        ):
            raise _HTTPError(404, 10008, "Unknown Message")
        return msg

    async def _channel_get_message(self, request: web.Request, channel: str, mid: str) -> tuple[int, Any]:
        ch, perms = self._channel_for_write(channel)
        if not perms & Perm.READ_MESSAGE_HISTORY:
            raise _HTTPError(403, 50013, "Missing Permissions")
        return 200, self._public(self._channel_message(channel, mid))

    async def _channel_edit(self, request: web.Request, channel: str, mid: str) -> tuple[int, Any]:
        body: dict[str, Any] | None = None
        try:
            body, files = await self._read_body(request)
            self._channel_for_write(channel)
            msg = self._channel_message(channel, mid)
            if int(msg["author"]["id"]) != self.bot_user.id and set(body) - {"flags"}:
                raise _HTTPError(403, 50005, "Cannot edit a message authored by another user")
            self._validate_message(body, files, partial=True)
            merged = self._apply_edit(msg, body, files)
            if not self._has_body(merged, []):
                raise _HTTPError(400, 50006, "Cannot send an empty message")
        except _HTTPError as err:
            self._reject("channel-edit", request, err, body)
            raise
        self.message_store[int(mid)] = merged
        self._record(merged, "channel-edit", body, files, None, ["users", "roles", "everyone"])
        return 200, self._public(merged)

    async def _channel_delete(self, request: web.Request, channel: str, mid: str) -> tuple[int, Any]:
        ch, perms = self._channel_for_write(channel)
        msg = self._channel_message(channel, mid)
        if int(msg["author"]["id"]) != self.bot_user.id and not perms & Perm.MANAGE_MESSAGES:
            raise _HTTPError(403, 50013, "Missing Permissions")
        self.deleted_message_ids.append(int(mid))
        await self._dispatch("MESSAGE_DELETE", {"id": mid, "channel_id": channel, "guild_id": str(ch.guild_id)})
        return 204, None

    async def _attachment_handler(self, request: web.Request) -> web.StreamResponse:
        try:
            att_id = int(request.match_info["id"])
        except ValueError:
            return web.Response(status=404, text="Not Found")
        entry = self._attachments.get(att_id)
        ex = request.query.get("ex", "")
        expected = hmac.new(self._cdn_secret, f"{att_id}:{ex}".encode(), hashlib.sha256).hexdigest()
        if (
            entry is None
            or entry[1] != request.match_info["filename"]
            or not hmac.compare_digest(expected, request.query.get("hm", ""))
            or int(ex or "0", 16) < time.time()
        ):
            self.requests.append(RequestRecord("GET", f"/attachments/{att_id}", 404))
            return web.Response(status=404, text="This content is no longer available.")
        self.requests.append(RequestRecord("GET", f"/attachments/{att_id}", 200))
        data, _, ctype = entry
        return web.Response(body=data, headers={"Content-Type": ctype or "application/octet-stream"})
