"""A strict stand-in for Telegram's side of ``parse_mode="HTML"``.

Mirrors TDLib's ``parse_html`` / ``decode_html_entity`` (``tdlib/td:td/telegram/MessageEntity.cpp``) and the
Bot API server's text checks (``tdlib/telegram-bot-api:telegram-bot-api/Client.cpp``).

Deliberate differences from the real server, all in the *stricter* direction so that tests catch our bugs:

* Nesting that Telegram silently repairs (an entity inside ``code``/``pre``, a blockquote inside a
  blockquote, a link inside a link) is an error here.  The description says so:
  ``... (strict check: Telegram would silently drop it)``.
* The 4096 limit is checked both in code points (what TDLib counts) and in UTF-16 code units (what our
  splitter budgets); exceeding either one is "message is too long".
* URLs in ``<a href>`` are only normalised lightly (a missing scheme becomes ``http://``); an href that
  is obviously not a URL drops the entity, as Telegram does.

Offsets and lengths of returned entities are in UTF-16 code units.  Byte offsets inside error
descriptions are UTF-8 byte offsets into the raw input, exactly like Telegram's.
"""

from __future__ import annotations

import re

__all__ = [
    "MAX_MESSAGE_LENGTH",
    "MAX_RAW_TEXT_BYTES",
    "TelegramError",
    "check_formatted",
    "check_message",
    "parse_html",
    "utf16_len",
]

MAX_MESSAGE_LENGTH = 4096
MAX_RAW_TEXT_BYTES = 1 << 15  # 32768; the Bot API server refuses longer raw input before parsing

_ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
        "tg-time",
    }
)
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
# TDLib's is_space(): note that it is true for NUL, which is how the C code notices the end of input.
_SPACE = frozenset(" \t\r\n\v\0")
# Whitespace trimmed around the final text (TDLib fix_formatted_text trims these).
_TRIM = " \t\r\n\v\f"


class TelegramError(Exception):
    """An error answer as the Bot API would send it (``description`` is the full description)."""

    def __init__(self, description: str, error_code: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.error_code = error_code


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (what Telegram entity offsets count)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _parse_error(detail: str) -> TelegramError:
    return TelegramError("Bad Request: can't parse entities: " + detail)


def _is_alpha(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _is_hex(ch: str) -> bool:
    return _is_digit(ch) or ("a" <= ch <= "f") or ("A" <= ch <= "F")


def _decode_html_entity(text: str, pos: int) -> tuple[int, int]:
    """Port of TDLib ``decode_html_entity``: returns (code point or 0, position after the reference)."""

    def at(k: int) -> str:
        return text[k] if k < len(text) else "\0"

    end = pos + 1
    res = 0
    if at(pos + 1) == "#":
        end += 1
        if at(pos + 2) == "x":
            end += 1
            while _is_hex(at(end)):
                res = res * 16 + int(at(end), 16)
                end += 1
        else:
            while _is_digit(at(end)):
                res = res * 10 + int(at(end))
                end += 1
        if res == 0 or res >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while _is_alpha(at(end)):
            end += 1
        name = text[pos + 1 : end]
        res = {"lt": 0x3C, "gt": 0x3E, "amp": 0x26, "quot": 0x22}.get(name, 0)
        if res == 0:
            return 0, pos  # unsupported named reference: stays literal, not an error
    if at(end) == ";":
        end += 1
    return res, end


def _checked_link(url: str) -> str | None:
    """Very small version of LinkManager::get_checked_link: None means "drop the entity"."""
    url = url.strip()
    if not url or any(ch in url for ch in ' \t\r\n<>"'):
        return None
    m = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    if m:
        scheme = m.group(1).lower()
        if scheme in ("http", "https", "ftp"):
            return url if re.match(r"^[a-zA-Z]+://[^/?#\s]+", url) else None
        if scheme in ("tg", "ton", "tonsite", "mailto"):
            return url
        # something like "localhost:8080" or "javascript:alert(1)"; only host:port is a link
        if re.match(r"^[\w.-]+:\d+(/|$)", url):
            return "http://" + url
        return None
    if re.match(r"^[\w-]+(\.[\w-]+)+(:\d+)?([/?#].*)?$", url):
        return "http://" + url
    return None


def parse_html(text: str, *, strict_nesting: bool = True) -> tuple[str, list[dict]]:
    """Parse Telegram HTML like TDLib does.

    Returns ``(plain_text, entities)``; entities are Bot API dicts ``{"type", "offset", "length"}`` plus
    ``url`` (text_link), ``user`` (text_mention), ``language`` (pre), ``custom_emoji_id``,
    ``unix_time``/``date_time_format`` (date_time).  Raises :class:`TelegramError` with Telegram's
    description on bad markup.  The text is *not* trimmed here (see :func:`check_formatted`).
    """
    n = len(text)

    def at(k: int) -> str:
        return text[k] if k < n else "\0"

    out: list[str] = []
    utf16 = 0
    # raw entity records: [type, offset, length, extra-dict, start-tag index in raw text]
    entities: list[list] = []
    # open tags: (tag_name, argument, utf16 offset, index into out, raw index of "<", attrs)
    stack: list[tuple[str, str, int, int, int, dict]] = []
    has_surrogate = False

    i = 0
    while i < n:
        c = text[i]
        if c == "&":
            code, nxt = _decode_html_entity(text, i)
            if code:
                if 0xD800 <= code <= 0xDFFF:
                    has_surrogate = True
                out.append(chr(code))
                utf16 += 2 if code > 0xFFFF else 1
                i = nxt
                continue
        if c != "<":
            out.append(c)
            utf16 += 2 if ord(c) > 0xFFFF else 1
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != "/":
            # start tag
            while at(i) not in _SPACE and at(i) != ">":
                i += 1
            if i >= n:
                raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
            tag = text[begin + 1 : i].lower()
            if tag not in _ALLOWED_TAGS:
                raise _parse_error(f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}')
            argument = ""
            attrs: dict[str, str] = {}
            while at(i) != ">":
                while i < n and at(i) in _SPACE:
                    i += 1
                if at(i) == ">":
                    break
                if i >= n:
                    raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
                attr_begin = i
                while at(i) not in _SPACE and at(i) not in "=>":
                    i += 1
                attr_name = text[attr_begin:i]
                if not attr_name:
                    raise _parse_error(
                        f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(text, begin)}'
                    )
                while i < n and at(i) in _SPACE:
                    i += 1
                if at(i) != "=":
                    # attribute without a value (e.g. <blockquote expandable>)
                    if i >= n:
                        raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
                    attrs[attr_name] = ""
                    continue
                i += 1  # skip '='
                while i < n and at(i) in _SPACE:
                    i += 1
                if i >= n:
                    raise _parse_error(f'Unclosed start tag "{tag}" at byte offset {_byte_offset(text, begin)}')
                if at(i) not in "'\"":
                    token_begin = i
                    while at(i).isascii() and (at(i).isalnum() or at(i) in ".-") and at(i) != "\0":
                        i += 1
                    value = text[token_begin:i].lower()
                    if at(i) not in _SPACE and at(i) != ">":
                        raise _parse_error(
                            f"Unexpected end of name token at byte offset {_byte_offset(text, token_begin)}"
                        )
                else:
                    quote = text[i]
                    i += 1
                    buf: list[str] = []
                    while i < n and text[i] != quote:
                        if text[i] == "&":
                            code, nxt = _decode_html_entity(text, i)
                            if code:
                                buf.append(chr(code))
                                i = nxt
                                continue
                        buf.append(text[i])
                        i += 1
                    if i < n:
                        i += 1  # closing quote
                    value = "".join(buf)
                if i >= n:
                    raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
                attrs[attr_name] = value
                if tag == "a" and attr_name == "href":
                    argument = value
                elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                    argument = value[9:]
                elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                    argument = value[3:]
                elif tag == "tg-emoji" and attr_name == "emoji-id":
                    argument = value
            if tag == "span" and argument != "spoiler":
                raise _parse_error(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, begin)}'
                )
            i += 1  # skip '>'
            stack.append((tag, argument, utf16, len(out), begin, attrs))
            continue

        # end tag
        if not stack:
            raise _parse_error(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
        while at(i) not in _SPACE and at(i) != ">":
            i += 1
        end_name = text[begin + 2 : i].lower()
        while i < n and at(i) in _SPACE:
            i += 1
        if at(i) != ">":
            raise _parse_error(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
        i += 1
        tag, argument, start16, start_out, start_raw, attrs = stack[-1]
        if end_name and end_name != tag:
            raise _parse_error(
                f'Unmatched end tag at byte offset {_byte_offset(text, begin)}, expected "</{tag}>", '
                f'found "</{end_name}>"'
            )
        stack.pop()
        if utf16 <= start16:
            continue  # zero-length entities are dropped silently
        length = utf16 - start16
        if tag in _SIMPLE_TYPES or tag == "span":
            entities.append([_SIMPLE_TYPES.get(tag, "spoiler"), start16, length, {}, start_raw])
        elif tag == "tg-emoji":
            if not argument.isdigit() or int(argument) == 0 or int(argument) >= 2**63:
                raise _parse_error("Invalid custom emoji identifier specified")
            entities.append(["custom_emoji", start16, length, {"custom_emoji_id": argument}, start_raw])
        elif tag == "tg-time":
            unix = attrs.get("unix", "")
            if not unix.lstrip("-").isdigit():
                raise _parse_error(f"Invalid Unix time specified at byte offset {_byte_offset(text, start_raw)}")
            extra: dict = {"unix_time": int(unix)}
            if attrs.get("format"):
                extra["date_time_format"] = attrs["format"]
            entities.append(["date_time", start16, length, extra, start_raw])
        elif tag == "a":
            url = argument or "".join(out[start_out:])
            m = re.fullmatch(r"tg://user\?id=(\d+)", url)
            if m and int(m.group(1)) > 0:
                user = {"id": int(m.group(1)), "is_bot": False, "first_name": "User"}
                entities.append(["text_mention", start16, length, {"user": user}, start_raw])
            else:
                checked = _checked_link(url)
                if checked is not None:
                    entities.append(["text_link", start16, length, {"url": checked}, start_raw])
        elif tag == "pre":
            last = entities[-1] if entities else None
            if last is not None and last[0] == "code" and last[1] == start16 and last[2] == length:
                # <pre><code class="language-x">...</code></pre> -> one pre entity (with language)
                last[0] = "pre"
                lang = last[3].pop("_language", "")
                if lang:
                    last[3]["language"] = lang
                last[4] = start_raw
            else:
                entities.append(["pre", start16, length, {}, start_raw])
        elif tag == "code":
            last = entities[-1] if entities else None
            same_range = last is not None and last[1] == start16 and last[2] == length
            if last is not None and same_range and last[0] == "pre" and argument:
                last[3]["language"] = argument
            else:
                extra = {"_language": argument} if argument else {}
                entities.append(["code", start16, length, extra, start_raw])
        elif tag == "blockquote":
            kind = "expandable_blockquote" if "expandable" in attrs else "blockquote"
            entities.append([kind, start16, length, {}, start_raw])
        else:  # pragma: no cover - all allowed tags are handled above
            raise AssertionError(tag)

    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')

    plain = "".join(out)
    if has_surrogate:
        try:
            plain.encode("utf-8")
        except UnicodeEncodeError:
            raise TelegramError(
                "Bad Request: can't parse entities: Text contains invalid Unicode characters after decoding "
                "HTML entities, check for unmatched surrogate code units"
            ) from None

    for ent in entities:
        ent[3].pop("_language", None)  # inline code never keeps a language
    if strict_nesting:
        _check_nesting(text, entities)

    # Telegram sorts entities by offset, outer (longer / closed later) first.
    order = sorted(range(len(entities)), key=lambda k: (entities[k][1], -entities[k][2], -k))
    result = []
    for etype, offset, length, extra, _raw in (entities[k] for k in order):
        d = {"type": etype, "offset": offset, "length": length}
        d.update(extra)
        result.append(d)
    return plain, result


_QUOTES = ("blockquote", "expandable_blockquote")
_LINKS = ("text_link", "text_mention")


def _check_nesting(raw: str, entities: list[list]) -> None:
    """Reject nesting Telegram would repair silently.  ``entities`` is in closing order, so for two
    entities over the same range the one closed first (lower index) is the inner one."""
    for ii, inner in enumerate(entities):
        i_start, i_end = inner[1], inner[1] + inner[2]
        for oi, outer in enumerate(entities):
            if oi == ii:
                continue
            o_start, o_end = outer[1], outer[1] + outer[2]
            if not (o_start <= i_start and i_end <= o_end):
                continue
            if (i_start, i_end) == (o_start, o_end) and ii > oi:
                continue  # same range, but `inner` is actually the outer one
            bad = (
                outer[0] in ("code", "pre")
                or (inner[0] in _QUOTES and outer[0] in _QUOTES)
                or (inner[0] in _LINKS and outer[0] in _LINKS)
            )
            if bad:
                raise _parse_error(
                    f'Entity "{inner[0]}" can\'t be nested inside "{outer[0]}" at byte offset '
                    f"{_byte_offset(raw, inner[4])} (strict check: Telegram would silently drop it)"
                )


def _trim(plain: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Cut leading/trailing whitespace like TDLib's fix_formatted_text, shifting/clipping entities."""
    stripped_left = plain.lstrip(_TRIM)
    left = utf16_len(plain) - utf16_len(stripped_left)
    trimmed = stripped_left.rstrip(_TRIM)
    total = utf16_len(trimmed)
    fixed = []
    for ent in entities:
        start = max(ent["offset"] - left, 0)
        end = min(ent["offset"] + ent["length"] - left, total)
        if end > start:
            ent = dict(ent, offset=start, length=end - start)
            fixed.append(ent)
    return trimmed, fixed


def check_formatted(text: str, parse_mode: str | None = "HTML") -> tuple[str, list[dict]]:
    """The full sendMessage/editMessageText text check; returns (trimmed plain text, entities)."""
    if not isinstance(text, str):
        raise TelegramError("Bad Request: message text is empty")
    try:
        raw_bytes = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise TelegramError("Bad Request: strings must be encoded in UTF-8") from None
    if raw_bytes > MAX_RAW_TEXT_BYTES:
        raise TelegramError("Bad Request: text is too long")
    if raw_bytes == 0:
        raise TelegramError("Bad Request: message text is empty")
    mode = (parse_mode or "").lower()
    if mode == "html":
        plain, entities = parse_html(text)
    elif mode in ("", "none"):
        plain, entities = text, []
    elif mode in ("markdown", "markdownv2"):
        raise TelegramError(f"Bad Request: parse_mode {parse_mode!r} is not implemented by the fake server")
    else:
        raise TelegramError("Bad Request: unsupported parse_mode")
    plain, entities = _trim(plain, entities)
    if not plain:
        raise TelegramError("Bad Request: text must be non-empty")
    if len(plain) > MAX_MESSAGE_LENGTH or utf16_len(plain) > MAX_MESSAGE_LENGTH:
        raise TelegramError("Bad Request: message is too long")
    return plain, entities


def check_message(text: str, parse_mode: str | None = "HTML") -> str:
    """Validate ``text`` as Telegram's sendMessage would; returns the plain text (trimmed).

    Raises :class:`TelegramError` whose ``description`` is what the Bot API would answer.
    """
    return check_formatted(text, parse_mode)[0]
