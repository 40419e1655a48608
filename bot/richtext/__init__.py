"""Rich text: one neutral document model, readers for every markup people paste,
writers for each platform, a splitter that keeps messages within limits, and a
spoiler detector for reviews that carry no markup, and `read_review`: the one way
every input path reads review text (intake.py).

The public surface the rest of the bot uses is re-exported here.
"""

from .detect import FilmHints, apply_spoiler_mode
from .intake import film_hints, read_review, spoiler_option, utf16_ranges, with_marks
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
    "FilmHints",
    "Span",
    "apply_spoiler_mode",
    "bold",
    "concat",
    "detect_dialects",
    "doc",
    "explicit_spoilers",
    "film_hints",
    "italic",
    "link",
    "normalize",
    "para",
    "parse",
    "plain_text",
    "read_review",
    "spoiler_free",
    "split_discord",
    "split_telegram",
    "spoiler_option",
    "text_document",
    "titled",
    "to_console",
    "to_discord_markdown",
    "to_telegram_html",
    "utf16_ranges",
    "with_marks",
]
