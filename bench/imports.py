"""`moviebot import` of a reviews file, beside raw FTS5 inserts of the same texts in the same run.

What is measured (`python -m bench.imports`; `--quick`: 20,000 reviews):

1. A films database: the starter catalog plus N synthetic films (bench.recommend's
   generator, features built), made once and kept in bench/out/.
2. A reviews JSON Lines file written the way people export them: title and year,
   author, rating, ISO date, text of 40-140 words whose wording follows the film's
   moods; one in ten has explicit spoiler markup (`||…||`, `>!…!<`, `Spoiler:`) and
   one in ten retells an ending in plain prose for the detector to find.
3. `moviebot import FILE` as an admin runs it (a subprocess, the real program), into a
   fresh copy of the films database: wall time from start to exit, so opening the
   database, reading the file, validating rows, spoiler reading, full-text indexes,
   recommendation features and the commit are all in it. Then the same import again
   (everything skipped) and the reviews/s of both.
4. Baseline, same run, same texts: raw FTS5 inserts into a bare `fts5(plain,
   tokenize='porter')` table in one transaction (executemany), in this process.
5. Where time goes: the spoiler reading alone (`read_review`: markup plus automatic
   spoiler marking) per review, on a sample, in this process; and the store path alone
   (`MovieBot.add_reviews` in batches of 2,000 with the texts as plain documents: inserts,
   FTS, recommendation features, source keys), into another fresh copy, in this process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench.recommend import OUT, ROOT, _text, build, machine

SPOILER_MARKUP = (
    "||{}||",
    ">!{}!<",
    "Spoiler: {}",
)
ENDINGS = (
    "In the end the father dies in prison and his daughter finally learns the truth years later.",
    "Then it turns out the detective was the killer all along, and he confesses at the trial.",
    "Eventually she escapes the island, but her brother is killed before the rescue arrives.",
)


def films_db(n_films: int) -> Path:
    path = OUT / f"imports_films_{n_films}.db"
    if not path.exists():
        print(f"generating {n_films:,} films …", flush=True)
        build(path, n_films, 0)
    return path


def write_reviews(path: Path, films: list[tuple[str, int | None, str]], n: int, seed: int = 11) -> list[str]:
    """The JSON Lines file; returns the texts (for the FTS5 baseline)."""
    rng = random.Random(seed)
    texts = []
    moods = ["sad", "funny", "tense", "romantic", "scary", "heartwarming"]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            title, year, _ = rng.choice(films)
            text = _text(rng, [rng.choice(moods)], rng.randint(40, 140))
            kind = i % 10
            if kind == 3:
                text += " " + rng.choice(SPOILER_MARKUP).format(rng.choice(ENDINGS))
            elif kind == 7:
                text += "\n\n" + rng.choice(ENDINGS) + "\n\nStill, I loved it and would recommend it."
            row = {
                "movie": title,
                "year": year,
                "author": f"member{rng.randint(1, 5000)}",
                "rating": rng.choice([None, 4, 6, 7.5, 8, 9, 10]),
                "text": text,
                "posted_at": f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T12:00:00Z",
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            texts.append(text)
    return texts


def raw_fts5(texts: list[str], where: Path) -> float:
    """Seconds for bare FTS5 inserts of `texts` in one transaction: the floor any import sits on."""
    db = where / "raw_fts5.db"
    db.unlink(missing_ok=True)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(plain, tokenize='porter')")
    t0 = time.perf_counter()
    with conn:
        conn.executemany("INSERT INTO t (plain) VALUES (?)", ((t,) for t in texts))
    dt = time.perf_counter() - t0
    conn.close()
    return dt


def spoiler_reading_us(texts: list[str], sample: int = 2000) -> float:
    sys.path.insert(0, str(ROOT))
    from bot.richtext import read_review

    chosen = texts[:sample]
    t0 = time.perf_counter()
    for t in chosen:
        read_review(t)
    return (time.perf_counter() - t0) / len(chosen) * 1e6


def store_path(base: Path, source: Path, where: Path) -> float:
    """Seconds for `MovieBot.add_reviews` of every row (texts as plain documents, no reading)."""
    sys.path.insert(0, str(ROOT))
    from bot.core import MovieBot, ReviewDraft
    from bot.importers.jsonl import review_key
    from bot.richtext import text_document
    from bot.store import Store

    db = where / "store_path.db"
    shutil.copy(base, db)
    store = Store.open(db)
    bot = MovieBot(store)
    ids: dict[tuple[str, int | None], int] = {}
    drafts = []
    for line in source.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        key = (row["movie"], row["year"])
        if key not in ids:
            ids[key] = store.find_film_id(row["movie"], row["year"]) or 0
        drafts.append(
            ReviewDraft(
                ids[key],
                text_document(row["text"]),
                author=row["author"],
                platform="import",
                rating=row["rating"],
                source_key=review_key(ids[key], row["author"], row["text"]),
                created_at=row["posted_at"],
            )
        )
    t0 = time.perf_counter()
    with bot.bulk():  # as the importers do: features rebuilt once at the end, inside the timing
        for i in range(0, len(drafts), 2000):
            bot.add_reviews(drafts[i : i + 2000], announce=False)
    dt = time.perf_counter() - t0
    store.close()
    return dt


def run_import(db: Path, source: Path, cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOVIEBOT_", "DISCORD_", "TELEGRAM_"))}
    env["MOVIEBOT_DB"] = str(db)
    exe = Path(sys.executable).parent / "moviebot"
    cmd = [str(exe)] if exe.is_file() else [sys.executable, "-m", "moviebot"]
    t0 = time.perf_counter()
    res = subprocess.run([*cmd, "import", str(source)], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - t0, res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.imports")
    ap.add_argument("--quick", action="store_true", help="20,000 reviews into 2,000 films")
    ap.add_argument("--reviews", type=int)
    ap.add_argument("--films", type=int)
    args = ap.parse_args(argv)
    n_reviews = args.reviews or (20_000 if args.quick else 100_000)
    n_films = args.films or (2_000 if args.quick else 10_000)
    OUT.mkdir(parents=True, exist_ok=True)
    m = machine()
    print(f"machine: {m}; load {os.getloadavg()[0]:.2f}")
    base = films_db(n_films)
    work = OUT / "imports_run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    conn = sqlite3.connect(base)
    films = [(r[0], r[1], "") for r in conn.execute("SELECT title, year FROM films")]
    conn.close()
    source = work / "reviews.jsonl"
    texts = write_reviews(source, films, n_reviews)
    db = work / "moviebot.db"
    shutil.copy(base, db)

    fts_s = raw_fts5(texts, work)
    print(f"raw FTS5 inserts: {n_reviews / fts_s:,.0f}/s ({fts_s:.1f} s)", flush=True)
    first_s, first = run_import(db, source, work)
    if first.returncode != 0:
        print(first.stdout[-2000:], first.stderr[-2000:])
        return 1
    print(f"moviebot import: {n_reviews / first_s:,.0f}/s ({first_s:.1f} s)", flush=True)
    again_s, again = run_import(db, source, work)
    print(f"moviebot import again (all skipped): {n_reviews / again_s:,.0f}/s ({again_s:.1f} s)", flush=True)
    reading = spoiler_reading_us(texts)
    print(f"spoiler reading: {reading:,.0f} us/review", flush=True)
    store_s = store_path(base, source, work)
    print(f"store path alone: {n_reviews / store_s:,.0f}/s ({store_s:.1f} s)", flush=True)
    conn = sqlite3.connect(db)
    stored = conn.execute("SELECT count(*) FROM reviews WHERE platform = 'import'").fetchone()[0]
    featured = conn.execute(
        "SELECT count(*) FROM reviews r JOIN rec_review x ON x.review_id = r.id WHERE r.platform = 'import'"
    ).fetchone()[0]
    indexed = conn.execute("SELECT count(*) FROM reviews_fts").fetchone()[0]
    hidden = conn.execute(
        """SELECT count(*) FROM reviews WHERE platform = 'import' AND body LIKE '%"x":1%'"""
    ).fetchone()[0]
    conn.close()
    result = {
        "machine": m,
        "reviews": n_reviews,
        "films": n_films,
        "import_s": round(first_s, 2),
        "import_per_s": round(n_reviews / first_s),
        "reimport_s": round(again_s, 2),
        "reimport_per_s": round(n_reviews / again_s),
        "raw_fts5_s": round(fts_s, 2),
        "raw_fts5_per_s": round(n_reviews / fts_s),
        "spoiler_reading_us": round(reading, 1),
        "store_path_s": round(store_s, 2),
        "store_path_per_s": round(n_reviews / store_s),
        "stored": stored,
        "with_features": featured,
        "fts_rows": indexed,
        "with_hidden_spoilers": hidden,
        "report": first.stdout.splitlines()[:3],
        "reimport_report": again.stdout.splitlines()[:2],
        "loadavg_after": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result, indent=2))
    (OUT / "imports_results.json").write_text(json.dumps(result, indent=2))
    ok = stored == n_reviews and featured == n_reviews
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
