"""Run every benchmark: recommendations, the feed fan-out when `bench.feed` exists, movie nights,
spoiler reading, imports."""

from __future__ import annotations

import argparse
import importlib
import sys


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes only (a minute or so)")
    ap.add_argument(
        "--no-big",
        action="store_true",
        help="recommend: skip 100,000 films / 1,000,000 reviews (its first build takes ~10 min)",
    )
    args, rest = ap.parse_known_args(argv)
    from bench import recommend

    status = recommend.main((["--quick"] if args.quick else []) + (["--no-big"] if args.no_big else []) + rest)
    try:
        feed = importlib.import_module("bench.feed")
    except ModuleNotFoundError:
        feed = None
    if feed is not None and hasattr(feed, "main"):
        status = feed.main(["--quick"] if args.quick else []) or status
    from bench import movienight

    status = movienight.main(["--quick"] if args.quick else []) or status
    from bench import spoilers

    status = spoilers.main(["--quick"] if args.quick else []) or status
    from bench import imports

    status = imports.main(["--quick"] if args.quick else []) or status
    return int(status or 0)


if __name__ == "__main__":
    sys.exit(main())
