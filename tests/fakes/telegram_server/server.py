"""The server: the aiohttp app on 127.0.0.1, request parsing and recording, injected errors and stubs,
and the method table.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from aiohttp import BodyPartReader, web

from .files import FilesPart
from .model import RecordedRequest, Rejected, _Injection
from .validation import _ApiError, _bad, _current_request


class FakeTelegram(FilesPart):
    """Fake Bot API server.  See the package docstring (telegram_server/__init__.py).

    Public state (all plain lists/dicts, read them freely in tests):

    * ``requests``: every HTTP call (:class:`RecordedRequest`), including getUpdates polls;
    * ``sent``: accepted sendMessage calls (:class:`SentMessage`); edits are appended to ``.edits``
      of the original and also listed in ``edits``;
    * ``rejected``: every call answered with an error (:class:`Rejected`), injected ones included;
    * ``documents``: accepted sendDocument calls (:class:`SentDocument`);
    * ``deleted``: ``(chat_id, message_id)`` of successful deleteMessage calls;
    * ``callback_answers``: answerCallbackQuery params by query id;
    * ``commands``: setMyCommands lists by ``(scope_json, language_code)``;
    * ``webhook``: last setWebhook params or None;  ``unhandled``: names of unmodelled methods called;
    * ``chats``: chat id -> Bot API Chat dict; ``users``: user id -> Bot API User dict.
    """

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application(client_max_size=60 << 20)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._closing = True
        self._updates_changed.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def inject_error(
        self,
        method: str,
        chat_id: int | str | None = None,
        code: int = 429,
        retry_after: int = 1,
        count: int = 1,
        description: str | None = None,
        after: int = 0,
    ) -> None:
        """Make the next ``count`` calls of ``method`` ("*" = any method; optionally only for ``chat_id``)
        fail before any validation, as a flood wait (429), a kick (403) or a server error (500/502).
        ``after`` lets that many matching calls through first (e.g. fail the second part of a post)."""
        parameters = None
        if description is None:
            if code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            elif code == 403:
                description = "Forbidden: bot was kicked from the group chat"
            elif code == 500:
                description = "Internal Server Error"
            elif code == 502:
                description = "Bad Gateway"
            elif code == 400:
                description = "Bad Request: injected error"
            else:
                description = f"Error {code}"
        if code == 429:
            parameters = {"retry_after": retry_after}
        self._injections.append(
            _Injection(
                method.lower(),
                None if chat_id is None else str(chat_id),
                code,
                description,
                parameters,
                count,
                after,
            )
        )

    def stub(self, method: str, result: Any) -> None:
        """Answer an otherwise unmodelled method with ``{"ok": true, "result": result}``."""
        self._stubs[method.lower()] = result

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        m = re.fullmatch(r"/file/bot([^/]*)/(.+)", path)
        if m:
            return self._download(m.group(1), m.group(2))
        m = re.fullmatch(r"/bot([^/]*)/([^/]*)", path)
        if not m:
            return self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        token, method = m.group(1), m.group(2)
        _current_request.set(request)
        params, files = await self._read_params(request)
        rec = RecordedRequest(method=method, params=params, files=files, time=time.monotonic())
        self.requests.append(rec)
        self._changed.set()
        if token != self.token:
            rec.status, rec.response = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            self.rejected.append(Rejected(method, params.get("chat_id"), params, 401, "Unauthorized"))
        else:
            try:
                result = await self._dispatch(method, params, files)
                rec.status, rec.response = 200, {"ok": True, "result": result}
            except _ApiError as err:
                body: dict = {"ok": False, "error_code": err.code, "description": err.description}
                if err.parameters:
                    body["parameters"] = err.parameters
                rec.status, rec.response = err.code, body
                if err.code != 404:
                    self.rejected.append(
                        Rejected(
                            method,
                            params.get("chat_id"),
                            params,
                            err.code,
                            err.description,
                            injected=err.injected,
                        )
                    )
        self._changed.set()
        return self._json(rec.status, rec.response)

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, tuple[str, bytes, str]] = {}
        if request.method != "POST" or not request.can_read_body:
            return params, files
        ctype = request.content_type
        if ctype == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        elif ctype == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    raise _bad("can't parse the request: a multipart part without a name")
                if part.filename is not None:
                    content = await part.read()
                    files[part.name] = (
                        part.filename,
                        bytes(content),
                        part.headers.get("Content-Type", "application/octet-stream"),
                    )
                else:
                    params[part.name] = await part.text()
        else:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        return params, files

    async def _dispatch(self, method: str, params: dict, files: dict) -> Any:
        low = method.lower()
        for inj in self._injections:
            if (
                inj.remaining > 0
                and inj.method in ("*", low)
                and (inj.chat_id is None or str(params.get("chat_id")) == inj.chat_id)
            ):
                if inj.after > 0:
                    inj.after -= 1
                    continue
                inj.remaining -= 1
                raise _ApiError(inj.code, inj.description, inj.parameters, injected=True)
        handler = self._handlers().get(low)
        if handler is not None:
            return await handler(params, files)
        if low in self._stubs:
            return self._stubs[low]
        self.unhandled.append(method)
        raise _ApiError(404, "Not Found")

    def _handlers(self) -> dict[str, Callable]:
        return {
            "getme": self._get_me,
            "logout": self._ok_true,
            "close": self._ok_true,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setchatmenubutton": self._ok_true,
            "sendchataction": self._send_chat_action,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "getfile": self._get_file,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "getchatadministrators": self._get_chat_administrators,
            "answercallbackquery": self._answer_callback_query,
            "senddocument": self._send_document,
        }
