"""How a Discord client renders a message's markdown, for the parts that matter to us.

Discord's clients parse messages with a fork of ``simple-markdown``: at each position the
rules are tried in order and the first whose regex matches at that position wins; whatever
no rule claims is plain text.  This module reproduces the rules that decide what is hidden
and what could ping:

* code block   ``^```(?:lang\\n)?\\n*(body)\\n*```  ``  -- nothing inside is markup
* inline code  ``^(`+)([\\s\\S]*?[^`])\\1(?!`)``      -- nothing inside is markup
* escape       ``^\\\\([^0-9A-Za-z\\s])``             -- the character is literal, the backslash vanishes
* spoiler      ``^\\|\\|([\\s\\S]+?)\\|\\|``           -- the inside is parsed again, recursively
* autolink     ``^<([^: >]+:\\/[^ >]+)>``             -- ``<https://x>`` renders as the bare URL
* url          ``^(https?:\\/\\/[^\\s<]+[^<.,:;"')\\]\\s])`` -- a bare URL; nothing inside is markup
* link         ``[label](href "title")``              -- only the label shows (parsed again, no URLs)
* mentions     ``@everyone``, ``@here``, ``<@id>``, ``<@!id>``, ``<@&id>``, ``<#id>``

Consequences worth knowing (they are how the real client behaves, not bugs here):

* An escape only protects the character it precedes *at the position the parser reaches it*.
  Inside a spoiler the lazy regex closes the spoiler at the first ``||`` after at least one
  character, even if that ``||`` is ``\\||`` or inside backticks: ``||a\\|||`` is spoiler ``a\\``
  followed by a visible ``|``, and ``||a `||` b||`` leaks `` ` b||``.
* An unclosed ``||`` or backtick is literal text.
* ``||||`` is literal (a spoiler needs at least one character).
* A bare URL swallows what follows up to whitespace, pipes included: in
  ``https://x.example/a||b||`` nothing is hidden. ``<https://...>`` ends at ``>``.

Other markup (bold, italics, headers, lists, quotes...) is not interpreted: its characters stay
in the text, which is what matters for "is this text visible" checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Node", "mentions", "parse", "parse_spoilers", "spoiler_text", "visible_text"]

_CODE_BLOCK = re.compile(r"```(?:([a-z0-9_+\-.#]+?)\n)?\n*([^\n][\s\S]*?)\n*```")
_INLINE_CODE = re.compile(r"(`+)([\s\S]*?[^`])\1(?!`)")
_ESCAPE = re.compile(r"\\([^0-9A-Za-z\s])")
_SPOILER = re.compile(r"\|\|([\s\S]+?)\|\|")
_MENTION = re.compile(r"@everyone|@here|<@!?\d+>|<@&\d+>|<#\d+>")
_AUTOLINK = re.compile(r"<([^: >]+:/[^ >]+)>")
_URL = re.compile(r"https?://[^\s<]+[^<.,:;\"')\]\s]")
_LINK_INSIDE = r"(?:\[[^\]]*\]|[^\[\]]|\](?=[^\[]*\]))*"
_LINK_HREF_AND_TITLE = r"\s*<?((?:\([^)]*\)|[^\s\\]|\\.)*?)>?(?:\s+['\"]([\s\S]*?)['\"])?\s*"
_LINK = re.compile(r"\[(" + _LINK_INSIDE + r")\]\(" + _LINK_HREF_AND_TITLE + r"\)")


@dataclass(frozen=True)
class Node:
    """One rendered piece: ``kind`` is "text", "code", "link" or "mention"."""

    kind: str
    text: str
    spoiler: bool


def _parse(source: str, in_spoiler: bool, out: list[Node], in_link: bool = False) -> None:
    pos = 0
    buf: list[str] = []

    def flush() -> None:
        if buf:
            out.append(Node("text", "".join(buf), in_spoiler))
            buf.clear()

    n = len(source)
    while pos < n:
        ch = source[pos]
        if ch == "`":
            m = _CODE_BLOCK.match(source, pos) or _INLINE_CODE.match(source, pos)
            if m:
                flush()
                out.append(Node("code", m.group(2), in_spoiler))
                pos = m.end()
                continue
        elif ch == "\\":
            m = _ESCAPE.match(source, pos)
            if m:
                buf.append(m.group(1))
                pos = m.end()
                continue
        elif ch == "|":
            m = _SPOILER.match(source, pos)
            if m:
                flush()
                _parse(m.group(1), True, out, in_link)
                pos = m.end()
                continue
        elif ch in "@<":
            m = _MENTION.match(source, pos)
            if m:
                flush()
                out.append(Node("mention", m.group(0), in_spoiler))
                pos = m.end()
                continue
            m = _AUTOLINK.match(source, pos) if ch == "<" and not in_link else None
            if m:
                flush()
                out.append(Node("link", m.group(1), in_spoiler))
                pos = m.end()
                continue
        elif ch == "[" and not in_link:
            m = _LINK.match(source, pos)
            if m:
                flush()
                _parse(m.group(1), in_spoiler, out, in_link=True)  # the href is not shown
                pos = m.end()
                continue
        elif ch == "h" and not in_link:
            m = _URL.match(source, pos)
            if m:
                flush()
                out.append(Node("link", m.group(0), in_spoiler))
                pos = m.end()
                continue
        buf.append(ch)
        pos += 1
    flush()


def parse(content: str) -> list[Node]:
    """The message as the client's parser sees it, node by node."""
    out: list[Node] = []
    _parse(content, False, out)
    return out


def parse_spoilers(content: str) -> list[tuple[str, bool]]:
    """Rendered text segments in order, each with whether it is inside a spoiler.

    Adjacent pieces with the same spoiler state are merged; empty pieces are dropped.
    """
    segments: list[tuple[str, bool]] = []
    for node in parse(content):
        if not node.text:
            continue
        if segments and segments[-1][1] == node.spoiler:
            segments[-1] = (segments[-1][0] + node.text, node.spoiler)
        else:
            segments.append((node.text, node.spoiler))
    return segments


def visible_text(content: str) -> str:
    """Everything a reader sees without clicking a spoiler, escapes removed."""
    return "".join(text for text, hidden in parse_spoilers(content) if not hidden)


def spoiler_text(content: str) -> str:
    """Everything hidden behind spoilers, concatenated."""
    return "".join(text for text, hidden in parse_spoilers(content) if hidden)


def mentions(content: str) -> list[str]:
    """Mentions Discord would parse (and ping, if allowed_mentions let it), in order.

    Escaped (``\\@everyone``), zero-width-broken (``@\\u200beveryone``) and code-span mentions
    are not mentions.  Mentions inside spoilers still are.
    """
    return [node.text for node in parse(content) if node.kind == "mention"]
