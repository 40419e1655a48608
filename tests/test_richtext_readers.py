"""Table tests for every reader: what a review in each markup becomes.

Documents are shown in a small notation so each row reads at a glance:
``<S>…</S>`` spoiler span, ``<b> <i> <u> <s> <c>`` styles, ``<a=url>`` a link; a block
is prefixed ``quote:`` / ``heading:``, and ``SPOILER:`` when the whole block is hidden.
"""

from __future__ import annotations

import pytest

from bot.richtext import Document, parse
from bot.richtext.readers import detect_dialects

_TAGS = {"bold": "b", "italic": "i", "underline": "u", "strike": "s", "code": "c"}


def view(d: Document) -> list[str]:
    out = []
    for b in d.blocks:
        parts = []
        for s in b.spans:
            t = s.text
            for st in sorted(s.styles, reverse=True):
                t = f"<{_TAGS[st]}>{t}</{_TAGS[st]}>"
            if s.link:
                t = f"<a={s.link}>{t}</a>"
            if s.spoiler:
                t = f"<S>{t}</S>"
            parts.append(t)
        prefix = ("SPOILER:" if b.spoiler else "") + ("" if b.kind == "paragraph" else b.kind + ":")
        out.append(prefix + "".join(parts))
    return out


DISCORD = [
    ("plain words", ["plain words"]),
    ("a ||twist|| b", ["a <S>twist</S> b"]),
    ("**bold** *it* _it2_ __under__ ~~gone~~", ["<b>bold</b> <i>it</i> <i>it2</i> <u>under</u> <s>gone</s>"]),
    ("***both***", ["<b><i>both</i></b>"]),
    ("`code || not spoiler`", ["<c>code || not spoiler</c>"]),
    ("\\|\\|not\\|\\| \\*x\\*", ["||not|| *x*"]),
    ("||spoiler with **bold** inside||", ["<S>spoiler with </S><S><b>bold</b></S><S> inside</S>"]),
    ("> quoted ||x||\n> more", ["quote:quoted <S>x</S>\nmore"]),
    ("# Title\nbody", ["heading:Title", "body"]),
    (
        "see [Letterboxd](https://letterboxd.com/x) <https://a.b/c_d>",
        ["see <a=https://letterboxd.com/x>Letterboxd</a> <a=https://a.b/c_d>https://a.b/c_d</a>"],
    ),
    ("para one\n\n||para two\n\npara three||", ["para one", "<S>para two</S>", "<S>para three</S>"]),
    ("@\u200beveryone <\u200b@123>", ["@everyone <@123>"]),
    ("snake_case_word and 2*3*4", ["snake_case_word and 2<i>3</i>4"]),
]


@pytest.mark.parametrize(("text", "want"), DISCORD)
def test_discord(text: str, want: list[str]) -> None:
    assert view(parse(text, "discord")) == want


TELEGRAM = [
    ("a <tg-spoiler>twist</tg-spoiler>", ["a <S>twist</S>"]),
    ('a <span class="tg-spoiler">twist</span>', ["a <S>twist</S>"]),
    (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>x</s><del>d</del>",
        ["<b>bs</b><i>ie</i><u>un</u><s>xd</s>"],
    ),
    ("&lt;b&gt; &amp; &quot;q&quot; &#128522; &#x1F3AC; &lt", ['<b> & "q" 😊 🎬 <']),
    ("&nbsp;stays&mdash;literal", ["&nbsp;stays&mdash;literal"]),
    ('<a href="https://ex.com/?a=1&amp;b=2">link</a>', ["<a=https://ex.com/?a=1&b=2>link</a>"]),
    ('<a href="tg://user?id=42">not a mention</a>', ["not a mention"]),
    ("<blockquote>quoted</blockquote>after", ["quote:quoted", "after"]),
    ("<code>x &lt; y</code>", ["<c>x < y</c>"]),
    ("one\n\ntwo\nlines", ["one", "two\nlines"]),
    ("<foo>unknown</foo>", ["<foo>unknown</foo>"]),
    ("<b>unclosed", ["<b>unclosed"]),
    ("<b>crossed <i>tags</b> here</i>", ["<b>crossed <i>tags</b> here</i>"]),
    ("<tg-spoiler>a</tg-spoiler> b <tg-spoiler>c", ["<S>a</S> b <tg-spoiler>c"]),
]


@pytest.mark.parametrize(("text", "want"), TELEGRAM)
def test_telegram_html(text: str, want: list[str]) -> None:
    assert view(parse(text, "telegram_html")) == want


REDDIT = [
    ("the killer is >!the butler!<.", ["the killer is <S>the butler</S>."]),
    (">!whole line!<", ["<S>whole line</S>"]),
    ("unclosed >!spoiler here", ["unclosed >!spoiler here"]),
    ("two >!a!< and >!b!<", ["two <S>a</S> and <S>b</S>"]),
    ("a >!spans\n\nparagraphs!< b", ["a <S>spans</S>", "<S>paragraphs</S> b"]),  # README: across paragraphs
    ("**bold** >!x!<", ["<b>bold</b> <S>x</S>"]),
]


@pytest.mark.parametrize(("text", "want"), REDDIT)
def test_reddit(text: str, want: list[str]) -> None:
    assert view(parse(text, "reddit")) == want


BBCODE = [
    ("[spoiler]he dies[/spoiler]", ["<S>he dies</S>"]),
    ("[SPOILER]case[/Spoiler]", ["<S>case</S>"]),
    ("[spoiler=Ending]he dies[/spoiler]", ["Ending: <S>he dies</S>"]),
    ("[b]b[/b] [i]i[/i] [u]u[/u] [s]s[/s] [strike]t[/strike]", ["<b>b</b> <i>i</i> <u>u</u> <s>s</s> <s>t</s>"]),
    (
        "[url=https://ex.com]site[/url] [url]https://ex.org[/url]",
        ["<a=https://ex.com>site</a> <a=https://ex.org>https://ex.org</a>"],
    ),
    ("[url=javascript:alert(1)]x[/url]", ["[url=javascript:alert(1)]x[/url]"]),
    ("[spoiler]one\n\ntwo[/spoiler]", ["<S>one</S>", "<S>two</S>"]),
    ("[b]a[i]b[/b]c[/i]", ["<b>a[i]b</b>c[/i]"]),
    ("[spoiler]never closed", ["[spoiler]never closed"]),
    ("[code][b]x[/b][/code]", ["<c>[b]x[/b]</c>"]),
    ("[quote]said[/quote]", ["quote:said"]),
    ("**not bbcode markup**", ["**not bbcode markup**"]),
]


@pytest.mark.parametrize(("text", "want"), BBCODE)
def test_bbcode(text: str, want: list[str]) -> None:
    assert view(parse(text, "bbcode")) == want


MARKDOWN = [
    ("# Oldboy review\n\nIntro.", ["heading:Oldboy review", "Intro."]),
    ("## Verdict ##", ["heading:Verdict"]),
    ("#hashtag is not a heading", ["#hashtag is not a heading"]),
    ("__bold__ **bold** *it* _it_", ["<b>bold</b> <b>bold</b> <i>it</i> <i>it</i>"]),
    ("[IMDb](https://www.imdb.com/title/tt0364569/)", ["<a=https://www.imdb.com/title/tt0364569/>IMDb</a>"]),
    ("[broken](not a url)", ["[broken](not a url)"]),
    ("\\*literal\\* \\_x\\_", ["*literal* _x_"]),
    ("> a quote\n\n- a list item\n- another", ["quote:a quote", "- a list item\n- another"]),
    ("||not a spoiler in markdown||", ["||not a spoiler in markdown||"]),
    (
        "https://en.wikipedia.org/wiki/Oldboy_(2003_film) is *great*",
        ["https://en.wikipedia.org/wiki/Oldboy_(2003_film) is <i>great</i>"],
    ),
]


@pytest.mark.parametrize(("text", "want"), MARKDOWN)
def test_markdown(text: str, want: list[str]) -> None:
    assert view(parse(text, "markdown")) == want


PLAIN = [
    ("Great film.\n\nSpoiler: he dies at the end.", ["Great film.", "Spoiler: <S>he dies at the end.</S>"]),
    ("SPOILERS: the twist", ["SPOILERS: <S>the twist</S>"]),
    ("Spoiler-free review: go see it", ["Spoiler-free review: go see it"]),
    (
        "Intro.\n\nSpoilers ahead!\n\nHe dies.\n\nShe lives.\n\nEnd of spoilers.\n\nVerdict: 9/10.",
        ["Intro.", "Spoilers ahead!", "SPOILER:He dies.", "SPOILER:She lives.", "End of spoilers.", "Verdict: 9/10."],
    ),
    ("Major spoilers ahead: he dies.\n\nAnd more.", ["Major spoilers ahead: <S>he dies.</S>", "SPOILER:And more."]),
    ("Spoiler warning\n\nall hidden\n\nto the end", ["Spoiler warning", "SPOILER:all hidden", "SPOILER:to the end"]),
    ("Spoilers:\n\nthe lone label hides what follows", ["Spoilers:", "SPOILER:the lone label hides what follows"]),
    ("Spoilers ahead\n\nx\n\nSpoilers end\n\ny", ["Spoilers ahead", "SPOILER:x", "Spoilers end", "y"]),
    ("||markup|| and **stars** stay", ["||markup|| and **stars** stay"]),
    ("line one\r\nline two\r\n\r\npara", ["line one\nline two", "para"]),
]


@pytest.mark.parametrize(("text", "want"), PLAIN)
def test_plain(text: str, want: list[str]) -> None:
    assert view(parse(text, "plain")) == want


LETTERBOXD = [
    ("<p>First para.</p>\n<p>Second <i>para</i>.</p>", ["First para.", "Second <i>para</i>."]),
    ("<p>Line one<br>line two<br/>three</p>", ["Line one\nline two\nthree"]),
    (
        '<p>It&rsquo;s <b>great</b> &amp; <a href="https://boxd.it/x">short</a></p>',
        ["It’s <b>great</b> & <a=https://boxd.it/x>short</a>"],
    ),
    ("<blockquote><p>quoted</p></blockquote><p>after</p>", ["quote:quoted", "after"]),
    ("<p>unknown <span>tags</span> <foo>dropped</foo></p>", ["unknown tags dropped"]),
    ("<p>wrapped\n   across lines</p>", ["wrapped across lines"]),
    ('<p>a <span class="tg-spoiler">hidden</span></p>', ["a <S>hidden</S>"]),
]


@pytest.mark.parametrize(("text", "want"), LETTERBOXD)
def test_letterboxd_html(text: str, want: list[str]) -> None:
    assert view(parse(text, "html")) == want


AUTO = [
    (
        "mixed ||discord|| and >!reddit!< and [spoiler]bb[/spoiler]",
        ["mixed <S>discord</S> and <S>reddit</S> and <S>bb</S>"],
        {"discord", "reddit", "bbcode"},
    ),
    ("<b>html</b> with <tg-spoiler>tg</tg-spoiler>", ["<b>html</b> with <S>tg</S>"], {"telegram_html"}),
    ("<p>letterboxd &amp; co</p>", ["letterboxd & co"], {"html"}),
    ("<p>html with ||pipes|| too</p>", ["html with <S>pipes</S> too"], {"html", "discord"}),
    ("__underline__ when ||discord||", ["<u>underline</u> when <S>discord</S>"], {"discord", "markdown"}),
    ("__bold__ in markdown", ["<b>bold</b> in markdown"], {"markdown"}),
    ("#MOVIE REVIEWS | MIRACLE IN CELL NO. 7", ["#MOVIE REVIEWS | MIRACLE IN CELL NO. 7"], set()),
    ("a < b and c > d, 5 * 3 = 15", ["a < b and c > d, 5 * 3 = 15"], set()),
    ("Spoiler: still works in auto", ["Spoiler: <S>still works in auto</S>"], set()),
]


@pytest.mark.parametrize(("text", "want", "dialects"), AUTO)
def test_auto(text: str, want: list[str], dialects: set[str]) -> None:
    assert detect_dialects(text) == dialects
    assert view(parse(text)) == want


# --- bad input -----------------------------------------------------------------------------------

BAD = [
    ("||unclosed spoiler", "discord", ["||unclosed spoiler"]),
    ("||a **b|| c**", "discord", ["<S>a **b</S> c**"]),
    ("||a || b||", "discord", ["<S>a </S> b||"]),
    ("<tg-spoiler>a </tg-spoiler> b</tg-spoiler>", "telegram_html", ["<S>a </S> b</tg-spoiler>"]),
    ("<tg-spoiler>x &lt;/tg-spoiler&gt; y</tg-spoiler>", "telegram_html", ["<S>x </tg-spoiler> y</S>"]),
    ("**", "discord", ["**"]),
    ("`", "discord", ["`"]),
    ("[", "markdown", ["["]),
    ("<", "telegram_html", ["<"]),
    ("a\x00b\x07c\x1b[31md\x7fe", "plain", ["abc[31mde"]),
    ("lone \ud800 surrogate", "plain", ["lone  surrogate"]),
    ("\u200b\u200d\ufeff", "plain", []),
    ("   \n\n \t \n", "auto", []),
    ("", "auto", []),
    ("😊😊👨‍👩‍👧🇰🇷", "auto", ["😊😊👨‍👩‍👧🇰🇷"]),
]


@pytest.mark.parametrize(("text", "dialect", "want"), BAD)
def test_bad_input_degrades_to_literal_text(text: str, dialect: str, want: list[str]) -> None:
    assert view(parse(text, dialect)) == want


def test_unknown_dialect_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown dialect"):
        parse("x", "rtf")


UNITS = ["||", "*a ", "`x", "[b]", "<b>", ">!", "[", "_a ", "~~", "\\", "&lt", "<tg-spoiler>", "😊", "a\u0301"]


@pytest.mark.parametrize("unit", UNITS)
def test_100kb_of_one_unmatched_marker_parses_without_losing_text(unit: str) -> None:
    text = unit * (100_000 // len(unit))
    d = parse(text)
    assert len(d.plain) >= 50_000 or unit == "||"


ALL_DIALECTS = ["auto", "discord", "telegram_html", "reddit", "bbcode", "markdown", "plain", "html"]


@pytest.mark.parametrize("dialect", ALL_DIALECTS)
def test_100kb_of_mixed_markup_parses_in_every_dialect(dialect: str) -> None:
    text = ("".join(UNITS) + " word\n") * (100_000 // (len("".join(UNITS)) + 6))
    d = parse(text, dialect)
    assert d.plain.count("word") == text.count("word")


def test_spoiler_source_is_recorded() -> None:
    d = parse("a ||b|| >!c!< [spoiler]d[/spoiler]")
    assert [s.source for s in d.blocks[0].spans if s.spoiler] == ["discord", "reddit", "bbcode"]
    assert parse("Spoiler: x", "plain").blocks[0].spans[-1].source == "label"
    assert parse("<tg-spoiler>x</tg-spoiler>").blocks[0].spans[0].source == "telegram_html"
