"""Files: sendDocument (multipart uploads, captions), getFile, and downloads from the file root."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.checks.telegram_html import TelegramError

from .messages import MessagesPart
from .model import MAX_DOWNLOAD_SIZE, SentDocument, _StoredFile
from .validation import _ApiError, _bad, _check_caption


class FilesPart(MessagesPart):
    """One layer of FakeTelegram: the protocol part this module's docstring names."""

    def add_file(
        self,
        content: bytes,
        file_name: str = "file.txt",
        mime_type: str = "text/plain",
        *,
        file_size: int | None = None,
    ) -> dict:
        """Register a file users can send; returns the Bot API Document dict.

        ``file_size`` overrides the reported size (to test the 20 MiB getFile limit cheaply)."""
        n = next(self._ids)
        stored = _StoredFile(
            file_id=f"BQACAgIAAxkBAAI{n:08d}fake",
            file_unique_id=f"AgAD{n:08d}",
            content=content,
            file_name=file_name,
            mime_type=mime_type,
            file_size=len(content) if file_size is None else file_size,
        )
        self._files[stored.file_id] = stored
        doc = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
        }
        if file_name is not None:
            doc["file_name"] = file_name
        if mime_type is not None:
            doc["mime_type"] = mime_type
        return doc

    async def _send_document(self, params: dict, files: dict) -> dict:
        chat = self._chat(params)
        self._check_can_post(chat)
        thread_id = self._thread_id(chat, params)
        content: bytes | None = None
        file_name: str | None = None
        mime: str | None = None
        if "document" in files:
            file_name, content, mime = files["document"]
        elif isinstance(params.get("document"), str) and params["document"].startswith("attach://"):
            part = params["document"][len("attach://") :]
            if part not in files:
                raise _bad("wrong remote file identifier specified: can't unserialize it")
            file_name, content, mime = files[part]
        elif params.get("document"):
            ref = str(params["document"])
            stored = self._files.get(ref)
            if stored is None and not ref.startswith(("http://", "https://")):
                raise _bad("wrong file identifier/HTTP URL specified")
            if stored is not None:
                file_name, content, mime = stored.file_name, stored.content, stored.mime_type
        else:
            raise _bad("there is no document in the request")
        caption = params.get("caption")
        caption_plain: str | None = None
        caption_entities: list[dict[str, Any]] = []
        if caption:
            try:
                caption_plain, caption_entities = _check_caption(str(caption), params.get("parse_mode"))
            except TelegramError as err:
                raise _ApiError(err.error_code, err.description) from None
        markup = self._reply_markup(params)
        reply_to = self._reply_to(chat, params)
        doc = self.add_file(content or b"", file_name or "document", mime or "application/octet-stream")
        mid = self._new_message_id(chat["id"])
        msg = self._base_message(chat, mid, thread_id, reply_to)
        msg["document"] = doc
        if caption_plain:
            msg["caption"] = caption_plain
            if caption_entities:
                msg["caption_entities"] = caption_entities
        if markup is not None and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        self._messages[(chat["id"], mid)] = msg
        self.documents.append(
            SentDocument(
                chat_id=chat["id"],
                message_id=mid,
                file_name=file_name,
                content=content,
                mime_type=mime,
                caption=None if caption is None else str(caption),
                caption_plain=caption_plain,
                caption_entities=caption_entities,
                message_thread_id=thread_id,
                reply_markup=markup,
            )
        )
        return msg

    async def _get_file(self, params: dict, files: dict) -> dict:
        file_id = str(params.get("file_id", ""))
        if not file_id:
            raise _bad("file_id is empty")
        stored = self._files.get(file_id)
        if stored is None:
            raise _bad("wrong file_id or the file is temporarily unavailable")
        if stored.file_size > MAX_DOWNLOAD_SIZE:
            raise _bad("file is too big")
        if stored.file_path is None:
            ext = ""
            if stored.file_name and "." in stored.file_name:
                ext = "." + stored.file_name.rsplit(".", 1)[1]
            stored.file_path = f"documents/file_{len(self._files_by_path)}{ext}"
            self._files_by_path[stored.file_path] = stored
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }

    def _download(self, token: str, file_path: str) -> web.Response:
        if token != self.token:
            return self._json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        stored = self._files_by_path.get(file_path)
        if stored is None:
            return self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        return web.Response(body=stored.content, content_type="application/octet-stream")
