"""Settings from the environment (and a `.env` file), validated once at start-up.

Every variable of the configuration table in README.md is read here and nowhere else, so a bad value
stops the bot with one line naming the variable before anything connects.
Tokens are kept in `Secret` so that a stray `repr()` or f-string in a log line
prints `***` instead of the token.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlparse

from .errors import ConfigError
from .ratelimits import DEFAULT_LIMITS, RateLimits, parse_limits

PLATFORMS = ("discord", "telegram", "console")
NUMERIC_IDS = ("discord", "telegram")  # platforms whose user ids are numbers (snowflakes, Telegram ids)
LOG_LEVELS = ("DEBUG", "INFO", "WARNING")
_WEBHOOK_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Secret:
    """A string that never shows itself in repr/str; `.value` reveals it on purpose."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    @property
    def value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


def _default_limits() -> Mapping[str, RateLimits]:
    return MappingProxyType(dict(DEFAULT_LIMITS))


@dataclass(frozen=True)
class Settings:
    """Every setting, typed; the defaults here are the only ones (`load_settings` falls back to them)."""

    db_path: Path = Path("data/moviebot.db")
    # Whether MOVIEBOT_DB named the database (environment or .env): commands that only read an
    # existing database may then create it; with the default path they refuse to, by accident.
    db_named: bool = False
    discord_token: Secret | None = None
    discord_api_base_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str = "wss://gateway.discord.gg/"
    discord_guild_id: int | None = None
    telegram_token: Secret | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_file_base_url: str = "https://api.telegram.org/file/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: tuple[str, int] = ("0.0.0.0", 8443)
    telegram_webhook_secret: Secret | None = None
    admins: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    log_level: str = "INFO"
    # Feed rate limits per platform: the platforms' published ones unless MOVIEBOT_FEED_LIMITS
    # (e.g. "telegram:overall=30/1,chat=1/1,group=20/60;discord:overall=50/1") overrides some.
    feed_limits: Mapping[str, RateLimits] = field(default_factory=_default_limits)
    # An open movie-night vote closes by itself this long after it started (MOVIEBOT_MOVIENIGHT_HOURS).
    movienight_hours: float = 24.0

    def is_bot_admin(self, platform: str, user_id: str) -> bool:
        return (platform, str(user_id)) in self.admins


DEFAULTS = Settings()


def _url(env: Mapping[str, str], name: str, default: str, schemes: tuple[str, ...]) -> str:
    value = env.get(name, "").strip() or default
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not parsed.netloc:
        raise ConfigError(f"{name} must be a {' or '.join(schemes)} URL, got {value!r}")
    return value


def _token(env: Mapping[str, str], name: str) -> Secret | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    if any(c.isspace() for c in value) or len(value) < 8:
        raise ConfigError(f"{name} does not look like a bot token (too short or has spaces)")
    return Secret(value)


def _webhook_secret(env: Mapping[str, str]) -> Secret | None:
    """Telegram's `secret_token`: 1-256 of A-Z, a-z, 0-9, _ and - (Bot API setWebhook)."""
    value = env.get("TELEGRAM_WEBHOOK_SECRET", "").strip()
    if not value:
        return None
    if not _WEBHOOK_SECRET_RE.fullmatch(value):
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET may hold only letters, digits, _ and - (1-256 characters)")
    return Secret(value)


def _listen(env: Mapping[str, str]) -> tuple[str, int]:
    raw = env.get("TELEGRAM_WEBHOOK_LISTEN", "").strip()
    if not raw:
        return DEFAULTS.telegram_webhook_listen
    host, sep, port = raw.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"TELEGRAM_WEBHOOK_LISTEN must be host:port, e.g. 0.0.0.0:8443, got {raw!r}")
    return host.strip("[]") or DEFAULTS.telegram_webhook_listen[0], int(port)


def _hours(env: Mapping[str, str]) -> float:
    raw = env.get("MOVIEBOT_MOVIENIGHT_HOURS", "").strip()
    if not raw:
        return DEFAULTS.movienight_hours
    try:
        hours = float(raw)
    except ValueError:
        hours = -1.0
    if not 0 < hours <= 24 * 14:
        raise ConfigError(f"MOVIEBOT_MOVIENIGHT_HOURS must be a number of hours above 0, at most 336, got {raw!r}")
    return hours


def parse_admins(raw: str) -> frozenset[tuple[str, str]]:
    admins = set()
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        platform, sep, user_id = item.partition(":")
        platform = platform.strip().lower()
        user_id = user_id.strip()
        if not sep or platform not in PLATFORMS or not user_id:
            raise ConfigError(f"MOVIEBOT_ADMINS entry {item!r} must be platform:user_id, e.g. telegram:42,discord:1234")
        if platform in NUMERIC_IDS and not (user_id.isascii() and user_id.isdigit()):
            raise ConfigError(f"MOVIEBOT_ADMINS entry {item!r}: a {platform} user id is a number, e.g. {platform}:42")
        admins.add((platform, user_id))
    return frozenset(admins)


def load_settings(env: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
    """Build settings from `env` (default: the process environment plus ./.env).

    Every value is checked here, before anything connects: a bad one raises
    ConfigError naming the variable (the CLI exits 2 with that one line).
    """
    if env is None:
        merged = dict(os.environ)
        if dotenv and Path(".env").is_file():
            from dotenv import dotenv_values

            for key, value in dotenv_values(".env").items():
                if value is not None:
                    merged.setdefault(key, value)
        env = merged

    level = env.get("MOVIEBOT_LOG_LEVEL", "").strip().upper() or DEFAULTS.log_level
    if level not in LOG_LEVELS:
        raise ConfigError(f"MOVIEBOT_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}")

    db = env.get("MOVIEBOT_DB", "").strip()

    guild_raw = env.get("DISCORD_GUILD_ID", "").strip()
    guild_id = None
    if guild_raw:
        if not (guild_raw.isascii() and guild_raw.isdigit()):
            raise ConfigError(f"DISCORD_GUILD_ID must be a numeric server id, got {guild_raw!r}")
        guild_id = int(guild_raw)

    webhook = env.get("TELEGRAM_WEBHOOK_URL", "").strip() or None
    if webhook:
        webhook = _url(env, "TELEGRAM_WEBHOOK_URL", webhook, ("https",))

    feed_spec = env.get("MOVIEBOT_FEED_LIMITS", "").strip()
    feed_limits = MappingProxyType(parse_limits(feed_spec)) if feed_spec else DEFAULTS.feed_limits

    return Settings(
        movienight_hours=_hours(env),
        db_path=Path(db) if db else DEFAULTS.db_path,
        db_named=bool(db),
        discord_token=_token(env, "DISCORD_TOKEN"),
        discord_api_base_url=_url(env, "DISCORD_API_BASE_URL", DEFAULTS.discord_api_base_url, ("http", "https")).rstrip(
            "/"
        ),
        discord_gateway_url=_url(env, "DISCORD_GATEWAY_URL", DEFAULTS.discord_gateway_url, ("ws", "wss")),
        discord_guild_id=guild_id,
        telegram_token=_token(env, "TELEGRAM_TOKEN"),
        telegram_api_base_url=_url(env, "TELEGRAM_API_BASE_URL", DEFAULTS.telegram_api_base_url, ("http", "https")),
        telegram_file_base_url=_url(env, "TELEGRAM_FILE_BASE_URL", DEFAULTS.telegram_file_base_url, ("http", "https")),
        telegram_webhook_url=webhook,
        telegram_webhook_listen=_listen(env),
        telegram_webhook_secret=_webhook_secret(env),
        admins=parse_admins(env.get("MOVIEBOT_ADMINS", "")),
        log_level=level,
        feed_limits=feed_limits,
    )
