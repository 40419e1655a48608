"""`MovieBot`: the platform-neutral bot's state, built once from a store and settings.

It owns the store, the in-memory title index and the recommender, and is the one
way films and reviews are added, whether they come from chat, an attached file,
a pasted post or an import: `add_review` and `add_film` write inside one
transaction and change the title index only after it committed, so a rolled-back
write never leaves a phantom title behind.

Running commands is a layer above (`bot.dispatch`), so that commands and
importers can depend on this module without it depending back on them.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .config import Settings
from .errors import BadInput, NotFound
from .recommend import Recommender
from .replies import Request
from .richtext import Document
from .store import Film, ReviewRow, Store
from .text import clean_line
from .titles import TitleIndex

log = logging.getLogger("moviebot.core")


@dataclass(frozen=True)
class NewFilm:
    """A film to create in the same transaction as its first review (a post's premise, a Letterboxd row).

    `data` holds the fields of the movies import format; `title` is required.
    """

    data: Mapping[str, Any]
    source: str


@dataclass(frozen=True)
class ReadBody:
    """A review body already read and serialised elsewhere (an import's worker processes), stored as is.

    Why: shipping a whole `Document` back from a worker and serialising it in the writing
    process cost more than the worker doing it; `moods` is `features.review_moods` of `plain`.
    """

    json: str
    plain: str
    moods: str | None = None


@dataclass(frozen=True)
class ReviewDraft:
    """One review for `MovieBot.add_reviews`: the arguments of `add_review`, kept for a batch."""

    film: int | NewFilm
    body: Document | ReadBody
    author: str
    platform: str
    rating: float | None = None
    author_id: str | None = None
    spoiler_mode: str = "auto"
    source_key: str | Callable[[int], str] | None = None
    created_at: str | None = None


@dataclass(frozen=True)
class AddedReview:
    review_id: int
    film_id: int
    new_film: bool


class MovieBot:
    def __init__(
        self,
        store: Store,
        settings: Settings | None = None,
        *,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.settings = settings or Settings()
        # Passed in so a test can say "a day later" without waiting, and make a draw repeatable.
        self.clock = clock
        self.rng = rng or random.Random()
        self._data_version = store.data_version()
        self._films_seen = store.max_film_id()
        self.titles = TitleIndex(store.title_index())
        self.recommender = Recommender(store, titles=self.titles)

    def refresh(self) -> None:
        """Catch up with what other processes wrote (a `moviebot import` next to the running bot).

        Asked before every request: `PRAGMA data_version` changes only when another
        connection committed, so the usual cost is one PRAGMA. When it changed, films
        added since the last look join the title index (so /movie knows them at once);
        the recommender catches up with films, reviews and ratings on its own next query.
        Films are never renamed or deleted by any command, so new ids are all there is to learn.
        """
        version = self.store.data_version()
        if version == self._data_version:
            return
        self._data_version = version
        top = self.store.max_film_id()
        if top > self._films_seen:
            by_film: dict[int, tuple[list[str], int | None, str]] = {}
            for film_id, written, year, title in self.store.titles_after(self._films_seen):
                by_film.setdefault(film_id, ([], year, title))[0].append(written)
            for film_id, (written_titles, year, title) in by_film.items():
                self.titles.add(film_id, written_titles, year, title)
            self._films_seen = top

    # -- films and reviews, shared by commands and importers -----------------

    def resolve(self, query: str) -> tuple[Film, list[str]]:
        """The film a user meant, plus labels of other films with the same title.

        Raises NotFound with up to five candidates when unsure.
        """
        query = clean_line(query)
        if not query:
            raise BadInput("Which film? Add a title, e.g. /movie Parasite")
        res = self.titles.resolve(query)
        if res.film_id is None:
            shown = query if len(query) <= 60 else query[:57] + "…"
            if res.candidates:
                names = "; ".join(label for _, label in res.candidates)
                raise NotFound(
                    f"No film called “{shown}”. Did you mean: {names}?",
                    candidates=[label for _, label in res.candidates],
                )
            raise NotFound(f"No film called “{shown}” in the catalog.")
        return self.store.get_film(res.film_id), [label for _, label in res.others]

    def add_film(self, data: Mapping[str, Any], *, source: str = "user") -> int:
        """Store one film (its own transaction), then make its titles resolvable."""
        film_id = self.store.add_film(dict(data), source=source)
        self.index_film(film_id, data)
        return film_id

    def index_film(self, film_id: int, data: Mapping[str, Any]) -> None:
        """Add a stored film's titles to the in-memory index; call only once its write committed."""
        self._films_seen = max(self._films_seen, film_id)
        titles = [data["title"], *(data.get("aliases") or [])]
        if data.get("original_title"):
            titles.append(data["original_title"])
        self.titles.add(film_id, titles, data.get("year"), data["title"])

    def add_review(
        self,
        film: int | NewFilm,
        body: Document,
        *,
        author: str,
        platform: str,
        rating: float | None = None,
        author_id: str | None = None,
        spoiler_mode: str = "auto",
        source_key: str | Callable[[int], str] | None = None,
        created_at: str | None = None,
        announce: bool = True,
    ) -> AddedReview:
        """Store a review of an existing film (its id) or of a `NewFilm` created with it.

        The new film, the review and its feed entries are one transaction (a savepoint
        when the caller already holds one): all land or none do. The title index learns
        the new film only after that, so a failure leaves nothing to take back.

        `source_key` identifies an imported review across re-imports; it may be a function
        of the film id, for keys that name a film that does not exist yet. `announce`:
        whether subscribed channels get it (chat: yes; imports: only with --announce).
        """
        draft = ReviewDraft(
            film,
            body,
            author=author,
            platform=platform,
            rating=rating,
            author_id=author_id,
            spoiler_mode=spoiler_mode,
            source_key=source_key,
            created_at=created_at,
        )
        added = self.add_reviews([draft], announce=announce)[0]
        if added is None:
            raise sqlite3.IntegrityError("UNIQUE constraint failed: reviews.source_key")
        return added

    def add_reviews(self, drafts: Sequence[ReviewDraft], *, announce: bool = True) -> list[AddedReview | None]:
        """`add_review` for many at once: one transaction for the batch (imports), same rules.

        None where a draft's `source_key` is already stored (a re-import adds nothing twice).
        New films of the batch are indexed only after the batch committed.
        """
        rows: list[ReviewRow] = []
        created: list[tuple[int, Mapping[str, Any]]] = []
        with self.store.atomic():
            for d in drafts:
                if isinstance(d.film, NewFilm):
                    film_id = self.store.add_film(dict(d.film.data), source=d.film.source)
                    created.append((film_id, d.film.data))
                else:
                    film_id = d.film
                body = d.body if isinstance(d.body, ReadBody) else ReadBody(d.body.to_json(), d.body.plain)
                rows.append(
                    ReviewRow(
                        film_id=film_id,
                        author=d.author,
                        platform=d.platform,
                        body_json=body.json,
                        plain=body.plain,
                        moods=body.moods,
                        rating=d.rating,
                        author_id=d.author_id,
                        spoiler_mode=d.spoiler_mode,
                        source_key=d.source_key(film_id) if callable(d.source_key) else d.source_key,
                        created_at=d.created_at,
                    )
                )
            ids = self.store.add_reviews(rows, announce=announce)
        for film_id, data in created:
            self.index_film(film_id, data)
        return [
            AddedReview(i, r.film_id, isinstance(d.film, NewFilm)) if i is not None else None
            for d, r, i in zip(drafts, rows, ids, strict=True)
        ]

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """An import: per-film recommendation features are flagged per batch and rebuilt once, at the end.

        Why: a batch of 2,000 reviews touches ~1,800 films of a 10,000-film catalog, and
        rebuilding each one's index rows per batch was most of an import's write cost. The
        flags commit with each batch, so if the import dies (`kill -9`) the next recommendation
        (or the next start) rebuilds what it left, and no query ever reads a half-built film.
        """
        if self.store.defer_reindex:  # nested (several files in one import): the outermost rebuilds
            yield
            return
        try:
            with self.store.bulk():
                yield
                # Still in bulk: the rebuild, too, touches pages all over the feature indexes.
                self._catch_up()
        except BaseException:
            self._catch_up()  # what the finished batches flagged, if the database still lets us
            raise

    def _catch_up(self) -> None:
        try:
            self.recommender.sync()
        except sqlite3.Error as exc:  # flagged, not lost: the next query rebuilds them
            log.warning("recommendation features left to rebuild later: %s", exc)

    # -- who may do what -----------------------------------------------------

    def is_admin(self, req: Request) -> bool:
        return req.is_admin or self.settings.is_bot_admin(req.platform, req.user_id)
