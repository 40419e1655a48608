"""Letterboxd exports in: reviews.csv and ratings.csv on a real SQLite file.

Uses a small hand-written export (tests/fixtures/letterboxd) and generated ones
written with the csv module, the way Letterboxd quotes them.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import MovieBot
from bot.errors import BadInput
from bot.importers.files import import_file
from bot.importers.letterboxd import REVIEW_COLUMNS, records, stars_to_rating

EXPORT = Path(__file__).parent / "fixtures" / "letterboxd"


def _csv(rows: list[list[str]], header: tuple[str, ...] = REVIEW_COLUMNS) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def _review_row(name: str, year: str, uri: str, rating: str, text: str) -> list[str]:
    return ["2023-05-01", name, year, uri, rating, "", text, "", "2023-04-30"]


@pytest.fixture
def export(tmp_path: Path) -> Path:
    dest = tmp_path / "letterboxd-kim-2023"
    shutil.copytree(EXPORT, dest)
    return dest


def test_reviews_export(movie_bot: MovieBot, export: Path) -> None:
    report = import_file(movie_bot, export / "reviews.csv", "auto")
    assert report.count("added") == 4 and report.failed == 0, report.lines()
    # Two films were not in the catalog: created from title and year, and reported as new.
    assert report.new_films == ["Harbour Lights Over Mokpo (2022)", "Samjin Company English Class (2020)"]
    assert "new film: Harbour Lights Over Mokpo (2022)" in "\n".join(report.lines())
    # line numbers are physical lines: the Train to Busan review spans five lines
    assert [r.line for r in report.rows] == [2, 3, 8, 9]

    store = movie_bot.store
    parasite = store.reviews_for(store.find_film_id("Parasite", 2019) or 0)[0]
    assert parasite.rating == 10  # 5 stars
    assert parasite.author == "cinephile_kim"  # from profile.csv
    assert parasite.platform == "letterboxd"
    assert parasite.created_at == "2023-01-04T00:00:00Z"
    # HTML read as HTML: bold kept, <br /><br /> is a paragraph break, no tags left in the text
    first = parasite.body.blocks[0]
    assert first.spans[0].text == "Perfect." and "bold" in first.spans[0].styles
    assert [b.text for b in parasite.body.blocks][1] == "The peach scene is the best thing I saw all year."
    assert "<" not in parasite.body.plain

    busan = store.reviews_for(store.find_film_id("Train to Busan", 2016) or 0)[0]
    assert busan.rating == 7  # 3.5 stars
    assert 'with a "quoted" word' in busan.body.plain
    assert "Third paragraph." in busan.body.plain

    budapest = store.reviews_for(store.find_film_id("Harbour Lights Over Mokpo", 2022) or 0)[0]
    assert budapest.rating == 1  # half a star
    assert movie_bot.resolve("harbour lights over mokpo")[0].year == 2022


def test_reimport_adds_nothing(movie_bot: MovieBot, export: Path) -> None:
    import_file(movie_bot, export / "reviews.csv", "auto")
    films = movie_bot.store.film_count()
    again = import_file(movie_bot, export / "reviews.csv", "auto")
    assert again.count("added") == 0 and again.count("skipped") == 4, again.lines()
    assert not again.new_films
    assert movie_bot.store.film_count() == films
    assert movie_bot.store.db.execute("SELECT count(*) FROM reviews").fetchone()[0] == 4


def test_ratings_export_becomes_member_ratings(movie_bot: MovieBot, export: Path) -> None:
    report = import_file(movie_bot, export / "ratings.csv", "auto")
    assert report.count("added") == 3, report.lines()
    store = movie_bot.store
    got = dict(store.user_ratings("letterboxd", "cinephile_kim"))
    assert got[store.find_film_id("Parasite", 2019) or 0] == 10
    assert got[store.find_film_id("Train to Busan", 2016) or 0] == 7
    assert store.find_film_id("Samjin Company English Class", 2020) in got
    # the rating counts in the film's average like a member's /rate
    avg, n = store.rating_summary(store.find_film_id("Parasite", 2019) or 0)
    assert (avg, n) == (10.0, 1)
    # re-import: equal ratings skipped; a changed one updated
    again = import_file(movie_bot, export / "ratings.csv", "auto")
    assert again.count("skipped") == 3 and again.count("added") == 0
    text = (
        (export / "ratings.csv")
        .read_text()
        .replace("Parasite,2019,https://boxd.it/2Ab1,5", "Parasite,2019,https://boxd.it/2Ab1,4")
    )
    (export / "ratings.csv").write_text(text)
    third = import_file(movie_bot, export / "ratings.csv", "auto")
    assert third.count("updated") == 1
    assert "10/10 -> 8/10" in next(r.detail for r in third.rows if r.status == "updated")


def test_ratings_without_profile_belong_to_import_user(movie_bot: MovieBot, tmp_path: Path) -> None:
    path = tmp_path / "ratings.csv"
    path.write_text((EXPORT / "ratings.csv").read_text())
    import_file(movie_bot, path, "auto")
    assert len(movie_bot.store.user_ratings("letterboxd", "import")) == 3


def test_missing_columns_import_nothing(movie_bot: MovieBot, tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_text("Date,Name,Rating,Review\n2023-01-01,Parasite,5,Great\n")
    report = import_file(movie_bot, path, "auto")
    assert report.failed == 1 and len(report.rows) == 1
    detail = report.rows[0].detail
    assert detail.startswith("missing column(s) Year, Letterboxd URI:")
    assert "nothing was imported" in detail
    assert movie_bot.store.db.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0


def test_bad_rows_are_reported_and_the_rest_goes_in(movie_bot: MovieBot, tmp_path: Path) -> None:
    rows = [
        _review_row("Parasite", "2019", "u1", "5", "Great."),
        _review_row("Oldboy", "2003", "u2", "6", "Rating out of range."),
        _review_row("", "2003", "u3", "3", "No name."),
        _review_row("Burning", "20x8", "u4", "3", "Bad year."),
        _review_row("Burning", "2018", "u5", "4", "   "),
        _review_row("The Handmaiden", "2016", "u6", "4.5", "Lush.\nAnd twisty."),
        ["2023-05-01", "Too", "few"],
        _review_row("Memories of Murder", "2003", "u7", "", "No rating is fine."),
    ]
    path = tmp_path / "reviews.csv"
    path.write_text(_csv(rows))
    report = import_file(movie_bot, path, "auto")
    by_line = {r.line: (r.status, r.detail) for r in report.rows}
    assert by_line[2][0] == "added"
    assert by_line[3] == ("failed", "Rating '6' is not 0.5 to 5 stars in half steps")
    assert by_line[4] == ("failed", "Name is empty")
    assert by_line[5] == ("failed", "Year '20x8' is not a year")
    assert by_line[6] == ("skipped", "Burning: the review is empty")
    assert by_line[7][0] == "added"  # the Handmaiden review spans lines 7-8
    assert by_line[9] == ("failed", "this row has 3 fields but the header has 9")
    assert by_line[10][0] == "added"
    assert report.count("added") == 3
    memories = movie_bot.store.reviews_for(movie_bot.store.find_film_id("Memories of Murder", 2003) or 0)[0]
    assert memories.rating is None


def test_empty_and_garbage_files(movie_bot: MovieBot, tmp_path: Path) -> None:
    empty = tmp_path / "reviews.csv"
    empty.write_text("")
    assert "empty" in import_file(movie_bot, empty, "letterboxd").rows[0].detail
    garbage = tmp_path / "other.csv"
    garbage.write_text("hello world\nthis is not an export\n")
    report = import_file(movie_bot, garbage, "letterboxd")
    assert report.failed == 1 and "missing column(s)" in report.rows[0].detail


# -- properties -------------------------------------------------------------------------------------


@given(st.sampled_from([x / 2 for x in range(1, 11)]))
def test_stars_map_to_ten_points(stars: float) -> None:
    assert stars_to_rating(str(stars)) == int(stars * 2)
    assert stars_to_rating(f"{stars:g}") == int(stars * 2)


@given(st.one_of(st.floats(allow_nan=True), st.text(max_size=5)))
def test_other_ratings_are_refused_or_empty(raw: float | str) -> None:
    text = str(raw)
    try:
        value = stars_to_rating(text)
    except BadInput:
        return
    assert value is None and not text.strip() or value is not None and 1 <= value <= 10


_review_text = (
    st.lists(
        st.one_of(
            st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
            st.sampled_from(["\n", "\r\n", '"', ",", "<br />"]),
        ),
        min_size=1,
        max_size=30,
    )
    .map("".join)
    .filter(lambda t: t.strip())
)


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(_review_text, min_size=1, max_size=6))
def test_records_start_at_their_physical_line(texts: list[str]) -> None:
    """Whatever newlines and quotes the reviews hold, each record is read whole and placed at its first line."""
    rows = [_review_row("Parasite", "2019", f"u{i}", "4", t) for i, t in enumerate(texts)]
    text = _csv(rows)
    starts = []
    line = 2
    for r in rows:
        starts.append(line)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(r)
        one = buf.getvalue()
        line += one.count("\n") + one.count("\r") - one.count("\r\n")
    got = list(records(text))
    assert [g[0] for g in got[1:]] == starts
    assert [g[2] for g in got[1:]] == rows


def test_large_export_goes_in_row_by_row(movie_bot: MovieBot, tmp_path: Path) -> None:
    """10,000 ratings (most of them films new to the catalog) with one bad row: the others all go in."""
    rows = [
        [
            "2023-01-01",
            f"Home Movie No. {i}",
            str(1950 + i % 70),
            f"https://boxd.it/r{i}",
            "7" if i == 7777 else str((i % 10 + 1) / 2),
        ]
        for i in range(10_000)
    ]
    path = tmp_path / "ratings.csv"
    path.write_text(_csv(rows, ("Date", "Name", "Year", "Letterboxd URI", "Rating")))
    report = import_file(movie_bot, path, "auto")
    assert report.failed == 1
    assert report.rows[7777].line == 7779 and report.rows[7777].status == "failed"
    assert report.count("added") == 9_999
    assert len(report.new_films) == 9_999
    assert len(movie_bot.store.user_ratings("letterboxd", "import")) == 9_999
