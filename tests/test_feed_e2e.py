"""The feed end to end: `moviebot run`'s serve() with the real Telegram and Discord adapters,
over HTTP and a websocket, against FakeTelegram and FakeDiscord on 127.0.0.1.

Channels subscribe with /subscribe on their own platform; a review added with
/addreview on one platform is posted exactly once in every subscribed channel on
both, spoiler-free, in each platform's own markup.
"""

from __future__ import annotations

from pathlib import Path

from bot.catalog import load_starter_catalog
from bot.store import Store
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.telegram_server import FakeTelegram
from tests.fixtures.both_platforms import serving_both, until

TG_TOKEN = "7012345678:AAH-fake_Token-for-feed_0123456789"
DC_TOKEN = "fake.discord.token-for-feed-0123456789"
SPOILER_REVIEW = "Parasite\nFunny and sharp from the first scene.\n\n||The father hides in the bunker at the end.||"


async def test_a_review_added_on_one_platform_reaches_both(tmp_path: Path) -> None:
    async with FakeTelegram(token=TG_TOKEN) as tg, FakeDiscord(token=DC_TOKEN) as dc:
        store = Store.open(tmp_path / "moviebot.db")
        load_starter_catalog(store)
        async with serving_both(store, tg, dc, tg_token=TG_TOKEN, dc_token=DC_TOKEN):
            ann = tg.add_user("Ann")
            club = tg.supergroup("Film club")
            forum = tg.supergroup("Cinema forum", forum=True)
            topic = tg.add_topic(forum)
            for chat in (club, forum):
                tg.set_admin(chat, ann)
            tg.user_message(club, ann, "/subscribe")
            tg.user_message(forum, ann, "/subscribe", thread_id=topic)
            await until(lambda: sum("will get every new review" in m.plain for m in tg.sent) == 2)
            for channel in (dc.general, dc.announcements):
                rec = await dc.slash(dc.guild, channel, dc.admin, "subscribe", {})
                await dc.wait_for(lambda rec=rec: rec.acknowledged, 10)
            await until(lambda: store.db.execute("SELECT count(*) FROM subscriptions").fetchone()[0] == 4)

            # A review added on Telegram ...
            tg.user_message(club, ann, "/addreview " + SPOILER_REVIEW)

            def feed_tg() -> list:
                return [m for m in tg.sent if m.plain.startswith("New review of")]

            def feed_dc() -> list:
                return [m for m in dc.messages if m.route == "channel" and "New review of" in m.content]

            await until(lambda: len(feed_tg()) == 2 and len(feed_dc()) == 2)
            # ... and one added on Discord.
            rec = await dc.slash(
                dc.guild,
                dc.general,
                dc.admin,
                "addreview",
                {"title": "Oldboy 2003", "text": "Relentless, and that hallway fight."},
            )
            await until(lambda: len(feed_tg()) == 4 and len(feed_dc()) == 4)
            await until(lambda: all(r[0] == "delivered" for r in store.db.execute("SELECT status FROM outbox")))
            assert rec.acknowledged
        # Stopping drained every delivery in flight, so what the fakes hold is all that was sent: once each.
        # (That later polls of the outbox never resend a delivered row is test_feed_dispatcher's, in virtual time.)
        assert len(feed_tg()) == 4 and len(feed_dc()) == 4
        tg_posts, dc_posts = feed_tg(), feed_dc()
        assert sorted((m.chat_id, m.message_thread_id) for m in tg_posts) == sorted(
            [(club["id"], None), (forum["id"], topic)] * 2
        )
        assert sorted(m.channel_id for m in dc_posts) == sorted([dc.general.id, dc.announcements.id] * 2)
        parasite = [m.plain for m in tg_posts if "Parasite" in m.plain] + [
            m.content for m in dc_posts if "Parasite" in m.content
        ]
        assert len(parasite) == 4
        for text in parasite:
            assert "by Ann" in text
            assert "Funny and sharp" in text
            assert "bunker" not in text  # spoiler-free: the spoiler is left out, not just tagged
            assert "/spoiler Parasite" in text
        assert sum("Oldboy (2003)" in m.plain for m in tg_posts) == 2
        assert sum("Oldboy (2003)" in m.content for m in dc_posts) == 2
        rows = list(store.db.query("SELECT status, delivered_at FROM outbox"))
        assert len(rows) == 8 and all(r["status"] == "delivered" and r["delivered_at"] for r in rows)
        assert not tg.rejected and not dc.rejected
        store.close()
