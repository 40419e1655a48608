"""Every command through the console adapter, driven as a subprocess with a pipe,
the way `printf '/movie Parasite\n' | moviebot console` works for a newcomer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def chat(tmp_path: Path, script: str, *args: str, db: str = "m.db") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "TELEGRAM_", "MOVIEBOT_"))}
    env["MOVIEBOT_DB"] = str(tmp_path / db)
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", *args],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def test_newcomer_session(tmp_path: Path) -> None:
    out = chat(tmp_path, "/recommend korean drama\n/movie Miracle in Cell No. 7\n")
    assert out.returncode == 0, out.stderr
    assert "Miracle in Cell No. 7 (2013)" in out.stdout
    assert "Ryu Seung-ryong" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_help_lists_every_command(tmp_path: Path) -> None:
    from bot.commands import COMMANDS

    out = chat(tmp_path, "/help\n")
    for name in COMMANDS:
        assert f"/{name}" in out.stdout


def test_member_help_hides_admin_commands(tmp_path: Path) -> None:
    out = chat(tmp_path, "/help\n", "--member")
    assert "/review" in out.stdout and "/addreview" not in out.stdout


def test_review_lifecycle_with_spoilers(tmp_path: Path) -> None:
    script = (
        "/addreview Parasite\n"
        "A sharp, funny class satire with a great cast.\n"
        "\n"
        "||The basement hides a man.||\n"
        ".\n"
        "/review parasite\n"
        "/spoiler parasite\n"
        "/delreview 1\n"
        "/review parasite\n"
    )
    out = chat(tmp_path, script)
    assert out.returncode == 0, out.stderr
    assert "Added review #1 of Parasite (2019)" in out.stdout
    review_part = out.stdout.split("/spoiler Parasite shows them")[0]
    assert "great cast" in review_part
    assert "basement" not in review_part
    assert "[spoiler] The basement hides a man. [/spoiler]" in out.stdout
    assert "Removed review #1." in out.stdout
    assert "No reviews of Parasite (2019) yet" in out.stdout


def test_rating_and_movie_card(tmp_path: Path) -> None:
    out = chat(tmp_path, "/rate parasite 9\n/rate Parasite (2019) 7\n/movie parasite\n")
    assert "Rated Parasite (2019) 9/10" in out.stdout
    assert "8.0/10 from 1 rating" not in out.stdout  # same member: the second rating replaces the first
    assert "7.0/10 from 1 rating" in out.stdout


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/movie", "Which film?"),
        ("/movie zzqx kkwv", "No film called"),
        ('/movie " * NEAR( AND OR', "No film called"),
        ("/rate parasite 11", "whole number from 1 to 10"),
        ("/rate parasite abc", "whole number from 1 to 10"),
        ("/rate", "Usage: /rate"),
        ("/delreview abc", "Usage: /delreview"),
        ("/delreview 999", "no review #999"),
        ("/review <b>bold</b> </tg-spoiler>", "No film called"),
        ("/frobnicate", "Unknown command"),
        ("hello", "Commands start with /"),
        ("/movie \x01\x02\x7f", "Which film?"),
        ("/addreview Parasite", "The review is empty"),
        ("/addreview", "Usage: /addreview"),
    ],
)
def test_bad_input_gets_one_clear_line(tmp_path: Path, line: str, expected: str) -> None:
    script = line + "\n" + (".\n" if line.startswith("/addreview") else "")
    out = chat(tmp_path, script)
    assert out.returncode == 0
    assert expected in out.stdout
    assert "Traceback" not in out.stdout + out.stderr
    reply = out.stdout.strip()
    assert "\n" not in reply, f"more than one line: {reply!r}"


def test_huge_input_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    big = "x" * 100_000
    out = chat(tmp_path, f"/movie {big}\n/rate {big} 5\n/addreview Parasite\n{big}\n.\n/review parasite\n")
    assert out.returncode == 0
    assert "Traceback" not in out.stdout + out.stderr
    assert "the limit is 50,000" in out.stdout
    assert "No reviews of Parasite (2019) yet" in out.stdout


def test_member_cannot_use_admin_commands(tmp_path: Path) -> None:
    out = chat(tmp_path, "/addreview Parasite\nsneaky\n.\n/subscribe\n/delreview 1\n", "--member")
    assert out.stdout.count("is for admins") == 3
    again = chat(tmp_path, "/review parasite\n/spoiler parasite\n")
    assert "No reviews of Parasite (2019) yet" in again.stdout


def test_data_survives_a_restart(tmp_path: Path) -> None:
    chat(tmp_path, "/addreview Parasite\nStill thinking about it.\n.\n")
    out = chat(tmp_path, "/review parasite\n")
    assert "Still thinking about it." in out.stdout


def test_buttons_can_be_pressed_by_number(tmp_path: Path) -> None:
    out = chat(tmp_path, "/addreview Parasite\nGood.\n\n||Hidden twist.||\n.\n/review parasite\n1\n")
    assert "[1] Show spoilers" in out.stdout
    assert "[spoiler] Hidden twist. [/spoiler]" in out.stdout
