"""What reading spoilers costs: `read_review` (readers + detector) per review, and an import.

Measured in one process and run, next to its own baseline:

- per review, for chat-sized reviews (the labelled corpus), a 2,000-character review and a
  12,000-character blog post: `parse` alone (the markup readers, the baseline) and
  `read_review` (readers, cues, sentence and paragraph detector);
- a JSON Lines import of N reviews through `import_file`, wall time, and the share of it
  spent in `read_review` (the same texts timed on their own);
- the labelled corpus through every input path (leaks and over-hiding, the numbers of
  tests/test_spoiler_corpus.py), so BENCHMARKS.md has them from the same run.

/recommend does not read review text through richtext at request time, so it is not
re-measured here; `bench.recommend` covers it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.catalog import load_starter_catalog
from bot.config import Settings
from bot.core import MovieBot
from bot.importers.files import import_file
from bot.richtext import explicit_spoilers, parse, read_review
from bot.richtext.detect import explain
from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "fixtures" / "spoilers" / "corpus.txt"
LONG = ROOT / "tests" / "fixtures" / "discord" / "long_review.md"  # ~12,000 chars, ending marked ||…||
BLOG = ROOT / "tests" / "fixtures" / "reviews" / "hachi_blog.txt"  # ~3,300 chars, unmarked retelling


def _texts() -> dict[str, list[str]]:
    sys.path.insert(0, str(ROOT))
    from tests.test_spoiler_corpus import load_corpus

    chat = [e.typed() for e in load_corpus(CORPUS)]
    long = LONG.read_text(encoding="utf-8")
    medium = [long[i : i + 2000] for i in range(0, len(long) - 2000, 1000)]
    return {
        "chat review (corpus, ~130 chars)": chat,
        "2,000-char piece of a review": medium,
        "unmarked blog post retelling the plot (3,300 chars)": [BLOG.read_text(encoding="utf-8")],
        "12,000-char review, ending marked": [long],
    }


def _per_call(fn: Callable[[str], object], texts: list[str], rounds: int) -> float:
    """Median over rounds of the mean CPU time per text, in microseconds (CPU time: the
    machine is shared, and wall time there mostly measures waiting for a core)."""
    fn(texts[0])
    samples = []
    for _ in range(rounds):
        t = time.process_time()
        for x in texts:
            fn(x)
        samples.append((time.process_time() - t) / len(texts) * 1e6)
    return statistics.median(samples)


def _before(text: str) -> object:
    """What reading cost before issue 10: the readers, then (when nothing is marked) the
    paragraph-level detector only."""
    d = parse(text)
    return d if explicit_spoilers(d) else explain(d)


def per_review(rounds: int) -> None:
    print("| review | parse only | parse + paragraph detector (before) | read_review (now) |")
    print("| --- | ---: | ---: | ---: |")
    for name, texts in _texts().items():
        base = _per_call(parse, texts, rounds)
        before = _per_call(_before, texts, rounds)
        full = _per_call(read_review, texts, rounds)
        print(f"| {name} | {base:,.0f} µs | {before:,.0f} µs | {full:,.0f} µs |")


def import_run(n: int) -> None:
    chat = _texts()["chat review (corpus, ~130 chars)"]
    films = ["Parasite", "Oldboy (2003)", "The Host", "Train to Busan", "Titanic", "Coco", "Up", "Se7en"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reviews.jsonl"
        texts = [f"{chat[k % len(chat)]} (#{k})" for k in range(n)]
        with path.open("w", encoding="utf-8") as f:
            for k, text in enumerate(texts):
                row = {"movie": films[k % len(films)], "author": f"member{k % 97}", "text": text}
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        store = Store.open(Path(tmp) / "bench.db")
        load_starter_catalog(store)
        bot = MovieBot(store, Settings(db_path=Path(tmp) / "bench.db"))
        t, c = time.perf_counter(), time.process_time()
        report = import_file(bot, path, "reviews")
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        store.close()
        c = time.process_time()
        for text in texts:
            read_review(text)
        reading = time.process_time() - c
    added = report.count("added")
    print(f"| JSON Lines import, {n:,} reviews | {wall:.2f} s wall, {cpu:.2f} s CPU | ", end="")
    print(f"{reading:.2f} s CPU in read_review ({100 * reading / cpu:.0f} % of the CPU) | {added:,} added |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.spoilers", description=__doc__)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    rounds = 3 if args.quick else 7
    print("\n## Spoiler reading (bench/spoilers.py)\n")
    per_review(rounds)
    print()
    print("| run | time | spent reading spoilers | |")
    print("| --- | ---: | ---: | --- |")
    import_run(500 if args.quick else 5000)
    print()
    from tests.test_spoiler_corpus import main as corpus_main

    corpus_main([])
    corpus_main(["--holdout"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
