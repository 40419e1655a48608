"""Per-film features, kept current at write time.

A query must never read all reviews: at 1,000,000 reviews an FTS pass over
common words costs ~300 ms. So everything a recommendation needs about a film
(its facts, mood scores from the catalog and from what reviewers wrote, rating
sums) lives in `rec_film`, and the indexes candidates are drawn from live in
`rec_tag` / `rec_mood`. They are written:

- for films: by `sync_films`, which picks up films added since the last call
  (the recommender calls it on start and before each query; it is one indexed
  lookup when nothing changed);
- for reviews: by `on_reviews` (`on_review` for one film), registered in
  `store.review_batch_hooks`, so it runs once per write transaction, inside the
  same transaction as the review inserts or delete: the reviews' moods go into
  rec_review and the film's running `mood_sums`, and the film is flagged
  `stale`. Its moods, prior and index rows are rebuilt (`rebuild`) in the same
  transaction, or, during an import (`store.defer_reindex`), once per film at
  its end: a batch then costs its reviews, not ~40 index rows per touched film;
- for member ratings: a trigger (migration m003) only flags the film
  (`rat_stale`).

`reindex_stale` rebuilds every flagged film before each query (and at the end
of an import), so whatever wrote the reviews or ratings (/rate, an import,
another process, an import killed halfway), a query never reads a film whose
features are behind, and the rating prior is computed in one place, `prior`.
"""

from __future__ import annotations

import json
import re
import sqlite3
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

import sqlite_utils

from ..store import ReviewRow, Store
from ..titles import normalize_title
from .lexicon import ACCLAIM_KEYWORDS, GENRE_MOODS, KEYWORD_MOODS, MOOD_LABELS, review_mood_hits
from .people import person_key

# Catalog facts alone top out here, so what reviewers say can still move a film up.
BASE_CAP = 0.85
MOOD_INDEX_MIN = 0.12  # moods weaker than this are not worth an index row
PRIOR_MEAN, PRIOR_WEIGHT = 6.5, 5.0
_ACCLAIM_SET = frozenset(ACCLAIM_KEYWORDS)
ACCLAIM_WEIGHT = 0.04  # less than one vote's worth: ratings here always win
TIEBREAK_WEIGHT = 0.002

SERIES_TAIL = re.compile(r"(?:\s+(?:part\s+)?(?:\d+|ii|iii|iv|v|vi|two|three))+$")


def encode_moods(moods: dict[str, float]) -> str:
    return " ".join(f"{m}={v:.3f}" for m, v in sorted(moods.items()) if v)


def decode_moods(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in text.split():
        m, _, v = item.partition("=")
        try:
            out[m] = float(v)
        except ValueError:
            continue
    return out


def series_key(title: str) -> str:
    """`The Conjuring 2` and `The Conjuring` share a key, as do remakes: used to keep picks varied."""
    head = title.split(":", 1)[0]
    return SERIES_TAIL.sub("", normalize_title(head)) or normalize_title(title)


def catalog_moods(keywords: Iterable[str], genres: Iterable[str]) -> dict[str, float]:
    """Mood scores from catalog keywords and genres (noisy-or), so unreviewed films still match moods."""
    keep: dict[str, float] = {}
    negative: set[str] = set()
    for source, table in ((keywords, KEYWORD_MOODS), (genres, GENRE_MOODS)):
        for word in source:
            for mood, w in table.get(word.lower(), {}).items():
                if w < 0:
                    negative.add(mood)
                else:
                    keep[mood] = keep.get(mood, 0.0) + w - keep.get(mood, 0.0) * w  # 1-(1-a)(1-w)
    out = {m: round(BASE_CAP * v, 3) for m, v in keep.items() if m not in negative}
    for m in negative:
        out[m] = -1.0
    return out


def review_moods(plain: str) -> str:
    """One review's mood hits as stored in rec_review; pure, so import workers compute it off the write lock."""
    return encode_moods({m: round(v, 2) for m, v in review_mood_hits(plain).items()})


def sums_text(sums: dict[str, float]) -> str:
    """Per-film mood strength sums at full precision (repr round-trips), so adding one review's
    strengths later gives exactly what summing all of them afresh gives (`decode_moods` reads it)."""
    return " ".join(f"{m}={v!r}" for m, v in sorted(sums.items()))


def review_strengths(hits: dict[str, float]) -> dict[str, float]:
    """How strongly one review shows each mood, 0..1 (three solid mentions is as strong as it gets)."""
    return {m: min(1.0, h / 3.0) for m, h in hits.items() if m in MOOD_LABELS}


def combine_moods(base: dict[str, float], strength_sums: dict[str, float], n_reviews: int) -> dict[str, float]:
    """Catalog moods and review evidence, noisy-or; one review counts, many agreeing count more."""
    out: dict[str, float] = {}
    for m in set(base) | set(strength_sums):
        rv = strength_sums.get(m, 0.0) / (n_reviews + 1.0)
        b = base.get(m, 0.0)
        v = max(0.0, rv - 0.5) if b < 0 else 1.0 - (1.0 - b) * (1.0 - rv)
        if v > 0.0:
            out[m] = round(v, 3)
    return out


def bayes_rating(rev_sum: float, rev_n: int, rat_sum: float, rat_n: int) -> float:
    """Ratings shrunk towards PRIOR_MEAN: one 10/10 does not beat forty 8/10s."""
    return (PRIOR_MEAN * PRIOR_WEIGHT + rev_sum + rat_sum) / (PRIOR_WEIGHT + rev_n + rat_n)


def acclaim(keywords: Iterable[str]) -> float:
    """0..1 from the catalog's own words ("classic", "iconic"): what a new community starts from."""
    hits = _ACCLAIM_SET.intersection(keywords)
    return min(1.0, sum(ACCLAIM_KEYWORDS[k] for k in hits)) if hits else 0.0


def prior(
    n_reviews: int,
    rev_sum: float,
    rev_n: int,
    rat_sum: float,
    rat_n: int,
    keywords: Iterable[str] = (),
    film_id: int = 0,
) -> float:
    """The one rating prior: orders every candidate list (rec_tag) and is the base of each score.

    Community ratings dominate; catalog acclaim, then a fixed pseudo-random tiebreak per film, only
    separate films nobody has rated yet, so a fresh install never falls back to the order of the
    catalog file (whose first lines are Korean).
    """
    engaged = n_reviews + rat_n
    return (
        bayes_rating(rev_sum, rev_n, rat_sum, rat_n) / 10.0
        + 0.15 * engaged / (engaged + 5.0)
        + ACCLAIM_WEIGHT * acclaim(keywords)
        + TIEBREAK_WEIGHT * zlib.crc32(str(film_id).encode()) / 0xFFFFFFFF
    )


def film_tags(
    countries: Sequence[str],
    genres: Sequence[str],
    languages: Sequence[str],
    directors: Sequence[str],
    year: int | None,
    keywords: Sequence[str] = (),
    people: Sequence[str] = (),
) -> list[str]:
    tags = ["*"]
    tags += [f"k:{k}" for k in keywords]
    tags += [f"c:{c}" for c in countries]
    tags += [f"g:{g}" for g in genres]
    tags += [f"cg:{c}|{g}" for c in countries for g in genres]
    tags += [f"l:{lang}" for lang in languages]
    tags += [f"d:{d.casefold()}" for d in directors]
    tags += [f"p:{p.split(':', 1)[-1]}" for p in people]
    if year:
        tags.append(f"y:{year // 10 * 10}")
    return list(dict.fromkeys(tags))


def mood_keys(moods: dict[str, float], countries: Sequence[str], genres: Sequence[str]) -> list[tuple[str, float]]:
    """Index rows for a film's moods: alone and crossed with its countries and genres.

    The crossed keys let "sad korean" find the saddest Korean films directly,
    instead of hoping they are among the saddest films overall.
    """
    rows: list[tuple[str, float]] = []
    for m, v in moods.items():
        if v < MOOD_INDEX_MIN:
            continue
        rows.append((f"m:{m}", v))
        rows += [(f"m:{m}|{c}", v) for c in countries]
        rows += [(f"m:{m}|{g}", v) for g in genres]
    return rows


def _lists(row: dict[str, Any]) -> dict[str, list[str]]:
    return {
        k: json.loads(row[k] or "[]") for k in ("countries", "languages", "genres", "directors", "cast", "keywords")
    }


def people_field(directors: Sequence[str], cast: Sequence[str]) -> str:
    """`d:parkchanwook|c:songkangho|…`: who made and who is in a film, by person key."""
    keys = [f"d:{person_key(d)}" for d in directors] + [f"c:{person_key(c)}" for c in cast[:8]]
    return "|".join(dict.fromkeys(k for k in keys if len(k) > 2))


def _write_film(db: sqlite_utils.Database, row: dict[str, Any]) -> None:
    """Catalog facts of one film into rec_film (review and rating sums kept as they are)."""
    lists = _lists(row)
    base = catalog_moods(lists["keywords"], lists["genres"])
    db.execute(
        """INSERT INTO rec_film (film_id, synced, year, runtime, countries, languages, genres, directors,
               keywords, series, base_moods, moods, people)
           VALUES (?,1,?,?,?,?,?,?,?,?,?,?,?)
           ON CONFLICT (film_id) DO UPDATE SET synced = 1, year = excluded.year, runtime = excluded.runtime,
               countries = excluded.countries, languages = excluded.languages, genres = excluded.genres,
               directors = excluded.directors, keywords = excluded.keywords, series = excluded.series,
               base_moods = excluded.base_moods, people = excluded.people""",
        [
            row["id"],
            row["year"],
            row["runtime"],
            "|".join(lists["countries"]),
            "|".join(lists["languages"]),
            "|".join(lists["genres"]),
            "|".join(lists["directors"]),
            "|".join(lists["keywords"]),
            series_key(row["title"]),
            encode_moods(base),
            encode_moods({m: v for m, v in base.items() if v > 0}),
            people_field(lists["directors"], lists["cast"]),
        ],
    )


def _reindex(db: sqlite_utils.Database, film_id: int) -> None:
    """Recompute moods and prior of one film from its rec_film row and rec_review rows."""
    f = db.execute(
        """SELECT countries, languages, genres, directors, year, base_moods, n_reviews, rev_sum, rev_n,
                  rat_sum, rat_n, keywords, people FROM rec_film WHERE film_id = ?""",
        [film_id],
    ).fetchone()
    if f is None:
        return
    countries, languages, genres = (s.split("|") if s else [] for s in f[:3])
    directors = f[3].split("|") if f[3] else []
    sums: dict[str, float] = {}
    n_read = 0
    for (text,) in db.execute("SELECT moods FROM rec_review WHERE film_id = ?", [film_id]):
        n_read += 1
        for m, v in review_strengths(decode_moods(text)).items():
            sums[m] = sums.get(m, 0.0) + v
    moods = combine_moods(decode_moods(f[5]), sums, int(f[6]))
    keywords = f[11].split("|") if f[11] else []
    p = prior(int(f[6]), float(f[7]), int(f[8]), float(f[9]), int(f[10]), keywords, film_id)
    db.execute(
        "UPDATE rec_film SET moods = ?, prior = ?, mood_sums = ?, mood_n = ?, stale = 0 WHERE film_id = ?",
        [encode_moods(moods), p, sums_text(sums), n_read, film_id],
    )
    db.execute("DELETE FROM rec_tag WHERE film_id = ?", [film_id])
    db.execute("DELETE FROM rec_mood WHERE film_id = ?", [film_id])
    db.conn.executemany(
        "INSERT INTO rec_tag (tag, prior, film_id) VALUES (?,?,?)",
        [
            (t, p, film_id)
            for t in film_tags(
                countries, genres, languages, directors, f[4], keywords, f[12].split("|") if f[12] else []
            )
        ],
    )
    db.conn.executemany(
        "INSERT INTO rec_mood (key, score, film_id) VALUES (?,?,?)",
        [(k, v, film_id) for k, v in mood_keys(moods, countries, genres)],
    )


def sync_films(db: sqlite_utils.Database, after_id: int = 0, batch: int = 2000) -> int:
    """Add features for films (with id > after_id) that have none yet; returns how many."""
    done = 0
    while True:
        rows = list(
            db.query(
                """SELECT f.* FROM films f LEFT JOIN rec_film r ON r.film_id = f.id
                   WHERE f.id > ? AND (r.film_id IS NULL OR r.synced = 0) ORDER BY f.id LIMIT ?""",
                [after_id, batch],
            )
        )
        if not rows:
            return done
        with db.atomic():
            for row in rows:
                _write_film(db, row)
                # Reviews may predate the features (an old database, a bulk import): read them now.
                _refresh_reviews(db, row["id"])
        done += len(rows)


def _refresh_reviews(db: sqlite_utils.Database, film_id: int) -> None:
    """Read this film's reviews not yet read for moods, then recompute its sums, moods and prior."""
    new = db.execute(
        """SELECT r.id, r.plain FROM reviews r WHERE r.film_id = ?
           AND NOT EXISTS (SELECT 1 FROM rec_review x WHERE x.review_id = r.id)""",
        [film_id],
    ).fetchall()
    if new:
        db.conn.executemany(
            "INSERT INTO rec_review (review_id, film_id, moods) VALUES (?,?,?)",
            [
                (rid, film_id, encode_moods({m: round(v, 2) for m, v in review_mood_hits(plain).items()}))
                for rid, plain in new
            ],
        )
    n, rsum, rn = db.execute(
        "SELECT count(*), coalesce(sum(rating), 0), count(rating) FROM reviews WHERE film_id = ?", [film_id]
    ).fetchone()
    db.execute("UPDATE rec_film SET n_reviews = ?, rev_sum = ?, rev_n = ? WHERE film_id = ?", [n, rsum, rn, film_id])
    _read_ratings(db, film_id)
    _reindex(db, film_id)


def _read_ratings(db: sqlite_utils.Database, film_id: int) -> None:
    s, n = db.execute("SELECT coalesce(sum(rating), 0), count(*) FROM ratings WHERE film_id = ?", [film_id]).fetchone()
    db.execute("UPDATE rec_film SET rat_sum = ?, rat_n = ?, rat_stale = 0 WHERE film_id = ?", [s, n, film_id])


def on_review(store: Store, film_id: int) -> None:
    """Review hook: runs inside the review's transaction (insert or delete)."""
    db = store.db
    row = db.execute("SELECT synced FROM rec_film WHERE film_id = ?", [film_id]).fetchone()
    if row is None or not row[0]:
        films = list(db.query("SELECT * FROM films WHERE id = ?", [film_id]))
        if not films:
            return
        _write_film(db, films[0])
    _refresh_reviews(db, film_id)


def on_reviews(store: Store, film_ids: Iterable[int], added: Sequence[tuple[int, ReviewRow]] | None = None) -> None:
    """Batch review hook: for every film given, what `on_review` stores, in a few set-wise statements.

    Why: a bulk import touches thousands of films per batch. Per batch this reads the new
    reviews' moods (`added`: the batch's (id, row) pairs, whose `moods` import workers may have
    computed already) into rec_review and adds their strengths to each film's `mood_sums`, in
    review id order, so the sums are exactly what re-reading every review gives; a film with
    no added rows (a deletion, reviews another process wrote) or whose sums do not cover its
    rec_review rows is summed afresh. Each film is flagged `stale`; its moods, prior and index
    rows are rebuilt (`rebuild`) at once, or, while `store.defer_reindex` (an import), once at
    the end (`reindex_stale`). tests/test_features_batch.py compares the result with the
    per-review path. Runs inside the caller's transaction, so the flag commits with the reviews.
    """
    db = store.db
    conn = db.conn
    ids = json.dumps(sorted(set(film_ids)))
    if ids == "[]":
        return
    for row in db.query(
        f"""SELECT f.* FROM films f LEFT JOIN rec_film r ON r.film_id = f.id
            WHERE f.id IN {_TOUCHED} AND (r.film_id IS NULL OR r.synced = 0) ORDER BY f.id""",
        [ids],
    ):
        _write_film(db, row)
    # on_review skips a film with no catalog row unless its features already exist (synced).
    films = {
        r[0]: (r[1], int(r[2]))
        for r in conn.execute(
            f"SELECT film_id, mood_sums, mood_n FROM rec_film WHERE synced = 1 AND film_id IN {_TOUCHED}", [ids]
        )
    }
    if not films:
        return
    ids = json.dumps(sorted(films))
    fresh: dict[int, list[str]] = {}
    new_rows: list[tuple[int, int, str]] = []
    for rid, review in added or ():
        if review.film_id in films:
            moods = review.moods if review.moods is not None else review_moods(review.plain)
            fresh.setdefault(review.film_id, []).append(moods)
            new_rows.append((rid, review.film_id, moods))
    others = json.dumps([f for f in films if f not in fresh])
    if others != "[]":
        new_rows += [
            (rid, fid, review_moods(plain))
            for rid, fid, plain in conn.execute(
                f"""SELECT r.id, r.film_id, r.plain FROM reviews r WHERE r.film_id IN {_TOUCHED}
                    AND NOT EXISTS (SELECT 1 FROM rec_review x WHERE x.review_id = r.id)""",
                [others],
            )
        ]
    conn.executemany("INSERT INTO rec_review (review_id, film_id, moods) VALUES (?,?,?)", new_rows)
    have = dict(
        conn.execute(f"SELECT film_id, count(*) FROM rec_review WHERE film_id IN {_TOUCHED} GROUP BY film_id", [ids])
    )
    updates: list[tuple[str, int, int]] = []
    resum: list[int] = []
    for fid, (stored, n) in films.items():
        new = fresh.get(fid)
        if new is None or n < 0 or have.get(fid, 0) != n + len(new):
            resum.append(fid)
            continue
        sums = decode_moods(stored)
        for text in new:
            for m, v in review_strengths(decode_moods(text)).items():
                sums[m] = sums.get(m, 0.0) + v
        updates.append((sums_text(sums), n + len(new), fid))
    updates += [(sums_text(sums), n, fid) for fid, (sums, n) in _summed(conn, resum).items()]
    conn.executemany("UPDATE rec_film SET mood_sums = ?, mood_n = ?, stale = 1 WHERE film_id = ?", updates)
    if not store.defer_reindex:
        rebuild(conn, list(films))


_TOUCHED = "(SELECT value FROM json_each(?))"


def _summed(conn: sqlite3.Connection, film_ids: Sequence[int]) -> dict[int, tuple[dict[str, float], int]]:
    """Mood strength sums and rec_review row count per film, read afresh in review id order."""
    out: dict[int, tuple[dict[str, float], int]] = {}
    if not film_ids:
        return out
    acc: dict[int, list[Any]] = {fid: [{}, 0] for fid in film_ids}
    for fid, text in conn.execute(
        f"SELECT film_id, moods FROM rec_review WHERE film_id IN {_TOUCHED} ORDER BY film_id, review_id",
        [json.dumps(list(film_ids))],
    ):
        entry = acc[fid]
        entry[1] += 1
        sums = entry[0]
        for m, v in review_strengths(decode_moods(text)).items():
            sums[m] = sums.get(m, 0.0) + v
    for fid, (sums, n) in acc.items():
        out[fid] = (sums, n)
    return out


def rebuild(conn: sqlite3.Connection, film_ids: Sequence[int]) -> None:
    """Recompute review and rating sums, moods, prior and index rows of these films, set-wise.

    Moods come from each film's `mood_sums` (summed afresh where they were never kept);
    review and rating sums are re-aggregated in SQL, as the per-film path does. Clears the
    films' `stale` and `rat_stale` flags. Runs inside the caller's transaction, so a reader
    sees a film's features either all before or all after.
    """
    if not film_ids:
        return
    ids = json.dumps(sorted(set(film_ids)))
    films = conn.execute(
        f"""SELECT film_id, countries, languages, genres, directors, year, base_moods, keywords, people,
                   mood_sums, mood_n FROM rec_film WHERE synced = 1 AND film_id IN {_TOUCHED} ORDER BY film_id""",
        [ids],
    ).fetchall()
    unsynced = json.dumps(sorted(set(film_ids) - {f[0] for f in films}))
    if unsynced != "[]":  # sync_films builds these; only the flags go
        conn.execute(f"UPDATE rec_film SET stale = 0, rat_stale = 0 WHERE film_id IN {_TOUCHED}", [unsynced])
    if not films:
        return
    resummed = _summed(conn, [f[0] for f in films if f[10] < 0])
    counts = {
        r[0]: r[1:]
        for r in conn.execute(
            f"""SELECT film_id, count(*), coalesce(sum(rating), 0), count(rating) FROM reviews
                WHERE film_id IN {_TOUCHED} GROUP BY film_id""",
            [ids],
        )
    }
    rated = {
        r[0]: r[1:]
        for r in conn.execute(
            f"""SELECT film_id, coalesce(sum(rating), 0), count(*) FROM ratings
                WHERE film_id IN {_TOUCHED} GROUP BY film_id""",
            [ids],
        )
    }
    updates: list[tuple[Any, ...]] = []
    tags: list[tuple[str, float, int]] = []
    moods_rows: list[tuple[str, float, int]] = []
    for fid, countries_s, languages_s, genres_s, directors_s, year, base_s, keywords_s, people_s, sums_s, sn_ in films:
        n, rsum, rn = counts.get(fid, (0, 0, 0))
        ssum, sn = rated.get(fid, (0, 0))
        if fid in resummed:
            sums, sums_n = resummed[fid]
        else:
            sums, sums_n = decode_moods(sums_s), sn_
        countries, languages, genres = (s.split("|") if s else [] for s in (countries_s, languages_s, genres_s))
        directors = directors_s.split("|") if directors_s else []
        keywords = keywords_s.split("|") if keywords_s else []
        moods = combine_moods(decode_moods(base_s), sums, int(n))
        p = prior(int(n), float(rsum), int(rn), float(ssum), int(sn), keywords, fid)
        updates.append((n, rsum, rn, ssum, sn, encode_moods(moods), p, sums_text(sums), sums_n, fid))
        people = people_s.split("|") if people_s else []
        tags += [(t, p, fid) for t in film_tags(countries, genres, languages, directors, year, keywords, people)]
        moods_rows += [(k, v, fid) for k, v in mood_keys(moods, countries, genres)]
    conn.executemany(
        """UPDATE rec_film SET n_reviews = ?, rev_sum = ?, rev_n = ?, rat_sum = ?, rat_n = ?, rat_stale = 0,
               stale = 0, moods = ?, prior = ?, mood_sums = ?, mood_n = ? WHERE film_id = ?""",
        updates,
    )
    ids = json.dumps([f[0] for f in films])
    conn.execute(f"DELETE FROM rec_tag WHERE film_id IN {_TOUCHED}", [ids])
    conn.execute(f"DELETE FROM rec_mood WHERE film_id IN {_TOUCHED}", [ids])
    conn.executemany("INSERT INTO rec_tag (tag, prior, film_id) VALUES (?,?,?)", tags)
    conn.executemany("INSERT INTO rec_mood (key, score, film_id) VALUES (?,?,?)", moods_rows)


# When at least this share of the catalog (and this many films) is flagged, as at the end of an
# import, the rebuild runs in one transaction with the two rank indexes dropped and made again:
# inserting ~470,000 rows into them one by one cost more than sorting them once (bench/imports).
WHOLESALE_SHARE = 0.25
WHOLESALE_MIN = 5000
RANK_INDEXES = ("rec_tag_rank", "rec_mood_rank")


def reindex_stale(db: sqlite_utils.Database, chunk: int = 2000) -> int:
    """Rebuild every film flagged `stale` (reviews) or `rat_stale` (member ratings); returns how many.

    Runs before every recommendation and at the end of an import, so flags left by an import
    that was killed are caught up before anything reads them. Each chunk is one transaction
    (a film is never half rebuilt, and other writers wait at most one chunk); with nothing
    flagged it is one indexed read and takes no lock. A large share of the catalog flagged is
    rebuilt wholesale (see WHOLESALE_SHARE): one transaction, a few seconds at 10,000 films.
    """
    conn = db.conn
    pick = """SELECT film_id FROM rec_film WHERE stale = 1
              UNION SELECT film_id FROM rec_film WHERE rat_stale = 1"""
    if conn.execute(pick + " LIMIT 1").fetchone() is None:
        return 0
    flagged = int(conn.execute("SELECT count(*) FROM rec_film WHERE stale = 1").fetchone()[0])
    if flagged >= WHOLESALE_MIN and flagged >= WHOLESALE_SHARE * int(
        conn.execute("SELECT count(*) FROM rec_film").fetchone()[0]
    ):
        with db.atomic():
            ids = [r[0] for r in conn.execute(pick)]
            indexes = conn.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN {RANK_INDEXES}"
            ).fetchall()
            for name, _ in indexes:
                conn.execute(f"DROP INDEX {name}")
            for i in range(0, len(ids), chunk):
                rebuild(conn, ids[i : i + chunk])
            for _, sql in indexes:
                conn.execute(sql)
        return len(ids)
    done = 0
    while conn.execute(pick + " LIMIT 1").fetchone() is not None:
        with db.atomic():
            ids = [r[0] for r in conn.execute(f"{pick} LIMIT {int(chunk)}")]
            rebuild(conn, ids)
        done += len(ids)
    return done


def rebuild_all(db: sqlite_utils.Database, batch: int = 5000) -> None:
    """Bulk (re)build of every feature table, for imports of many reviews and the benchmark."""
    with db.atomic():
        for t in ("rec_tag", "rec_mood", "rec_review"):
            db.execute(f"DELETE FROM {t}")
        db.execute("UPDATE rec_film SET synced = 0")
    sync_films(db, batch=batch)
