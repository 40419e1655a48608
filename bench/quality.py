"""Recommendation ranking quality on labelled request sets: NDCG@5 and P@1 per kind.

`python -m bench.quality [FILE.jsonl ...] [--show]` (default: the four sets in
tests/fixtures/recommend). Each file is a list of requests with graded judgments
("j": title (year) -> 3 perfect, 2 good, 1 acceptable) written before the bot's
answers were looked at, and optionally "pooled" grades given afterwards to films
some version put in its top five (0 when it does not fit). "blind" uses "j"
alone (a good film the judge did not think of counts as a miss: a lower bound);
"pooled" adds the later grades. `--show` prints each request's top five with
their grades, so a change can be judged the way a member would see it.

The scoring functions here are the ones tests/test_recommend_quality.py holds
its floors with: one definition, so a number printed here is the number the
test checks.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.catalog import load_starter_catalog
from bot.core import MovieBot
from bot.recommend.engine import quote_fts
from bot.recommend.lexicon import WORD_RE
from bot.richtext import apply_spoiler_mode, parse
from bot.store import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "recommend"
DEFAULT_SETS = ("labelled.jsonl", "holdout2.jsonl", "holdout3.jsonl", "holdout4.jsonl")
K = 5

Scores = dict[tuple[str, str], tuple[float, float, float, float, int]]


def labelled_rows(name: str | Path = "labelled.jsonl") -> list[dict[str, Any]]:
    """A set's rows; a bare name is looked up in tests/fixtures/recommend."""
    path = Path(name)
    if not path.exists() and not path.is_absolute() and len(path.parts) == 1:
        path = FIXTURES / path
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def pooled(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with their later (pooled) grades merged in; zero grades dropped."""
    return [{**obj, "j": {k: g for k, g in {**obj["j"], **obj.get("pooled", {})}.items() if g}} for obj in rows]


def add_fixture_reviews(bot: MovieBot) -> None:
    """The same path as /addreview: parse, auto spoiler detection, the store (and its hooks)."""
    miracle = bot.store.find_film_id("Miracle in Cell No. 7", 2013)
    assert miracle is not None
    text = (FIXTURES / "miracle_in_cell_no_7.txt").read_text(encoding="utf-8")
    bot.add_review(miracle, apply_spoiler_mode(parse(text), "auto"), author="team", platform="console")
    for line in (FIXTURES / "reviews.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        film_id = bot.store.find_film_id(r["movie"], r["year"])
        assert film_id is not None, r["movie"]
        bot.add_review(
            film_id,
            apply_spoiler_mode(parse(r["text"]), "auto"),
            author=r["author"],
            platform="console",
            rating=float(r["rating"]),
        )


def open_quality_bot(path: Path) -> MovieBot:
    """The starter catalog plus the fixture reviews in a new database at `path` (the test's setup)."""
    store = Store.open(path)
    load_starter_catalog(store)
    bot = MovieBot(store)
    add_fixture_reviews(bot)
    return bot


@contextmanager
def quality_bot() -> Iterator[MovieBot]:
    with tempfile.TemporaryDirectory(prefix="moviebot-quality-") as tmp:
        bot = open_quality_bot(Path(tmp) / "moviebot.db")
        try:
            yield bot
        finally:
            bot.store.close()


def film_key(title: str, year: int | None) -> str:
    return f"{title} ({year})"


def ndcg(ranked: list[str], judged: dict[str, int], k: int = K) -> float:
    dcg = sum((2 ** judged.get(key, 0) - 1) / math.log2(i + 2) for i, key in enumerate(ranked[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def bot_ranking(bot: MovieBot, text: str) -> list[str]:
    picks = bot.recommender.picks(text, limit=K)
    films = {f.id: f for f in bot.store.films(p.feat.film_id for p in picks)}
    return [film_key(films[p.feat.film_id].title, films[p.feat.film_id].year) for p in picks]


def baseline_ranking(store: Store, text: str) -> list[str]:
    """What a search box gives: the words OR-ed over films_fts and reviews_fts, ranked by bm25."""
    words = WORD_RE.findall(text.lower())
    if not words:
        return []
    match = " OR ".join(quote_fts(w) for w in words)
    scores: dict[int, float] = {}
    for rowid, score in store.db.execute(
        "SELECT rowid, bm25(films_fts) FROM films_fts WHERE films_fts MATCH ? ORDER BY bm25(films_fts) LIMIT 50",
        [match],
    ):
        scores[rowid] = scores.get(rowid, 0.0) - score
    best_review: dict[int, float] = {}
    for film_id, score in store.db.execute(
        """SELECT r.film_id, s.score FROM (
               SELECT rowid, bm25(reviews_fts) AS score FROM reviews_fts WHERE reviews_fts MATCH ?
               ORDER BY score LIMIT 200) s JOIN reviews r ON r.id = s.rowid""",
        [match],
    ):
        best_review[film_id] = max(best_review.get(film_id, 0.0), -score)
    for film_id, score in best_review.items():
        scores[film_id] = scores.get(film_id, 0.0) + score
    top = sorted(scores, key=lambda i: -scores[i])[:K]
    films = {f.id: f for f in store.films(top)}
    return [film_key(films[i].title, films[i].year) for i in top if i in films]


def evaluate(bot: MovieBot, rows: list[dict[str, Any]], *, baseline: bool = True) -> Scores:
    """(kind or "all", split or "all") -> (bot NDCG@5, bot P@1, baseline NDCG@5, baseline P@1, n)."""
    sums: dict[tuple[str, str], list[float]] = {}
    for obj in rows:
        text, judged = obj["q"], obj["j"]
        mine = bot_ranking(bot, text)
        base = baseline_ranking(bot.store, text) if baseline else []
        row = [
            ndcg(mine, judged),
            1.0 if mine and judged.get(mine[0], 0) >= 2 else 0.0,
            ndcg(base, judged),
            1.0 if base and judged.get(base[0], 0) >= 2 else 0.0,
            1.0,
        ]
        for key in ((obj["kind"], obj["split"]), (obj["kind"], "all"), ("all", obj["split"]), ("all", "all")):
            acc = sums.setdefault(key, [0.0] * 5)
            for i, v in enumerate(row):
                acc[i] += v
    return {k: (v[0] / v[4], v[1] / v[4], v[2] / v[4], v[3] / v[4], int(v[4])) for k, v in sums.items()}


def _table(title: str, scores: Scores) -> list[str]:
    lines = [title]
    for (kind, split), (nd, p1, _, _, n) in sorted(scores.items(), key=lambda kv: (kv[0][0] != "all", kv[0])):
        if split != "all" and scores[(kind, "all")][4] == n:
            continue  # the kind has one split: its row repeats the "all" row
        lines.append(f"  {kind:10} {split:9} n={n:3}  NDCG@5 {nd:.3f}  P@1 {p1:.3f}")
    return lines


def _show(bot: MovieBot, rows: list[dict[str, Any]]) -> list[str]:
    lines = []
    for obj, grades in zip(rows, pooled(rows), strict=True):
        blind = obj["j"]
        pool = obj.get("pooled", {})
        ranked = bot_ranking(bot, obj["q"])
        nd = ndcg(ranked, blind)
        lines.append(f"\n[{obj['kind']}/{obj['split']}] {obj['q']!r}  blind NDCG@5 {nd:.3f}")
        for i, key in enumerate(ranked, 1):
            if key in blind:
                mark = str(blind[key])
            elif key in pool:
                mark = f"{pool[key]}p"
            else:
                mark = "?"
            lines.append(f"  {i}. [{mark:>2}] {key}")
        missed = [k for k, g in sorted(grades["j"].items(), key=lambda kv: -kv[1]) if g >= 2 and k not in ranked]
        if missed:
            lines.append("     not offered: " + "; ".join(f"{k} {grades['j'][k]}" for k in missed[:6]))
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", help=f"labelled .jsonl files (default: {', '.join(DEFAULT_SETS)})")
    ap.add_argument("--show", action="store_true", help="each request's top five with its grades")
    args = ap.parse_args(argv)
    files = args.files or list(DEFAULT_SETS)
    with quality_bot() as bot:
        for name in files:
            rows = labelled_rows(name)
            has_pool = any("pooled" in r for r in rows)
            grades = "blind grades" if has_pool else "grades (pooling already merged into them)"
            out = _table(f"{Path(name).name}: {len(rows)} requests, {grades}", evaluate(bot, rows, baseline=False))
            batches = sorted({r["batch"] for r in rows if "batch" in r})
            for batch in batches:
                part = [r for r in rows if r.get("batch") == batch]
                out += _table(f"{Path(name).name}, batch {batch}: {len(part)}", evaluate(bot, part, baseline=False))
            if batches:
                rest = [r for r in rows if "batch" not in r]
                out += _table(f"{Path(name).name}, without batches: {len(rest)}", evaluate(bot, rest, baseline=False))
            if has_pool:
                out += _table(f"{Path(name).name}: pooled grades", evaluate(bot, pooled(rows), baseline=False))
            if args.show:
                out += _show(bot, rows)
            print("\n".join(out) + "\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
