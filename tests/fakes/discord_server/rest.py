"""REST plumbing: authentication, routing a request to its handler, reading JSON or multipart bodies,
and the request log.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from .ratelimits import RateLimitsPart
from .validation import _default_message, _HTTPError, _loads, _redact


class RestPart(RateLimitsPart):
    """One layer of FakeDiscord: the protocol part this module's docstring names."""

    async def _rest_handler(self, request: web.Request) -> web.StreamResponse:
        try:
            return await self._rest(request)
        finally:
            await self._notify()

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["version"] != "10":
            return self._respond(request, 400, {"message": "Invalid API version", "code": 50041}, None)
        path = "/" + request.match_info["tail"]
        path_known = False
        for route in self._routes:
            m = route[1].match(path)
            path_known = path_known or m is not None
            if m and route[0] == request.method:
                break
        else:
            self.unhandled.append((request.method, _redact(path)))
            if path_known:
                return self._respond(request, 405, {"message": "405: Method Not Allowed", "code": 0}, None)
            return self._respond(request, 404, {"message": "404: Not Found", "code": 0}, None)
        _, _, template, major, auth, handler = route
        params = m.groupdict()
        bucket = self._bucket(template, params.get(major, "") if major else "")
        if auth and request.headers.get("Authorization") != f"Bot {self._token}":
            return self._respond(request, 401, {"message": "401: Unauthorized", "code": 0}, bucket)
        now = self._now()
        for inj in self._injected:
            if inj.remaining > 0 and inj.pattern.search(path) and inj.method in (None, request.method):
                inj.remaining -= 1
                if inj.status == 429:
                    return self._too_many(request, bucket, inj.retry_after)
                body = {"message": inj.message or _default_message(inj.status), "code": inj.code}
                return self._respond(request, inj.status, body, bucket)
        if not bucket.take(now):
            return self._too_many(request, bucket, max(bucket.reset_at - now, 0.001))
        try:
            status, body = await handler(request, **params)
        except _HTTPError as err:
            return self._respond(request, err.status, err.body, bucket)
        return self._respond(request, status, body, bucket)

    async def _read_body(self, request: web.Request) -> tuple[dict[str, Any], list[tuple[str, bytes, str | None]]]:
        ctype = request.content_type
        files: list[tuple[str, bytes, str | None]] = []
        if ctype == "multipart/form-data":
            form = await request.post()
            raw = form.get("payload_json")
            body: Any = {}
            if raw is not None:
                text = raw if isinstance(raw, str) else raw.file.read().decode()  # type: ignore[union-attr]
                body = _loads(text)
            for key in form:
                if re.fullmatch(r"files\[\d+\]", key):
                    item = form[key]
                    files.append((item.filename, item.file.read(), item.content_type))  # type: ignore[union-attr]
            return body, files
        text = await request.text()
        if not text:
            return {}, files
        if ctype != "application/json":
            raise _HTTPError(400, 50109, "The request body contains invalid JSON.")
        return _loads(text), files
