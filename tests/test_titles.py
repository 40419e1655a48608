"""What people type, and the film they meant."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import dispatch
from bot.core import MovieBot
from bot.replies import Request
from bot.store import Store
from bot.titles import TitleIndex, normalize_title, split_year


@pytest.fixture
def index(store: Store) -> TitleIndex:
    return TitleIndex(store.title_index())


@pytest.mark.parametrize(
    ("typed", "title", "year"),
    [
        ("Parasite", "Parasite", 2019),
        ("parasite", "Parasite", 2019),
        ("PARASITE!!", "Parasite", 2019),
        ("Parasite (2019)", "Parasite", 2019),
        ("parasite 2019", "Parasite", 2019),
        ("기생충", "Parasite", 2019),
        ("mircale in cell 7", "Miracle in Cell No. 7", 2013),
        ("Miracle in Cell No. 7", "Miracle in Cell No. 7", 2013),
        ("miracle in cell no 7 (2019)", "Miracle in Cell No. 7", 2019),
        ("7번방의 선물", "Miracle in Cell No. 7", 2013),
        ("oldboy", "Oldboy", 2003),
        ("Oldboy 2013", "Oldboy", 2013),
        ("host", "The Host", 2006),
        ("the godfather", "The Godfather", 1972),
        ("godfather", "The Godfather", 1972),
        ("spirited away", "Spirited Away", 2001),
        ("spirted away", "Spirited Away", 2001),
        ("Inceptoin", "Inception", 2010),
    ],
)
def test_typed_titles_resolve(index: TitleIndex, store: Store, typed: str, title: str, year: int) -> None:
    res = index.resolve(typed)
    assert res.film_id is not None, f"{typed!r} did not resolve; candidates {res.candidates}"
    film = store.get_film(res.film_id)
    assert (film.title, film.year) == (title, year)


def test_remakes_without_year_name_the_others(index: TitleIndex) -> None:
    res = index.resolve("Miracle in Cell No. 7")
    assert res.film_id is not None
    assert any("2019" in label for _, label in res.others)


@pytest.mark.parametrize("typed", ["zzzz qqqq", '" * NEAR( AND OR', "", "   ", "🎬🎬🎬"])
def test_unknown_input_gives_candidates_not_errors(index: TitleIndex, typed: str) -> None:
    res = index.resolve(typed)
    assert res.film_id is None
    assert len(res.candidates) <= 5


def test_autocomplete_offers_prefix_matches(index: TitleIndex) -> None:
    labels = [label for _, label in index.complete("miracle cel")]
    assert labels and labels[0].startswith("Miracle in Cell No. 7")
    assert len(index.complete("a", limit=25)) <= 25


def test_normalisation_drops_case_accents_punctuation_and_article() -> None:
    assert normalize_title("The Fabulous Destiny of Amélie Poulain!") == "fabulous destiny of amelie poulain"
    assert normalize_title("Crouching Tiger, Hidden Dragon") == "crouching tiger hidden dragon"
    assert split_year("Oldboy (2013)") == ("Oldboy", 2013)
    assert split_year("1917") == ("1917", None)


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_resolve_never_raises(text: str) -> None:
    idx = TitleIndex([(1, "parasite", 2019, "Parasite"), (2, "host", 2006, "The Host")])
    res = idx.resolve(text)
    assert res.film_id in (None, 1, 2)


def test_an_exact_title_beats_an_alias_and_the_other_is_named(index: TitleIndex, store: Store) -> None:
    res = index.resolve("The Ring")
    assert res.film_id is not None
    assert store.get_film(res.film_id).label == "The Ring (2002)"  # not Ringu, whose alias is "The Ring"
    assert [label for _, label in res.others] == ["Ringu (1998)"]
    ringu = index.resolve("the ring 1998").film_id
    assert ringu is not None and store.get_film(ringu).title == "Ringu"
    assert index.resolve("ringu").film_id == ringu
    assert store.get_film(res.film_id).id in index.same_title(ringu)


def _say(bot: MovieBot, command: str, args: str) -> str:
    replies = dispatch.handle(bot, Request("telegram", "u1", command, args=args))
    return "\n".join(r.body.plain for r in replies)


@pytest.mark.parametrize(
    ("command", "args", "how"),
    [
        ("rate", "the ring 6", "/rate the ring 1998 6"),
        ("movie", "The Ring", "/movie The Ring 1998"),
        ("review", "oldboy", "/review oldboy 2013"),
    ],
)
def test_commands_that_pick_among_remakes_say_which_and_how_to_pick_the_other(
    movie_bot: MovieBot, command: str, args: str, how: str
) -> None:
    text = _say(movie_bot, command, args)
    assert "Also titled like this" in text
    assert how in text


def test_rating_the_other_remake_with_its_year(movie_bot: MovieBot) -> None:
    text = _say(movie_bot, "rate", "the ring 1998 7")
    assert text.startswith("Rated Ringu (1998) 7/10")
