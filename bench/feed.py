"""Feed fan-out benchmark: one new review to N subscribed chats on each platform.

Runs the real Telegram and Discord adapters (python-telegram-bot, discord.py)
against FakeTelegram and FakeDiscord on 127.0.0.1, with the feed dispatcher at
the platforms' real ceilings (Telegram 30 messages/s overall, Discord 50/s
global; per-chat limits do not bind since every chat gets one message). Reports,
per platform: the achieved rate against the ceiling, the most messages in any
1-second window (must not exceed the ceiling), deliveries lost, duplicates, and
the delay from adding the review to the first delivery.

    python -m bench.feed [--chats 1000] [--telegram-rate 30] [--discord-rate 50]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import platform as pyplatform
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TG_TOKEN = "7012345678:AAH-fake_Token-for-bench_0123456789"
DC_TOKEN = "fake.discord.token-for-bench-0123456789"


def _max_in_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


async def run(chats: int, tg_rate: int, dc_rate: int) -> dict[str, dict[str, float]]:
    from bot.catalog import load_starter_catalog
    from bot.config import Secret, Settings
    from bot.core import MovieBot
    from bot.feed import FeedDispatcher, Item, RateLimits, Window, smooth
    from bot.richtext import text_document
    from bot.service import AsyncCore
    from bot.store import Store
    from moviebot.runner import build_platforms
    from tests.fakes.discord_server import FakeChannel, FakeDiscord
    from tests.fakes.telegram_server import FakeTelegram

    tmp = Path(tempfile.mkdtemp(prefix="moviebot-bench-feed-"))
    async with FakeTelegram(token=TG_TOKEN) as tg, FakeDiscord(token=DC_TOKEN) as dc:
        for i in range(chats):
            dc.guild.channels.append(FakeChannel(dc.new_id(), dc.guild.id, f"feed-{i}", position=10 + i))
        store = Store.open(tmp / "moviebot.db")
        load_starter_catalog(store)
        settings = Settings(
            db_path=tmp / "moviebot.db",
            telegram_token=Secret(TG_TOKEN),
            telegram_api_base_url=tg.base_url,
            telegram_file_base_url=tg.file_base_url,
            discord_token=Secret(DC_TOKEN),
            discord_api_base_url=dc.api_base,
            discord_gateway_url=dc.gateway_url,
            discord_guild_id=dc.guild.id,
        )
        bot = MovieBot(store, settings)
        tg_chats = [tg.supergroup(f"Club {i}")["id"] for i in range(chats)]
        dc_chats = [c.id for c in dc.guild.channels if c.name.startswith("feed-")]
        with store.atomic():
            for cid in tg_chats:
                store.subscribe("telegram", str(cid), None, "club", "bench")
            for cid in dc_chats:
                store.subscribe("discord", str(cid), None, "feed", "bench")
        core = AsyncCore(bot)
        platforms = build_platforms(core, settings)
        await asyncio.gather(*(p.start() for p in platforms))
        loop = asyncio.get_running_loop()
        # When each delivery was handed to the adapter (Discord), and when each sendMessage reached the
        # fake (Telegram: the fake stamps arrivals with time.monotonic(), the event loop's clock too).
        starts: dict[str, list[float]] = {"telegram": [], "discord": []}
        done: dict[str, int] = {"telegram": 0, "discord": 0}

        all_done = asyncio.Event()

        def delivered(name: str, item: Item) -> None:
            done[name] += 1
            if done["telegram"] >= chats and done["discord"] >= chats:
                all_done.set()

        for p in platforms:
            inner = p.deliver

            async def timed(chat_id: str, thread_id: str | None, replies: list, _inner=inner, _name=p.name) -> None:
                starts[_name].append(loop.time())
                await _inner(chat_id, thread_id, replies)

            p.deliver = timed  # type: ignore[method-assign]

        limits = {
            "telegram": RateLimits(
                overall=smooth(tg_rate, 1.0), per_chat=(Window(1, 1.0),), per_group=(Window(20, 60.0),)
            ),
            "discord": RateLimits(overall=smooth(dc_rate, 1.0)),
        }
        feed = FeedDispatcher(core, {p.name: p for p in platforms}, limits=limits, on_delivered=delivered)
        stop = asyncio.Event()
        task = asyncio.create_task(feed.run(stop))
        film, _ = bot.resolve("Parasite")
        t0 = loop.time()
        await core.call(
            lambda: bot.add_review(
                film.id,
                text_document("Sharp, funny, and then not funny at all."),
                author="Bench",
                platform="telegram",
                rating=9,
            )
        )
        deadline = t0 + chats / min(tg_rate, dc_rate) * 3 + 30
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_done.wait(), deadline - loop.time())
        await asyncio.sleep(2.0)  # anything late or duplicated shows up now
        stop.set()
        await task
        await asyncio.gather(*(p.stop() for p in platforms), return_exceptions=True)
        core.close()
        statuses = Counter(s for (s,) in sqlite3.connect(tmp / "moviebot.db").execute("SELECT status FROM outbox"))
        store.close()

        got = {
            "telegram": Counter(m.chat_id for m in tg.sent if m.plain.startswith("New review of")),
            "discord": Counter(
                m.channel_id for m in dc.messages if m.route == "channel" and "New review of" in m.content
            ),
        }
        targets = {"telegram": tg_chats, "discord": dc_chats}
        ceilings = {"telegram": tg_rate, "discord": dc_rate}
        tg_ids = {str(c) for c in tg_chats}
        arrivals = [
            r.time
            for r in tg.requests
            if r.method.lower() == "sendmessage" and str(r.params.get("chat_id")) in tg_ids and r.status == 200
        ]
        times = {"telegram": arrivals, "discord": starts["discord"]}
        out: dict[str, dict[str, float]] = {}
        for name in ("telegram", "discord"):
            ts = times[name]
            span = (max(ts) - min(ts)) if len(ts) > 1 else float("nan")
            out[name] = {
                "chats": len(targets[name]),
                "delivered": len(ts),
                "span_s": span,
                "rate": (len(ts) - 1) / span if span == span and span > 0 else float("nan"),
                "ceiling": ceilings[name],
                "efficiency": ((len(ts) - 1) / span / ceilings[name]) if span and span == span else float("nan"),
                "max_1s": _max_in_window(ts),
                "lost": sum(1 for c in targets[name] if got[name][c] == 0),
                "duplicates": sum(n - 1 for n in got[name].values() if n > 1),
                "first_s": (min(ts) - t0) if ts else float("nan"),
                "max_1s_handed": _max_in_window(starts[name]),
                "rejected": len(tg.rejected) if name == "telegram" else len(dc.rejected),
            }
        out["outbox"] = {k: float(v) for k, v in statuses.items()}
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.feed", description=__doc__.splitlines()[0])
    ap.add_argument("--chats", type=int, default=1000, help="subscribed chats per platform (default 1000)")
    ap.add_argument("--telegram-rate", type=int, default=30, help="Telegram messages/s overall (default 30)")
    ap.add_argument("--discord-rate", type=int, default=50, help="Discord requests/s global (default 50)")
    ap.add_argument("--quick", action="store_true", help="100 chats per platform")
    args = ap.parse_args(argv)
    chats = 100 if args.quick else args.chats
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    started = time.time()
    res = asyncio.run(run(chats, args.telegram_rate, args.discord_rate))
    print(f"feed fan-out: one review to {chats} chats per platform ({time.time() - started:.0f} s wall)")
    print(
        f"machine: {os.cpu_count()} cores, Python {pyplatform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {date.today().isoformat()}"
    )
    print(
        "| platform | chats | delivered | ceiling | achieved rate | vs ceiling | max in any 1 s | lost | "
        "duplicates | first delivery after | rejected by fake |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    # Telegram times are arrivals at the fake server; Discord times are hand-offs to discord.py.
    for name in ("telegram", "discord"):
        r = res[name]
        print(
            f"| {name} | {r['chats']:.0f} | {r['delivered']:.0f} | {r['ceiling']:.0f}/s | {r['rate']:.1f}/s "
            f"over {r['span_s']:.1f} s | {r['efficiency'] * 100:.0f}% | {r['max_1s']:.0f} | {r['lost']:.0f} | "
            f"{r['duplicates']:.0f} | {r['first_s']:.2f} s | {r['rejected']:.0f} |"
        )
    print(
        "max in any 1 s as handed to the adapters: "
        + ", ".join(f"{n} {res[n]['max_1s_handed']:.0f}" for n in ("telegram", "discord"))
    )
    print("outbox:", ", ".join(f"{k} {v:.0f}" for k, v in sorted(res["outbox"].items())))


if __name__ == "__main__":
    main()
