"""/watchlist through the real core and a real SQLite file: what members see in chat."""

from __future__ import annotations

from pathlib import Path

from bot import dispatch
from bot.core import MovieBot
from bot.replies import Request
from bot.store import Store


def say(bot: MovieBot, user: str, text: str, *, chat: str = "group", platform: str = "telegram") -> str:
    name, _, args = text.lstrip("/").partition(" ")
    req = Request(platform=platform, user_id=user, user_name=user.title(), command=name, args=args, chat_id=chat)
    return "\n".join(r.body.plain for r in dispatch.handle(bot, req))


def test_add_show_and_remove(movie_bot: MovieBot) -> None:
    assert "Your watchlist is empty" in say(movie_bot, "ann", "/watchlist")
    assert say(movie_bot, "ann", "/watchlist add parasite") == "Added Parasite (2019) to your watchlist (1 film)."
    assert "(2 films)" in say(movie_bot, "ann", "/watchlist add  THE HOST ")
    shown = say(movie_bot, "ann", "/watchlist")
    assert "Your watchlist (2 films)" in shown
    assert shown.index("Parasite") < shown.index("The Host (2006)")
    assert say(movie_bot, "ann", "/watchlist add Parasite") == "Parasite (2019) is already on your watchlist."
    assert say(movie_bot, "ann", "/watchlist remove parasit") == "Removed Parasite (2019) from your watchlist."
    assert "Parasite" not in say(movie_bot, "ann", "/watchlist")


def test_forgiving_titles_and_remake_notes(movie_bot: MovieBot) -> None:
    out = say(movie_bot, "ann", "/watchlist add mircale in cell 7")
    assert out.startswith("Added Miracle in Cell No. 7 (2013)")
    assert "Miracle in Cell No. 7 (2019)" in out and "add the year" in out
    assert say(movie_bot, "ann", "/watchlist add Oldboy (2013)").startswith("Added Oldboy (2013)")
    # Removing by the bare title finds the remake that is on *this* list, not the older film.
    assert say(movie_bot, "ann", "/watchlist remove oldboy") == "Removed Oldboy (2013) from your watchlist."


def test_unknown_title_gets_candidates_and_writes_nothing(movie_bot: MovieBot, store: Store) -> None:
    out = say(movie_bot, "ann", "/watchlist add parasyte 2019x")
    assert "Did you mean" in out and "Parasite (2019)" in out
    assert store.db.execute("SELECT count(*) FROM watchlist").fetchone()[0] == 0
    out = say(movie_bot, "ann", "/watchlist add qqqqzzzz")
    assert out == "No film called “qqqqzzzz” in the catalog."


def test_bad_input_is_one_line(movie_bot: MovieBot) -> None:
    for text in ("/watchlist add", "/watchlist remove ", "/watchlist frobnicate", "/watchlist remove heat"):
        out = say(movie_bot, "ann", text)
        assert out and "\n" not in out, text
    assert "nothing to remove" in say(movie_bot, "ann", "/watchlist remove heat")
    say(movie_bot, "ann", "/watchlist add The Host")
    assert say(movie_bot, "ann", "/watchlist remove heat") == (
        "Heat (1995) is not on your watchlist. /watchlist shows what is on it."
    )


def test_a_rated_film_counts_as_seen(movie_bot: MovieBot) -> None:
    say(movie_bot, "ann", "/watchlist add Parasite")
    say(movie_bot, "ann", "/watchlist add Oldboy")
    say(movie_bot, "ann", "/rate Parasite 9")
    shown = say(movie_bot, "ann", "/watchlist")
    assert "Parasite" not in shown and "Oldboy (2003)" in shown
    assert say(movie_bot, "ann", "/watchlist add parasite") == (
        "You rated Parasite (2019) 9/10, so it counts as seen; not added."
    )


def test_one_list_per_member_per_platform_and_who_else_here_wants_it(movie_bot: MovieBot) -> None:
    say(movie_bot, "ann", "/watchlist add Parasite", chat="club")
    # Bob has used the bot in the club; Cid only elsewhere.
    assert "Also wanted here by Ann" in say(movie_bot, "bob", "/watchlist add Parasite", chat="club")
    say(movie_bot, "cid", "/watchlist add Parasite", chat="elsewhere")
    # Ann's list is the same in another chat of the same platform…
    assert "Parasite (2019)" in say(movie_bot, "ann", "/watchlist", chat="another")
    # …and "who else here" counts the people of *this* chat only.
    shown = say(movie_bot, "ann", "/watchlist", chat="club")
    assert "also wanted here by Bob" in shown and "Cid" not in shown
    # The same user id on another platform is another person with another list.
    assert "empty" in say(movie_bot, "ann", "/watchlist", platform="discord")


def test_the_list_survives_a_restart(store: Store, tmp_path: Path) -> None:
    from bot.config import Settings

    bot = MovieBot(store, Settings(db_path=tmp_path / "moviebot.db"))
    say(bot, "ann", "/watchlist add Parasite")
    path = store.path
    assert path is not None
    again = Store.open(path)
    try:
        assert "Parasite (2019)" in say(MovieBot(again, Settings(db_path=path)), "ann", "/watchlist")
    finally:
        again.close()


def test_help_lists_the_watchlist(movie_bot: MovieBot) -> None:
    assert "/watchlist" in say(movie_bot, "ann", "/help")


def test_who_is_here_is_noted_once_and_renamed_when_the_name_changes(movie_bot: MovieBot, store: Store) -> None:
    say(movie_bot, "ann", "/help", chat="club")
    changes = store.db.conn.total_changes
    say(movie_bot, "ann", "/movie Parasite", chat="club")  # known, same name: a read, no write
    assert store.db.conn.total_changes == changes
    req = Request(platform="telegram", user_id="ann", user_name="Ann B.", command="help", chat_id="club")
    dispatch.handle(movie_bot, req)
    assert store.db.execute("SELECT user_name FROM chat_members WHERE user_id = 'ann'").fetchone()[0] == "Ann B."
