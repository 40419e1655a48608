"""Tests for the Telegram HTML validator and for the fake Bot API server (driven by real PTB)."""

from __future__ import annotations

import pytest

try:
    from tests.checks.telegram_html import (
        TelegramError,
        check_formatted,
        check_message,
        parse_html,
        utf16_len,
    )
except ImportError:  # tests/ itself is on sys.path (pytest "prepend" import mode without tests/__init__.py)
    from checks.telegram_html import TelegramError, check_formatted, check_message, parse_html, utf16_len

PARSE = "Bad Request: can't parse entities: "


# --------------------------------------------------------------------------------------------------
# telegram_html: parse_html
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "description"),
    [
        ("line one<br>line two", 'Unsupported start tag "br" at byte offset 8'),
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<span class="spoiler">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("a <b", "Unclosed start tag at byte offset 2"),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<i><b>x</b>", 'Can\'t find end tag corresponding to start tag "i"'),
        # byte offsets count UTF-8 bytes of the raw input: the emoji is 4 bytes
        ("🎬 <br>", 'Unsupported start tag "br" at byte offset 5'),
        ("&#xD83C;", "Text contains invalid Unicode characters after decoding HTML entities, "
         "check for unmatched surrogate code units"),
    ],
)
def test_parse_html_rejects_like_telegram(html: str, description: str) -> None:
    with pytest.raises(TelegramError) as info:
        parse_html(html)
    assert info.value.description == PARSE + description
    assert info.value.error_code == 400


@pytest.mark.parametrize(
    ("html", "inner", "outer"),
    [
        ("<code><b>x</b></code>", "bold", "code"),
        ("<pre>a<code>b</code></pre>", "code", "pre"),
        ("<pre><tg-spoiler>s</tg-spoiler></pre>", "spoiler", "pre"),
        ("<blockquote><blockquote>q</blockquote></blockquote>", "blockquote", "blockquote"),
        ("<blockquote expandable>a<blockquote>q</blockquote></blockquote>", "blockquote",
         "expandable_blockquote"),
        ('<a href="https://a.example/">x<a href="https://b.example/">y</a></a>', "text_link", "text_link"),
    ],
)
def test_parse_html_strict_nesting(html: str, inner: str, outer: str) -> None:
    with pytest.raises(TelegramError) as info:
        parse_html(html)
    assert f'Entity "{inner}" can\'t be nested inside "{outer}"' in info.value.description
    # Telegram itself repairs these silently; the relaxed mode accepts them.
    parse_html(html, strict_nesting=False)


def test_parse_html_entities_and_plain_text() -> None:
    plain, entities = parse_html(
        '<B>Bold</B> <em>it</em> <tg-spoiler>sp</tg-spoiler> <span class="tg-spoiler">s2</span> '
        '<a href="https://example.com/x?a=1&amp;b=2">link</a> <code>c</code>'
    )
    assert plain == "Bold it sp s2 link c"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 5, "length": 2},
        {"type": "spoiler", "offset": 8, "length": 2},
        {"type": "spoiler", "offset": 11, "length": 2},
        {"type": "text_link", "offset": 14, "length": 4, "url": "https://example.com/x?a=1&b=2"},
        {"type": "code", "offset": 19, "length": 1},
    ]


def test_parse_html_blockquotes_pre_and_nesting_allowed() -> None:
    plain, entities = parse_html(
        "<blockquote expandable><b>long <i>review</i></b></blockquote>\n"
        '<pre><code class="language-python">print(1)</code></pre>\n<blockquote>q</blockquote>'
    )
    assert plain == "long review\nprint(1)\nq"
    assert entities == [
        {"type": "expandable_blockquote", "offset": 0, "length": 11},
        {"type": "bold", "offset": 0, "length": 11},
        {"type": "italic", "offset": 5, "length": 6},
        {"type": "pre", "offset": 12, "length": 8, "language": "python"},
        {"type": "blockquote", "offset": 21, "length": 1},
    ]


def test_character_references() -> None:
    plain, entities = parse_html("&lt;b&gt; &amp; &quot;q&quot; &lt no-semicolon &#65;&#x42; &#x27;")
    assert plain == "<b> & \"q\" < no-semicolon AB '"
    assert entities == []
    # other named references are not an error: they stay literal, as real Telegram shows them
    assert parse_html("a&nbsp;b &mdash; c")[0] == "a&nbsp;b &mdash; c"
    # a lone & is fine too
    assert parse_html("Tom & Jerry")[0] == "Tom & Jerry"
    # &#0; stays literal
    assert parse_html("x&#0;")[0] == "x&#0;"


def test_emoji_offsets_are_utf16() -> None:
    plain, entities = parse_html("🎬🍿 <b>Dune</b> <i>é</i>")
    assert plain == "🎬🍿 Dune é"
    assert entities == [
        {"type": "bold", "offset": 5, "length": 4},  # two non-BMP emoji = 4 units, plus a space
        {"type": "italic", "offset": 10, "length": 1},
    ]
    _, entities = parse_html("<b>🎬</b>")
    assert entities == [{"type": "bold", "offset": 0, "length": 2}]


def test_empty_entities_dropped_and_empty_end_tag() -> None:
    assert parse_html("<b></b>x<i>y</>") == ("xy", [{"type": "italic", "offset": 1, "length": 1}])


def test_attribute_forms() -> None:
    _, entities = parse_html("<a href='https://x.example/'>a</a> <code class=language-Py>c</code>")
    assert entities[0]["url"] == "https://x.example/"
    with pytest.raises(TelegramError) as info:
        parse_html("<a href=https://x.example/>a</a>")
    assert info.value.description == PARSE + "Unexpected end of name token at byte offset 8"
    with pytest.raises(TelegramError) as info:
        parse_html('<a ="x">a</a>')
    assert info.value.description == PARSE + 'Empty attribute name in the tag "a" at byte offset 0'


# --------------------------------------------------------------------------------------------------
# telegram_html: check_message
# --------------------------------------------------------------------------------------------------


def _err(text: str, parse_mode: str | None = "HTML") -> str:
    with pytest.raises(TelegramError) as info:
        check_message(text, parse_mode)
    return info.value.description


def test_check_message_empty_and_whitespace() -> None:
    assert _err("") == "Bad Request: message text is empty"
    assert _err("  \n ") == "Bad Request: text must be non-empty"
    assert _err("<b> </b>") == "Bad Request: text must be non-empty"
    assert _err("   ", None) == "Bad Request: text must be non-empty"


def test_check_message_trims_and_shifts_entities() -> None:
    assert check_formatted("\n  <b>x</b> y \n") == ("x y", [{"type": "bold", "offset": 0, "length": 1}])
    assert check_message("a <b>&lt;</b>", None) == "a <b>&lt;</b>"


def test_check_message_raw_bytes_limit() -> None:
    # 4000 visible characters, but markup makes the raw input bigger than 32 KiB
    text = "<b></b>" * 5000 + "x" * 4000
    assert len(text.encode()) > 32768
    assert _err(text) == "Bad Request: text is too long"
    assert check_message("<b></b>" * 4000 + "x" * 4000) == "x" * 4000


def test_check_message_4096_limit_counts_utf16_and_code_points() -> None:
    assert check_message("x" * 4096) == "x" * 4096
    assert _err("x" * 4097) == "Bad Request: message is too long"
    # markup doesn't count, trimmed whitespace doesn't count
    assert check_message("<b>" + "x" * 4096 + "</b>\n\n") == "x" * 4096
    # a non-BMP emoji at the boundary: 4094 + 2 UTF-16 units fits ...
    ok = "x" * 4094 + "🎬"
    assert utf16_len(ok) == 4096
    assert check_message(ok) == ok
    # ... 4095 + 2 = 4097 UTF-16 units does not, although it is only 4096 code points
    over = "x" * 4095 + "🎬"
    assert len(over) == 4096
    assert _err(over) == "Bad Request: message is too long"
    # an escaped emoji counts the same
    assert _err("x" * 4095 + "&#x1F3AC;") == "Bad Request: message is too long"


def test_check_message_parse_modes() -> None:
    assert check_message("<br>", None) == "<br>"
    assert check_message("<b>x</b>", "html") == "x"
    assert _err("<br>", "HTML").startswith(PARSE)
    assert _err("x", "bogus") == "Bad Request: unsupported parse_mode"
