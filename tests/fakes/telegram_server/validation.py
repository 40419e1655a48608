"""The Bot API's error shape and parameter coercion, shared by every part."""

from __future__ import annotations

import contextvars
import json
from typing import Any

from aiohttp import web

from tests.checks.telegram_html import TelegramError, _trim, parse_html, utf16_len

from .model import MAX_CAPTION_LENGTH

_current_request: contextvars.ContextVar[web.Request | None] = contextvars.ContextVar(
    "fake_telegram_request", default=None
)


def _client_gone() -> bool:
    request = _current_request.get()
    return request is not None and (request.transport is None or request.transport.is_closing())


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None, injected: bool = False) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters
        self.injected = injected


def _bad(description: str) -> _ApiError:
    return _ApiError(400, "Bad Request: " + description)


def _as_int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise _bad(f"invalid {name} specified")
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise _bad(f"invalid {name} specified") from None


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1")


def _as_json(value: Any, what: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise _bad(f"can't parse {what} JSON object") from None


def _check_caption(caption: str, parse_mode: str | None) -> tuple[str, list[dict]]:
    mode = (parse_mode or "").lower()
    if mode == "html":
        plain, entities = parse_html(caption)
    elif mode in ("", "none"):
        plain, entities = caption, []
    else:
        raise TelegramError("Bad Request: unsupported parse_mode in the fake")
    plain, entities = _trim(plain, entities)
    if len(plain) > MAX_CAPTION_LENGTH or utf16_len(plain) > MAX_CAPTION_LENGTH:
        raise TelegramError("Bad Request: message caption is too long")
    return plain, entities
