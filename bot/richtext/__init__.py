"""Rich text: one neutral document model, readers for every markup people paste,
writers for each platform, a splitter that keeps messages within limits, and a
spoiler detector for reviews that carry no markup.

The public surface the rest of the bot uses is re-exported here.
"""

from .detect import apply_spoiler_mode
from .model import (
    Block,
    Document,
    Span,
    bold,
    concat,
    doc,
    explicit_spoilers,
    italic,
    link,
    normalize,
    para,
    plain_text,
    text_document,
    titled,
)
from .readers import detect_dialects, parse
from .split import split_discord, split_telegram
from .writers import spoiler_free, to_console, to_discord_markdown, to_telegram_html

__all__ = [
    "Block",
    "Document",
    "Span",
    "apply_spoiler_mode",
    "bold",
    "concat",
    "detect_dialects",
    "doc",
    "explicit_spoilers",
    "italic",
    "link",
    "normalize",
    "para",
    "parse",
    "plain_text",
    "spoiler_free",
    "split_discord",
    "split_telegram",
    "text_document",
    "titled",
    "to_console",
    "to_discord_markdown",
    "to_telegram_html",
]
