"""The channel feed: every new review, posted once to every subscribed channel.

Adding a review writes one outbox row per active subscription in the same
transaction (see `Store.add_reviews`), so a review can never exist without its
deliveries being owed. `FeedDispatcher` pays them, inside `moviebot run`. Only
new reviews are owed: those added in chat, and an import's only with `moviebot
import --announce`; and a channel is never owed a review written before it
subscribed (imported history keeps its original date), so a Letterboxd migration
does not keep a group busy for hours.

Lifecycle of an outbox row::

    pending ──claim (committed)──> sending ──deliver ok──> delivered (delivered_at)
       ^                              │
       ├──── RetryLater: after retry_after (not counted as an attempt)
       ├──── Transient: after exponential backoff, up to `max_attempts` ──> failed (last_error)
       └──── Gone: stays pending; its subscription is paused (paused_at, pause_reason)
             until an admin runs /subscribe there again

Durability: a row is marked `sending` in a committed write before `deliver` is
called and `delivered` after it returns. A crash in between leaves it `sending`;
on the next start those rows are the ones that may or may not have gone out,
and they are sent again (at most one duplicate per channel, because a channel
never has more than one delivery in flight) with one WARNING line each.

Pacing: one worker per platform, so a slow or throttled platform never holds up
the other. Inside a worker a scheduler picks, among channels with work, the one
whose oldest item is oldest and whose rate windows allow a message now; a channel
that must wait (its own limits, a 429's retry_after, a backoff) never blocks
the others. Limits are sliding windows ("at most N in any P seconds") per
platform overall, per chat, and per group chat (Telegram's negative chat ids),
configurable per platform (`RateLimits`, `parse_limits` in ratelimits.py) so tests and the
benchmark can scale them. Discord's per-route buckets are left to discord.py;
the dispatcher adds its global 50/s.

Time: the dispatcher reads the time and waits only through a `Clock` (the
event loop's, `LoopClock`, unless one is passed in), so a test can run it on
virtual time and say "a minute later" without waiting a minute.

All database work goes through `core.call`, on the core's DB thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from .platform import Gone, Platform, RetryLater, Transient
from .ratelimits import DEFAULT_LIMITS, FALLBACK_LIMITS, RateLimits, Window, parse_limits, smooth
from .replies import Reply
from .richtext import Document, bold, para, spoiler_free
from .store import Store

if TYPE_CHECKING:
    from .service import AsyncCore

log = logging.getLogger("moviebot.feed")

TIME_FMT = "%Y-%m-%dT%H:%M:%SZ"


# -- pacing ------------------------------------------------------------------------------------


class SlidingWindow:
    """Send times of the last `limit` messages; the earliest moment another may go."""

    def __init__(self, window: Window) -> None:
        self.window = window
        self.times: deque[float] = deque()

    def next_free(self, now: float) -> float:
        period = self.window.period
        while self.times and self.times[0] <= now - period:
            self.times.popleft()
        if len(self.times) < self.window.limit:
            return now
        return self.times[0] + period

    def record(self, now: float) -> None:
        self.times.append(now)

    def restamp(self, reserved: float, actual: float) -> None:
        """Move a reservation to when the message really left, so pacing holds at the wire."""
        try:
            self.times.remove(reserved)
        except ValueError:
            return
        self.times.append(actual)
        if len(self.times) > 1 and self.times[-2] > actual:
            self.times = deque(sorted(self.times))


# -- time --------------------------------------------------------------------------------------


class Clock(Protocol):
    """Where the dispatcher reads the time and waits, so a test can move time instead of sleeping."""

    def now(self) -> float:
        """Seconds on a monotonic clock."""

    async def wait(self, event: asyncio.Event, seconds: float) -> None:
        """Return when `event` is set or `seconds` of this clock have passed, whichever is first."""


class LoopClock:
    """The event loop's monotonic clock: what `moviebot run` uses."""

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    async def wait(self, event: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)


# -- the database side (runs on the DB thread) -------------------------------------------------


@dataclass
class Item:
    outbox_id: int
    review_id: int
    subscription_id: int
    chat_id: str
    thread_id: str
    attempts: int

    @property
    def channel(self) -> str:
        return self.chat_id + (f"/{self.thread_id}" if self.thread_id else "")


def _utc_in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=math.ceil(max(seconds, 0.0)))).strftime(TIME_FMT)


class FeedStore:
    """The outbox queries, in one place; every method is a short transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def recover_inflight(self) -> list[tuple[int, str, str, str]]:
        """Rows a crash left `sending`: back to pending; returns (review id, platform, chat, thread)."""
        db = self.store.db
        with self.store.atomic():
            rows = db.execute(
                """SELECT o.id, o.review_id, s.platform, s.chat_id, s.thread_id FROM outbox o
                   JOIN subscriptions s ON s.id = o.subscription_id WHERE o.status = 'sending' ORDER BY o.id"""
            ).fetchall()
            db.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")
        return [(int(r[1]), str(r[2]), str(r[3]), str(r[4])) for r in rows]

    def due(self, platform: str, limit: int) -> list[Item]:
        rows = self.store.db.execute(
            """SELECT o.id, o.review_id, o.subscription_id, s.chat_id, s.thread_id, o.attempts
               FROM outbox o JOIN subscriptions s ON s.id = o.subscription_id
               WHERE o.status = 'pending' AND o.next_attempt_at <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
                 AND s.platform = ? AND s.paused_at IS NULL
               ORDER BY o.id LIMIT ?""",
            [platform, limit],
        ).fetchall()
        return [Item(int(r[0]), int(r[1]), int(r[2]), str(r[3]), str(r[4]), int(r[5])) for r in rows]

    def claim(self, outbox_id: int) -> int | None:
        """Mark `sending` (committed) and count the attempt; None when the row is gone or not ours."""
        with self.store.atomic():
            cur = self.store.db.execute(
                """UPDATE outbox SET status = 'sending', attempts = attempts + 1
                   WHERE id = ? AND status = 'pending' AND subscription_id IN
                         (SELECT id FROM subscriptions WHERE paused_at IS NULL)""",
                [outbox_id],
            )
            if cur.rowcount == 0:
                return None
            row = self.store.db.execute("SELECT attempts FROM outbox WHERE id = ?", [outbox_id]).fetchone()
        return int(row[0])

    def delivered(self, outbox_id: int) -> None:
        with self.store.atomic():
            self.store.db.execute(
                """UPDATE outbox SET status = 'delivered', last_error = NULL,
                       delivered_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?""",
                [outbox_id],
            )

    def retry(self, outbox_id: int, delay: float, error: str, count_attempt: bool) -> None:
        with self.store.atomic():
            self.store.db.execute(
                f"""UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ?
                       {"" if count_attempt else ", attempts = max(attempts - 1, 0)"} WHERE id = ?""",
                [_utc_in(delay), error[:300], outbox_id],
            )

    def fail(self, outbox_id: int, error: str) -> None:
        with self.store.atomic():
            self.store.db.execute(
                "UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?", [error[:300], outbox_id]
            )

    def pause(self, subscription_id: int, outbox_id: int, reason: str) -> None:
        """The channel refused us for good: pause it; its rows stay pending for `moviebot feed`."""
        with self.store.atomic():
            self.store.db.execute(
                """UPDATE subscriptions SET paused_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), pause_reason = ?
                   WHERE id = ? AND paused_at IS NULL""",
                [reason[:200], subscription_id],
            )
            self.store.db.execute(
                "UPDATE outbox SET status = 'pending', last_error = ? WHERE id = ?", [reason[:300], outbox_id]
            )

    def render(self, review_id: int) -> list[Reply] | None:
        """The feed post: a header line, then the spoiler-free view with its `/spoiler <title>` hint."""
        review = self.store.get_review(review_id)
        if review is None:
            return None
        film = self.store.get_film(review.film_id)
        rating = f" · {review.rating:g}/10" if review.rating is not None else ""
        header = para("New review of ", bold(film.label), f" by {review.author}{rating}")
        body = spoiler_free(review.body, film.title)
        return [Reply(Document((header, *body.blocks)))]


# -- the dispatcher ----------------------------------------------------------------------------


@dataclass
class FeedStats:
    """Counters for logs, tests and the benchmark."""

    delivered: int = 0
    retried: int = 0
    failed: int = 0
    paused: int = 0
    recovered: int = 0
    by_platform: dict[str, int] = field(default_factory=dict)


class _Worker:
    """Delivers one platform's outbox rows, channel by channel, within that platform's limits."""

    def __init__(self, feed: FeedDispatcher, name: str, platform: Platform, limits: RateLimits) -> None:
        self.feed = feed
        self.name = name
        self.platform = platform
        self.limits = limits
        self.queues: dict[str, deque[Item]] = {}
        self.busy: set[str] = set()
        self.blocked: dict[str, float] = {}
        self.windows: dict[str, list[SlidingWindow]] = {}
        self.overall = [SlidingWindow(w) for w in limits.overall]
        self.known: set[int] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self.kick = asyncio.Event()

    def _chat_windows(self, chat: str) -> list[SlidingWindow]:
        ws = self.windows.get(chat)
        if ws is None:
            kinds = self.limits.per_chat + (self.limits.per_group if chat.startswith("-") else ())
            ws = self.windows[chat] = [SlidingWindow(w) for w in kinds]
        return ws

    async def fetch(self) -> None:
        room = self.feed.max_queued - len(self.known)
        if room <= 0:
            return
        items = await self.feed.core.call(self.feed.db.due, self.name, room + len(self.known))
        for it in items:
            if it.outbox_id in self.known:
                continue
            self.known.add(it.outbox_id)
            self.queues.setdefault(it.chat_id, deque()).append(it)

    def schedule(self, now: float) -> float | None:
        """Start every delivery allowed now; return seconds until the next one could start (None: idle)."""
        wait: float | None = None
        while len(self.busy) < self.limits.max_in_flight:
            # Cheap check first: when the platform-wide window is full, no channel can go.
            overall = max((w.next_free(now) for w in self.overall), default=now)
            if overall > now:
                return overall - now if self.queues else None
            best: tuple[int, str] | None = None
            soonest: float | None = None
            for chat, q in self.queues.items():
                if not q or chat in self.busy:
                    continue
                ready = max([self.blocked.get(chat, now), *(w.next_free(now) for w in self._chat_windows(chat))])
                if ready <= now:
                    if best is None or q[0].outbox_id < best[0]:
                        best = (q[0].outbox_id, chat)
                elif soonest is None or ready < soonest:
                    soonest = ready
            if best is None:
                if soonest is not None:
                    wait = soonest - now
                break
            chat = best[1]
            item = self.queues[chat].popleft()
            if not self.queues[chat]:
                del self.queues[chat]  # keep the scan over channels that have work
            for w in (*self.overall, *self._chat_windows(chat)):
                w.record(now)
            self.busy.add(chat)
            task = asyncio.create_task(self._deliver(item, now))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        return wait

    def _requeue_front(self, item: Item, until: float) -> None:
        self.queues.setdefault(item.chat_id, deque()).appendleft(item)
        self.blocked[item.chat_id] = until

    def _forget(self, item: Item) -> None:
        self.known.discard(item.outbox_id)

    async def _deliver(self, item: Item, reserved: float) -> None:
        feed, clock = self.feed, self.feed.clock
        try:
            replies = await feed.rendered(item.review_id)
            if replies is None:  # the review was deleted meanwhile
                self._forget(item)
                return
            attempts = await feed.core.call(feed.db.claim, item.outbox_id)
            if attempts is None:  # unsubscribed, paused or delivered meanwhile
                self._forget(item)
                return
            item.attempts = attempts
            started = clock.now()
            for w in (*self.overall, *self._chat_windows(item.chat_id)):
                w.restamp(reserved, started)
            try:
                await self.platform.deliver(item.chat_id, item.thread_id or None, replies)
            except RetryLater as exc:
                feed.stats.retried += 1
                delay = max(float(exc.retry_after), 0.0)
                await feed.core.call(feed.db.retry, item.outbox_id, delay, f"rate limited: {exc}", False)
                self._requeue_front(item, clock.now() + delay)
                log.info("feed: %s %s asked us to wait %.1fs", self.name, item.channel, delay)
            except Gone as exc:
                feed.stats.paused += 1
                reason = str(exc) or type(exc).__name__
                await feed.core.call(feed.db.pause, item.subscription_id, item.outbox_id, reason)
                self._drop_subscription(item)
                log.warning(
                    "feed: paused %s channel %s (%s); /subscribe there resumes it", self.name, item.channel, reason
                )
            except Exception as exc:
                if not isinstance(exc, Transient):
                    log.exception(
                        "feed: delivering review #%d to %s %s failed unexpectedly",
                        item.review_id,
                        self.name,
                        item.channel,
                    )
                await self._transient(item, f"{type(exc).__name__}: {exc}", clock.now())
            else:
                await feed.core.call(feed.db.delivered, item.outbox_id)
                feed.stats.delivered += 1
                feed.stats.by_platform[self.name] = feed.stats.by_platform.get(self.name, 0) + 1
                self._forget(item)
                feed.on_delivered(self.name, item)
        finally:
            self.busy.discard(item.chat_id)
            self.kick.set()

    async def _transient(self, item: Item, error: str, now: float) -> None:
        feed = self.feed
        if item.attempts >= feed.max_attempts:
            feed.stats.failed += 1
            await feed.core.call(feed.db.fail, item.outbox_id, error)
            self._forget(item)
            log.warning(
                "feed: gave up on review #%d to %s %s after %d attempts: %s",
                item.review_id,
                self.name,
                item.channel,
                item.attempts,
                error,
            )
            return
        feed.stats.retried += 1
        delay = min(feed.backoff_base * 2 ** (item.attempts - 1), feed.backoff_cap)
        await feed.core.call(feed.db.retry, item.outbox_id, delay, error, True)
        # The channel waits too, so its later reviews do not overtake this one.
        self._requeue_front(item, now + delay)

    def _drop_subscription(self, item: Item) -> None:
        self._forget(item)
        q = self.queues.get(item.chat_id)
        if q:
            keep = deque(i for i in q if i.subscription_id != item.subscription_id)
            for i in q:
                if i.subscription_id == item.subscription_id:
                    self._forget(i)
            self.queues[item.chat_id] = keep

    async def run(self, stop: asyncio.Event) -> None:
        clock = self.feed.clock
        next_fetch = clock.now()
        while not stop.is_set():
            self.kick.clear()
            now = clock.now()
            if now >= next_fetch:
                try:
                    await self.fetch()
                except Exception:
                    log.exception("feed: reading the %s outbox failed; retrying", self.name)
                now = clock.now()
                next_fetch = now + self.feed.poll_interval
            wait = self.schedule(now)
            timeout = next_fetch - now if wait is None else min(wait, next_fetch - now)
            if stop.is_set():
                break
            await clock.wait(self.kick, max(timeout, 0.001))

    async def drain(self, grace: float) -> None:
        """Let deliveries in flight finish; those that do not stay `sending` and are resent on restart."""
        if not self.tasks:
            return
        _, pending = await asyncio.wait(set(self.tasks), timeout=grace)
        for t in pending:
            t.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


class FeedDispatcher:
    """Posts new reviews to subscribed channels on every running platform. See the module docstring."""

    def __init__(
        self,
        core: AsyncCore,
        platforms: dict[str, Platform],
        *,
        limits: Mapping[str, RateLimits] | None = None,
        poll_interval: float = 0.5,
        max_attempts: int = 5,
        backoff_base: float = 2.0,
        backoff_cap: float = 300.0,
        max_queued: int = 5000,
        drain_timeout: float = 3.0,
        on_delivered: Callable[[str, Item], None] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.core = core
        self.clock: Clock = clock or LoopClock()
        self.db = FeedStore(core.bot.store)
        self.platforms = dict(platforms)
        table = limits if limits is not None else DEFAULT_LIMITS
        self.workers = {
            name: _Worker(self, name, p, table.get(name, DEFAULT_LIMITS.get(name, FALLBACK_LIMITS)))
            for name, p in self.platforms.items()
        }
        self.poll_interval = poll_interval
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_queued = max_queued
        self.drain_timeout = drain_timeout
        self.on_delivered: Callable[[str, Item], None] = on_delivered or (lambda name, item: None)
        self.stats = FeedStats()
        self._rendered: dict[int, list[Reply] | None] = {}

    async def rendered(self, review_id: int) -> list[Reply] | None:
        """One render per review however many channels it goes to (a small cache)."""
        if review_id not in self._rendered:
            if len(self._rendered) > 256:
                self._rendered.clear()
            self._rendered[review_id] = await self.core.call(self.db.render, review_id)
        return self._rendered[review_id]

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll (e.g. right after a review is added)."""
        for w in self.workers.values():
            w.kick.set()

    async def recover(self) -> None:
        for review_id, platform, chat, thread in await self.core.call(self.db.recover_inflight):
            self.stats.recovered += 1
            where = chat + (f"/{thread}" if thread else "")
            log.warning(
                "feed: review #%d to %s channel %s was being sent when the bot stopped; sending it again "
                "(it may appear twice there)",
                review_id,
                platform,
                where,
            )

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; then let in-flight deliveries finish (up to `drain_timeout`)."""
        await self.recover()
        if not self.workers:
            await stop.wait()
            return

        async def relay_stop() -> None:
            await stop.wait()
            self.wake()

        relay = asyncio.create_task(relay_stop())
        runs = [asyncio.create_task(w.run(stop), name=f"feed-{n}") for n, w in self.workers.items()]
        try:
            await asyncio.gather(*runs)
        finally:
            relay.cancel()
            for r in runs:
                r.cancel()
            await asyncio.gather(*(w.drain(self.drain_timeout) for w in self.workers.values()))


# -- `moviebot feed` ---------------------------------------------------------------------------


def feed_report(store: Store) -> str:
    """Per channel: pending, sending, delivered and failed deliveries, and whether it is paused (and why)."""
    rows = list(
        store.db.query(
            """SELECT s.platform, s.chat_id, s.thread_id, s.title, s.paused_at, s.pause_reason,
                      sum(o.status = 'pending') AS pending, sum(o.status = 'sending') AS sending,
                      sum(o.status = 'delivered') AS delivered, sum(o.status = 'failed') AS failed,
                      max(o.delivered_at) AS last_delivered,
                      (SELECT last_error FROM outbox x WHERE x.subscription_id = s.id AND x.last_error IS NOT NULL
                       AND x.status IN ('failed', 'pending') ORDER BY x.id DESC LIMIT 1) AS last_error
               FROM subscriptions s LEFT JOIN outbox o ON o.subscription_id = s.id
               GROUP BY s.id ORDER BY s.platform, s.chat_id, s.thread_id"""
        )
    )
    if not rows:
        return "No channel is subscribed. An admin can /subscribe in a channel or chat."
    lines = ["platform  channel                         pending  sending  delivered  failed  state"]
    totals = [0, 0, 0, 0]
    for r in rows:
        where = r["chat_id"] + (f"/{r['thread_id']}" if r["thread_id"] else "")
        name = f"{where} {r['title']}".strip()[:31]
        counts = [int(r[k] or 0) for k in ("pending", "sending", "delivered", "failed")]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        if r["paused_at"]:
            state = f"paused since {r['paused_at']}: {r['pause_reason'] or 'no reason given'}"
        else:
            state = "active"
            if r["last_delivered"]:
                state += f", last delivery {r['last_delivered']}"
        lines.append(
            f"{r['platform']:<9} {name:<31} {counts[0]:>7}  {counts[1]:>7}  {counts[2]:>9}  {counts[3]:>6}  {state}"
        )
        if r["last_error"] and (counts[0] or counts[3]):
            lines.append(f"{'':<10}last error: {r['last_error'][:100]}")
    lines.append(
        f"{'total':<9} {len(rows)} channel(s){'':<19} {totals[0]:>7}  {totals[1]:>7}  {totals[2]:>9}  {totals[3]:>6}"
    )
    if totals[1]:
        lines.append("'sending' deliveries were in flight; if the bot is not running they are resent when it starts.")
    return "\n".join(lines)


__all__ = [
    "DEFAULT_LIMITS",
    "Clock",
    "LoopClock",
    "FeedDispatcher",
    "FeedStats",
    "FeedStore",
    "Item",
    "RateLimits",
    "Window",
    "smooth",
    "feed_report",
    "parse_limits",
]
