"""The spoiler detector on reviews the team wrote (tests/fixtures/reviews/) and on the seed.

Each fixture row lists the opening words of paragraphs and whether a reader of `/review`
may see them. The seed test runs only where ../shared is present.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.richtext import (
    Document,
    apply_spoiler_mode,
    parse,
    split_discord,
    split_telegram,
    spoiler_free,
    text_document,
    to_console,
)
from bot.richtext.detect import explain
from tests.checks import discord_markdown as dm
from tests.checks.telegram_html import check_message, parse_html

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "reviews"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_2284b5db8f75bcf2.txt"

VISIBLE, HIDDEN, PARTLY = "visible", "hidden", "partly hidden"


def state(d: Document, opening: str) -> str:
    matches = [b for b in d.blocks if b.text.startswith(opening)]
    assert len(matches) == 1, f"{opening!r} matches {len(matches)} paragraphs"
    b = matches[0]
    if b.spoiler:
        return HIDDEN
    return PARTLY if any(s.spoiler for s in b.spans) else VISIBLE


CASES = {
    "hachi_blog.txt": [  # a blog post retelling the whole plot, no markup
        ("Hachi: A Dog's Tale - Bring Tissues", VISIBLE),
        ("Hello movie lovers!", VISIBLE),
        ("Hachi: A Dog's Tale is a 2009 American drama", VISIBLE),  # the premise
        ("One snowy evening, Professor Parker Wilson found", HIDDEN),
        ("Hachi grew up and followed Parker", HIDDEN),
        ("One day Hachi refused", HIDDEN),
        ("After the funeral Cate sold the house", HIDDEN),
        ("In the end, an old and tired Hachi", HIDDEN),  # the ending
        ("Honestly, Richard Gere is fine", VISIBLE),
        ("My verdict: 9/10.", VISIBLE),
        ("Thanks for reading", VISIBLE),
    ],
    "the_host_present_tense.txt": [  # retold in the present tense
        ("Hi friends", VISIBLE),
        ("The Host is a 2006 South Korean monster film", VISIBLE),
        ("Gang-du runs a small snack bar", VISIBLE),  # the inciting incident is the premise
        ("The government then claims", HIDDEN),
        ("In the end Hee-bong dies", HIDDEN),
        ("The film is funny and sad", VISIBLE),
    ],
    "parasite_short.txt": [  # a short opinion: nothing to hide
        ("Parasite is razor sharp", VISIBLE),
        ("I loved every minute", VISIBLE),
    ],
    "oldboy_label_last_line.txt": [  # the only spoiler is the last line, marked "Spoiler:"
        ("Oldboy is a 2003 South Korean thriller", VISIBLE),
        ("The hallway fight", VISIBLE),
        ("Spoiler: the woman he falls for", PARTLY),
    ],
    "handmaiden_pipes_last_line.md": [  # explicit ||…|| on the last line: explicit markup wins
        ("The Handmaiden (2016)", VISIBLE),
        ("Park Chan-wook's The Handmaiden moves", VISIBLE),
        ("The costumes and the house", VISIBLE),
        ("The heiress and the maid", PARTLY),
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_reviews(name: str) -> None:
    d = apply_spoiler_mode(parse((FIXTURES / name).read_text(encoding="utf-8")), "auto")
    assert [state(d, opening) for opening, _ in CASES[name]] == [want for _, want in CASES[name]]
    assert len(d.blocks) == len(CASES[name])  # every paragraph is in the table


def test_label_fixture_hides_exactly_the_last_line() -> None:
    d = apply_spoiler_mode(parse((FIXTURES / "oldboy_label_last_line.txt").read_text(encoding="utf-8")))
    assert d.spoiler_text() == "the woman he falls for is his own daughter."
    free = to_console(spoiler_free(d, "Oldboy"))
    assert "daughter" not in free and "Spoiler:" not in free
    assert free.endswith("Spoilers hidden (1 section): /spoiler Oldboy shows them.")


SHORT_OPINIONS = [
    "Loved it. 9/10.",
    "A sad Korean drama that made me cry. Highly recommended!",
    "Boring and too long. The acting is fine but the script is a mess.",
    "Watched it twice. Still great.\n\nThe soundtrack is gorgeous.",
    "Miracle in Cell No. 7 is a 2013 South Korean film starring Ryu Seung-ryong. I cried a lot.",
    "Is it worth it? Yes. Go watch it with your family.",
]


@pytest.mark.parametrize("text", SHORT_OPINIONS)
def test_short_reviews_without_narration_get_no_spoilers(text: str) -> None:
    assert not apply_spoiler_mode(parse(text)).has_spoilers


def test_an_opinion_between_plot_passages_stays_visible() -> None:
    d = apply_spoiler_mode(
        parse(
            "Mira is a 2020 film starring Ann Lee as Mira.\n\n"
            "Mira found the letter, then she ran to the station and met Tom. Later they fought and he left.\n\n"
            "The cinematography is gorgeous and the score is brilliant; I loved the acting.\n\n"
            "In the end Tom died in the fire and Mira finally went home alone. Mira never forgave Tom."
        )
    )
    assert [b.spoiler for b in d.blocks] == [False, True, False, True]


def test_present_tense_narration_is_not_taken_for_the_premise() -> None:
    d = apply_spoiler_mode(
        parse(
            "Hi all!\n\nThe Host is a 2006 South Korean monster film directed by Bong Joon-ho.\n\n"
            "Gang-du follows the creature into the sewers, then he finds his daughter and she dies in his arms.\n\n"
            "I loved it. 9/10."
        )
    )
    assert [b.spoiler for b in d.blocks] == [False, False, True, False]


def test_explicit_markup_wins_over_the_detector() -> None:
    text = (FIXTURES / "hachi_blog.txt").read_text(encoding="utf-8") + "\n\n||Extra hidden line.||"
    d = apply_spoiler_mode(parse(text))
    assert d.spoiler_text() == "Extra hidden line."
    assert "found a lost puppy" in d.visible_text()


def test_modes() -> None:
    d = parse((FIXTURES / "hachi_blog.txt").read_text(encoding="utf-8"))
    auto = apply_spoiler_mode(d, "auto")
    assert all(b.source == "detector" for b in auto.blocks if b.spoiler)
    assert apply_spoiler_mode(auto, "auto") == auto  # re-running replaces the guess with the same guess
    assert not apply_spoiler_mode(auto, "none").has_spoilers
    everything = apply_spoiler_mode(auto, "all")
    assert everything.visible_text() == "" and everything.spoiler_sections == 1
    assert {b.source for b in everything.blocks} == {"admin"}
    with pytest.raises(ValueError, match="spoiler mode"):
        apply_spoiler_mode(d, "some")


def test_explain_gives_a_reason_for_every_paragraph() -> None:
    d = parse((FIXTURES / "hachi_blog.txt").read_text(encoding="utf-8"))
    reasons = [s.reason for s in explain(d)]
    assert reasons[2] == "before the retelling (greeting, title, premise)"
    assert reasons[7] == "the ending"
    assert reasons[9] == "after the ending (verdict, recommendation, sign-off)"
    assert explain(text_document("Nice."))[0].reason == "no retelling in this review"


# --- the seed review --------------------------------------------------------------------------------

PLOT_PHRASES = ["sentenced Lee Yong Go to death", "execution room", "After 20 years", "retrial"]


@pytest.fixture
def seed() -> str:
    if not SEED.is_file():
        pytest.skip("../shared/seeds is not here (a fresh clone has none)")
    return SEED.read_text(encoding="utf-8")


def _body(seed: str) -> str:
    """The post from its title down to the sign-off (the importer strips bio and comments)."""
    return seed[: seed.index("See you 😊") + len("See you 😊")]


def test_seed_spoiler_free_view(seed: str) -> None:
    d = apply_spoiler_mode(parse(_body(seed)))
    free = spoiler_free(d, "Miracle in Cell No. 7")
    for out in (to_console(free), free.plain):
        assert "Have you ever heard of a very moving movie?" in out
        assert "Miracle in Cell No. 7 is a 2013 South Korean film starring" in out
        assert "highly recommended to watch with family" in out
        assert "See you 😊" in out
        for phrase in PLOT_PHRASES:
            assert phrase not in out
    assert to_console(free).endswith("Spoilers hidden (1 section): /spoiler Miracle in Cell No. 7 shows them.")
    for chunk in split_telegram(free):
        assert not any(p in parse_html(chunk)[0] for p in PLOT_PHRASES)
    for chunk in split_discord(free):
        assert not any(p in dm.visible_text(chunk) for p in PLOT_PHRASES)


def _in_order(text: str, phrases: list[str]) -> bool:
    return [m.group(0) for m in re.finditer("|".join(map(re.escape, phrases)), text)] == phrases


def test_seed_full_view_on_telegram(seed: str) -> None:
    d = apply_spoiler_mode(parse(_body(seed)))
    chunks = split_telegram(d)
    assert len(chunks) >= 3
    visible, hidden, everything = [], [], []
    for c in chunks:
        plain = check_message(c)  # Telegram accepts every message as it is
        text, entities = parse_html(c)
        mask = [False] * len(text)
        units = [k for k, ch in enumerate(text) for _ in range(2 if ord(ch) > 0xFFFF else 1)]
        for e in entities:
            if e["type"] == "spoiler":
                for u in range(e["offset"], e["offset"] + e["length"]):
                    mask[units[u]] = True
        visible.append("".join(ch for ch, m in zip(text, mask, strict=True) if not m))
        hidden.append("".join(ch for ch, m in zip(text, mask, strict=True) if m))
        everything.append(plain)
    assert _in_order(
        " ".join(everything),
        [
            "Have you ever heard",
            "sentenced Lee Yong Go to death",
            "execution room",
            "After 20 years",
            "retrial",
            "See you 😊",
        ],
    )
    for phrase in PLOT_PHRASES:
        assert phrase in " ".join(hidden) and phrase not in " ".join(visible)
    assert "Hi everyone," in visible[0] and "See you 😊" in visible[-1]


def test_seed_full_view_on_discord(seed: str) -> None:
    d = apply_spoiler_mode(parse(_body(seed)))
    chunks = split_discord(d)
    assert len(chunks) >= 6 and all(len(c) <= 2000 for c in chunks)
    visible = " ".join(dm.visible_text(c) for c in chunks)
    hidden = " ".join(dm.spoiler_text(c) for c in chunks)
    assert all(dm.mentions(c) == [] for c in chunks)
    for phrase in PLOT_PHRASES:
        assert phrase in hidden and phrase not in visible
    assert _in_order(
        " ".join(text for c in chunks for text, _ in dm.parse_spoilers(c)),
        [
            "Have you ever heard",
            "sentenced Lee Yong Go to death",
            "execution room",
            "After 20 years",
            "retrial",
            "See you 😊",
        ],
    )
    assert "See you 😊" in visible and "highly recommended to watch with family" in visible


def test_seed_with_bio_and_comments_still_keeps_them_visible(seed: str) -> None:
    """Fed the whole post, the detector must not take the bio or the comments for narration."""
    d = apply_spoiler_mode(parse(seed))
    visible = d.visible_text()
    for phrase in PLOT_PHRASES:
        assert phrase not in visible
    for kept in [
        "highly recommended to watch with family",
        "Welcome to Tina K Harnis's little room",
        "Korea is very capable of making dramas",
        "Hi everyone,",
    ]:
        assert kept in visible
    assert d.spoiler_sections == 1


@pytest.mark.parametrize(
    ("text", "hidden", "visible"),
    [
        # one sentence: no premise to set up, so the opening exemption does not apply
        ("Jack freezes in the water.", "Jack freezes", ""),
        # two sentences: a present-tense act by a capitalised name in the opening stays the premise
        ("Carl ties balloons to his house. Pixar at its best.", "", "Carl ties balloons"),
        # lower-case names, past tense, even in the opening sentence
        ("ernesto poisoned hector!! the music slaps", "ernesto poisoned hector", "the music slaps"),
        ("the final scene is one of the best ever filmed", "", "the final scene is one of the best"),
        ("slow burn that ends with a bang, what a cast", "", "slow burn that ends with a bang"),
        ("Great film. the mom freezes up in the interview scene", "", "Great film."),
    ],
)
def test_chat_phrasing(text: str, hidden: str, visible: str) -> None:
    """Issue 10b's rules on their own (the chat sets in tests/fixtures/spoilers/ gate them all)."""
    plain = to_console(apply_spoiler_mode(parse(text)))
    if hidden:
        assert hidden not in plain
    if visible:
        assert visible in plain
