"""/addreview with a pasted post about a new film: the film and the review land together or not at all."""

from __future__ import annotations

from pathlib import Path

from bot import dispatch
from bot.core import MovieBot
from bot.replies import Request
from bot.store import Store

POST = Path(__file__).parent / "fixtures" / "posts" / "your_excellency_new_film.md"


def addreview(bot: MovieBot) -> str:
    req = Request(
        platform="telegram",
        user_id="1",
        user_name="admin",
        command="addreview",
        is_admin=True,
        body=POST.read_text(encoding="utf-8"),
    )
    return "\n".join(r.body.plain for r in dispatch.handle(bot, req))


def test_pasted_post_about_a_new_film_adds_film_and_review(movie_bot: MovieBot) -> None:
    out = addreview(movie_bot)
    assert "Added review #1 of Your Excellency (2019)" in out
    assert movie_bot.resolve("your excellency")[0].countries == ("NG",)


def test_failed_review_write_takes_the_new_film_back(movie_bot: MovieBot, store: Store) -> None:
    films_before = store.film_count()

    def disk_full(s: Store, film_id: int) -> None:
        raise OSError("disk full")

    store.review_hooks.append(disk_full)
    out = addreview(movie_bot)
    store.review_hooks.remove(disk_full)

    assert "something went wrong on our side" in out
    assert store.film_count() == films_before
    assert movie_bot.titles.resolve("Your Excellency").film_id is None  # no phantom in the title index
    assert "Added review #1 of Your Excellency (2019)" in addreview(movie_bot)  # and it works afterwards
