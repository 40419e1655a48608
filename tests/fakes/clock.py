"""Virtual time for the feed dispatcher (bot.feed.Clock): it moves only when a test moves it.

A test runs the real dispatcher on a `ManualClock` and, once everything that can
run has run, jumps straight to the next moment something is waiting for
(`next_deadline`, `advance_to`). "An hour later" costs nothing, pacing is
checked against exact virtual timestamps, and "nothing else was sent" is shown
by moving time past every poll instead of sleeping.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any


@dataclass(order=True)
class _Timer:
    deadline: float
    seq: int
    event: asyncio.Event = field(compare=False)
    fired: asyncio.Future[None] = field(compare=False)


class ManualClock:
    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._timers: list[_Timer] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    async def wait(self, event: asyncio.Event, seconds: float) -> None:
        if event.is_set():
            return
        timer = _Timer(self._now + seconds, next(self._seq), event, asyncio.get_running_loop().create_future())
        self._timers.append(timer)
        woken: asyncio.Future[Any] = asyncio.ensure_future(event.wait())
        either: set[asyncio.Future[Any]] = {timer.fired, woken}
        try:
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        finally:
            woken.cancel()
            self._timers.remove(timer)

    @property
    def sleepers(self) -> int:
        """Waiters that nothing but this clock will wake (their event not set, their time not come)."""
        return sum(1 for t in self._timers if not t.event.is_set() and not t.fired.done())

    def next_deadline(self) -> float | None:
        live = [t.deadline for t in self._timers if not t.event.is_set() and not t.fired.done()]
        return min(live, default=None)

    def advance_to(self, when: float) -> None:
        """Move time forward to `when` and wake every waiter whose time has come."""
        if when < self._now:
            raise ValueError(f"time goes forward only: {when} < {self._now}")
        self._now = when
        for t in self._timers:
            if t.deadline <= when and not t.fired.done():
                t.fired.set_result(None)
