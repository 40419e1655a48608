"""Recommendation benchmark: p50/p99 latency of realistic /recommend requests at catalog scale.

Builds (once, into bench/out/) a database of N synthetic films plus the starter
catalog, with M generated reviews whose words follow each film's moods, member
ratings, and the recommendation features built in bulk. Then, in a fresh
process (so peak RSS is the query side's, not the generator's), it runs a mix
of requests through the real `MovieBot.handle`, and the same words as a raw
FTS5 bm25 query over `reviews_fts` for comparison.

    python -m bench.recommend [--quick] [--no-big] [--rebuild] [--sizes 10000:100000,...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def words(text: str) -> list[str]:
    return text.split()


OUT = ROOT / "bench" / "out"
SUFFIX = ("sen", "ova", "ez", "i", "o", "ski", "ian", "awa", "ström", "é")

QUERIES = [
    "sad korean drama",
    "can you recommend me a sad koraen drma?",
    "like Parasite but funnier",
    "similar to Inception",
    "something scary but not gory",
    "feel-good 90s comedy",
    "bollywood under 2 hours",
    "anime before 2000",
    "recent french romance",
    "mind-bending sci-fi",
    "slow burn thriller",
    "heartwarming family film",
    "heist",
    "time travel",
    "k-drama tearjerker",
    "nollywood",
    "creepy japanese horror",
    "bleak war movie",
    "romantic comedy",
    "funny but no horror",
    "movies like Oldboy from the 2000s",
    "tense crime thriller from the 80s",
    "a good cry",
    "short funny",
    "italian",
    "something uplifting",
    "dark comedy about class",
    "twist ending",
    "gory horror",
    "quiet japanese drama",
    "spanish thriller",
    "epic war",
    "",  # no text: picks from this member's ratings
    "'; DROP TABLE films; --",
    # issue 12: people, audiences, negation, similarity with accents
    "park chan-wook films",
    "something with Song Kang-ho",
    "kar wai wong",
    "early park chan wook",
    "films by hayao miyazki",
    "a horror movie my 10-year-old can watch",
    "animation for grown-ups",
    "something to watch with my parents",
    "indian but not bollywood",
    "scary but not to gory",
    "korean film that isn't horror",
    "horror wihtout zombies",
    "like Amélie but sadder",
    "like the ring",
    "a feel god movie",
]
# Bump when the generated data or the feature tables change, so a reused database is rebuilt.
BENCH_VERSION = 2

WORDS = words(
    "story film movie scene scenes character characters actor actress performance performances plot pacing "
    "camera shot shots music score ending beginning middle city village house family friend friends love "
    "life death night day road war school night river mountain sea summer winter year years mother father "
    "daughter son brother sister child children boy girl man woman old young police detective doctor "
    "teacher soldier king queen secret truth lie money dream dreams memory time journey home world "
    "really quite very rather almost never always often maybe perhaps still just even also though "
    "good great fine solid strong weak long short slow fast clever simple beautiful ugly strange odd "
    "watched saw loved liked enjoyed hated felt thought expected found remember recommend think "
    "direction script dialogue cinematography editing colour light shadow silence sound"
)
MOOD_REVIEW_WORDS = {
    "sad": words("sad cry cried tears heartbreaking tragic tissues devastating saddest sobbing"),
    "heartwarming": words("heartwarming wholesome touching tender heartfelt warm"),
    "feelgood": words("uplifting cheerful joyful delightful charming fun"),
    "funny": words("funny hilarious laugh laughed witty jokes funniest"),
    "scary": words("scary terrifying frightening scared nightmares spooky"),
    "creepy": words("creepy eerie unsettling unnerving dread"),
    "gory": words("gory gore bloody gruesome brutal"),
    "mindbending": words("mind-bending twist confusing puzzle trippy surreal"),
    "slowburn": words("slow patient meditative contemplative quiet"),
    "bleak": words("bleak grim hopeless depressing dark"),
    "romantic": words("romantic romance chemistry swoon kiss"),
    "tense": words("tense suspense gripping thrilling intense"),
}
GENRES = (
    "drama",
    "comedy",
    "thriller",
    "horror",
    "romance",
    "crime",
    "mystery",
    "science fiction",
    "action",
    "fantasy",
    "war",
    "family",
    "animation",
    "adventure",
    "history",
    "documentary",
)
GENRE_W = (30, 18, 12, 9, 8, 7, 5, 5, 8, 4, 2, 3, 2, 4, 2, 2)
COUNTRIES = (
    "US",
    "GB",
    "FR",
    "KR",
    "JP",
    "IN",
    "IT",
    "ES",
    "DE",
    "CN",
    "NG",
    "MX",
    "SE",
    "BR",
    "TR",
    "IR",
    "AU",
    "CA",
    "DK",
    "HK",
)
COUNTRY_W = (34, 9, 8, 6, 6, 6, 4, 4, 4, 3, 2, 2, 2, 2, 2, 1, 2, 2, 1, 1)
LANG = {
    "US": "en",
    "GB": "en",
    "AU": "en",
    "CA": "en",
    "FR": "fr",
    "KR": "ko",
    "JP": "ja",
    "IN": "hi",
    "IT": "it",
    "ES": "es",
    "MX": "es",
    "DE": "de",
    "CN": "zh",
    "NG": "yo",
    "SE": "sv",
    "BR": "pt",
    "TR": "tr",
    "IR": "fa",
    "DK": "da",
    "HK": "cn",
}
GENRE_KEYWORDS = {
    "drama": [
        "tearjerker",
        "heartbreaking",
        "grief",
        "bittersweet",
        "family",
        "coming of age",
        "slow burn",
        "quiet",
        "heartwarming",
        "father daughter",
        "redemption",
        "bleak",
    ],
    "comedy": ["funny", "feel-good", "dark comedy", "absurd", "quirky", "fun", "satire", "class satire"],
    "thriller": ["twist ending", "tense", "suspense", "paranoia", "cat and mouse", "heist", "revenge"],
    "horror": ["gory", "creepy", "haunted house", "ghost", "slasher", "non-gory", "dread", "demonic possession"],
    "romance": ["romantic", "first love", "forbidden love", "longing", "bittersweet"],
    "crime": ["heist", "gritty", "revenge", "serial killer", "violent", "detective"],
    "mystery": ["whodunit", "twist ending", "investigation", "mind-bending"],
    "science fiction": ["mind-bending", "time travel", "dreams", "dystopia", "post-apocalyptic"],
    "action": ["spectacle", "violent", "revenge", "intense"],
    "fantasy": ["dreams", "magic", "surreal"],
    "war": ["devastating", "bleak", "world war ii", "sacrifice"],
    "family": ["heartwarming", "feel-good", "dog", "friendship"],
    "animation": ["feel-good", "magic", "friendship"],
    "adventure": ["journey", "survival", "epic"],
    "history": ["period piece", "based on true story", "epic"],
    "documentary": ["based on true story"],
}
KEYWORD_TO_MOOD = {
    "tearjerker": "sad",
    "heartbreaking": "sad",
    "grief": "sad",
    "devastating": "sad",
    "heartwarming": "heartwarming",
    "funny": "funny",
    "feel-good": "feelgood",
    "fun": "feelgood",
    "dark comedy": "funny",
    "gory": "gory",
    "creepy": "creepy",
    "haunted house": "scary",
    "ghost": "scary",
    "slasher": "scary",
    "dread": "creepy",
    "demonic possession": "scary",
    "mind-bending": "mindbending",
    "twist ending": "mindbending",
    "slow burn": "slowburn",
    "quiet": "slowburn",
    "bleak": "bleak",
    "romantic": "romantic",
    "first love": "romantic",
    "tense": "tense",
    "suspense": "tense",
    "intense": "tense",
}
ADJ = words(
    "Silent Broken Last Hidden Golden Distant Wild Quiet Burning Frozen Lonely Secret Bright Dark Little Long "
    "Red Blue Crimson Hollow Endless Forgotten Sweet Bitter Lost Falling Rising Empty Second Final Paper"
)
NOUN = words(
    "River House Summer Road Garden Night Letter Station Island Mountain Song Child Winter City Door Mirror "
    "Harbor Forest Dream Promise Shadow Field Window Bridge Heart Sky Stranger Journey Kingdom Voice"
)


def _text(rng: random.Random, moods: list[str], n: int) -> str:
    words = []
    for _ in range(n):
        if moods and rng.random() < 0.08:
            words.append(rng.choice(MOOD_REVIEW_WORDS[rng.choice(moods)]))
        else:
            words.append(rng.choice(WORDS))
    out, i = [], 0
    while i < len(words):
        k = rng.randint(8, 16)
        out.append(" ".join(words[i : i + k]).capitalize() + ".")
        i += k
    return " ".join(out)


def build(path: Path, n_films: int, n_reviews: int, seed: int = 4) -> dict[str, float]:
    """Generate the database at `path`; returns timings (seconds) per phase."""
    sys.path.insert(0, str(ROOT))
    from bot.catalog import load_starter_catalog
    from bot.recommend import features
    from bot.store import Store
    from bot.titles import normalize_title

    rng = random.Random(seed)
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    t0 = time.perf_counter()
    store = Store.open(path)
    db = store.db
    db.execute("PRAGMA cache_size = -200000")
    load_starter_catalog(store)
    base_id = int(db.execute("SELECT max(id) FROM films").fetchone()[0] or 0)
    film_moods: list[list[str]] = []
    films, titles = [], []
    directors = [f"{rng.choice(ADJ)} {rng.choice(NOUN)}son" for _ in range(max(50, n_films // 5))]
    # Cast from a pool of made-up names, a few films each, like a real catalog's long tail of actors.
    actors = [
        f"{rng.choice(ADJ).title()} {rng.choice(NOUN).title()}{rng.choice(SUFFIX)}" for _ in range(n_films // 2 + 50)
    ]
    for i in range(n_films):
        fid = base_id + 1 + i
        genres = list(dict.fromkeys(rng.choices(GENRES, GENRE_W, k=rng.randint(1, 3))))
        countries = list(dict.fromkeys(rng.choices(COUNTRIES, COUNTRY_W, k=1 if rng.random() < 0.85 else 2)))
        pool = [k for g in genres for k in GENRE_KEYWORDS[g]]
        keywords = list(dict.fromkeys(rng.sample(pool, min(len(pool), rng.randint(2, 6)))))
        film_moods.append(sorted({KEYWORD_TO_MOOD[k] for k in keywords if k in KEYWORD_TO_MOOD}))
        title = f"The {rng.choice(ADJ)} {rng.choice(NOUN)} {i}"
        year = rng.randint(1950, 2025)
        films.append(
            (
                fid,
                title,
                year,
                json.dumps(countries),
                json.dumps([LANG[countries[0]]]),
                json.dumps(genres),
                json.dumps([rng.choice(directors)]),
                json.dumps(list(dict.fromkeys(rng.choices(actors, k=rng.randint(2, 5))))),
                rng.randint(75, 190),
                json.dumps(keywords),
                _text(rng, [], rng.randint(18, 35)),
            )
        )
        titles.append((fid, "title", title, normalize_title(title)))
    with db.atomic():
        db.conn.executemany(
            """INSERT INTO films (id, title, year, countries, languages, genres, directors, "cast", runtime,
                   keywords, overview) VALUES (?,?,?,?,?,?,?,?,?,?,?)""",
            films,
        )
        db.conn.executemany("INSERT INTO film_titles (film_id, kind, title, norm) VALUES (?,?,?,?)", titles)
    t_films = time.perf_counter() - t0

    t1 = time.perf_counter()
    all_ids = [r[0] for r in db.execute("SELECT id FROM films")]
    # Popularity is skewed: a few films get most reviews and ratings.
    weights = [1.0 / (1 + (k % 997)) ** 0.8 for k in range(len(all_ids))]
    rng.shuffle(weights)
    n_ratings = n_reviews // 5
    rated = rng.choices(all_ids, weights, k=n_ratings)
    with db.atomic():
        db.conn.executemany(
            "INSERT OR IGNORE INTO ratings (platform, user_id, film_id, rating) VALUES ('bench', ?, ?, ?)",
            [(str(rng.randint(1, n_ratings // 3 + 1)), fid, rng.randint(3, 10)) for fid in rated],
        )
    # Reviews: drop the FTS triggers, insert in bulk, rebuild the index once, restore the triggers.
    triggers = [
        r[0] for r in db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'reviews'")
    ]
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'reviews'")]
    mood_of = {base_id + 1 + i: m for i, m in enumerate(film_moods)}
    batch = 50_000
    with db.atomic():
        for name in names:
            db.execute(f"DROP TRIGGER {name}")
        done = 0
        while done < n_reviews:
            rows = []
            for fid in rng.choices(all_ids, weights, k=min(batch, n_reviews - done)):
                text = _text(rng, mood_of.get(fid, []), rng.randint(40, 140))
                body = json.dumps([{"s": [{"t": text}]}], ensure_ascii=False, separators=(",", ":"))
                rating = rng.randint(2, 10) if rng.random() < 0.5 else None
                rows.append((fid, "bench reviewer", "bench", rating, body, text))
            db.conn.executemany(
                "INSERT INTO reviews (film_id, author, platform, rating, body, plain) VALUES (?,?,?,?,?,?)", rows
            )
            done += len(rows)
        db.execute("INSERT INTO reviews_fts (reviews_fts) VALUES ('rebuild')")
        for sql in triggers:
            db.execute(sql)
    t_reviews = time.perf_counter() - t1
    t2 = time.perf_counter()
    features.rebuild_all(db)
    t_features = time.perf_counter() - t2
    db.execute("PRAGMA optimize")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return {
        "films_s": t_films,
        "reviews_fts_s": t_reviews,
        "features_s": t_features,
        "total_s": time.perf_counter() - t0,
    }


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, round(p / 100 * (len(xs) - 1))))
    return xs[k]


def peak_rss_mb() -> float:
    """VmHWM of this process: unlike ru_maxrss it is not inherited across fork/exec from the parent."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_queries(path: Path, rounds: int) -> dict[str, object]:
    """In this process: open the DB like the bot does and time every query `rounds` times (after a warm-up)."""
    sys.path.insert(0, str(ROOT))
    from bot import dispatch
    from bot.core import MovieBot
    from bot.recommend.engine import quote_fts
    from bot.recommend.lexicon import WORD_RE
    from bot.replies import Request
    from bot.store import Store

    t0 = time.perf_counter()
    store = Store.open(path)
    bot = MovieBot(store)
    t_open = time.perf_counter() - t0
    users = [
        r[0] for r in store.db.execute("SELECT user_id FROM ratings GROUP BY user_id ORDER BY count(*) DESC LIMIT 5")
    ] or ["nobody"]
    bot_ms: list[float] = []
    cpu_ms: list[float] = []  # CPU time of this process: what the request costs when the machine is busy
    fts_ms: list[float] = []
    per_query: dict[str, list[float]] = {}
    errors = 0
    for rnd in range(rounds + 1):
        for i, text in enumerate(QUERIES):
            req = Request("bench", users[i % len(users)], "recommend", args=text, chat_id=f"c{i}")
            t, c = time.perf_counter(), time.process_time()
            replies = dispatch.handle(bot, req)
            dt = (time.perf_counter() - t) * 1000
            dc = (time.process_time() - c) * 1000
            if any(r.error for r in replies):
                errors += 1
            if rnd:  # round 0 warms the page cache
                bot_ms.append(dt)
                cpu_ms.append(dc)
                per_query.setdefault(text, []).append(dt)
    # Peak RSS of the bot side, before the raw FTS baseline (which allocates a lot for common words) runs.
    rss_mb = peak_rss_mb()
    for rnd in range(rounds + 1):
        for text in QUERIES:
            words = WORD_RE.findall(text.lower()) or ["film"]
            match = " OR ".join(quote_fts(w) for w in words)
            t = time.perf_counter()
            store.db.execute(
                "SELECT rowid, bm25(reviews_fts) FROM reviews_fts WHERE reviews_fts MATCH ? "
                "ORDER BY bm25(reviews_fts) LIMIT 5",
                [match],
            ).fetchall()
            if rnd:
                fts_ms.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    fid = int(store.db.execute("SELECT id FROM films ORDER BY id DESC LIMIT 1").fetchone()[0])
    from bot.richtext import text_document

    for k in range(20):
        bot.add_review(
            fid - k, text_document("A sad and touching film; I cried at the ending."), author="bench", platform="bench"
        )
    t_write = (time.perf_counter() - t) * 1000 / 20
    slowest = sorted(((statistics.median(v), q) for q, v in per_query.items()), reverse=True)[:3]
    return {
        "queries": len(QUERIES),
        "samples": len(bot_ms),
        "errors": errors,
        "p50_ms": statistics.median(bot_ms),
        "p99_ms": _pct(bot_ms, 99),
        "max_ms": max(bot_ms),
        "cpu_p50_ms": statistics.median(cpu_ms),
        "cpu_p99_ms": _pct(cpu_ms, 99),
        "loadavg": Path("/proc/loadavg").read_text().split()[0],
        "fts_p50_ms": statistics.median(fts_ms),
        "fts_p99_ms": _pct(fts_ms, 99),
        "open_s": t_open,
        "review_write_ms": t_write,
        "slowest": [(round(ms, 1), q) for ms, q in slowest],
        "peak_rss_mb": rss_mb,
        "peak_rss_with_fts_mb": peak_rss_mb(),
    }


def machine() -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")
        )
        ram = f"{mem_kb / 1024 / 1024:.1f} GB"
    except (OSError, StopIteration, ValueError):
        ram = "?"
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.recommend")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-big", action="store_true", help="skip 100,000 films / 1,000,000 reviews")
    ap.add_argument("--sizes", help="films:reviews,... (overrides the defaults)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--rebuild", action="store_true", help="regenerate databases even if present")
    ap.add_argument("--query-only", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.query_only:
        print(json.dumps(run_queries(Path(args.query_only), args.rounds)))
        return 0
    if args.sizes:
        sizes = [tuple(int(x) for x in s.split(":")) for s in args.sizes.split(",")]
    elif args.quick:
        sizes = [(2_000, 20_000)]
    else:
        sizes = [(10_000, 100_000)] + ([] if args.no_big else [(100_000, 1_000_000)])
    OUT.mkdir(parents=True, exist_ok=True)
    results = {"machine": machine(), "sizes": []}
    print(f"machine: {results['machine']}")
    for n_films, n_reviews in sizes:
        path = OUT / f"recommend_{n_films}_{n_reviews}.db"
        stamp = Path(f"{path}.json")
        stamped = json.loads(stamp.read_text()) if stamp.exists() else {}
        if path.exists() and stamped.get("version") == BENCH_VERSION and not args.rebuild:
            build_t = stamped
            print(f"{n_films:,} films / {n_reviews:,} reviews: reusing {path.name}")
        else:
            print(f"{n_films:,} films / {n_reviews:,} reviews: generating …", flush=True)
            build_t = {**build(path, n_films, n_reviews), "version": BENCH_VERSION}
            stamp.write_text(json.dumps(build_t))
        size_mb = sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if not p.name.endswith(".json"))
        out = subprocess.run(
            [sys.executable, "-m", "bench.recommend", "--query-only", str(path), "--rounds", str(args.rounds)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode:
            print(out.stderr)
            return 1
        q = json.loads(out.stdout.strip().splitlines()[-1])
        row = {"films": n_films, "reviews": n_reviews, "db_mb": round(size_mb / 1e6, 1), **build_t, **q}
        results["sizes"].append(row)  # type: ignore[attr-defined]
        print(
            f"  import {build_t['total_s']:.0f} s (films {build_t['films_s']:.0f}, reviews+FTS "
            f"{build_t['reviews_fts_s']:.0f}, features {build_t['features_s']:.0f}); db {row['db_mb']} MB"
        )
        print(
            f"  /recommend p50 {q['p50_ms']:.1f} ms  p99 {q['p99_ms']:.1f} ms  max {q['max_ms']:.1f} ms  "
            f"({q['samples']} samples, {q['errors']} errors); CPU p50 {q['cpu_p50_ms']:.1f} p99 "
            f"{q['cpu_p99_ms']:.1f} ms; load {q['loadavg']}; peak RSS {q['peak_rss_mb']:.0f} MB; "
            f"open {q['open_s']:.1f} s; review write {q['review_write_ms']:.1f} ms"
        )
        print(f"  raw FTS5 bm25 over reviews, same words: p50 {q['fts_p50_ms']:.1f} ms  p99 {q['fts_p99_ms']:.1f} ms")
        print(f"  slowest requests (median ms): {q['slowest']}")
    (OUT / "recommend_results.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
