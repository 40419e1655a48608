"""The command line (README): exit 0 done, 1 failed, 2 bad usage or configuration.

The program runs as a real process here; where a test only needs to chat with
the database before or after it, that part runs in-process (tests/fakes/chat.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.config import Settings
from moviebot.cli import open_bot
from tests.fakes.chat import TestChat


def run(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "TELEGRAM_", "MOVIEBOT_"))}
    base["MOVIEBOT_DB"] = str(tmp_path / "m.db")
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=base,
        cwd=tmp_path,
        timeout=120,
    )


@contextmanager
def chat_on(db: Path) -> Iterator[TestChat]:
    """The console's user on database `db`, in-process, opened the way the program opens it."""
    bot = open_bot(Settings(db_path=db))
    chat = TestChat(bot)
    try:
        yield chat
        chat.close()
    finally:
        bot.store.close()


def test_run_without_token_and_terminal_names_the_variables(tmp_path: Path) -> None:
    out = run(tmp_path, "run")
    assert out.returncode == 2
    assert "DISCORD_TOKEN" in out.stderr and "TELEGRAM_TOKEN" in out.stderr
    assert "Traceback" not in out.stderr


def test_token_is_never_echoed_in_errors(tmp_path: Path) -> None:
    secret = "123456:SECRET TOKEN VALUE"
    out = run(tmp_path, "console", env={"TELEGRAM_TOKEN": secret})
    assert out.returncode == 2
    assert "SECRET" not in out.stderr + out.stdout


def test_unopenable_database_stops_with_path_and_reason(tmp_path: Path) -> None:
    bad = tmp_path / "notadb.db"
    bad.write_bytes(b"garbage" * 1000)
    out = run(tmp_path, "console", env={"MOVIEBOT_DB": str(bad)})
    assert out.returncode == 2
    assert "notadb.db" in out.stderr and "MOVIEBOT_DB" in out.stderr
    assert "Traceback" not in out.stderr


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    assert run(tmp_path, "frobnicate").returncode == 2
    assert run(tmp_path, "import").returncode == 2
    assert run(tmp_path, "import", "missing.jsonl").returncode == 2
    assert run(tmp_path, "import", "x", "--format", "yaml").returncode == 2


def test_import_movies_and_reviews_then_chat(tmp_path: Path) -> None:
    movies = tmp_path / "movies.jsonl"
    movies.write_text(
        json.dumps({"title": "Quiet Harbour", "year": 2021, "countries": ["Norway"], "genres": ["drama"]})
        + "\n"
        + "{not json\n"
        + json.dumps({"year": 2000})
        + "\n"
        + json.dumps({"title": "Parasite", "year": 2019})
        + "\n",
        encoding="utf-8",
    )
    out = run(tmp_path, "import", str(movies))
    assert out.returncode == 1  # two rows failed
    assert "1 added" in out.stdout and "1 skipped" in out.stdout and "2 failed" in out.stdout
    assert "line 2: failed: not valid JSON" in out.stdout
    assert "line 3: failed: title is required" in out.stdout

    reviews = tmp_path / "reviews.jsonl"
    reviews.write_text(
        json.dumps({"movie": "quiet harbour", "author": "ann", "rating": 8, "text": "Calm. >!The boat sinks.!<"})
        + "\n"
        + json.dumps({"movie": "No Such Film At All", "author": "bo", "text": "?"})
        + "\n",
        encoding="utf-8",
    )
    out = run(tmp_path, "import", str(reviews), "--format", "reviews")
    assert "1 added" in out.stdout and "1 failed" in out.stdout
    again = run(tmp_path, "import", str(reviews), "--format", "reviews")
    assert "0 added" in again.stdout and "1 skipped" in again.stdout

    with chat_on(tmp_path / "m.db") as chat:
        review, card = chat.ask("/review quiet harbour"), chat.ask("/movie quiet harbour")
    assert "Calm." in review and "boat sinks" not in review
    assert "Norway" in card


def test_import_refuses_non_utf8_and_binary(tmp_path: Path) -> None:
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"title": "Amélie"}\n'.encode("latin-1"))
    out = run(tmp_path, "import", str(latin))
    assert out.returncode == 1 and "not UTF-8" in out.stderr
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    out = run(tmp_path, "import", str(binary))
    assert out.returncode == 1 and "not a text file" in out.stderr


def test_backup_copies_the_live_database(tmp_path: Path) -> None:
    with chat_on(tmp_path / "m.db") as chat:
        chat.ask("/rate parasite 9")
    out = run(tmp_path, "backup", str(tmp_path / "copy.db"))
    assert out.returncode == 0, out.stderr
    with chat_on(tmp_path / "copy.db") as chat:
        assert "9.0/10 from 1 rating" in chat.ask("/movie parasite")
    assert run(tmp_path, "backup", str(tmp_path / "copy.db")).returncode == 2  # never overwrites


def test_feed_command_reports_subscriptions(tmp_path: Path) -> None:
    assert "No channel is subscribed" in run(tmp_path, "feed").stdout
    with chat_on(tmp_path / "m.db") as chat:
        chat.ask("/subscribe")
        chat.ask("/addreview parasite", body="Good.")
    out = run(tmp_path, "feed")
    assert out.returncode == 0
    assert "console" in out.stdout and "active" in out.stdout
