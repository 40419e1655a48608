"""Review files sent as Discord attachments: bytes to the core, after the core said yes.

The caller asks the core first (`AsyncCore.admit` with `attachment.size`), so a
member's or an oversized file is refused without fetching it. The limit, its
message, decoding and the .txt/.md rule stay in the core (`bot.commands`), so
Discord and Telegram uploads are judged by the same code. Mirrors
`adapters/telegram/files.py`.
"""

from __future__ import annotations

import logging

import aiohttp
import discord

from bot.commands import check_file_size
from bot.errors import BadInput
from bot.replies import Attachment

log = logging.getLogger("moviebot.discord")
DOWNLOAD_FAILED = "I could not download that file from Discord; please try again."


async def download(attachment: discord.Attachment) -> Attachment:
    """The attachment's bytes as an `Attachment`; BadInput (one line for the user) when that fails."""
    try:
        data = await attachment.read()
    except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
        log.warning("could not download an attachment: %s", type(exc).__name__)
        raise BadInput(DOWNLOAD_FAILED) from None
    check_file_size(len(data))
    return Attachment(attachment.filename, data, attachment.content_type)
