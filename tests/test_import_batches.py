"""Imports under real use (issue 11): every row checked, history stored not broadcast, batches that survive kill -9."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.core import MovieBot
from bot.dispatch import handle
from bot.importers import jsonl
from bot.importers.jsonl import import_movies, import_reviews
from bot.replies import Request
from bot.store import Store
from tests.fixtures.program import program_env

PARASITE = {"movie": "Parasite", "year": 2019, "author": "ana", "rating": 9, "text": "Sharp and funny."}


def _line(**fields: object) -> str:
    return json.dumps({**PARASITE, **fields})


def _outcomes(report_rows: list) -> dict[int, tuple[str, str]]:
    return {r.line: (r.status, r.detail) for r in report_rows}


def _cli(tmp: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = program_env()
    env["MOVIEBOT_DB"] = str(db)
    return subprocess.run(
        [sys.executable, "-m", "moviebot", *args],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# -- every row checked -------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [False, True])
def test_bad_review_rows_are_reported_by_line_and_the_rest_imports(
    movie_bot: MovieBot, monkeypatch: pytest.MonkeyPatch, workers: bool
) -> None:
    if workers:  # as for a big file: rows parsed and checked in worker processes, five lines a run
        monkeypatch.setattr(jsonl, "POOL_MIN_ROWS", 1)
        monkeypatch.setattr(jsonl, "CHECK_LINES", 5)
        monkeypatch.setattr(jsonl, "CHECK_AHEAD", 1)
    lines = [
        _line(text="Line one is fine."),
        '{"movie": "Parasite", "rating": NaN, "text": "nan rating"}',
        '{"movie": "Parasite", "rating": Infinity, "text": "infinite rating"}',
        _line(text={"body": "an object"}),
        _line(movie=["Parasite"]),
        _line(text="x" * 2_000_000),
        _line(year="nineteen", text="bad year"),
        _line(rating=11, text="too high"),
        _line(rating=True, text="a boolean"),
        _line(posted_at=20240101, text="a number for a date"),
        _line(posted_at="yesterday", text="not a date"),
        _line(author=["a", "b"], text="author list"),
        _line(movie="A Film Nobody Made 1234", text="unknown film"),
        "{not json",
        "[1, 2]",
        _line(text="   "),
        _line(text="Last line is fine too.", rating=7.5),
    ]
    report = import_reviews(movie_bot, lines, "r.jsonl")
    got = _outcomes(report.rows)
    assert got[1][0] == "added" and got[17][0] == "added"
    assert got[2] == ("failed", "rating nan is not a number from 0 to 10")
    assert got[3] == ("failed", "rating inf is not a number from 0 to 10")
    assert got[4] == ("failed", "text must be text, not an object")
    assert got[5] == ("failed", "movie must be text, not a list")
    assert got[6] == ("failed", "text has 2,000,000 characters; the limit is 50,000, as in chat")
    assert got[7] == ("failed", "year must be a year such as 2019, not text")
    assert got[8] == ("failed", "rating 11 is outside 0 to 10")
    assert got[9] == ("failed", "rating must be a number from 0 to 10, not true/false")
    assert got[10] == ("failed", "posted_at must be an ISO 8601 date such as 2024-05-01, not a number")
    assert got[11] == ("failed", "posted_at 'yesterday' is not an ISO 8601 date")
    assert got[12] == ("failed", "author must be text, not a list")
    assert got[13][0] == "failed" and got[13][1].startswith("No film called “A Film Nobody Made 1234 (2019)”")
    assert got[14][0] == "failed" and got[14][1].startswith("not valid JSON")
    assert got[15] == ("failed", "each line must be a JSON object, not a list")
    assert got[16] == ("failed", "text is required")
    assert report.count("added") == 2 and report.failed == 15
    assert [r.line for r in report.rows] == sorted(r.line for r in report.rows)


def test_bad_movie_rows_are_reported_and_titles_lose_control_characters(movie_bot: MovieBot, store: Store) -> None:
    lines = [
        json.dumps({"title": "Quiet\u0007 Harbour\u200b\tLights", "year": 2021, "runtime": 101}),
        '{"title": "Runtime Of Nothing", "runtime": NaN}',
        '{"title": "Endless", "runtime": Infinity}',
        json.dumps({"title": ["a", "list"]}),
        json.dumps({"title": "Odd Original", "original_title": {"x": 1}}),
        json.dumps({"title": "Odd Overview", "overview": ["x"]}),
        json.dumps({"title": "Fine Film", "year": 2020, "countries": ["KR"]}),
    ]
    report = import_movies(movie_bot, lines, "m.jsonl")
    got = _outcomes(report.rows)
    assert got[1] == ("added", "Quiet Harbour Lights")
    assert got[2] == ("failed", "runtime nan is not minutes")
    assert got[3] == ("failed", "runtime inf is not minutes")
    assert got[4] == ("failed", "title must be text")
    assert got[5] == ("failed", "original_title must be text")
    assert got[6] == ("failed", "overview must be text")
    assert got[7] == ("added", "Fine Film")
    film_id = store.find_film_id("Quiet Harbour Lights", 2021)
    assert film_id is not None
    # The new films resolve at once (the title index learned them after the commit).
    assert movie_bot.resolve("quiet harbour lights")[0].id == film_id


def test_cli_reports_the_line_and_exits_1_and_a_rerun_adds_nothing_twice(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    source = tmp_path / "reviews.jsonl"
    source.write_text(
        "\n".join(
            [
                _line(text="First review."),
                '{"movie": "Parasite", "rating": NaN, "text": "nan"}',
                _line(text="Second review.", author="bo"),
                _line(text="First review."),  # the same review again, inside one file
            ]
        )
        + "\n"
    )
    first = _cli(tmp_path, db, "import", str(source))
    assert first.returncode == 1, first.stderr
    assert "Traceback" not in first.stderr
    out = first.stdout.splitlines()
    assert out[0] == f"database: {db}"
    assert out[1] == f"{source}: 2 added, 0 updated, 1 skipped, 1 failed"
    assert "  line 2: failed: rating nan is not a number from 0 to 10" in out
    assert "  line 4: skipped: the same review of Parasite (2019) is on line 1" in out
    again = _cli(tmp_path, db, "import", str(source))
    assert f"{source}: 0 added, 0 updated, 3 skipped, 1 failed" in again.stdout
    assert "  line 1: skipped: this review of Parasite (2019) was imported before" in again.stdout
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 2
    conn.close()


# -- stored, not broadcast -------------------------------------------------------------------------------


def _admin(command: str, args: str = "", body: str | None = None) -> Request:
    return Request(
        platform="telegram",
        user_id="1",
        user_name="Ana",
        command=command,
        args=args,
        body=body,
        chat_id="-100",
        chat_title="club",
        is_admin=True,
    )


def _outbox(store: Store) -> list[int]:
    return [r[0] for r in store.db.execute("SELECT review_id FROM outbox ORDER BY review_id")]


def test_imports_are_stored_not_broadcast_unless_announced(movie_bot: MovieBot, store: Store) -> None:
    handle(movie_bot, _admin("subscribe"))
    quiet = import_reviews(movie_bot, [_line(text="Imported quietly.")], "a.jsonl")
    assert quiet.count("added") == 1
    assert _outbox(store) == []
    loud = import_reviews(
        movie_bot,
        [
            _line(text="Announced and new.", posted_at=None),
            _line(text="Announced but written in 2015, before the chat subscribed.", posted_at="2015-03-01"),
        ],
        "b.jsonl",
        announce=True,
    )
    assert loud.count("added") == 2
    new_id = store.find_review(store.find_film_id("Parasite", 2019) or 0, "Announced and new.")
    assert _outbox(store) == [new_id]
    # A review added in chat is posted, as before.
    reply = handle(movie_bot, _admin("addreview", "Parasite", "Written in chat today."))
    chat_id = int(reply[0].body.plain.split("#")[1].split()[0])
    assert _outbox(store) == [new_id, chat_id]


# -- kill -9 in the middle ---------------------------------------------------------------------------------


def _reviews_file(path: Path, n: int) -> None:
    titles = ["Parasite", "Oldboy", "Amélie", "Spirited Away", "The Host", "Train to Busan", "Burning"]
    with path.open("w") as fh:
        for i in range(n):
            text = f"Review {i}: the acting is strong and the score is lovely. I would watch it again."
            fh.write(json.dumps({"movie": titles[i % len(titles)], "author": f"m{i % 97}", "text": text}) + "\n")


def _processes_reading(source: Path) -> list[int]:
    """Live processes whose command line names `source` (the import and its forked reading workers)."""
    found = []
    for proc_dir in Path("/proc").iterdir():
        if not proc_dir.name.isdigit():
            continue
        try:
            cmdline = (proc_dir / "cmdline").read_bytes()
            state = (proc_dir / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(source).encode() in cmdline and state != "Z":
            found.append(int(proc_dir.name))
    return found


def test_kill_9_mid_import_loses_nothing_committed_and_a_rerun_completes_it(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    assert _cli(tmp_path, db, "feed").returncode == 0
    source = tmp_path / "big.jsonl"
    n = 12_000
    _reviews_file(source, n)
    env = program_env()
    env["MOVIEBOT_DB"] = str(db)
    proc = subprocess.Popen(
        [sys.executable, "-m", "moviebot", "import", str(source)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    conn = sqlite3.connect(db, timeout=30)
    deadline = time.monotonic() + 240
    stored = 0
    while proc.poll() is None and time.monotonic() < deadline:
        stored = conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
        if stored > 0:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert stored > 0, "no batch committed before the kill"
    # The reading workers notice their import is gone and leave too (none is left behind forever).
    deadline = time.monotonic() + 60
    while _processes_reading(source) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_reading(source) == []
    after_kill = conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # What committed is whole: indexed for search and read for recommendations.
    assert conn.execute("SELECT count(*) FROM reviews_fts").fetchone()[0] == after_kill
    missing = conn.execute(
        "SELECT count(*) FROM reviews r WHERE NOT EXISTS (SELECT 1 FROM rec_review x WHERE x.review_id = r.id)"
    ).fetchone()[0]
    assert missing == 0
    conn.close()
    rerun = _cli(tmp_path, db, "import", str(source))
    assert rerun.returncode == 0, rerun.stderr
    assert f"{n - after_kill} added, 0 updated, {after_kill} skipped, 0 failed" in rerun.stdout
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == n
    assert conn.execute("SELECT count(DISTINCT source_key) FROM reviews").fetchone()[0] == n
    conn.close()
