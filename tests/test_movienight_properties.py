"""Property tests: whatever people are called and whatever a button carries, a movie night stays safe.

- Any name (markup, mentions, spoiler bars, emoji) and any wish: the vote message is
  valid Telegram HTML within 4096 characters, pings nobody on Discord, and every
  button fits both platforms.
- Any string a forged or stale button could carry: one line back, never an incident.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.discord.render import render as render_discord
from adapters.telegram.render import edit_kwargs
from adapters.telegram.render import render as render_telegram
from bot import dispatch
from bot.config import Settings
from bot.core import MovieBot
from bot.replies import Reply, Request
from bot.store import Store
from tests.checks.discord_markdown import mentions
from tests.checks.telegram_html import check_formatted

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
NAMES = st.one_of(
    st.sampled_from(["@everyone", "<b>Ann</b>", "||spoiler||", "&amp; Co", "<@&123>", "🎬 Bob 🎬", "*_~`>"]),
    st.text(min_size=0, max_size=80),
)
CHATS = itertools.count()  # hypothesis seeds `random`: a counter gives every example its own chat
WISHES = st.one_of(st.just(""), st.sampled_from(["sad korean drama", "like Parasite <b>", "@here heist"]))


def _vote(bot: MovieBot, name: str, what: str, n: int) -> list[Reply]:
    chat = f"chat{n}"
    for user, title in (("u1", "Parasite"), ("u2", "Parasite"), ("u2", "Oldboy"), ("u1", "Oldboy")):
        dispatch.handle(bot, Request("telegram", user, "watchlist", args=f"add {title}", user_name=name, chat_id=chat))
    return dispatch.handle(bot, Request("telegram", "u1", "movienight", args=what, user_name=name, chat_id=chat))


@SETTINGS
@given(name=NAMES, what=WISHES)
def test_any_name_and_wish_render_safely_on_both_platforms(movie_bot: MovieBot, name: str, what: str) -> None:
    n = next(CHATS)
    replies = _vote(movie_bot, name, what, n)
    for reply in replies:
        for kw in render_telegram(reply):
            plain, _ = check_formatted(kw["text"], "HTML")
            assert len(plain) <= 4096
        for message in render_discord(reply):
            assert mentions(message.content) == []
            assert len(message.content) <= 2000
        for button in reply.buttons:
            assert len(button.action.encode()) <= 64 and len(button.label) <= 80
    vote = next((r for r in replies if r.buttons), None)
    if vote is not None:
        pressed = dispatch.press(
            movie_bot, Request("telegram", "u2", "button", user_name=name, chat_id=f"chat{n}"), vote.buttons[0].action
        )
        assert any(r.edit for r in pressed)
        for reply in pressed:
            if reply.edit:
                check_formatted(edit_kwargs(reply)["text"], "HTML")


@SETTINGS
@given(action=st.one_of(st.text(max_size=64).map(lambda s: "mn:" + s), st.from_regex(r"mn:-?\d{1,20}:-?\d{1,20}")))
def test_any_vote_button_gets_one_line_and_never_an_incident(movie_bot: MovieBot, action: str) -> None:
    replies = dispatch.press(movie_bot, Request("telegram", "u9", "button", chat_id="c"), action)
    assert len(replies) == 1
    line = replies[0].body.plain
    assert line and "\n" not in line and "went wrong" not in line


def test_a_vote_counts_only_in_its_own_chat(tmp_path: Path) -> None:
    """A button carrying another chat's vote (forged, or pasted) changes nothing there."""
    store = Store.open(tmp_path / "m.db")
    try:
        from bot.catalog import load_starter_catalog

        load_starter_catalog(store)
        bot = MovieBot(store, Settings(db_path=tmp_path / "m.db"))
        vote = next(r for r in _vote(bot, "Ann", "", 1) if r.buttons)
        out = dispatch.press(bot, Request("telegram", "u7", "button", chat_id="elsewhere"), vote.buttons[0].action)
        assert [r.body.plain for r in out] == ["That button no longer works; start a vote with /movienight."]
        out = dispatch.press(bot, Request("discord", "u1", "button", chat_id="chat1"), vote.buttons[0].action)
        assert not any(r.edit for r in out)
        out = dispatch.press(bot, Request("telegram", "u7", "button", chat_id="chat1"), vote.buttons[0].action)
        assert out[0].edit and "1 vote so far" in out[0].body.plain
    finally:
        store.close()


@SETTINGS
@given(
    args=st.one_of(
        st.text(max_size=300), st.text(max_size=100).map(lambda s: "add " + s), st.text().map(lambda s: "remove " + s)
    )
)
def test_any_watchlist_or_movienight_arguments_get_an_answer_never_an_incident(movie_bot: MovieBot, args: str) -> None:
    for command in ("watchlist", "movienight"):
        replies = dispatch.handle(movie_bot, Request("telegram", "u5", command, args=args, chat_id="props"))
        assert replies and all(r.body.plain.strip() for r in replies)
        assert not any("went wrong" in r.body.plain for r in replies), (command, args)
        dispatch.handle(movie_bot, Request("telegram", "u5", "movienight", args="end", chat_id="props"))
