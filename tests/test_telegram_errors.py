"""Failure paths of the Telegram adapter, end to end against FakeTelegram: bad input, flood
control, kicked/blocked chats, server errors, a failing handler, feed delivery errors,
a refused token, webhook mode, and the token never reaching a log record."""

from __future__ import annotations

import json
import logging
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from bot.config import Secret
from bot.errors import StartupError
from bot.platform import Gone, RetryLater, Transient
from bot.replies import text_reply
from tests.fixtures.telegram.harness import (
    ROOT_ID,
    TOKEN,
    FakeTelegram,
    TelegramHarness,
    one_line,
    written,
)


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as f:
        yield f


@pytest_asyncio.fixture
async def tg(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[TelegramHarness]:
    h = TelegramHarness(fake, tmp_path / "moviebot.db")
    await h.start()
    try:
        yield h
    finally:
        await h.stop()


async def test_flood_wait_is_honoured_and_the_reply_sent_once(tg: TelegramHarness) -> None:
    ann = tg.fake.add_user("Ann")
    chat = tg.fake.private_chat(ann)
    tg.fake.inject_error("sendMessage", chat_id=chat["id"], code=429, retry_after=1)
    line = one_line(await tg.say(chat, ann, "/rate Parasite 8"))
    assert line.startswith("Rated Parasite (2019) 8/10.")
    calls = tg.fake.requests_for("sendMessage")
    assert [c.status for c in calls] == [429, 200]
    assert written(tg) == (0, 1, 0)


async def test_server_errors_are_retried_a_bounded_number_of_times(tg: TelegramHarness) -> None:
    ann = tg.fake.add_user("Ann")
    chat = tg.fake.private_chat(ann)
    tg.fake.inject_error("sendMessage", chat_id=chat["id"], code=502, count=2)
    assert one_line(await tg.say(chat, ann, "/rate Parasite 7")).startswith("Rated Parasite")
    tg.fake.inject_error("sendMessage", chat_id=chat["id"], code=500, count=5)
    assert await tg.say(chat, ann, "/rate Memories of Murder 6") == []  # gave up after 3 tries
    assert [c.status for c in tg.fake.requests_for("sendMessage")] == [502, 502, 200, 500, 500, 500]
    assert one_line(await tg.say(chat, ann, "/rate Train to Busan 5")).startswith("Rated Train to Busan")


async def test_forbidden_reply_is_dropped_and_the_bot_keeps_serving(tg: TelegramHarness) -> None:
    ann, bob = tg.fake.add_user("Ann"), tg.fake.add_user("Bob")
    group = tg.fake.group("Movie night")
    tg.fake.inject_error("sendMessage", chat_id=group["id"], code=403)
    assert await tg.say(group, ann, "/rate Parasite 9") == []
    blocked = tg.fake.private_chat(bob)
    tg.fake.block_bot(bob)
    assert await tg.say(blocked, bob, "/help") == []
    assert one_line(await tg.say(group, ann, "/rate Train to Busan 8")).startswith("Rated Train to Busan")
    assert [r.error_code for r in tg.fake.rejected] == [403, 403]


async def test_a_failing_handler_is_answered_with_one_friendly_line(tg: TelegramHarness) -> None:
    root = tg.fake.add_user("Root", user_id=ROOT_ID)
    chat = tg.fake.private_chat(root)
    # A document Telegram no longer has: getFile fails inside the handler.
    gone = {
        "file_id": "BQACAgIAAxkBAAIgoneFile",
        "file_unique_id": "AgADgone",
        "file_size": 10,
        "file_name": "review.txt",
        "mime_type": "text/plain",
    }
    line = one_line(await tg.say(chat, root, document=gone, caption="/addreview Parasite"))
    # The core's incident line, as on Discord and the console: the id finds the traceback in the log.
    assert re.fullmatch(r"Sorry, something went wrong on our side \(incident [0-9a-f]{8}\)\.", line), line
    assert one_line(await tg.say(chat, root, "/rate Parasite 9")).startswith("Rated Parasite")
    assert written(tg) == (0, 1, 0)


async def test_callback_with_a_stale_button_is_answered_once(tg: TelegramHarness) -> None:
    ann = tg.fake.add_user("Ann")
    chat = tg.fake.private_chat(ann)
    [msg] = await tg.say(chat, ann, "/rate Parasite 9")
    qid, out = await tg.press(chat, ann, msg, "nonsense:1")
    assert list(tg.fake.callback_answers) == [qid]
    assert "That button no longer works" in one_line(out)


async def test_deliver_maps_failures_for_the_feed_without_retrying(tg: TelegramHarness) -> None:
    assert tg.platform is not None
    deliver = tg.platform.deliver
    channel = tg.fake.channel("Reviews daily")
    forum = tg.fake.supergroup("Forum", forum=True)
    topic = tg.fake.add_topic(forum)
    item = [text_reply("New review of Parasite (2019) by Ada.")]

    await deliver(str(channel["id"]), None, item)
    await deliver(str(forum["id"]), str(topic), item)
    await deliver(str(forum["id"]), "1", item)  # the General topic
    assert [(m.chat_id, m.message_thread_id) for m in tg.fake.sent] == [
        (channel["id"], None),
        (forum["id"], topic),
        (forum["id"], None),
    ]

    tg.fake.inject_error("sendMessage", chat_id=channel["id"], code=429, retry_after=5)
    with pytest.raises(RetryLater) as info:
        await deliver(str(channel["id"]), None, item)
    assert info.value.retry_after == 5
    assert tg.fake.requests_for("sendMessage")[-1].status == 429  # no internal retry

    tg.fake.inject_error("sendMessage", chat_id=channel["id"], code=500)
    with pytest.raises(Transient):
        await deliver(str(channel["id"]), None, item)
    tg.fake.kick_bot(channel)
    with pytest.raises(Gone):
        await deliver(str(channel["id"]), None, item)
    with pytest.raises(Gone):
        await deliver("-100999999", None, item)  # chat not found
    assert len(tg.fake.sent) == 3


async def test_deliver_finishes_a_long_post_without_repeating_its_first_part(tg: TelegramHarness) -> None:
    """A 429 on part two must not make the dispatcher re-send part one: deliver waits and goes on."""
    assert tg.platform is not None
    group = tg.fake.supergroup("Film club")
    long_post = [text_reply(*(f"Paragraph {i}: " + "a long review sentence. " * 40 for i in range(12)))]
    tg.fake.inject_error("sendMessage", chat_id=group["id"], code=429, retry_after=1, after=1)

    await tg.platform.deliver(str(group["id"]), None, long_post)

    parts = [m.plain for m in tg.fake.sent if m.chat_id == group["id"]]
    assert len(parts) >= 2
    assert len(set(parts)) == len(parts)  # nothing posted twice
    assert "Paragraph 0:" in parts[0] and "Paragraph 11:" in parts[-1]
    assert [r.status for r in tg.fake.requests_for("sendMessage")].count(429) == 1


async def test_wrong_token_is_a_startup_error_without_the_token(fake: FakeTelegram, tmp_path: Path) -> None:
    h = TelegramHarness(fake, tmp_path / "moviebot.db")
    wrong = "7012345678:AAH-wrong_token_value_0000000000"
    platform = h.open(token=wrong)
    with pytest.raises(StartupError) as info:
        await platform.start()
    assert str(info.value) == "Telegram refused the token (401 Unauthorized)"
    assert info.value.__cause__ is None and info.value.__context__ is None or wrong not in repr(info.value)
    await h.stop()


async def test_token_never_appears_in_log_records(
    fake: FakeTelegram, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    h = TelegramHarness(fake, tmp_path / "moviebot.db")
    await h.start()
    try:
        root = fake.add_user("Root", user_id=ROOT_ID)
        chat = fake.private_chat(root)
        doc = fake.add_file("A sharp, funny, sad film. 🎬".encode(), "review.md")
        await h.say(chat, root, document=doc, caption="/addreview Parasite")  # getFile + file download URL
        fake.inject_error("sendMessage", chat_id=chat["id"], code=502)
        await h.say(chat, root, "/help")
        gone = {"file_id": "nope", "file_unique_id": "nope", "file_size": 3, "file_name": "a.txt"}
        await h.say(chat, root, document=gone, caption="/addreview Parasite")  # a traceback is logged
    finally:
        await h.stop()
    assert len(caplog.records) > 20  # the libraries did log at DEBUG
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
    assert TOKEN not in caplog.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_mode(fake: FakeTelegram, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    port = _free_port()
    secret = "Webhook-secret_0123456789"
    url = "https://bot.example.test/tg/hook"
    h = TelegramHarness(
        fake,
        tmp_path / "moviebot.db",
        telegram_webhook_url=url,
        telegram_webhook_listen=("127.0.0.1", port),
        telegram_webhook_secret=Secret(secret),
    )
    await h.start()
    try:
        assert fake.webhook is not None and fake.webhook["url"] == url
        assert fake.webhook["secret_token"] == secret
        assert "message" in json.loads(fake.webhook["allowed_updates"])
        ann = fake.add_user("Ann")
        chat = fake.private_chat(ann)
        hook = f"http://127.0.0.1:{port}/tg/hook"
        async with aiohttp.ClientSession() as session:
            msg = fake.user_message(chat, ann, "/rate Parasite 9")
            update = {"update_id": 500, "message": msg}
            async with session.post(hook, json=update) as resp:  # no secret: refused
                assert resp.status == 403
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
            async with session.post(hook, json=update, headers=headers) as resp:
                assert resp.status == 200
            await h.wait_done(("message", chat["id"], msg["message_id"]))
        assert [m.plain for m in fake.sent if m.chat_id == chat["id"]] == [
            "Rated Parasite (2019) 9/10. Average now 9.0/10 from 1 rating(s)."
        ]
        assert written(h) == (0, 1, 0)
    finally:
        await h.stop()
    assert all(secret not in r.getMessage() and TOKEN not in r.getMessage() for r in caplog.records)


async def test_unreachable_api_is_a_startup_error(fake: FakeTelegram, tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{_free_port()}/bot"  # nothing listens there
    h = TelegramHarness(fake, tmp_path / "moviebot.db", telegram_api_base_url=closed)
    platform = h.open()
    with pytest.raises(StartupError) as info:
        await platform.start()
    assert str(info.value).startswith("Telegram API at 127.0.0.1:") and TOKEN not in str(info.value)
    await h.stop()
