"""Recommendations: `/recommend sad korean drama`, `/recommend like Parasite but funnier`, `/recommend`.

Modules, in the order a request flows through them:

- `query`: reads chat phrasing into facets (moods, countries, genres, era,
  length, a film to resemble, negations, typos) and leftover search words;
- `lexicon`: the words behind that, and how keywords and review text map to moods;
- `features`: per-film features kept current at write time (review hook,
  rating triggers), so a query never scans reviews;
- `engine`: bounded candidates from indexes, a transparent score, variety;
- `reply`: "Read as: …" and one line per pick saying why, quoting reviewers;
- `session`: per-chat memory for the `More picks` / `Not this` buttons.
"""

from __future__ import annotations

from ..errors import BadInput
from ..replies import Reply, Request, text_reply
from ..store import Store
from ..titles import TitleIndex, normalize_title
from . import features, reply
from .engine import Engine, Feat, Pick
from .query import Query, parse
from .session import ChatMemory, Sessions

__all__ = ["Feat", "Pick", "Query", "Recommender", "parse"]

PICKS = 5
EXPIRED = "Those picks have expired; ask again with /recommend, e.g. /recommend sad korean drama"
EXAMPLE = "Try a mood, a genre, a country or a film: /recommend sad korean drama, /recommend like Parasite but funnier"


class Recommender:
    """Answers /recommend and its buttons. One per bot; registers the review hook on the store."""

    def __init__(self, store: Store, titles: TitleIndex | None = None, sessions: Sessions | None = None) -> None:
        self.store = store
        self.titles = titles
        self.engine = Engine(store)
        self.sessions = sessions or Sessions()
        if features.on_review not in store.review_hooks:
            store.review_hooks.append(features.on_review)
        self._synced_to = 0
        self.sync()

    def sync(self) -> None:
        """Catch up with films added since the last look, and with reviews written by a process that had
        no recommender (and so no hook). Two indexed max() lookups when there is nothing to do."""
        db = self.store.db
        top = db.execute("SELECT coalesce(max(id), 0) FROM films").fetchone()[0]
        if top > self._synced_to:
            features.sync_films(db, after_id=self._synced_to)
            self._synced_to = int(top)
        newest = db.execute("SELECT coalesce(max(id), 0) FROM reviews").fetchone()[0]
        read = db.execute("SELECT coalesce(max(review_id), 0) FROM rec_review").fetchone()[0]
        if newest > read:
            with self.store.atomic():
                for (film_id,) in db.execute("SELECT DISTINCT film_id FROM reviews WHERE id > ?", [read]).fetchall():
                    features.on_review(self.store, int(film_id))

    # -- /recommend ------------------------------------------------------------

    def recommend(self, text: str, req: Request) -> list[Reply]:
        self.sync()
        if not (text or "").strip():
            return self._personal(req)
        q = parse(text, self._resolve)
        mem = ChatMemory(q, liked=[i for i, _ in q.like])
        return [self._answer(req, mem, exclude=set(mem.liked), heading="Read as")]

    def picks(self, text: str, limit: int = PICKS) -> list[Pick]:
        """The ranked picks for a request, without a reply or chat memory (the quality test uses this)."""
        self.sync()
        q = parse(text, self._resolve)
        likes = list(self.engine.feats([i for i, _ in q.like]).values())
        return self.engine.rank(q, exclude={i for i, _ in q.like}, avoid=set(), likes=likes, limit=limit)

    def _personal(self, req: Request) -> list[Reply]:
        ratings = self.store.user_ratings(req.platform, req.user_id)
        liked = [fid for fid, r in ratings if r >= 7][:5]
        rated = [fid for fid, _ in ratings]
        films = {f.id: f for f in self.store.films(liked)}
        q = Query(like=[(i, films[i].label) for i in liked if i in films])
        mem = ChatMemory(q, liked=rated)
        if not q.like:
            notes = [
                "You have not rated anything highly yet, so these are the community's well-rated picks. "
                "Rate films with /rate <title> <1-10> and /recommend will pick from your taste; "
                "or describe what you want: /recommend sad korean drama"
            ]
            return [
                self._answer(req, mem, exclude=set(rated), heading="Picks", notes=notes, reading=["well rated here"])
            ]
        return [self._answer(req, mem, exclude=set(rated), heading="From your ratings")]

    def _answer(
        self,
        req: Request,
        mem: ChatMemory,
        *,
        exclude: set[int],
        heading: str,
        notes: list[str] | None = None,
        reading: list[str] | None = None,
    ) -> Reply:
        q = mem.query
        notes = list(notes or [])
        if q.corrections:
            notes.append("Spelling: " + ", ".join(f"{a} → {b}" for a, b in q.corrections))
        if q.truncated:
            notes.append("That was long; only the start was read.")
        likes = list(self.engine.feats([i for i, _ in q.like]).values())
        picks = self.engine.rank(q, exclude=exclude | mem.rejected, avoid=mem.rejected, likes=likes, limit=PICKS)
        if not picks and not q.empty:
            notes.append("Nothing here matches all of that; these are well-rated picks instead. " + EXAMPLE)
            picks = self.engine.rank(Query(), exclude=exclude | mem.rejected, avoid=set(), likes=[], limit=PICKS)
        elif q.empty and heading == "Read as":
            notes.append("I found no mood, genre, country or film in that, so here are well-rated picks. " + EXAMPLE)
        elif (
            q.words
            and not (q.moods or q.countries or q.genres or q.like)
            and not any(self.engine.text_scores(q.words).values())
        ):
            notes.append("No film or review mentions that; these are well-rated picks. " + EXAMPLE)
        mem.shown([p.feat.film_id for p in picks])
        self.sessions.put(req.chat_key, mem)
        return self._render(q, picks, notes, heading, reading)

    def _render(self, q: Query, picks: list[Pick], notes: list[str], heading: str, reading: list[str] | None) -> Reply:
        films = {f.id: f for f in self.store.films(p.feat.film_id for p in picks)}
        rows = [
            (films[p.feat.film_id], p, self.engine.quote(p.feat.film_id, q)) for p in picks if p.feat.film_id in films
        ]
        if not rows:
            notes.append("The catalog is empty; admins can import films with `moviebot import`.")
        return reply.build(reading if reading is not None else q.reading(), rows, notes=notes, heading=heading)

    # -- buttons -----------------------------------------------------------------

    def press(self, action: str, req: Request) -> list[Reply]:
        parts = action.split(":")
        mem = self.sessions.get(req.chat_key)
        if len(parts) < 2 or parts[1] not in ("more", "not"):
            raise BadInput("That button no longer works; run /recommend again.")
        if mem is None:
            return [text_reply(EXPIRED, error=True)]
        self.sync()
        if parts[1] == "more":
            exclude = set(mem.seen) | set(mem.liked)
            return [self._answer(req, mem, exclude=exclude, heading="More for")]
        try:
            film_id = int(parts[2])
        except (IndexError, ValueError):
            raise BadInput("That button no longer works; run /recommend again.") from None
        mem.rejected |= self.engine.neighbours(film_id)
        return [self._answer(req, mem, exclude=set(mem.liked), heading="Without that, for")]

    # -- titles ------------------------------------------------------------------

    def _resolve(self, text: str, fuzzy: bool) -> tuple[int, str] | None:
        """A film named in a request ("like Parasite"); exact title unless `fuzzy`."""
        norm = normalize_title(text)
        if not norm:
            return None
        titles = self.titles
        if titles is not None:
            if fuzzy:
                film_id = titles.resolve(text).film_id
            else:
                ids = titles.by_norm.get(norm) or []
                film_id = min(ids, key=lambda i: (titles.year.get(i) or 9999, i)) if ids else None
            if film_id is None:
                return None
            return film_id, titles.label.get(film_id, str(film_id))
        row = self.store.db.execute(
            """SELECT f.id, f.title, f.year FROM film_titles t JOIN films f ON f.id = t.film_id
               WHERE t.norm = ? ORDER BY coalesce(f.year, 9999), f.id LIMIT 1""",
            [norm],
        ).fetchone()
        if row is None:
            return None
        return int(row[0]), f"{row[1]} ({row[2]})" if row[2] else str(row[1])
