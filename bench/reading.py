"""Spoiler reading alone: `read_review` per review on the import benchmark's texts, fast paths on and off.

What is measured (`python -m bench.reading`; `--reviews N`, default 4,000):

1. The texts `bench.imports` writes (40-140 words following a film's moods; one in ten
   with spoiler markup, one in ten retelling an ending in plain prose), each read with a
   catalog film's hints as `moviebot import` reads it (made-up cast and director, one film
   in ten with a twist keyword), in this process.
2. Microseconds per review with the reader's and detector's fast paths on, and with them
   off (`FAST_PATHS`: the full paths they must agree with), interleaved, best of three.
3. That both give identical documents on every text (the run fails otherwise).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from bench.imports import write_reviews
from bench.recommend import ROOT, machine


def texts_and_hints(n: int) -> tuple[list[str], list[object]]:
    sys.path.insert(0, str(ROOT))
    from bot.richtext import FilmHints

    films = [(f"The Film {i}", 1950 + i % 75, "") for i in range(10_000)]
    with tempfile.TemporaryDirectory() as tmp:
        texts = write_reviews(Path(tmp) / "reviews.jsonl", films, n)
    rng = random.Random(7)
    names = ["Quiet Riversen", "Bold Mountainova", "Dark Seaski", "Warm Lightian", "Old Roadawa"]
    hints: list[object] = [
        FilmHints.of(
            tuple(rng.sample(names, rng.randint(2, 4))),
            (f"{rng.choice(['Slow', 'Bright'])} {rng.choice(['River', 'Stone'])}son",),
            ("twist ending",) if rng.random() < 0.1 else (),
        )
        for _ in texts
    ]
    return texts, hints


def per_review_us(texts: list[str], hints: list[object], *, fast: bool) -> float:
    from bot.richtext import read_review
    from bot.richtext.model import FAST_PATHS

    FAST_PATHS.enabled = fast
    try:
        t0 = time.perf_counter()
        for text, film in zip(texts, hints, strict=True):
            read_review(text, film=film)  # type: ignore[arg-type]
        return (time.perf_counter() - t0) / len(texts) * 1e6
    finally:
        FAST_PATHS.enabled = True


def differences(texts: list[str], hints: list[object]) -> int:
    from bot.richtext import read_review
    from bot.richtext.model import FAST_PATHS

    bad = 0
    for text, film in zip(texts, hints, strict=True):
        for f in (None, film):
            fast = read_review(text, film=f)  # type: ignore[arg-type]
            FAST_PATHS.enabled = False
            try:
                full = read_review(text, film=f)  # type: ignore[arg-type]
            finally:
                FAST_PATHS.enabled = True
            bad += fast != full
    return bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.reading")
    ap.add_argument("--reviews", type=int, default=4000)
    args = ap.parse_args(argv)
    print(f"machine: {machine()}; load {os.getloadavg()[0]:.2f}", flush=True)
    texts, hints = texts_and_hints(args.reviews)
    per_review_us(texts[:200], hints[:200], fast=True)  # warm the word table and re's cache
    on, off = [], []
    for _ in range(3):
        on.append(per_review_us(texts, hints, fast=True))
        off.append(per_review_us(texts, hints, fast=False))
    bad = differences(texts, hints)
    result = {
        "reviews": len(texts),
        "fast_paths_on_us": round(min(on), 1),
        "fast_paths_off_us": round(min(off), 1),
        "reviews_per_s_per_core_on": round(1e6 / min(on)),
        "documents_differing": bad,
        "loadavg_after": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result, indent=2))
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
