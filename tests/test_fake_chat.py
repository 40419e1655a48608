"""The in-memory adapter (tests/fakes/chat.py) keeps tests honest: an unread reply or a
button that is not there fails the test, and as a Platform it receives the feed."""

from __future__ import annotations

import asyncio

import pytest

from bot.core import MovieBot
from bot.feed import FeedDispatcher
from bot.platform import Platform
from bot.ratelimits import RateLimits, Window
from bot.service import AsyncCore
from tests.fakes.chat import TestChat, text_of
from tests.fakes.clock import ManualClock


def test_an_unread_reply_fails_the_test(movie_bot: MovieBot) -> None:
    chat = TestChat(movie_bot)
    chat.push("/movie Parasite")
    with pytest.raises(AssertionError, match="1 reply"):
        chat.close()
    chat.close()  # the queue was emptied: a second close passes


def test_pressing_a_button_that_is_not_there_fails(chat: TestChat) -> None:
    chat.ask("/addreview Parasite", body="Good.\n\n||The basement.||")
    chat.push("/review parasite")
    chat.pop()
    with pytest.raises(AssertionError, match="Show spoilers"):
        chat.press("Reveal everything")


def test_members_and_admins_are_told_apart(chat: TestChat) -> None:
    assert "is for admins" in chat.ask("/subscribe", admin=False)
    assert "is for admins" not in chat.ask("/subscribe")


async def test_as_a_platform_it_receives_the_feed(movie_bot: MovieBot) -> None:
    chat = TestChat(movie_bot, platform="telegram", user_id="42", chat_id="-100")
    platform: Platform = chat  # the same protocol the real adapters implement
    chat.ask("/subscribe")
    chat.ask("/addreview Parasite", body="Sharp and funny.\n\n||The basement hides a man.||")
    core = AsyncCore(movie_bot)
    clock = ManualClock()
    feed = FeedDispatcher(
        core, {"telegram": platform}, limits={"telegram": RateLimits(per_chat=(Window(1, 1.0),))}, clock=clock
    )
    stop = asyncio.Event()
    task = asyncio.create_task(feed.run(stop))
    try:
        for _ in range(1000):
            if chat.delivered:
                break
            await asyncio.sleep(0.005)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        core.close()
    assert [(d.chat_id, d.thread_id) for d in chat.delivered] == [("-100", None)]
    text = "\n".join(text_of(r) for r in chat.delivered[0].replies)
    assert text.startswith("New review of Parasite (2019)") and "Sharp and funny." in text
    assert "basement" not in text
    chat.close()
