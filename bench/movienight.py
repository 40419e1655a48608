"""Movie-night benchmark: what `/movienight`, a vote and `/watchlist` cost at catalog scale.

Uses the recommendation benchmark's database (built once into bench/out/, the same
file `bench.recommend` reuses), copied to a temporary file so the members,
watchlists and votes added here never leak into other runs. In one chat, 30
members each put 15 films on their watchlist (with overlap, as friends do) and
rate 25, and in a second chat 30 members only rate (so every candidate is a
recommender pick, favouring their 8+ films); then every operation runs through the real `dispatch.handle`/`press`,
with `/recommend` for the same words timed in the same run as the baseline:
`/movienight sad korean drama` is one recommendation plus the group's
watchlists, ratings and favourites, so its cost over the baseline is what the
movie night adds.

    python -m bench.movienight [--quick] [--sizes 10000:100000] [--rounds 20]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.recommend import BENCH_VERSION, OUT, build, machine

ROOT = Path(__file__).resolve().parents[1]
MEMBERS = 30
WATCHLIST = 15
RATED = 25
WHAT = "sad korean drama"


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
    }


def run(path: Path, rounds: int) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from bot import dispatch
    from bot.core import MovieBot
    from bot.replies import Request
    from bot.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        source = Store.open(path)
        copy = Path(tmp) / "movienight.db"
        source.backup(copy)
        source.close()
        store = Store.open(copy)
        clock = [2_000_000_000.0]
        bot = MovieBot(store, clock=lambda: clock[0], rng=random.Random(3))
        rng = random.Random(11)
        n_films = int(store.db.execute("SELECT max(id) FROM films").fetchone()[0])
        shared = rng.sample(range(1, n_films + 1), 40)  # films several friends want
        members = [f"m{i}" for i in range(MEMBERS)]

        def req(user: str, command: str, args: str = "", chat: str = "club") -> Request:
            return Request("bench", user, command, args=args, user_name=user, chat_id=chat)

        raters = [f"r{i}" for i in range(MEMBERS)]  # a second chat: ratings, no watchlists

        with store.atomic():
            for m in members:
                dispatch.handle(bot, req(m, "help"))  # the member has used the bot here
                picks = rng.sample(shared, WATCHLIST // 2) + rng.sample(range(1, n_films + 1), WATCHLIST // 2)
                for fid in picks:
                    store.db.execute(
                        "INSERT OR IGNORE INTO watchlist (platform, user_id, film_id) VALUES ('bench', ?, ?)", [m, fid]
                    )
                for fid in rng.sample(range(1, n_films + 1), RATED):
                    store.set_rating("bench", m, fid, rng.randint(4, 10))
            for m in raters:
                dispatch.handle(bot, req(m, "help", chat="raters"))
                for fid in rng.sample(shared, 5) + rng.sample(range(1, n_films + 1), RATED):
                    store.set_rating("bench", m, fid, rng.randint(4, 10))
        keys = ("recommend", "movienight_what", "movienight", "picks_what", "picks", "vote", "watchlist")
        timings: dict[str, list[float]] = {k: [] for k in keys}
        errors = 0

        def timed(key: str, fn: object, *args: object) -> list:
            nonlocal errors
            t = time.perf_counter()
            out = fn(*args)  # type: ignore[operator]
            timings[key].append((time.perf_counter() - t) * 1000)
            if any(r.error for r in out):
                errors += 1
            return out

        for rnd in range(rounds + 1):
            warm = rnd == 0
            timed("recommend", dispatch.handle, bot, req(members[0], "recommend", WHAT))
            out = timed("movienight_what", dispatch.handle, bot, req(members[0], "movienight", WHAT))
            vote = next(r for r in out if r.buttons)
            for i, m in enumerate(members[:10]):
                timed("vote", dispatch.press, bot, req(m, "button"), vote.buttons[i % len(vote.buttons)].action)
            dispatch.handle(bot, req(members[0], "movienight", "end"))
            timed("movienight", dispatch.handle, bot, req(members[1], "movienight"))
            dispatch.handle(bot, req(members[1], "movienight", "end"))
            timed("watchlist", dispatch.handle, bot, req(members[2], "watchlist"))
            # No watchlists in this chat: every candidate is a recommender pick, like what the raters liked.
            timed("picks_what", dispatch.handle, bot, req(raters[0], "movienight", WHAT, chat="raters"))
            dispatch.handle(bot, req(raters[0], "movienight", "end", chat="raters"))
            timed("picks", dispatch.handle, bot, req(raters[0], "movienight", chat="raters"))
            dispatch.handle(bot, req(raters[0], "movienight", "end", chat="raters"))
            if warm:
                timings = {k: [] for k in timings}
        store.close()
    return {"rounds": rounds, "errors": errors, **{k: _ms(v) for k, v in timings.items()}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.movienight")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sizes", help="films:reviews,... (default 10000:100000; --quick 2000:20000)")
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args(argv)
    if args.sizes:
        sizes = [tuple(int(x) for x in s.split(":")) for s in args.sizes.split(",")]
    else:
        sizes = [(2_000, 20_000)] if args.quick else [(10_000, 100_000)]
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    for n_films, n_reviews in sizes:
        path = OUT / f"recommend_{n_films}_{n_reviews}.db"
        stamp = Path(f"{path}.json")
        stamped = json.loads(stamp.read_text()) if stamp.exists() else {}
        if not (path.exists() and stamped.get("version") == BENCH_VERSION):
            print(f"{n_films:,} films / {n_reviews:,} reviews: generating …", flush=True)
            stamp.write_text(json.dumps({**build(path, n_films, n_reviews), "version": BENCH_VERSION}))
        result = run(path, args.rounds)
        print(f"movie night, {n_films:,} films / {n_reviews:,} reviews, {MEMBERS} members: {json.dumps(result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
