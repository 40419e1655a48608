"""`MovieBot`: the platform-neutral bot, built once from a store and settings.

It owns the title index and the recommender, and turns a `Request` into
`Reply`s through the command table in `commands.py`. Errors are translated
here and only here: a `UserError` becomes a one-line reply, anything else is
logged with an incident id and answered with a generic line.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from .config import Settings
from .errors import BadInput, NotAllowed, NotFound, UserError
from .recommend import Recommender
from .replies import Reply, Request, text_reply
from .richtext import Document
from .store import Film, Store
from .titles import TitleIndex

log = logging.getLogger("moviebot.core")


class MovieBot:
    def __init__(self, store: Store, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or Settings()
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

    def add_film(self, data: dict[str, Any], *, source: str = "user") -> int:
        film_id = self.store.add_film(data, source=source)
        titles = [data["title"], *(data.get("aliases") or [])]
        if data.get("original_title"):
            titles.append(data["original_title"])
        self.titles.add(film_id, titles, data.get("year"), data["title"])
        return film_id

    def reload_titles(self) -> None:
        """Rebuild the in-memory title index from the database (after a rolled-back film)."""
        self.titles = TitleIndex(self.store.title_index())
        self.recommender.titles = self.titles

    def add_review(self, film_id: int, body: Document, **kw: Any) -> int:
        return self.store.add_review(film_id, body=body, **kw)

    # -- dispatch ------------------------------------------------------------

    def is_admin(self, req: Request) -> bool:
        return req.is_admin or self.settings.is_bot_admin(req.platform, req.user_id)

    def handle(self, req: Request) -> list[Reply]:
        """Run one command; never raises."""
        from .commands import COMMANDS

        cmd = COMMANDS.get(req.command.lower().lstrip("/"))
        try:
            if cmd is None:
                raise BadInput(f"Unknown command /{clean_line(req.command)[:32]}. Try /help.")
            if cmd.admin and not self.is_admin(req):
                raise NotAllowed(f"/{cmd.name} is for admins of this chat.")
            return cmd.run(self, req)
        except UserError as exc:
            return [text_reply(exc.message, error=True)]
        except Exception:
            return [self._incident(req)]

    def press(self, req: Request, action: str) -> list[Reply]:
        """A button was pressed; `action` is the string the button carried."""
        from .commands import BUTTONS

        prefix = action.split(":", 1)[0]
        handler = BUTTONS.get(prefix)
        try:
            if handler is None:
                raise BadInput("That button no longer works; run the command again.")
            return handler(self, req, action)
        except UserError as exc:
            return [text_reply(exc.message, error=True)]
        except Exception:
            return [self._incident(req)]

    def _incident(self, req: Request) -> Reply:
        incident = secrets.token_hex(4)
        log.exception("incident %s: /%s on %s failed", incident, req.command, req.platform)
        return text_reply(f"Sorry, something went wrong on our side (incident {incident}).", error=True)


def clean_line(text: str) -> str:
    """One line of user text with control and zero-width characters removed."""
    out = []
    for ch in text:
        if ch in "\n\r\t":
            out.append(" ")
        elif ch.isprintable():
            out.append(ch)
    return " ".join("".join(out).split())
