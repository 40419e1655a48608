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

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .config import Settings
from .errors import BadInput, NotFound
from .recommend import Recommender
from .replies import Request
from .richtext import Document
from .store import Film, Store
from .text import clean_line
from .titles import TitleIndex


@dataclass(frozen=True)
class NewFilm:
    """A film to create in the same transaction as its first review (a post's premise, a Letterboxd row).

    `data` holds the fields of the movies import format; `title` is required.
    """

    data: Mapping[str, Any]
    source: str


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
        self.titles = TitleIndex(store.title_index())
        self.recommender = Recommender(store, titles=self.titles)

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
    ) -> AddedReview:
        """Store a review of an existing film (its id) or of a `NewFilm` created with it.

        The new film, the review and its feed entries are one transaction (a savepoint
        when the caller already holds one): all land or none do. The title index learns
        the new film only after that, so a failure leaves nothing to take back.

        `source_key` identifies an imported review across re-imports; it may be a function
        of the film id, for keys that name a film that does not exist yet.
        """
        with self.store.atomic():
            film_id = self.store.add_film(dict(film.data), source=film.source) if isinstance(film, NewFilm) else film
            review_id = self.store.add_review(
                film_id,
                body=body,
                author=author,
                platform=platform,
                rating=rating,
                author_id=author_id,
                spoiler_mode=spoiler_mode,
                source_key=source_key(film_id) if callable(source_key) else source_key,
                created_at=created_at,
            )
        if isinstance(film, NewFilm):
            self.index_film(film_id, film.data)
        return AddedReview(review_id, film_id, isinstance(film, NewFilm))

    # -- who may do what -----------------------------------------------------

    def is_admin(self, req: Request) -> bool:
        return req.is_admin or self.settings.is_bot_admin(req.platform, req.user_id)
