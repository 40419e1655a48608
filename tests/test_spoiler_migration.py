"""Reviews stored before issue 10 with their spoiler markup shown as text are read again on upgrade."""

from __future__ import annotations

from bot import dispatch, migrations
from bot.core import MovieBot
from bot.replies import Request
from bot.richtext import text_document, to_console
from bot.store import Store

STEP = migrations.MIGRATIONS.index(migrations.m007_reread_spoiler_markup_shown_as_text)


def _review(bot: MovieBot, title: str) -> str:
    replies = dispatch.handle(bot, Request(platform="console", user_id="2", command="review", args=title))
    return "\n".join(to_console(r.body) for r in replies)


def test_leaked_markup_is_hidden_after_the_upgrade(store: Store, movie_bot: MovieBot) -> None:
    parasite = movie_bot.resolve("Parasite")[0].id
    oldboy = movie_bot.resolve("Oldboy 2003")[0].id
    host = movie_bot.resolve("The Host")[0].id
    # What the old readers stored: the markup as literal text, nothing hidden.
    leaked = store.add_review(
        parasite,
        author="Ann",
        platform="telegram",
        body=text_document('Sharp. <span class="tg-spoiler">The father hides in the bunker.</span>'),
    )
    store.add_review(oldboy, author="Bob", platform="letterboxd", body=text_document("Wow. ||Mi-do is his daughter.||"))
    kept = store.add_review(host, author="Cy", platform="discord", body=text_document("No spoilers: a great monster."))
    shown = store.add_review(
        host,
        author="Di",
        platform="discord",
        body=text_document("Spoiler: <tg-spoiler>x</tg-spoiler>"),
        spoiler_mode="none",
    )
    before = {r: store.db.execute("SELECT body FROM reviews WHERE id = ?", [r]).fetchone()[0] for r in (kept, shown)}
    assert "bunker" in _review(movie_bot, "Parasite")

    store.db.execute(f"PRAGMA user_version = {STEP}")
    assert migrations.apply(store.db) == len(migrations.MIGRATIONS) - STEP

    parasite_view = _review(movie_bot, "Parasite")
    assert "Sharp." in parasite_view and "bunker" not in parasite_view and "span" not in parasite_view
    assert "daughter" not in _review(movie_bot, "Oldboy 2003")
    for r in (kept, shown):  # nothing to hide, or the admin chose "none": untouched
        assert store.db.execute("SELECT body FROM reviews WHERE id = ?", [r]).fetchone()[0] == before[r]
    plain = store.db.execute("SELECT plain FROM reviews WHERE id = ?", [leaked]).fetchone()[0]
    assert plain == "Sharp. The father hides in the bunker."
