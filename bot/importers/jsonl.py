"""The `movies` and `reviews` JSON Lines formats (README, "Import formats").

Every row is checked before anything is written (field types, NaN and infinities,
ranges, the same 50,000-character limit as chat, control characters out of titles);
a bad row is reported with its line number and reason and the rest of the file still
imports.

Rows are written in batches, one transaction each, through the bot's one add-review
path (`MovieBot.add_reviews`): reading a review (markup, spoiler detection) happens
before its batch's transaction, so the write lock is held only for the inserts, the
full-text index and the per-film recommendation features, and a member's /rate in
another process waits a fraction of a second at most. A batch is all or nothing, so
`kill -9` loses at most the batch in flight, and a re-run adds nothing twice (each
review has a `source_key`).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..catalog import normalize_movie
from ..core import MovieBot, ReadBody, ReviewDraft
from ..errors import BadInput, UserError
from ..recommend.features import review_moods
from ..richtext import FilmHints, film_hints, read_review
from ..store import Film
from ..text import MAX_REVIEW_CHARS, clean_line
from .report import ImportReport, Progress, no_progress

# A batch commits after this many rows or this long, whichever comes first: big enough
# that per-film feature updates are shared by many reviews, short enough that other
# writers (the running bot) never wait long for the lock.
BATCH_ROWS = 2000
BATCH_SECONDS = 0.5
# Reviews commit in bigger batches: each commit rewrites index pages all over the file (source
# keys, films' reviews, features), a cost per batch more than per row; 5,000 rows hold the
# write lock for about half a second (bench/imports).
REVIEW_BATCH_ROWS = 5000
# Reading reviews goes to worker processes for files at least this big (smaller ones are
# over before the workers would have started), on at most this many cores.
POOL_MIN_ROWS = 4000
# Batches handed to the readers ahead of the one being written: with one, the readers idled
# while this process checked the next batch's rows and wrote the last one.
READ_AHEAD = 2
# Rows are parsed and checked in the workers in runs of this many lines, this many runs ahead.
CHECK_LINES = 2000
CHECK_AHEAD = 4
MAX_READERS = 4
MAX_TITLE = 300
MAX_AUTHOR = 100


def _records(lines: Iterable[str], first: int = 1, pos: int = 0) -> Iterable[tuple[int, int, Any | Exception]]:
    """(line number, characters read so far, the parsed object or the reason it is not one).

    `first` and `pos`: the number of the first line and the characters before it, for a run
    of lines cut from a file.
    """
    for number, line in enumerate(lines, start=first):
        pos += len(line) + 1
        if not line.strip():
            continue
        try:
            yield number, pos, json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, pos, BadInput(f"not valid JSON ({exc.msg} at column {exc.colno})")
        except RecursionError:
            yield number, pos, BadInput("not valid JSON (nested too deeply)")


def kind_of(value: Any) -> str:
    """What a JSON value is, in words a person writing the file would use."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _lines_of(lines: Iterable[str]) -> tuple[Sequence[str], int]:
    seq = lines if isinstance(lines, Sequence) else list(lines)
    return seq, sum(len(line) + 1 for line in seq)


# -- movies --------------------------------------------------------------------------------------


def import_movies(
    bot: MovieBot, lines: Iterable[str], source: str, *, progress: Progress = no_progress
) -> ImportReport:
    """Films, in batches (one transaction each); the title index learns them after each commit."""
    report = ImportReport(source)
    seq, total = _lines_of(lines)
    batch: list[tuple[int, dict[str, Any]]] = []

    def flush() -> None:
        added: list[tuple[int, dict[str, Any]]] = []
        outcomes: list[tuple[int, str, str]] = []
        try:
            with bot.store.atomic():
                for number, data in batch:
                    if bot.store.find_film_id(data["title"], data["year"]) is not None:
                        label = f"{data['title']} ({data['year']})" if data["year"] else data["title"]
                        outcomes.append((number, "skipped", f"{label} is already in the catalog"))
                        continue
                    added.append((bot.store.add_film(data, source="import"), data))
                    outcomes.append((number, "added", data["title"]))
        except sqlite3.Error:
            # Nothing of this batch was written; take its rows one by one to find the culprit.
            _movies_one_by_one(bot, batch, report)
        else:
            for outcome in outcomes:
                report.add(*outcome)
            for film_id, data in added:
                bot.index_film(film_id, data)
        batch.clear()

    since = time.monotonic()
    for number, pos, obj in _records(seq):
        try:
            if isinstance(obj, Exception):
                raise obj
            batch.append((number, normalize_movie(obj)))
        except UserError as exc:
            report.add(number, "failed", exc.message)
        if len(batch) >= BATCH_ROWS or (batch and time.monotonic() - since >= BATCH_SECONDS):
            flush()
            since = time.monotonic()
            progress(pos, total)
    if batch:
        flush()
    progress(total, total)
    report.rows.sort(key=lambda r: r.line)
    return report


def _movies_one_by_one(bot: MovieBot, batch: list[tuple[int, dict[str, Any]]], report: ImportReport) -> None:
    for number, data in batch:
        try:
            if bot.store.find_film_id(data["title"], data["year"]) is not None:
                report.add(number, "skipped", f"{data['title']} is already in the catalog")
                continue
            bot.add_film(data, source="import")
            report.add(number, "added", data["title"])
        except sqlite3.Error as exc:
            report.add(number, "failed", f"the database refused this row ({type(exc).__name__}: {exc})")


# -- reviews -------------------------------------------------------------------------------------


def review_key(film_id: int, author: str, text: str) -> str:
    """Identifies a review across re-imports of the same file."""
    h = hashlib.sha256(f"{film_id}\x00{author.strip().casefold()}\x00{text.strip()}".encode()).hexdigest()
    return f"review:{h[:32]}"


def _rating(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInput(f"rating must be a number from 0 to 10, not {kind_of(value)}")
    if not math.isfinite(value):
        raise BadInput(f"rating {value} is not a number from 0 to 10")
    if not 0 <= value <= 10:
        raise BadInput(f"rating {value:g} is outside 0 to 10")
    return float(value)


def _year(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(f"year must be a year such as 2019, not {kind_of(value)}")
    if not 1870 <= value <= 2100:
        raise BadInput(f"year {value} is not a year a film could have")
    return value


def _posted_at(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise BadInput(f"posted_at must be an ISO 8601 date such as 2024-05-01, not {kind_of(value)}")
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"posted_at {clean_line(value)[:40]!r} is not an ISO 8601 date") from None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _text_field(obj: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = obj.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BadInput(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise BadInput(f"{name} must be text, not {kind_of(value)}")
    return value


def check_review(obj: Any) -> tuple[str, int | None, str, float | None, str, str | None]:
    """(movie, year, author, rating, text, posted_at) of one `reviews` row, or BadInput saying what is wrong."""
    if not isinstance(obj, dict):
        raise BadInput(f"each line must be a JSON object, not {kind_of(obj)}")
    movie = clean_line(_text_field(obj, "movie", required=True) or "")
    if not movie:
        raise BadInput("movie is required")
    if len(movie) > MAX_TITLE:
        raise BadInput(f"movie has {len(movie):,} characters; a title is at most {MAX_TITLE}")
    text = _text_field(obj, "text", required=True) or ""
    if len(text) > MAX_REVIEW_CHARS:
        raise BadInput(f"text has {len(text):,} characters; the limit is {MAX_REVIEW_CHARS:,}, as in chat")
    author = clean_line(_text_field(obj, "author", required=False) or "")[:MAX_AUTHOR] or "anonymous"
    return movie, _year(obj.get("year")), author, _rating(obj.get("rating")), text, _posted_at(obj.get("posted_at"))


class _Films:
    """The film each row names, resolved once per (title, year) for the whole file."""

    def __init__(self, bot: MovieBot) -> None:
        self.bot = bot
        self.found: dict[tuple[str, int | None], tuple[Film, FilmHints | None] | UserError] = {}

    def get(self, movie: str, year: int | None) -> tuple[Film, FilmHints | None]:
        key = (movie, year)
        if key not in self.found:
            try:
                film = self.bot.resolve(f"{movie} ({year})" if year else movie)[0]
                self.found[key] = (film, film_hints(film))
            except UserError as exc:
                self.found[key] = exc
        hit = self.found[key]
        if isinstance(hit, UserError):
            raise hit
        return hit


@dataclass
class _Row:
    number: int
    film: Film
    hints: FilmHints | None
    author: str
    rating: float | None
    text: str
    posted_at: str | None
    key: str


def _watch_parent() -> None:
    """Worker initializer: exit when the import that started us is gone (e.g. `kill -9`).

    A worker blocks on its task queue; if the parent is killed, the other workers keep
    that queue open and nothing would ever tell this one to stop.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="moviebot-reader-watch", daemon=True).start()


def _read_texts(items: list[tuple[str, FilmHints | None]]) -> list[ReadBody | None]:
    """Read reviews (markup, spoiler detection): the costly part of an import, run in worker processes.

    Each comes back as what the store writes (JSON, plain text, recommendation moods), or None
    when nothing readable is left: three strings pickle far cheaper than a `Document`, and
    serialising here keeps that work off the writing process, which is the import's bottleneck.
    """
    out: list[ReadBody | None] = []
    for text, hints in items:
        doc = read_review(text, film=hints)
        if not doc.blocks:
            out.append(None)
            continue
        plain = doc.plain
        out.append(ReadBody(doc.to_json(), plain, review_moods(plain)))
    return out


# What a worker makes of one line: (line number, characters read so far, the checked fields or
# the reason the row is refused).
Fields = tuple[str, int | None, str, float | None, str, str | None]
Checked = tuple[int, int, Fields | str]


def _check_lines(lines: list[str], first: int, pos: int) -> list[Checked]:
    """Parse and check a run of lines (`check_review`), in a worker process for a big file: per row,
    JSON and the checks cost about as much as the rest of what the writing process does."""
    out: list[Checked] = []
    for number, at, obj in _records(lines, first, pos):
        if isinstance(obj, UserError):
            out.append((number, at, obj.message))
            continue
        try:
            out.append((number, at, check_review(obj)))
        except UserError as exc:
            out.append((number, at, exc.message))
    return out


class _Reader:
    """Checks a file's rows and reads a batch's texts, in worker processes when the file is big and
    there is more than one CPU.

    Both are pure CPU and independent per row, so they spread over cores; each returns at once
    (checks run a few chunks ahead, `submit` hands back a promise), and the import writes
    earlier batches while later ones are checked and read.
    """

    def __init__(self, rows: int) -> None:
        workers = min(os.cpu_count() or 1, MAX_READERS)
        self.pool: ProcessPoolExecutor | None = None
        if rows >= POOL_MIN_ROWS and workers > 1:
            self.pool = ProcessPoolExecutor(max_workers=workers, initializer=_watch_parent)
            self.chunks = workers * 2

    def submit(self, rows: list[_Row]) -> Callable[[], list[ReadBody | None]]:
        items = [(r.text, r.hints) for r in rows]
        if self.pool is None or len(items) < 64:
            done = _read_texts(items)
            return lambda: done
        size = -(-len(items) // self.chunks)
        futures = [self.pool.submit(_read_texts, items[i : i + size]) for i in range(0, len(items), size)]
        return lambda: [doc for f in futures for doc in f.result()]

    def checked(self, lines: Sequence[str]) -> Iterator[Checked]:
        """`_check_lines` of every line, in order (in the workers, CHECK_AHEAD chunks ahead)."""
        if self.pool is None:
            yield from _check_lines(list(lines), 1, 0)
            return
        ahead: deque[Future[list[Checked]]] = deque()
        pos = 0
        for start in range(0, len(lines), CHECK_LINES):
            chunk = list(lines[start : start + CHECK_LINES])
            ahead.append(self.pool.submit(_check_lines, chunk, start + 1, pos))
            pos += sum(len(line) + 1 for line in chunk)
            if len(ahead) > CHECK_AHEAD:
                yield from ahead.popleft().result()
        while ahead:
            yield from ahead.popleft().result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)


def import_reviews(
    bot: MovieBot,
    lines: Iterable[str],
    source: str,
    *,
    platform: str = "import",
    announce: bool = False,
    progress: Progress = no_progress,
) -> ImportReport:
    """Reviews, in batches through `MovieBot.add_reviews` (see the module docstring).

    Per batch: rows already stored are skipped before anything is read (a re-run costs
    little), the rest are read (possibly in worker processes, while the previous batch
    is written) and then written in one transaction.

    `announce`: post them to subscribed channels too (`moviebot import --announce`);
    by default imported history is stored, not broadcast (README, "Import formats").
    """
    report = ImportReport(source)
    seq, total = _lines_of(lines)
    films = _Films(bot)
    first_line: dict[str, int] = {}
    reader = _Reader(len(seq))
    # Batches submitted for reading and not yet written, oldest first (see READ_AHEAD).
    in_flight: deque[tuple[list[_Row], Callable[[], list[ReadBody | None]], int]] = deque()

    def write(rows: list[_Row], bodies: list[ReadBody | None], pos: int) -> None:
        drafts: list[tuple[_Row, ReviewDraft]] = []
        for row, body in zip(rows, bodies, strict=True):
            if body is None:
                report.add(row.number, "failed", "text has no readable words")
                continue
            draft = ReviewDraft(
                row.film.id,
                body,
                author=row.author,
                platform=platform,
                rating=row.rating,
                source_key=row.key,
                created_at=row.posted_at,
            )
            drafts.append((row, draft))
        try:
            results: list[Any] = bot.add_reviews([d for _, d in drafts], announce=announce)
        except sqlite3.Error:
            results = _one_by_one(bot, drafts, announce, report)
        for (row, draft), added in zip(drafts, results, strict=True):
            if added is None:
                report.add(row.number, "skipped", f"this review of {row.film.label} was imported before")
            elif added is not False:  # False: refused, reported by _one_by_one
                report.add(row.number, "added", f"review of {row.film.label} by {draft.author}")
        progress(pos, total)

    def flush(batch: list[_Row], pos: int) -> None:
        stored = bot.store.stored_source_keys([r.key for r in batch])
        fresh = []
        for r in batch:
            if r.key in stored:
                report.add(r.number, "skipped", f"this review of {r.film.label} was imported before")
            else:
                fresh.append(r)
        in_flight.append((fresh, reader.submit(fresh), pos))
        while len(in_flight) > (READ_AHEAD if batch else 0):
            rows, bodies, at = in_flight.popleft()
            write(rows, bodies(), at)

    batch: list[_Row] = []
    pos = 0
    try:
        with bot.bulk():
            for number, pos, checked in reader.checked(seq):
                if isinstance(checked, str):
                    report.add(number, "failed", checked)
                    continue
                try:
                    movie, year, author, rating, text, posted_at = checked
                    film, hints = films.get(movie, year)
                    key = review_key(film.id, author, text)
                    if key in first_line:
                        report.add(number, "skipped", f"the same review of {film.label} is on line {first_line[key]}")
                        continue
                    first_line[key] = number
                    batch.append(_Row(number, film, hints, author, rating, text, posted_at, key))
                except UserError as exc:
                    report.add(number, "failed", exc.message)
                if len(batch) >= REVIEW_BATCH_ROWS:
                    flush(batch, pos)
                    batch = []
            flush(batch, pos)
            flush([], total)
            progress(total, total)
    finally:
        reader.close()
    report.rows.sort(key=lambda r: r.line)
    return report


def _one_by_one(
    bot: MovieBot, drafts: list[tuple[_Row, ReviewDraft]], announce: bool, report: ImportReport
) -> list[Any]:
    """The database refused a batch (nothing of it was written): each row alone, to report the culprit."""
    out: list[Any] = []
    for row, draft in drafts:
        try:
            out.append(bot.add_reviews([draft], announce=announce)[0])
        except sqlite3.Error as exc:
            report.add(row.number, "failed", f"the database refused this row ({type(exc).__name__}: {exc})")
            out.append(False)
    return out
