"""Table tests for the writers: exact output for the cases people will paste, and what the
platform-side checkers (`tests/checks/`) say a user sees."""

from __future__ import annotations

import pytest

from bot.richtext import (
    Block,
    Document,
    Span,
    bold,
    concat,
    italic,
    link,
    para,
    parse,
    spoiler_free,
    text_document,
    to_console,
    to_discord_markdown,
    to_telegram_html,
)
from bot.richtext.model import titled
from tests.checks import discord_markdown as dm
from tests.checks.telegram_html import check_message, parse_html

SP = Span  # shorthand in tables


def sp(text: str) -> Span:
    return Span(text, spoiler=True, source="test")


# --- Telegram -------------------------------------------------------------------------------------

TELEGRAM = [
    (para("a < b > c & \"d\" 'e'"), "a &lt; b &gt; c &amp; &quot;d&quot; 'e'"),
    (para("x ", sp("twist")), "x <tg-spoiler>twist</tg-spoiler>"),
    (para(sp("</tg-spoiler> escapes? no")), "<tg-spoiler>&lt;/tg-spoiler&gt; escapes? no</tg-spoiler>"),
    (
        para(bold("b"), italic("i"), SP("u", frozenset({"underline"})), SP("s", frozenset({"strike"}))),
        "<b>b</b><i>i</i><u>u</u><s>s</s>",
    ),
    (para(SP("both", frozenset({"bold", "italic"}), spoiler=True)), "<tg-spoiler><b><i>both</i></b></tg-spoiler>"),
    (para(SP("a", frozenset({"bold"})), SP("b", frozenset({"bold", "italic"}))), "<b>a<i>b</i></b>"),
    (para(SP("x < y", frozenset({"code"}))), "<code>x &lt; y</code>"),
    (
        para(SP("no code in a spoiler", frozenset({"code"}), spoiler=True)),
        "<tg-spoiler>no code in a spoiler</tg-spoiler>",
    ),
    (para(link("site", "https://ex.com/?a=1&b=2")), '<a href="https://ex.com/?a=1&amp;b=2">site</a>'),
    (para(link("quote in url", 'https://ex.com/"x"')), "quote in url"),
    (para(link("mention?", "tg://user?id=42")), "mention?"),
    (para(link("js", "javascript:alert(1)")), "js"),
    (para("quoted", kind="quote"), "<blockquote>quoted</blockquote>"),
    (para("Title", kind="heading"), "<b>Title</b>"),
    (para("hidden para", spoiler=True), "<tg-spoiler>hidden para</tg-spoiler>"),
    (Document((para("one"), para("two\nlines"))), "one\n\ntwo\nlines"),
    (para("ctrl\x00\x1b[0m chars\x7f"), "ctrl[0m chars"),
]


@pytest.mark.parametrize(("doc", "want"), TELEGRAM)
def test_telegram_html(doc: Document | Block, want: str) -> None:
    d = doc if isinstance(doc, Document) else Document((doc,))
    html = to_telegram_html(d)
    assert html == want
    check_message(html)  # Telegram would accept it


# --- Discord --------------------------------------------------------------------------------------

DISCORD = [
    ("plain words", "plain words"),
    ("||not a spoiler||", "\\|\\|not a spoiler\\|\\|"),
    (
        "**not bold** *nor* _italic_ ~~nor~~ `code`",
        "\\*\\*not bold\\*\\* \\*nor\\* \\_italic\\_ \\~\\~nor\\~\\~ \\`code\\`",
    ),
    ("back\\slash", "back\\\\slash"),
    ("@everyone and @here", "@\u200beveryone and @\u200bhere"),
    (
        "<@123456789012345678> <@&1> <#42> <:e:1>",
        "\\<\u200b@123456789012345678> \\<\u200b@&1> \\<\u200b#42> \\<\u200b:e:1>",
    ),
    ("# not a heading", "\\# not a heading"),
    ("- not a list\n  * nor this\n1. nor this", "\\- not a list\n  \\* nor this\n1\\. nor this"),
    ("> not a quote", "\\> not a quote"),
    ("[not](https://a.link)", "\\[not\\](<https://a.link>)"),
    (">!not reddit!<", "\\>\\!not reddit\\!\\<"),
    ("see https://ex.com/a_b.", "see <https://ex.com/a_b>."),
    ("40-year-old #1 fan", "40-year-old #1 fan"),
]


@pytest.mark.parametrize(("text", "want"), DISCORD)
def test_discord_escapes_user_text(text: str, want: str) -> None:
    content = to_discord_markdown(text_document(text))
    assert content == want
    assert dm.mentions(content) == []
    assert parse(content, "discord").plain == text  # and it reads back as the same text


DISCORD_MARKUP = [
    (para("x ", sp("twist")), "x ||twist||"),
    (
        para(bold("b"), " ", italic("i"), " ", SP("u", frozenset({"underline"})), " ", SP("s", frozenset({"strike"}))),
        "**b** *i* __u__ ~~s~~",
    ),
    (para(bold("bold "), "plain"), "**bold** plain"),
    (para(SP("a", frozenset({"bold"})), SP("b", frozenset({"italic"}))), "**a**_b_"),
    (
        para(link("Letterboxd", "https://letterboxd.com/film/oldboy/")),
        "[Letterboxd](<https://letterboxd.com/film/oldboy/>)",
    ),
    (para(link("[", "https://ex.com/a"), sp("s")), "\\[||s||"),
    (para(link("https://ex.com/x_y", "https://ex.com/x_y")), "<https://ex.com/x_y>"),
    (para(SP("code", frozenset({"code"}))), "`code`"),
    (para(SP("a|b", frozenset({"code"}))), "a\\|b"),
    (para("quoted\n# line", kind="quote"), "> quoted\n> \\# line"),
    (para("Title", kind="heading"), "**Title**"),
    (para("hidden para", spoiler=True), "||hidden para||"),
    (para(sp("ends with a pipe|")), "||ends with a pipe\\|\u200b||"),
    (para("https://ex.com/x", sp("secret")), "<https://ex.com/x>||secret||"),
    (para("http://", sp("secret")), "http\\://||secret||"),
    (para("<", sp("s"), ":/x>"), "\\<||s||:/x>"),
]


@pytest.mark.parametrize(("block", "want"), DISCORD_MARKUP)
def test_discord_markup(block: Block, want: str) -> None:
    d = Document((block,))
    content = to_discord_markdown(d)
    assert content == want
    assert dm.spoiler_text(content).replace("\u200b", "") == d.spoiler_text()
    assert parse(content, "discord").spoiler_text() == d.spoiler_text()


def test_discord_spoiler_cannot_be_closed_from_inside() -> None:
    """Every way to end a spoiler early, inside a spoiler: the checker sees all of it hidden."""
    nasty = ["||", "\\||", "|||", "`||`", "```\n||\n```", "</tg-spoiler>", "!<", "[/spoiler]", "|", "\\", "x|"]
    for text in nasty:
        content = to_discord_markdown(Document((para("before ", sp(text), " after"),)))
        assert dm.parse_spoilers(content) == [("before ", False), (text, True), (" after", False)] or (
            dm.spoiler_text(content).replace("\u200b", "") == text
        ), content
        assert dm.visible_text(content) == "before  after", content


def test_bot_header_escapes_the_film_title() -> None:
    """Replies are documents too: a film called `||x|| @everyone` can't open markup or ping."""
    d = titled("||x|| **y** @everyone <b>", text_document("Body."), "Read as: review")
    content = to_discord_markdown(d)
    assert dm.spoiler_text(content) == "" and dm.mentions(content) == []
    assert content.startswith("**\\|\\|x\\|\\| \\*\\*y\\*\\* @\u200beveryone \\<b>**")
    html = to_telegram_html(d)
    assert parse_html(html)[0].startswith("||x|| **y** @\u2060everyone <b>")  # no mention entity
    assert html.startswith("<b>||x|| **y** @\u2060everyone &lt;b&gt;</b>")
    assert parse(html, "telegram_html").blocks[0].text == "||x|| **y** @everyone <b>"


# --- console --------------------------------------------------------------------------------------


def test_console_masks_spoilers() -> None:
    d = Document(
        (
            para("Intro with ", sp("a twist"), " inside."),
            para("hidden one", spoiler=True),
            para("hidden two", spoiler=True),
            para(link("Letterboxd", "https://boxd.it/x"), " and ", bold("bold")),
            para("said", kind="quote"),
        )
    )
    assert to_console(d) == (
        "Intro with [spoiler hidden] inside.\n\n[spoiler hidden]\n\nLetterboxd (https://boxd.it/x) and bold\n\n> said"
    )
    revealed = to_console(d, reveal=True)
    assert revealed.startswith("Intro with [spoiler] a twist [/spoiler] inside.")
    assert "[spoiler] hidden one [/spoiler]\n\n[spoiler] hidden two [/spoiler]" in revealed


def test_console_strips_terminal_escapes() -> None:
    assert to_console(text_document("red\x1b[31m alert\x07")) == "red[31m alert"


# --- the spoiler-free view ------------------------------------------------------------------------


def test_spoiler_free_drops_spoilers_and_says_how_to_see_them() -> None:
    d = parse("Great film.\n\n||The killer is the brother.||\n\nSo good ||he dies|| twice.", "discord")
    free = spoiler_free(d, "Oldboy")
    text = to_console(free)
    assert "killer" not in text and "dies" not in text
    assert text == (
        "Great film.\n\nSo good [spoiler] twice.\n\nSpoilers hidden (2 sections): /spoiler Oldboy shows them."
    )
    assert "<code>/spoiler Oldboy</code>" in to_telegram_html(free)
    assert "`/spoiler Oldboy`" in to_discord_markdown(free)


def test_spoiler_free_without_spoilers_adds_no_line() -> None:
    d = parse("Short and sweet. 8/10.")
    assert spoiler_free(d, "Parasite") == d


def test_spoiler_free_drops_lone_labels() -> None:
    d = parse("Loved it.\n\nSpoilers ahead!\n\nHe dies.\n\nEnd of spoilers\n\nSpoiler: she lives.", "plain")
    text = to_console(spoiler_free(d, "X"))
    assert text == "Loved it.\n\nSpoilers hidden (2 sections): /spoiler X shows them."


def test_spoiler_free_title_is_escaped() -> None:
    free = spoiler_free(parse("||x||"), "`||@everyone||`")
    content = to_discord_markdown(free)
    assert dm.spoiler_text(content) == "" and dm.mentions(content) == []
    assert "/spoiler `||@everyone||`" in dm.visible_text(content).replace("\u200b", "")
    check_message(to_telegram_html(free))


def test_builders_make_the_documents_other_modules_use() -> None:
    d = concat(text_document("a", "", "b"), Document((para(bold("B"), italic("I")),)))
    assert [b.text for b in d.blocks] == ["a", "b", "BI"]
    assert to_discord_markdown(d) == "a\n\nb\n\n**B**_I_"
