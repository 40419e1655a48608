"""The policy each command declares, applied in one place: who may, how big a file, which buttons are private."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot import dispatch
from bot.commands import BUTTONS, COMMANDS, MAX_FILE_BYTES
from bot.core import MovieBot
from bot.replies import Attachment, Request

ADMIN_COMMANDS = sorted(n for n, c in COMMANDS.items() if c.admin)


def member(command: str, **kw: object) -> Request:
    return Request(platform="telegram", user_id="7", command=command, args="Parasite", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ADMIN_COMMANDS)
def test_asking_first_and_running_refuse_a_member_with_the_same_line(movie_bot: MovieBot, name: str) -> None:
    early = dispatch.admit(movie_bot, member(name))
    late = dispatch.handle(movie_bot, member(name))
    assert [r.body.plain for r in early] == [r.body.plain for r in late] == [f"/{name} is for admins of this chat."]
    assert all(r.error and r.private for r in early)


def test_an_admin_may_go_on_and_a_bot_admin_too(movie_bot: MovieBot) -> None:
    assert dispatch.admit(movie_bot, member("addreview", is_admin=True)) == []
    movie_bot.settings = replace(movie_bot.settings, admins=frozenset({("telegram", "7")}))  # MOVIEBOT_ADMINS
    assert dispatch.admit(movie_bot, member("addreview"), file_size=10) == []


def test_a_file_too_big_reads_the_same_before_and_after_download(movie_bot: MovieBot) -> None:
    size = MAX_FILE_BYTES + 1024
    early = dispatch.admit(movie_bot, member("addreview", is_admin=True), file_size=size)
    big = Attachment("review.txt", b"a" * size)
    late = dispatch.handle(movie_bot, member("addreview", is_admin=True, attachments=(big,)))
    assert (
        [r.body.plain for r in early] == [r.body.plain for r in late] == ["That file is 257 KB; the limit is 256 KB."]
    )


def test_a_command_without_files_refuses_one(movie_bot: MovieBot) -> None:
    (reply,) = dispatch.admit(movie_bot, member("rate"), file_size=10)
    assert reply.body.plain == "/rate takes no file."


def test_unknown_commands_are_refused_early_as_late(movie_bot: MovieBot) -> None:
    early = dispatch.admit(movie_bot, member("nosuch"))
    late = dispatch.handle(movie_bot, member("nosuch"))
    assert [r.body.plain for r in early] == [r.body.plain for r in late] == ["Unknown command /nosuch. Try /help."]


def test_button_privacy_is_known_before_pressing() -> None:
    assert dispatch.button_is_private("spoil:1:0")
    assert not dispatch.button_is_private("rev:1:0")
    assert not dispatch.button_is_private("rec:more")
    assert not dispatch.button_is_private("nonsense")


def test_a_private_buttons_answer_is_private(movie_bot: MovieBot) -> None:
    film, _ = movie_bot.resolve("Parasite")
    req = Request(platform="telegram", user_id="1", command="addreview", args="Parasite", is_admin=True)
    dispatch.handle(movie_bot, replace(req, body="Good. ||The basement!||"))
    pressed = dispatch.press(movie_bot, member("button"), f"spoil:{film.id}:0")
    assert pressed and all(r.private and r.reveal for r in pressed)
    public = dispatch.press(movie_bot, member("button"), f"rev:{film.id}:0")
    assert public and not any(r.private for r in public)


def test_each_button_prefix_is_declared_one_way() -> None:
    for c in COMMANDS.values():
        for kind in c.buttons:
            assert BUTTONS[kind.prefix] == kind, f"/{c.name} declares {kind.prefix}: differently"


def test_only_commands_that_read_a_body_take_files() -> None:
    # Adapters take a file as the body; a command with files but no body would never see one.
    assert all(c.body for c in COMMANDS.values() if c.files)
