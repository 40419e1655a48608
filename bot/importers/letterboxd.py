"""Letterboxd data exports: `reviews.csv` (reviews) and `ratings.csv` (star ratings).

A member who already keeps a diary on Letterboxd should not retype it. The
export's CSV files have these columns (Letterboxd writes them exactly so):

- reviews.csv: Date, Name, Year, Letterboxd URI, Rating, Rewatch, Review, Tags, Watched Date
- ratings.csv: Date, Name, Year, Letterboxd URI, Rating

Decisions, and why:

- Stars (0.5 to 5 in halves) become our 1–10 scale by doubling, so ½★ is 1 and
  5★ is 10: the mapping is exact and reversible.
- Review text is HTML (`<i>`, `<b>`, `<br />`, `<blockquote>`) in which members type
  any spoiler markup (`||…||`, `>!…!<`, `[spoiler]`), read by `richtext.read_review`
  like every other input; the detector marks spoilers unless the author marked some.
- A film missing from the catalog is created from its title and year (that is
  all an export knows) and listed as new in the report; films are matched on
  normalised title (titles, original titles, aliases) and year, never fuzzily,
  because a wrong match would silently attach a review to another film.
- A re-import adds nothing twice: a review's `source_key` is built from its
  Letterboxd URI and text. A review edited on Letterboxd since the last import
  therefore comes in as a second review (the old one can be removed with /delreview).
- ratings.csv rows become member ratings of the platform "letterboxd", for the
  user named by `profile.csv` (its `Username`) when that file sits next to the
  CSV, else for the user "import". They count in a film's average like any
  member's /rate; re-importing updates changed ratings and skips equal ones.
  Reviews are written by that same name (or "Letterboxd member").
- Line numbers in the report are physical lines where a record starts, so a
  review quoted across ten lines still points at the right place.
- Every row is all-or-nothing (film creation included), and rows are committed in
  batches, because a commit per row made a 50,000-row export take minutes; a crash
  loses at most the last batch, and re-running the import fills it in without
  duplicates. Reviews are read (the costly part) before their batch's transaction
  and written through `MovieBot.add_reviews`, so the running bot's writers wait
  briefly, if at all; ratings rows are cheap and run as savepoints inside batch
  transactions. A header with missing columns imports nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core import AddedReview, MovieBot, NewFilm, ReviewDraft
from ..errors import BadInput, UserError
from ..richtext import FilmHints, film_hints, read_review
from ..store import ReviewRow, Store
from ..text import MAX_REVIEW_CHARS
from ..titles import normalize_title
from .report import ImportReport, Progress, no_progress

REVIEW_COLUMNS = ("Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Review", "Tags", "Watched Date")
RATING_COLUMNS = ("Date", "Name", "Year", "Letterboxd URI", "Rating")
REQUIRED_REVIEW = ("Name", "Year", "Letterboxd URI", "Rating", "Review")
REQUIRED_RATING = ("Name", "Year", "Letterboxd URI", "Rating")
PLATFORM = "letterboxd"
DEFAULT_USER = "import"
MAX_FIELD = 16 * 1024 * 1024
BATCH_ROWS = 2000
BATCH_SECONDS = 2.0


def stars_to_rating(raw: str) -> int | None:
    """Letterboxd stars as text ('3.5') -> our 1–10 scale (7); '' -> None; anything else -> BadInput."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        stars = float(raw.replace(",", "."))
    except ValueError:
        raise BadInput(f"Rating {raw!r} is not a number of stars (0.5 to 5)") from None
    doubled = stars * 2
    if not 1 <= doubled <= 10 or doubled != int(doubled):
        raise BadInput(f"Rating {raw!r} is not 0.5 to 5 stars in half steps")
    return int(doubled)


def _year(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1870 <= int(raw) <= 2100:
        raise BadInput(f"Year {raw!r} is not a year")
    return int(raw)


def _date(raw: str) -> str | None:
    raw = raw.strip()
    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-" and raw.replace("-", "").isdigit():
        return f"{raw}T00:00:00Z"
    return None


def records(text: str) -> Iterator[tuple[int, int, list[str] | csv.Error]]:
    """(physical line where the record starts, characters read so far, fields or the CSV error)."""
    src = io.StringIO(text, newline="")
    line_no = 0
    pos = 0

    def lines() -> Iterator[str]:
        nonlocal line_no, pos
        for line in src:
            line_no += 1
            pos += len(line)
            yield line

    if csv.field_size_limit() < MAX_FIELD:
        csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(lines(), strict=False)
    while True:
        start = line_no + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, pos, exc
            return
        yield start, pos, row


@dataclass
class _Columns:
    index: dict[str, int]
    kind: str  # "reviews" | "ratings"

    def get(self, row: list[str], name: str) -> str:
        i = self.index.get(name.casefold())
        return row[i] if i is not None and i < len(row) else ""


def _header(row: list[str], path: Path) -> tuple[_Columns | None, str | None]:
    names = [c.strip() for c in row]
    index = {n.casefold(): i for i, n in enumerate(names) if n}
    has_review = "review" in index
    stem = path.stem.casefold()
    kind = "reviews" if has_review or stem.startswith("review") else "ratings"
    required = REQUIRED_REVIEW if kind == "reviews" else REQUIRED_RATING
    missing = [c for c in required if c.casefold() not in index]
    if missing:
        expected = REVIEW_COLUMNS if kind == "reviews" else RATING_COLUMNS
        return None, (
            f"missing column(s) {', '.join(missing)}: a Letterboxd {kind}.csv has "
            f"{', '.join(expected)}; nothing was imported"
        )
    return _Columns(index, kind), None


def export_owner(path: Path) -> str | None:
    """The Letterboxd username from profile.csv next to the export's CSV files, if there."""
    profile = path.parent / "profile.csv"
    try:
        text = profile.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    rows = list(csv.DictReader(io.StringIO(text)))
    name = (rows[0].get("Username") or "").strip() if rows else ""
    return name[:100] or None


def _source_key(uri: str, name: str, year: int | None, text: str) -> str:
    ident = uri.strip() or f"{name.strip().casefold()}\x00{year}"
    h = hashlib.sha256(f"{ident}\x00{text.strip()}".encode()).hexdigest()
    return f"letterboxd:{h[:32]}"


class _Films:
    """Finds or creates films by exact normalised title and year, remembering this run's new ones."""

    def __init__(self, bot: MovieBot, report: ImportReport) -> None:
        self.bot = bot
        self.report = report

    def find(self, name: str, year: int | None) -> int | None:
        ids = self.bot.titles.by_norm.get(normalize_title(name), [])
        if year is not None:
            ids = [i for i in ids if self.bot.titles.year.get(i) in (year, None)]
        elif len(ids) > 1:
            raise BadInput(f"“{name}” has no Year and several films have that title; add the year")
        return ids[0] if ids else None

    @staticmethod
    def new(name: str, year: int | None) -> NewFilm:
        return NewFilm({"title": name.strip()[:300], "year": year}, source="letterboxd")

    def create(self, name: str, year: int | None) -> int:
        """Insert inside the caller's transaction; call `created` after it commits."""
        return self.bot.store.add_film(dict(self.new(name, year).data), source="letterboxd")

    def created(self, film_id: int, name: str, year: int | None) -> str:
        """The film's write committed: make it resolvable and list it as new."""
        self.bot.index_film(film_id, self.new(name, year).data)
        label = self.bot.titles.label[film_id]
        self.report.new_films.append(label)
        return label


def import_letterboxd(
    bot: MovieBot,
    path: Path,
    text: str,
    *,
    owner: str | None = None,
    progress: Progress = no_progress,
    announce: bool = False,
) -> ImportReport:
    """Import a Letterboxd reviews.csv or ratings.csv; see the module docstring for the rules."""
    report = ImportReport(str(path))
    rows = records(text)
    first = next(rows, None)
    while first is not None and not isinstance(first[2], csv.Error) and not any(c.strip() for c in first[2]):
        first = next(rows, None)
    if first is None:
        report.add(1, "failed", "the file is empty: expected a Letterboxd reviews.csv or ratings.csv")
        return report
    line, _, header = first
    if isinstance(header, csv.Error):
        report.add(line, "failed", f"not a readable CSV file ({header})")
        return report
    cols, problem = _header(header, path)
    if cols is None:
        report.add(line, "failed", problem or "bad header")
        return report
    user = owner or export_owner(path)
    films = _Films(bot, report)
    reviews = _ReviewBatch(bot, films, report, announce) if cols.kind == "reviews" else None
    with bot.bulk(), _Batches(bot, enabled=reviews is None) as batches:
        for n, (line, pos, row) in enumerate(rows):
            if n % 256 == 0:
                progress(pos, len(text))
            batches.tick()
            if isinstance(row, csv.Error):
                report.add(line, "failed", f"unreadable CSV from here on ({row}); check for an unclosed quote")
                break
            if not any(c.strip() for c in row):
                continue
            try:
                if len(row) != len(header):
                    raise BadInput(f"this row has {len(row)} fields but the header has {len(header)}")
                if reviews is not None:
                    reviews.add(cols, row, line, user)
                else:
                    _rating_row(bot, films, cols, row, line, report, user)
            except UserError as exc:
                report.add(line, "failed", exc.message)
            except sqlite3.Error as exc:
                # The row's savepoint was rolled back; the rest of the file still goes in.
                report.add(line, "failed", f"the database refused this row ({type(exc).__name__}: {exc})")
        if reviews is not None:
            reviews.flush()
        progress(len(text), len(text))
    report.rows.sort(key=lambda r: r.line)
    return report


class _Batches:
    """One transaction per batch of rows; each row inside is a savepoint (see the module docstring).

    The store's review hooks (derived per-film data) run once per touched film, and its
    batch hooks once with all of them, just before each batch commits instead of once
    per review: they recompute a whole film, so per review they dominated a bulk
    import. The derived data is still never committed out of step with the reviews.
    """

    def __init__(self, bot: MovieBot, *, enabled: bool = True) -> None:
        self.store = bot.store
        self.conn: sqlite3.Connection | None = bot.store.db.conn if enabled else None
        self.rows = 0
        self.since = time.monotonic()
        self.touched: set[int] = set()
        self.hooks = list(bot.store.review_hooks)
        self.batch_hooks = list(bot.store.review_batch_hooks)

    def _collect(self, store: Store, film_id: int) -> None:
        self.touched.add(film_id)

    def __enter__(self) -> _Batches:
        if self.conn is None or self.conn.in_transaction:  # inside someone's transaction: just nest
            self.conn = None
            return self
        self.conn.execute("BEGIN IMMEDIATE")
        self.store.review_hooks[:] = [self._collect]
        self.store.review_batch_hooks[:] = [self._collect_many]
        return self

    def _collect_many(self, store: Store, film_ids: list[int], added: Sequence[tuple[int, ReviewRow]] | None) -> None:
        self.touched.update(film_ids)

    def _commit(self) -> None:
        assert self.conn is not None
        for film_id in sorted(self.touched):
            for hook in self.hooks:
                hook(self.store, film_id)
        if self.touched:
            for batch_hook in self.batch_hooks:
                batch_hook(self.store, sorted(self.touched), None)
        self.touched.clear()
        self.conn.execute("COMMIT")

    def tick(self) -> None:
        if self.conn is None:
            return
        self.rows += 1
        if self.rows >= BATCH_ROWS or time.monotonic() - self.since >= BATCH_SECONDS:
            self._commit()
            self.conn.execute("BEGIN IMMEDIATE")
            self.rows, self.since = 0, time.monotonic()

    def __exit__(self, *exc: object) -> None:
        if self.conn is None:
            return
        try:
            # Every finished row is complete (savepoints), so keep them even when stopping early.
            if self.conn.in_transaction:
                self._commit()
        finally:
            self.store.review_hooks[:] = self.hooks
            self.store.review_batch_hooks[:] = self.batch_hooks


def _film_name(cols: _Columns, row: list[str]) -> tuple[str, int | None]:
    name = cols.get(row, "Name").strip()
    if not name:
        raise BadInput("Name is empty")
    return name, _year(cols.get(row, "Year"))


@dataclass
class _Pending:
    line: int
    name: str
    year: int | None
    film_id: int | None
    rating: int | None
    text: str
    key: str
    date: str | None


class _ReviewBatch:
    """Review rows, read outside any transaction and written in batches through `MovieBot.add_reviews`.

    Reading a review (HTML, spoiler detection) is most of an import's time; doing it
    before the batch's transaction keeps the write lock free for the running bot most
    of the time. Rows already stored are skipped before they are read. A film missing
    from the catalog is created with its first review; a second review of it waits for
    the next batch, by which time the film is in the title index.
    """

    def __init__(self, bot: MovieBot, films: _Films, report: ImportReport, announce: bool) -> None:
        self.bot, self.films, self.report, self.announce = bot, films, report, announce
        self.hints: dict[int, FilmHints | None] = {}
        self.rows: list[_Pending] = []
        self.new_films: set[tuple[str, int | None]] = set()
        self.keys: dict[str, int] = {}

    def add(self, cols: _Columns, row: list[str], line: int, user: str | None) -> None:
        self.user = user
        name, year = _film_name(cols, row)
        rating = stars_to_rating(cols.get(row, "Rating"))
        text = cols.get(row, "Review")
        if not text.strip():
            self.report.add(line, "skipped", f"{name}: the review is empty")
            return
        if len(text) > MAX_REVIEW_CHARS:
            raise BadInput(f"Review has {len(text):,} characters; the limit is {MAX_REVIEW_CHARS:,}, as in chat")
        key = _source_key(cols.get(row, "Letterboxd URI"), name, year, text)
        if key in self.keys:
            self.report.add(line, "skipped", f"the same review of {name} is on line {self.keys[key]}")
            return
        self.keys[key] = line
        film_id = self.films.find(name, year)
        if film_id is None:
            ident = (normalize_title(name), year)
            if ident in self.new_films:
                self.flush()  # its film is created by a row of this batch: write that first
                film_id = self.films.find(name, year)
            else:
                self.new_films.add(ident)
        self.rows.append(_Pending(line, name, year, film_id, rating, text, key, _date(cols.get(row, "Date"))))
        if len(self.rows) >= BATCH_ROWS:
            self.flush()

    def _hints(self, film_id: int | None) -> FilmHints | None:
        if film_id is None:
            return None
        if film_id not in self.hints:
            self.hints[film_id] = film_hints(self.bot.store.get_film(film_id))
        return self.hints[film_id]

    def flush(self) -> None:
        rows, self.rows, self.new_films = self.rows, [], set()
        if not rows:
            return
        stored = self.bot.store.stored_source_keys([r.key for r in rows])
        ready: list[tuple[_Pending, ReviewDraft]] = []
        for r in rows:
            if r.key in stored:
                self.report.add(r.line, "skipped", f"this review of {r.name} was imported before")
                continue
            # Letterboxd writes HTML, but members type any spoiler markup into it (||…||, >!…!<).
            # The catalog's cast tells the detector an actor from a character, as on every other path.
            body = read_review(r.text, dialect="html", film=self._hints(r.film_id))
            if not body.blocks:
                self.report.add(r.line, "skipped", f"{r.name}: the review has no readable text")
                continue
            target = self.films.new(r.name, r.year) if r.film_id is None else r.film_id
            draft = ReviewDraft(
                target,
                body,
                author=self.user or "Letterboxd member",
                platform=PLATFORM,
                rating=float(r.rating) if r.rating is not None else None,
                spoiler_mode="auto",
                source_key=r.key,
                created_at=r.date,
            )
            ready.append((r, draft))
        try:
            results: list[AddedReview | None | bool] = list(
                self.bot.add_reviews([d for _, d in ready], announce=self.announce)
            )
        except sqlite3.Error:
            results = []
            for r, d in ready:  # nothing of the batch was written: one by one, to name the culprit
                try:
                    results.append(self.bot.add_reviews([d], announce=self.announce)[0])
                except sqlite3.Error as exc:
                    self.report.add(r.line, "failed", f"the database refused this row ({type(exc).__name__}: {exc})")
                    results.append(False)
        for (r, _), added in zip(ready, results, strict=True):
            if added is None:
                self.report.add(r.line, "skipped", f"this review of {r.name} was imported before")
            elif isinstance(added, AddedReview):
                label = self.bot.titles.label.get(added.film_id, r.name)
                if added.new_film:
                    self.report.new_films.append(label)
                self.report.add(r.line, "added", f"review of {label}" + (" (new film)" if added.new_film else ""))


def _rating_row(
    bot: MovieBot, films: _Films, cols: _Columns, row: list[str], line: int, report: ImportReport, user: str | None
) -> None:
    name, year = _film_name(cols, row)
    rating = stars_to_rating(cols.get(row, "Rating"))
    if rating is None:
        report.add(line, "skipped", f"{name}: no rating")
        return
    uid = user or DEFAULT_USER
    film_id = films.find(name, year)
    new = film_id is None
    with bot.store.atomic():
        if film_id is None:
            film_id = films.create(name, year)
        before = bot.store.db.execute(
            "SELECT rating FROM ratings WHERE platform = ? AND user_id = ? AND film_id = ?", [PLATFORM, uid, film_id]
        ).fetchone()
        if before is None or before[0] != rating:
            bot.store.set_rating(PLATFORM, uid, film_id, rating)
    label = films.created(film_id, name, year) if new else bot.titles.label.get(film_id, name)
    if before is None:
        report.add(line, "added", f"rating {rating}/10 of {label}" + (" (new film)" if new else ""))
    elif before[0] != rating:
        report.add(line, "updated", f"rating of {label}: {before[0]}/10 -> {rating}/10")
    else:
        report.add(line, "skipped", f"rating of {label} is already {rating}/10")
