"""Review files sent as Telegram documents: size-checked before download, bytes to the core.

The size check uses `document.file_size` so an oversized file is refused without
fetching it (getFile itself would happily serve 20 MB). Decoding and the
.txt/.md rule stay in the core (`bot.commands.review_text`), so Telegram and
Discord uploads are judged by the same code.
"""

from __future__ import annotations

from telegram import Bot, Document

from bot.commands import MAX_FILE_BYTES
from bot.errors import BadInput
from bot.replies import Attachment

from .sending import call


def too_big_message(size: int) -> str:
    return f"That file is {size // 1024} KB; the limit is {MAX_FILE_BYTES // 1024} KB."


async def download(bot: Bot, document: Document) -> Attachment:
    """The document as an `Attachment`; BadInput (one line for the user) when it is too big."""
    name = document.file_name or "document"
    if document.file_size is not None and document.file_size > MAX_FILE_BYTES:
        raise BadInput(too_big_message(document.file_size))
    tg_file = await call(lambda: bot.get_file(document.file_id), what="getFile")
    if tg_file.file_size is not None and tg_file.file_size > MAX_FILE_BYTES:
        raise BadInput(too_big_message(tg_file.file_size))
    data = bytes(await call(tg_file.download_as_bytearray, what="file download"))
    if len(data) > MAX_FILE_BYTES:
        raise BadInput(too_big_message(len(data)))
    return Attachment(filename=name, data=data, content_type=document.mime_type)
