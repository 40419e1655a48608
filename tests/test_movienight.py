"""/movienight through the real core, a real SQLite file and a clock the test moves: what members see."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot import dispatch
from bot.config import Settings
from bot.core import MovieBot
from bot.replies import Reply, Request
from bot.store import Store

DAY = 24 * 3600


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def night_bot(store: Store, clock: Clock) -> MovieBot:
    return MovieBot(store, Settings(db_path=store.path or Path(":memory:")), clock=clock, rng=random.Random(7))


def req(user: str, command: str, args: str = "", *, chat: str = "club", thread: str | None = None) -> Request:
    return Request(
        platform="telegram",
        user_id=user,
        user_name=user.title(),
        command=command,
        args=args,
        chat_id=chat,
        thread_id=thread,
    )


def say(bot: MovieBot, user: str, text: str, **kw: str | None) -> list[Reply]:
    name, _, args = text.lstrip("/").partition(" ")
    return dispatch.handle(bot, req(user, name, args, **kw))  # type: ignore[arg-type]


def press(bot: MovieBot, user: str, action: str, **kw: str | None) -> list[Reply]:
    return dispatch.press(bot, req(user, "button", **kw), action)  # type: ignore[arg-type]


def text(replies: list[Reply]) -> str:
    return "\n".join(r.body.plain for r in replies)


def vote_message(replies: list[Reply]) -> Reply:
    (vote,) = [r for r in replies if r.buttons and r.buttons[0].action.startswith("mn:")]
    return vote


def counts(reply: Reply) -> dict[str, int]:
    """Film label -> votes, as the vote message shows them."""
    out = {}
    for line in reply.body.plain.splitlines():
        m = re.match(r"(?:🏆 )?\d\. (.+?) — .* · (\d+) votes?$", line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def button(reply: Reply, title: str) -> str:
    return next(b.action for b in reply.buttons if title in b.label)


def fill_watchlists(bot: MovieBot) -> None:
    for user, titles in {
        "ann": ["Parasite", "Oldboy", "Burning"],
        "bob": ["Parasite", "Oldboy"],
        "cid": ["Parasite", "The Handmaiden"],
    }.items():
        for title in titles:
            assert "Added" in text(say(bot, user, f"/watchlist add {title}"))


def test_films_on_several_watchlists_come_first_each_with_a_reason(night_bot: MovieBot) -> None:
    fill_watchlists(night_bot)
    vote = vote_message(say(night_bot, "ann", "/movienight"))
    lines = [line for line in vote.body.plain.splitlines() if re.match(r"\d\. ", line)]
    assert lines[0] == "1. Parasite (2019) — on 3 watchlists here · 0 votes"
    assert lines[1] == "2. Oldboy (2003) — on 2 watchlists here · 0 votes"
    assert 3 <= len(lines) <= 5 and len(vote.buttons) == len(lines)
    assert all(" — " in line for line in lines)  # every candidate says why
    for b in vote.buttons:
        assert re.fullmatch(r"mn:\d+:[1-5]", b.action) and len(b.action.encode()) <= 64


def test_what_nobody_here_has_seen_and_like_what_they_rated_highly(night_bot: MovieBot) -> None:
    for user in ("ann", "bob"):
        say(night_bot, user, "/rate Oldboy 9")
        say(night_bot, user, "/rate Parasite 8")
    say(night_bot, "cid", "/rate Memories of Murder 7")
    say(night_bot, "cid", "/watchlist add Parasite")  # seen by ann and bob: not a candidate
    vote = vote_message(say(night_bot, "cid", "/movienight"))
    shown = vote.body.plain
    for seen in ("Oldboy (2003)", "Parasite (2019)", "Memories of Murder"):
        assert seen not in shown
    assert re.search(r"like (Oldboy|Parasite), which 2 of you rated 8\+", shown), shown


def test_two_members_vote_one_changes_and_the_counts_update_in_place(night_bot: MovieBot) -> None:
    fill_watchlists(night_bot)
    vote = vote_message(say(night_bot, "ann", "/movienight"))
    out = press(night_bot, "ann", button(vote, "Parasite"))
    updated, toast = out
    assert updated.edit and updated.buttons == vote.buttons
    assert toast.private and toast.body.plain == "You voted for Parasite (2019)."
    out = press(night_bot, "bob", button(vote, "Parasite"))
    assert counts(out[0])["Parasite (2019)"] == 2
    out = press(night_bot, "bob", button(vote, "Oldboy"))
    assert counts(out[0])["Parasite (2019)"] == 1
    assert counts(out[0])["Oldboy (2003)"] == 1
    assert out[1].body.plain == "Vote changed to Oldboy (2003) (was Parasite (2019))."
    # Pressing the same film again changes nothing, so nothing is edited.
    again = press(night_bot, "bob", button(vote, "Oldboy"))
    assert [r.edit for r in again] == [False] and again[0].private
    assert "already voted for Oldboy" in again[0].body.plain
    assert "2 votes so far" in out[0].body.plain


def test_end_by_starter_or_admin_announces_the_winner_and_old_buttons_say_closed(night_bot: MovieBot) -> None:
    fill_watchlists(night_bot)
    vote = vote_message(say(night_bot, "ann", "/movienight"))
    press(night_bot, "ann", button(vote, "Oldboy"))
    press(night_bot, "bob", button(vote, "Oldboy"))
    press(night_bot, "cid", button(vote, "Parasite"))
    refused = say(night_bot, "bob", "/movienight end")
    assert text(refused) == "Only Ann, who started this vote, or an admin can end it."
    out = say(night_bot, "ann", "/movienight end")
    assert text(out).startswith(
        "🎬 Movie night: Oldboy (2003)!\n\nOldboy (2003) wins with 2 of 3 votes. Closed by Ann."
    )
    late = press(night_bot, "bob", button(vote, "Parasite"))
    final, toast = late
    assert final.edit and final.buttons == () and "🏆 2. Oldboy (2003)" in final.body.plain
    assert toast.private and toast.body.plain.startswith("This vote has closed.")
    assert text(say(night_bot, "ann", "/movienight end")).startswith("There is no open vote here.")
    # An admin may end someone else's vote.
    say(night_bot, "bob", "/movienight")
    admin = replace(req("cid", "movienight", "end"), is_admin=True)
    assert "no winner" in text(dispatch.handle(night_bot, admin))


def test_ties_go_to_more_watchlists_then_to_a_draw_that_says_so(night_bot: MovieBot) -> None:
    fill_watchlists(night_bot)
    vote = vote_message(say(night_bot, "ann", "/movienight"))
    press(night_bot, "ann", button(vote, "Parasite"))
    press(night_bot, "bob", button(vote, "Oldboy"))
    out = text(say(night_bot, "ann", "/movienight end"))
    assert "Parasite (2019) and Oldboy (2003) tied with 1 vote each; Parasite (2019) wins" in out
    assert "more watchlists here (3)" in out
    vote = vote_message(say(night_bot, "ann", "/movienight"))
    # The catalog picks after the watchlist films are on nobody's watchlist: a tie between two of them.
    press(night_bot, "ann", vote.buttons[2].action)
    press(night_bot, "bob", vote.buttons[3].action)
    out = text(say(night_bot, "ann", "/movienight end"))
    assert "are on as many watchlists here, so a random draw picked" in out


def test_one_open_vote_per_chat_and_topics_are_separate(night_bot: MovieBot) -> None:
    fill_watchlists(night_bot)
    first = vote_message(say(night_bot, "ann", "/movienight"))
    again = say(night_bot, "bob", "/movienight something funny")
    assert text(again).startswith("A vote is already open here (started by Ann).")
    assert vote_message(again).buttons == first.buttons  # the open vote, shown again
    other = vote_message(say(night_bot, "bob", "/movienight", thread="42"))
    assert other.buttons != first.buttons


def test_a_vote_closes_by_itself_after_its_time(night_bot: MovieBot, clock: Clock) -> None:
    fill_watchlists(night_bot)
    vote = vote_message(say(night_bot, "ann", "/movienight"))
    press(night_bot, "bob", button(vote, "Oldboy"))
    clock.now += DAY - 1
    assert press(night_bot, "cid", button(vote, "Parasite"))[0].edit  # still open
    clock.now += 2
    out = press(night_bot, "ann", button(vote, "Parasite"))
    assert [r.edit for r in out] == [True, False, False] and out[0].buttons == ()
    assert "a random draw picked" in out[1].body.plain or "wins" in out[1].body.plain
    assert "closed by itself" in out[1].body.plain and out[2].body.plain == "This vote has closed."
    # A new /movienight in the chat starts afresh.
    assert vote_message(say(night_bot, "ann", "/movienight")).buttons != vote.buttons


def test_hours_are_configurable_and_an_expired_vote_is_announced_when_a_new_one_starts(
    store: Store, clock: Clock
) -> None:
    settings = Settings(db_path=store.path or Path(":memory:"), movienight_hours=2)
    bot = MovieBot(store, settings, clock=clock, rng=random.Random(1))
    fill_watchlists(bot)
    vote = vote_message(say(bot, "ann", "/movienight"))
    assert "closes by itself after 2 hours" in vote.body.plain
    press(bot, "bob", button(vote, "Oldboy"))
    clock.now += 2 * 3600
    out = say(bot, "cid", "/movienight")
    assert out[0].body.plain.startswith("🎬 Movie night: Oldboy (2003)!")
    assert vote_message(out).buttons != vote.buttons


def test_votes_survive_a_restart(store: Store, clock: Clock) -> None:
    settings = Settings(db_path=store.path or Path(":memory:"))
    bot = MovieBot(store, settings, clock=clock)
    fill_watchlists(bot)
    vote = vote_message(say(bot, "ann", "/movienight"))
    press(bot, "ann", button(vote, "Parasite"))
    assert store.path is not None
    again = Store.open(store.path)
    try:
        restarted = MovieBot(again, settings, clock=clock)
        out = press(restarted, "bob", button(vote, "Parasite"))
        assert counts(out[0])["Parasite (2019)"] == 2
        assert "Parasite (2019) wins with 2 of 2 votes" in text(say(restarted, "ann", "/movienight end"))
    finally:
        again.close()


def test_an_empty_pool_gets_a_clear_line_not_an_empty_vote(tmp_path: Path, clock: Clock) -> None:
    store = Store.open(tmp_path / "empty.db")
    try:
        bot = MovieBot(store, Settings(db_path=tmp_path / "empty.db"), clock=clock)
        out = say(bot, "ann", "/movienight")
        assert len(out) == 1 and not out[0].buttons
        assert out[0].body.plain.startswith("Nothing to vote on: nobody here has a film on their watchlist")
    finally:
        store.close()


def test_words_the_recommender_finds_nothing_in_give_a_clear_line(night_bot: MovieBot) -> None:
    out = say(night_bot, "ann", "/movienight zzzqqq blorp")
    assert len(out) == 1 and not out[0].buttons
    assert "nothing unseen for “zzzqqq blorp”" in out[0].body.plain
    # With watchlists, the watchlists still make a vote.
    fill_watchlists(night_bot)
    assert vote_message(say(night_bot, "ann", "/movienight zzzqqq blorp"))


def test_unknown_titles_in_what_still_get_candidates(night_bot: MovieBot) -> None:
    vote = vote_message(say(night_bot, "ann", "/movienight like parasyte but funnier"))
    assert 3 <= len(vote.buttons) <= 5


def test_stale_and_forged_buttons_get_one_line(night_bot: MovieBot) -> None:
    for action in ("mn:999:1", "mn:x:y", "mn:", "mn:1"):
        out = press(night_bot, "ann", action)
        assert len(out) == 1 and "\n" not in out[0].body.plain and "went wrong" not in out[0].body.plain


def test_help_lists_movienight(night_bot: MovieBot) -> None:
    assert "/movienight" in text(say(night_bot, "ann", "/help"))


def test_votes_due_are_closed_once_with_their_announcement(night_bot: MovieBot, clock: Clock) -> None:
    from bot.movienight import close_due

    fill_watchlists(night_bot)
    vote = vote_message(say(night_bot, "ann", "/movienight", thread="7"))
    press(night_bot, "bob", button(vote, "Oldboy"), thread="7")
    assert close_due(night_bot) == []
    clock.now += DAY
    ((night, announcement),) = close_due(night_bot)
    assert (night.platform, night.chat_id, night.thread_id) == ("telegram", "club", "7")
    assert announcement.body.plain.startswith("🎬 Movie night: Oldboy (2003)!")
    assert "closed by itself" in announcement.body.plain
    assert close_due(night_bot) == []  # closed once
