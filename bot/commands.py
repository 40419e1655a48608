"""The chat commands (README, "Chat commands"), as platform-neutral handlers.

A handler takes the bot and a `Request` and returns `Reply`s; it raises a
`UserError` for anything the user should fix. The `COMMANDS` table is the single
list adapters read to register slash commands and Telegram's command menu, so
a command cannot exist on one platform and be missing on the other.

Each `Command` also declares its policy, so no adapter decides it again: who may
run it (`admin`), whether its answer depends on the caller being an admin
(`admin_aware`, so an adapter knows when an admin lookup is worth its cost),
whether it reads a body after the first line (`body`) and takes an attached file
(`files`), and the buttons its replies carry, each saying whether pressing it
answers the presser alone (`ButtonKind.private`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import PurePath

from . import movienight
from .core import MovieBot, NewFilm
from .countries import country_name
from .errors import BadInput, NotFound
from .importers.post import find_film, looks_like_post, parse_post, review_from_post
from .replies import Button, Reply, Request, text_reply
from .richtext import (
    Block,
    Document,
    Span,
    bold,
    concat,
    film_hints,
    italic,
    para,
    read_review,
    spoiler_free,
    spoiler_option,
    with_marks,
)
from .store import Film, Review
from .text import MAX_REVIEW_CHARS, clean_line
from .titles import split_year
from .watchlist import cmd_watchlist

REVIEWS_PER_PAGE = 3
MAX_FILE_BYTES = 256 * 1024
SPOILER_MODES = ("auto", "none", "all")


@dataclass(frozen=True)
class ButtonKind:
    """The buttons whose action starts with `prefix:`."""

    prefix: str
    run: Callable[[MovieBot, Request, str], list[Reply]]
    # Its answer is for the presser only (spoilers): ephemeral on Discord, and Discord
    # must know before the core answers, because it acknowledges a press in advance.
    private: bool = False
    # Its answer replaces the message it is on (a vote's counts, `Reply.edit`): Discord
    # must know before the core answers, to acknowledge with a deferred update.
    edits: bool = False


@dataclass(frozen=True)
class Command:
    name: str
    description: str  # one line, ≤ 100 characters (Discord's limit)
    usage: str
    run: Callable[[MovieBot, Request], list[Reply]]
    admin: bool = False  # only admins may run it; others get `admins_only(name)`
    admin_aware: bool = False  # the answer differs for admins (/help), so the caller's role is needed
    body: bool = False  # reads a body: the lines after the first (the first line is its args)
    files: bool = False  # takes an attached file (checked by `check_file_size` before download)
    buttons: tuple[ButtonKind, ...] = ()

    @property
    def needs_role(self) -> bool:
        """Whether an adapter must find out if the caller is an admin before running this."""
        return self.admin or self.admin_aware


def admins_only(name: str) -> str:
    """The one refusal for a member running an admin command, on every platform."""
    return f"/{name} is for admins of this chat."


def check_file_size(size: int) -> None:
    """Refuse a file over the limit, before it is downloaded (adapters) and after (the core)."""
    if size > MAX_FILE_BYTES:
        raise BadInput(f"That file is {size // 1024} KB; the limit is {MAX_FILE_BYTES // 1024} KB.")


# -- helpers -------------------------------------------------------------------


def _film_header(bot: MovieBot, film: Film) -> Block:
    avg, n = bot.store.rating_summary(film.id)
    reviews = bot.store.review_count(film.id)
    bits = [", ".join(country_name(c) for c in film.countries)] if film.countries else []
    if avg is not None:
        bits.append(f"{avg:.1f}/10 from {n} rating{'s' if n != 1 else ''}")
    bits.append(f"{reviews} review{'s' if reviews != 1 else ''}")
    return para(bold(film.label), " · " + " · ".join(bits))


def _review_heading(r: Review) -> Block:
    rating = f" · {r.rating:g}/10" if r.rating is not None else ""
    return para(bold(f"#{r.id} · {r.author}{rating}"), italic(f" · {r.created_at[:10]}"))


def remake_note(film: Film, others: list[str], command: str, typed: str, tail: str = "") -> str:
    """Which of several films sharing a title was used, and the command that picks another one."""
    if not others:
        return ""
    year = others[0].rsplit("(", 1)[-1].rstrip(")") if others[0].endswith(")") else ""
    title = split_year(typed)[0].strip() or film.title
    how = f", e.g. {command} {title} {year}{tail}" if year.isdigit() else ""
    return f"That is {film.label}. Also titled like this: {'; '.join(others)}. To pick another, add its year{how}."


def _others_note(film: Film, others: list[str], command: str, typed: str) -> list[Block]:
    note = remake_note(film, others, command, typed)
    return [para(italic(note))] if note else []


def _review_page(bot: MovieBot, film: Film, offset: int, *, full: bool) -> list[Reply]:
    reviews = bot.store.reviews_for(film.id, limit=REVIEWS_PER_PAGE + 1, offset=offset)
    total = bot.store.review_count(film.id)
    if not reviews:
        if offset:
            raise NotFound(f"No more reviews of {film.label}.")
        return [text_reply(f"No reviews of {film.label} yet. Admins can add one with /addreview {film.title}")]
    more = len(reviews) > REVIEWS_PER_PAGE
    reviews = reviews[:REVIEWS_PER_PAGE]
    blocks: list[Block] = [_film_header(bot, film)]
    hidden = 0
    for r in reviews:
        blocks.append(_review_heading(r))
        if full:
            blocks.extend(r.body.blocks)
        else:
            hidden += r.body.spoiler_sections
            blocks.extend(spoiler_free(r.body, film.title).blocks)
    buttons = []
    if hidden and not full:
        buttons.append(Button("Show spoilers", f"spoil:{film.id}:{offset}"))
    if more:
        kind = "spoil" if full else "rev"
        buttons.append(
            Button(
                f"More reviews ({total - offset - len(reviews)} left)", f"{kind}:{film.id}:{offset + REVIEWS_PER_PAGE}"
            )
        )
    return [Reply(Document(tuple(blocks)), buttons=tuple(buttons), reveal=full)]


def _rating(text: str) -> int:
    t = text.strip()
    if "/" in t:
        t = t.split("/", 1)[0].strip()
    if not t.isdigit() or not 1 <= int(t) <= 10:
        raise BadInput(f"A rating is a whole number from 1 to 10, not “{clean_line(text)[:20]}”.")
    return int(t)


def review_text(req: Request) -> str:
    """The review body from the request: text, or an attached .txt/.md file."""
    if req.attachments:
        att = req.attachments[0]
        ext = PurePath(att.filename).suffix.lower()
        if ext not in (".txt", ".md", ".markdown"):
            raise BadInput(f"Attach the review as a .txt or .md file, not “{clean_line(att.filename)[:40]}”.")
        check_file_size(len(att.data))
        try:
            text = att.data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BadInput(
                f"That file is not UTF-8 text (bad byte at position {exc.start}); save it as UTF-8."
            ) from None
        if "\x00" in text:
            raise BadInput("That file is not text.")
    else:
        text = req.body or ""
    if not text.strip():
        raise BadInput("The review is empty: put the text after the first line, or attach a .txt/.md file.")
    if len(text) > MAX_REVIEW_CHARS:
        raise BadInput(f"That review has {len(text):,} characters; the limit is {MAX_REVIEW_CHARS:,}.")
    return text


# -- commands ------------------------------------------------------------------


def cmd_help(bot: MovieBot, req: Request) -> list[Reply]:
    admin = bot.is_admin(req)
    blocks = [para(bold("moviebot"), " — reviews and recommendations from this community.")]
    for c in COMMANDS.values():
        if c.admin and not admin:
            continue
        blocks.append(para(bold(c.usage), f" — {c.description}"))
    blocks.append(para(italic("Titles are matched forgivingly: case, accents, a missing year, small typos.")))
    return [Reply(Document(tuple(blocks)))]


def cmd_movie(bot: MovieBot, req: Request) -> list[Reply]:
    film, others = bot.resolve(req.args)
    blocks = [_film_header(bot, film)]
    facts = []
    if film.original_title and film.original_title != film.title:
        facts.append(("Original title", film.original_title))
    if film.genres:
        facts.append(("Genres", ", ".join(film.genres)))
    if film.directors:
        facts.append(("Directed by", ", ".join(film.directors)))
    if film.cast:
        facts.append(("Starring", ", ".join(film.cast)))
    if film.runtime:
        facts.append(("Runtime", f"{film.runtime} min"))
    if film.languages:
        facts.append(("Languages", ", ".join(film.languages)))
    for label, value in facts:
        blocks.append(para(bold(label + ": "), value))
    if film.overview:
        blocks.append(para(film.overview))
    blocks.extend(_others_note(film, others, "/movie", clean_line(req.args)))
    buttons = []
    if bot.store.review_count(film.id):
        buttons.append(Button("Reviews", f"rev:{film.id}:0"))
    return [Reply(Document(tuple(blocks)), buttons=tuple(buttons), card=True)]


def cmd_review(bot: MovieBot, req: Request) -> list[Reply]:
    film, others = bot.resolve(req.args)
    replies = _review_page(bot, film, 0, full=False)
    if others:
        first = replies[0]
        note = Document(tuple(_others_note(film, others, "/review", clean_line(req.args))))
        replies[0] = Reply(concat(first.body, note), first.buttons)
    return replies


def cmd_spoiler(bot: MovieBot, req: Request) -> list[Reply]:
    if not req.args.strip() and req.body:
        # A reply to a message: the adapter passes the message text as body.
        author = req.options.get("original_author", "someone")
        hidden = Document((Block((Span(f"{author} wrote (spoilers hidden):", frozenset({"italic"})),)),))
        body = read_review(req.body, marks=req.marks, mode="all")
        return [Reply(concat(hidden, body), reveal=True)]
    if not req.args.strip():
        raise BadInput("Which film? e.g. /spoiler Parasite — or send /spoiler as a reply to a message.")
    film, others = bot.resolve(req.args)
    replies = _review_page(bot, film, 0, full=True)
    if others:
        first = replies[0]
        note = Document(tuple(_others_note(film, others, "/spoiler", clean_line(req.args))))
        replies[0] = Reply(concat(first.body, note), first.buttons, first.private, first.reveal)
    return replies


def cmd_rate(bot: MovieBot, req: Request) -> list[Reply]:
    args = clean_line(req.args)
    value = req.options.get("rating")
    title = args
    if value is None:
        head, _, last = args.rpartition(" ")
        if not head:
            raise BadInput("Usage: /rate <title> <1-10>, e.g. /rate Parasite 9")
        title, value = head, last
    rating = _rating(value)
    film, others = bot.resolve(title)
    bot.store.set_rating(req.platform, req.user_id, film.id, rating)
    avg, n = bot.store.rating_summary(film.id)
    msg = f"Rated {film.label} {rating}/10. Average now {avg:.1f}/10 from {n} rating(s)."
    if others:
        msg += " " + remake_note(film, others, "/rate", title, f" {rating}")
    return [text_reply(msg)]


def cmd_addreview(bot: MovieBot, req: Request) -> list[Reply]:
    args, flag = spoiler_option(req.args)  # "/addreview Parasite spoilers=all" (Telegram, console)
    req = replace(req, args=args)
    mode = (req.options.get("spoilers") or flag or "auto").lower()
    if mode not in SPOILER_MODES:
        raise BadInput("spoilers must be auto, none or all.")
    text = review_text(req) if (req.body or req.attachments) else ""
    if text and req.marks and not req.attachments:
        text = with_marks(text, req.marks)  # Telegram's spoiler entities travel with their words
    # A pasted blog post: keep the review, drop title/sign-off/bio/comments, credit its author.
    post = parse_post(text) if text and looks_like_post(text) else None
    if not clean_line(req.args) and post is None:
        raise BadInput("Usage: /addreview <title>, then the review on the next lines (or attach a .txt/.md file).")
    target: int | NewFilm
    others: list[str] = []
    film: Film | None = None  # its cast and keywords help the spoiler detector
    if clean_line(req.args):
        film, others = bot.resolve(req.args)
        target = film.id
    else:
        assert post is not None
        match = find_film(bot, post)  # raises NotFound when it cannot tell
        if match.film_id is not None:
            target = match.film_id
            film = bot.store.get_film(match.film_id)
        else:  # a new film, named by the post's "X is a 2019 … film" sentence
            assert match.facts is not None
            target = NewFilm(match.facts.as_movie(), source="post")
    if not text:
        text = review_text(req)
    rating = None
    if "rating" in req.options:
        rating = float(_rating(req.options["rating"]))
    author = clean_line(req.user_name)[:100] or f"{req.platform} user {req.user_id}"
    if post is not None:
        review = review_from_post(post, mode, film=film)
        body, author, rating = review.body, clean_line(review.author or author)[:100], rating or review.rating
    else:
        body = read_review(text, mode=mode, film=film_hints(film))
    if not body.blocks:
        raise BadInput("The review has no readable text.")
    if isinstance(target, int):
        # The same text sent twice (a double tap, a retried upload) is one review, not two.
        existing = bot.store.find_review(target, body.plain)
        if existing is not None:
            label = film.label if film is not None else bot.store.get_film(target).label
            return [text_reply(f"That review of {label} is already added as #{existing}.")]
    # A new film (if any) and the review land together or not at all.
    added = bot.add_review(
        target,
        body,
        author=author,
        author_id=req.user_id,
        platform=req.platform,
        rating=rating,
        spoiler_mode=mode,
    )
    shown = bot.store.get_film(added.film_id)
    review_id = added.review_id
    n = body.spoiler_sections
    note = f" {n} spoiler section(s) hidden from /review." if n else ""
    msg = f"Added review #{review_id} of {shown.label}.{note}"
    if others:
        msg += " " + remake_note(shown, others, "/addreview", clean_line(req.args))
    return [text_reply(msg)]


def cmd_delreview(bot: MovieBot, req: Request) -> list[Reply]:
    raw = clean_line(req.args).lstrip("#")
    if not raw.isdecimal():
        raise BadInput("Usage: /delreview <id>, the number shown as #id above each review.")
    # A number past SQLite's 64-bit ids cannot be a review (and would overflow the driver).
    if len(raw) > 19 or int(raw) >= 2**63 or not bot.store.delete_review(int(raw)):
        raise NotFound(f"There is no review #{raw[:20]}.")
    return [text_reply(f"Removed review #{raw}.")]


def cmd_recommend(bot: MovieBot, req: Request) -> list[Reply]:
    return bot.recommender.recommend(req.args, req)


def cmd_subscribe(bot: MovieBot, req: Request) -> list[Reply]:
    new = bot.store.subscribe(req.platform, req.chat_id, req.thread_id, req.chat_title, req.user_id)
    where = "This topic" if req.thread_id else "This chat"
    if new:
        return [text_reply(f"{where} will get every new review. /unsubscribe stops it.")]
    return [text_reply(f"{where} is already subscribed.")]


def cmd_unsubscribe(bot: MovieBot, req: Request) -> list[Reply]:
    if bot.store.unsubscribe(req.platform, req.chat_id, req.thread_id):
        return [text_reply("Unsubscribed: no more new reviews here.")]
    return [text_reply("This chat was not subscribed.")]


# -- buttons ---------------------------------------------------------------------


def _page_action(bot: MovieBot, action: str) -> tuple[Film, int]:
    parts = action.split(":")
    try:
        film = bot.store.get_film(int(parts[1]))
        offset = int(parts[2]) if len(parts) > 2 else 0
    except (IndexError, ValueError, KeyError):
        raise BadInput("That button no longer works; run the command again.") from None
    return film, max(offset, 0)


def press_reviews(bot: MovieBot, req: Request, action: str) -> list[Reply]:
    film, offset = _page_action(bot, action)
    return _review_page(bot, film, offset, full=False)


def press_spoilers(bot: MovieBot, req: Request, action: str) -> list[Reply]:
    film, offset = _page_action(bot, action)
    return _review_page(bot, film, offset, full=True)


def press_recommend(bot: MovieBot, req: Request, action: str) -> list[Reply]:
    return bot.recommender.press(action, req)


REVIEW_PAGES = ButtonKind("rev", press_reviews)
SPOILER_PAGES = ButtonKind("spoil", press_spoilers, private=True)
PICKS = ButtonKind("rec", press_recommend)
VOTES = ButtonKind(movienight.PREFIX, movienight.press_vote, edits=True)

COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command("help", "The commands, briefly", "/help", cmd_help, admin_aware=True),
        Command(
            "recommend",
            "Picks for what you describe, e.g. sad korean drama",
            "/recommend [what]",
            cmd_recommend,
            buttons=(PICKS,),
        ),
        Command(
            "review",
            "The community's reviews of a film, without spoilers",
            "/review <title>",
            cmd_review,
            buttons=(REVIEW_PAGES, SPOILER_PAGES),
        ),
        Command(
            "spoiler",
            "Full reviews, spoilers behind spoiler tags",
            "/spoiler <title>",
            cmd_spoiler,
            buttons=(SPOILER_PAGES,),
        ),
        Command(
            "movie",
            "Facts about a film, its rating and review count",
            "/movie <title>",
            cmd_movie,
            buttons=(REVIEW_PAGES,),
        ),
        Command("rate", "Rate a film from 1 to 10", "/rate <title> <1-10>", cmd_rate),
        Command(
            "addreview",
            "Add a review (text after the first line, or a .txt/.md file)",
            "/addreview <title> [spoilers=auto|none|all]",
            cmd_addreview,
            admin=True,
            body=True,
            files=True,
        ),
        Command("delreview", "Remove a review by its number", "/delreview <id>", cmd_delreview, admin=True),
        Command("subscribe", "Post every new review in this channel or chat", "/subscribe", cmd_subscribe, admin=True),
        Command("unsubscribe", "Stop posting new reviews here", "/unsubscribe", cmd_unsubscribe, admin=True),
        Command(
            "watchlist",
            "Your watchlist: show it, add a film or remove one",
            "/watchlist [add|remove <title>]",
            cmd_watchlist,
        ),
        Command(
            "movienight",
            "Start a vote on what to watch together; /movienight end closes it",
            "/movienight [what] · /movienight end",
            movienight.cmd_movienight,
            admin_aware=True,  # an admin may end someone else's vote
            buttons=(VOTES,),
        ),
    )
}

# Every button any command's replies carry, by action prefix.
BUTTONS: dict[str, ButtonKind] = {b.prefix: b for c in COMMANDS.values() for b in c.buttons}
