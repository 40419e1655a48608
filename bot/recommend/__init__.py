"""Recommendations. (Starter version: keyword search; issue 4 makes it good.)"""

from __future__ import annotations

from ..replies import Reply, Request, text_reply
from ..store import Store


class Recommender:
    def __init__(self, store: Store) -> None:
        self.store = store

    def recommend(self, text: str, req: Request) -> list[Reply]:
        words = [w for w in "".join(c if c.isalnum() else " " for c in text.lower()).split() if len(w) > 2]
        if not words:
            rows = self.store.db.execute("SELECT id FROM films ORDER BY random() LIMIT 5").fetchall()
        else:
            q = " OR ".join(f'"{w}"' for w in words[:20])
            rows = self.store.db.execute(
                "SELECT rowid FROM films_fts WHERE films_fts MATCH ? ORDER BY rank LIMIT 5", [q]
            ).fetchall()
        films = self.store.films(int(r[0]) for r in rows)
        if not films:
            return [text_reply("No picks for that yet. Try a genre, a mood or a country: /recommend sad korean drama")]
        return [text_reply("Picks:", *(f"{f.label}" for f in films))]

    def press(self, action: str, req: Request) -> list[Reply]:
        return [text_reply("That button has expired; ask again with /recommend.", error=True)]
