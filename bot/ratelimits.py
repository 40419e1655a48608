"""Feed posting rates: the platforms' published limits and `MOVIEBOT_FEED_LIMITS`.

A leaf module (it imports only `errors`), so `config` can parse the variable
into typed values at start-up and the feed dispatcher can use them, without
the configuration depending on the feed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .errors import ConfigError


@dataclass(frozen=True)
class Window:
    """At most `limit` messages in any `period` seconds."""

    limit: int
    period: float


@dataclass(frozen=True)
class RateLimits:
    overall: tuple[Window, ...] = ()
    per_chat: tuple[Window, ...] = ()
    per_group: tuple[Window, ...] = ()  # added for group chats (a chat id starting with "-", as on Telegram)
    max_in_flight: int = 64


def smooth(limit: int, period: float) -> tuple[Window, ...]:
    """`limit` per `period`, spread evenly: a burst of 30 at once arrives at the server with network
    jitter and can land 40 in one second (measured on the fakes), so sends are also spread out: at most 3
    in any 3·period/limit (a little slack, so timer granularity does not cost throughput)."""
    if limit <= 3:
        return (Window(limit, period),)
    return (Window(limit, period), Window(3, 3 * period / limit))


# Telegram's Bot FAQ ("My bot is hitting limits"): ~1/s per chat, 20/min per group, ~30/s overall.
# Discord's rate-limit documentation: 50/s global; per-channel buckets are honoured by discord.py itself.
DEFAULT_LIMITS: dict[str, RateLimits] = {
    "telegram": RateLimits(overall=smooth(30, 1.0), per_chat=(Window(1, 1.0),), per_group=(Window(20, 60.0),)),
    "discord": RateLimits(overall=smooth(50, 1.0)),
}
FALLBACK_LIMITS = RateLimits(overall=smooth(20, 1.0), per_chat=(Window(1, 1.0),))


def parse_limits(spec: str, base: dict[str, RateLimits] | None = None) -> dict[str, RateLimits]:
    """`telegram:overall=30/1,chat=1/1,group=20/60;discord:overall=50/1` -> limits per platform.

    Each part replaces that kind of window for that platform (overall ones are
    spread evenly, see `smooth`); `inflight=N` caps
    concurrent deliveries. Raises ConfigError naming the bad part.
    """
    limits = dict(base if base is not None else DEFAULT_LIMITS)
    for section in filter(None, (s.strip() for s in spec.split(";"))):
        name, sep, body = section.partition(":")
        name = name.strip().lower()
        if not sep or not name:
            raise ConfigError(f"MOVIEBOT_FEED_LIMITS: {section!r} must look like telegram:overall=30/1,chat=1/1")
        cur = limits.get(name, FALLBACK_LIMITS)
        for item in filter(None, (i.strip() for i in body.split(","))):
            key, _, value = item.partition("=")
            try:
                if key == "inflight":
                    cur = replace(cur, max_in_flight=max(1, int(value)))
                    continue
                n, _, p = value.partition("/")
                w = (Window(int(n), float(p or 1)),) if value not in ("", "none") else ()
                if w and (w[0].limit < 1 or w[0].period <= 0):
                    raise ValueError
            except ValueError:
                raise ConfigError(f"MOVIEBOT_FEED_LIMITS: {item!r} must be kind=N/seconds, e.g. chat=1/1") from None
            if key == "overall":
                cur = replace(cur, overall=smooth(w[0].limit, w[0].period) if w else ())
            elif key == "chat":
                cur = replace(cur, per_chat=w)
            elif key == "group":
                cur = replace(cur, per_group=w)
            else:
                raise ConfigError(f"MOVIEBOT_FEED_LIMITS: unknown limit {key!r} (overall, chat, group, inflight)")
        limits[name] = cur
    return limits
