"""Property tests for the rich-text core: what survives a round trip, and what never leaks.

Documents are generated with *visible* text drawn from Greek letters and *spoiler*
text from Cyrillic letters, both mixed with every character that means something
in some markup (``| * _ ~ ` \\ < > & [ ] # - @``), emoji, ZWJ sequences, combining
marks and control characters. Our markup is pure ASCII, so "no spoiler character
is visible" can be checked letter by letter on what the platform-side checkers
(`tests/checks/`) say a user sees.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.richtext import Block, Document, Span, parse, to_console, to_discord_markdown, to_telegram_html
from bot.richtext.model import normalize
from bot.richtext.readers import apply_paragraph_rules
from bot.richtext.writers import spoiler_free
from tests.checks import discord_markdown as dm
from tests.checks.telegram_html import parse_html

GREEK = "αβγδεζηθικλμνξοπρστυφχψω"
CYRILLIC = "абвгдежзийклмнопрстуфхцчшщ"
SPECIAL = list("|*_~`\\<>&[]#-+!@:;\"'()./= \n\t") + [
    "||",
    "</tg-spoiler>",
    "<b>",
    "@everyone",
    "@here",
    "<@123456789012345678>",
    "<#123456789012345678>",
    "&amp;",
    "&lt;",
    ">!",
    "!<",
    "[spoiler]",
    "[/b]",
    "**",
    "__",
    "~~",
    "```",
    "\\|",
    "http://ex.com/a_b",
    "😊",
    "👨\u200d👩\u200d👧",
    "🇰🇷",
    "e\u0301",
    "\u200b",
    "\x00",
    "\x1b[31m",
    "\r\n",
    "\u2028",
    "\ud800",
    "1. ",
    "- ",
    "# ",
    "> ",
]
URLS = [
    "https://example.com/a_b",
    "http://ex.org/x(y)",
    "https://letterboxd.com/film/oldboy/",
    "tg://user?id=42",
    "javascript:alert(1)",
    "mailto:x@ex.com",
]
STYLE_SETS = [
    frozenset(),
    frozenset({"bold"}),
    frozenset({"italic"}),
    frozenset({"bold", "italic"}),
    frozenset({"underline"}),
    frozenset({"strike"}),
    frozenset({"code"}),
    frozenset({"bold", "italic", "underline", "strike"}),
    frozenset({"italic", "strike"}),
]

CYR = re.compile(f"[{CYRILLIC}]")
GRK = re.compile(f"[{GREEK}]")


def texts(letters: str) -> st.SearchStrategy[str]:
    piece = st.one_of(st.text(alphabet=letters, min_size=1, max_size=6), st.sampled_from(SPECIAL))
    return st.lists(piece, min_size=1, max_size=5).map("".join)


_VISIBLE_TEXT = texts(GREEK)
_SPOILER_TEXT = texts(CYRILLIC)
_STYLES = st.sampled_from(STYLE_SETS)
_LINK = st.one_of(st.none(), st.none(), st.none(), st.sampled_from(URLS))
_KIND = st.sampled_from(["paragraph", "paragraph", "paragraph", "quote", "heading"])


@st.composite
def _span(draw: st.DrawFn, spoiler: bool | None) -> Span:
    sp = draw(st.booleans()) if spoiler is None else spoiler
    return Span(
        draw(_SPOILER_TEXT if sp else _VISIBLE_TEXT),
        draw(_STYLES),
        spoiler=sp,
        link=draw(_LINK),
        source="discord" if sp else "",
    )


# strategies are built once: building them per draw is what makes generation slow
_ANY_SPANS = st.lists(_span(None), min_size=1, max_size=4)
_SPOILER_SPANS = st.lists(_span(True), min_size=1, max_size=4)


@st.composite
def blocks(draw: st.DrawFn) -> Block:
    whole = draw(st.integers(0, 5)) == 0
    items = draw(_SPOILER_SPANS if whole else _ANY_SPANS)
    return Block(tuple(items), kind=draw(_KIND), spoiler=whole, source="discord" if whole else "")


def documents(max_blocks: int = 4) -> st.SearchStrategy[Document]:
    return st.lists(blocks(), min_size=0, max_size=max_blocks).map(lambda bs: normalize(Document(tuple(bs))))


DOCUMENTS = documents()


def raw_strings() -> st.SearchStrategy[str]:
    piece = st.one_of(st.text(max_size=8), st.sampled_from(SPECIAL), st.text(alphabet=GREEK, min_size=1))
    return st.lists(piece, max_size=30).map("".join)


def squash(text: str) -> str:
    """Text with whitespace and the invisible neutralising marks removed, for order checks."""
    return re.sub(r"[\s\u200b]", "", text)


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _labels_are_inert(d: Document) -> bool:
    """Generated text can't start a paragraph with "Spoiler:" (Greek/Cyrillic letters), so the
    paragraph rules never fire on re-reading; assert it to keep the property honest."""
    return apply_paragraph_rules(d) == d


# --- round trips through our own readers ---------------------------------------------------------


@SETTINGS
@given(DOCUMENTS)
def test_discord_round_trip_keeps_visible_and_spoiler_text(d: Document) -> None:
    assert _labels_are_inert(d)
    back = parse(to_discord_markdown(d), "discord")
    assert back.visible_text() == d.visible_text()
    assert back.spoiler_text() == d.spoiler_text()


@SETTINGS
@given(DOCUMENTS)
def test_telegram_round_trip_keeps_visible_and_spoiler_text(d: Document) -> None:
    back = parse(to_telegram_html(d), "telegram_html")
    assert back.visible_text() == d.visible_text()
    assert back.spoiler_text() == d.spoiler_text()


@SETTINGS
@given(DOCUMENTS)
def test_reparsing_our_output_is_stable(d: Document) -> None:
    """Writer then reader is a fixed point after one pass: nothing drifts on re-posting."""
    once = parse(to_discord_markdown(d), "discord")
    assert parse(to_discord_markdown(once), "discord") == once
    tg = parse(to_telegram_html(d), "telegram_html")
    assert parse(to_telegram_html(tg), "telegram_html") == tg


@SETTINGS
@given(DOCUMENTS)
def test_json_round_trip(d: Document) -> None:
    assert Document.from_json(d.to_json()) == d


# --- what the platforms' parsers see --------------------------------------------------------------


def _telegram_mask(html: str) -> tuple[str, list[bool]]:
    """Plain text and, per character, whether Telegram shows it inside a spoiler entity."""
    plain, entities = parse_html(html)
    units: list[int] = []
    for k, ch in enumerate(plain):
        units.extend([k] * (2 if ord(ch) > 0xFFFF else 1))
    mask = [False] * len(plain)
    for e in entities:
        if e["type"] == "spoiler":
            for u in range(e["offset"], e["offset"] + e["length"]):
                mask[units[u]] = True
    # The writer's invisible mention guard ("@" + word joiner) is not part of the text.
    keep = [not (ch == "\u2060" and k and plain[k - 1] == "@") for k, ch in enumerate(plain)]
    return "".join(c for c, y in zip(plain, keep, strict=True) if y), [m for m, y in zip(mask, keep, strict=True) if y]


def _doc_mask(d: Document) -> tuple[str, list[bool]]:
    text: list[str] = []
    mask: list[bool] = []
    for k, b in enumerate(d.blocks):
        if k:
            text.append("\n\n")
            mask += [False, False]
        for s in b.spans:
            text.append(s.text)
            mask += [b.spoiler or s.spoiler] * len(s.text)
    return "".join(text), mask


@SETTINGS
@given(DOCUMENTS)
def test_telegram_checker_sees_exactly_our_text_and_spoilers(d: Document) -> None:
    html = to_telegram_html(d)
    plain, mask = _telegram_mask(html)  # raises TelegramError on anything Telegram would reject
    want_plain, want_mask = _doc_mask(d)
    assert plain == want_plain
    assert mask == want_mask
    assert not re.search(r"@\w", parse_html(html)[0])  # Telegram would make @name a notifying mention


@SETTINGS
@given(DOCUMENTS)
def test_discord_checker_never_shows_spoiler_letters(d: Document) -> None:
    content = to_discord_markdown(d)
    visible = dm.visible_text(content)
    hidden = dm.spoiler_text(content)
    assert not CYR.search(visible), (content, visible)
    assert CYR.findall(hidden) == CYR.findall(d.spoiler_text())
    assert GRK.findall(visible) == GRK.findall(d.visible_text())
    assert not GRK.search(hidden)
    assert dm.mentions(content) == []


def _without_styles(d: Document) -> Document:
    return normalize(
        Document(
            tuple(
                Block(
                    tuple(Span(s.text, s.styles & {"code"}, s.spoiler, None, s.source) for s in b.spans),
                    spoiler=b.spoiler,
                    source=b.source,
                )
                for b in d.blocks
            )
        )
    )


@SETTINGS
@given(DOCUMENTS)
def test_discord_checker_sees_our_text_in_order(d: Document) -> None:
    """Without bold/italic/links (whose markers the checker leaves in the text), the checker's
    visible and hidden text are exactly ours, up to whitespace and the defusing zero-width spaces."""
    d = _without_styles(d)
    content = to_discord_markdown(d)

    def unwrap(text: str) -> str:  # a bare URL goes out as <url>; the checker keeps the brackets
        return squash(re.sub(r"<(https?://[^\s<>]+)>", r"\1", text))

    assert unwrap(dm.visible_text(content)) == squash(d.visible_text())
    assert unwrap(dm.spoiler_text(content)) == squash(d.spoiler_text())


# --- any string at all ----------------------------------------------------------------------------

DIALECTS = ["auto", "discord", "telegram_html", "reddit", "bbcode", "markdown", "plain", "html"]
LETTER = re.compile(r"[^\W_]")


def _is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(c in it for c in small)


@SETTINGS
@given(raw_strings(), st.sampled_from(DIALECTS))
def test_any_string_parses_and_loses_no_letter(raw: str, dialect: str) -> None:
    d = parse(raw, dialect)
    for b in d.blocks:
        assert b.spans and all(s.text for s in b.spans)
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]", b.text)
    if dialect == "plain":
        assert GRK.findall(d.plain) == GRK.findall(raw)
    else:
        # markup may vanish, and an HTML attribute or a link target is not text; nothing is invented
        # and nothing outside tags and link targets is lost
        outside = re.sub(r"<[^<>]*>|\]\([^()]*\)|\[(?:url|color|size|font)=[^\]]*\]", "", raw)
        assert _is_subsequence(GRK.findall(d.plain), GRK.findall(raw))
        assert _is_subsequence(GRK.findall(outside), GRK.findall(d.plain))


def _expected_discord_letters(d: Document) -> tuple[list[str], list[str]]:
    """Letters the Discord checker should report as visible / hidden for `d`: the document's own,
    plus the URL of each masked link (the checker leaves ``[text](url)`` as text)."""
    from bot.richtext.writers import _DC_LINK_OK

    visible: list[str] = []
    hidden: list[str] = []
    for b in d.blocks:
        for s in b.spans:
            bucket = hidden if (b.spoiler or s.spoiler) else visible
            bucket += LETTER.findall(s.text)
            if s.link and s.link != s.text and _DC_LINK_OK.match(s.link):
                bucket += LETTER.findall(s.link)
    return visible, hidden


@SETTINGS
@given(raw_strings(), st.sampled_from(DIALECTS))
def test_any_string_renders_with_spoilers_exactly_where_parsed(raw: str, dialect: str) -> None:
    """Whatever a reader decided is hidden stays hidden, and nothing else is, on both platforms."""
    d = parse(raw, dialect)
    plain, mask = _telegram_mask(to_telegram_html(d))
    assert (plain, mask) == _doc_mask(d)
    content = to_discord_markdown(d)
    visible, hidden = _expected_discord_letters(d)
    assert LETTER.findall(dm.visible_text(content)) == visible, content
    assert LETTER.findall(dm.spoiler_text(content)) == hidden, content
    assert dm.mentions(content) == []
    assert not CYR.search(to_console(d)) or CYR.findall(to_console(d)) == CYR.findall(d.visible_text())


@SETTINGS
@given(DOCUMENTS)
def test_console_and_spoiler_free_never_show_spoiler_letters(d: Document) -> None:
    assert not CYR.search(to_console(d))
    free = spoiler_free(d, "Oldboy")
    assert not free.has_spoilers
    for out in (to_console(free), to_discord_markdown(free), to_telegram_html(free)):
        assert not CYR.search(out)
    if d.has_spoilers:
        assert "/spoiler Oldboy" in to_console(free)
    else:
        assert free == d
    assert GRK.findall(to_console(d, reveal=True)) == GRK.findall(d.plain)
