"""Interactions: what a user does (slash commands, autocomplete, message commands, buttons, modals),
the one initial response within the deadline, follow-ups and edits through the interaction webhook.
"""

from __future__ import annotations

import hmac
import itertools
import secrets
from typing import Any

from aiohttp import web

from .commands import CommandsPart
from .model import FakeChannel, FakeGuild, FakeRole, FakeUser, MessageFlag, Perm
from .records import InteractionRecord, SentMessage
from .validation import MAX_UPLOAD_BYTES, _Errors, _flag_set, _form_error, _HTTPError, _id, _max_len


class InteractionsPart(CommandsPart):
    """One layer of FakeDiscord: the protocol part this module's docstring names."""

    async def slash(
        self,
        guild: FakeGuild | int | None,
        channel: FakeChannel | int,
        user: FakeUser | int,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        resolved: dict[str, Any] | None = None,
        force: bool = False,
    ) -> InteractionRecord:
        """A user runs ``/name`` (``"group sub"`` for subcommands) with ``options``. Values: str, int,
        float, bool, FakeUser/FakeRole/FakeChannel, or an attachment dict from add_attachment().
        Raises LookupError/ValueError/PermissionError for what a real client could not send
        (``force=True`` skips the default_member_permissions check)."""
        return await self._command_interaction(
            2, guild, channel, user, name, options or {}, resolved=resolved, focused=None, force=force
        )

    async def autocomplete(
        self,
        guild: FakeGuild | int | None,
        channel: FakeChannel | int,
        user: FakeUser | int,
        name: str,
        options: dict[str, Any],
        focused: str,
    ) -> InteractionRecord:
        """The user is typing into option ``focused``; other options may be partial or missing."""
        return await self._command_interaction(
            4, guild, channel, user, name, options, resolved=None, focused=focused, force=True
        )

    async def message_command(
        self,
        guild: FakeGuild | int | None,
        channel: FakeChannel | int,
        user: FakeUser | int,
        name: str,
        target_message: SentMessage | dict[str, Any] | int,
        *,
        force: bool = False,
    ) -> InteractionRecord:
        """A user picks Apps > ``name`` on ``target_message``."""
        guild_id = self._guild_id(guild, channel)
        cmd = self._find_command(guild_id, name, 3)
        self._check_command_permission(cmd, guild_id, channel, user, force)
        msg = self._stored_message(target_message)
        data = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": 3,
            "target_id": msg["id"],
            "resolved": {"messages": {msg["id"]: self._public(msg)}},
        }
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return await self._send_interaction(2, guild_id, channel, user, data, name=cmd["name"])

    async def button(
        self,
        guild: FakeGuild | int | None,
        channel: FakeChannel | int,
        user: FakeUser | int,
        message: SentMessage | dict[str, Any] | int,
        custom_id: str,
    ) -> InteractionRecord:
        """A user clicks the button ``custom_id`` on ``message`` (it must exist and be enabled)."""
        guild_id = self._guild_id(guild, channel)
        msg = self._stored_message(message)
        component = None
        for row in msg.get("components", []):
            for comp in row.get("components", []):
                if comp.get("custom_id") == custom_id:
                    component = comp
        if component is None:
            raise ValueError(f"message {msg['id']} has no component {custom_id!r}")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        if msg.get("flags", 0) & MessageFlag.EPHEMERAL and msg.get("_visible_to") not in (None, _id(user)):
            raise ValueError("only the invoking user can see this ephemeral message")
        data = {"custom_id": custom_id, "component_type": component["type"]}
        rec = await self._send_interaction(3, guild_id, channel, user, data, name=custom_id, message=msg)
        return rec

    async def modal_submit(
        self,
        guild: FakeGuild | int | None,
        channel: FakeChannel | int,
        user: FakeUser | int,
        custom_id: str,
        values: dict[str, str],
    ) -> InteractionRecord:
        """A user submits modal ``custom_id`` with text inputs ``{input custom_id: value}``."""
        guild_id = self._guild_id(guild, channel)
        data = {
            "custom_id": custom_id,
            "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in values.items()
            ],
        }
        return await self._send_interaction(5, guild_id, channel, user, data, name=custom_id)

    async def _command_interaction(
        self,
        itype: int,
        guild: FakeGuild | int | None,
        channel: FakeChannel | int,
        user: FakeUser | int,
        name: str,
        options: dict[str, Any],
        *,
        resolved: dict[str, Any] | None,
        focused: str | None,
        force: bool,
    ) -> InteractionRecord:
        guild_id = self._guild_id(guild, channel)
        path = name.split()
        cmd = self._find_command(guild_id, path[0], 1)
        self._check_command_permission(cmd, guild_id, channel, user, force)
        res: dict[str, dict[str, Any]] = {}
        level: list[dict[str, Any]] = cmd.get("options", [])
        wrappers: list[dict[str, Any]] = []
        for part in path[1:]:
            opt = next((o for o in level if o["name"] == part and o["type"] in (1, 2)), None)
            if opt is None:
                raise LookupError(f"/{name}: no subcommand {part!r}")
            wrappers.append({"type": opt["type"], "name": part, "options": []})
            level = opt.get("options", [])
        if any(o["type"] in (1, 2) for o in level):
            raise ValueError(f"/{name} has subcommands and can't be invoked itself")
        built = self._build_options(name, level, options, res, guild_id, focused)
        if wrappers:
            for outer, inner in itertools.pairwise(wrappers):
                outer["options"] = [inner]
            wrappers[-1]["options"] = built
            built = [wrappers[0]]
        data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": 1}
        if built:
            data["options"] = built
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        for key, extra in (resolved or {}).items():
            res.setdefault(key, {}).update(extra)
        if res:
            data["resolved"] = res
        return await self._send_interaction(itype, guild_id, channel, user, data, name=name)

    def _build_options(
        self,
        name: str,
        defs: list[dict[str, Any]],
        values: dict[str, Any],
        res: dict[str, dict[str, Any]],
        guild_id: int,
        focused: str | None,
    ) -> list[dict[str, Any]]:
        by_name = {o["name"]: o for o in defs}
        for key in values:
            if key not in by_name:
                raise ValueError(f"/{name} has no option {key!r}; options: {sorted(by_name)}")
        if focused is not None:
            if focused not in by_name:
                raise ValueError(f"/{name} has no option {focused!r}")
            if not by_name[focused].get("autocomplete"):
                raise ValueError(f"option {focused!r} of /{name} has no autocomplete")
        else:
            missing = [o["name"] for o in defs if o.get("required") and o["name"] not in values]
            if missing:
                raise ValueError(f"/{name}: required options missing: {missing}")
        out = []
        for opt in defs:  # Discord sends options in definition order
            key = opt["name"]
            if key not in values and key != focused:
                continue
            value = values.get(key, "")
            if key == focused:
                out.append({"name": key, "type": opt["type"], "value": str(value), "focused": True})
                continue
            out.append(
                {
                    "name": key,
                    "type": opt["type"],
                    "value": self._option_value(name, opt, value, res, guild_id),
                }
            )
        return out

    def _option_value(
        self, name: str, opt: dict[str, Any], value: Any, res: dict[str, dict[str, Any]], guild_id: int
    ) -> Any:
        t = opt["type"]
        label = f"/{name} option {opt['name']!r}"
        wanted = {3: str, 4: int, 5: bool, 10: int | float}.get(t)
        if wanted is not None and (not isinstance(value, wanted) or (t != 5 and isinstance(value, bool))):
            raise ValueError(f"{label} takes {wanted}, got {value!r}")
        if t == 3 and not opt.get("min_length", 0) <= len(value) <= opt.get("max_length", 6000):
            raise ValueError(f"{label}: length outside min_length/max_length")
        too_small = "min_value" in opt and value < opt["min_value"]
        too_big = "max_value" in opt and value > opt["max_value"]
        if t in (4, 10) and (too_small or too_big):
            raise ValueError(f"{label}: outside min_value/max_value")
        if opt.get("choices") and value not in [c["value"] for c in opt["choices"]]:
            raise ValueError(f"{label}: {value!r} is not one of the choices")
        guild = self.guilds[guild_id]
        if t in (6, 9) and (isinstance(value, FakeUser) or (isinstance(value, int) and value in self.users)):
            user = self.users[_id(value)]
            res.setdefault("users", {})[str(user.id)] = user.payload()
            member = guild.member(user.id)
            if member is not None:
                mp = {k: v for k, v in member.payload().items() if k != "user"}
                mp["permissions"] = str(guild.permissions_for(user.id))
                res.setdefault("members", {})[str(user.id)] = mp
            return str(user.id)
        if t in (8, 9) and isinstance(value, FakeRole | int):
            role = guild.role(_id(value))
            res.setdefault("roles", {})[str(role.id)] = role.payload()
            return str(role.id)
        if t == 7:
            ch = self._channel(value)
            res.setdefault("channels", {})[str(ch.id)] = {
                "id": str(ch.id),
                "name": ch.name,
                "type": ch.type,
                "permissions": str(guild.permissions_for(self.bot_user.id, ch.id)),
                "parent_id": None,
            }
            return str(ch.id)
        if t == 11:
            if not isinstance(value, dict) or "id" not in value:
                raise ValueError(f"{label} takes an attachment dict from add_attachment()")
            res.setdefault("attachments", {})[value["id"]] = value
            return value["id"]
        if t in (6, 7, 8, 9):
            raise ValueError(f"{label}: unknown user/role/channel {value!r}")
        return value

    async def _send_interaction(
        self,
        itype: int,
        guild_id: int,
        channel: FakeChannel | int,
        user: FakeUser | int,
        data: dict[str, Any],
        *,
        name: str,
        message: dict[str, Any] | None = None,
    ) -> InteractionRecord:
        if self._session is None:
            raise RuntimeError("no gateway session: the bot has not connected")
        ch = self._channel(channel)
        guild = self.guilds[guild_id]
        uid = _id(user)
        member = guild.member(uid)
        if member is None:
            raise LookupError(f"user {uid} is not a member of guild {guild_id}")
        if not guild.permissions_for(uid, ch.id) & Perm.VIEW_CHANNEL:
            raise PermissionError("the user can't see that channel")
        iid = self._new_id()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        member_payload = member.payload()
        member_payload["permissions"] = str(guild.permissions_for(uid, ch.id))
        channel_payload = ch.payload()
        channel_payload["permissions"] = member_payload["permissions"]
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "data": data,
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "guild_id": str(guild.id),
            "guild_locale": "en-US",
            "channel": channel_payload,
            "channel_id": str(ch.id),
            "member": member_payload,
            "token": token,
            "version": 1,
            "app_permissions": str(guild.permissions_for(self.bot_user.id, ch.id)),
            "locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": MAX_UPLOAD_BYTES,
        }
        if message is not None:
            payload["message"] = self._public(message)
        rec = InteractionRecord(
            id=iid,
            token=token,
            type=itype,
            name=name,
            payload=payload,
            guild_id=guild.id,
            channel_id=ch.id,
            user_id=uid,
            component_message_id=int(message["id"]) if message else None,
        )
        self.interactions[iid] = rec
        rec.dispatched_at = self._now()
        await self._dispatch("INTERACTION_CREATE", payload)
        return rec

    def _interaction_by_token(self, iid: int | None, token: str, *, webhook: bool) -> InteractionRecord:
        rec = (
            self.interactions.get(iid)
            if iid is not None
            else next((r for r in self.interactions.values() if r.token == token), None)
        )
        if rec is None or not hmac.compare_digest(rec.token, token):
            if webhook:
                raise _HTTPError(404, 10015, "Unknown Webhook")
            raise _HTTPError(404, 10062, "Unknown interaction")
        if webhook and self._now() - rec.dispatched_at > self.token_lifetime:
            raise _HTTPError(401, 50027, "Invalid Webhook Token")
        return rec

    async def _callback(self, request: web.Request, iid: str, token: str) -> tuple[int, Any]:
        rec: InteractionRecord | None = None
        body: dict[str, Any] | None = None
        try:
            rec = self._interaction_by_token(int(iid), token, webhook=False)
            body, files = await self._read_body(request)
            if rec.acknowledged:
                raise _HTTPError(400, 40060, "Interaction has already been acknowledged.")
            if self._now() - rec.dispatched_at > self.interaction_deadline:
                if not rec.late:
                    self.late_responses.append(rec)
                rec.late = True
                raise _HTTPError(404, 10062, "Unknown interaction")
            result = self._accept_callback(rec, body, files)
        except _HTTPError as err:
            if rec is not None:
                rec.rejected.append((err.status, err.body))
            if body is None or body.get("type") in (4, 7):
                self._reject("interaction-response", request, err, body, rec.id if rec else None)
            raise
        msg, route = result
        if route:
            assert msg is not None  # a route is named only for a message the callback made
            self._record(msg, route, body, files, rec, ["users"])
            if route == "interaction-response":
                await self._echo_message_create(msg)
        if not _flag_set(request.query.get("with_response", "false")):
            return 204, None
        interaction: dict[str, Any] = {
            "id": str(rec.id),
            "type": rec.type,
            "response_message_loading": rec.original_loading,
            "response_message_ephemeral": bool(msg and msg["flags"] & MessageFlag.EPHEMERAL),
        }
        if rec.original_message_id is not None:
            interaction["response_message_id"] = str(rec.original_message_id)
        out: dict[str, Any] = {"interaction": interaction}
        if msg is not None:
            out["resource"] = {"type": body["type"], "message": self._public(msg)}
        elif body["type"] in (6, 8, 9):
            out["resource"] = {"type": body["type"]}
        return 200, out

    def _accept_callback(
        self, rec: InteractionRecord, body: dict[str, Any], files: list[tuple[str, bytes, str | None]]
    ) -> tuple[dict[str, Any] | None, str]:
        """Returns (message the callback created/updated or None, route to record it under or "")."""
        ctype = body.get("type")
        allowed = {2: (4, 5, 9), 3: (4, 5, 6, 7, 9), 4: (8,), 5: (4, 5, 6, 7)}[rec.type]
        if ctype not in allowed:
            raise _form_error(
                ["type"],
                "INTERACTION_CALLBACK_TYPE_INVALID",
                f"Interaction callback type {ctype} is not valid for this interaction.",
            )
        data = body.get("data") or {}
        msg: dict[str, Any] | None = None
        route = ""
        flags = int(data.get("flags") or 0)
        if ctype == 4:
            self._validate_message(data, files, partial=False, under="data")
            attachments = self._store_files(data, files, [])
            msg = self._new_message(
                rec.channel_id,
                rec.guild_id,
                data,
                attachments,
                flags=flags,
                msg_type=20 if rec.type == 2 else 0,
                interaction=rec,
            )
            rec.original_message_id = int(msg["id"])
            route = "interaction-response"
        elif ctype == 5:
            if flags & ~MessageFlag.EPHEMERAL:
                raise _form_error(
                    ["data", "flags"], "MESSAGE_FLAGS_INVALID", "Only EPHEMERAL may be set when deferring"
                )
            msg = self._new_message(
                rec.channel_id,
                rec.guild_id,
                {},
                [],
                flags=flags | MessageFlag.LOADING,
                msg_type=20 if rec.type == 2 else 0,
                interaction=rec,
            )
            rec.original_message_id = int(msg["id"])
            rec.original_loading = True  # not recorded as a message: nothing visible yet
        elif ctype == 6:
            rec.original_message_id = rec.component_message_id
        elif ctype == 7:
            if rec.component_message_id is None:
                raise _form_error(["type"], "INTERACTION_CALLBACK_TYPE_INVALID", "No message to update")
            self._validate_message(data, files, partial=True, under="data")
            old = self.message_store[rec.component_message_id]
            msg = self._apply_edit(old, data, files)
            if not self._has_body(msg, []):
                raise _HTTPError(400, 50006, "Cannot send an empty message")
            self.message_store[rec.component_message_id] = msg
            rec.original_message_id = rec.component_message_id
            route = "update-message"
        elif ctype == 8:
            choices = data.get("choices")
            errors = _Errors()
            if not isinstance(choices, list):
                errors.add(["data", "choices"], "BASE_TYPE_REQUIRED", "This field is required")
                choices = []
            if len(choices) > 25:
                errors.add(["data", "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            for i, choice in enumerate(choices):
                _max_len(errors, ["data", "choices", i, "name"], choice.get("name"), 100, min_len=1)
                if isinstance(choice.get("value"), str):
                    _max_len(errors, ["data", "choices", i, "value"], choice["value"], 100)
            errors.raise_if_any()
            rec.choices = choices
        elif ctype == 9:
            errors = _Errors()
            _max_len(errors, ["data", "title"], data.get("title"), 45, min_len=1)
            _max_len(errors, ["data", "custom_id"], data.get("custom_id"), 100, min_len=1)
            if not 1 <= len(data.get("components") or []) <= 5:
                errors.add(["data", "components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
            errors.raise_if_any()
        rec.response_type = ctype
        rec.response = body
        rec.acknowledged_at = self._now()
        rec._acked.set()
        return msg, route

    def _webhook_interaction(self, app: str, token: str) -> InteractionRecord:
        if int(app) != self.application_id:
            raise _HTTPError(404, 10015, "Unknown Webhook")
        return self._interaction_by_token(None, token, webhook=True)

    def _webhook_message_id(self, rec: InteractionRecord, mid: str) -> int:
        if not rec.acknowledged:
            raise _HTTPError(404, 10015, "Unknown Webhook")
        if mid == "@original":
            if rec.original_message_id is None:
                raise _HTTPError(404, 10008, "Unknown Message")
            return rec.original_message_id
        if int(mid) != rec.original_message_id and int(mid) not in rec.followup_ids:
            raise _HTTPError(404, 10008, "Unknown Message")
        return int(mid)

    async def _webhook_get(self, request: web.Request, app: str, token: str, mid: str) -> tuple[int, Any]:
        rec = self._webhook_interaction(app, token)
        message_id = self._webhook_message_id(rec, mid)
        if message_id in self.deleted_message_ids:
            raise _HTTPError(404, 10008, "Unknown Message")
        return 200, self._public(self.message_store[message_id])

    async def _webhook_edit(self, request: web.Request, app: str, token: str, mid: str) -> tuple[int, Any]:
        rec: InteractionRecord | None = None
        body: dict[str, Any] | None = None
        route = "edit-original" if mid == "@original" else "edit-followup"
        try:
            rec = self._webhook_interaction(app, token)
            body, files = await self._read_body(request)
            message_id = self._webhook_message_id(rec, mid)
            if message_id == rec.original_message_id:
                route = "edit-original"
            if message_id in self.deleted_message_ids:
                raise _HTTPError(404, 10008, "Unknown Message")
            self._validate_message(body, files, partial=True)
            merged = self._apply_edit(self.message_store[message_id], body, files)
            if not self._has_body(merged, []):
                raise _HTTPError(400, 50006, "Cannot send an empty message")
        except _HTTPError as err:
            self._reject(route, request, err, body, rec.id if rec else None)
            raise
        was_loading = message_id == rec.original_message_id and rec.original_loading
        if message_id == rec.original_message_id:
            rec.original_loading = False
        self.message_store[message_id] = merged
        self._record(merged, route, body, files, rec, ["users"])
        if was_loading:
            await self._echo_message_create(merged)
        return 200, self._public(merged)

    async def _webhook_delete(self, request: web.Request, app: str, token: str, mid: str) -> tuple[int, Any]:
        rec = self._webhook_interaction(app, token)
        message_id = self._webhook_message_id(rec, mid)
        if message_id in self.deleted_message_ids:
            raise _HTTPError(404, 10008, "Unknown Message")
        self.deleted_message_ids.append(message_id)
        if message_id == rec.original_message_id and rec.original_loading:
            # Deleting the "thinking" message: the next follow-up is a new message with its own
            # flags (discord/discord-api-docs#2739, fixed by Discord in 2021).
            rec.original_loading = False
        if not self.message_store[message_id]["flags"] & MessageFlag.EPHEMERAL:
            await self._dispatch(
                "MESSAGE_DELETE",
                {"id": str(message_id), "channel_id": str(rec.channel_id), "guild_id": str(rec.guild_id)},
            )
        return 204, None

    async def _followup(self, request: web.Request, app: str, token: str) -> tuple[int, Any]:
        rec: InteractionRecord | None = None
        body: dict[str, Any] | None = None
        try:
            rec = self._webhook_interaction(app, token)
            if not rec.acknowledged:
                raise _HTTPError(404, 10015, "Unknown Webhook")
            body, files = await self._read_body(request)
            self._validate_message(body, files, partial=False)
        except _HTTPError as err:
            self._reject("followup", request, err, body, rec.id if rec else None)
            raise
        flags = int(body.get("flags") or 0)
        if rec.original_loading:
            # Discord: the first follow-up after a deferred (type 5) response replaces the
            # "thinking" message; its ephemerality is the one chosen when deferring.
            old = self.message_store[rec.original_message_id]  # type: ignore[index]
            attachments = self._store_files(body, files, [])
            fixed = old["flags"] & MessageFlag.EPHEMERAL
            msg = self._new_message(
                rec.channel_id,
                rec.guild_id,
                body,
                attachments,
                flags=(flags & ~MessageFlag.EPHEMERAL) | fixed,
                msg_type=old["type"],
                interaction=rec,
                mid=rec.original_message_id,
            )
            rec.original_loading = False
        else:
            attachments = self._store_files(body, files, [])
            msg = self._new_message(
                rec.channel_id, rec.guild_id, body, attachments, flags=flags, msg_type=0, interaction=rec
            )
            rec.followup_ids.append(int(msg["id"]))
        self._record(msg, "followup", body, files, rec, ["users"])
        await self._echo_message_create(msg)
        if _flag_set(request.query.get("wait", "false")):
            return 200, self._public(msg)
        return 204, None
