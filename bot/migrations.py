"""Schema migrations, applied in order on every start, tracked in PRAGMA user_version.

Each migration is a function that takes the open database and changes the
schema one step; it runs inside one transaction with the version bump, so a
migration that fails leaves the file as it was. Append new steps; never edit a
released one: a user's database may already be past it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_initial(db: sqlite_utils.Database) -> None:
    _script(
        db,
        """
        CREATE TABLE films (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            original_title TEXT,
            year INTEGER,
            countries TEXT NOT NULL DEFAULT '[]',
            languages TEXT NOT NULL DEFAULT '[]',
            genres TEXT NOT NULL DEFAULT '[]',
            directors TEXT NOT NULL DEFAULT '[]',
            "cast" TEXT NOT NULL DEFAULT '[]',
            runtime INTEGER,
            keywords TEXT NOT NULL DEFAULT '[]',
            overview TEXT NOT NULL DEFAULT '',
            external_ids TEXT NOT NULL DEFAULT '{}',
            source TEXT NOT NULL DEFAULT 'catalog',
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE UNIQUE INDEX films_title_year ON films (lower(title), coalesce(year, 0));
        CREATE TABLE film_titles (
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,          -- title | original | alias
            title TEXT NOT NULL,
            norm TEXT NOT NULL,
            PRIMARY KEY (film_id, norm)
        );
        CREATE INDEX film_titles_norm ON film_titles (norm);
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            author TEXT NOT NULL,
            author_id TEXT,
            platform TEXT NOT NULL,
            rating REAL CHECK (rating IS NULL OR (rating >= 0 AND rating <= 10)),
            body TEXT NOT NULL,          -- rich text Document as JSON
            plain TEXT NOT NULL,         -- all text, for full-text search
            spoiler_mode TEXT NOT NULL DEFAULT 'auto',
            source_key TEXT UNIQUE,      -- set by importers so a re-import adds nothing twice
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            edited_at TEXT
        );
        CREATE INDEX reviews_film ON reviews (film_id, created_at);
        CREATE TABLE ratings (
            platform TEXT NOT NULL,
            user_id TEXT NOT NULL,
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 10),
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            PRIMARY KEY (platform, user_id, film_id)
        );
        CREATE INDEX ratings_film ON ratings (film_id);
        CREATE TABLE subscriptions (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            thread_id TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL DEFAULT '',
            created_by TEXT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            paused_at TEXT,
            pause_reason TEXT,
            UNIQUE (platform, chat_id, thread_id)
        );
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
            subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
            status TEXT NOT NULL DEFAULT 'pending',   -- pending | sending | delivered | failed
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            last_error TEXT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            delivered_at TEXT,
            UNIQUE (review_id, subscription_id)
        );
        CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
        """,
    )
    db.table("films").enable_fts(
        ["title", "original_title", "keywords", "overview"], create_triggers=True, tokenize="porter"
    )
    db.table("reviews").enable_fts(["plain"], create_triggers=True, tokenize="porter")


def _script(db: sqlite_utils.Database, sql: str) -> None:
    """Run statements one by one: `executescript` would commit the open transaction."""
    for statement in sql.split(";\n"):
        if statement.strip():
            db.execute(statement)


def apply(db: sqlite_utils.Database) -> int:
    """Bring the schema up to date; returns the number of migrations applied.

    Each step runs in a `BEGIN IMMEDIATE` transaction that re-reads the version, so two
    processes starting at once (the bot and an import) never apply a step twice.
    Foreign keys are off while steps run, as SQLite's table-rebuild procedure requires
    (a DROP TABLE would otherwise cascade into the rows that point at it);
    `foreign_key_check` must be clean before each step commits.
    """
    current = db.execute("PRAGMA user_version").fetchone()[0]
    if current > len(MIGRATIONS):
        raise RuntimeError(
            f"schema version {current} is newer than this moviebot knows ({len(MIGRATIONS)}); upgrade moviebot"
        )
    if current == len(MIGRATIONS):
        return 0
    fk = db.execute("PRAGMA foreign_keys").fetchone()[0]
    db.execute("PRAGMA foreign_keys = OFF")
    applied = 0
    try:
        while True:
            with db.atomic():
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version >= len(MIGRATIONS):
                    break
                MIGRATIONS[version](db)
                bad = db.execute("PRAGMA foreign_key_check").fetchall()
                if bad:
                    raise RuntimeError(f"migration {version + 1} broke {len(bad)} foreign key(s), e.g. {bad[0]}")
                db.execute(f"PRAGMA user_version = {version + 1}")
            applied += 1
    finally:
        db.execute(f"PRAGMA foreign_keys = {'ON' if fk else 'OFF'}")
    return applied


# -- recommendations (issue 4) -------------------------------------------------
# Per-film features kept at write time so a recommendation never scans reviews:
# rec_film holds one row of facts, moods and rating sums per film; rec_tag and
# rec_mood are the indexes candidates are drawn from (best first); rec_review
# remembers which reviews were already read for moods. Ratings change through
# plain SQL, so triggers keep their sums; reviews go through the store's review
# hook. The prior (rating shrunk towards 6.5, plus how much people engaged)
# orders candidates; the engine scores them properly afterwards.
#
# m002 as released also created three triggers on `ratings` that computed the
# prior in SQL, a second copy of the formula; m003 drops them. A database still
# at version 1 gets the same end state without ever creating them, so the prior
# is written in one place: `bot.recommend.features.prior`.


@migration
def m002_recommend_features(db: sqlite_utils.Database) -> None:
    _script(
        db,
        """
        CREATE TABLE rec_film (
            film_id INTEGER PRIMARY KEY REFERENCES films(id) ON DELETE CASCADE,
            synced INTEGER NOT NULL DEFAULT 0,
            year INTEGER,
            runtime INTEGER,
            countries TEXT NOT NULL DEFAULT '',
            languages TEXT NOT NULL DEFAULT '',
            genres TEXT NOT NULL DEFAULT '',
            directors TEXT NOT NULL DEFAULT '',
            keywords TEXT NOT NULL DEFAULT '',
            series TEXT NOT NULL DEFAULT '',
            base_moods TEXT NOT NULL DEFAULT '',
            moods TEXT NOT NULL DEFAULT '',
            n_reviews INTEGER NOT NULL DEFAULT 0,
            rev_sum REAL NOT NULL DEFAULT 0,
            rev_n INTEGER NOT NULL DEFAULT 0,
            rat_sum REAL NOT NULL DEFAULT 0,
            rat_n INTEGER NOT NULL DEFAULT 0,
            prior REAL NOT NULL DEFAULT 0.65
        );
        CREATE TABLE rec_tag (
            tag TEXT NOT NULL,
            prior REAL NOT NULL,
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE
        );
        CREATE INDEX rec_tag_rank ON rec_tag (tag, prior DESC);
        CREATE INDEX rec_tag_film ON rec_tag (film_id);
        CREATE TABLE rec_mood (
            key TEXT NOT NULL,
            score REAL NOT NULL,
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE
        );
        CREATE INDEX rec_mood_rank ON rec_mood (key, score DESC);
        CREATE INDEX rec_mood_film ON rec_mood (film_id);
        CREATE TABLE rec_review (
            review_id INTEGER PRIMARY KEY REFERENCES reviews(id) ON DELETE CASCADE,
            film_id INTEGER NOT NULL,
            moods TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX rec_review_film ON rec_review (film_id)
        """,
    )


@migration
def m003_recommend_people_and_one_prior(db: sqlite_utils.Database) -> None:
    """People on each film's features; ratings only flag a film for the recommender to re-read.

    The flag triggers only UPDATE (never INSERT OR IGNORE, which an UPSERT on
    ratings would override), so `Store.set_rating` can be a plain UPSERT. All
    films are marked unsynced: the recommender rebuilds their features (with
    people, and the prior from Python) on its next start.
    """
    for event in ("insert", "update", "delete"):
        db.execute(f"DROP TRIGGER IF EXISTS rec_ratings_{event}")
    _script(
        db,
        """
        ALTER TABLE rec_film ADD COLUMN people TEXT NOT NULL DEFAULT '';
        ALTER TABLE rec_film ADD COLUMN rat_stale INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX rec_film_rat_stale ON rec_film (film_id) WHERE rat_stale = 1;
        UPDATE rec_film SET synced = 0
        """,
    )
    for event, ref in (("INSERT", "new"), ("UPDATE", "new"), ("DELETE", "old")):
        db.execute(
            f"""CREATE TRIGGER rec_ratings_stale_{event.lower()} AFTER {event} ON ratings BEGIN
                    UPDATE rec_film SET rat_stale = 1 WHERE film_id = {ref}.film_id;
                END"""
        )


# -- watchlists and movie nights (issue 13) --------------------------------------
# chat_members remembers who has used the bot in which chat, so "the people here"
# (whose watchlists and ratings a movie night draws on) is known without a member
# list from the platform, which bots often cannot read. A watchlist is per member
# per platform, the same in every chat.


@migration
def m004_watchlists(db: sqlite_utils.Database) -> None:
    _script(
        db,
        """
        CREATE TABLE chat_members (
            platform TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            user_name TEXT NOT NULL DEFAULT '',
            last_seen TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            PRIMARY KEY (platform, chat_id, user_id)
        );
        CREATE TABLE watchlist (
            platform TEXT NOT NULL,
            user_id TEXT NOT NULL,
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            PRIMARY KEY (platform, user_id, film_id)
        );
        CREATE INDEX watchlist_film ON watchlist (film_id)
        """,
    )


# -- the store under real use (issue 11) ---------------------------------------------------------


def _with_autoincrement(create_sql: str) -> str:
    out, n = re.subn(
        r"(\bid\s+INTEGER\s+PRIMARY\s+KEY)(?!\s+AUTOINCREMENT)", r"\1 AUTOINCREMENT", create_sql, count=1, flags=re.I
    )
    if n != 1:
        raise RuntimeError("reviews has no `id INTEGER PRIMARY KEY` column to make AUTOINCREMENT")
    return out


@migration
def m005_review_ids_never_reused(db: sqlite_utils.Database) -> None:
    """Review numbers are never handed out twice: an admin acting on an old `#14` must not delete a newer review.

    Plain INTEGER PRIMARY KEY reuses the highest id after a delete; AUTOINCREMENT does not.
    SQLite cannot add it in place, so the table is rebuilt (SQLite's 12-step procedure): the
    columns are whatever the table has now (other steps may have added some), every row keeps
    its id, and the table's indexes and triggers (FTS sync) are recreated from sqlite_master.
    Foreign keys are off during migrations (`apply`), so nothing cascades from the drop.
    """
    row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'reviews'").fetchone()
    if "AUTOINCREMENT" in row[0].upper():
        return
    extras = [
        r[0]
        for r in db.execute(
            """SELECT sql FROM sqlite_master
               WHERE tbl_name = 'reviews' AND type IN ('index', 'trigger') AND sql IS NOT NULL"""
        )
    ]
    cols = ", ".join(f'"{r[1]}"' for r in db.execute("PRAGMA table_info(reviews)"))
    create = _with_autoincrement(row[0])
    create = re.sub(
        r"^\s*CREATE\s+TABLE\s+(?:\"reviews\"|reviews|\[reviews\]|`reviews`)",
        "CREATE TABLE reviews_m005",
        create,
        count=1,
        flags=re.I,
    )
    db.execute(create)
    db.execute(f"INSERT INTO reviews_m005 ({cols}) SELECT {cols} FROM reviews")
    db.execute("DROP TABLE reviews")
    # Legacy rename: leave other objects' text alone (they name `reviews`, which is what it becomes).
    db.execute("PRAGMA legacy_alter_table = ON")
    try:
        db.execute("ALTER TABLE reviews_m005 RENAME TO reviews")
    finally:
        db.execute("PRAGMA legacy_alter_table = OFF")
    for sql in extras:
        db.execute(sql)


@migration
def m006_movie_nights(db: sqlite_utils.Database) -> None:
    """Votes live in the database, so a restart mid-vote loses nothing.

    Times are Unix seconds from the bot's clock (a test passes its own). The
    partial unique index is the rule "one open vote per chat (or forum topic)",
    enforced where two simultaneous /movienight commands cannot both pass it.
    """
    _script(
        db,
        """
        CREATE TABLE movie_nights (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            thread_id TEXT NOT NULL DEFAULT '',
            started_by TEXT NOT NULL,
            starter_name TEXT NOT NULL DEFAULT '',
            what TEXT NOT NULL DEFAULT '',
            started_at REAL NOT NULL,
            closes_at REAL NOT NULL,
            closed_at REAL,
            winner_film_id INTEGER REFERENCES films(id) ON DELETE SET NULL,
            result TEXT
        );
        CREATE UNIQUE INDEX movie_nights_one_open ON movie_nights (platform, chat_id, thread_id)
            WHERE closed_at IS NULL;
        CREATE TABLE movie_night_candidates (
            night_id INTEGER NOT NULL REFERENCES movie_nights(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            reason TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (night_id, position)
        );
        CREATE TABLE movie_night_votes (
            night_id INTEGER NOT NULL REFERENCES movie_nights(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            user_name TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL,
            voted_at REAL NOT NULL,
            PRIMARY KEY (night_id, user_id)
        )
        """,
    )


@migration
def m007_reread_spoiler_markup_shown_as_text(db: sqlite_utils.Database) -> None:
    """Reviews stored while their spoiler markup was not understood showed the secret (issue 10).

    Telegram's ``<span class="tg-spoiler">`` with no other tag, Reddit markers across
    paragraphs, ``||…||`` inside a Letterboxd export and cues inside a paragraph were
    stored as literal text, so /review and the feed showed them. Such a review still
    holds the markup in its text: it is read again, through the same `read_review` as
    new reviews. Only reviews with nothing hidden and in ``auto`` mode are touched (an
    admin's ``none`` stays, and nothing that was hidden becomes visible); inline styles
    of a re-read review are lost, which is the price of not leaking its secret.
    """
    from .richtext import Document, read_review

    rows = db.execute(
        "SELECT id, body, plain FROM reviews WHERE spoiler_mode = 'auto' AND (plain LIKE '%spoiler%' "
        "OR instr(plain, '||') > 0 OR (instr(plain, '>!') > 0 AND instr(plain, '!<') > 0))"
    ).fetchall()
    for review_id, body, plain in rows:
        if Document.from_json(body).has_spoilers:
            continue
        again = read_review(plain)
        if again.blocks and again.has_spoilers:
            db.execute("UPDATE reviews SET body = ?, plain = ? WHERE id = ?", [again.to_json(), again.plain, review_id])


@migration
def m008_review_features_flagged_and_summed(db: sqlite_utils.Database) -> None:
    """Per-film review mood sums kept as they grow, and a flag for films whose indexes are behind.

    An import touches nearly every film in every batch; rewriting each touched film's ~40
    index rows per batch was most of its write cost (issue 11). Now a batch adds its reviews'
    moods to `mood_sums` (covering `mood_n` rec_review rows; -1: not summed yet, so they are
    summed from rec_review when next needed) and sets `stale`, in the same transaction as the
    reviews; the film's moods, prior and index rows are rebuilt once, at the end of the
    import or, after a `kill -9`, before the next recommendation reads them.
    """
    have = {r[1] for r in db.execute("PRAGMA table_info(rec_film)").fetchall()}
    for column, decl in (
        ("stale", "INTEGER NOT NULL DEFAULT 0"),
        ("mood_sums", "TEXT NOT NULL DEFAULT ''"),
        ("mood_n", "INTEGER NOT NULL DEFAULT -1"),
    ):
        if column not in have:  # safe to run again
            db.execute(f"ALTER TABLE rec_film ADD COLUMN {column} {decl}")
    db.execute("CREATE INDEX IF NOT EXISTS rec_film_stale ON rec_film (film_id) WHERE stale = 1")


@migration
def m009_review_fts_written_by_the_store(db: sqlite_utils.Database) -> None:
    """New reviews' full-text rows are written by `Store.add_reviews`, set-wise, not by a trigger.

    The per-row insert trigger made each review's FTS insert about three times as costly as
    the same inserts made in one executemany after the batch's rows (issue 11, bench/imports);
    `Store.add_reviews` is the one place reviews are inserted, and it writes both in the same
    transaction. The delete and update triggers stay: those are rare and one row at a time.
    """
    db.execute('DROP TRIGGER IF EXISTS "reviews_ai"')
