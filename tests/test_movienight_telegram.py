"""Movie nights end to end on Telegram: the real adapter and python-telegram-bot against FakeTelegram.

Two members fill watchlists in a forum topic, start a vote, vote (one changes their
mind), and get a winner; the vote message is edited in place (editMessageText) and
each presser gets a private toast (answerCallbackQuery). Assertions read what the
strict fake accepted, and that it rejected nothing it should not have.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from tests.fixtures.telegram.harness import TOKEN, FakeTelegram, SentMessage, TelegramHarness

BOT_NAME = "moviebot_test_bot"


@pytest_asyncio.fixture
async def tg(tmp_path: Path) -> AsyncIterator[TelegramHarness]:
    async with FakeTelegram(token=TOKEN, bot_username=BOT_NAME) as fake:
        h = TelegramHarness(fake, tmp_path / "moviebot.db")
        await h.start()
        assert h.platform is not None
        h.platform.handlers.edit_interval = 0  # every press edits at once; the throttle has its own test
        try:
            yield h
        finally:
            await h.stop()


def buttons(msg: SentMessage) -> dict[str, str]:
    """Button text -> callback_data, from the message as the fake holds it now."""
    markup = (msg.edits[-1] if msg.edits else msg).reply_markup or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}


def latest(msg: SentMessage) -> str:
    return (msg.edits[-1] if msg.edits else msg).plain


def votes_for(msg: SentMessage, title: str) -> int:
    m = re.search(rf"\d\. {re.escape(title)} — .*? · (\d+) votes?", latest(msg))
    assert m, latest(msg)
    return int(m.group(1))


def data_for(msg: SentMessage, title: str) -> str:
    return next(data for label, data in buttons(msg).items() if title in label)


async def fill(tg: TelegramHarness, chat: dict, thread: int | None, lists: dict[str, list[str]]) -> dict[str, dict]:
    users = {name: tg.fake.add_user(name) for name in lists}
    for name, titles in lists.items():
        for title in titles:
            out = await tg.say(chat, users[name], f"/watchlist add {title}", thread_id=thread)
            assert out[0].plain.startswith("Added "), out[0].plain
    return users


async def start_vote(tg: TelegramHarness, chat: dict, user: dict, thread: int | None) -> SentMessage:
    out = await tg.say(chat, user, "/movienight", thread_id=thread)
    (vote,) = [m for m in out if m.reply_markup]
    return vote


async def test_two_members_fill_watchlists_vote_change_and_get_a_winner_in_a_topic(tg: TelegramHarness) -> None:
    forum = tg.fake.supergroup("Film club", forum=True)
    topic = tg.fake.add_topic(forum)
    users = await fill(tg, forum, topic, {"Ann": ["Parasite", "Oldboy"], "Bob": ["parasite", "oldboy"]})
    ann, bob = users["Ann"], users["Bob"]
    shown = await tg.say(forum, ann, "/watchlist", thread_id=topic)
    assert "Parasite (2019) — also wanted here by Bob" in shown[0].plain

    vote = await start_vote(tg, forum, ann, topic)
    assert vote.message_thread_id == topic
    assert vote.plain.splitlines()[2] == "1. Parasite (2019) — on 2 watchlists here · 0 votes"
    assert 3 <= len(buttons(vote)) <= 5
    for data in buttons(vote).values():
        assert len(data.encode()) <= 64

    qid, sent = await tg.press(forum, ann, vote, data_for(vote, "Parasite"))
    assert sent == []  # nothing new in the chat: the vote message changed in place
    assert tg.fake.callback_answers[qid]["text"] == "You voted for Parasite (2019)."
    assert votes_for(vote, "Parasite (2019)") == 1
    await tg.press(forum, bob, vote, data_for(vote, "Parasite"))
    assert votes_for(vote, "Parasite (2019)") == 2
    qid, _ = await tg.press(forum, bob, vote, data_for(vote, "Oldboy"))
    assert tg.fake.callback_answers[qid]["text"] == "Vote changed to Oldboy (2003) (was Parasite (2019))."
    assert (votes_for(vote, "Parasite (2019)"), votes_for(vote, "Oldboy (2003)")) == (1, 1)
    edits = len(vote.edits)
    qid, _ = await tg.press(forum, bob, vote, data_for(vote, "Oldboy"))
    assert "already voted for Oldboy" in tg.fake.callback_answers[qid]["text"]
    assert len(vote.edits) == edits  # nothing changed, so nothing was edited
    await tg.press(forum, ann, vote, data_for(vote, "Oldboy"))

    refused = await tg.say(forum, bob, "/movienight end", thread_id=topic)
    assert refused[0].plain == "Only Ann, who started this vote, or an admin can end it."
    out = await tg.say(forum, ann, "/movienight end", thread_id=topic)
    assert out[0].message_thread_id == topic
    assert out[0].plain.startswith("🎬 Movie night: Oldboy (2003)!\n\nOldboy (2003) wins with 2 of 2 votes.")

    # An old vote's button: a polite toast, and the message shows the result without buttons.
    qid, sent = await tg.press(forum, bob, vote, data_for(vote, "Parasite"))
    assert sent == [] and tg.fake.callback_answers[qid]["text"].startswith("This vote has closed.")
    assert buttons(vote) == {} and "🏆 2. Oldboy (2003)" in latest(vote)
    assert not tg.fake.rejected


async def test_a_second_press_on_a_closed_vote_is_not_modified_and_still_answered(tg: TelegramHarness) -> None:
    group = tg.fake.supergroup("Club")
    users = await fill(tg, group, None, {"Ann": ["Parasite", "Burning"], "Bob": ["Parasite", "Burning"]})
    vote = await start_vote(tg, group, users["Ann"], None)
    data = data_for(vote, "Burning")
    await tg.say(group, users["Ann"], "/movienight end")
    await tg.press(group, users["Bob"], vote, data)
    # The fake keeps the old keyboard's data reachable, as a client with a stale view would.
    qid, sent = await tg.press(group, users["Ann"], vote, data)
    assert sent == [] and tg.fake.callback_answers[qid]["text"].startswith("This vote has closed.")
    # The second edit would change nothing: Telegram's 400 is taken as success, not reported.
    assert [r.method for r in tg.fake.rejected] == ["editMessageText"]
    assert "message is not modified" in tg.fake.rejected[0].description


async def test_a_restart_mid_vote_loses_no_vote(tg: TelegramHarness) -> None:
    group = tg.fake.supergroup("Club")
    users = await fill(tg, group, None, {"Ann": ["Parasite", "Oldboy"], "Bob": ["Parasite", "Oldboy"]})
    vote = await start_vote(tg, group, users["Ann"], None)
    await tg.press(group, users["Ann"], vote, data_for(vote, "Oldboy"))
    await tg.restart()
    await tg.press(group, users["Bob"], vote, data_for(vote, "Oldboy"))
    assert votes_for(vote, "Oldboy (2003)") == 2
    out = await tg.say(group, users["Ann"], "/movienight end")
    assert "Oldboy (2003) wins with 2 of 2 votes." in out[0].plain
    assert not tg.fake.rejected


async def test_the_command_menu_and_help_list_the_new_commands(tg: TelegramHarness) -> None:
    menu = tg.fake.commands[(json.dumps({"type": "default"}), "")]
    assert {"watchlist", "movienight"} <= {c["command"] for c in menu}
    ann = tg.fake.add_user("Ann")
    out = await tg.say(tg.fake.private_chat(ann), ann, "/help")
    assert "/watchlist" in out[0].plain and "/movienight" in out[0].plain


async def test_a_vote_nobody_touches_closes_on_time_and_the_topic_hears_the_winner(tg: TelegramHarness) -> None:
    import time

    from bot.movienight_closer import Closer

    forum = tg.fake.supergroup("Film club", forum=True)
    topic = tg.fake.add_topic(forum)
    users = await fill(tg, forum, topic, {"Ann": ["Parasite", "Oldboy"], "Bob": ["Parasite", "Oldboy"]})
    vote = await start_vote(tg, forum, users["Ann"], topic)
    await tg.press(forum, users["Bob"], vote, data_for(vote, "Oldboy"))
    assert tg.core is not None and tg.platform is not None
    closer = Closer(tg.core, {"telegram": tg.platform})
    assert await closer.sweep() == 0
    tg.movie_bot.clock = lambda: time.time() + 25 * 3600  # a day and an hour later
    before = len(tg.fake.sent)
    assert await closer.sweep() == 1
    (posted,) = tg.fake.sent[before:]
    assert posted.chat_id == forum["id"] and posted.message_thread_id == topic
    assert posted.plain.startswith("🎬 Movie night: Oldboy (2003)!")
    assert "closed by itself" in posted.plain
    assert not tg.fake.rejected


async def test_presses_in_quick_succession_fold_into_one_trailing_edit(tg: TelegramHarness) -> None:
    assert tg.platform is not None
    handlers = tg.platform.handlers
    handlers.edit_interval = 3600  # nothing is due by the clock: only the flush sends the trailing edit
    group = tg.fake.supergroup("Club")
    users = await fill(tg, group, None, {"Ann": ["Parasite", "Oldboy"], "Bob": ["Parasite"], "Cid": ["Oldboy"]})
    vote = await start_vote(tg, group, users["Ann"], None)
    for name in ("Ann", "Bob", "Cid"):
        qid, _ = await tg.press(group, users[name], vote, data_for(vote, "Parasite"))
        assert tg.fake.callback_answers[qid]["text"] == "You voted for Parasite (2019)."  # every presser hears back
    assert len(vote.edits) == 1 and votes_for(vote, "Parasite (2019)") == 1  # the first press, at once
    await handlers.drain_edits()
    assert len(vote.edits) == 2 and votes_for(vote, "Parasite (2019)") == 3  # one edit for the other two
    assert not tg.fake.rejected
