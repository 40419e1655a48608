"""Constants and what the fake records for tests to read: requests, sent messages and documents,
rejected calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

MAX_DOWNLOAD_SIZE = 20 << 20  # tdlib/telegram-bot-api Client.h MAX_DOWNLOAD_FILE_SIZE

MAX_CAPTION_LENGTH = 1024

ANONYMOUS_ADMIN_ID = 1087968824  # @GroupAnonymousBot

CHANNEL_BOT_ID = 136817688  # @Channel_Bot (messages sent on behalf of a channel)

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)

_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"

_DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")

_ADMIN_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)

_RESTRICTED_RIGHTS = (
    "is_member",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_send_messages",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_manage_topics",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_edit_tag",
    "can_react_to_messages",
)


@dataclass
class RecordedRequest:
    method: str  # as spelled in the URL
    params: dict[str, Any]  # as received: strings for form/multipart bodies
    files: dict[str, tuple[str, bytes, str]]  # part name -> (file name, content, content type)
    time: float  # time.monotonic() when received
    status: int | None = None  # HTTP status of the answer
    response: Any = None  # the JSON answer


@dataclass
class SentMessage:
    chat_id: int
    message_id: int
    text: str  # raw text as sent (HTML source when parse_mode=HTML)
    plain: str  # text after entity parsing and trimming, as users see it
    entities: list[dict]
    parse_mode: str | None
    message_thread_id: int | None = None
    reply_markup: dict | None = None
    reply_to_message_id: int | None = None
    edits: list[SentMessage] = field(default_factory=list)  # later versions (editMessageText)
    deleted: bool = False


@dataclass
class SentDocument:
    chat_id: int
    message_id: int
    file_name: str | None
    content: bytes | None  # None when a file_id/URL string was sent instead of an upload
    mime_type: str | None
    caption: str | None
    caption_plain: str | None
    caption_entities: list[dict]
    message_thread_id: int | None = None
    reply_markup: dict | None = None


@dataclass
class Rejected:
    method: str
    chat_id: Any
    params: dict[str, Any]
    error_code: int
    description: str
    injected: bool = False


@dataclass
class _Injection:
    method: str
    chat_id: str | None
    code: int
    description: str
    parameters: dict | None
    remaining: int
    after: int = 0  # matching calls to let through before failing


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes
    file_name: str | None
    mime_type: str | None
    file_size: int
    file_path: str | None = None
