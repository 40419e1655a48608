"""The request parser: chat phrasing in, facets out, never an exception."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.recommend.people import PeopleIndex
from bot.recommend.query import TOKEN_RE, parse

TITLES = {
    "parasite": (1, "Parasite (2019)"),
    "inception": (2, "Inception (2010)"),
    "miracle in cell 7": (3, "Miracle in Cell No. 7 (2013)"),
    "oldboy": (4, "Oldboy (2003)"),
}


def resolve(text: str, fuzzy: bool) -> tuple[int, str] | None:
    hit = TITLES.get(text)
    if hit is None and fuzzy and text.startswith("parasy"):
        return TITLES["parasite"]
    return hit


def test_headline_request() -> None:
    q = parse("sad korean drama", resolve)
    assert q.reading() == ["sad", "South Korea", "drama"]
    assert not q.words


def test_polite_filler_and_typos() -> None:
    q = parse("Can you recommend me a sad koraen drma?", resolve)
    assert q.reading() == ["sad", "South Korea", "drama"]
    assert ("koraen", "korean") in q.corrections and ("drma", "drama") in q.corrections


def test_nicknames_and_combos() -> None:
    assert parse("bollywood").countries == ["IN"]
    assert parse("nollywood").countries == ["NG"]
    anime = parse("anime")
    assert anime.countries == ["JP"] and anime.genres == ["animation"]
    kd = parse("k-drama tear-jerker")
    assert kd.countries == ["KR"] and kd.genres == ["drama"] and "sad" in kd.moods
    assert parse("french romance").countries == ["FR"]


def test_moods_and_synonyms() -> None:
    assert set(parse("something heartwarming and funny").moods) == {"heartwarming", "funny"}
    assert "mindbending" in parse("a mind bending film").moods
    assert "slowburn" in parse("slow-burn").moods
    assert "sad" in parse("a movie that will make me cry").moods
    assert "feelgood" in parse("feel good").moods


def test_negations() -> None:
    q = parse("something scary but not gory")
    assert set(q.moods) == {"scary"} and q.not_moods == {"gory"}
    q = parse("no horror, funny")
    assert q.not_genres == {"horror"} and "funny" in q.moods
    q = parse("scary but not gory or bloody")
    assert q.not_moods == {"gory"}
    assert parse("non-gory horror").not_moods == {"gory"}
    assert parse("nothing too scary").not_moods == {"scary"}


def test_eras_and_length() -> None:
    q = parse("90s comedy")
    assert (q.year_min, q.year_max) == (1990, 1999)
    q = parse("anime before 2000")
    assert q.year_max == 1999 and q.year_min is None
    q = parse("recent thriller", this_year=2026)
    assert q.year_min == 2019
    assert parse("horror from the 1980s").year_min == 1980
    assert parse("since 2015").year_min == 2015
    assert parse("a short comedy").runtime_max == 100
    assert parse("drama under 2 hours").runtime_max == 120
    assert parse("under 90 minutes").runtime_max == 90
    assert parse("not too long").runtime_max == 120


def test_similarity() -> None:
    q = parse("like Parasite but funnier", resolve)
    assert q.like == [TITLES["parasite"]]
    assert q.moods == {"funny": 1.3}
    assert q.reading() == ["like Parasite (2019)", "funnier"]
    q = parse("similar to Inception", resolve)
    assert q.like == [TITLES["inception"]]
    assert parse("movies like miracle in cell 7", resolve).like == [TITLES["miracle in cell 7"]]
    assert parse("like parasyte", resolve).like == [TITLES["parasite"]]
    q = parse("movies like oldboy from the 2000s", resolve)
    assert q.like == [TITLES["oldboy"]] and q.year_min == 2000


def test_like_as_a_verb_is_not_a_title() -> None:
    q = parse("I'd like something sad", resolve)
    assert q.like == [] and q.moods == {"sad": 1.0} and not q.words


def test_unknown_words_become_search_words() -> None:
    q = parse("heist with a twist")
    assert "heist" in q.words


def test_hostile_input_is_harmless() -> None:
    for text in [
        "",
        "   ",
        "😀😀😀",
        "the a of and",
        '" * NEAR( AND OR ^',
        "'; DROP TABLE films; --",
        "x" * 10_000,
        "\x00\x01\u200b",
    ]:
        q = parse(text)
        assert all(TOKEN_RE.fullmatch(w) for w in q.words)
    assert parse("x " * 5000).truncated


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_parser_never_raises_and_words_are_plain_tokens(text: str) -> None:
    q = parse(text, resolve)
    assert isinstance(q.reading(), list)
    assert len(q.words) <= 8
    for w in q.words:
        assert TOKEN_RE.fullmatch(w), w  # letters, digits, inner - or ': safe as a quoted FTS string


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "sad",
                "korean",
                "not",
                "gory",
                "like",
                "parasite",
                "but",
                "funnier",
                "90s",
                "under",
                "2",
                "hours",
                "no",
                "horror",
                "anime",
                "please",
                "drama",
                "recent",
            ]
        ),
        max_size=12,
    )
)
def test_vocabulary_soup_parses(words: list[str]) -> None:
    q = parse(" ".join(words), resolve)
    assert not (set(q.moods) & q.not_moods)
    if q.year_min and q.year_max:
        assert q.year_min <= q.year_max


def _people() -> PeopleIndex:
    ix = PeopleIndex()
    ix.add_film("Oldboy", 2003, ["Park Chan-wook"], ["Choi Min-sik"])
    ix.add_film("Parasite", 2019, ["Bong Joon-ho"], ["Song Kang-ho", "Samuel L. Jackson"])
    ix.add_film("In the Mood for Love", 2000, ["Wong Kar-wai"], ["Tony Leung Chiu-wai", "Gael García Bernal"])
    return ix


@pytest.mark.parametrize(
    ("text", "name", "negated"),
    [
        ("park chan-wook films", "Park Chan-wook", False),
        ("Chan-wook PARK", "Park Chan-wook", False),
        ("something with song kang ho", "Song Kang-ho", False),
        ("films with samuel jackson", "Samuel L. Jackson", False),
        ("tony leung", "Tony Leung Chiu-wai", False),
        ("gael garcia bernal", "Gael García Bernal", False),
        ("bong joonho", "Bong Joon-ho", False),
        ("by wong kar wia", "Wong Kar-wai", False),
        ("romance but not by wong kar-wai", "Wong Kar-wai", True),
    ],
)
def test_people_in_any_order_spelling_and_accent(text: str, name: str, negated: bool) -> None:
    q = parse(text, resolve, people=_people())
    if negated:
        assert name in q.not_people and not q.people
    else:
        assert [n for _, n, _ in q.people] == [name]
    assert not q.words


def test_a_common_word_is_not_a_person() -> None:
    q = parse("jurassic park", resolve, people=_people())
    assert not q.people and "park" in q.words


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_parser_with_people_never_raises(text: str) -> None:
    q = parse(text, resolve, people=_people())
    assert isinstance(q.reading(), list)
    assert not ({k for k, _, _ in q.people} & q.not_people_keys)


def test_ordinary_words_in_the_catalog_are_not_family_names() -> None:
    ix = PeopleIndex()
    ix.add_film("Once", 2007, ["John Carney"], ["Andrew Strong", "Christopher Mintz-Plasse"], "a strong voice")
    assert not parse("something strong", resolve, people=ix).people
    assert not parse("christopher", resolve, people=ix).people  # a hyphenated surname, not a given name
    assert [n for _, n, _ in parse("mintz-plasse", resolve, people=ix).people] == ["Christopher Mintz-Plasse"]


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("parasite vibes", ["like Parasite (2019)"]),
        ("Parasite-style", ["like Parasite (2019)"]),
        ("some oldboy-esque films pls", ["like Oldboy (2003)"]),
        ("movies similar to inception", ["like Inception (2010)"]),
        ("films similair to inception", ["like Inception (2010)"]),
        ("somthing simmilar to inception", ["like Inception (2010)"]),
        ("if i liked oldboy what should i watch next", ["like Oldboy (2003)"]),
        ("If you loved Parasite…", ["like Parasite (2019)"]),
        ("i really enjoyed inception, anything else?", ["like Inception (2010)"]),
        ("something in the vein of oldboy", ["like Oldboy (2003)"]),
        ("in the style of parasite", ["like Parasite (2019)"]),
        ("more like inception", ["like Inception (2010)"]),
        ("similar vibe to oldboy", ["like Oldboy (2003)"]),
        ("for fans of parasite", ["like Parasite (2019)"]),
        ("parasite but sadder", ["like Parasite (2019)", "sadder"]),
        ("PARASİTE BUT FUNNIER", ["like Parasite (2019)", "funnier"]),
    ],
)
def test_similarity_phrasings_name_the_film(text: str, reading: list[str]) -> None:
    """Every way of saying "like X" is read as "like X", never as a search for X's title words."""
    q = parse(text, resolve)
    assert q.reading() == reading
    assert not q.words


@pytest.mark.parametrize(
    "text",
    ["christmas vibes", "cozy vibes", "comedy but not slapstick", "something simpler", "i like horror", "90s style"],
)
def test_similarity_cues_without_a_title_stay_vocabulary(text: str) -> None:
    assert parse(text, resolve).like == []


@settings(max_examples=150, deadline=None)
@given(
    title=st.sampled_from(sorted(TITLES)),
    cue=st.sampled_from(
        ["like {}", "{} vibes", "{}-style", "similar to {}", "if i liked {}", "in the vein of {}", "{} but darker"]
    ),
    case=st.sampled_from([str.lower, str.upper, str.title]),
    pad=st.sampled_from(["", "movies ", "hey bot, ", "any "]),
)
def test_any_similarity_cue_any_case_names_the_film(title: str, cue: str, case: object, pad: str) -> None:
    text = pad + cue.format(case(title))  # type: ignore[operator]
    assert parse(text, resolve).like == [TITLES[title]]


FILLER_TITLES = {"us": (10, "Us (2019)"), "her": (11, "Her (2013)"), "the thing": (12, "The Thing (1982)")}


def resolve_with_filler_titles(text: str, fuzzy: bool) -> tuple[int, str] | None:
    return FILLER_TITLES.get(text) or resolve(text, fuzzy)


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("movies like us", ["like Us (2019)"]),
        ("something like her", ["like Her (2013)"]),
        ("similar vibe to the thing", ["like The Thing (1982)"]),
        ("like her but happier", ["like Her (2013)", "more feel-good"]),
        ("films for people like us", []),
        ("something like something funny", ["funny"]),
    ],
)
def test_titles_made_of_filler_words(text: str, reading: list[str]) -> None:
    """ "Her", "Us", "The Thing": a film only when the title is all that follows the cue."""
    q = parse(text, resolve_with_filler_titles)
    assert [r for r in q.reading() if not r.startswith("“")] == reading


@pytest.mark.parametrize(
    ("text", "shift"),
    [
        ("like parasite but funnier", True),
        ("parasite but sadder", True),
        ("like oldboy only darker", True),
        ("oldboy vibes but funnier", True),
        ("funny movie like parasite", False),
        ("like inception", False),
    ],
)
def test_only_an_explicit_but_shifts_the_named_film(text: str, shift: bool) -> None:
    q = parse(text, resolve)
    assert q.like and q.shift is shift
    if not shift and q.moods:
        assert all(w == 1.0 for w in q.moods.values())  # "funny", not "funnier"


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("horror witout gore", ["horror", "not gory"]),
        ("horror withought zombies", ["horror", "no “zombies”"]),
        ("comedy, nothign american", ["comedy", "not United States"]),
        ("horror exept zombies", ["horror", "no “zombies”"]),
        ("romance excpet bollywood", ["romance", "not India"]),
        ("thriller w/o violence", ["thriller", "not gory"]),
        ("anything but horror", ["no horror"]),
        ("dont want anything sad", ["not sad"]),
        ("no jump scares but scary", ["scary", "no “jump”", "no “scares”"]),
        ("something funny, not romcom", ["funny", "no romcom"]),
        ("not anime", ["no anime"]),
    ],
)
def test_negation_survives_typos_and_phrasing(text: str, reading: list[str]) -> None:
    assert parse(text, resolve).reading() == reading


def test_a_negated_combo_rules_out_the_combination_only() -> None:
    q = parse("japanese, but not anime")
    assert q.countries == ["JP"] and not q.not_countries and not q.not_genres
    assert q.not_combos == [((("JP",), ("animation",)), "anime")]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdeghiknoprstuwx", min_size=5, max_size=9))
def test_a_negation_typo_is_never_a_known_word(word: str) -> None:
    """Typo-tolerant negation never swallows a mood, genre or country: those keep their meaning."""
    q = parse(f"{word} horror", resolve)
    assert "horror" in q.genres or "horror" in q.not_genres


def test_japanese_family_names_with_a_hyphen_and_uncued_misspellings() -> None:
    ix = PeopleIndex()
    ix.add_film("Shoplifters", 2018, ["Hirokazu Kore-eda"], ["Lily Franky"])
    ix.add_film("Seven Samurai", 1954, ["Akira Kurosawa"], ["Toshiro Mifune"])
    ix.add_film("Oldboy", 2003, ["Park Chan-wook"], ["Choi Min-sik"])
    for text in ("kore-eda films", "koreeda", "hirokazu koreeda"):
        assert [n for _, n, _ in parse(text, resolve, people=ix).people] == ["Hirokazu Kore-eda"], text
    assert [n for _, n, _ in parse("park films", resolve, people=ix).people] == ["Park Chan-wook"]
    q = parse("kurasawa samurai", resolve, people=ix)
    assert [n for _, n, _ in q.people] == ["Akira Kurosawa"] and q.words == ["samurai"]
    assert not parse("samurai", resolve, people=ix).people  # a word of a title is never a name


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("something my 6 year old will love", ["for kids (no horror, gore or adult themes)"]),
        ("a love story", ["romantic"]),
        ("a grown-up thriller, not for kids", ["for adults (no family films)", "thriller"]),
        ("nolan-free thriller that isnt too long", ["thriller", "not too long (≤ 120 min)", "“nolan-free”"]),
    ],
)
def test_who_watches_and_how_long_are_not_moods_or_genres(text: str, reading: list[str]) -> None:
    """ "will love" is a verb, "not for kids" repeats "grown-up", "isn't too long" is a length."""
    assert parse(text, resolve).reading() == reading


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("something to cry to", ["a good cry"]),
        ("i wanna bawl my eyes out", ["a good cry"]),
        ("a cozy night in, nothing too sad", ["cozy", "not sad"]),
        ("something to watch with a hangover", ["light, easy watch"]),
        ("a long flight", ["light, easy watch"]),
        ("chill movie to wind down", ["calm"]),
        ("a film that will make me think", ["thought-provoking"]),
        ("date night with my boyfriend", ["romantic"]),
        ("feeling lonely tonight", ["for a lonely night"]),
        ("something wierd", ["weird"]),
        ("not too weird, something light", ["light, easy watch", "not mind-bending"]),
        ("a christmas movie", ["festive"]),
        ("sci-fi without time travel", ["sci-fi", "no “time”", "no “travel”"]),
    ],
)
def test_feelings_and_occasions_are_read_not_searched(text: str, reading: list[str]) -> None:
    """What members type about a mood or an evening is read as a vibe, never left as search words."""
    assert parse(text).reading() == reading
