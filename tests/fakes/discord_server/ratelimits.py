"""Rate limits and error responses: per-route buckets with honest X-RateLimit-* headers, 429 bodies
with retry_after and a Via header, injected failures, and the JSON error envelope.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .base import FakeDiscordBase
from .model import FakeChannel
from .records import RequestRecord
from .validation import _CHANNEL_MESSAGES, _id, _redact


class _Bucket:
    def __init__(self, name: str, limit: int, window: float) -> None:
        self.name = name
        self.hash = hashlib.sha1(name.encode()).hexdigest()[:16]
        self.limit = limit
        self.window = window
        self.reset_at = 0.0
        self.count = 0

    def _roll(self, now: float) -> None:
        if now >= self.reset_at:
            self.count = 0
            self.reset_at = now + self.window

    def exhaust(self, now: float) -> None:
        self._roll(now)
        self.count = self.limit

    def take(self, now: float) -> bool:
        self._roll(now)
        if self.count >= self.limit:
            return False
        self.count += 1
        return True

    def headers(self, now: float, wall: float) -> dict[str, str]:
        reset_after = max(self.reset_at - now, 0.0)
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.limit - self.count, 0)),
            "X-RateLimit-Reset": f"{wall + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": self.hash,
        }


@dataclass
class _Injected:
    pattern: re.Pattern[str]
    method: str | None
    status: int
    code: int
    remaining: int
    message: str | None
    retry_after: float


class RateLimitsPart(FakeDiscordBase):
    """One layer of FakeDiscord: the protocol part this module's docstring names."""

    def _bucket(self, template: str, major: str) -> _Bucket:
        key = (template, major)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(template, 1, 1.0)
        # Follow the current settings, so a test may change them at any time.
        bucket.limit, bucket.window = (
            self.channel_message_limit if template == _CHANNEL_MESSAGES else self.default_limit
        )
        return bucket

    def exhaust_channel_bucket(self, channel: FakeChannel | int) -> None:
        """Use up the channel's message bucket, as if another process had posted with our token."""
        self._bucket(_CHANNEL_MESSAGES, str(_id(channel))).exhaust(self._now())

    def inject_error(
        self,
        route_regex: str,
        status: int,
        code: int = 0,
        count: int = 1,
        *,
        method: str | None = None,
        message: str | None = None,
        retry_after: float = 0.3,
    ) -> None:
        """The next ``count`` requests whose path (after /api/v10) matches ``route_regex`` get this error.
        Status 429 produces a proper rate-limit response (retry_after, Retry-After, Via)."""
        self._injected.append(_Injected(re.compile(route_regex), method, status, code, count, message, retry_after))

    def _respond(
        self,
        request: web.Request,
        status: int,
        body: Any,
        bucket: _Bucket | None,
        extra: dict[str, str] | None = None,
    ) -> web.Response:
        headers = {"Via": "1.1 google"}
        if bucket is not None:
            headers.update(bucket.headers(self._now(), time.time()))
        if extra:
            headers.update(extra)
        code = body.get("code") if isinstance(body, dict) and status >= 400 else None
        self.requests.append(RequestRecord(request.method, _redact(request.path), status, code))
        if status in (401, 403) or (status == 429 and headers.get("X-RateLimit-Scope") != "shared"):
            self.invalid_request_count += 1
        if body is None:
            return web.Response(status=status, headers=headers)
        headers["Content-Type"] = "application/json"
        return web.Response(status=status, body=json.dumps(body).encode(), headers=headers)

    def _too_many(self, request: web.Request, bucket: _Bucket, retry_after: float) -> web.Response:
        self.ratelimited_count += 1
        body = {
            "message": "You are being rate limited.",
            "retry_after": round(retry_after, 3),
            "global": False,
        }
        extra = {
            "Retry-After": str(max(1, int(retry_after + 0.999))),
            "X-RateLimit-Scope": "user",
            "X-RateLimit-Global": "false",
        }
        return self._respond(request, 429, body, bucket, extra)
