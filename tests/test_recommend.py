"""/recommend end to end through the real core and a real SQLite file: what a member sees."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import dispatch
from bot.catalog import load_starter_catalog
from bot.core import MovieBot
from bot.recommend import features
from bot.recommend.query import parse as parse_request
from bot.recommend.session import Sessions
from bot.replies import MAX_ACTION_BYTES, Reply, Request
from bot.richtext import apply_spoiler_mode, parse
from bot.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "recommend"


def ask(bot: MovieBot, text: str, *, user: str = "u1", chat: str = "c1") -> Reply:
    replies = dispatch.handle(bot, Request("telegram", user, "recommend", args=text, chat_id=chat))
    assert len(replies) == 1
    return replies[0]


def press(bot: MovieBot, action: str, *, chat: str = "c1") -> Reply:
    replies = dispatch.press(bot, Request("telegram", "u2", "recommend", chat_id=chat), action)
    assert len(replies) == 1
    return replies[0]


def pick_lines(reply: Reply) -> list[str]:
    return [b.text for b in reply.body.blocks if b.text[:1].isdigit() and ". " in b.text[:4]]


def add_review(bot: MovieBot, title: str, year: int, text: str, rating: float | None = None) -> int:
    film_id = bot.store.find_film_id(title, year)
    assert film_id is not None
    return bot.add_review(
        film_id, apply_spoiler_mode(parse(text), "auto"), author="tester", platform="telegram", rating=rating
    ).review_id


@pytest.fixture(scope="module")
def miracle_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MovieBot]:
    """One bot for the tests that only read (each uses its own chat): building one costs about a second."""
    store = Store.open(tmp_path_factory.mktemp("recommend") / "moviebot.db")
    load_starter_catalog(store)
    bot = MovieBot(store)
    add_review(bot, "Miracle in Cell No. 7", 2013, (FIXTURES / "miracle_in_cell_no_7.txt").read_text(encoding="utf-8"))
    yield bot
    store.close()


def test_sad_korean_drama_puts_miracle_first_and_explains(miracle_bot: MovieBot) -> None:
    reply = ask(miracle_bot, "sad korean drama")
    assert reply.body.blocks[0].text == "Read as: sad · South Korea · drama"
    lines = pick_lines(reply)
    assert len(lines) == 5
    assert lines[0].startswith("1. Miracle in Cell No. 7 (2013 · South Korea)")
    assert "the saddest movie" in lines[0].lower()
    assert all("South Korea" in line for line in lines)
    # The review's last paragraph is a spoiler: its words never reach the reply.
    assert "balloon" not in reply.body.plain and "trial scene" not in reply.body.plain
    assert not reply.error


def test_seed_review_puts_miracle_first(movie_bot: MovieBot, seed_text: str) -> None:
    add_review(movie_bot, "Miracle in Cell No. 7", 2013, seed_text)
    lines = pick_lines(ask(movie_bot, "sad korean drama"))
    assert lines[0].startswith("1. Miracle in Cell No. 7 (2013")
    assert "saddest movie of all time" in lines[0].lower()


def test_typos_and_filler_read_the_same(miracle_bot: MovieBot) -> None:
    reply = ask(miracle_bot, "can you recommend me a sad koraen drma?")
    assert reply.body.blocks[0].text == "Read as: sad · South Korea · drama"
    assert "koraen → korean" in reply.body.plain
    assert pick_lines(reply)[0].startswith("1. Miracle in Cell No. 7 (2013")


def test_like_a_film_excludes_it_and_says_what_is_shared(miracle_bot: MovieBot) -> None:
    reply = ask(miracle_bot, "like Parasite but funnier", chat="like")
    assert reply.body.blocks[0].text == "Read as: like Parasite (2019) · funnier"
    lines = pick_lines(reply)
    assert lines and not any(line.startswith(("1. Parasite", "2. Parasite")) for line in lines)
    assert any("shares" in line for line in lines)


def test_not_gory_leaves_out_gory_films(miracle_bot: MovieBot) -> None:
    reply = ask(miracle_bot, "something scary but not gory", chat="scary")
    assert "not gory" in reply.body.blocks[0].text
    titles = " ".join(pick_lines(reply))
    for gory in ("Saw (2004)", "The Evil Dead", "Evil Dead (2013)", "I Saw the Devil"):
        assert gory not in titles


def test_era_and_length_are_respected(miracle_bot: MovieBot) -> None:
    picks = miracle_bot.recommender.picks("anime before 2000")
    assert picks and all(p.feat.year is not None and p.feat.year < 2000 for p in picks)
    assert all("JP" in p.feat.countries for p in picks)
    picks = miracle_bot.recommender.picks("short funny")
    assert picks and all(p.feat.runtime is None or p.feat.runtime <= 100 for p in picks)


def test_picks_are_varied(miracle_bot: MovieBot) -> None:
    picks = miracle_bot.recommender.picks("studio ghibli anime")
    directors = [d for p in picks for d in p.feat.directors]
    assert all(directors.count(d) <= 2 for d in directors)
    series = [p.feat.series for p in miracle_bot.recommender.picks("k-drama tearjerker father daughter")]
    assert len(series) == len(set(series))


def test_more_picks_never_repeats_and_not_this_drops_neighbours(miracle_bot: MovieBot) -> None:
    first = ask(miracle_bot, "sad drama")
    actions = [b.action for b in first.buttons]
    assert actions[0] == "rec:more" and actions[1].startswith("rec:not:")
    assert all(len(a.encode()) <= MAX_ACTION_BYTES for a in actions)

    def labels(reply: Reply) -> set[str]:
        return {line.split(". ", 1)[1].split(" —")[0] for line in pick_lines(reply)}

    seen = labels(first)
    for _ in range(3):
        more = press(miracle_bot, "rec:more")
        assert more.body.blocks[0].text.startswith("More for: sad · drama")
        assert labels(more) and not labels(more) & seen
        seen |= labels(more)
    # "Not this" on the Korean Miracle also drops its Turkish remake.
    reply = ask(miracle_bot, "sad korean drama")
    top_action = reply.buttons[1].action
    assert "Miracle" in reply.buttons[1].label
    after = press(miracle_bot, top_action)
    assert "Miracle in Cell No. 7" not in after.body.plain
    assert pick_lines(after)


def test_buttons_after_expiry_or_garbage_answer_sanely(miracle_bot: MovieBot) -> None:
    expired = press(miracle_bot, "rec:more", chat="never-asked")
    assert expired.error and "ask again" in expired.body.plain
    for action in ("rec:", "rec:zzz", "rec:not:abc", "rec:not:"):
        ask(miracle_bot, "sad", chat="c9")
        reply = press(miracle_bot, action, chat="c9")
        assert "incident" not in reply.body.plain


def test_chat_memory_expires_and_is_bounded() -> None:
    now = [0.0]
    sessions = Sessions(ttl=60, max_chats=3, clock=lambda: now[0])
    from bot.recommend.query import Query
    from bot.recommend.session import ChatMemory

    for i in range(5):
        sessions.put(f"chat{i}", ChatMemory(Query()))
    assert len(sessions) == 3 and sessions.get("chat0") is None and sessions.get("chat4") is not None
    now[0] = 61
    assert sessions.get("chat4") is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "x" * 10_000,
        "the a of and",
        "😀🎬🍿",
        '" * NEAR( AND OR ^',
        "'; DROP TABLE films; --",
        "\x00\u200b",
        "not",
        "like",
        "90s 80s recent old",
    ],
)
def test_bad_input_gets_a_sane_reply(miracle_bot: MovieBot, text: str) -> None:
    reply = ask(miracle_bot, text, chat="bad-input")
    plain = reply.body.plain
    assert "incident" not in plain
    assert pick_lines(reply) or "Try" in plain
    assert miracle_bot.store.film_count() > 100  # and the films table is still there


def test_no_text_uses_my_ratings_and_leaves_rated_films_out(movie_bot: MovieBot) -> None:
    store = movie_bot.store
    parasite = store.find_film_id("Parasite", 2019)
    memories = store.find_film_id("Memories of Murder", 2003)
    assert parasite and memories
    store.set_rating("telegram", "u1", parasite, 10)
    store.set_rating("telegram", "u1", memories, 9)
    reply = ask(movie_bot, "")
    assert reply.body.blocks[0].text.startswith("From your ratings: like Parasite (2019)")
    lines = pick_lines(reply)
    assert len(lines) == 5
    assert not any("Parasite (2019" in line or "Memories of Murder" in line for line in lines)


def test_no_text_and_no_ratings_gives_well_rated_picks_and_a_hint(movie_bot: MovieBot) -> None:
    store = movie_bot.store
    one_ten = store.find_film_id("Exit", 2019)
    many_nines = store.find_film_id("Extreme Job", 2019)
    assert one_ten and many_nines
    store.set_rating("telegram", "someone", one_ten, 10)
    for i in range(8):
        store.set_rating("telegram", f"fan{i}", many_nines, 9)
    reply = ask(movie_bot, "", user="newcomer")
    assert "/rate" in reply.body.plain
    lines = pick_lines(reply)
    # A Bayesian average: eight 9/10s beat a single 10/10.
    assert lines[0].startswith("1. Extreme Job")
    assert not any(line.startswith("2. Exit") for line in lines[:1])


def test_features_follow_reviews_written_anywhere(movie_bot: MovieBot) -> None:
    db = movie_bot.store.db
    film_id = movie_bot.store.find_film_id("Poetry", 2010)
    assert film_id

    def row() -> tuple[int, str]:
        n, moods = db.execute("SELECT n_reviews, moods FROM rec_film WHERE film_id = ?", [film_id]).fetchone()
        return int(n), str(moods)

    n0, moods0 = row()
    review_id = add_review(
        movie_bot,
        "Poetry",
        2010,
        "So sad. I cried and cried; the saddest, most heartbreaking film, bring tissues.",
        rating=9,
    )
    n1, moods1 = row()
    assert n1 == n0 + 1 and moods1 != moods0
    sad = dict(x.split("=") for x in moods1.split())["sad"]
    assert float(sad) > float(dict(x.split("=") for x in moods0.split()).get("sad", 0))
    assert movie_bot.store.delete_review(review_id)
    assert row() == (n0, moods0)


def test_films_added_later_are_recommendable(movie_bot: MovieBot) -> None:
    movie_bot.add_film(
        {
            "title": "Nollywood Test Tears",
            "year": 2021,
            "countries": ["NG"],
            "genres": ["drama"],
            "keywords": ["tearjerker"],
        }
    )
    picks = movie_bot.recommender.picks("sad nollywood drama")
    assert any(p.feat.year == 2021 and "NG" in p.feat.countries for p in picks)


def test_reviews_written_without_a_recommender_are_caught_up(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "moviebot.db")
    load_starter_catalog(store)
    bot = MovieBot(store)
    film_id = store.find_film_id("Poetry", 2010)
    assert film_id
    # Another process (an importer with a bare Store) has no recommender, so no review hook.
    other = Store.open(tmp_path / "moviebot.db")
    other.add_review(film_id, author="x", platform="cli", body=parse("The saddest film; I cried, tissues."))
    other.close()
    ask(bot, "sad")
    n = store.db.execute("SELECT n_reviews FROM rec_film WHERE film_id = ?", [film_id]).fetchone()[0]
    assert n == 1
    store.close()


# -- people, audiences, negation, similarity (issue 12) ------------------------


def picked_titles(reply: Reply) -> list[str]:
    return [line.split(". ", 1)[1].split(" (", 1)[0] for line in pick_lines(reply)]


def films_of(bot: MovieBot, person: str) -> set[str]:
    rows = bot.store.db.execute("""SELECT title, directors, "cast" FROM films""").fetchall()
    return {t for t, d, c in rows if person in d or person in c}


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("Park Chan-wook films", "Park Chan-wook"),
        ("park chanwook", "Park Chan-wook"),
        ("chan-wook park movies", "Park Chan-wook"),
        ("something with Song Kang-ho", "Song Kang-ho"),
        ("SONG KANG HO", "Song Kang-ho"),
        ("wong kar-wai", "Wong Kar-wai"),
        ("kar wai wong", "Wong Kar-wai"),
        ("films by hayao miyazki", "Hayao Miyazaki"),
        ("kubrick", "Stanley Kubrick"),
        ("films with gael garcia bernal", "Gael García Bernal"),
    ],
)
def test_people_are_read_as_people(miracle_bot: MovieBot, text: str, person: str) -> None:
    reply = ask(miracle_bot, text, chat=f"people-{text}")
    assert person in reply.body.blocks[0].text
    titles = picked_titles(reply)
    assert titles
    assert set(titles) <= films_of(miracle_bot, person), titles  # never Jurassic Park for "park"


def test_early_park_chan_wook_is_his_early_films(miracle_bot: MovieBot) -> None:
    reply = ask(miracle_bot, "early park chan-wook", chat="early")
    assert "early" in reply.body.blocks[0].text
    assert set(picked_titles(reply)) <= {
        "Joint Security Area",
        "Sympathy for Mr. Vengeance",
        "Oldboy",
        "Lady Vengeance",
    }


def test_not_this_on_a_person_keeps_the_person(miracle_bot: MovieBot) -> None:
    first = ask(miracle_bot, "bong joon ho", chat="bong")
    not_first = next(b.action for b in first.buttons if b.action.startswith("rec:not:"))
    after = press(miracle_bot, not_first, chat="bong")
    titles = picked_titles(after)
    assert titles and set(titles) <= films_of(miracle_bot, "Bong Joon-ho")
    assert picked_titles(first)[0] not in titles


@pytest.mark.parametrize(
    "text",
    ["a horror movie my 10-year-old can watch", "something for my kids tonight", "with my parents, something scary"],
)
def test_children_and_parents_get_no_horror_gore_or_adult_themes(miracle_bot: MovieBot, text: str) -> None:
    reply = ask(miracle_bot, text, chat=f"aud-{text}")
    ids = [miracle_bot.store.find_film_id(t, None) for t in picked_titles(reply)]
    rows = miracle_bot.store.db.execute(
        f"SELECT title, genres, keywords FROM films WHERE title IN ({','.join('?' * len(picked_titles(reply)))})",
        picked_titles(reply),
    ).fetchall()
    assert len(rows) >= 3, (ids, rows)
    for title, genres, keywords in rows:
        assert "horror" not in genres, title
        for bad in ("gory", "violent", "erotic", "disturbing", "torture"):
            assert f'"{bad}"' not in keywords, title


def test_a_horror_film_for_a_child_is_read_as_kids_not_as_old_films(miracle_bot: MovieBot) -> None:
    reply = ask(miracle_bot, "a horror movie my 10-year-old can watch", chat="ten")
    heading = reply.body.blocks[0].text
    assert "kids" in heading and "before 1980" not in heading
    for banned in ("The Exorcist", "Psycho", "Rosemary's Baby", "Night of the Living Dead"):
        assert banned not in picked_titles(reply)


@pytest.mark.parametrize(
    "text",
    [
        "a horror movie my 10-year-old can watch",
        "family night",
        "spooky film for kids",
        "something my 6 year old will love",
    ],
)
def test_children_get_only_films_the_catalog_calls_family_friendly(miracle_bot: MovieBot, text: str) -> None:
    """The starter catalog says who every film is fine for; a child's request never guesses past it."""
    titles = picked_titles(ask(miracle_bot, text, chat=f"ff-{text}"))
    assert len(titles) >= 3, titles
    for title in titles:
        (keywords,) = miracle_bot.store.db.execute("SELECT keywords FROM films WHERE title = ?", [title]).fetchone()
        assert "family friendly" in json.loads(keywords), (text, title)


@pytest.mark.parametrize("text", ["a thriller for adults", "anime but not for kids", "comedy, not for kids"])
def test_adults_get_no_films_made_for_children(miracle_bot: MovieBot, text: str) -> None:
    titles = picked_titles(ask(miracle_bot, text, chat=f"ad-{text}"))
    assert titles, text
    for title in titles:
        genres, keywords = miracle_bot.store.db.execute(
            "SELECT genres, keywords FROM films WHERE title = ?", [title]
        ).fetchone()
        made_for_children = "family" in json.loads(genres) or (
            "animation" in json.loads(genres) and "family friendly" in json.loads(keywords)
        )
        assert not made_for_children, (text, title)


def test_grown_ups_get_no_family_films(miracle_bot: MovieBot) -> None:
    titles = picked_titles(ask(miracle_bot, "animation for grown-ups", chat="grown"))
    assert titles and "Coco" not in titles and "Up" not in titles
    grown_up = {"Grave of the Fireflies", "Perfect Blue", "Persepolis", "Waltz with Bashir", "Akira"}
    grown_up |= {"Ghost in the Shell", "Paprika", "Mary and Max", "The End of Evangelion"}
    assert len(grown_up & set(titles)) >= 3, titles


@pytest.mark.parametrize(
    ("text", "banned_keyword"),
    [("indian but not bollywood", "bollywood"), ("anime but not ghibli", "studio ghibli")],
)
def test_negated_kind_of_a_wanted_country(miracle_bot: MovieBot, text: str, banned_keyword: str) -> None:
    reply = ask(miracle_bot, text, chat=f"neg-{text}")
    assert "not India" not in reply.body.blocks[0].text
    titles = picked_titles(reply)
    assert len(titles) == 5
    rows = miracle_bot.store.db.execute(
        f"SELECT keywords FROM films WHERE title IN ({','.join('?' * len(titles))})", titles
    ).fetchall()
    assert not any(f'"{banned_keyword}"' in kw for (kw,) in rows)


def test_a_typo_in_a_negation_still_negates(miracle_bot: MovieBot) -> None:
    reply = ask(miracle_bot, "scary but not to gory", chat="togory")
    assert "not gory" in reply.body.blocks[0].text
    reply = ask(miracle_bot, "horror wihtout zombies", chat="wihtout")
    assert "zombies" in reply.body.blocks[0].text and "Train to Busan" not in picked_titles(reply)


def test_like_an_accented_title_reads_the_title(miracle_bot: MovieBot) -> None:
    reply = ask(miracle_bot, "like Amélie but sadder", chat="amelie")
    heading = reply.body.blocks[0].text
    assert "like Amélie (2001)" in heading and "“" not in heading  # no leftover search word
    assert "Amélie" not in picked_titles(reply)


def test_like_a_film_never_offers_its_remakes(miracle_bot: MovieBot) -> None:
    for text, banned in (("like oldboy", "Oldboy"), ("like the ring", "Ringu"), ("like ringu", "The Ring")):
        titles = picked_titles(ask(miracle_bot, text, chat=f"remake-{text}"))
        assert titles and banned not in titles, (text, titles)


def test_each_pick_has_its_own_reason_and_a_not_this_button(miracle_bot: MovieBot) -> None:
    reply = ask(miracle_bot, "k-drama tearjerker", chat="reasons")
    lines = pick_lines(reply)
    reasons = [line.split(" — ", 1)[1] for line in lines]
    assert len(set(reasons)) == len(reasons) == 5
    nots = [b for b in reply.buttons if b.action.startswith("rec:not:")]
    assert len(nots) == 5 and len(reply.buttons) <= 25  # Discord: 5 rows of 5
    assert all(len(b.action.encode()) <= 64 for b in reply.buttons)  # Telegram callback_data
    assert all(b.label.startswith(f"Not {i}.") for i, b in enumerate(nots, 1))


def test_a_spelling_note_is_printed_once(miracle_bot: MovieBot) -> None:
    reply = ask(miracle_bot, "sad koraen drma koraen", chat="spell")
    notes = [b.text for b in reply.body.blocks if b.text.startswith("Spelling")]
    assert len(notes) == 1
    assert notes[0].count("koraen") == 1


def test_first_run_gives_varied_starter_picks_labelled_as_such(store: Store) -> None:
    bot = MovieBot(store)
    reply = ask(bot, "")
    assert reply.body.blocks[0].text == "Starter picks"
    assert "starter picks" in reply.body.plain
    rows = bot.store.db.execute(
        f"SELECT countries, year FROM films WHERE title IN ({','.join('?' * 5)})", picked_titles(reply)
    ).fetchall()
    countries = [json.loads(c)[0] for c, _ in rows]
    assert max(countries.count(c) for c in countries) <= 2  # not nine Korean films from the top of the file
    assert len({y // 10 for _, y in rows}) >= 3
    horror = picked_titles(ask(bot, "horror", chat="h"))
    horror_countries = [
        json.loads(c)[0]
        for (c,) in bot.store.db.execute(
            f"SELECT countries FROM films WHERE title IN ({','.join('?' * len(horror))})", horror
        )
    ]
    assert max(horror_countries.count(c) for c in horror_countries) <= 2


def test_country_comes_from_the_film_not_its_keywords(miracle_bot: MovieBot) -> None:
    rows = miracle_bot.store.db.execute(
        "SELECT title, countries FROM films WHERE keywords LIKE '%korean war%'"
    ).fetchall()
    foreign = {t for t, c in rows if "KR" not in c}
    titles = set()
    for chat in ("kw1", "kw2", "kw3"):
        titles |= set(picked_titles(ask(miracle_bot, "korean", chat=chat)))
        press(miracle_bot, "rec:more", chat=chat)
    assert not titles & foreign


# -- the rating prior, defined once -------------------------------------------


def _prior_row(bot: MovieBot, film_id: int) -> tuple[float, float]:
    bot.recommender.sync()
    r = bot.store.db.execute(
        "SELECT n_reviews, rev_sum, rev_n, rat_sum, rat_n, keywords, prior FROM rec_film WHERE film_id = ?", [film_id]
    ).fetchone()
    expected = features.prior(r[0], r[1], r[2], r[3], r[4], r[5].split("|") if r[5] else [], film_id)
    return expected, float(r[6])


def test_rating_prior_is_one_formula_whoever_writes_the_rating(movie_bot: MovieBot, tmp_path: Path) -> None:
    store = movie_bot.store
    film = store.find_film_id("Exit", 2019)
    assert film is not None
    store.set_rating("telegram", "a", film, 9)
    store.set_rating("telegram", "a", film, 7)  # a second rating of the same film is an update (an UPSERT)
    store.set_rating("discord", "b", film, 10)
    add_review(movie_bot, "Exit", 2019, "Hilarious and tense at once.", rating=8)
    expected, stored = _prior_row(movie_bot, film)
    assert stored == pytest.approx(expected)
    assert stored == pytest.approx(features.bayes_rating(8, 1, 17, 2) / 10 + 0.15 * 3 / 8, abs=0.003)
    # A rating written by another process (no hooks, plain SQL) is picked up by the next request.
    other = Store.open(store.path or tmp_path / "x.db")
    other.db.execute("DELETE FROM ratings WHERE user_id = 'b'")
    other.close()
    expected, stored = _prior_row(movie_bot, film)
    assert stored == pytest.approx(expected)
    assert movie_bot.store.db.execute("SELECT rat_n FROM rec_film WHERE film_id = ?", [film]).fetchone()[0] == 1
    tags = {p for (p,) in store.db.execute("SELECT prior FROM rec_tag WHERE film_id = ?", [film])}
    assert tags == {stored}


def test_no_sql_trigger_computes_the_prior(movie_bot: MovieBot) -> None:
    sql = " ".join(s for (s,) in movie_bot.store.db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'"))
    assert "prior" not in sql and "6.5" not in sql


def test_reasons_quote_the_spoiler_free_view_and_catalog_facts_otherwise(movie_bot: MovieBot) -> None:
    add_review(
        movie_bot,
        "Little Forest",
        2018,
        "The coziest, most wholesome film I know.\n\n||In the end she leaves the village for good, the most "
        "wholesome and heartwarming goodbye.||",
        rating=9,
    )
    reply = ask(movie_bot, "something cozy and wholesome", chat="quote")
    text = reply.body.plain
    assert "leaves the village" not in text
    line = next(line for line in pick_lines(reply) if "Little Forest" in line)
    assert "coziest" in line
    others = [line for line in pick_lines(reply) if "Little Forest" not in line]
    assert all(" — " in line for line in others)  # each still says why, from the catalog


def test_more_picks_after_the_last_film_of_a_person_says_so(miracle_bot: MovieBot) -> None:
    first = ask(miracle_bot, "wong kar-wai", chat="wkw")
    assert len(pick_lines(first)) == 3  # all there are; never padded with other directors' films
    more = press(miracle_bot, "rec:more", chat="wkw")
    assert "every film here that matches has been shown" in more.body.plain
    assert not pick_lines(more)


@pytest.mark.parametrize(
    ("text", "audience"),
    [
        ("a film for my 8 year old daughter", "for kids"),
        ("something for my 10 year old son", "for kids"),
        ("movie for my teenage son", "for teens"),
    ],
)
def test_who_the_child_is_is_not_a_search_word(miracle_bot: MovieBot, text: str, audience: str) -> None:
    """ "my 8 year old daughter" once searched for "daughter" and offered Terms of Endearment."""
    reply = ask(miracle_bot, text, chat=f"who-{text}")
    heading = reply.body.blocks[0].text
    assert audience in heading and "daughter" not in heading and "son" not in heading.split()
    titles = picked_titles(reply)
    rows = miracle_bot.store.db.execute(
        f"SELECT title, genres, keywords FROM films WHERE title IN ({','.join('?' * len(titles))})", titles
    ).fetchall()
    assert len(titles) == 5
    for title, genres, keywords in rows:
        assert "horror" not in genres and '"father daughter"' not in keywords, title


def test_teenagers_get_films_for_the_young_not_grim_ones(miracle_bot: MovieBot) -> None:
    titles = picked_titles(ask(miracle_bot, "something my teenager would enjoy", chat="teen"))
    rows = miracle_bot.store.db.execute(
        f"SELECT title, genres, keywords FROM films WHERE title IN ({','.join('?' * len(titles))})", titles
    ).fetchall()
    assert len(rows) == 5
    lively = {"adventure", "science fiction", "comedy", "fantasy", "sport", "animation"}
    assert sum(1 for _, genres, _ in rows if lively & set(json.loads(genres))) >= 4, rows
    for title, genres, _ in rows:
        assert "horror" not in genres, title


def test_like_a_film_counts_its_director(miracle_bot: MovieBot) -> None:
    reply = ask(miracle_bot, "films like snowpiercer", chat="bong")
    lines = pick_lines(reply)
    assert any("Bong Joon-ho" in line or "same director" in line for line in lines[:3]), lines
    assert "Snowpiercer" not in picked_titles(reply)


def test_a_faint_shared_mood_does_not_make_films_alike(miracle_bot: MovieBot) -> None:
    """Léon has one faint mood ("sad"); every sad epic used to look like its twin."""
    reply = ask(miracle_bot, "movies similar to léon", chat="leon")
    titles = picked_titles(reply)
    for epic in ("Ran", "Sholay", "RRR", "The Lord of the Rings: The Return of the King"):
        assert epic not in titles, titles
    assert any("hitman" in line for line in pick_lines(reply)), pick_lines(reply)


def test_like_a_film_follows_what_members_wrote_about_it(movie_bot: MovieBot) -> None:
    """Two films with no keyword in common become alike when reviewers describe them the same way."""
    load_starter_catalog(movie_bot.store)
    before = picked_titles(ask(movie_bot, "like little forest", chat="lf1"))
    assert "Tampopo" not in before
    for text in (
        "Slow cooking in a village kitchen: persimmons drying under the eaves, rice harvest, crisp acacia flowers.",
        "The kitchen scenes! Persimmons, acacia flowers, the rice harvest. I was hungry the whole time.",
    ):
        add_review(movie_bot, "Little Forest", 2018, text, rating=8)
    add_review(movie_bot, "Tampopo", 1985, "Every kitchen scene is a feast; I want the persimmons and acacia flowers.")
    add_review(movie_bot, "Tampopo", 1985, "A village of cooks, a kitchen, a harvest of noodles. Made me hungry.")
    after = picked_titles(ask(movie_bot, "like little forest", chat="lf2"))
    assert "Tampopo" in after, after
    assert "Little Forest" not in after


def test_words_behind_a_spoiler_never_steer_a_likeness(movie_bot: MovieBot) -> None:
    load_starter_catalog(movie_bot.store)
    for _ in range(2):
        add_review(
            movie_bot,
            "Little Forest",
            2018,
            "Quiet and warm.\n\n||In the end the kitchen, persimmons, acacia flowers and the harvest are gone.||",
            rating=8,
        )
    for text in ("Every kitchen scene is a feast: persimmons, acacia flowers.", "A kitchen, a harvest of noodles."):
        add_review(movie_bot, "Tampopo", 1985, text)
    assert "Tampopo" not in picked_titles(ask(movie_bot, "like little forest", chat="lf3"))


def test_a_pick_never_names_the_same_shared_keyword_twice(miracle_bot: MovieBot) -> None:
    for text in ("like memento but funnier", "like finding nemo"):
        for line in pick_lines(ask(miracle_bot, text, chat=f"twice-{text}")):
            reasons = line.split(" — ", 1)[1]
            shared = [k for part in reasons.split("; ") if part.startswith("shares ") for k in part[7:].split(", ")]
            assert len(shared) == len(set(shared)), line


@pytest.mark.parametrize(
    ("text", "film"),
    [
        ("oldboy vibes", "Oldboy (2003)"),
        ("Amélie-style films", "Amélie (2001)"),
        ("movies similair to memento", "Memento (2000)"),
        ("if i liked inception what should i watch next", "Inception (2010)"),
        ("something in the vein of the godfather", "The Godfather (1972)"),
        ("in the style of amelie", "Amélie (2001)"),
        ("more like spirited away", "Spirited Away (2001)"),
        ("toy story but sadder", "Toy Story (1995)"),
    ],
)
def test_every_way_of_asking_for_films_like_x(miracle_bot: MovieBot, text: str, film: str) -> None:
    """ "X vibes" used to answer X itself; each phrasing must read as "like X" and never offer X."""
    reply = ask(miracle_bot, text, chat=f"phrasing-{text}")
    assert reply.body.blocks[0].text.startswith(f"Read as: like {film}")
    lines = pick_lines(reply)
    title = film.rsplit(" (", 1)[0]
    assert len(lines) == 5
    assert not any(line.split(". ", 1)[1].startswith(title + " (") for line in lines), lines


def test_like_toy_story_but_sadder_stays_animated_family(miracle_bot: MovieBot) -> None:
    """A sadder Toy Story is another animated family film, not a tearjerker for grown-ups."""
    reply = ask(miracle_bot, "like toy story but sadder", chat="toy-sadder")
    assert reply.body.blocks[0].text == "Read as: like Toy Story (1995) · sadder"
    films = miracle_bot.store.films(p.feat.film_id for p in miracle_bot.recommender.picks("like toy story but sadder"))
    assert len(films) == 5
    for film in films:
        assert "animation" in film.genres, film.title
    shown = "\n".join(pick_lines(reply))
    assert all(f.title in shown for f in films)
    assert "Toy Story (1995)" not in shown


def test_words_read_as_a_title_or_an_audience_are_not_keywords(miracle_bot: MovieBot) -> None:
    """ "like toy story for my kids": "kids" is who watches, not the catalog keyword "kids"."""
    rec = miracle_bot.recommender
    q = parse_request("like toy story for my kids", rec._resolve, people=rec.people)
    assert q.audience == "kids" and q.like
    assert rec.engine.keyword_phrases(q) == {}
    assert rec.engine.keyword_phrases(parse_request("heist", rec._resolve, people=rec.people))


def test_a_film_with_rare_keywords_is_alike_by_what_its_overview_says(miracle_bot: MovieBot) -> None:
    """Se7en's keywords are mostly its own ("seven deadly sins"); its overview and shared keywords
    ("serial killer", "detectives") still find the films about hunting a killer."""
    titles = picked_titles(ask(miracle_bot, "movies like se7en", chat="se7en"))
    assert "Se7en" not in titles
    killers = {"The Silence of the Lambs", "Memories of Murder", "The Chaser", "I Saw the Devil", "Zodiac", "M"}
    assert len(killers & set(titles)) >= 2, titles


def test_a_series_name_is_its_first_film(miracle_bot: MovieBot) -> None:
    """ "like the lord of the rings" names no one title; the series' first film is what people mean."""
    rec = miracle_bot.recommender
    q = parse_request("more like the lord of the rings", rec._resolve, people=rec.people)
    assert [label for _, label in q.like] == ["The Lord of the Rings: The Fellowship of the Ring (2001)"]
    assert not q.words
    titles = picked_titles(ask(miracle_bot, "more like the lord of the rings", chat="lotr"))
    assert "The Lord of the Rings: The Fellowship of the Ring" not in titles
    # Past the sequels, likeness still ranks other films by what they share, not by stray signals.
    others = [t for t in titles if not t.startswith("The Lord of the Rings")]
    assert others
