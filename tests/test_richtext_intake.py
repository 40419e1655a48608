"""One way in (`read_review`): every spoiler markup the README lists, on every input, and the
leaks of issue 10 that each used to show the secret in /review."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.richtext import (
    Document,
    parse,
    read_review,
    spoiler_free,
    spoiler_option,
    to_console,
    to_discord_markdown,
    to_telegram_html,
    utf16_ranges,
)
from tests.checks import discord_markdown as dm
from tests.test_richtext_properties import CYR, SPECIAL, _telegram_mask

SECRET = "the butler was her father"


def review_view(d: Document, title: str = "Film") -> str:
    """What /review shows, as the console prints it."""
    return to_console(spoiler_free(d, title))


SPAN_FORMS = [
    f'Great film. <span class="tg-spoiler">{SECRET}</span>',
    f"Great film. <span class='tg-spoiler'>{SECRET}</span>",
    f"Great film. <span class=tg-spoiler>{SECRET}</span>",
    f'Great film. <span id="x" class="big tg-spoiler">{SECRET}</span>',
    f'Great film. <SPAN  Class = "tg-spoiler" >{SECRET}</SPAN>',
    f'<b>Great</b> film. <span class="tg-spoiler">{SECRET}</span>',
    f"Great film. <tg-spoiler>{SECRET}</tg-spoiler>",
]


@pytest.mark.parametrize("text", SPAN_FORMS)
def test_telegram_span_tag_alone_or_with_other_html_hides_the_secret(text: str) -> None:
    d = read_review(text)
    assert d.spoiler_text() == SECRET
    view = review_view(d)
    assert "Great film." in view and SECRET not in view and "span" not in view


CROSSING = [
    (f"Loved it.\n\n>!{SECRET}.\n\nAnd then she left.!<\n\n9/10", ["Loved it.", "9/10"]),
    (f"Loved it. ||{SECRET}.\n\nAnd then she left.|| 9/10", ["Loved it.", "9/10"]),
    (f"Loved it.\n\n[spoiler={SECRET[:3]}]{SECRET}.\n\nAnd then she left.[/spoiler]", ["Loved it."]),
]


@pytest.mark.parametrize(("text", "kept"), CROSSING)
def test_markup_across_paragraphs(text: str, kept: list[str]) -> None:
    d = read_review(text)
    view = review_view(d)
    assert SECRET not in view and "she left" not in view
    assert all(k in view for k in kept)


CUES = [
    ("Perfect noir. SPOILER: the ending is a dream.", "Perfect noir.", "the ending is a dream."),
    ("Perfect noir. Spoiler - the ending is a dream.", "Perfect noir.", "the ending is a dream."),
    ("Great twist (spoilers) the brother is the killer.", "Great twist", "the brother is the killer."),
    ("Great twist (minor spoilers): the brother is the killer.", "Great twist", "the brother is the killer."),
    ("Sad one. SPOILER WARNING the dog dies.", "Sad one.", "the dog dies."),
    ("Sad one, spoilers below.\n\nThe dog dies.", "Sad one", "The dog dies."),
    ("Sad one. spoiler alert: the dog dies.", "Sad one.", "the dog dies."),
    ("Sad one. Spoilers ahead! The dog dies.\n\nThe cat too.", "Sad one.", "The cat too."),
]


@pytest.mark.parametrize(("text", "kept", "hidden"), CUES)
def test_a_cue_inside_a_paragraph_hides_from_the_cue_on(text: str, kept: str, hidden: str) -> None:
    d = read_review(text)
    assert hidden in d.spoiler_text()
    view = review_view(d)
    assert kept in view and hidden not in view


def test_a_label_cue_ends_with_its_paragraph_or_an_end_marker() -> None:
    d = read_review("Perfect noir. Spoiler: Hans did it. (end spoilers) Go see it.\n\nMy verdict: 9/10.")
    assert d.spoiler_text() == "Hans did it. "
    assert "Go see it." in d.visible_text() and "My verdict: 9/10." in d.visible_text()
    d = read_review("Perfect noir. Spoiler: Hans did it.\n\nMy verdict: 9/10.")
    assert "My verdict: 9/10." in d.visible_text()


NOT_CUES = [
    "No spoilers: just go and see it.",
    "A spoiler-free review, promise.",
    "Spoilers: none. It is a mood piece.",
    "I hate spoilers, so I will say nothing about the plot.",
    "Without spoilers - it is great.",
]


@pytest.mark.parametrize("text", NOT_CUES)
def test_things_that_only_mention_spoilers_hide_nothing(text: str) -> None:
    assert not read_review(text).has_spoilers


def test_letterboxd_html_with_other_dialects_inside() -> None:
    for text in (
        f"<p>Fine film.</p><p>||{SECRET}||</p>",
        f"<p>Fine film.</p><p>&gt;!{SECRET}!&lt;</p>",
        f"Fine film. ||{SECRET}||",
        f"Fine film.<br />>!{SECRET}!<",
    ):
        d = read_review(text, dialect="html")
        assert d.spoiler_text() == SECRET, text
        assert "Fine film." in review_view(d) and "||" not in review_view(d)


def test_telegram_entities_are_marks_counted_in_utf16() -> None:
    message = f"/addreview Oldboy\n🎬 Loved it. {SECRET}. 9/10"
    # Telegram counts the 🎬 as two units: the entity starts 2 units later than code points say
    offset = len(message[: message.index(SECRET)].encode("utf-16-le")) // 2
    marks = utf16_ranges(message, [(offset, len(SECRET))], start=len("/addreview Oldboy\n"))
    body = message.partition("\n")[2]
    d = read_review(body, marks=marks)
    assert d.spoiler_text() == SECRET
    assert "Loved it." in review_view(d) and SECRET not in review_view(d)


def test_marks_inside_literal_markup_still_hide() -> None:
    body = f"Ok `{SECRET}` and https://x.org/{SECRET.replace(' ', '_')} yes"
    a = body.index("`") + 1
    d = read_review(body, marks=[(a, len(body) - 4)])
    assert "butler" not in review_view(d)
    assert "Ok" in review_view(d)


def test_a_private_use_character_typed_by_someone_hides_rather_than_leaks() -> None:
    d = read_review("Nice \ue000 text")
    assert "Nice" in d.visible_text()


def test_spoiler_option_on_the_title_line() -> None:
    assert spoiler_option("Oldboy spoilers=all") == ("Oldboy", "all")
    assert spoiler_option("Oldboy (2003) SPOILERS: none") == ("Oldboy (2003)", "none")
    assert spoiler_option("Oldboy --spoilers=auto") == ("Oldboy", "auto")
    assert spoiler_option("Spoilers") == ("Spoilers", None)
    assert spoiler_option("Oldboy spoilers=some") == ("Oldboy spoilers=some", None)


def test_a_wholly_hidden_review_says_so() -> None:
    d = read_review("anything at all", mode="all")
    assert review_view(d, "Oldboy") == "The whole review is a spoiler: /spoiler Oldboy shows it."


ISSUE_EXAMPLES = [
    ("Loved it. Turns out the narrator was the killer all along.", "Loved it.", "narrator"),
    ("Great cast. In the end the brother dies saving her.", "Great cast.", "brother dies"),
    (
        "Great ghost story. The family moves into the old house, then the mother finds the letters "
        "and learns her son was dead all along.",
        "Great ghost story.",
        "dead all along",
    ),
    ("Perfect noir. SPOILER: the detective did it.", "Perfect noir.", "detective did it"),
    ("Tense. (spoilers) the twin was the one behind it.", "Tense.", "twin"),
]


@pytest.mark.parametrize(("text", "kept", "secret"), ISSUE_EXAMPLES)
def test_the_reviews_of_the_issue(text: str, kept: str, secret: str) -> None:
    view = review_view(read_review(text))
    assert kept in view and secret not in view


# --- property: text inside a spoiler never appears outside one, whatever the input form ------------

_CYR_TEXT = st.text(alphabet="абвгдежзийклмнопрстуфхцчшщ .,😊", min_size=1, max_size=12).filter(
    lambda t: CYR.search(t) is not None
)
_SPOILER_BODY = st.lists(st.one_of(_CYR_TEXT, st.just("\n\n"), st.just("\n")), min_size=1, max_size=4).map(
    lambda parts: "".join(parts)
)
WRAPS = [
    "||{}||",
    ">!{}!<",
    "<tg-spoiler>{}</tg-spoiler>",
    "<span class='tg-spoiler'>{}</span>",
    '<span class="tg-spoiler">{}</span>',
    "[spoiler]{}[/spoiler]",
    "[spoiler=Ending]{}[/spoiler]",
    "Spoiler: {}",
    "(spoilers) {}",
    "SPOILER WARNING {}",
    "MARK{}",  # a Telegram spoiler entity
]
# Markup characters around the spoilers, except a stray delimiter of the spoiler markups themselves:
# "|| ||secret||" shows "secret||" on Discord too, so that is the author's markup, not a leak.
_NOT_DELIMITERS = [p for p in SPECIAL if not any(d in p for d in ("|", ">!", "!<", "[spoiler", "tg-spoiler", "!"))]
_VISIBLE = st.lists(
    st.one_of(st.text(alphabet="αβγδεζηθ ", max_size=8), st.sampled_from(_NOT_DELIMITERS)), max_size=3
).map("".join)


@st.composite
def marked_reviews(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]], str]:
    text = ""
    marks: list[tuple[int, int]] = []
    for _ in range(draw(st.integers(1, 3))):
        text += draw(_VISIBLE) + draw(st.sampled_from([" ", "\n", "\n\n"]))
        wrap = draw(st.sampled_from(WRAPS))
        body = draw(_SPOILER_BODY)
        if wrap == "MARK{}":
            marks.append((len(text), len(text) + len(body)))
            text += body
        else:
            if wrap.endswith(" {}") or wrap.startswith("SPOILER"):
                text = text.rstrip(" ") + "\n\n"  # a cue hides to the end of its paragraph: start one
                body = body.replace("\n", " ")
            text += wrap.format(body)
        text += draw(st.sampled_from([" ", "\n\n"]))
    dialect = draw(st.sampled_from(["auto", "auto", "html"]))
    return text, marks, dialect


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(marked_reviews())
@example(("``` ||а|| ``` ||а|| ", [], "auto"))  # spoiler markup inside a code fence once showed as code
@example(("a `||а||` b", [], "auto"))
def test_spoiler_text_never_shows_outside_a_spoiler_in_any_writer(case: tuple[str, list[tuple[int, int]], str]) -> None:
    text, marks, dialect = case
    if dialect == "html" and any(c in text for c in "<>&"):
        dialect = "auto"  # SPECIAL's stray "<" are not what an HTML export holds
    d = read_review(text, marks=marks, dialect=dialect)
    assert not CYR.search(d.visible_text())
    for view in (spoiler_free(d, "Film"), d):
        assert not CYR.search(to_console(view))
        assert not CYR.search(dm.visible_text(to_discord_markdown(view)))
        plain, mask = _telegram_mask(to_telegram_html(view))
        assert not CYR.search("".join(c for c, hidden in zip(plain, mask, strict=True) if not hidden))


def test_parse_still_reads_literal_text_without_marks() -> None:
    assert parse("plain words").visible_text() == "plain words"


def test_a_spoiler_running_across_a_paragraph_break_is_one_section() -> None:
    d = read_review("Gorgeous. >!Ernesto poisoned Hector.\n\nHector is the great-great-grandfather.!<\n\nThe songs!")
    assert d.spoiler_sections == 1
    assert review_view(d, "Coco").endswith("Spoilers hidden (1 section): /spoiler Coco shows them.")


def test_spoiler_markup_inside_backticks_still_hides() -> None:
    """A member who wraps ``||the twist||`` in backticks meant to hide it; a review is not code."""
    for text in (
        "The ending: `||he was dead all along||`.",
        "```\n||he was dead all along||\n```",
        "[code]||he was dead||[/code]",
    ):
        d = read_review(text, marks=[], dialect="auto")
        assert "dead" not in d.visible_text(), text
        assert "dead" in d.plain
    assert "a || b" in read_review("run `a || b` first", marks=[], dialect="auto").visible_text()
