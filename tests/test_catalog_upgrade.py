"""A deployed bot that loaded an older starter catalog gets the new catalog's keywords on its next
start, and recommends from them, without touching what an admin imported or edited."""

from __future__ import annotations

import json
from pathlib import Path

from bot import dispatch
from bot.catalog import load_starter_catalog, refresh_starter_keywords, starter_catalog_path
from bot.core import MovieBot
from bot.replies import Request
from bot.store import Store

OLD_KEYWORDS = 5  # the older catalog: the same films with the first few keywords of each


def _recommend(bot: MovieBot, text: str) -> str:
    replies = dispatch.handle(bot, Request("telegram", "u1", "recommend", args=text, chat_id=f"c-{text}"))
    return "\n".join(b.text for r in replies for b in r.body.blocks)


def _keywords(store: Store, title: str, year: int) -> list[str]:
    row = store.db.execute("SELECT keywords FROM films WHERE title = ? AND year = ?", [title, year]).fetchone()
    return list(json.loads(row[0]))


def test_an_old_database_gets_the_new_keywords_and_keeps_admin_films(tmp_path: Path) -> None:
    shipped_path = starter_catalog_path()
    assert shipped_path is not None
    shipped = [json.loads(line) for line in shipped_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    # The older catalog: every film with fewer keywords, and without The Departed (2006).
    old_path = tmp_path / "old_catalog.jsonl"
    old_lines = [
        json.dumps({**f, "keywords": f["keywords"][:OLD_KEYWORDS]}, ensure_ascii=False)
        for f in shipped
        if (f["title"], f["year"]) != ("The Departed", 2006)
    ]
    old_path.write_text("\n".join(old_lines) + "\n", encoding="utf-8")

    db = tmp_path / "moviebot.db"
    store = Store.open(db)
    assert load_starter_catalog(store, old_path) == len(shipped) - 1
    bot = MovieBot(store)
    before = _recommend(bot, "cops and robbers")
    # An admin imported The Departed with keywords of their own, and edited Heat's by hand.
    bot.add_film(
        {"title": "The Departed", "year": 2006, "genres": ["crime"], "keywords": ["mole"], "countries": ["US"]},
        source="import",
    )
    store.db.execute("UPDATE films SET keywords = ? WHERE title = 'Heat'", [json.dumps(["heist", "our pick"])])
    store.close()

    # The next start, with the new catalog shipped.
    store = Store.open(db)
    assert load_starter_catalog(store) == 0
    bot = MovieBot(store)
    assert _keywords(store, "Inside Man", 2006) == next(f["keywords"] for f in shipped if f["title"] == "Inside Man")
    assert _keywords(store, "Heat", 1995) == ["heist", "our pick"]
    assert _keywords(store, "The Departed", 2006) == ["mole"]
    reply = _recommend(bot, "cops and robbers")
    assert "Inside Man" in reply and "The Departed" not in reply and reply != before
    # The recommender's own features were rebuilt: what it says two films share is the new vocabulary.
    like = _recommend(bot, "something like inside man")
    assert any(f"shares {k}" in like for k in ("cops and robbers", "police", "detective", "conspiracy")), like
    assert refresh_starter_keywords(store, shipped_path) == 0  # nothing left to do on later starts
    store.close()
