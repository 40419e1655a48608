"""Review files sent as Telegram documents: size-checked before download, bytes to the core.

The core is asked first, with `document.file_size`, so a member's or an oversized
file is refused without fetching it (getFile itself would happily serve 20 MB).
The limit, its message, decoding and the .txt/.md rule stay in the core
(`bot.commands`), so Telegram and Discord uploads are judged by the same code.
"""

from __future__ import annotations

from telegram import Bot, Document

from bot.commands import check_file_size
from bot.replies import Attachment

from .sending import call


async def download(bot: Bot, document: Document) -> Attachment:
    """The document as an `Attachment`; BadInput (the core's one line) when it turns out too big.

    The caller has asked the core first (`AsyncCore.admit` with the announced size);
    getFile and the download itself are checked again, as the announced size may be missing.
    """
    name = document.file_name or "document"
    tg_file = await call(lambda: bot.get_file(document.file_id), what="getFile")
    if tg_file.file_size is not None:
        check_file_size(tg_file.file_size)
    data = bytes(await call(tg_file.download_as_bytearray, what="file download"))
    check_file_size(len(data))
    return Attachment(filename=name, data=data, content_type=document.mime_type)
