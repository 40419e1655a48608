"""Discord's error shapes and the validation helpers the parts share (form errors, limits, names)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from .model import FakeChannel, FakeGuild, FakeMember, FakeRole, FakeUser

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class _HTTPError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "code": code}
        if errors:
            self.body["errors"] = errors


def _invalid_form(errors: dict[str, Any]) -> _HTTPError:
    return _HTTPError(400, 50035, "Invalid Form Body", errors)


def _form_error(path: list[str | int], code: str, message: str) -> _HTTPError:
    errors = _Errors()
    errors.add(path, code, message)
    return _invalid_form(errors.tree)


class _Errors:
    """Collects Discord-style nested ``errors`` objects."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def add(self, path: Iterable[str | int], code: str, message: str) -> None:
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def __bool__(self) -> bool:
        return bool(self.tree)

    def raise_if_any(self) -> None:
        if self.tree:
            raise _invalid_form(self.tree)


def _max_len(errors: _Errors, path: list[Any], value: Any, limit: int, *, min_len: int = 0) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        errors.add(path, "STRING_TYPE_CONVERT", "Could not interpret value as string.")
        return
    if len(value) > limit:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
    elif len(value) < min_len:
        errors.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {min_len} and {limit} in length.")


_NAME_PUNCT = set("-_'")

_INTERACTION_TOKEN_RE = re.compile(r"(/(?:interactions/\d+|webhooks/\d+)/)([^/]+)")

_OPTION_TYPES = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}

_CHANNEL_MESSAGES = "POST /channels/{channel}/messages"


def _valid_command_name(name: Any) -> bool:
    """``^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$``, lowercase where a lowercase form exists."""
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        return False
    for ch in name:
        cat = unicodedata.category(ch)
        if ch in _NAME_PUNCT or cat[0] in "LN" or (cat in ("Mn", "Mc") and _deva_or_thai(ch)):
            if ch.lower() != ch:
                return False
            continue
        return False
    return True


def _deva_or_thai(ch: str) -> bool:
    return 0x0900 <= ord(ch) <= 0x097F or 0x0E00 <= ord(ch) <= 0x0E7F


def _flag_set(value: Any) -> bool:
    return str(value).lower() in ("1", "true")


def _id(obj: Any) -> int:
    if isinstance(obj, FakeUser | FakeRole | FakeChannel | FakeGuild):
        return obj.id
    if isinstance(obj, FakeMember):
        return obj.user.id
    if isinstance(obj, dict):
        return int(obj["id"])
    return int(obj)


def _redact(path: str) -> str:
    return _INTERACTION_TOKEN_RE.sub(r"\1<token>", path)


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise _HTTPError(400, 50109, "The request body contains invalid JSON.") from None


def _default_message(status: int) -> str:
    return {
        400: "400: Bad Request",
        401: "401: Unauthorized",
        403: "Missing Permissions",
        404: "404: Not Found",
        500: "500: Internal Server Error",
        502: "502: Bad Gateway",
        503: "503: Service Unavailable",
    }.get(status, f"{status}: Error")


def _command_size(cmd: dict[str, Any]) -> int:
    def opt_size(opt: dict[str, Any]) -> int:
        n = len(opt.get("name") or "") + len(opt.get("description") or "")
        for choice in opt.get("choices") or []:
            n += len(choice.get("name") or "") + len(str(choice.get("value", "")))
        for sub in opt.get("options") or []:
            n += opt_size(sub)
        return n

    return opt_size(cmd)
