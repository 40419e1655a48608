"""The Discord adapter's life: start, refuse a bad token, resume after a dropped gateway,
restart with its data, sync commands only when they changed, deliver the feed, survive errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

import discord.gateway
import discord.http
import pytest

from adapters.discord import DiscordPlatform
from bot.config import Secret
from bot.core import MovieBot
from bot.errors import StartupError
from bot.platform import Gone, Transient
from bot.replies import text_reply
from bot.service import AsyncCore
from bot.store import Store
from moviebot.runner import build_platforms, serve
from tests.checks.discord_markdown import mentions, visible_text
from tests.fakes.discord_server import FakeDiscord
from tests.fixtures.discord.harness import TOKEN, catalog_store, long_review, make_settings, running_bot, started

DEFAULT_BASE = discord.http.Route.BASE
DEFAULT_GATEWAY = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


def urls_restored() -> bool:
    return (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == (
        DEFAULT_BASE,
        DEFAULT_GATEWAY,
    )


async def test_wrong_token_is_a_startup_error_without_the_token(store: Store) -> None:
    wrong = "not-the-right-token-" + "x" * 30
    async with FakeDiscord(token=TOKEN) as fake:
        settings = make_settings(fake, store.path or Path(":memory:"), token=wrong)
        core = AsyncCore(MovieBot(store, settings))
        platform = DiscordPlatform(core, settings)
        with pytest.raises(StartupError) as info:
            await platform.start()
        core.close()
    assert str(info.value) == "Discord refused the token (401 Unauthorized)"
    assert wrong not in repr(info.value) and TOKEN not in repr(info.value)
    assert fake.identify_count == 0
    assert urls_restored()


async def test_unreachable_discord_is_a_startup_error(store: Store) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        settings = make_settings(fake, store.path or Path(":memory:"))
    # The fake is closed now: nothing listens on that port.
    core = AsyncCore(MovieBot(store, settings))
    with pytest.raises(StartupError, match="unreachable"):
        await DiscordPlatform(core, settings).start()
    core.close()
    assert urls_restored()


def test_moviebot_run_builds_the_discord_platform_when_the_token_is_set(movie_bot: MovieBot) -> None:
    from dataclasses import replace

    settings = replace(movie_bot.settings, discord_token=Secret(TOKEN))
    core = AsyncCore(movie_bot)
    try:
        (platform,) = build_platforms(core, settings)
        assert isinstance(platform, DiscordPlatform) and platform.name == "discord"
    finally:
        core.close()


async def test_moviebot_run_serves_discord_until_stopped(store: Store) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        settings = make_settings(fake, store.path or Path(":memory:"))
        stop = asyncio.Event()
        task = asyncio.create_task(serve(MovieBot(store, settings), settings, stop))
        await fake.wait_for(lambda: fake.sync_count == 1 and fake.connected, 10)
        rec = await fake.slash(fake.guild, fake.general, fake.member, "movie", {"title": "parasite"})
        answer = await fake.wait_for_message(lambda m: m.interaction_id == rec.id, 10)
        assert "Parasite (2019)" in visible_text(answer.markdown)
        stop.set()
        assert await asyncio.wait_for(task, 10) == 0
        assert not fake.connected
    assert urls_restored()


async def test_restart_keeps_data_and_does_not_resync_unchanged_commands(tmp_path: Path) -> None:
    db = tmp_path / "moviebot.db"
    async with FakeDiscord(token=TOKEN) as fake:
        store = catalog_store(db)
        async with started(fake, store) as env:
            assert env.platform.synced and fake.sync_count == 1
            _, msgs = await env.slash(fake.admin, "addreview", {"title": "Oldboy 2003", "text": "The hallway fight!"})
            assert "Added review #1" in visible_text(msgs[0].content)
            _, card = await env.slash(fake.member, "movie", {"title": "Oldboy 2003"})
            env.assert_healthy()
        assert urls_restored() and not fake.connected
        store.close()

        store = Store.open(db)  # a new process would open the same file
        async with started(fake, store) as env:
            assert not env.platform.synced and fake.sync_count == 1
            _, msgs = await env.slash(fake.member, "review", {"title": "oldboy 2003"})
            assert "The hallway fight!" in visible_text(msgs[0].content)
            # A button under a message sent before the restart still works.
            (button,) = card[-1].components[0]["components"]
            _, pressed = await env.press(fake.member, card[-1], button["custom_id"])
            assert "The hallway fight!" in visible_text(pressed[0].content)
            env.assert_healthy()
        # Commands deleted on Discord's side are put back even though our definitions did not change.
        fake.commands.clear()
        async with started(fake, store) as env:
            assert env.platform.synced and fake.sync_count == 2
        # Global instead of guild commands: a different scope, so a sync.
        async with started(fake, store, guild=False) as env:
            assert env.platform.synced and fake.sync_count == 3 and fake.commands[None]
        store.close()
        assert fake.identify_count == 4


async def test_gateway_disconnect_resumes_and_the_bot_still_answers(store: Store) -> None:
    async with running_bot(store) as env:
        await env.fake.disconnect_gateway(4000)
        await env.fake.wait_for(lambda: env.fake.resume_count == 1 and env.fake.connected, 15)
        assert env.fake.identify_count == 1  # resumed, not a new session
        _, msgs = await env.slash(env.fake.member, "movie", {"title": "train to busan"})
        assert "Train to Busan (2016)" in visible_text(msgs[0].markdown)
        env.assert_healthy()


async def test_403_when_replying_is_survived(store: Store) -> None:
    async with running_bot(store) as env:
        env.fake.inject_error(r"^/webhooks/", 403, 50013, count=1, message="Missing Permissions")
        rec = await env.fake.slash(env.fake.guild, env.fake.general, env.fake.member, "help")
        await env.settle(rec)
        assert rec.acknowledged  # deferred in time; the answer itself was refused and logged
        _, msgs = await env.slash(env.fake.member, "movie", {"title": "the wailing"})
        assert "The Wailing (2016)" in visible_text(msgs[0].markdown)
        assert env.fake.late_responses == []


async def test_a_failing_command_gets_one_friendly_ephemeral_line(store: Store) -> None:
    async with running_bot(store) as env:
        env.core.close()  # the DB worker is gone: every core call now raises
        _, msgs = await env.slash(env.fake.member, "movie", {"title": "parasite"})
        assert len(msgs) == 1 and msgs[0].ephemeral
        assert "Sorry, something went wrong on our side (incident" in visible_text(msgs[0].content)
        env.assert_healthy()


# -- the feed: deliver -------------------------------------------------------------------------------


async def test_deliver_posts_a_long_review_in_order_pinging_nobody(store: Store) -> None:
    async with running_bot(store, fake_options={"channel_message_limit": (20, 1.0)}) as env:
        review = long_review() + "\n\n@everyone <@&123> read this!"
        await env.platform.deliver(str(env.fake.general.id), None, [text_reply(*review.split("\n\n"))])
        posted = [m for m in env.fake.messages if m.route == "channel"]
        assert len(posted) >= 6 and all(m.channel_id == env.fake.general.id for m in posted)
        assert [m.id for m in posted] == sorted(m.id for m in posted)
        assert all(m.allowed_mentions == {"parse": []} or m.allowed_mentions.get("parse") == [] for m in posted)
        assert all(m.pings == [] and mentions(m.content) == [] for m in posted)
        text = " ".join(" ".join(visible_text(m.content).split()) for m in posted)
        assert text.index("Miracle in Cell No. 7 (2013)") < text.index("Rating: 9 out of 10")
        env.assert_healthy()


async def test_deliver_maps_failures_to_what_the_dispatcher_acts_on(store: Store) -> None:
    async with running_bot(store, fake_options={"channel_message_limit": (5, 0.3)}) as env:
        reply = [text_reply("New review of Parasite.")]
        with pytest.raises(Gone):  # the bot cannot see #staff
            await env.platform.deliver(str(env.fake.staff.id), None, reply)
        with pytest.raises(Gone):  # a deleted channel
            await env.platform.deliver("123456789012345678", None, reply)
        env.fake.inject_error(r"/channels/\d+/messages$", 503, 0, count=1)
        with pytest.raises(Transient):
            await env.platform.deliver(str(env.fake.general.id), None, reply)
        # A 429 is waited out by discord.py's buckets, then the post goes through.
        env.fake.exhaust_channel_bucket(env.fake.general)
        await env.platform.deliver(str(env.fake.general.id), None, reply)
        assert env.fake.ratelimited_count >= 1
        assert [visible_text(m.content) for m in env.fake.messages if m.route == "channel"] == [
            "New review of Parasite."
        ]
        await env.platform.stop()
        with pytest.raises(Transient):
            await env.platform.deliver(str(env.fake.general.id), None, reply)


async def test_an_expired_attachment_link_gets_one_ephemeral_line(store: Store) -> None:
    async with running_bot(store, fake_options={"attachment_url_ttl": -60}) as env:
        before = store.db["reviews"].count
        att = env.fake.add_attachment(b"A fine review.", "review.txt", "text/plain")
        _, msgs = await env.slash(env.fake.admin, "addreview", {"title": "parasite", "file": att})
        assert len(msgs) == 1 and msgs[0].ephemeral
        assert "could not download that file" in visible_text(msgs[0].content)
        assert store.db["reviews"].count == before
        env.assert_healthy()
