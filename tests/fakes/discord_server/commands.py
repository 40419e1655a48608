"""Application commands and the bot's identity: /users/@me, /gateway(/bot), /applications/@me, and
the bulk overwrite of global or guild commands with Discord's validation.
"""

from __future__ import annotations

import hashlib
from typing import Any

from aiohttp import web

from .messages import MessagesPart
from .model import FakeUser
from .validation import _OPTION_TYPES, _command_size, _Errors, _form_error, _HTTPError, _max_len, _valid_command_name


class CommandsPart(MessagesPart):
    """One layer of FakeDiscord: the protocol part this module's docstring names."""

    def _app_payload(self) -> dict[str, Any]:
        owner = next(iter(self.guilds.values())).owner_id
        owner_user = self.users.get(owner, FakeUser(owner, "owner"))
        return {
            "id": str(self.application_id),
            "name": self.bot_user.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": hashlib.sha256(b"verify").hexdigest(),
            "owner": owner_user.payload(),
            "team": None,
            "flags": 0,
            "bot": self.bot_user.payload(),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": len(self.guilds),
        }

    async def _get_me(self, request: web.Request) -> tuple[int, Any]:
        me = self.bot_user.payload() | {"verified": True, "mfa_enabled": False, "flags": 0, "locale": "en-US"}
        return 200, me

    async def _get_gateway(self, request: web.Request) -> tuple[int, Any]:
        return 200, {"url": self.gateway_url}

    async def _get_gateway_bot(self, request: web.Request) -> tuple[int, Any]:
        return 200, {
            "url": self.gateway_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 1000 - self.identify_count,
                "reset_after": 86400000,
                "max_concurrency": 1,
            },
        }

    async def _get_application(self, request: web.Request) -> tuple[int, Any]:
        return 200, self._app_payload()

    def _check_app(self, app: str) -> None:
        if int(app) != self.application_id:
            raise _HTTPError(403, 20012, "You are not authorized to perform this action on this application")

    def _check_guild(self, guild: str | None) -> int | None:
        if guild is None:
            return None
        if int(guild) not in self.guilds:
            raise _HTTPError(403, 50001, "Missing Access")
        return int(guild)

    async def _get_commands(self, request: web.Request, app: str, guild: str | None = None) -> tuple[int, Any]:
        self._check_app(app)
        scope = self._check_guild(guild)
        return 200, self.commands.get(scope, [])

    async def _put_commands(self, request: web.Request, app: str, guild: str | None = None) -> tuple[int, Any]:
        self._check_app(app)
        scope = self._check_guild(guild)
        body, _ = await self._read_body(request)
        if not isinstance(body, list):
            raise _form_error([], "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        errors = _Errors()
        counts = {1: 0, 2: 0, 3: 0}
        seen: set[tuple[int, str]] = set()
        for i, cmd in enumerate(body):
            ctype = cmd.get("type", 1)
            if ctype not in (1, 2, 3):
                errors.add([i, "type"], "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")
                continue
            counts[ctype] += 1
            self._validate_command(errors, [i], cmd, ctype)
            key = (ctype, cmd.get("name"))
            if key in seen:
                errors.add(
                    [i, "name"],
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    "Application command names must be unique",
                )
            seen.add(key)
        for ctype, limit in ((1, 100), (2, 15), (3, 15)):
            if counts[ctype] > limit:
                errors.add(
                    [],
                    "APPLICATION_COMMANDS_TOO_MANY",
                    f"Maximum number of type {ctype} commands reached ({limit})",
                )
        errors.raise_if_any()
        old = {(c["type"], c["name"]): c for c in self.commands.get(scope, [])}
        stored = []
        for cmd in body:
            ctype = cmd.get("type", 1)
            prev = old.get((ctype, cmd["name"]))
            dmp = cmd.get("default_member_permissions")
            stored.append(
                {
                    "id": prev["id"] if prev else str(self._new_id()),
                    "application_id": str(self.application_id),
                    "version": str(self._new_id()),
                    "type": ctype,
                    "name": cmd["name"],
                    "name_localizations": cmd.get("name_localizations"),
                    "description": cmd["description"] if ctype == 1 else (cmd.get("description") or ""),
                    "description_localizations": cmd.get("description_localizations"),
                    "default_member_permissions": None if dmp is None else str(dmp),
                    "dm_permission": cmd.get("dm_permission", True),
                    "contexts": cmd.get("contexts"),
                    "integration_types": cmd.get("integration_types") or [0],
                    "nsfw": cmd.get("nsfw", False),
                    **({"options": cmd["options"]} if cmd.get("options") else {}),
                    **({"guild_id": str(scope)} if scope is not None else {}),
                }
            )
        self.commands[scope] = stored
        self.sync_count += 1
        self.syncs.append((scope, body))
        return 200, stored

    def _validate_command(self, errors: _Errors, path: list[Any], cmd: dict[str, Any], ctype: int) -> None:
        name = cmd.get("name")
        if ctype == 1:
            if not _valid_command_name(name):
                errors.add(path + ["name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
            desc = cmd.get("description")
            if not isinstance(desc, str) or not 1 <= len(desc) <= 100:
                errors.add(path + ["description"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            self._validate_options(errors, path + ["options"], cmd.get("options") or [], "command")
            size = _command_size(cmd)
            if size > 8000:
                errors.add(path, "APPLICATION_COMMAND_TOO_LARGE", f"Command exceeds maximum size (8000), got {size}")
        else:
            if not isinstance(name, str) or not 1 <= len(name) <= 32:
                errors.add(path + ["name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
            if cmd.get("description"):
                errors.add(
                    path + ["description"],
                    "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                    "Context menu commands cannot have description",
                )
            if cmd.get("options"):
                errors.add(
                    path + ["options"],
                    "APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS",
                    "Context menu commands cannot have options",
                )
        dmp = cmd.get("default_member_permissions")
        if dmp is not None and not str(dmp).isdigit():
            errors.add(path + ["default_member_permissions"], "NUMBER_TYPE_COERCE", "Value is not int.")

    def _validate_options(self, errors: _Errors, path: list[Any], options: list[dict[str, Any]], parent: str) -> None:
        """``parent``: "command" (may hold groups, subcommands or plain options), "group" (only
        subcommands) or "sub" (only plain options)."""
        if len(options) > 25:
            errors.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        kinds = {o.get("type") in (1, 2) for o in options}
        if parent == "command" and len(kinds) > 1:
            errors.add(
                path,
                "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                "Sub-command and sub-command group option types are mutually exclusive to all other types",
            )
        seen_optional = False
        names: set[Any] = set()
        for i, opt in enumerate(options):
            p = path + [i]
            otype = opt.get("type")
            if otype not in _OPTION_TYPES:
                errors.add(p + ["type"], "BASE_TYPE_CHOICES", "Value must be a valid option type.")
                continue
            if not _valid_command_name(opt.get("name")):
                errors.add(p + ["name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
            if opt.get("name") in names:
                errors.add(
                    p + ["name"],
                    "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                    "Option names must be unique",
                )
            names.add(opt.get("name"))
            desc = opt.get("description")
            if not isinstance(desc, str) or not 1 <= len(desc) <= 100:
                errors.add(p + ["description"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            if otype in (1, 2):
                ok = parent == "command" or (parent == "group" and otype == 1)
                if not ok:
                    errors.add(
                        p + ["type"],
                        "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                        "Sub-commands nested too deep",
                    )
                self._validate_options(
                    errors, p + ["options"], opt.get("options") or [], "group" if otype == 2 else "sub"
                )
                continue
            if parent == "group":
                errors.add(
                    p + ["type"],
                    "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                    "A sub-command group may only hold sub-commands",
                )
            if opt.get("required"):
                if seen_optional:
                    errors.add(
                        p + ["required"],
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
            else:
                seen_optional = True
            choices = opt.get("choices") or []
            if choices and opt.get("autocomplete"):
                errors.add(
                    p + ["autocomplete"],
                    "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
                    "Autocomplete cannot be set with choices",
                )
            if len(choices) > 25:
                errors.add(p + ["choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            for c, choice in enumerate(choices):
                _max_len(errors, p + ["choices", c, "name"], choice.get("name"), 100, min_len=1)
                if isinstance(choice.get("value"), str):
                    _max_len(errors, p + ["choices", c, "value"], choice["value"], 100, min_len=1)
            for key, lo, hi in (("min_length", 0, 6000), ("max_length", 1, 6000)):
                if key in opt and not (isinstance(opt[key], int) and lo <= opt[key] <= hi):
                    errors.add(p + [key], "NUMBER_TYPE_MAX", f"Must be between {lo} and {hi}.")
