"""End to end: the real Telegram adapter and python-telegram-bot, over HTTP, against FakeTelegram.

Users post in private chats, groups, forum topics and channels; assertions read what
the fake accepted (so every message was valid Telegram HTML within limits) and what
the database holds.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from bot.commands import COMMANDS
from tests.fixtures.telegram.harness import (
    ROOT_ID,
    TOKEN,
    FakeTelegram,
    SentMessage,
    TelegramHarness,
    long_review,
    split_spoilers,
    squash,
)

BOT_NAME = "moviebot_test_bot"


@pytest_asyncio.fixture
async def tg(tmp_path: Path) -> AsyncIterator[TelegramHarness]:
    async with FakeTelegram(token=TOKEN, bot_username=BOT_NAME) as fake:
        h = TelegramHarness(fake, tmp_path / "moviebot.db")
        await h.start()
        try:
            yield h
        finally:
            await h.stop()


def texts(msgs: list[SentMessage]) -> str:
    return "\n".join(m.plain for m in msgs)


def review_count(tg: TelegramHarness) -> int:
    assert tg.store is not None
    return tg.store.db.execute("SELECT count(*) FROM reviews").fetchone()[0]


async def test_start_registers_every_command_and_polls_for_the_right_updates(tg: TelegramHarness) -> None:
    menu = tg.fake.commands[(json.dumps({"type": "default"}), "")]
    assert menu == [{"command": c.name, "description": c.description} for c in COMMANDS.values()]
    poll = await tg.fake.wait_for_request("getUpdates", lambda r: "allowed_updates" in r.params)
    assert json.loads(poll.params["allowed_updates"]) == [
        "message",
        "edited_message",
        "channel_post",
        "callback_query",
        "my_chat_member",
    ]


async def test_help_in_private_chat_member_and_bot_admin(tg: TelegramHarness) -> None:
    bob = tg.fake.add_user("Bob")
    root = tg.fake.add_user("Root", user_id=ROOT_ID)
    member_help = texts(await tg.say(tg.fake.private_chat(bob), bob, "/help"))
    assert "/review" in member_help and "/addreview" not in member_help
    admin_help = texts(await tg.say(tg.fake.private_chat(root), root, "/help"))
    assert "/addreview" in admin_help
    assert not tg.fake.rejected


async def test_group_command_addressed_to_us_or_to_another_bot(tg: TelegramHarness) -> None:
    group = tg.fake.supergroup("Film club")
    ann = tg.fake.add_user("Ann")
    ours = await tg.say(group, ann, f"/movie@{BOT_NAME} Parasite")
    assert ours and "Parasite (2019)" in ours[0].plain
    assert await tg.say(group, ann, "/movie@SomeOtherBot Parasite") == []
    review = await tg.say(group, ann, f"/review@{BOT_NAME} Parasite")
    assert len(review) == 1 and review[0].plain.startswith("No reviews of Parasite (2019) yet.")
    assert await tg.say(group, ann, "/notours") == []  # may be another bot's command: stay quiet
    unknown = await tg.say(tg.fake.private_chat(ann), ann, "/notours")
    assert len(unknown) == 1 and "Unknown command /notours" in unknown[0].plain
    assert not tg.fake.rejected


async def test_forum_topic_replies_stay_in_the_topic(tg: TelegramHarness) -> None:
    forum = tg.fake.supergroup("Forum", forum=True)
    ann = tg.fake.add_user("Ann")
    topic = tg.fake.add_topic(forum)
    in_topic = await tg.say(forum, ann, "/movie Parasite", thread_id=topic)
    assert in_topic and all(m.message_thread_id == topic for m in in_topic)
    # The General topic has no message_thread_id, and the answer must not carry 1 (Telegram refuses it).
    general = await tg.say(forum, ann, "/movie Parasite")
    assert general and all(m.message_thread_id is None for m in general)
    assert not tg.fake.rejected


async def test_topic_root_is_not_a_reply(tg: TelegramHarness) -> None:
    """In a topic every message replies to the topic's first message; /spoiler must not re-post it."""
    forum = tg.fake.supergroup("Forum", forum=True)
    ann = tg.fake.add_user("Ann")
    root = tg.fake.user_message(forum, ann, "Let's talk about Parasite")
    topic = tg.fake.add_topic(forum, thread_id=root["message_id"])
    out = await tg.say(forum, ann, "/spoiler", thread_id=topic, reply_to=root)
    assert len(out) == 1 and out[0].plain.startswith("Which film?")
    assert out[0].message_thread_id == topic
    assert tg.fake.deleted == []


async def test_channel_post_subscribe(tg: TelegramHarness) -> None:
    channel = tg.fake.channel("Reviews daily")
    out = await tg.post(channel, "/subscribe")
    assert len(out) == 1 and "will get every new review" in out[0].plain
    assert tg.store is not None
    subs = list(tg.store.db.query("SELECT platform, chat_id, title FROM subscriptions"))
    assert subs == [{"platform": "telegram", "chat_id": str(channel["id"]), "title": "Reviews daily"}]
    assert await tg.post(channel, "/subscribe@SomeOtherBot") == []
    again = await tg.post(channel, f"/subscribe@{BOT_NAME}")
    assert "already subscribed" in again[0].plain
    assert "Unsubscribed" in (await tg.post(channel, "/unsubscribe"))[0].plain


async def test_member_cannot_add_or_delete_reviews(tg: TelegramHarness) -> None:
    group = tg.fake.supergroup("Film club")
    ann = tg.fake.add_user("Ann")
    out = await tg.say(group, ann, "/addreview Parasite\nGreat film, everyone should see it.")
    assert len(out) == 1 and "/addreview is for admins" in out[0].plain
    doc = tg.fake.add_file(b"A fine review.", "review.txt")
    out = await tg.say(group, ann, document=doc, caption="/addreview Parasite")
    assert len(out) == 1 and "/addreview is for admins" in out[0].plain
    assert tg.fake.requests_for("getFile") == []  # a member's file is never fetched
    assert "/delreview is for admins" in (await tg.say(group, ann, "/delreview 1"))[0].plain
    assert "/subscribe is for admins" in (await tg.say(group, ann, "/subscribe"))[0].plain
    assert review_count(tg) == 0


async def test_admins_creator_anonymous_and_bot_admins(tg: TelegramHarness) -> None:
    group = tg.fake.supergroup("Film club")
    admin, owner, root = tg.fake.add_user("Ada"), tg.fake.add_user("Olga"), tg.fake.add_user("R", user_id=ROOT_ID)
    tg.fake.set_admin(group, admin)
    tg.fake.set_member(group, owner, "creator")
    for n, (who, kw) in enumerate(((admin, {}), (owner, {}), (root, {}), (None, {"sender_chat": group}))):
        out = await tg.say(group, who, f"/addreview Parasite\nA short and sweet review, take {n}.", **kw)
        assert len(out) == 1 and out[0].plain.startswith("Added review #"), out[0].plain
    assert review_count(tg) == 4
    # a message "on behalf of a channel" in the group is not the group's admin
    other = tg.fake.channel("Somebody's channel")
    out = await tg.say(group, None, "/addreview Parasite\nsneaky", sender_chat=other)
    assert "for admins" in out[0].plain and review_count(tg) == 4
    # in a private chat only MOVIEBOT_ADMINS count
    assert "for admins" in (await tg.say(tg.fake.private_chat(admin), admin, "/delreview 1"))[0].plain
    assert "Removed review #1" in (await tg.say(tg.fake.private_chat(root), root, "/delreview 1"))[0].plain


async def test_commands_of_one_chat_run_in_order(tg: TelegramHarness) -> None:
    """/addreview waits on an admin check; the /review sent right after must still see the review."""
    group = tg.fake.supergroup("Film club")
    admin = tg.fake.add_user("Ada")
    tg.fake.set_admin(group, admin)
    tg.fake.user_message(group, admin, "/addreview Parasite\nThe staircase scenes say it all.")
    last = tg.fake.user_message(group, admin, "/review Parasite")
    await tg.wait_done(("message", group["id"], last["message_id"]))
    plain = [m.plain for m in tg.fake.sent]
    assert plain[0].startswith("Added review #1")
    assert "The staircase scenes say it all." in "\n".join(plain[1:])


async def test_admin_check_is_cached_and_only_for_admin_commands(tg: TelegramHarness) -> None:
    group = tg.fake.supergroup("Film club")
    admin = tg.fake.add_user("Ada")
    tg.fake.set_admin(group, admin)
    await tg.say(group, admin, "/movie Parasite")
    await tg.say(group, admin, "/rate Parasite 9")
    assert tg.fake.requests_for("getChatMember") == []
    await tg.say(group, admin, "/subscribe")
    await tg.say(group, admin, "/unsubscribe")
    assert len(tg.fake.requests_for("getChatMember")) == 1
    # a minute later the answer is asked again: a demoted admin loses the right
    assert tg.platform is not None
    now = tg.platform.admins.clock()
    tg.platform.admins.clock = lambda: now + 61
    tg.fake.set_member(group, admin, "member")
    out = await tg.say(group, admin, "/subscribe")
    assert "/subscribe is for admins" in out[0].plain
    assert len(tg.fake.requests_for("getChatMember")) == 2


async def test_an_edited_command_is_not_run_again(tg: TelegramHarness) -> None:
    root = tg.fake.add_user("Root", user_id=ROOT_ID)
    chat = tg.fake.private_chat(root)
    msg = tg.fake.user_message(chat, root, "/addreview Parasite\nFirst draft.")
    await tg.wait_done(("message", chat["id"], msg["message_id"]))
    edited = {**msg, "text": "/addreview Parasite\nSecond draft.", "edit_date": msg["date"] + 5}
    update = tg.fake.enqueue("edited_message", edited)
    await tg.wait_done(("update", update["update_id"]))
    assert review_count(tg) == 1
    assert [m.plain for m in tg.fake.sent if m.chat_id == chat["id"]][-1].startswith("Added review #1")


def _check_long_review_messages(msgs: list[SentMessage], body_plain: str, spoilers: list[str]) -> None:
    """Every chunk accepted and within limits; the body whole, in order; spoilers only in spoiler entities."""
    assert len(msgs) >= 3
    assert all(len(m.plain) <= 4096 and len(m.plain.encode("utf-16-le")) // 2 <= 4096 for m in msgs)
    joined = "".join(squash(m.plain) for m in msgs)
    assert squash(body_plain) in joined
    assert "🎬" in joined and "🍑" in joined
    inside = "".join(squash(split_spoilers(m)[0]) for m in msgs)
    outside = "".join(squash(split_spoilers(m)[1]) for m in msgs)
    for text in spoilers:
        assert squash(text) in inside
        assert squash(text)[:80] not in outside


async def test_long_review_as_text_then_review_spoiler_and_button(tg: TelegramHarness) -> None:
    group = tg.fake.supergroup("Film club")
    admin, ann = tg.fake.add_user("Ada"), tg.fake.add_user("Ann")
    tg.fake.set_admin(group, admin)
    out = await tg.say(group, admin, "/addreview Parasite\n" + long_review())
    assert len(out) == 1 and out[0].plain.startswith("Added review #1 of Parasite (2019).")
    assert tg.store is not None
    [stored] = tg.store.reviews_for(tg.movie_bot.resolve("Parasite")[0].id)
    body = stored.body
    spoiler_blocks = [b.text for b in body.blocks if b.spoiler or any(s.spoiler for s in b.spans)]
    assert len(spoiler_blocks) >= 5 and "Morse code" in body.spoiler_text()

    # /review: spoiler-safe, the visible part whole and in order, a button to reveal
    safe = await tg.say(group, ann, "/review Parasite")
    assert not tg.fake.rejected
    everything = "".join(squash(m.plain) for m in safe)
    assert squash(body.visible_text()) in everything
    for text in spoiler_blocks:
        assert squash(text)[:60] not in everything
    assert all(m.reply_markup is None for m in safe[:-1])
    buttons = [b for row in safe[-1].reply_markup["inline_keyboard"] for b in row]
    show = next(b for b in buttons if b["text"] == "Show spoilers")

    # the button: answered exactly once, spoilers behind spoiler entities
    qid, revealed = await tg.press(group, ann, safe[-1], show["callback_data"])
    assert list(tg.fake.callback_answers) == [qid]
    assert len(tg.fake.requests_for("answerCallbackQuery")) == 1
    _check_long_review_messages(revealed, body.plain, spoiler_blocks)

    # /spoiler: the same, from the command
    full = await tg.say(group, ann, "/spoiler Parasite")
    _check_long_review_messages(full, body.plain, spoiler_blocks)
    assert not tg.fake.rejected


async def test_long_review_as_document_caption_and_as_reply(tg: TelegramHarness) -> None:
    group = tg.fake.supergroup("Film club")
    admin = tg.fake.add_user("Ada")
    tg.fake.set_admin(group, admin)
    data = long_review().encode("utf-8")
    doc = tg.fake.add_file(data, "parasite.md", "text/markdown")
    out = await tg.say(group, admin, document=doc, caption="/addreview Parasite")
    assert out[0].plain.startswith("Added review #1 of Parasite (2019).")
    # /addreview <title> as a reply to a document, and to a text message
    doc2 = tg.fake.add_file(data, "parasite.txt")
    shared = tg.fake.user_message(group, tg.fake.add_user("Ann"), document=doc2)
    out = await tg.say(group, admin, "/addreview Parasite", reply_to=shared)
    # The same file by another path reads as the same text: one review, not two (issue 11).
    assert [m.plain for m in out] == ["That review of Parasite (2019) is already added as #1."]
    note = tg.fake.user_message(group, admin, "Short take: the staircase scenes say it all.")
    out = await tg.say(group, admin, "/addreview Parasite", reply_to=note)
    assert out[0].plain.startswith("Added review #2 of Parasite (2019).")
    assert tg.store is not None
    reviews = {r.id: r for r in tg.store.reviews_for(tg.movie_bot.resolve("Parasite")[0].id)}
    assert "🍑" in reviews[1].body.plain and "Ki-woo" in reviews[1].body.plain
    assert reviews[2].body.plain == "Short take: the staircase scenes say it all."
    assert not tg.fake.rejected


async def test_seed_review_as_document(tg: TelegramHarness, seed_text: str) -> None:
    group = tg.fake.supergroup("Film club")
    admin = tg.fake.add_user("Ada")
    tg.fake.set_admin(group, admin)
    doc = tg.fake.add_file(seed_text.encode("utf-8"), "miracle.txt")
    out = await tg.say(group, admin, document=doc, caption="/addreview Miracle in Cell No. 7 2013")
    assert out[0].plain.startswith("Added review #1 of Miracle in Cell No. 7 (2013)."), out[0].plain
    full = await tg.say(group, admin, "/spoiler Miracle in Cell No. 7 2013")
    assert not tg.fake.rejected
    assert tg.store is not None
    [stored] = tg.store.reviews_for(tg.movie_bot.resolve("Miracle in Cell No. 7 2013")[0].id)
    assert squash(stored.body.plain) in "".join(squash(m.plain) for m in full)
    inside = "".join(squash(split_spoilers(m)[0]) for m in full)
    assert squash(stored.body.spoiler_text()) in inside
    safe = await tg.say(group, admin, "/review Miracle in Cell No. 7 2013")
    visible = "".join(squash(m.plain) for m in safe)
    for block in stored.body.blocks:
        if block.spoiler:
            assert squash(block.text)[:60] not in visible


async def test_spoiler_as_reply_reposts_credited_and_deletes_original(tg: TelegramHarness) -> None:
    group = tg.fake.supergroup("Film club")
    ann, bob = tg.fake.add_user("Ann", last_name="Lee"), tg.fake.add_user("Bob")
    leak = tg.fake.user_message(group, ann, "In the end the father hides in the bunker 🎬 & writes in Morse code")
    out = await tg.say(group, bob, "/spoiler", reply_to=leak)
    inside = "".join(split_spoilers(m)[0] for m in out)
    outside = "".join(split_spoilers(m)[1] for m in out)
    assert "Ann Lee" in outside
    assert squash("In the end the father hides in the bunker 🎬 & writes in Morse code") in squash(inside)
    assert "bunker" not in outside
    assert tg.fake.deleted == [(group["id"], leak["message_id"])]

    # where the bot may not delete, it says so in one line, after the re-post
    tg.fake.set_can_delete(group, False)
    leak2 = tg.fake.user_message(group, ann, "Rosebud was the sled")
    out = await tg.say(group, bob, "/spoiler", reply_to=leak2)
    assert "Rosebud" in "".join(split_spoilers(m)[0] for m in out[:-1])
    assert "Rosebud" not in "".join(split_spoilers(m)[1] for m in out)
    assert "couldn't delete the original" in out[-1].plain and "\n" not in out[-1].plain
    assert len(tg.fake.deleted) == 1
    assert [r.method for r in tg.fake.rejected] == ["deleteMessage"]


async def test_restart_keeps_data(tg: TelegramHarness) -> None:
    chat_user = tg.fake.add_user("Root", user_id=ROOT_ID)
    chat = tg.fake.private_chat(chat_user)
    await tg.say(chat, chat_user, "/addreview Parasite\nStill the best film of its year.")
    await tg.say(chat, chat_user, "/rate Parasite 10")
    await tg.restart()
    out = await tg.say(chat, chat_user, "/review Parasite")
    assert "Still the best film of its year." in texts(out)
    assert "10.0/10 from 1 rating" in texts(out)


async def test_moviebot_run_serves_telegram_until_stopped(tmp_path: Path) -> None:
    """`moviebot run` with TELEGRAM_TOKEN set: the runner builds, starts and stops our platform."""
    from moviebot.runner import serve

    async with FakeTelegram(token=TOKEN, bot_username=BOT_NAME) as fake:
        h = TelegramHarness(fake, tmp_path / "moviebot.db")
        h.open()  # the store and settings; serve() builds its own platform from them
        assert h.core is not None
        stop = asyncio.Event()
        task = asyncio.create_task(serve(h.core.bot, h.settings, stop))
        try:
            ann = fake.add_user("Ann")
            chat = fake.private_chat(ann)
            fake.user_message(chat, ann, "/rate Parasite 9")
            sent = await fake.wait_for_sent(lambda m: m.chat_id == chat["id"], timeout=10)
            assert sent.plain.startswith("Rated Parasite (2019) 9/10.")
        finally:
            stop.set()
            assert await asyncio.wait_for(task, 15) == 0
        h.platform = None  # never started; serve() stopped its own
        await h.stop()
    assert fake.commands  # the command menu was set by the runner's platform too


SAMPLE_ARGS = {
    "help": "",
    "recommend": "sad korean drama",
    "review": "Parasite",
    "spoiler": "Parasite",
    "movie": "Parasite",
    "rate": "Parasite 8",
    "addreview": "Parasite\nTense, funny and sad.",
    "subscribe": "",
    "unsubscribe": "",
    "delreview": "1",
    "watchlist": "add Parasite",
    "movienight": "",
}


async def test_every_command_as_member_and_as_admin(tg: TelegramHarness) -> None:
    assert set(SAMPLE_ARGS) == set(COMMANDS)  # a new command must be added here
    group = tg.fake.supergroup("Film club")
    member, admin = tg.fake.add_user("Mia"), tg.fake.add_user("Ada")
    tg.fake.set_admin(group, admin)
    for who in (member, admin):
        for name, args in SAMPLE_ARGS.items():
            text = f"/{name} {args}".rstrip() if "\n" not in args else f"/{name} {args}"
            out = await tg.say(group, who, text)
            assert out, f"/{name} got no answer"
            refused = f"/{name} is for admins of this chat." in texts(out)
            assert refused == (COMMANDS[name].admin and who is member), (name, texts(out))
            assert "something went wrong" not in texts(out), (name, texts(out))
    assert review_count(tg) == 0  # the admin added review #1 and removed it again
    assert not tg.fake.rejected
