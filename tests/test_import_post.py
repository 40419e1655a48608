"""Blog posts in: the film found, the review kept, the sign-off, bio and comments left out.

Runs the real importer on a real SQLite file with the starter catalog, and reads
back what a member would see (the stored review, its author, its spoilers).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import dispatch
from bot.core import MovieBot
from bot.importers.post import (
    import_post,
    looks_like_post,
    parse_post,
    rating_from_line,
)
from bot.replies import Request
from bot.store import Review

POSTS = Path(__file__).parent / "fixtures" / "posts"


def _only_review(bot: MovieBot, label_title: str, year: int) -> Review:
    film_id = bot.store.find_film_id(label_title, year)
    assert film_id is not None, f"{label_title} ({year}) not in the catalog"
    reviews = bot.store.reviews_for(film_id)
    assert len(reviews) == 1
    return reviews[0]


# -- the seed: a real blog post ---------------------------------------------------------------


def test_seed_post_is_imported_as_tina_s_review_of_the_2013_film(movie_bot: MovieBot, seed_text: str) -> None:
    report = import_post(movie_bot, seed_text, "seed.txt")
    assert report.failed == 0, report.lines()
    assert report.count("added") == 1
    assert not report.new_films
    review = _only_review(movie_bot, "Miracle in Cell No. 7", 2013)
    assert review.author == "Tina K Harnis"
    assert movie_bot.store.review_count(movie_bot.store.find_film_id("Miracle in Cell No. 7", 2019) or 0) == 0
    text = review.body.plain
    # kept: greeting, premise, verdict, the closing line with its emoji
    assert text.startswith("Hi everyone,")
    assert "Miracle in Cell No. 7 is a 2013 South Korean film starring Ryu Seung-ryong" in text
    assert "This is highly recommended to watch with family." in text
    assert "See you 😊" in text
    # left out: title line, sign-off, bio, both readers' comments
    assert "#MOVIE REVIEWS" not in text
    assert "Best Regards" not in text
    assert "Who is Tina K Harnis?" not in text
    assert "learning to write" not in text
    assert "don't forget to upvote" not in text
    assert "Although mostly a work of fiction" not in text
    assert "Korea is very capable of making dramas" not in text
    assert not text.endswith("Tina K Harnis.")


def test_seed_trial_and_execution_are_spoilers(movie_bot: MovieBot, seed_text: str) -> None:
    """The spoiler detector (issue 3) marks the plot's ending; the feed and /review must not show it."""
    import_post(movie_bot, seed_text, "seed.txt")
    review = _only_review(movie_bot, "Miracle in Cell No. 7", 2013)
    hidden = review.body.spoiler_text()
    visible = review.body.visible_text()
    assert "sentenced Lee Yong Go to death" in hidden
    assert "Arriving at the execution room" in hidden
    assert "sentenced Lee Yong Go to death" not in visible
    assert "Hi everyone," in visible


def test_seed_reimport_adds_nothing(movie_bot: MovieBot, seed_text: str) -> None:
    import_post(movie_bot, seed_text, "seed.txt")
    again = import_post(movie_bot, seed_text, "seed.txt")
    assert again.count("added") == 0
    assert again.count("skipped") == 1
    assert "imported before" in again.rows[0].detail
    assert movie_bot.store.review_count(movie_bot.store.find_film_id("Miracle in Cell No. 7", 2013) or 0) == 1


def test_seed_through_addreview_strips_the_post(movie_bot: MovieBot, seed_text: str) -> None:
    """An admin pasting the whole post into /addreview gets the same clean review, credited to Tina."""
    req = Request(
        platform="telegram",
        user_id="42",
        command="addreview",
        args="",
        user_name="Admin Al",
        is_admin=True,
        body=seed_text,
    )
    replies = dispatch.handle(movie_bot, req)
    assert not replies[0].error, replies[0].body.plain
    assert "Miracle in Cell No. 7 (2013)" in replies[0].body.plain
    review = _only_review(movie_bot, "Miracle in Cell No. 7", 2013)
    assert review.author == "Tina K Harnis"
    assert "Who is Tina K Harnis?" not in review.body.plain


# -- team-written posts in other shapes ------------------------------------------------------------


def test_markdown_post_with_rating_byline_and_comments(movie_bot: MovieBot) -> None:
    report = import_post(movie_bot, (POSTS / "parasite_markdown.md").read_text(), "parasite_markdown.md")
    assert report.count("added") == 1, report.lines()
    review = _only_review(movie_bot, "Parasite", 2019)
    assert review.author == "Jordan Avery"
    assert review.rating == 9
    text = review.body.plain
    assert "Bong Joon-ho's Parasite starts as a sly comedy" in text
    assert "funny until it is not" in text
    for gone in (
        "Review: Parasite",
        "By Jordan Avery",
        "Rating: 9/10",
        "Thanks for reading",
        "moviefan88",
        "Overrated",
    ):
        assert gone not in text
    assert "9/10" in report.rows[0].detail


def test_explicit_spoiler_markup_wins(movie_bot: MovieBot) -> None:
    report = import_post(movie_bot, (POSTS / "train_to_busan_spoilers.txt").read_text(), "busan.txt")
    assert report.count("added") == 1, report.lines()
    review = _only_review(movie_bot, "Train to Busan", 2016)
    assert review.author == "Min-ji Park"
    assert review.rating == 8  # 4/5 stars
    body = review.body
    assert "steps off the back of the train" in body.spoiler_text()
    assert "reach Busan" in body.spoiler_text()
    visible = body.visible_text()
    assert "steps off the back" not in visible and "reach Busan" not in visible
    # The author marked their spoilers; the unmarked paragraphs stay visible.
    assert "Ma Dong-seok steals every scene" in visible
    assert body.spoiler_sections == 1  # two adjacent spoiler paragraphs read as one passage
    for gone in ("Cheers", "About the author", "film club in Leeds", "3 comments", "ending wrecked me"):
        assert gone not in body.plain


def test_post_about_a_new_film_creates_it_with_facts(movie_bot: MovieBot) -> None:
    before = movie_bot.store.film_count()
    report = import_post(movie_bot, (POSTS / "your_excellency_new_film.md").read_text(), "excellency.md")
    assert report.count("added") == 1, report.lines()
    assert report.new_films == ["Your Excellency (2019)"]
    assert movie_bot.store.film_count() == before + 1
    film_id = movie_bot.store.find_film_id("Your Excellency", 2019)
    assert film_id is not None
    film = movie_bot.store.get_film(film_id)
    assert film.countries == ("NG",)
    assert "comedy" in film.genres
    assert film.cast == ("Akin Lewis", "Funke Akindele", "Toyin Abraham")
    assert film.directors == ("Funke Akindele",)
    # the title index knows it at once: /movie finds it
    assert movie_bot.resolve("your excellency")[0].id == film_id
    review = movie_bot.store.reviews_for(film_id)[0]
    assert review.author == "Chidi Okafor"
    assert review.rating == 7
    assert "NOLLYWOOD FRIDAY" not in review.body.plain
    assert any("new film: Your Excellency (2019)" in line for line in report.lines())


def test_remakes_told_apart_by_cast_in_the_text(movie_bot: MovieBot) -> None:
    report = import_post(movie_bot, (POSTS / "miracle_turkish_remake.md").read_text(), "remake.md")
    assert report.count("added") == 1, report.lines()
    review = _only_review(movie_bot, "Miracle in Cell No. 7", 2019)
    assert review.author == "Elif Demir"
    assert "Warm regards" not in review.body.plain


def test_post_without_a_recognisable_film_asks_and_writes_nothing(movie_bot: MovieBot) -> None:
    reviews_before = movie_bot.store.db.execute("SELECT count(*) FROM reviews").fetchone()[0]
    films_before = movie_bot.store.film_count()
    report = import_post(movie_bot, (POSTS / "no_film.txt").read_text(), "no_film.txt")
    assert report.failed == 1
    assert report.rows[0].detail.startswith("could not tell which film this post reviews; ")
    assert report.lines()[1].startswith("  line 1: failed: could not tell which film this post reviews; ")
    assert movie_bot.store.db.execute("SELECT count(*) FROM reviews").fetchone()[0] == reviews_before
    assert movie_bot.store.film_count() == films_before


def test_ambiguous_title_without_evidence_lists_both_films(movie_bot: MovieBot) -> None:
    text = "Miracle in Cell No. 7\n\nWhat a film. I cried for an hour.\n\nBest regards,\nAna Ruiz\n"
    report = import_post(movie_bot, text, "x.txt")
    assert report.failed == 1
    detail = report.rows[0].detail
    assert "Miracle in Cell No. 7 (2013)" in detail and "Miracle in Cell No. 7 (2019)" in detail


def test_binary_document_is_refused(movie_bot: MovieBot) -> None:
    report = import_post(movie_bot, "PK\x03\x04\x14\x00\x06\x00" * 200, "review.docx")
    assert report.failed == 1
    assert "not a text document" in report.rows[0].detail


def test_plain_chat_review_is_not_taken_for_a_post() -> None:
    assert not looks_like_post("Loved it. The ending wrecked me, 9/10.")
    assert not looks_like_post("Parasite\nLoved every minute of it.")


def test_addreview_with_a_plain_review_keeps_the_member_as_author(movie_bot: MovieBot) -> None:
    req = Request(
        platform="discord",
        user_id="7",
        command="addreview",
        args="Parasite",
        user_name="Dana",
        is_admin=True,
        body="Loved it. Best regards to the cast!",
    )
    replies = dispatch.handle(movie_bot, req)
    assert not replies[0].error, replies[0].body.plain
    review = _only_review(movie_bot, "Parasite", 2019)
    assert review.author == "Dana"
    assert review.body.plain == "Loved it. Best regards to the cast!"


# -- properties -------------------------------------------------------------------------------------

_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=40).map(str.strip).filter(bool)
_name = st.lists(
    st.sampled_from(["Tina", "K", "Harnis", "Ana", "Ruiz", "Jo", "Min-ji", "Park", "O'Neil"]), min_size=1, max_size=3
).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(
    paras=st.lists(_words, min_size=1, max_size=6),
    name=_name,
    valediction=st.sampled_from(["Best Regards,", "Cheers,", "Kind regards,", "Sincerely,", "Love,"]),
    bio=st.booleans(),
    comments=st.lists(_words, max_size=3),
)
def test_signoff_bio_and_comments_never_reach_the_body(
    paras: list[str], name: str, valediction: str, bio: bool, comments: list[str]
) -> None:
    tail = f"{valediction}\n{name}.\n\n"
    if bio:
        tail += f"Who is {name}?\n\n{name} likes cats.\n\n"
    tail += "\n\n".join(f"COMMENT {c}" for c in comments)
    text = "A Title Line\n\n" + "\n\n".join(paras) + "\n\n" + tail
    post = parse_post(text)
    assert post.author == name
    assert valediction not in post.body
    assert "COMMENT" not in post.body
    assert "likes cats" not in post.body
    assert "A Title Line" not in post.body
    for p in paras:
        assert p in post.body


@given(st.text(max_size=400))
@settings(max_examples=300, deadline=None)
def test_parse_post_never_raises_and_keeps_only_input_text(text: str) -> None:
    post = parse_post(text)
    assert isinstance(post.body, str)
    if post.rating is not None:
        assert 0 <= post.rating <= 10
    # the body is made of the input's own lines
    norm = text.replace("\r\n", "\n").replace("\r", "\n")
    for line in post.body.splitlines():
        if line.strip():
            assert line.strip() in __import__("unicodedata").normalize("NFC", norm)


@given(
    num=st.integers(min_value=0, max_value=10),
    den=st.sampled_from([5, 10]),
    label=st.sampled_from(["Rating", "My rating", "Score", "**Rating:**", "Verdict"]),
    suffix=st.sampled_from(["", " stars", "!"]),
)
def test_rating_lines_map_to_ten_point_scale(num: int, den: int, label: str, suffix: str) -> None:
    if num > den:
        return
    sep = "" if label.endswith(":**") else ":"
    got = rating_from_line(f"{label}{sep} {num}/{den}{suffix}")
    assert got is not None
    value, alone = got
    assert value == num * 10 / den
    assert alone


def test_rating_forms() -> None:
    assert rating_from_line("Rating: 8/10") == (8.0, True)
    assert rating_from_line("4/5 stars") == (8.0, True)
    assert rating_from_line("Score: 85/100") == (8.5, True)
    assert rating_from_line("Verdict: ★★★★½") == (9.0, True)
    assert rating_from_line("My rating: 7/10 - a must watch") == (7.0, False)
    assert rating_from_line("Rating: 12/10") is None
    assert rating_from_line("I saw it 4/5 times") is None
