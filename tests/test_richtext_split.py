"""The splitter: every message within its platform's limit, valid alone, nothing lost or
reordered, and no spoiler character ever outside a spoiler in any message."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.richtext import Document, Span, para, parse, split_discord, split_telegram, text_document
from bot.richtext.model import normalize, utf16_len
from bot.richtext.split import clusters, split_telegram_within
from tests.checks import discord_markdown as dm
from tests.checks.telegram_html import check_message, parse_html
from tests.test_richtext_properties import CYR, DOCUMENTS, GRK, SETTINGS, raw_strings, squash


def _repeat(d: Document, times: int) -> Document:
    return Document(d.blocks * times)


def _telegram_parts(html: str) -> tuple[str, str]:
    """(visible, hidden) text of one Telegram message, as Telegram's parser splits it."""
    plain, entities = parse_html(html)
    units: list[int] = []
    for k, ch in enumerate(plain):
        units.extend([k] * (2 if ord(ch) > 0xFFFF else 1))
    hidden = [False] * len(plain)
    for e in entities:
        if e["type"] == "spoiler":
            for u in range(e["offset"], e["offset"] + e["length"]):
                hidden[units[u]] = True
    visible = "".join(c for c, h in zip(plain, hidden, strict=True) if not h)
    spoiled = "".join(c for c, h in zip(plain, hidden, strict=True) if h)
    # The writer's invisible mention guard ("@" + word joiner) is not part of the text.
    return visible.replace("@\u2060", "@"), spoiled.replace("@\u2060", "@")


# --- properties -----------------------------------------------------------------------------------


@SETTINGS
@given(DOCUMENTS, st.integers(1, 6), st.integers(32, 400))
def test_discord_chunks_fit_keep_order_and_hide_spoilers(d: Document, times: int, limit: int) -> None:
    d = _repeat(d, times)
    chunks = split_discord(d, limit)
    assert all(0 < len(c) <= limit and c.strip() for c in chunks)
    visible = "".join(dm.visible_text(c) for c in chunks)
    hidden = "".join(dm.spoiler_text(c) for c in chunks)
    assert not CYR.search(visible)
    assert not GRK.search(hidden)
    assert CYR.findall(hidden) == CYR.findall(d.spoiler_text())
    assert GRK.findall(visible) == GRK.findall(d.visible_text())
    assert all(dm.mentions(c) == [] for c in chunks)
    # and our own reader sees the whole document, in order
    back = [parse(c, "discord") for c in chunks]
    assert squash("".join(b.visible_text() for b in back)) == squash(d.visible_text())
    assert squash("".join(b.spoiler_text() for b in back)) == squash(d.spoiler_text())


@SETTINGS
@given(DOCUMENTS, st.integers(1, 6), st.integers(24, 300))
def test_telegram_chunks_fit_keep_order_and_hide_spoilers(d: Document, times: int, limit: int) -> None:
    d = _repeat(d, times)
    chunks = split_telegram_within(d, text_limit=limit, raw_limit=12 * limit + 600, entity_limit=12)
    parts = []
    for c in chunks:
        plain, entities = parse_html(c)  # valid alone
        assert plain.strip() and plain == plain.strip()
        assert utf16_len(plain) <= limit and len(c.encode()) <= 12 * limit + 600
        assert len(entities) <= 12
        parts.append(_telegram_parts(c))
    visible = "".join(p[0] for p in parts)
    hidden = "".join(p[1] for p in parts)
    assert squash(visible) == squash(d.visible_text())
    assert squash(hidden) == squash(d.spoiler_text())


@SETTINGS
@given(raw_strings(), st.integers(32, 200))
def test_any_string_splits_into_valid_messages(raw: str, limit: int) -> None:
    d = parse(raw * 3)
    for c in split_discord(d, limit):
        assert 0 < len(c) <= limit and c.strip()
        assert dm.mentions(c) == []
    for c in split_telegram_within(d, text_limit=limit, raw_limit=20 * limit + 600, entity_limit=15):
        parse_html(c)


# --- real limits ----------------------------------------------------------------------------------


def _review(paragraphs: int, words: int = 60) -> Document:
    body = []
    for p in range(paragraphs):
        sentence = " ".join(f"w{p}x{k}" for k in range(words // 2))
        body.append(para(f"{sentence}. ", Span(f"secret {p} ", spoiler=True), f"{sentence}!"))
    return Document(tuple(body))


def test_long_review_fits_telegram_and_discord() -> None:
    d = _review(40, words=100)
    assert len(d.plain) > 20_000
    tg = split_telegram(d)
    assert len(tg) >= 5
    for c in tg:
        check_message(c)  # Telegram's full sendMessage check, length included
    dc = split_discord(d)
    assert all(len(c) <= 2000 for c in dc)
    joined = " ".join(dm.spoiler_text(c) for c in dc)
    assert [int(n) for n in re.findall(r"secret (\d+)", joined)] == list(range(40))


def test_cuts_between_paragraphs_when_that_keeps_messages_full() -> None:
    para_text = "A sentence that is long enough to matter here. " * 6  # ~280 chars
    d = text_document(*[para_text.strip()] * 12)
    chunks = split_discord(d, 1000)
    for c in chunks[:-1]:
        assert c.endswith("matter here."), c[-40:]
        assert len(c) > 500


def test_cuts_after_a_sentence_inside_a_long_paragraph() -> None:
    d = text_document("Short sentence one. " * 200)
    chunks = split_discord(d, 500)
    assert all(c.endswith("one.") for c in chunks)
    assert all(len(c) > 250 for c in chunks[:-1])


def test_cuts_between_words_without_sentences() -> None:
    d = text_document("word " * 1000)
    chunks = split_discord(d, 100)
    assert all(re.fullmatch(r"(word )*word", c) for c in chunks)


def test_hard_cut_only_inside_a_giant_word_and_never_inside_an_emoji() -> None:
    family = "👨\u200d👩\u200d👧\u200d👦"
    d = text_document((family + "🇰🇷e\u0301") * 400)
    chunks = split_telegram_within(d, text_limit=100, raw_limit=2000, entity_limit=10)
    joined = "".join(parse_html(c)[0] for c in chunks)
    assert joined == d.plain
    for c in chunks:
        text = parse_html(c)[0]
        assert clusters(text)[0] in (family, "🇰🇷", "e\u0301")
        assert not text.startswith(("\u200d", "\u0301")) and not text.endswith("\u200d")
        assert utf16_len(text) <= 100


def test_emoji_only_review_counts_utf16_for_telegram() -> None:
    d = text_document("😊" * 5000)  # 5000 code points, 10000 UTF-16 units
    chunks = split_telegram(d)
    assert len(chunks) == 3
    for c in chunks:
        check_message(c)
    assert "".join(chunks) == "😊" * 5000


def test_escapes_and_entities_are_never_cut() -> None:
    d = text_document("<&>|*_" * 2000)
    for c in split_telegram(d):
        check_message(c)
    chunks = split_discord(d, 333)
    assert all(len(c) <= 333 for c in chunks)
    assert "".join(dm.visible_text(c) for c in chunks) == d.plain


def test_formatting_and_spoilers_reopen_in_the_next_message() -> None:
    d = Document((para(Span("secret " * 800, frozenset({"bold"}), spoiler=True)),))
    tg = split_telegram(d)
    assert len(tg) == 2
    assert all(c.startswith("<tg-spoiler><b>") and c.endswith("</b></tg-spoiler>") for c in tg)
    dc = split_discord(d)
    assert all(c.startswith("||**") and c.endswith("**||") for c in dc)
    assert all(dm.visible_text(c) == "" for c in dc)


def test_many_tiny_spoilers_stay_under_telegrams_entity_limit() -> None:
    spans = [Span("x", spoiler=True) if k % 2 else Span(" y ") for k in range(1, 600)]
    d = Document((para(*spans),))
    chunks = split_telegram(d)
    assert len(chunks) >= 3
    for c in chunks:
        _, entities = parse_html(c)
        assert len(entities) <= 100


def test_heavy_markup_stays_under_32_kib_raw() -> None:
    styles = frozenset({"bold", "italic", "underline", "strike"})
    spans = [Span("&", styles, spoiler=bool(k % 2), link="https://example.com/" + "p" * 200) for k in range(3000)]
    d = normalize(Document((para(*spans),)))
    for c in split_telegram(d):
        assert len(c.encode()) <= 32768
        check_message(c)


def test_whitespace_only_or_invisible_documents_give_no_message() -> None:
    for d in (Document(), text_document("   \n\n\t"), text_document("\u200b\u200d"), parse("")):
        assert split_telegram(d) == [] and split_discord(d) == []


def test_discord_limit_must_leave_room_for_markup() -> None:
    with pytest.raises(ValueError, match="at least"):
        split_discord(text_document("x"), 10)


def test_100kb_review_splits_within_limits() -> None:
    text = ("Lee Yong Go was sentenced. ||He dies.|| **Bold** move 😊 <&> " * 2000)[:100_000]
    d = parse(text)
    tg, dc = split_telegram(d), split_discord(d)
    for c in tg:
        check_message(c)
    assert all(len(c) <= 2000 for c in dc)
    hidden = "".join(dm.spoiler_text(c) for c in dc)
    assert hidden.count("He dies.") == text.count("||He dies.||")
