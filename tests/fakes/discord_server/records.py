# ruff: noqa: ASYNC109  -- the waiting helpers take timeout= on purpose (test API)
"""What the fake records for tests to read: requests, messages sent or rejected, interactions."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from .model import MessageFlag


@dataclass
class RequestRecord:
    method: str
    path: str  # interaction tokens replaced by "<token>"
    status: int
    code: int | None = None


@dataclass
class SentMessage:
    """An accepted message create or edit. ``route`` is one of: channel, interaction-response,
    update-message, followup, edit-original, edit-followup."""

    id: int
    route: str
    channel_id: int
    guild_id: int | None
    content: str
    embeds: list[dict[str, Any]]
    components: list[dict[str, Any]]
    flags: int
    allowed_mentions: dict[str, Any] | None
    attachments: list[dict[str, Any]]
    author_id: int
    interaction_id: int | None
    request: dict[str, Any]  # the JSON body as sent (payload_json for multipart)
    pings: list[str]  # mentions that would actually notify someone
    files: list[tuple[str, bytes]] = field(default_factory=list)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & MessageFlag.EPHEMERAL)

    @property
    def is_edit(self) -> bool:
        return self.route in ("edit-original", "edit-followup", "update-message")

    @property
    def markdown(self) -> str:
        """Everything a reader sees as markdown: the content, then each embed's title,
        description, fields and footer, one per line (an embed card has no content)."""
        parts = [self.content] if self.content else []
        for e in self.embeds:
            parts += [e.get("title") or "", e.get("description") or ""]
            for f in e.get("fields") or []:
                parts += [f.get("name") or "", f.get("value") or ""]
            parts.append((e.get("footer") or {}).get("text") or "")
        return "\n".join(p for p in parts if p)


@dataclass
class RejectedMessage:
    route: str
    method: str
    path: str
    status: int
    error: dict[str, Any]
    request: dict[str, Any] | None
    interaction_id: int | None = None


@dataclass
class InteractionRecord:
    id: int
    token: str
    type: int
    name: str  # command name, custom_id for components and modals
    payload: dict[str, Any]
    guild_id: int | None
    channel_id: int
    user_id: int
    dispatched_at: float = 0.0
    response_type: int | None = None
    response: dict[str, Any] | None = None  # the accepted initial callback body
    acknowledged_at: float | None = None
    late: bool = False
    rejected: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (status, error body)
    original_message_id: int | None = None
    original_loading: bool = False
    followup_ids: list[int] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    component_message_id: int | None = None
    _acked: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def acknowledged(self) -> bool:
        return self.response_type is not None

    @property
    def ephemeral(self) -> bool:
        data = (self.response or {}).get("data") or {}
        return bool(int(data.get("flags") or 0) & MessageFlag.EPHEMERAL)

    async def wait_response(self, timeout: float = 5.0) -> dict[str, Any]:
        """The accepted initial callback body (``{"type": .., "data": ..}``)."""
        await asyncio.wait_for(self._acked.wait(), timeout)
        assert self.response is not None
        return self.response
