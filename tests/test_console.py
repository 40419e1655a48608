"""Every command as a console user meets it.

Core behaviour goes through the in-memory adapter (tests/fakes/chat.py): the whole
core in-process on a real SQLite file, no subprocess per command. What is the
console's own (one message a line, a body ending with a line holding ".",
numbered buttons, "Commands start with /") runs `run_console` in-process over a
pipe-like text stream. A few tests still start the real `moviebot console`
process, the way `printf '/movie Parasite\\n' | moviebot console` works for a
newcomer.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.console import run_console
from bot.core import MovieBot
from tests.fakes.chat import TestChat, text_of


def chat_process(tmp_path: Path, script: str, *args: str, db: str = "m.db") -> subprocess.CompletedProcess[str]:
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


def console(bot: MovieBot, script: str, *, admin: bool = True) -> str:
    """The console adapter in-process: `script` in as stdin, what it printed out."""
    out = io.StringIO()
    assert run_console(bot, io.StringIO(script), out, admin=admin) == 0
    return out.getvalue()


# -- the real program -------------------------------------------------------------------------


def test_newcomer_session(tmp_path: Path) -> None:
    out = chat_process(tmp_path, "/recommend korean drama\n/movie Miracle in Cell No. 7\n")
    assert out.returncode == 0, out.stderr
    assert "Miracle in Cell No. 7 (2013)" in out.stdout
    assert "Ryu Seung-ryong" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_member_flag_hides_admin_commands(tmp_path: Path) -> None:
    out = chat_process(tmp_path, "/help\n", "--member")
    assert "/review" in out.stdout and "/addreview" not in out.stdout


def test_data_survives_a_restart(tmp_path: Path) -> None:
    chat_process(tmp_path, "/addreview Parasite\nStill thinking about it.\n.\n")
    out = chat_process(tmp_path, "/review parasite\n")
    assert "Still thinking about it." in out.stdout


# -- the core, through the in-memory adapter --------------------------------------------------


def test_help_lists_every_command(chat: TestChat) -> None:
    from bot.commands import COMMANDS

    text = chat.ask("/help")
    for name in COMMANDS:
        assert f"/{name}" in text


def test_member_help_hides_admin_commands(chat: TestChat) -> None:
    text = chat.ask("/help", admin=False)
    assert "/review" in text and "/addreview" not in text


def test_review_lifecycle_with_spoilers(chat: TestChat) -> None:
    body = "A sharp, funny class satire with a great cast.\n\n||The basement hides a man.||"
    assert "Added review #1 of Parasite (2019)" in chat.ask("/addreview Parasite", body=body)
    review = chat.ask("/review parasite")
    assert "/spoiler Parasite shows them" in review
    assert "great cast" in review
    assert "basement" not in review
    assert "[spoiler] The basement hides a man. [/spoiler]" in chat.ask("/spoiler parasite")
    assert "Removed review #1." in chat.ask("/delreview 1")
    assert "No reviews of Parasite (2019) yet" in chat.ask("/review parasite")


def test_rating_and_movie_card(chat: TestChat) -> None:
    assert "Rated Parasite (2019) 9/10" in chat.ask("/rate parasite 9")
    chat.ask("/rate Parasite (2019) 7")
    card = chat.ask("/movie parasite")
    assert "8.0/10 from 1 rating" not in card  # same member: the second rating replaces the first
    assert "7.0/10 from 1 rating" in card


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
        ("/movie \x01\x02\x7f", "Which film?"),
        ("/addreview Parasite", "The review is empty"),
        ("/addreview", "Usage: /addreview"),
    ],
)
def test_bad_input_gets_one_clear_line(chat: TestChat, line: str, expected: str) -> None:
    body = "" if line.startswith("/addreview") else None
    chat.push(line, body=body)
    replies = chat.pop_all()
    assert len(replies) == 1
    reply = text_of(replies[0]).strip()
    assert expected in reply
    assert "\n" not in reply, f"more than one line: {reply!r}"
    assert "incident" not in reply


def test_huge_input_is_refused_and_writes_nothing(chat: TestChat) -> None:
    big = "x" * 100_000
    said = [chat.ask(f"/movie {big}"), chat.ask(f"/rate {big} 5"), chat.ask("/addreview Parasite", body=big)]
    assert all(len(text) < 300 for text in said)  # nothing echoes the input back whole
    assert "the limit is 50,000" in "\n".join(said)
    assert "No reviews of Parasite (2019) yet" in chat.ask("/review parasite")


def test_member_cannot_use_admin_commands(chat: TestChat) -> None:
    for line, body in (("/addreview Parasite", "sneaky"), ("/subscribe", None), ("/delreview 1", None)):
        assert "is for admins" in chat.ask(line, body=body, admin=False)
    assert "No reviews of Parasite (2019) yet" in chat.ask("/review parasite")
    assert "No reviews of Parasite (2019) yet" in chat.ask("/spoiler parasite")


def test_show_spoilers_button(chat: TestChat) -> None:
    chat.ask("/addreview Parasite", body="Good.\n\n||Hidden twist.||")
    chat.push("/review parasite")
    assert "Hidden twist" not in chat.pop_text()
    chat.press("Show spoilers")
    assert "[spoiler] Hidden twist. [/spoiler]" in chat.pop_text()


# -- the console adapter itself, in-process ---------------------------------------------------


def test_buttons_can_be_pressed_by_number(movie_bot: MovieBot) -> None:
    out = console(movie_bot, "/addreview Parasite\nGood.\n\n||Hidden twist.||\n.\n/review parasite\n1\n")
    assert "[1] Show spoilers" in out
    assert "[spoiler] Hidden twist. [/spoiler]" in out


def test_text_without_a_slash_gets_a_hint(movie_bot: MovieBot) -> None:
    out = console(movie_bot, "hello\n")
    assert out.strip() == "Commands start with /. Try /help."


def test_a_body_ends_at_a_dot_line_and_each_reply_is_one_block(movie_bot: MovieBot) -> None:
    out = console(movie_bot, "/addreview\n.\n/rate parasite 11\n/addreview Parasite\n\n.\n")
    blocks = out.split("\n\n")
    assert blocks[-1] == "" and len(blocks) == 4  # three replies, each followed by a blank line
    assert blocks[0].startswith("Usage: /addreview")
    assert "whole number from 1 to 10" in blocks[1]
    assert blocks[2].startswith("The review is empty")
    assert all("\n" not in b for b in blocks)


def test_a_movie_night_in_the_console(movie_bot: MovieBot) -> None:
    script = "/watchlist add Parasite\n/watchlist add Oldboy\n/movienight\n1\n2\n/movienight end\n1\n"
    out = console(movie_bot, script)
    assert "Added Parasite (2019) to your watchlist (1 film)." in out
    assert "[1] 1. " in out and "[5] 5. " in out  # one numbered button per candidate
    assert "You voted for " in out and "Vote changed to " in out
    assert "🎬 Movie night: " in out and "wins with 1 of 1 vote. Closed by console." in out
    # An old vote's number still answers, as an old message's button does in a chat.
    assert out.rstrip().endswith("Closed by console.") and "This vote has closed." in out
