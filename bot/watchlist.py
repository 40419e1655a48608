"""Watchlists: `/watchlist`, `/watchlist add <title>`, `/watchlist remove <title>`.

A member's watchlist is keyed by (platform, user id), so it is the same in every
chat of one platform; what differs per chat is "who else here wants it", which
reads `chat_members`: the people who have used the bot in this chat. A film the
member has rated counts as seen: it is not added, and it drops off the list
shown (the row stays, so un-rating would bring it back; nothing is lost).

The movie night (`bot.movienight`) reads the same tables for "films on several
members' watchlists".
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from .core import MovieBot
from .errors import BadInput, NotFound
from .replies import Reply, Request, text_reply
from .richtext import Block, Document, Span, bold, italic, para
from .store import Film, Store
from .text import clean_line
from .titles import normalize_title, split_year

log = logging.getLogger("moviebot.watchlist")

MAX_FILMS = 200  # per member: a list people actually read, and a bounded reply
SHOWN = 40
MAX_NAMES = 3
USAGE = "Usage: /watchlist to see yours, /watchlist add <title>, /watchlist remove <title>"


# -- who is here -------------------------------------------------------------------


def note_member(store: Store, req: Request) -> None:
    """Remember that this member uses the bot in this chat (best effort: never fails a command)."""
    if not req.user_id or req.user_id == "unknown":
        return
    name = clean_line(req.user_name)[:64]
    try:
        # Most commands come from people already noted today: a read, and no write lock taken.
        row = store.db.execute(
            """SELECT user_name, last_seen > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 day') FROM chat_members
               WHERE platform = ? AND chat_id = ? AND user_id = ?""",
            [req.platform, req.chat_id, req.user_id],
        ).fetchone()
        if row is not None and row[1] and (row[0] == name or not name):
            return
        store.db.execute(
            """INSERT INTO chat_members (platform, chat_id, user_id, user_name) VALUES (?,?,?,?)
               ON CONFLICT (platform, chat_id, user_id) DO UPDATE SET
                   user_name = CASE WHEN excluded.user_name != '' THEN excluded.user_name ELSE user_name END,
                   last_seen = excluded.last_seen""",
            [req.platform, req.chat_id, req.user_id, name],
        )
    except sqlite3.Error as exc:
        log.warning("could not note a chat member: %s", exc)


def members(store: Store, platform: str, chat_id: str) -> dict[str, str]:
    """user id -> display name of everyone who has used the bot in this chat."""
    return {
        str(r[0]): str(r[1]) or "someone"
        for r in store.db.execute(
            "SELECT user_id, user_name FROM chat_members WHERE platform = ? AND chat_id = ?", [platform, chat_id]
        )
    }


# -- the list ----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    film: Film
    others: tuple[str, ...]  # names of other members here who want it too


def film_ids(store: Store, platform: str, user_id: str) -> list[int]:
    """The member's unseen watchlist, oldest first (a rated film counts as seen)."""
    return [
        int(r[0])
        for r in store.db.execute(
            """SELECT w.film_id FROM watchlist w
               WHERE w.platform = ? AND w.user_id = ?
                 AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.platform = w.platform
                                 AND r.user_id = w.user_id AND r.film_id = w.film_id)
               ORDER BY w.added_at, w.rowid""",
            [platform, user_id],
        )
    ]


def wanted_here(store: Store, platform: str, chat_id: str, films: Iterable[int], exclude: str) -> dict[int, list[str]]:
    """film id -> names of members of this chat (other than `exclude`) who have it on their list, unseen."""
    ids = list(films)
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    out: dict[int, list[str]] = {}
    for film_id, name in store.db.execute(
        f"""SELECT w.film_id, m.user_name FROM watchlist w
            JOIN chat_members m ON m.platform = w.platform AND m.user_id = w.user_id AND m.chat_id = ?
            WHERE w.platform = ? AND w.user_id != ? AND w.film_id IN ({marks})
              AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.platform = w.platform
                              AND r.user_id = w.user_id AND r.film_id = w.film_id)
            ORDER BY m.user_name""",
        [chat_id, platform, exclude, *ids],
    ):
        out.setdefault(int(film_id), []).append(str(name) or "someone")
    return out


def _rating(store: Store, platform: str, user_id: str, film_id: int) -> int | None:
    row = store.db.execute(
        "SELECT rating FROM ratings WHERE platform = ? AND user_id = ? AND film_id = ?", [platform, user_id, film_id]
    ).fetchone()
    return None if row is None else int(row[0])


def _names(names: list[str]) -> str:
    if len(names) <= MAX_NAMES:
        return ", ".join(names)
    return f"{', '.join(names[:MAX_NAMES])} and {len(names) - MAX_NAMES} more"


# -- the command -------------------------------------------------------------------


def cmd_watchlist(bot: MovieBot, req: Request) -> list[Reply]:
    args = clean_line(req.args)
    verb, _, rest = args.partition(" ")
    verb = verb.lower()
    if not args:
        return [show(bot, req)]
    if verb == "add":
        return [add(bot, req, rest)]
    if verb in ("remove", "rm", "delete", "del"):
        return [remove(bot, req, rest)]
    raise BadInput(USAGE)


def show(bot: MovieBot, req: Request) -> Reply:
    ids = film_ids(bot.store, req.platform, req.user_id)
    if not ids:
        return text_reply(
            "Your watchlist is empty. Add a film with /watchlist add <title>, e.g. /watchlist add Parasite"
        )
    films = bot.store.films(ids)
    others = wanted_here(bot.store, req.platform, req.chat_id, ids, req.user_id)
    blocks: list[Block] = [para(bold(f"Your watchlist ({len(films)} film{'s' if len(films) != 1 else ''})"))]
    for n, film in enumerate(films[:SHOWN], 1):
        spans: list[Span | str] = [f"{n}. ", bold(film.title)]
        if film.year:
            spans.append(f" ({film.year})")
        names = others.get(film.id)
        if names:
            spans.append(italic(f" — also wanted here by {_names(names)}"))
        blocks.append(para(*spans))
    if len(films) > SHOWN:
        blocks.append(para(italic(f"…and {len(films) - SHOWN} more.")))
    blocks.append(para(italic("A film you rate counts as seen and leaves the list. /movienight starts a vote here.")))
    return Reply(Document(tuple(blocks)))


def add(bot: MovieBot, req: Request, title: str) -> Reply:
    if not clean_line(title):
        raise BadInput("Which film? e.g. /watchlist add Parasite")
    film, same_title = bot.resolve(title)
    rated = _rating(bot.store, req.platform, req.user_id, film.id)
    if rated is not None:
        return text_reply(f"You rated {film.label} {rated}/10, so it counts as seen; not added.")
    with bot.store.atomic():
        db = bot.store.db
        if db.execute(
            "SELECT 1 FROM watchlist WHERE platform = ? AND user_id = ? AND film_id = ?",
            [req.platform, req.user_id, film.id],
        ).fetchone():
            return text_reply(f"{film.label} is already on your watchlist.")
        count = db.execute(
            "SELECT count(*) FROM watchlist WHERE platform = ? AND user_id = ?", [req.platform, req.user_id]
        ).fetchone()[0]
        if count >= MAX_FILMS:
            raise BadInput(f"Your watchlist is full ({MAX_FILMS} films); remove one with /watchlist remove <title>.")
        db.execute(
            "INSERT INTO watchlist (platform, user_id, film_id) VALUES (?,?,?)", [req.platform, req.user_id, film.id]
        )
    line = f"Added {film.label} to your watchlist ({count + 1} film{'s' if count else ''})."
    names = wanted_here(bot.store, req.platform, req.chat_id, [film.id], req.user_id).get(film.id)
    if names:
        line += f" Also wanted here by {_names(names)}."
    if same_title:
        line += f" (Other films with this title: {'; '.join(same_title)}; add the year to pick one.)"
    return text_reply(line)


def remove(bot: MovieBot, req: Request, title: str) -> Reply:
    query = clean_line(title)
    if not query:
        raise BadInput("Which film? e.g. /watchlist remove Parasite")
    film = _on_list(bot, req, query)
    bot.store.db.execute(
        "DELETE FROM watchlist WHERE platform = ? AND user_id = ? AND film_id = ?",
        [req.platform, req.user_id, film.id],
    )
    return text_reply(f"Removed {film.label} from your watchlist.")


def _on_list(bot: MovieBot, req: Request, query: str) -> Film:
    """The film on this member's list that `query` means: their own list decides between remakes and typos."""
    rows = bot.store.db.execute(
        "SELECT film_id FROM watchlist WHERE platform = ? AND user_id = ?", [req.platform, req.user_id]
    ).fetchall()
    listed = {int(r[0]) for r in rows}
    shown = query if len(query) <= 60 else query[:57] + "…"
    if not listed:
        raise NotFound("Your watchlist is empty; there is nothing to remove.")
    films = bot.store.films(sorted(listed))
    name, year = split_year(query)
    norm = normalize_title(name)
    exact = [f for f in films if normalize_title(f.title) == norm and (year is None or f.year == year)]
    if exact:
        return exact[0]
    try:
        film, _ = bot.resolve(query)
    except NotFound:
        film = None
    if film is not None and film.id in listed:
        return film
    unseen = set(film_ids(bot.store, req.platform, req.user_id))
    labels = {f.label: f for f in films if f.id in unseen}
    best = process.extractOne(query, list(labels), scorer=fuzz.WRatio, processor=utils.default_process)
    if best is not None and best[1] >= 86:
        return labels[best[0]]
    what = film.label if film is not None else f"“{shown}”"
    close = [
        m[0]
        for m in process.extract(query, list(labels), scorer=fuzz.ratio, processor=utils.default_process, limit=3)
        if m[1] >= 60
    ]
    hint = f" Did you mean: {'; '.join(close)}?" if close else " /watchlist shows what is on it."
    raise NotFound(f"{what} is not on your watchlist.{hint}")
