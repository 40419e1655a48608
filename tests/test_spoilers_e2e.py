"""Spoilers end to end on both platforms, through the strict fakes (issue 10).

- Telegram: a member formats words as spoiler in the app (an entity of type ``spoiler``,
  no markup in the text); /addreview keeps them hidden in /review and the feed.
- Discord: a Letterboxd export whose review text uses ``||…||`` is imported while the
  bot runs; /review on Discord leaves the secret out and /spoiler keeps it behind ``||``.
- The feed: a review typed with Telegram's ``<span class="tg-spoiler">`` (and no other
  tag) reaches a Telegram group and a Discord channel with the secret left out.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from telegram import Chat, Message, MessageEntity

from adapters.telegram.handlers import spoiler_marks
from bot.catalog import load_starter_catalog
from bot.importers.files import import_file
from bot.store import Store
from tests.checks.discord_markdown import spoiler_text, visible_text
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.telegram_server import FakeTelegram
from tests.fixtures.both_platforms import serving_both, until
from tests.fixtures.discord.harness import catalog_store, running_bot
from tests.fixtures.telegram.harness import TOKEN, TelegramHarness, split_spoilers

SECRET = "The father hides in the bunker for the rest of his life"


@pytest_asyncio.fixture
async def tg(tmp_path: Path) -> AsyncIterator[TelegramHarness]:
    async with FakeTelegram(token=TOKEN, bot_username="moviebot_test_bot") as fake:
        h = TelegramHarness(fake, tmp_path / "moviebot.db")
        await h.start()
        try:
            yield h
        finally:
            await h.stop()


def _shown(msgs: list) -> tuple[str, str]:
    """(text shown, text behind spoiler entities) over `msgs`, as Telegram users see them."""
    hidden, shown = zip(*(split_spoilers(m) for m in msgs), strict=True) if msgs else ((), ())
    return " ".join(shown), " ".join(hidden)


async def test_telegram_spoiler_entity_stays_hidden_in_review(tg: TelegramHarness) -> None:
    group = tg.fake.supergroup("Film club")
    admin, member = tg.fake.add_user("Ann"), tg.fake.add_user("Bob")
    tg.fake.set_admin(group, admin)
    # Ann selects the last sentence in the app and marks it as spoiler: the text has no markup.
    sent = tg.fake.user_message(
        group,
        admin,
        html=f"/addreview Parasite\nFunny and sharp from the first scene 🎬 <tg-spoiler>{SECRET}.</tg-spoiler>",
    )
    assert "<" not in sent["text"] and any(e["type"] == "spoiler" for e in sent["entities"])
    await tg.wait_done(("message", group["id"], sent["message_id"]))
    added = [m for m in tg.fake.sent if m.chat_id == group["id"]]
    assert "Added review #1 of Parasite (2019). 1 spoiler section(s) hidden" in added[-1].plain

    review = await tg.say(group, member, "/review Parasite")
    shown, hidden = _shown(review)
    assert "Funny and sharp from the first scene 🎬" in shown
    assert "bunker" not in shown and "bunker" not in hidden  # left out, not only tagged
    assert "/spoiler Parasite" in shown

    full = await tg.say(group, member, "/spoiler Parasite")
    shown, hidden = _shown(full)
    assert SECRET in hidden and "bunker" not in shown
    assert not tg.fake.rejected


async def test_telegram_reply_to_a_formatted_message_keeps_its_spoiler(tg: TelegramHarness) -> None:
    group = tg.fake.supergroup("Film club")
    admin, member = tg.fake.add_user("Ann"), tg.fake.add_user("Bob")
    tg.fake.set_admin(group, admin)
    original = tg.fake.user_message(group, member, html=f"Loved it! <tg-spoiler>{SECRET}.</tg-spoiler> 9/10")
    await tg.wait_done(("message", group["id"], original["message_id"]))
    await tg.say(group, admin, "/addreview Parasite", reply_to=original)
    shown, hidden = _shown(await tg.say(group, member, "/review Parasite"))
    assert "Loved it!" in shown and "9/10" in shown and "bunker" not in shown + hidden


async def test_the_fake_refuses_entities_telegram_would_never_send() -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        group, ann = fake.supergroup("Club"), fake.add_user("Ann")
        for bad in (
            [{"type": "spoiler", "offset": 3, "length": 40}],  # past the end of the text
            [{"type": "spoiler", "offset": 0, "length": 0}],  # empty
            [{"type": "mention_everyone", "offset": 0, "length": 2}],  # not a type
            [{"type": "bold", "offset": 0, "length": 4}, {"type": "spoiler", "offset": 2, "length": 4}],  # crossed
        ):
            with pytest.raises(ValueError):
                fake.user_message(group, ann, "Hi there", entities=bad)


def test_caption_entities_are_read_like_text_entities() -> None:
    caption = "/addreview Oldboy\n🎬 Wow. Mi-do is his daughter."
    offset = len(caption[: caption.index("Mi-do")].encode("utf-16-le")) // 2
    msg = Message(
        7,
        datetime.now(UTC),
        Chat(-1, Chat.SUPERGROUP),
        caption=caption,
        caption_entities=(MessageEntity(MessageEntity.SPOILER, offset, 24),),
    )
    body = caption.partition("\n")[2]
    ((a, z),) = spoiler_marks(msg, skip_first_line=True)
    assert body[a:z] == "Mi-do is his daughter."


def _letterboxd_csv(rows: list[tuple[str, int, str]]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Review", "Tags", "Watched Date"])
    for k, (name, year, review) in enumerate(rows):
        w.writerow(["2024-03-01", name, year, f"https://boxd.it/sp{k}", "4.5", "", review, "", "2024-02-29"])
    return out.getvalue()


async def test_letterboxd_pipes_imported_while_running_then_review_on_discord(tmp_path: Path) -> None:
    store = catalog_store(tmp_path / "moviebot.db")
    try:
        async with running_bot(store) as env:
            path = tmp_path / "reviews.csv"
            path.write_text(
                _letterboxd_csv(
                    [
                        ("Parasite", 2019, f"<b>Perfect.</b> The house is a character.<br /><br />||{SECRET}.||"),
                        ("Oldboy", 2003, "The hallway fight! >!Mi-do is his daughter.!<"),
                    ]
                ),
                encoding="utf-8",
            )
            report = await asyncio.to_thread(import_file, env.bot, path, "letterboxd")
            assert not report.failed, report.lines()

            _, msgs = await env.slash(env.fake.member, "review", {"title": "Parasite"})
            shown = " ".join(visible_text(m.content) for m in msgs)
            assert "Perfect." in shown and "The house is a character." in shown
            assert "bunker" not in shown and "||" not in shown
            assert all("bunker" not in spoiler_text(m.content) for m in msgs)  # left out of /review

            _, msgs = await env.slash(env.fake.member, "review", {"title": "Oldboy 2003"})
            shown = " ".join(visible_text(m.content) for m in msgs)
            assert "The hallway fight!" in shown and "daughter" not in shown and ">!" not in shown

            _, msgs = await env.slash(env.fake.member, "spoiler", {"title": "Parasite"})
            assert SECRET in " ".join(spoiler_text(m.content) for m in msgs)
            assert "bunker" not in " ".join(visible_text(m.content) for m in msgs)
            env.assert_healthy()
    finally:
        store.close()


TG_TOKEN = "7012345678:AAH-fake_Token-for-spoil_0123456789"
DC_TOKEN = "fake.discord.token-for-spoilers-0123456789"


async def test_span_tag_review_in_feed_posts_on_both_platforms(tmp_path: Path) -> None:
    async with FakeTelegram(token=TG_TOKEN) as tg, FakeDiscord(token=DC_TOKEN) as dc:
        store = Store.open(tmp_path / "moviebot.db")
        load_starter_catalog(store)
        async with serving_both(store, tg, dc, tg_token=TG_TOKEN, dc_token=DC_TOKEN):
            ann = tg.add_user("Ann")
            club = tg.supergroup("Film club")
            tg.set_admin(club, ann)
            tg.user_message(club, ann, "/subscribe")
            rec = await dc.slash(dc.guild, dc.general, dc.admin, "subscribe", {})
            await dc.wait_for(lambda: rec.acknowledged, 10)
            await until(lambda: store.db.execute("SELECT count(*) FROM subscriptions").fetchone()[0] == 2)

            # Typed, not formatted: the span tag is in the text, alone, in single quotes.
            tg.user_message(
                club, ann, f"/addreview Parasite\nFunny and sharp. <span class='tg-spoiler'>{SECRET}.</span>"
            )

            def feed_tg() -> list:
                return [m for m in tg.sent if m.plain.startswith("New review of")]

            def feed_dc() -> list:
                return [m for m in dc.messages if m.route == "channel" and "New review of" in m.content]

            await until(lambda: len(feed_tg()) == 1 and len(feed_dc()) == 1)
        for text in [feed_tg()[0].plain, visible_text(feed_dc()[0].content), feed_dc()[0].content]:
            assert "Funny and sharp." in text
            assert "bunker" not in text and "span" not in text and "tg-spoiler" not in text
            assert "/spoiler Parasite" in text
        assert not tg.rejected and not dc.rejected
        store.close()
