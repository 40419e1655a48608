"""The `moviebot` command line (README, "Command line"): run, console, import, backup, feed.

Exit status: 0 done, 1 failed, 2 bad usage or configuration. Every failure is
one line on stderr that names what is wrong; no traceback reaches a user.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from adapters.console import run_console
from bot.catalog import load_starter_catalog
from bot.config import Settings, load_settings
from bot.core import MovieBot
from bot.errors import ConfigError, StartupError, StoreError
from bot.feed import feed_report
from bot.importers.files import import_file
from bot.logs import setup_logging
from bot.store import Store

from .progress import progress_bar
from .runner import run

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"moviebot: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="moviebot", description="Movie reviews and recommendations for Discord and Telegram.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("run", help="run every platform whose token is set, plus the channel poster")
    c = sub.add_parser("console", help="chat with the bot in this terminal")
    c.add_argument("--member", action="store_true", help="act as a member, not an admin")
    i = sub.add_parser("import", help="import movies, reviews, a Letterboxd export or a blog post")
    i.add_argument("paths", nargs="+", metavar="PATH")
    i.add_argument("--format", default="auto", choices=["auto", "movies", "reviews", "letterboxd", "post"])
    i.add_argument("--announce", action="store_true", help="also post the imported reviews to subscribed channels")
    b = sub.add_parser("backup", help="a consistent copy of the live database")
    b.add_argument("path", metavar="PATH")
    sub.add_parser("feed", help="pending, delivered and paused deliveries per channel")
    return p


# Commands that act on the bot's existing database refuse to create one (see `open_bot`).
EXISTING_DB_COMMANDS = ("import", "backup", "feed")


def open_bot(settings: Settings, *, create: bool = True) -> MovieBot:
    store = Store.open(settings.db_path, create=create)
    load_starter_catalog(store)
    return MovieBot(store, settings)


def import_paths(bot: MovieBot, paths: list[Path], fmt: str, *, announce: bool = False) -> int:
    """`moviebot import`: each file's report on stdout; 1 when a file or a row failed, else 0."""
    status = EXIT_OK
    for path in paths:
        try:
            with progress_bar(f"Importing {path.name}") as progress:
                report = import_file(bot, path, fmt, progress=progress, announce=announce)
        except (ValueError, OSError) as exc:
            print(f"moviebot: {exc}", file=sys.stderr)
            status = EXIT_FAILED
            continue
        for line in report.lines():
            print(line)
        if report.failed:
            status = EXIT_FAILED
    return status


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"moviebot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    secrets = [
        s.value for s in (settings.discord_token, settings.telegram_token, settings.telegram_webhook_secret) if s
    ]
    setup_logging(settings.log_level, secrets)

    if args.command == "run" and not (settings.discord_token or settings.telegram_token):
        if not sys.stdin.isatty():
            print(
                "moviebot: no platform token set: set DISCORD_TOKEN and/or TELEGRAM_TOKEN (or use `moviebot console`)",
                file=sys.stderr,
            )
            return EXIT_USAGE
        args.command, args.member = "console", False

    if args.command == "backup":
        target = Path(args.path)
        if target.exists():
            print(f"moviebot: {target} already exists; choose a new path", file=sys.stderr)
            return EXIT_USAGE
        if not target.parent.is_dir():
            print(f"moviebot: folder {target.parent} does not exist", file=sys.stderr)
            return EXIT_USAGE
    for path in getattr(args, "paths", []):
        if not Path(path).is_file():
            print(f"moviebot: no such file: {path}", file=sys.stderr)
            return EXIT_USAGE

    # Decision (issue 11): `import`, `backup` and `feed` act on the bot's database. Run from
    # another folder, the default relative path would silently create a new, empty database
    # there and the import would go where the bot never looks; so they create one only when
    # MOVIEBOT_DB names it explicitly, and otherwise stop with one line saying where they looked.
    create = args.command not in EXISTING_DB_COMMANDS or settings.db_named
    db_file = settings.db_path.resolve()
    try:
        bot = open_bot(settings, create=create)
    except StoreError as exc:
        if not create and not settings.db_path.is_file():
            print(
                f"moviebot: no database at {db_file}; run this from the bot's folder or set MOVIEBOT_DB "
                "to its database file (set it explicitly to create a new one)",
                file=sys.stderr,
            )
        else:
            print(f"moviebot: MOVIEBOT_DB: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.command in ("console", "run"):
        logging.getLogger("moviebot").info("database %s", db_file)

    try:
        if args.command == "console":
            return run_console(bot, sys.stdin, sys.stdout, admin=not args.member)
        if args.command == "import":
            print(f"database: {db_file}", flush=True)
            return import_paths(bot, [Path(p) for p in args.paths], args.format, announce=args.announce)
        if args.command == "backup":
            try:
                bot.store.backup(args.path)
            except StoreError as exc:
                print(f"moviebot: {exc}", file=sys.stderr)
                return EXIT_FAILED
            print(f"backed up {db_file} to {Path(args.path).resolve()}")
            return EXIT_OK
        if args.command == "feed":
            print(f"database: {db_file}")
            print(feed_report(bot.store))
            return EXIT_OK
        if args.command == "run":
            return run(bot, settings)
    except StartupError as exc:
        print(f"moviebot: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_OK
    finally:
        bot.store.close()
    return EXIT_USAGE
