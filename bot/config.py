"""Settings from the environment (and a `.env` file), validated once at start-up.

Every variable of CONTRACT.md is read here and nowhere else, so a bad value
stops the bot with one line naming the variable before anything connects.
Tokens are kept in `Secret` so that a stray `repr()` or f-string in a log line
prints `***` instead of the token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from .errors import ConfigError

PLATFORMS = ("discord", "telegram", "console")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING")


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


@dataclass(frozen=True)
class Settings:
    db_path: Path = Path("data/moviebot.db")
    discord_token: Secret | None = None
    discord_api_base_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str = "wss://gateway.discord.gg/"
    discord_guild_id: int | None = None
    telegram_token: Secret | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_file_base_url: str = "https://api.telegram.org/file/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "0.0.0.0:8443"
    telegram_webhook_secret: Secret | None = None
    admins: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    log_level: str = "INFO"
    # Feed rate limits, e.g. "telegram:overall=30/1,chat=1/1,group=20/60;discord:overall=50/1".
    feed_limits: str = ""

    def is_bot_admin(self, platform: str, user_id: str) -> bool:
        return (platform, str(user_id)) in self.admins


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
        admins.add((platform, user_id))
    return frozenset(admins)


def load_settings(env: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
    """Build settings from `env` (default: the process environment plus ./.env)."""
    if env is None:
        merged = dict(os.environ)
        if dotenv and Path(".env").is_file():
            from dotenv import dotenv_values

            for key, value in dotenv_values(".env").items():
                if value is not None:
                    merged.setdefault(key, value)
        env = merged

    level = env.get("MOVIEBOT_LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        raise ConfigError(f"MOVIEBOT_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}")

    db = env.get("MOVIEBOT_DB", "").strip() or "data/moviebot.db"

    guild_raw = env.get("DISCORD_GUILD_ID", "").strip()
    guild_id = None
    if guild_raw:
        if not guild_raw.isdigit():
            raise ConfigError(f"DISCORD_GUILD_ID must be a numeric server id, got {guild_raw!r}")
        guild_id = int(guild_raw)

    webhook = env.get("TELEGRAM_WEBHOOK_URL", "").strip() or None
    if webhook:
        webhook = _url(env, "TELEGRAM_WEBHOOK_URL", webhook, ("https",))

    feed_limits = env.get("MOVIEBOT_FEED_LIMITS", "").strip()
    if feed_limits:
        from .feed import parse_limits

        parse_limits(feed_limits)  # raises ConfigError naming the variable

    return Settings(
        feed_limits=feed_limits,
        db_path=Path(db),
        discord_token=_token(env, "DISCORD_TOKEN"),
        discord_api_base_url=_url(env, "DISCORD_API_BASE_URL", "https://discord.com/api/v10", ("http", "https")).rstrip(
            "/"
        ),
        discord_gateway_url=_url(env, "DISCORD_GATEWAY_URL", "wss://gateway.discord.gg/", ("ws", "wss")),
        discord_guild_id=guild_id,
        telegram_token=_token(env, "TELEGRAM_TOKEN"),
        telegram_api_base_url=_url(env, "TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot", ("http", "https")),
        telegram_file_base_url=_url(
            env, "TELEGRAM_FILE_BASE_URL", "https://api.telegram.org/file/bot", ("http", "https")
        ),
        telegram_webhook_url=webhook,
        telegram_webhook_listen=env.get("TELEGRAM_WEBHOOK_LISTEN", "").strip() or "0.0.0.0:8443",
        telegram_webhook_secret=_token(env, "TELEGRAM_WEBHOOK_SECRET"),
        admins=parse_admins(env.get("MOVIEBOT_ADMINS", "")),
        log_level=level,
    )
