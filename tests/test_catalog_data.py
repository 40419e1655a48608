"""The starter catalog (data/catalog.jsonl): well-formed, varied enough to recommend from.

These check the data file itself, line by line, not the loader: every record has
the keys and types the importer and the recommender rely on, and the catalog as
a whole covers enough countries, decades and moods for a newcomer's first
`/recommend` or `/movie` to find something.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

CATALOG = Path(__file__).resolve().parents[1] / "data" / "catalog.jsonl"

GENRES = {
    "action",
    "adventure",
    "animation",
    "comedy",
    "crime",
    "documentary",
    "drama",
    "family",
    "fantasy",
    "history",
    "horror",
    "music",
    "musical",
    "mystery",
    "romance",
    "science fiction",
    "thriller",
    "war",
    "western",
    "sport",
    "biography",
}
REQUIRED = {
    "title": str,
    "aliases": list,
    "year": int,
    "countries": list,
    "languages": list,
    "genres": list,
    "directors": list,
    "cast": list,
    "runtime": int,
    "keywords": list,
    "overview": str,
}
OPTIONAL = {"original_title": str}
# Who a film is fine for (bot.recommend.lexicon): every starter film says it, one way or the other.
CONTENT = {"violent", "gory", "sexual content", "drug use", "disturbing", "frightening"}
SAD = {"tearjerker", "heartbreaking", "devastating", "bleak", "tragic", "melancholy", "grief", "sad"}


def _lines() -> list[tuple[int, str]]:
    text = CATALOG.read_text(encoding="utf-8")
    return [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


@pytest.fixture(scope="module")
def films() -> list[dict[str, Any]]:
    return [json.loads(line) for _, line in _lines()]


def test_file_exists_and_is_utf8_jsonl() -> None:
    assert CATALOG.is_file(), CATALOG
    for n, line in _lines():
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:  # pragma: no cover - failure path
            pytest.fail(f"line {n}: not valid JSON: {e}")
        assert isinstance(obj, dict), f"line {n}: not an object"


def test_every_record_has_required_keys_and_types(films: list[dict[str, Any]]) -> None:
    problems = []
    for n, film in enumerate(films, 1):
        label = f"line {n} ({film.get('title')!r})"
        for key, typ in REQUIRED.items():
            value = film.get(key)
            if not isinstance(value, typ) or isinstance(value, bool):
                problems.append(f"{label}: {key} should be {typ.__name__}, got {value!r}")
        for key, typ in OPTIONAL.items():
            if key in film and not (isinstance(film[key], typ) and film[key].strip()):
                problems.append(f"{label}: {key} should be a non-empty {typ.__name__}")
        unknown = set(film) - set(REQUIRED) - set(OPTIONAL)
        if unknown:
            problems.append(f"{label}: unknown keys {sorted(unknown)}")
        for key in ("aliases", "countries", "languages", "genres", "directors", "cast", "keywords"):
            if isinstance(film.get(key), list) and not all(isinstance(v, str) and v.strip() for v in film[key]):
                problems.append(f"{label}: {key} must hold non-empty strings")
    assert not problems, "\n".join(problems[:50])


def test_field_values_are_plausible(films: list[dict[str, Any]]) -> None:
    problems = []
    for n, film in enumerate(films, 1):
        label = f"line {n} ({film['title']!r})"
        if not film["title"].strip():
            problems.append(f"{label}: empty title")
        if film.get("original_title") == film["title"]:
            problems.append(f"{label}: original_title repeats the title; omit it")
        if not 1890 <= film["year"] <= 2030:
            problems.append(f"{label}: year {film['year']}")
        if not film["countries"] or not all(re.fullmatch(r"[A-Z]{2}", c) for c in film["countries"]):
            problems.append(f"{label}: countries must be ISO 3166 alpha-2 codes: {film['countries']}")
        if not film["languages"] or not all(re.fullmatch(r"[a-z]{2}", c) for c in film["languages"]):
            problems.append(f"{label}: languages must be ISO 639-1 codes: {film['languages']}")
        if not film["genres"]:
            problems.append(f"{label}: no genres")
        if not film["directors"]:
            problems.append(f"{label}: no directors")
        if not 1 <= len(film["cast"]) <= 5:
            problems.append(f"{label}: cast should list 1-5 main actors, has {len(film['cast'])}")
        if not 40 <= film["runtime"] <= 330:
            problems.append(f"{label}: runtime {film['runtime']} min")
        if not 8 <= len(film["keywords"]) <= 18:
            problems.append(f"{label}: {len(film['keywords'])} keywords, want 8-18")
        if any(k != k.lower() for k in film["keywords"]):
            problems.append(f"{label}: keywords must be lower case")
        if not 30 <= len(film["overview"]) <= 400:
            problems.append(f"{label}: overview should be one or two sentences")
        for key in ("countries", "languages", "genres", "keywords", "aliases"):
            if len(set(film[key])) != len(film[key]):
                problems.append(f"{label}: repeated entry in {key}")
    assert not problems, "\n".join(problems[:50])


def test_genres_come_from_the_fixed_list(films: list[dict[str, Any]]) -> None:
    bad = {(f["title"], f["year"], g) for f in films for g in f["genres"] if g not in GENRES}
    assert not bad, sorted(bad)


def test_no_duplicate_title_and_year(films: list[dict[str, Any]]) -> None:
    seen = Counter((f["title"].casefold(), f["year"]) for f in films)
    dups = [k for k, n in seen.items() if n > 1]
    assert not dups, dups


def test_size_countries_and_decades(films: list[dict[str, Any]]) -> None:
    assert len(films) >= 400
    countries = {c for f in films for c in f["countries"]}
    assert len(countries) >= 25, sorted(countries)
    decades = Counter(f["year"] // 10 * 10 for f in films)
    thin = {d: decades[d] for d in range(1950, 2030, 10) if decades[d] < 20}
    assert not thin, f"decades with fewer than 20 films: {thin}"


def test_korean_films_and_sad_dramas_are_plentiful(films: list[dict[str, Any]]) -> None:
    korean = [f for f in films if "KR" in f["countries"]]
    assert len(korean) >= 30
    sad = [f for f in films if "drama" in f["genres"] and SAD & set(f["keywords"])]
    assert len(sad) >= 60
    sad_korean = [f for f in sad if f in korean]
    assert len(sad_korean) >= 10


def test_miracle_in_cell_no_7_and_its_remake(films: list[dict[str, Any]]) -> None:
    by_key = {(f["title"], f["year"]): f for f in films}
    original = by_key.get(("Miracle in Cell No. 7", 2013))
    assert original is not None
    assert original["countries"] == ["KR"]
    assert "ko" in original["languages"]
    assert {"drama", "comedy"} <= set(original["genres"])
    assert original["directors"] == ["Lee Hwan-kyung"]
    assert "Ryu Seung-ryong" in original["cast"]
    assert {"tearjerker", "father daughter", "wrongful conviction", "prison"} <= set(original["keywords"])
    assert "Miracle in Cell 7" in original["aliases"]

    remake = by_key.get(("Miracle in Cell No. 7", 2019))
    assert remake is not None
    assert remake["countries"] == ["TR"]
    assert remake["original_title"] == "7. Koğuştaki Mucize"


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("Parasite", 2019),
        ("Oldboy", 2003),
        ("Oldboy", 2013),
        ("Inception", 2010),
        ("Spirited Away", 2001),
        ("3 Idiots", 2009),
        ("The Wedding Party", 2016),
        ("Grave of the Fireflies", 1988),
        ("The Godfather Part II", 1974),
        ("Toy Story 4", 2019),
        ("Before Midnight", 2013),
        ("Three Colours: Red", 1994),
    ],
)
def test_films_people_ask_for_first_are_there(films: list[dict[str, Any]], title: str, year: int) -> None:
    assert any(f["title"] == title and f["year"] == year for f in films)


def test_series_entries_are_complete(films: list[dict[str, Any]]) -> None:
    titles = {f["title"] for f in films}
    series = {
        "The Godfather": ["The Godfather", "The Godfather Part II", "The Godfather Part III"],
        "Toy Story": ["Toy Story", "Toy Story 2", "Toy Story 3", "Toy Story 4"],
        "Before": ["Before Sunrise", "Before Sunset", "Before Midnight"],
        "Three Colours": ["Three Colours: Blue", "Three Colours: White", "Three Colours: Red"],
        "The Lord of the Rings": [
            "The Lord of the Rings: The Fellowship of the Ring",
            "The Lord of the Rings: The Two Towers",
            "The Lord of the Rings: The Return of the King",
        ],
    }
    missing = {name: [t for t in parts if t not in titles] for name, parts in series.items()}
    assert not any(missing.values()), missing


def test_every_film_says_who_it_is_fine_for(films: list[dict[str, Any]]) -> None:
    """ "family friendly" (all ages), or "mature themes" and/or what makes it grown-up, never both:
    children's requests are answered from this alone, so a film without it would be guessed at."""
    problems = []
    for f in films:
        keywords = set(f["keywords"])
        grown_up = keywords & (CONTENT | {"mature themes"})
        if ("family friendly" in keywords) == bool(grown_up):
            problems.append(
                f"{f['title']} ({f['year']}): {sorted(keywords & (CONTENT | {'family friendly', 'mature themes'}))}"
            )
    assert not problems, problems[:20]


@pytest.mark.parametrize(
    ("title", "year", "fine_for_kids"),
    [
        ("The Exorcist", 1973, False),
        ("Grave of the Fireflies", 1988, False),
        ("Requiem for a Dream", 2000, False),
        ("My Neighbor Totoro", 1988, True),
        ("Wallace & Gromit: The Curse of the Were-Rabbit", 2005, True),
        ("Paddington 2", 2017, True),
        ("Coco", 2017, True),
    ],
)
def test_audience_of_films_everyone_knows(
    films: list[dict[str, Any]], title: str, year: int, fine_for_kids: bool
) -> None:
    film = next(f for f in films if f["title"] == title and f["year"] == year)
    assert ("family friendly" in film["keywords"]) is fine_for_kids


def test_alike_films_share_what_they_are_about(films: list[dict[str, Any]]) -> None:
    """Pairs any film fan calls alike share theme keywords, not only tone words."""
    kw = {(f["title"], f["year"]): set(f["keywords"]) - CONTENT - {"mature themes", "family friendly"} for f in films}
    pairs = [
        (("Heat", 1995), ("The Departed", 2006), {"cops and robbers", "organized crime"}),
        (("Heat", 1995), ("Inside Man", 2006), {"heist", "cops and robbers"}),
        (("Alien", 1979), ("The Thing", 1982), {"alien creature", "isolation"}),
        (("The Dark Knight", 2008), ("Heat", 1995), {"heist", "organized crime"}),
        (("Se7en", 1995), ("Memories of Murder", 2003), {"serial killer", "detective"}),
        (("Blade Runner", 1982), ("Ghost in the Shell", 1995), {"cyberpunk", "artificial intelligence"}),
    ]
    for a, b, shared in pairs:
        assert shared <= kw[a] & kw[b], (a, b, kw[a] & kw[b])
