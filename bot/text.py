"""Plain-text helpers every layer of the core may use; this module imports nothing from the bot.

`clean_line` lived in `core.py`, which made every module that echoes user text import
the bot itself; here it sits at the bottom of the import graph.
"""

from __future__ import annotations

# The longest review the bot stores, from chat, a file or an import alike: beyond it one
# /review of the film would become hundreds of messages.
MAX_REVIEW_CHARS = 50_000


def clean_line(text: str) -> str:
    """One line of user text with control and zero-width characters removed."""
    if text.isprintable():  # the usual case, in one C call: nothing to remove, only spaces to fold
        return " ".join(text.split())
    out = []
    for ch in text:
        if ch in "\n\r\t":
            out.append(" ")
        elif ch.isprintable():
            out.append(ch)
    return " ".join("".join(out).split())
