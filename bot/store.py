"""The SQLite store: one file, WAL, foreign keys, migrations on open.

Everything that touches the database goes through `Store`, so the rules live
in one place: every multi-row write is one transaction (`db.atomic()`), a
review, its full-text row and its feed outbox entries are written together
(`add_reviews`, the one way a review is inserted; deletes and edits keep the
full-text index in step by triggers). The store is synchronous; async adapters call the
core through `bot.service.AsyncCore`, which runs it on one worker thread so the
event loop never blocks on SQLite.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from . import migrations
from .errors import StoreError
from .richtext import Document
from .titles import normalize_title

# How long a writer waits for another process's transaction before giving up. Imports commit
# in short batches, so a member's /rate normally waits well under a second; the long ceiling is
# for a slow disk or a checkpoint, where waiting is still better than failing the member.
BUSY_TIMEOUT_MS = 30_000
# SQLite's page cache during an import (`Store.bulk`), in KiB.
BULK_CACHE_KIB = 64 * 1024
# ...and how many WAL pages may gather before a checkpoint (SQLite's default: 1,000).
BULK_CHECKPOINT_PAGES = 10_000


@dataclass(frozen=True)
class Film:
    id: int
    title: str
    year: int | None = None
    original_title: str | None = None
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    directors: tuple[str, ...] = ()
    cast: tuple[str, ...] = ()
    runtime: int | None = None
    keywords: tuple[str, ...] = ()
    overview: str = ""
    aliases: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title


@dataclass(frozen=True)
class Review:
    id: int
    film_id: int
    author: str
    platform: str
    rating: float | None
    body: Document
    spoiler_mode: str
    created_at: str
    author_id: str | None = None


@dataclass(frozen=True)
class ReviewRow:
    """A review ready to store: its text already read into rich-text JSON and plain text."""

    film_id: int
    author: str
    platform: str
    body_json: str
    plain: str
    rating: float | None = None
    author_id: str | None = None
    spoiler_mode: str = "auto"
    source_key: str | None = None
    created_at: str | None = None
    # The text's recommendation mood hits (`features.review_moods`), when import workers already
    # computed them off the write lock; None: the review hook computes them.
    moods: str | None = None


# A batch hook gets the films a write transaction touched and the (id, row) of the reviews it
# added (None: not known, re-read the films' reviews; a deletion passes no rows).
BatchHook = Callable[["Store", list[int], "Sequence[tuple[int, ReviewRow]] | None"], None]


class SerializedDatabase(sqlite_utils.Database):
    """A sqlite-utils Database whose connection may be shared between threads.

    sqlite-utils wraps each statement in a savepoint (`SAVEPOINT … RELEASE`); two
    threads interleaving those on one connection corrupt each other's
    transaction state. Adapters reach the store through AsyncCore's single
    worker thread, but a test, a CLI helper or a future caller on another
    thread must not be able to break that: one re-entrant lock serialises
    statements and whole transactions, so the guarantee holds by construction.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.lock = threading.RLock()
        super().__init__(conn)

    def execute(self, sql: str, parameters: Any = None) -> sqlite3.Cursor:
        with self.lock:
            return super().execute(sql, parameters)

    def query(self, sql: str, params: Any = None) -> Generator[dict[Any, Any], None, None]:
        # Rows are read inside the lock; callers keep their LIMITs, so this stays small.
        with self.lock:
            rows = list(super().query(sql, params))
        yield from rows

    @contextmanager
    def atomic(self) -> Generator[sqlite_utils.Database, None, None]:
        """A transaction that takes the write lock up front (`BEGIN IMMEDIATE`); nested: a savepoint.

        sqlite-utils opens a deferred `BEGIN`. In WAL mode a deferred transaction that
        has read and then writes cannot wait for the lock: if another process committed
        since its read, SQLite fails the upgrade at once with SQLITE_BUSY and
        busy_timeout never applies ("database is locked" while an import runs).
        `BEGIN IMMEDIATE` waits (busy_timeout) for its turn before reading anything,
        so every transaction that may write waits instead of failing.
        """
        with self.lock:
            if self.conn.in_transaction:
                with super().atomic() as db:
                    yield db
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise


FILM_LIST_FIELDS = ("countries", "languages", "genres", "directors", "cast", "keywords")


def _film_from_row(row: dict[str, Any], aliases: Iterable[str] = ()) -> Film:
    return Film(
        id=row["id"],
        title=row["title"],
        year=row["year"],
        original_title=row["original_title"],
        countries=tuple(json.loads(row["countries"])),
        languages=tuple(json.loads(row["languages"])),
        genres=tuple(json.loads(row["genres"])),
        directors=tuple(json.loads(row["directors"])),
        cast=tuple(json.loads(row["cast"])),
        runtime=row["runtime"],
        keywords=tuple(json.loads(row["keywords"])),
        overview=row["overview"] or "",
        aliases=tuple(aliases),
    )


class Store:
    """The bot's database. Open with `Store.open(path)`; close with `close()`."""

    def __init__(self, db: sqlite_utils.Database, path: Path | None = None) -> None:
        self.db = db
        self.path = path
        # Called inside every review write transaction with the film id, so derived
        # per-film data (recommendation features) can never drift from the reviews.
        self.review_hooks: list[Callable[[Store, int], None]] = []
        # The same, called once per transaction with every film it touched: derived data that
        # can be computed set-wise (the recommendation features) pays per batch, not per film.
        self.review_batch_hooks: list[BatchHook] = []
        # Set during an import (`MovieBot.bulk`): batch hooks may flag derived per-film data and
        # leave rebuilding it to the end of the import (see `features.on_reviews`).
        self.defer_reindex = False

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True) -> Store:
        """Open (creating and migrating) the database, or raise StoreError naming path and reason.

        `create=False` refuses a file that does not exist yet, for commands that act on the
        bot's existing database (an import run from the wrong folder must not quietly start
        a new, empty one).
        """
        p = Path(path)
        memory = str(p) == ":memory:"
        if not create and not memory and not p.is_file():
            raise StoreError(f"no database at {p.resolve()}")
        try:
            if not memory:
                p.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(p), check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
            db = SerializedDatabase(conn)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA foreign_keys = ON")
            if not memory:
                db.enable_wal()
            db.execute("PRAGMA synchronous = NORMAL")
            migrations.apply(db)
        except (sqlite3.Error, OSError, RuntimeError) as exc:
            raise StoreError(f"cannot open database {p}: {exc}") from exc
        return cls(db, p)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def atomic(self) -> Iterator[sqlite_utils.Database]:
        with self.db.atomic() as db:
            yield db

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Many batches of writes (an import): derived per-film data deferred, a bigger page cache.

        `defer_reindex` lets the review hooks flag films instead of rebuilding them per batch
        (the caller rebuilds at the end: `MovieBot.bulk`). The cache: each batch touches
        pages all over the review, full-text and feature indexes, and SQLite's default 2 MB
        cache re-read them batch after batch (a larger one made the end-of-import rebuild
        ~40% faster in bench/imports); it is only raised here, so the running bot's memory
        stays as `bench.recommend` measures it. The WAL is checkpointed every ~40 MB instead
        of every 4 MB: a batch rewrites index pages all over the file, and checkpointing them
        after every batch copied the same pages again and again.
        """
        if self.defer_reindex:  # nested: the outermost one restores
            yield
            return
        cache = int(self.db.execute("PRAGMA cache_size").fetchone()[0])
        checkpoint = int(self.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        self.db.execute(f"PRAGMA cache_size = {BULK_CACHE_KIB * -1}")
        self.db.execute(f"PRAGMA wal_autocheckpoint = {BULK_CHECKPOINT_PAGES}")
        self.defer_reindex = True
        try:
            yield
        finally:
            self.defer_reindex = False
            self.db.execute(f"PRAGMA cache_size = {cache}")
            self.db.execute(f"PRAGMA wal_autocheckpoint = {checkpoint}")

    def backup(self, target: str | Path) -> None:
        """A consistent copy of the live database at `target`, all or nothing.

        SQLite's backup API writes into a temporary file beside the target, which is
        flushed and then renamed into place: a failure (unwritable folder, full disk)
        raises StoreError naming the target and the reason and leaves no file behind,
        so a retry is never blocked by a half-written copy.
        """
        dest_path = Path(target)
        tmp: Path | None = None
        try:
            fd, name = tempfile.mkstemp(prefix=f".{dest_path.name}.", suffix=".tmp", dir=dest_path.parent or ".")
            os.close(fd)
            tmp = Path(name)
            dest = sqlite3.connect(str(tmp))
            try:
                with getattr(self.db, "lock", nullcontext()):
                    self.db.conn.backup(dest)
            finally:
                dest.close()
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            if dest_path.exists():
                raise FileExistsError(f"{dest_path} appeared while the backup ran")
            os.replace(tmp, dest_path)
            tmp = None
        except (sqlite3.Error, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise StoreError(f"cannot write backup {dest_path}: {reason}") from exc
        finally:
            if tmp is not None:
                for leftover in (tmp, *(Path(f"{tmp}{x}") for x in ("-journal", "-wal", "-shm"))):
                    leftover.unlink(missing_ok=True)

    # -- films -------------------------------------------------------------

    def film_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM films").fetchone()[0])

    def add_film(self, data: dict[str, Any], *, source: str = "catalog") -> int:
        """Insert one film with its titles; call inside `atomic()` when adding many."""
        with self.db.atomic():
            cur = self.db.execute(
                """INSERT INTO films (title, original_title, year, countries, languages, genres,
                       directors, "cast", runtime, keywords, overview, external_ids, source)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                [
                    data["title"],
                    data.get("original_title"),
                    data.get("year"),
                    *(json.dumps(list(data.get(k) or []), ensure_ascii=False) for k in FILM_LIST_FIELDS[:5]),
                    data.get("runtime"),
                    json.dumps(list(data.get("keywords") or []), ensure_ascii=False),
                    data.get("overview") or "",
                    json.dumps(data.get("external_ids") or {}, ensure_ascii=False),
                    source,
                ],
            )
            film_id = int(cur.lastrowid or 0)
            titles = [("title", data["title"])]
            if data.get("original_title"):
                titles.append(("original", data["original_title"]))
            titles += [("alias", a) for a in data.get("aliases") or []]
            for kind, title in titles:
                norm = normalize_title(title)
                if norm:
                    self.db.execute(
                        "INSERT OR IGNORE INTO film_titles (film_id, kind, title, norm) VALUES (?,?,?,?)",
                        [film_id, kind, title, norm],
                    )
        return film_id

    def find_film_id(self, title: str, year: int | None) -> int | None:
        row = self.db.execute(
            "SELECT id FROM films WHERE lower(title) = lower(?) AND coalesce(year, 0) = coalesce(?, 0)",
            [title, year],
        ).fetchone()
        return int(row[0]) if row else None

    def get_film(self, film_id: int) -> Film:
        # A plain cursor, not `db.query`: its savepoint made this lookup (once per film an import
        # names, 10,000 times in bench/imports) cost six times the query.
        with getattr(self.db, "lock", nullcontext()):
            cur = self.db.conn.execute("SELECT * FROM films WHERE id = ?", [film_id])
            row = cur.fetchone()
            names = [d[0] for d in cur.description]
        if row is None:
            raise KeyError(film_id)
        aliases = [
            r[0]
            for r in self.db.execute("SELECT title FROM film_titles WHERE film_id = ? AND kind = 'alias'", [film_id])
        ]
        return _film_from_row(dict(zip(names, row, strict=True)), aliases)

    def films(self, ids: Iterable[int]) -> list[Film]:
        ids = list(ids)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        by_id = {r["id"]: _film_from_row(r) for r in self.db.query(f"SELECT * FROM films WHERE id IN ({marks})", ids)}
        return [by_id[i] for i in ids if i in by_id]

    def title_index(self) -> list[tuple[int, str, int | None, str]]:
        """(film_id, normalized title, year, display title) for every known title of every film."""
        return [
            (r[0], r[1], r[2], r[3])
            for r in self.db.execute(
                "SELECT t.film_id, t.norm, f.year, f.title FROM film_titles t JOIN films f ON f.id = t.film_id"
            )
        ]

    def titles_after(self, after_id: int) -> list[tuple[int, str, int | None, str]]:
        """(film_id, a title as written, year, main title) for films with id > after_id (added elsewhere)."""
        return [
            (r[0], r[1], r[2], r[3])
            for r in self.db.execute(
                """SELECT t.film_id, t.title, f.year, f.title FROM film_titles t JOIN films f ON f.id = t.film_id
                   WHERE t.film_id > ? ORDER BY t.film_id""",
                [after_id],
            )
        ]

    def max_film_id(self) -> int:
        return int(self.db.execute("SELECT coalesce(max(id), 0) FROM films").fetchone()[0])

    def data_version(self) -> int:
        """SQLite's counter of commits by other connections (other processes): unchanged means nothing to reload.

        One PRAGMA, no table read, so asking it on every request costs microseconds.
        """
        with getattr(self.db, "lock", nullcontext()):
            return int(self.db.conn.execute("PRAGMA data_version").fetchone()[0])

    # -- reviews -----------------------------------------------------------

    def add_review(
        self,
        film_id: int,
        *,
        author: str,
        platform: str,
        body: Document,
        rating: float | None = None,
        author_id: str | None = None,
        spoiler_mode: str = "auto",
        source_key: str | None = None,
        created_at: str | None = None,
        announce: bool = True,
    ) -> int:
        """Store one review (a batch of one, see `add_reviews`); a stored `source_key` is an IntegrityError."""
        row = ReviewRow(
            film_id=film_id,
            author=author,
            platform=platform,
            body_json=body.to_json(),
            plain=body.plain,
            rating=rating,
            author_id=author_id,
            spoiler_mode=spoiler_mode,
            source_key=source_key,
            created_at=created_at,
        )
        review_id = self.add_reviews([row], announce=announce)[0]
        if review_id is None:
            raise sqlite3.IntegrityError("UNIQUE constraint failed: reviews.source_key")
        return review_id

    def add_reviews(self, rows: Sequence[ReviewRow], *, announce: bool = True) -> list[int | None]:
        """Store reviews in one transaction; the id of each, or None where its `source_key` is already stored.

        Everything derived is written in the same transaction: the FTS rows (one executemany),
        the feed's outbox when `announce` (one entry per active subscription that existed
        when the review was written: history is never posted to a channel that subscribed
        later), and the review hooks, run once per film of the batch rather than once per
        review, then the batch hooks (recommendation features) once with all its films, so
        a bulk import pays for each film once per batch, in a few set-wise statements.
        """
        ids: list[int | None] = []
        with self.db.atomic():
            conn = self.db.conn
            cur = conn.cursor()
            films: dict[int, None] = {}
            added: list[tuple[int, ReviewRow]] = []
            for r in rows:
                # A source_key already stored (a re-import; the same row twice in a batch) inserts
                # nothing: the unique index says so, no lookup needed first.
                cur.execute(
                    """INSERT INTO reviews (film_id, author, author_id, platform, rating, body, plain,
                           spoiler_mode, source_key, created_at)
                       VALUES (?,?,?,?,?,?,?,?,?, coalesce(?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))
                       ON CONFLICT (source_key) DO NOTHING""",
                    (
                        r.film_id,
                        r.author,
                        r.author_id,
                        r.platform,
                        r.rating,
                        r.body_json,
                        r.plain,
                        r.spoiler_mode,
                        r.source_key,
                        r.created_at,
                    ),
                )
                if cur.rowcount == 0:
                    ids.append(None)
                    continue
                review_id = int(cur.lastrowid or 0)
                ids.append(review_id)
                added.append((review_id, r))
                films[r.film_id] = None
            # The full-text rows (no insert trigger since m009: in one executemany they cost a third).
            cur.executemany("INSERT INTO reviews_fts (rowid, plain) VALUES (?,?)", [(i, r.plain) for i, r in added])
            if announce:
                cur.executemany(
                    """INSERT INTO outbox (review_id, subscription_id)
                       SELECT r.id, s.id FROM reviews r JOIN subscriptions s
                         ON s.paused_at IS NULL AND s.created_at <= r.created_at
                       WHERE r.id = ?""",
                    [(i,) for i in ids if i is not None],
                )
            for film_id in films:
                for hook in self.review_hooks:
                    hook(self, film_id)
            if films:
                for batch_hook in self.review_batch_hooks:
                    batch_hook(self, list(films), added)
        return ids

    def stored_source_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of these import keys are already stored (a re-import skips them before reading them)."""
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            chunk = list(keys[i : i + 500])
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0] for r in self.db.execute(f"SELECT source_key FROM reviews WHERE source_key IN ({marks})", chunk)
            )
        return found

    def find_review(self, film_id: int, plain: str) -> int | None:
        """The id of a review of this film with exactly this text, if one is stored."""
        row = self.db.execute(
            "SELECT id FROM reviews WHERE film_id = ? AND plain = ? ORDER BY id LIMIT 1", [film_id, plain]
        ).fetchone()
        return int(row[0]) if row else None

    def review_exists(self, source_key: str) -> bool:
        return self.db.execute("SELECT 1 FROM reviews WHERE source_key = ?", [source_key]).fetchone() is not None

    def reviews_for(self, film_id: int, *, limit: int = 50, offset: int = 0) -> list[Review]:
        return [
            self._review(r)
            for r in self.db.query(
                "SELECT * FROM reviews WHERE film_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                [film_id, limit, offset],
            )
        ]

    def review_count(self, film_id: int) -> int:
        return int(self.db.execute("SELECT count(*) FROM reviews WHERE film_id = ?", [film_id]).fetchone()[0])

    def get_review(self, review_id: int) -> Review | None:
        rows = list(self.db.query("SELECT * FROM reviews WHERE id = ?", [review_id]))
        return self._review(rows[0]) if rows else None

    def delete_review(self, review_id: int) -> bool:
        with self.db.atomic():
            row = self.db.execute("SELECT film_id FROM reviews WHERE id = ?", [review_id]).fetchone()
            if row is None:
                return False
            self.db.execute("DELETE FROM reviews WHERE id = ?", [review_id])
            for hook in self.review_hooks:
                hook(self, int(row[0]))
            for batch_hook in self.review_batch_hooks:
                batch_hook(self, [int(row[0])], [])
        return True

    @staticmethod
    def _review(r: dict[str, Any]) -> Review:
        return Review(
            id=r["id"],
            film_id=r["film_id"],
            author=r["author"],
            platform=r["platform"],
            rating=r["rating"],
            body=Document.from_json(r["body"]),
            spoiler_mode=r["spoiler_mode"],
            created_at=r["created_at"],
            author_id=r["author_id"],
        )

    # -- ratings -----------------------------------------------------------

    def set_rating(self, platform: str, user_id: str, film_id: int, rating: int) -> None:
        with self.db.atomic():
            self.db.execute(
                """INSERT INTO ratings (platform, user_id, film_id, rating) VALUES (?,?,?,?)
                   ON CONFLICT (platform, user_id, film_id) DO UPDATE SET rating = excluded.rating,
                       updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')""",
                [platform, user_id, film_id, rating],
            )

    def rating_summary(self, film_id: int) -> tuple[float | None, int]:
        """Average over member ratings and rated reviews, and how many there are."""
        row = self.db.execute(
            """SELECT avg(r), count(r) FROM (
                   SELECT rating AS r FROM ratings WHERE film_id = ?
                   UNION ALL SELECT rating FROM reviews WHERE film_id = ? AND rating IS NOT NULL)""",
            [film_id, film_id],
        ).fetchone()
        return (float(row[0]) if row[0] is not None else None, int(row[1]))

    def user_ratings(self, platform: str, user_id: str) -> list[tuple[int, int]]:
        return [
            (int(r[0]), int(r[1]))
            for r in self.db.execute(
                "SELECT film_id, rating FROM ratings WHERE platform = ? AND user_id = ? ORDER BY rating DESC",
                [platform, user_id],
            )
        ]

    # -- subscriptions -----------------------------------------------------

    def subscribe(self, platform: str, chat_id: str, thread_id: str | None, title: str, by: str) -> bool:
        """True when newly subscribed (or resumed from a pause), False when it already was."""
        with self.db.atomic():
            row = self.db.execute(
                "SELECT id, paused_at FROM subscriptions WHERE platform = ? AND chat_id = ? AND thread_id = ?",
                [platform, chat_id, thread_id or ""],
            ).fetchone()
            if row is None:
                self.db.execute(
                    """INSERT INTO subscriptions (platform, chat_id, thread_id, title, created_by)
                       VALUES (?,?,?,?,?)""",
                    [platform, chat_id, thread_id or "", title, by],
                )
                return True
            if row[1] is not None:
                self.db.execute("UPDATE subscriptions SET paused_at = NULL, pause_reason = NULL WHERE id = ?", [row[0]])
                return True
            return False

    def unsubscribe(self, platform: str, chat_id: str, thread_id: str | None) -> bool:
        with self.db.atomic():
            cur = self.db.execute(
                "DELETE FROM subscriptions WHERE platform = ? AND chat_id = ? AND thread_id = ?",
                [platform, chat_id, thread_id or ""],
            )
        return cur.rowcount > 0
