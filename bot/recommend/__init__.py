"""Recommendations: `/recommend sad korean drama`, `/recommend like Parasite but funnier`, `/recommend`.

Modules, in the order a request flows through them:

- `query`: reads chat phrasing into facets (moods, countries, genres, era,
  length, a film to resemble, people, audience, negations, typos) and
  leftover search words;
- `people`: directors and cast by folded name, for "Park Chan-wook films";
- `lexicon`: the words behind that, and how keywords and review text map to moods;
- `features`: per-film features kept current at write time (review hook,
  rating triggers), so a query never scans reviews;
- `engine`: bounded candidates from indexes, a transparent score, variety;
- `reply`: "Read as: …" and one line per pick saying why, quoting reviewers;
- `session`: per-chat memory for the `More picks` / `Not this` buttons.
"""

from __future__ import annotations

import dataclasses
import gc
import json

from ..errors import BadInput
from ..replies import Reply, Request, text_reply
from ..store import Store
from ..titles import TitleIndex, normalize_title
from . import features, reply
from .engine import Engine, Feat, Pick
from .people import PeopleIndex
from .query import Query, parse
from .session import ChatMemory, Sessions

__all__ = ["Feat", "Pick", "Query", "Recommender", "parse"]

PICKS = 5
EXPIRED = "Those picks have expired; ask again with /recommend, e.g. /recommend sad korean drama"
FREEZE_MIN_FILMS = 5_000
COLD_VOTES = 30  # fewer ratings than this in the whole database: the community has no taste yet
STARTER_NOTE = (
    "Few ratings here yet, so these are starter picks: acclaimed films from the starter catalog, "
    "varied by country and decade. Rate films with /rate <title> <1-10> and /recommend will learn "
    "this community's taste; or describe what you want: /recommend sad korean drama"
)
EXAMPLE = "Try a mood, a genre, a country or a film: /recommend sad korean drama, /recommend like Parasite but funnier"


class Recommender:
    """Answers /recommend and its buttons. One per bot; registers the review hook on the store."""

    def __init__(self, store: Store, titles: TitleIndex, sessions: Sessions | None = None) -> None:
        self.store = store
        self.titles = titles
        self.engine = Engine(store)
        self.sessions = sessions or Sessions()
        self.people = PeopleIndex()
        if features.on_reviews not in store.review_batch_hooks:
            store.review_batch_hooks.append(features.on_reviews)
        self._synced_to = 0
        self._people_to = 0
        self.sync()
        # The title and people indexes are a few hundred thousand long-lived objects at 100,000 films;
        # left in the collected generations, every full collection walks them all (tens of ms in the
        # middle of a request). Frozen, they are never scanned again; later objects are collected as
        # usual. Small catalogs (and the test suite's many small bots) skip the one-off collection.
        if self._synced_to >= FREEZE_MIN_FILMS:
            gc.collect()
            gc.freeze()

    def sync(self) -> None:
        """Catch up with films added since the last look, with reviews written by a process that had
        no recommender (and so no hook), and with films whose features are flagged behind (ratings,
        an import). A few indexed lookups when there is nothing to do."""
        db = self.store.db
        top = db.execute("SELECT coalesce(max(id), 0) FROM films").fetchone()[0]
        if top > self._synced_to:
            features.sync_films(db, after_id=self._synced_to)
            self._synced_to = int(top)
        if top > self._people_to:
            for row in db.execute(
                'SELECT title, year, directors, "cast", keywords, overview FROM films WHERE id > ? ORDER BY id',
                [self._people_to],
            ):
                text = " ".join(json.loads(row[4] or "[]")) + " " + (row[5] or "")
                self.people.add_film(row[0], row[1], json.loads(row[2] or "[]"), json.loads(row[3] or "[]"), text)
            self._people_to = int(top)
        newest = db.execute("SELECT coalesce(max(id), 0) FROM reviews").fetchone()[0]
        read = db.execute("SELECT coalesce(max(review_id), 0) FROM rec_review").fetchone()[0]
        if newest > read:
            with self.store.atomic():
                touched = db.execute("SELECT DISTINCT film_id FROM reviews WHERE id > ?", [read]).fetchall()
                features.on_reviews(self.store, [int(f) for (f,) in touched])
        # Films flagged by ratings, by an import (rebuilt at its end, or here if it was killed).
        features.reindex_stale(db)

    # -- /recommend ------------------------------------------------------------

    def recommend(self, text: str, req: Request) -> list[Reply]:
        self.sync()
        if not (text or "").strip():
            return self._personal(req)
        q = parse(text, self._resolve, people=self.people)
        mem = ChatMemory(q, liked=[i for i, _ in q.like])
        return [self._answer(req, mem, exclude=self._with_remakes(mem.liked), heading="Read as")]

    def picks(self, text: str, limit: int = PICKS) -> list[Pick]:
        """The ranked picks for a request, without a reply or chat memory (the quality test uses this)."""
        self.sync()
        q = parse(text, self._resolve, people=self.people)
        likes = list(self.engine.feats([i for i, _ in q.like]).values())
        exclude = self._with_remakes([i for i, _ in q.like])
        return self.engine.rank(q, exclude=exclude, avoid=set(), likes=likes, limit=limit)

    def _with_remakes(self, ids: list[int]) -> set[int]:
        """The films named, and every film sharing one of their titles: "like Oldboy" never offers Oldboy (2013)."""
        out = set(ids)
        for i in ids:
            out.update(self.titles.same_title(i))
        return out

    def few_ratings(self) -> bool:
        """Too few ratings for "well rated here" to mean anything (a new community)."""
        n = self.store.db.execute(
            """SELECT (SELECT count(*) FROM (SELECT 1 FROM ratings LIMIT ?))
                    + (SELECT count(*) FROM (SELECT 1 FROM reviews WHERE rating IS NOT NULL LIMIT ?))""",
            [COLD_VOTES, COLD_VOTES],
        ).fetchone()[0]
        return int(n) < COLD_VOTES

    def _personal(self, req: Request) -> list[Reply]:
        ratings = self.store.user_ratings(req.platform, req.user_id)
        liked = [fid for fid, r in ratings if r >= 7][:5]
        rated = [fid for fid, _ in ratings]
        films = {f.id: f for f in self.store.films(liked)}
        q = Query(like=[(i, films[i].label) for i in liked if i in films])
        mem = ChatMemory(q, liked=rated)
        if not q.like:
            if self.few_ratings():
                return [
                    self._answer(
                        req, mem, exclude=set(rated), heading="Starter picks", notes=[STARTER_NOTE], reading=[]
                    )
                ]
            notes = [
                "You have not rated anything highly yet, so these are the community's well-rated picks. "
                "Rate films with /rate <title> <1-10> and /recommend will pick from your taste; "
                "or describe what you want: /recommend sad korean drama"
            ]
            return [
                self._answer(req, mem, exclude=set(rated), heading="Picks", notes=notes, reading=["well rated here"])
            ]
        return [self._answer(req, mem, exclude=self._with_remakes(rated), heading="From your ratings")]

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
        instead = "starter picks (few ratings here yet)" if self.few_ratings() else "well-rated picks"
        if not picks and (q.year_min or q.year_max or q.runtime_min or q.runtime_max) and (q.people or q.like):
            # "90s Hitchcock": the person or film matters more than the era; say what was dropped.
            loose = dataclasses.replace(q, year_min=None, year_max=None, era="", runtime_min=None, runtime_max=None)
            picks = self.engine.rank(
                loose, exclude=exclude | mem.rejected, avoid=mem.rejected, likes=likes, limit=PICKS
            )
            if picks:
                notes.append(
                    f"Nothing matches {' and '.join(x for x in (q.era, q.length) if x)}; these are from any time."
                )
        if not picks and not q.empty and heading == "More for":
            # "More" after the last film by Wong Kar-wai: say so, rather than pad with unrelated films.
            return text_reply("That is all: every film here that matches has been shown. Ask again with /recommend.")
        if not picks and not q.empty:
            notes.append(f"Nothing here matches all of that; these are {instead} instead. " + EXAMPLE)
            fallback = Query(audience=q.audience)  # who will watch still holds
            picks = self.engine.rank(fallback, exclude=exclude | mem.rejected, avoid=set(), likes=[], limit=PICKS)
        elif q.empty and heading == "Read as":
            notes.append(f"I found no mood, genre, country or film in that, so here are {instead}. " + EXAMPLE)
        elif (
            q.words
            and not (q.moods or q.countries or q.genres or q.like)
            and not any(self.engine.text_scores(q.words).values())
        ):
            notes.append(f"No film or review mentions that; these are {instead}. " + EXAMPLE)
        mem.shown([p.feat.film_id for p in picks])
        self.sessions.put(req.chat_key, mem)
        return self._render(q, picks, list(dict.fromkeys(notes)), heading, reading)

    def _render(self, q: Query, picks: list[Pick], notes: list[str], heading: str, reading: list[str] | None) -> Reply:
        films = {f.id: f for f in self.store.films(p.feat.film_id for p in picks)}
        rows = [
            (films[p.feat.film_id], p, self.engine.quote(p.feat.film_id, q, films[p.feat.film_id].title))
            for p in picks
            if p.feat.film_id in films
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
        # "Not this" drops the film, its series and remakes, and (unless the request named people)
        # the rest of its director's films.
        gone = self._with_remakes([film_id]) | self.engine.neighbours(film_id, director=not mem.query.people)
        mem.rejected |= gone
        return [self._answer(req, mem, exclude=self._with_remakes(mem.liked), heading="Without that, for")]

    # -- titles ------------------------------------------------------------------

    def _resolve(self, text: str, fuzzy: bool) -> tuple[int, str] | None:
        """A film named in a request ("like Parasite"); exact title unless `fuzzy`."""
        norm = normalize_title(text)
        if not norm:
            return None
        titles = self.titles
        if fuzzy:
            res = titles.resolve(text)
            film_id = res.film_id
            if film_id is None and res.candidates:
                # "like the lord of the rings": the name of a series (the titles' part before a colon)
                # is its first film.
                heads = [
                    i for i, label in res.candidates if normalize_title(label.split(":", 1)[0]) == norm and ":" in label
                ]
                film_id = titles.order(heads)[0] if heads else None
        else:
            ids = titles.by_norm.get(norm) or []
            film_id = titles.order(ids, norm)[0] if ids else None
        if film_id is None:
            return None
        return film_id, titles.label.get(film_id, str(film_id))
