"""Movie nights: `/movienight [what]` starts a vote in this chat, `/movienight end` closes it.

Candidates are chosen for the people here (everyone who has used the bot in this
chat, `chat_members`): first films on several of their watchlists, then the
recommender's picks for `what` (its own parsing) that none of them has rated,
nudged towards films like the ones they rated 8+, then films on one watchlist.
Every reason is built from counts and catalog facts (watchlists, genres,
country, ratings), never from review text, so no reason can spoil a film.

State lives in the database (m006), so a vote survives a restart, and time comes
from `MovieBot.clock`, so "24 hours later" needs no waiting in a test:

    open ──vote/change──▶ open ──/movienight end (starter or admin)──▶ closed
      └──────── a press or a command after closes_at ──────────────────▶ closed

An open vote past its time closes the moment anyone touches it (a press, a
/movienight); the closing reply announces the winner. Ties go to the film on
more watchlists here, then to a random draw that says so.

Buttons carry `mn:<night id>:<position>`: ASCII, under 20 bytes, within
Telegram's 64-byte callback_data and Discord's 100-character custom_id.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from .core import MovieBot
from .errors import BadInput, NotAllowed
from .recommend import Pick, Query, parse
from .recommend.engine import similarity
from .replies import Button, Reply, Request, text_reply
from .richtext import Block, Document, Span, bold, italic, para
from .store import Film
from .text import clean_line
from .watchlist import members, wanted_here

PREFIX = "mn"
MIN_CANDIDATES = 3
MAX_CANDIDATES = 5
POOL = 40  # recommender picks to choose from after removing what people here have seen
FAVOURITE = 8  # "rated 8+"
LIKE_THRESHOLD = 0.35  # similarity above which "like <favourite>" is the reason
MAX_WHAT = 60
MAX_LABEL = 40
END_WORDS = ("end", "stop", "close", "finish")
CLOSED = "This vote has closed."
ACTION_RE = re.compile(rf"{PREFIX}:([0-9]{{1,15}}):([1-9])", re.ASCII)


@dataclass(frozen=True)
class Candidate:
    position: int
    film: Film
    reason: str


@dataclass(frozen=True)
class Night:
    id: int
    platform: str
    chat_id: str
    thread_id: str
    started_by: str
    starter_name: str
    what: str
    started_at: float
    closes_at: float
    closed_at: float | None
    winner_film_id: int | None
    result: str | None
    candidates: tuple[Candidate, ...]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


# -- commands and the button -------------------------------------------------------


def cmd_movienight(bot: MovieBot, req: Request) -> list[Reply]:
    args = clean_line(req.args)
    if args.lower() in END_WORDS:
        return end(bot, req)
    return start(bot, req, args)


def press_vote(bot: MovieBot, req: Request, action: str) -> list[Reply]:
    m = ACTION_RE.fullmatch(action)
    if m is None:  # ASCII digits only, bounded: int() would take "൯੩" and SQLite refuses 20-digit ids
        raise BadInput("That button no longer works; start a vote with /movienight.")
    night_id, position = int(m.group(1)), int(m.group(2))
    night = load(bot, night_id)
    if night is None:
        return [text_reply(CLOSED + " Start a new one with /movienight.", private=True)]
    if (night.platform, night.chat_id) != (req.platform, req.chat_id):
        # A vote counts only in its own chat, whatever a forged button carries.
        raise BadInput("That button no longer works; start a vote with /movienight.")
    if night.is_open and bot.clock() >= night.closes_at:
        night = close(bot, night, closed_by=None)
        return [render(bot, night, edit=True), announcement(bot, night), text_reply(CLOSED, private=True)]
    if not night.is_open:
        return [render(bot, night, edit=True), text_reply(f"{CLOSED} {night.result or ''}".strip(), private=True)]
    chosen = next((c for c in night.candidates if c.position == position), None)
    if chosen is None:
        raise BadInput("That button no longer works; start a vote with /movienight.")
    db = bot.store.db
    with bot.store.atomic():
        row = db.execute(
            "SELECT position FROM movie_night_votes WHERE night_id = ? AND user_id = ?", [night.id, req.user_id]
        ).fetchone()
        if row is not None and int(row[0]) == position:
            return [
                text_reply(f"You already voted for {chosen.film.label}; press another film to change.", private=True)
            ]
        db.execute(
            """INSERT INTO movie_night_votes (night_id, user_id, user_name, position, voted_at) VALUES (?,?,?,?,?)
               ON CONFLICT (night_id, user_id) DO UPDATE SET position = excluded.position,
                   user_name = excluded.user_name, voted_at = excluded.voted_at""",
            [night.id, req.user_id, clean_line(req.user_name)[:64], position, bot.clock()],
        )
    if row is None:
        toast = f"You voted for {chosen.film.label}."
    else:
        before = next((c for c in night.candidates if c.position == int(row[0])), None)
        toast = f"Vote changed to {chosen.film.label}" + (f" (was {before.film.label})." if before else ".")
    return [render(bot, night, edit=True), text_reply(toast, private=True)]


def start(bot: MovieBot, req: Request, what: str) -> list[Reply]:
    replies: list[Reply] = []
    current = open_night(bot, req)
    if current is not None:
        if bot.clock() < current.closes_at:
            return [
                text_reply(
                    f"A vote is already open here (started by {current.starter_name or 'someone'}). "
                    "Vote with its buttons; the starter or an admin ends it with /movienight end."
                ),
                render(bot, current),
            ]
        replies.append(announcement(bot, close(bot, current, closed_by=None)))
    if len(what) > 300:
        raise BadInput("That is a long wish; describe the film night in under 300 characters.")
    candidates = choose(bot, req, what)
    if not candidates:
        shown = f" for “{_short(what)}”" if what else ""
        replies.append(
            text_reply(
                f"Nothing to vote on: nobody here has a film on their watchlist, and the catalog has nothing "
                f"unseen{shown}. Add films with /watchlist add <title>, or try e.g. /movienight something funny"
            )
        )
        return replies
    if len(candidates) < MIN_CANDIDATES:
        names = "; ".join(c.film.label for c in candidates)
        replies.append(
            text_reply(
                f"Only {len(candidates)} film{'s' if len(candidates) != 1 else ''} fit ({names}): not enough for a "
                f"vote of {MIN_CANDIDATES}. Add films with /watchlist add <title>, or ask for something broader."
            )
        )
        return replies
    now = bot.clock()
    try:
        with bot.store.atomic():
            cur = bot.store.db.execute(
                """INSERT INTO movie_nights (platform, chat_id, thread_id, started_by, starter_name, what,
                       started_at, closes_at) VALUES (?,?,?,?,?,?,?,?)""",
                [
                    req.platform,
                    req.chat_id,
                    req.thread_id or "",
                    req.user_id,
                    clean_line(req.user_name)[:64],
                    what,
                    now,
                    now + bot.settings.movienight_hours * 3600,
                ],
            )
            night_id = int(cur.lastrowid or 0)
            for c in candidates:
                bot.store.db.execute(
                    "INSERT INTO movie_night_candidates (night_id, position, film_id, reason) VALUES (?,?,?,?)",
                    [night_id, c.position, c.film.id, c.reason],
                )
    except sqlite3.IntegrityError:  # another /movienight here won the race
        raise BadInput("A vote is already open here; vote with its buttons.") from None
    night = load(bot, night_id)
    assert night is not None
    replies.append(render(bot, night))
    return replies


def end(bot: MovieBot, req: Request) -> list[Reply]:
    night = open_night(bot, req)
    if night is None:
        return [text_reply("There is no open vote here. Start one with /movienight, e.g. /movienight something funny")]
    expired = bot.clock() >= night.closes_at
    if not expired and req.user_id != night.started_by and not bot.is_admin(req):
        who = night.starter_name or "whoever started it"
        raise NotAllowed(f"Only {who}, who started this vote, or an admin can end it.")
    night = close(bot, night, closed_by=None if expired else (clean_line(req.user_name) or "someone"))
    return [announcement(bot, night)]


def close_due(bot: MovieBot, limit: int = 50) -> list[tuple[Night, Reply]]:
    """Close every open vote whose time is up; each with the announcement for its chat.

    The closing task (`bot.movienight_closer`) calls this on a timer, so a vote nobody
    touches still closes on time and its chat hears the winner.
    """
    out = []
    for (night_id,) in bot.store.db.execute(
        "SELECT id FROM movie_nights WHERE closed_at IS NULL AND closes_at <= ? ORDER BY closes_at LIMIT ?",
        [bot.clock(), limit],
    ).fetchall():
        night = load(bot, int(night_id))
        if night is not None and night.is_open:
            closed = close(bot, night, closed_by=None)
            out.append((closed, announcement(bot, closed)))
    return out


# -- storage -------------------------------------------------------------------------


def load(bot: MovieBot, night_id: int) -> Night | None:
    rows = list(bot.store.db.query("SELECT * FROM movie_nights WHERE id = ?", [night_id]))
    if not rows:
        return None
    r = rows[0]
    cands = bot.store.db.execute(
        "SELECT position, film_id, reason FROM movie_night_candidates WHERE night_id = ? ORDER BY position",
        [night_id],
    ).fetchall()
    films = {f.id: f for f in bot.store.films(int(c[1]) for c in cands)}
    return Night(
        id=int(r["id"]),
        platform=r["platform"],
        chat_id=r["chat_id"],
        thread_id=r["thread_id"],
        started_by=r["started_by"],
        starter_name=r["starter_name"],
        what=r["what"],
        started_at=float(r["started_at"]),
        closes_at=float(r["closes_at"]),
        closed_at=None if r["closed_at"] is None else float(r["closed_at"]),
        winner_film_id=r["winner_film_id"],
        result=r["result"],
        candidates=tuple(Candidate(int(c[0]), films[int(c[1])], str(c[2])) for c in cands if int(c[1]) in films),
    )


def open_night(bot: MovieBot, req: Request) -> Night | None:
    row = bot.store.db.execute(
        "SELECT id FROM movie_nights WHERE platform = ? AND chat_id = ? AND thread_id = ? AND closed_at IS NULL",
        [req.platform, req.chat_id, req.thread_id or ""],
    ).fetchone()
    return None if row is None else load(bot, int(row[0]))


def tally(bot: MovieBot, night: Night) -> dict[int, int]:
    """position -> votes (every candidate present, zeros included)."""
    counts = {c.position: 0 for c in night.candidates}
    for pos, n in bot.store.db.execute(
        "SELECT position, count(*) FROM movie_night_votes WHERE night_id = ? GROUP BY position", [night.id]
    ):
        if int(pos) in counts:
            counts[int(pos)] = int(n)
    return counts


def watchlist_counts(bot: MovieBot, platform: str, chat_id: str, film_ids: list[int]) -> dict[int, int]:
    """film id -> how many people here have it on their watchlist, unseen."""
    wanted = wanted_here(bot.store, platform, chat_id, film_ids, exclude="")
    return {f: len(wanted.get(f, [])) for f in film_ids}


def close(bot: MovieBot, night: Night, *, closed_by: str | None) -> Night:
    """Close the vote and decide the winner; a vote closed meanwhile keeps its first result."""
    counts = tally(bot, night)
    total = sum(counts.values())
    by_pos = {c.position: c for c in night.candidates}
    winner: Candidate | None = None
    if total:
        top = max(counts.values())
        tied = [by_pos[p] for p, n in counts.items() if n == top]
        votes = f"{top} of {total} vote{'s' if total != 1 else ''}"
        if len(tied) == 1:
            winner = tied[0]
            line = f"{winner.film.label} wins with {votes}."
        else:
            lists = watchlist_counts(bot, night.platform, night.chat_id, [c.film.id for c in tied])
            most = max(lists.values())
            leaders = [c for c in tied if lists[c.film.id] == most]
            names = _and([c.film.label for c in tied])
            if len(leaders) == 1:
                winner = leaders[0]
                line = (
                    f"{names} tied with {top} vote{'s' if top != 1 else ''} each; {winner.film.label} wins, "
                    f"being on more watchlists here ({most})."
                )
            else:
                winner = bot.rng.choice(leaders)
                line = (
                    f"{names} tied with {top} vote{'s' if top != 1 else ''} each and are on as many watchlists "
                    f"here, so a random draw picked {winner.film.label}."
                )
    else:
        line = "Nobody voted, so there is no winner."
    how = f" Closed by {closed_by}." if closed_by else " The vote closed by itself when its time was up."
    db = bot.store.db
    with bot.store.atomic():
        db.execute(
            """UPDATE movie_nights SET closed_at = ?, winner_film_id = ?, result = ?
               WHERE id = ? AND closed_at IS NULL""",
            [bot.clock(), winner.film.id if winner else None, line + how, night.id],
        )
    closed = load(bot, night.id)
    assert closed is not None
    return closed


# -- choosing candidates -------------------------------------------------------------


def choose(bot: MovieBot, req: Request, what: str) -> list[Candidate]:
    """Up to five films for the people here, each with a one-line, spoiler-free reason."""
    people = members(bot.store, req.platform, req.chat_id)
    ids = list(people) or [req.user_id]
    marks = ",".join("?" * len(ids))
    db = bot.store.db
    seen = {
        int(r[0])
        for r in db.execute(
            f"SELECT DISTINCT film_id FROM ratings WHERE platform = ? AND user_id IN ({marks})", [req.platform, *ids]
        )
    }
    wanted = [
        (int(r[0]), int(r[1]), str(r[2] or ""))
        for r in db.execute(
            f"""SELECT w.film_id, count(*), min(w.user_id) FROM watchlist w
                WHERE w.platform = ? AND w.user_id IN ({marks})
                GROUP BY w.film_id ORDER BY count(*) DESC, min(w.added_at), w.film_id""",
            [req.platform, *ids],
        )
        if int(r[0]) not in seen
    ]
    chosen: list[tuple[int, str]] = [(f, f"on {n} watchlists here") for f, n, _ in wanted if n >= 2]
    chosen = chosen[:MAX_CANDIDATES]
    taken = {f for f, _ in chosen}
    if len(chosen) < MAX_CANDIDATES:
        for film_id, reason in _picks(bot, req, what, people, seen | taken):
            if len(chosen) >= MAX_CANDIDATES:
                break
            chosen.append((film_id, reason))
            taken.add(film_id)
    for film_id, n, user in wanted:
        if len(chosen) >= MAX_CANDIDATES:
            break
        if n == 1 and film_id not in taken:
            chosen.append((film_id, f"on {people.get(user, 'one member')}'s watchlist"))
            taken.add(film_id)
    films = {f.id: f for f in bot.store.films(f for f, _ in chosen)}
    return [
        Candidate(i, films[f], reason[:120]) for i, (f, reason) in enumerate((c for c in chosen if c[0] in films), 1)
    ]


def _picks(bot: MovieBot, req: Request, what: str, people: dict[str, str], exclude: set[int]) -> list[tuple[int, str]]:
    """The recommender's picks for `what`, unseen here, favouring films like what people here rated 8+."""
    ids = list(people) or [req.user_id]
    rec = bot.recommender
    db = bot.store.db
    marks = ",".join("?" * len(ids))
    favourites = [
        (int(r[0]), int(r[1]), str(r[2]), int(r[3]))
        for r in db.execute(
            f"""SELECT film_id, count(*), min(user_id), max(rating) FROM ratings
                WHERE platform = ? AND user_id IN ({marks}) AND rating >= ?
                GROUP BY film_id ORDER BY count(*) DESC, avg(rating) DESC, film_id LIMIT 5""",
            [req.platform, *ids, FAVOURITE],
        )
    ]
    fav_films = {f.id: f for f in bot.store.films(f for f, *_ in favourites)}
    if what:
        if not understood(bot, what):
            return []  # no pick can honestly be "for" words the recommender found nothing in
        picks: list[Pick] = rec.picks(what, limit=POOL)
    else:
        rec.sync()
        likes = [(f, fav_films[f].label) for f, *_ in favourites[:3] if f in fav_films]
        feats = list(rec.engine.feats([f for f, _ in likes]).values())
        picks = rec.engine.rank(Query(like=likes), exclude=exclude, avoid=set(), likes=feats, limit=POOL)
    picks = [p for p in picks if p.feat.film_id not in exclude]
    fav_feats = rec.engine.feats([f for f, *_ in favourites])

    def nearest(p: Pick) -> tuple[float, int | None]:
        best, which = 0.0, None
        for fid, feat in fav_feats.items():
            s = similarity(p.feat, feat)
            if s > best:
                best, which = s, fid
        return best, which

    scored = []
    for rank, p in enumerate(picks):
        sim, fav = nearest(p)
        scored.append((rank - 8 * sim, p, sim, fav))  # a close likeness moves a pick up a few places
    scored.sort(key=lambda t: t[0])
    films = {f.id: f for f in bot.store.films(p.feat.film_id for _, p, _, _ in scored)}
    out: list[tuple[int, str]] = []
    used: dict[int, int] = {}
    for _, p, sim, fav in scored:
        film = films.get(p.feat.film_id)
        if film is None:
            continue
        if fav is not None and sim >= LIKE_THRESHOLD and fav in fav_films and used.get(fav, 0) < 2:
            used[fav] = used.get(fav, 0) + 1  # five lines of "like Oldboy" would say nothing
            n, user, rating = next((n, u, r) for f, n, u, r in favourites if f == fav)
            who = f"{n} of you rated 8+" if n > 1 else f"{people.get(user, 'one of you')} rated {rating}"
            reason = f"like {fav_films[fav].title}, which {who}"
        elif what:
            reason = f"a pick for “{_short(what)}”" + _facts(film, p)
        elif p.feat.votes:
            reason = "well rated here" + _facts(film, p)
        else:
            reason = "a pick from the catalog" + _facts(film, p)
        out.append((film.id, reason))
    return out


def understood(bot: MovieBot, what: str) -> bool:
    """Whether the recommender read anything in `what`: a facet, or words some film or review mentions."""
    rec = bot.recommender
    q = parse(what, rec._resolve, people=rec.people)
    facets = (
        q.moods,
        q.countries,
        q.genres,
        q.like,
        q.people,
        q.year_min,
        q.year_max,
        q.runtime_min,
        q.runtime_max,
        q.audience,
    )
    if any(facets):
        return True
    return bool(q.words) and any(rec.engine.text_scores(q.words).values())


def _facts(film: Film, pick: Pick) -> str:
    bits = []
    if film.genres:
        bits.append(", ".join(film.genres[:2]).lower())
    if pick.feat.mean is not None and pick.feat.votes:
        bits.append(f"rated {pick.feat.mean:.1f}/10 by {pick.feat.votes}")
    return ": " + "; ".join(bits) if bits else ""


# -- what people see -------------------------------------------------------------------


def render(bot: MovieBot, night: Night, *, edit: bool = False) -> Reply:
    """The vote message: candidates with reasons and counts; buttons while it is open."""
    counts = tally(bot, night)
    total = sum(counts.values())
    starter = night.starter_name or "someone"
    head: list[Span | str] = [bold("🎬 Movie night" + ("" if night.is_open else " (closed)"))]
    if night.is_open:
        head.append(" — vote for one film" + (f" for “{_short(night.what)}”" if night.what else "") + ".")
    blocks: list[Block] = [para(*head)]
    for c in night.candidates:
        n = counts.get(c.position, 0)
        mark = "🏆 " if not night.is_open and c.film.id == night.winner_film_id else ""
        blocks.append(
            para(
                bold(f"{mark}{c.position}. {c.film.label}"),
                f" — {c.reason}" if c.reason else "",
                italic(f" · {n} vote{'s' if n != 1 else ''}"),
            )
        )
    if night.is_open:
        hours = bot.settings.movienight_hours
        blocks.append(
            para(
                italic(
                    f"{total} vote{'s' if total != 1 else ''} so far. One vote each; press another film to change "
                    f"yours. Started by {starter}, who (or an admin) can close it with /movienight end; "
                    f"it closes by itself after {hours:g} hours."
                )
            )
        )
        buttons = tuple(
            Button(_label(f"{c.position}. {c.film.title}"), f"{PREFIX}:{night.id}:{c.position}")
            for c in night.candidates
        )
    else:
        blocks.append(para(night.result or ""))
        buttons = ()
    return Reply(Document(tuple(blocks)), buttons=buttons, edit=edit)


def announcement(bot: MovieBot, night: Night) -> Reply:
    """The closing message: the winner first, then the final counts."""
    counts = tally(bot, night)
    winner = next((c for c in night.candidates if c.film.id == night.winner_film_id), None)
    title = f"🎬 Movie night: {winner.film.label}!" if winner else "🎬 Movie night: no winner"
    blocks: list[Block] = [para(bold(title)), para(night.result or "")]
    for c in night.candidates:
        n = counts.get(c.position, 0)
        blocks.append(para(f"{c.position}. {c.film.label} · {n} vote{'s' if n != 1 else ''}"))
    return Reply(Document(tuple(blocks)))


def _label(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _short(text: str) -> str:
    return text if len(text) <= MAX_WHAT else text[: MAX_WHAT - 1] + "…"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
