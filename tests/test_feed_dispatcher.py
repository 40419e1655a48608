"""The feed dispatcher against a small in-test Platform at the adapter seam.

Real store on a real SQLite file, real AsyncCore (DB thread), real dispatcher;
only `deliver` is scripted: it records what it was asked to post and when, or
raises the failure kinds of bot/platform.py. Time is virtual (tests/fakes/clock.py):
it stands still while the test adds reviews and jumps to the next moment the
dispatcher waits for once everything runnable has run, so timestamps are exact,
and "nothing more is sent" is shown by moving time past many polls, never by
sleeping. Pacing is checked as lower bounds on gaps between deliveries (a
limiter may be slow, never early).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from bot.core import MovieBot
from bot.errors import ConfigError
from bot.feed import FeedDispatcher, RateLimits, Window, feed_report, parse_limits
from bot.platform import Gone, RetryLater, Transient
from bot.replies import Reply
from bot.richtext import para, text_document, to_console
from bot.richtext.model import Document, Span
from bot.service import AsyncCore
from tests.fakes.clock import ManualClock

FAST = RateLimits(overall=(Window(1000, 1.0),), max_in_flight=64)
# Virtual timestamps are exact but for float rounding: 1000.3 - 1000.0 is 0.2999999999999545.
EPS = 1e-9


@dataclass
class Call:
    at: float
    chat: str
    thread: str | None
    text: str


@dataclass
class ScriptedPlatform:
    """A Platform whose `deliver` records posts, or raises what the test scripted for a chat."""

    name: str
    calls: list[Call] = field(default_factory=list)
    sent: list[Call] = field(default_factory=list)
    script: dict[str, list[BaseException]] = field(default_factory=dict)
    always: dict[str, BaseException] = field(default_factory=dict)
    hold: asyncio.Event | None = None
    clock: ManualClock = field(default_factory=ManualClock)
    parked: int = 0  # deliveries waiting on `hold`: in flight, but nothing the clock will move

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def deliver(self, chat_id: str, thread_id: str | None, replies: list[Reply]) -> None:
        call = Call(self.clock.now(), chat_id, thread_id, "\n\n".join(to_console(r.body) for r in replies))
        self.calls.append(call)
        if self.hold is not None:
            self.parked += 1
            try:
                await self.hold.wait()
            finally:
                self.parked -= 1
        if chat_id in self.always:
            raise self.always[chat_id]
        todo = self.script.get(chat_id)
        if todo:
            raise todo.pop(0)
        self.sent.append(call)

    def to(self, chat: str) -> list[Call]:
        return [c for c in self.sent if c.chat == chat]


class Feed:
    """A running dispatcher plus helpers to add reviews and read the outbox."""

    def __init__(self, bot: MovieBot, platforms: dict[str, ScriptedPlatform], **kw: object) -> None:
        self.bot = bot
        self.core = AsyncCore(bot)
        self.clock = ManualClock()
        self.platforms = platforms
        for p in platforms.values():
            p.clock = self.clock
        kw.setdefault("limits", {n: FAST for n in platforms})
        kw.setdefault("poll_interval", 0.05)
        self.dispatcher = FeedDispatcher(self.core, dict(platforms), clock=self.clock, **kw)  # type: ignore[arg-type]
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Feed:
        self.task = asyncio.create_task(self.dispatcher.run(self.stop))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        if self.task is not None:
            await asyncio.wait_for(self.task, 10)
        self.core.close()

    def idle(self) -> bool:
        """Every worker waits on the clock, and no delivery is running but those parked on `hold`."""
        workers = self.dispatcher.workers.values()
        in_flight = sum(len(w.tasks) for w in workers)
        parked = sum(p.parked for p in self.platforms.values())
        return self.clock.sleepers == len(workers) and in_flight == parked

    async def until(self, cond: Callable[[], bool], limit: float = 600.0) -> None:
        """Run, moving virtual time from one wake-up to the next, until `cond` holds.

        `limit` is virtual seconds; a real-time guard turns a hang into a failure."""
        loop = asyncio.get_running_loop()
        end, guard = self.clock.now() + limit, loop.time() + 15.0
        while not cond():
            if loop.time() > guard:
                raise AssertionError("condition not met (the dispatcher never went idle)")
            if not self.idle():
                await asyncio.sleep(0.001)
                continue
            nxt = self.clock.next_deadline()
            if nxt is None or nxt > end:
                raise AssertionError(f"condition not met within {limit} virtual seconds")
            self.clock.advance_to(nxt)
            await asyncio.sleep(0)

    async def advance(self, seconds: float) -> None:
        """Let `seconds` of virtual time pass; everything due meanwhile runs, in order."""
        end = self.clock.now() + seconds
        while True:
            await self.until(self.idle, limit=0)
            nxt = self.clock.next_deadline()
            if nxt is None or nxt > end:
                break
            self.clock.advance_to(nxt)
        self.clock.advance_to(end)
        await self.until(self.idle, limit=0)

    async def review(
        self, title: str = "Parasite", author: str = "Ana", rating: float | None = 9, body: Document | None = None
    ) -> int:
        doc = body or text_document("A sharp, funny film about two families.")

        def add() -> int:
            # On the DB thread, like every other store call while the dispatcher runs:
            # the connection is shared and must never be used from two threads at once.
            film, _ = self.bot.resolve(title)
            return self.bot.add_review(film.id, doc, author=author, platform="telegram", rating=rating).review_id

        return await self.core.call(add)

    async def rows(self) -> list[dict]:
        return await self.core.call(
            lambda: list(
                self.bot.store.db.query(
                    """SELECT o.*, s.platform, s.chat_id, s.thread_id, s.paused_at, s.pause_reason FROM outbox o
               JOIN subscriptions s ON s.id = o.subscription_id ORDER BY o.id"""
                )
            )
        )


def subscribe(bot: MovieBot, platform: str, *chats: str, thread: str | None = None) -> None:
    for chat in chats:
        bot.store.subscribe(platform, chat, thread, f"chat {chat}", "admin")


# -- fan-out ----------------------------------------------------------------------------------


async def test_a_review_reaches_every_subscribed_channel_on_both_platforms_once(movie_bot: MovieBot) -> None:
    tg, dc = ScriptedPlatform("telegram"), ScriptedPlatform("discord")
    subscribe(movie_bot, "telegram", "-1001", "-1002", "42")
    subscribe(movie_bot, "telegram", "-1003", thread="7")  # a forum topic
    subscribe(movie_bot, "discord", "9001", "9002")
    spoiled = Document(
        (
            para("Funny and sharp from the first scene."),
            Block_spoiler("In the end the father hides in the bunker."),
        )
    )
    async with Feed(movie_bot, {"telegram": tg, "discord": dc}) as feed:
        await feed.review(body=spoiled)
        await feed.until(lambda: len(tg.sent) == 4 and len(dc.sent) == 2)
        await feed.advance(5.0)  # a hundred more polls: nothing more arrives
        rows = await feed.rows()
    assert sorted(c.chat for c in tg.sent) == ["-1001", "-1002", "-1003", "42"]
    assert sorted(c.chat for c in dc.sent) == ["9001", "9002"]
    topic = next(c for c in tg.sent if c.chat == "-1003")
    assert topic.thread == "7"
    assert all(c.thread is None for c in tg.sent if c.chat != "-1003")
    for call in tg.sent + dc.sent:
        assert call.text.startswith("New review of Parasite (2019) by Ana · 9/10")
        assert "Funny and sharp" in call.text
        assert "bunker" not in call.text  # the feed is spoiler-free
        assert "/spoiler Parasite" in call.text
    assert {r["status"] for r in rows} == {"delivered"}
    assert all(r["delivered_at"] and r["attempts"] == 1 for r in rows)


def Block_spoiler(text: str):  # noqa: N802 - reads like the model's constructors
    from bot.richtext.model import Block

    return Block((Span(text),), spoiler=True, source="test")


async def test_reviews_reach_each_channel_in_order_even_after_a_failure(movie_bot: MovieBot) -> None:
    tg = ScriptedPlatform("telegram", script={"-1": [Transient("502 Bad Gateway")]})
    subscribe(movie_bot, "telegram", "-1", "-2")
    async with Feed(movie_bot, {"telegram": tg}, backoff_base=0.15) as feed:
        ids = [await feed.review(author=f"author {i}") for i in range(3)]
        await feed.until(lambda: len(tg.to("-1")) == 3 and len(tg.to("-2")) == 3)
    for chat in ("-1", "-2"):
        authors = [c.text.split(" by ")[1].split(" ·")[0] for c in tg.to(chat)]
        assert authors == ["author 0", "author 1", "author 2"], chat
    assert len(ids) == 3
    # the failed first attempt delayed chat -1, but chat -2 did not wait for it
    assert tg.to("-2")[-1].at < tg.to("-1")[0].at


# -- failures ---------------------------------------------------------------------------------


async def test_a_429_storm_is_honoured_and_stalls_no_other_chat(movie_bot: MovieBot) -> None:
    storm = [RetryLater(0.2), RetryLater(0.2), RetryLater(0.3)]
    tg = ScriptedPlatform("telegram", script={"-100": list(storm)})
    subscribe(movie_bot, "telegram", "-100", "-200", "-300")
    async with Feed(movie_bot, {"telegram": tg}) as feed:
        await feed.review()
        await feed.until(lambda: len(tg.to("-100")) == 1)
        rows = await feed.rows()
    attempts = [c.at for c in tg.calls if c.chat == "-100"]
    assert len(attempts) == 4
    waits = [b - a for a, b in zip(attempts, attempts[1:], strict=False)]
    assert waits[0] >= 0.2 - EPS and waits[1] >= 0.2 - EPS and waits[2] >= 0.3 - EPS
    assert max(c.at for c in tg.sent if c.chat != "-100") < attempts[1]  # the others went out meanwhile
    row = next(r for r in rows if r["chat_id"] == "-100")
    assert row["status"] == "delivered" and row["attempts"] == 1  # throttling is not a failed attempt


async def test_gone_pauses_the_subscription_and_subscribe_resumes_it(movie_bot: MovieBot) -> None:
    tg = ScriptedPlatform("telegram", always={"-666": Gone("Forbidden: bot was kicked from the group chat")})
    subscribe(movie_bot, "telegram", "-666", "-1")
    async with Feed(movie_bot, {"telegram": tg}) as feed:
        await feed.review(author="first")
        await feed.until(lambda: len(tg.to("-1")) == 1)
        await feed.until(lambda: feed.dispatcher.stats.paused == 1)
        await feed.review(author="second")  # no outbox row for the paused chat
        await feed.until(lambda: len(tg.to("-1")) == 2)
        rows = await feed.rows()
        kicked = [r for r in rows if r["chat_id"] == "-666"]
        assert len(kicked) == 1 and kicked[0]["status"] == "pending"
        assert kicked[0]["paused_at"] and "kicked" in kicked[0]["pause_reason"]
        report = await feed.core.call(feed_report, movie_bot.store)
        line = next(x for x in report.splitlines() if x.startswith("telegram  -666"))
        assert "paused since" in line and "bot was kicked" in line
        assert line.split()[4] == "1"  # one pending delivery kept for when it comes back
        # the bot is added back and an admin runs /subscribe: the kept delivery goes out
        del tg.always["-666"]
        assert await feed.core.call(movie_bot.store.subscribe, "telegram", "-666", None, "back", "admin")
        await feed.until(lambda: len(tg.to("-666")) == 1)
    assert "by first" in tg.to("-666")[0].text
    assert len(tg.calls) == len([c for c in tg.calls if c.chat == "-1"]) + 2  # one refusal, one delivery


async def test_transient_errors_back_off_then_fail_for_good(movie_bot: MovieBot) -> None:
    tg = ScriptedPlatform(
        "telegram",
        script={"-5": [Transient("timeout"), Transient("502")]},
        always={"-6": Transient("500 Internal Server Error")},
    )
    subscribe(movie_bot, "telegram", "-5", "-6")
    async with Feed(movie_bot, {"telegram": tg}, backoff_base=0.05, max_attempts=3) as feed:
        await feed.review()
        await feed.until(lambda: len(tg.to("-5")) == 1 and feed.dispatcher.stats.failed == 1)
        rows = {r["chat_id"]: r for r in await feed.rows()}
        report = await feed.core.call(feed_report, movie_bot.store)
    assert rows["-5"]["status"] == "delivered" and rows["-5"]["attempts"] == 3
    assert rows["-6"]["status"] == "failed" and rows["-6"]["attempts"] == 3
    assert rows["-6"]["last_error"] == "Transient: 500 Internal Server Error"
    tries = [c.at for c in tg.calls if c.chat == "-6"]
    assert tries[1] - tries[0] >= 0.05 - EPS and tries[2] - tries[1] >= 0.1 - EPS  # exponential
    assert "last error: Transient: 500 Internal Server Error" in report


async def test_a_slow_platform_never_stalls_the_other(movie_bot: MovieBot) -> None:
    hold = asyncio.Event()
    tg, dc = ScriptedPlatform("telegram", hold=hold), ScriptedPlatform("discord")
    subscribe(movie_bot, "telegram", "-1", "-2")
    subscribe(movie_bot, "discord", "1", "2", "3")
    async with Feed(movie_bot, {"telegram": tg, "discord": dc}) as feed:
        await feed.review()
        await feed.review(author="Bo")
        await feed.until(lambda: len(dc.sent) == 6)
        assert tg.sent == []  # Telegram is still hanging
        hold.set()
        await feed.until(lambda: len(tg.sent) == 4)


async def test_unexpected_adapter_bug_is_retried_not_fatal(movie_bot: MovieBot) -> None:
    tg = ScriptedPlatform("telegram", script={"-1": [RuntimeError("adapter bug")]})
    subscribe(movie_bot, "telegram", "-1")
    async with Feed(movie_bot, {"telegram": tg}, backoff_base=0.01) as feed:
        await feed.review()
        await feed.until(lambda: len(tg.sent) == 1)


# -- pacing -----------------------------------------------------------------------------------


async def test_per_chat_pacing_holds_and_other_chats_are_not_held_back(movie_bot: MovieBot) -> None:
    limits = {"telegram": RateLimits(per_chat=(Window(1, 0.15),))}
    tg = ScriptedPlatform("telegram")
    subscribe(movie_bot, "telegram", "-1", "-2", "-3")
    async with Feed(movie_bot, {"telegram": tg}, limits=limits) as feed:
        for i in range(4):
            await feed.review(author=f"a{i}")
        await feed.until(lambda: len(tg.sent) == 12)
    for chat in ("-1", "-2", "-3"):
        times = [c.at for c in tg.to(chat)]
        assert all(b - a >= 0.15 - EPS for a, b in zip(times, times[1:], strict=False)), chat
    # the three chats were served side by side, not one after another
    firsts = sorted(tg.to(chat)[0].at for chat in ("-1", "-2", "-3"))
    assert firsts[-1] < tg.to("-1")[1].at


async def test_overall_and_group_windows(movie_bot: MovieBot) -> None:
    limits = {"telegram": RateLimits(overall=(Window(4, 0.3),), per_group=(Window(2, 0.4),))}
    tg = ScriptedPlatform("telegram")
    chats = [str(-i) for i in range(1, 9)] + ["77"]
    subscribe(movie_bot, "telegram", *chats)
    async with Feed(movie_bot, {"telegram": tg}, limits=limits) as feed:
        for i in range(3):
            await feed.review(author=f"a{i}")
        await feed.until(lambda: len(tg.sent) == 27)
    times = sorted(c.at for c in tg.sent)
    for i, t in enumerate(times):  # never more than 4 starts in any 0.3 s
        assert sum(1 for u in times[i:] if u - t < 0.3 - EPS) <= 4
    for chat in chats:  # a group chat: at most 2 in any 0.4 s; the private chat "77" has no group limit
        ts = [c.at for c in tg.to(chat)]
        if chat.startswith("-"):
            assert ts[2] - ts[0] >= 0.4 - EPS


# -- durability -------------------------------------------------------------------------------


async def test_rows_left_sending_by_a_crash_are_resent_with_a_warning(
    movie_bot: MovieBot, caplog: pytest.LogCaptureFixture
) -> None:
    subscribe(movie_bot, "telegram", "-10", "-20")
    subscribe(movie_bot, "discord", "30")
    film, _ = movie_bot.resolve("Parasite")
    review_id = movie_bot.add_review(film.id, text_document("Great."), author="Ana", platform="discord").review_id
    # as a crash leaves it: -10 was being sent, the others had not started
    movie_bot.store.db.execute(
        """UPDATE outbox SET status = 'sending', attempts = 1 WHERE subscription_id =
           (SELECT id FROM subscriptions WHERE chat_id = '-10')"""
    )
    tg, dc = ScriptedPlatform("telegram"), ScriptedPlatform("discord")
    with caplog.at_level(logging.WARNING, logger="moviebot.feed"):
        async with Feed(movie_bot, {"telegram": tg, "discord": dc}) as feed:
            await feed.until(lambda: len(tg.sent) == 2 and len(dc.sent) == 1)
            rows = await feed.rows()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert f"review #{review_id}" in warnings[0] and "telegram channel -10" in warnings[0]
    assert {r["status"] for r in rows} == {"delivered"}
    assert next(r for r in rows if r["chat_id"] == "-10")["attempts"] == 2


async def test_platforms_not_running_keep_their_rows_pending(movie_bot: MovieBot) -> None:
    subscribe(movie_bot, "telegram", "-1")
    subscribe(movie_bot, "discord", "2")
    dc = ScriptedPlatform("discord")
    async with Feed(movie_bot, {"discord": dc}) as feed:
        await feed.review()
        await feed.until(lambda: len(dc.sent) == 1)
        rows = {r["platform"]: r for r in await feed.rows()}
    assert rows["telegram"]["status"] == "pending"
    assert "telegram  -1" in feed_report(movie_bot.store)


async def test_stop_leaves_undelivered_rows_owed(movie_bot: MovieBot) -> None:
    limits = {"telegram": RateLimits(per_chat=(Window(1, 10.0),))}
    tg = ScriptedPlatform("telegram")
    subscribe(movie_bot, "telegram", "-1")
    async with Feed(movie_bot, {"telegram": tg}, limits=limits) as feed:
        await feed.review()
        await feed.review()
        await feed.until(lambda: len(tg.sent) == 1)
    statuses = [r["status"] for r in list(movie_bot.store.db.query("SELECT status FROM outbox ORDER BY id"))]
    assert statuses == ["delivered", "pending"]


# -- configuration and report -----------------------------------------------------------------


def test_parse_limits() -> None:
    got = parse_limits("telegram:overall=5/1,chat=1/2,group=none,inflight=8; discord:overall=10/0.5")
    assert got["telegram"] == RateLimits(
        overall=(Window(5, 1.0), Window(3, 3 * 1.0 / 5)), per_chat=(Window(1, 2.0),), per_group=(), max_in_flight=8
    )
    assert got["discord"].overall == (Window(10, 0.5), Window(3, 3 * 0.5 / 10))
    assert parse_limits("")["telegram"].per_group == (Window(20, 60.0),)
    for bad in ("telegram:overall=fast", "telegram:speed=1/1", "overall=1/1", "telegram:chat=0/1"):
        with pytest.raises(ConfigError, match="MOVIEBOT_FEED_LIMITS"):
            parse_limits(bad)


def test_feed_report_shows_every_state(movie_bot: MovieBot) -> None:
    assert "No channel is subscribed" in feed_report(movie_bot.store)
    subscribe(movie_bot, "telegram", "-1")
    subscribe(movie_bot, "discord", "2")
    film, _ = movie_bot.resolve("Parasite")
    for _ in range(3):
        movie_bot.add_review(film.id, text_document("x"), author="a", platform="console")
    db = movie_bot.store.db
    db.execute("UPDATE outbox SET status = 'sending' WHERE id = 1")
    db.execute("UPDATE outbox SET status = 'delivered', delivered_at = '2026-01-01T00:00:00Z' WHERE id = 2")
    db.execute("UPDATE outbox SET status = 'failed', last_error = 'Transient: 502' WHERE id = 3")
    report = feed_report(movie_bot.store)
    lines = report.splitlines()
    assert lines[0].split()[2:6] == ["pending", "sending", "delivered", "failed"]
    tg = next(x for x in lines if x.startswith("telegram"))
    dc = next(x for x in lines if x.startswith("discord"))
    assert tg.split()[:8] == ["telegram", "-1", "chat", "-1", "1", "1", "0", "1"]
    assert dc.split()[:8] == ["discord", "2", "chat", "2", "2", "0", "1", "0"]
    assert "last delivery 2026-01-01T00:00:00Z" in dc
    assert "last error: Transient: 502" in report
    assert next(x for x in lines if x.startswith("total")).split()[3:7] == ["3", "1", "1", "1"]
    assert lines[-1].startswith("'sending' deliveries were in flight")
