"""The bot itself: getMe, getUpdates (long polling, offsets, allowed_updates), webhooks and the command menu."""

from __future__ import annotations

import asyncio
import json

from .model import _COMMAND_RE, _DEFAULT_UPDATE_TYPES
from .users import UsersPart
from .validation import _ApiError, _as_bool, _as_int, _as_json, _bad, _client_gone


class UpdatesPart(UsersPart):
    """One layer of FakeTelegram: the protocol part this module's docstring names."""

    async def _ok_true(self, params: dict, files: dict) -> bool:
        return True

    async def _get_me(self, params: dict, files: dict) -> dict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: dict, files: dict) -> list[dict]:
        if self.webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
                "the webhook first",
            )
        offset = _as_int(params.get("offset", 0), "offset")
        limit = _as_int(params.get("limit", 100), "limit")
        limit = 100 if limit <= 0 or limit > 100 else limit
        try:
            timeout = float(params.get("timeout", 0))
        except (TypeError, ValueError):
            raise _bad("invalid timeout specified") from None
        if "allowed_updates" in params:
            allowed = _as_json(params["allowed_updates"], "allowed_updates")
            self._allowed_updates = frozenset(allowed) if allowed else _DEFAULT_UPDATE_TYPES
        if offset < 0:
            self._updates = self._updates[offset:]
        elif offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_changed.set()  # wake an older long poll so that it gets its 409 Conflict
        await asyncio.sleep(0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(max(timeout, 0.0), 50.0, self.long_poll_cap)
        while True:
            ready = [u for u in self._updates if self._update_type(u) in self._allowed_updates]
            if ready or self._closing:
                return ready[:limit]
            if _client_gone():
                return []  # PTB cancelled this poll (e.g. on updater.stop()); nobody reads the answer
            if generation != self._poll_generation:
                await asyncio.sleep(0.05)  # let a cancelled client's disconnect arrive first
                if _client_gone() or self._closing:
                    return []
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            self._updates_changed.clear()
            try:
                await asyncio.wait_for(self._updates_changed.wait(), remaining)
            except TimeoutError:
                pass

    @staticmethod
    def _update_type(update: dict) -> str:
        return next(k for k in update if k != "update_id")

    async def _set_webhook(self, params: dict, files: dict) -> bool:
        url = params.get("url", "")
        if not url:
            self.webhook = None
            return True
        if not str(url).startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = dict(params)
        if _as_bool(params.get("drop_pending_updates", False)):
            self._updates.clear()
        return True

    async def _delete_webhook(self, params: dict, files: dict) -> bool:
        self.webhook = None
        if _as_bool(params.get("drop_pending_updates", False)):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: dict, files: dict) -> dict:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _commands_key(self, params: dict) -> tuple[str, str]:
        scope = _as_json(params.get("scope", '{"type": "default"}'), "scope")
        if not isinstance(scope, dict) or "type" not in scope:
            raise _bad("can't parse BotCommandScope JSON object")
        return json.dumps(scope, sort_keys=True), str(params.get("language_code", ""))

    async def _set_my_commands(self, params: dict, files: dict) -> bool:
        commands = _as_json(params.get("commands", "[]"), "commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands specified")
        for cmd in commands:
            if not isinstance(cmd, dict) or not _COMMAND_RE.match(str(cmd.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            desc = cmd.get("description")
            if not isinstance(desc, str) or not 1 <= len(desc) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: dict, files: dict) -> list[dict]:
        return self.commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: dict, files: dict) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True
