"""Crash safety of the feed: `moviebot run` as a real process, killed with SIGKILL mid-fan-out.

The fakes run in this test's event loop on 127.0.0.1; the bot is a subprocess
pointed at them through the documented environment (TELEGRAM_API_BASE_URL,
DISCORD_API_BASE_URL, DISCORD_GATEWAY_URL). The first run's feed is slowed
with MOVIEBOT_FEED_LIMITS so the kill lands while deliveries are still owed. After a
restart every channel has the review exactly once, except a delivery that was in
flight at the kill, which may arrive twice (never more) and is named in a WARNING.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from collections import Counter
from pathlib import Path

from bot.catalog import load_starter_catalog
from bot.core import MovieBot
from bot.richtext import text_document
from bot.store import Store
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.telegram_server import FakeTelegram
from tests.fixtures.both_platforms import until
from tests.fixtures.program import program_env

TG_TOKEN = "7012345678:AAH-fake_Token-for-crash_0123456789"
DC_TOKEN = "fake.discord.token-for-crash-0123456789"
CHATS = 50


def _moviebot() -> list[str]:
    exe = Path(sys.executable).parent / "moviebot"
    return [str(exe)] if exe.is_file() else [sys.executable, "-m", "bot"]


def outbox(db: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            """SELECT s.platform, s.chat_id, o.status FROM outbox o JOIN subscriptions s ON s.id = o.subscription_id
               ORDER BY o.id"""
        ).fetchall()
    finally:
        conn.close()


async def test_sigkill_mid_fan_out_then_restart_delivers_each_exactly_once(tmp_path: Path) -> None:
    db = tmp_path / "moviebot.db"
    async with FakeTelegram(token=TG_TOKEN) as tg, FakeDiscord(token=DC_TOKEN) as dc:
        store = Store.open(db)
        load_starter_catalog(store)
        bot = MovieBot(store)
        groups = [tg.supergroup(f"Club {i}") for i in range(CHATS)]
        for g in groups:
            store.subscribe("telegram", str(g["id"]), None, g["title"], "admin")
        discord_channels = [dc.general, dc.announcements]
        for ch in discord_channels:
            store.subscribe("discord", str(ch.id), None, ch.name, "admin")
        film, _ = bot.resolve("Parasite")
        review_id = bot.add_review(
            film.id, text_document("Sharp and funny."), author="Ann", platform="telegram"
        ).review_id
        store.close()

        env = program_env()
        env.update(
            {
                "MOVIEBOT_DB": str(db),
                "TELEGRAM_TOKEN": TG_TOKEN,
                "TELEGRAM_API_BASE_URL": tg.base_url,
                "TELEGRAM_FILE_BASE_URL": tg.file_base_url,
                "DISCORD_TOKEN": DC_TOKEN,
                "DISCORD_API_BASE_URL": dc.api_base,
                "DISCORD_GATEWAY_URL": dc.gateway_url,
            }
        )

        async def start(limits: str) -> asyncio.subprocess.Process:
            return await asyncio.create_subprocess_exec(
                *_moviebot(),
                "run",
                cwd=tmp_path,
                env={**env, "MOVIEBOT_FEED_LIMITS": limits},
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )

        def tg_feed() -> Counter[int]:
            return Counter(m.chat_id for m in tg.sent if m.plain.startswith("New review of"))

        def dc_feed() -> Counter[int]:
            return Counter(m.channel_id for m in dc.messages if m.route == "channel" and "New review of" in m.content)

        # Slow enough that the kill lands mid-fan-out; the restart may go at full speed.
        first = await start("telegram:overall=8/1,chat=1/1,group=20/60;discord:overall=1/1")
        try:
            await until(lambda: sum(tg_feed().values()) >= 10, 60)
        finally:
            first.kill()  # SIGKILL: no cleanup, no drain
            await first.wait()
        assert first.returncode == -signal.SIGKILL
        at_kill = outbox(db)
        in_flight = {(p, c) for p, c, s in at_kill if s == "sending"}
        sent_at_kill = sum(tg_feed().values())
        assert sent_at_kill < CHATS  # the kill really landed mid-fan-out
        assert any(s == "pending" for _, _, s in at_kill)

        second = await start("telegram:overall=100/1,chat=1/1,group=20/60;discord:overall=50/1")
        try:
            await until(lambda: all(s == "delivered" for _, _, s in outbox(db)), 60)
            # SIGTERM drains what is in flight: the counts below are everything the restart sent.
        finally:
            second.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(second.communicate(), 30)
        assert second.returncode == 0, err.decode()[-2000:]
        log = err.decode()

    counts = tg_feed()
    for g in groups:
        n = counts[g["id"]]
        allowed = 2 if ("telegram", str(g["id"])) in in_flight else 1
        assert 1 <= n <= allowed, (g["id"], n, in_flight)
    dcounts = dc_feed()
    for ch in discord_channels:
        assert 1 <= dcounts[ch.id] <= (2 if ("discord", str(ch.id)) in in_flight else 1)
    warnings = [line for line in log.splitlines() if "was being sent when the bot stopped" in line]
    assert len(warnings) == len(in_flight)
    for platform, chat in in_flight:
        assert any(f"review #{review_id} to {platform} channel {chat} " in w for w in warnings)
    assert TG_TOKEN not in log and DC_TOKEN not in log
