"""`moviebot import` as an admin runs it: a subprocess, a database in a temp dir, exit codes and output."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.program import program_env

FIXTURES = Path(__file__).parent / "fixtures"


def _moviebot() -> list[str]:
    exe = Path(sys.executable).parent / "moviebot"
    return [str(exe)] if exe.is_file() else [sys.executable, "-m", "bot"]


def run(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = program_env()
    env["MOVIEBOT_DB"] = str(tmp / "db" / "moviebot.db")
    return subprocess.run(
        [*_moviebot(), *args], cwd=tmp, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def export(tmp_path: Path) -> Path:
    dest = tmp_path / "export"
    shutil.copytree(FIXTURES / "letterboxd", dest)
    return dest


def test_letterboxd_import_then_reimport(tmp_path: Path, export: Path) -> None:
    first = run(tmp_path, "import", str(export / "reviews.csv"))
    assert first.returncode == 0, first.stderr
    assert "4 added, 0 updated, 0 skipped, 0 failed; 2 new film(s) created" in first.stdout
    assert "new film: Harbour Lights Over Mokpo (2022)" in first.stdout
    again = run(tmp_path, "import", str(export / "reviews.csv"), "--format", "letterboxd")
    assert again.returncode == 0
    assert "0 added, 0 updated, 4 skipped, 0 failed" in again.stdout
    assert "line 3: skipped: this review of Train to Busan was imported before" in again.stdout


def test_missing_columns_exit_1_and_import_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "reviews.csv"
    bad.write_text("Date,Name,Rating,Review\n2023-01-01,Parasite,5,Great\n")
    res = run(tmp_path, "import", str(bad))
    assert res.returncode == 1
    assert "line 1: failed: missing column(s) Year, Letterboxd URI" in res.stdout
    assert "0 added" in res.stdout


def test_latin1_file_gets_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    text = (
        "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Review,Tags,Watched Date\n"
        "2023-01-01,Amélie,2001,https://boxd.it/a,4,,Très joli,,\n"
    )
    path.write_bytes(text.encode("latin-1"))
    res = run(tmp_path, "import", str(path))
    assert res.returncode == 1
    assert "is not UTF-8 (bad byte on line 2); save it as UTF-8" in res.stderr
    assert "Traceback" not in res.stderr


def test_post_import_new_film_and_unknown_film(tmp_path: Path) -> None:
    ok = run(tmp_path, "import", str(FIXTURES / "posts" / "your_excellency_new_film.md"), "--format", "post")
    assert ok.returncode == 0, ok.stderr
    assert "1 added" in ok.stdout and "new film: Your Excellency (2019)" in ok.stdout
    unknown = run(tmp_path, "import", str(FIXTURES / "posts" / "no_film.txt"))
    assert unknown.returncode == 1
    assert "line 1: failed: could not tell which film this post reviews; " in unknown.stdout
    assert "0 added" in unknown.stdout


def test_binary_document_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "review.md"
    doc.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    res = run(tmp_path, "import", str(doc), "--format", "post")
    assert res.returncode == 1
    assert "is not a text file" in res.stderr
