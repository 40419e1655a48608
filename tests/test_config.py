"""Configuration: every variable checked before anything connects, typed, defaults in one place.

A bad value is one line on stderr naming the variable, exit status 2, and a
token never appears in it. These call the command line's `main` in-process (no
subprocess per value); tests/test_cli.py runs the real program for the rest.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot.config import DEFAULTS, Settings, load_settings
from bot.errors import ConfigError
from bot.ratelimits import DEFAULT_LIMITS, RateLimits, Window
from moviebot.cli import main

TOKEN = "7012345678:AAH-config-test-token-0123456789"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A clean environment (nothing from the developer's shell or .env) and a temp database."""
    import os

    for key in list(os.environ):
        if key.startswith(("DISCORD_", "TELEGRAM_", "MOVIEBOT_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MOVIEBOT_DB", str(tmp_path / "m.db"))
    return monkeypatch


def _closed_url() -> str:
    """A URL nothing listens on: a start-up that got as far as connecting would fail there (exit 1)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/bot"


BAD_VALUES = [
    ("MOVIEBOT_LOG_LEVEL", "LOUD"),
    ("MOVIEBOT_ADMINS", "telegram"),
    ("MOVIEBOT_ADMINS", "myspace:1"),
    ("MOVIEBOT_ADMINS", "telegram:abc"),
    ("MOVIEBOT_ADMINS", "discord:12x4"),
    ("MOVIEBOT_ADMINS", "telegram:42,discord:"),
    ("DISCORD_API_BASE_URL", "ftp://x"),
    ("DISCORD_GATEWAY_URL", "https://gateway.example"),
    ("TELEGRAM_API_BASE_URL", "not a url"),
    ("TELEGRAM_FILE_BASE_URL", "file:///tmp"),
    ("TELEGRAM_WEBHOOK_URL", "http://insecure.example/hook"),
    ("TELEGRAM_WEBHOOK_LISTEN", "nonsense"),
    ("TELEGRAM_WEBHOOK_LISTEN", "0.0.0.0:99999"),
    ("TELEGRAM_WEBHOOK_SECRET", "not allowed: spaces & symbols!"),
    ("DISCORD_GUILD_ID", "abc"),
    ("TELEGRAM_TOKEN", "has space in it"),
    ("DISCORD_TOKEN", "short"),
    ("MOVIEBOT_FEED_LIMITS", "telegram:speed=fast"),
    ("MOVIEBOT_FEED_LIMITS", "overall=1/1"),
    ("MOVIEBOT_MOVIENIGHT_HOURS", "a day"),
    ("MOVIEBOT_MOVIENIGHT_HOURS", "0"),
    ("MOVIEBOT_MOVIENIGHT_HOURS", "nan"),
    ("MOVIEBOT_MOVIENIGHT_HOURS", "1000"),
]


@pytest.mark.parametrize(("var", "value"), BAD_VALUES)
def test_bad_configuration_exits_2_naming_the_variable(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], var: str, value: str
) -> None:
    env.setenv(var, value)
    assert main(["console"]) == 2
    out = capsys.readouterr()
    assert var in out.err
    assert out.err.count("\n") == 1 and out.err.startswith("moviebot: ")
    assert "Traceback" not in out.err and out.out == ""


@pytest.mark.parametrize(
    ("var", "value", "message"),
    [
        ("TELEGRAM_WEBHOOK_SECRET", "not allowed: spaces & symbols!", "TELEGRAM_WEBHOOK_SECRET may hold"),
        ("TELEGRAM_WEBHOOK_SECRET", "x" * 257, "TELEGRAM_WEBHOOK_SECRET may hold"),
        ("TELEGRAM_WEBHOOK_LISTEN", "nonsense", "TELEGRAM_WEBHOOK_LISTEN must be host:port"),
    ],
)
def test_bad_webhook_settings_stop_run_before_telegram_is_asked(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], var: str, value: str, message: str
) -> None:
    env.setenv("TELEGRAM_TOKEN", TOKEN)
    env.setenv("TELEGRAM_API_BASE_URL", _closed_url())
    env.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.test/hook")
    env.setenv(var, value)
    assert main(["run"]) == 2  # a start-up that reached getMe would have said "unreachable", exit 1
    err = capsys.readouterr().err
    assert message in err and "unreachable" not in err
    assert err.count("\n") == 1


def test_a_short_webhook_secret_is_fine(env: pytest.MonkeyPatch) -> None:
    """Telegram takes 1-256 characters; only tokens must look like tokens."""
    s = load_settings({"TELEGRAM_WEBHOOK_SECRET": "abc"})
    assert s.telegram_webhook_secret is not None and s.telegram_webhook_secret.value == "abc"


@pytest.mark.parametrize("var", ["TELEGRAM_TOKEN", "DISCORD_TOKEN", "TELEGRAM_WEBHOOK_SECRET"])
def test_a_secret_is_never_echoed(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], var: str) -> None:
    env.setenv(var, "123456:Hush Hush&!")
    assert main(["console"]) == 2
    out = capsys.readouterr()
    assert var in out.err and "Hush" not in out.err + out.out
    assert "Hush" not in repr(load_settings({var: "Hush_Hush_ok_123"}))


def test_defaults_are_the_dataclass_defaults() -> None:
    assert load_settings({}) == Settings() == DEFAULTS
    assert DEFAULTS.db_path == Path("data/moviebot.db")
    assert DEFAULTS.telegram_webhook_listen == ("0.0.0.0", 8443)
    assert dict(DEFAULTS.feed_limits) == DEFAULT_LIMITS


def test_values_are_typed() -> None:
    s = load_settings(
        {
            "DISCORD_GUILD_ID": "1234",
            "TELEGRAM_WEBHOOK_LISTEN": "[::1]:8080",
            "MOVIEBOT_ADMINS": "telegram:42, discord:1234 ,console:me",
            "MOVIEBOT_FEED_LIMITS": "telegram:chat=1/2,inflight=8",
            "MOVIEBOT_LOG_LEVEL": "debug",
            "DISCORD_API_BASE_URL": "http://127.0.0.1:9/api/",
            "MOVIEBOT_MOVIENIGHT_HOURS": "2.5",
        }
    )
    assert s.movienight_hours == 2.5
    assert s.discord_guild_id == 1234
    assert s.telegram_webhook_listen == ("::1", 8080)
    assert s.admins == {("telegram", "42"), ("discord", "1234"), ("console", "me")}
    assert s.is_bot_admin("telegram", "42") and not s.is_bot_admin("telegram", "43")
    tg = s.feed_limits["telegram"]
    assert isinstance(tg, RateLimits) and tg.per_chat == (Window(1, 2.0),) and tg.max_in_flight == 8
    assert tg.overall == DEFAULT_LIMITS["telegram"].overall  # only the named parts change
    assert s.feed_limits["discord"] == DEFAULT_LIMITS["discord"]
    assert s.log_level == "DEBUG"
    assert s.discord_api_base_url == "http://127.0.0.1:9/api"
    assert load_settings({"TELEGRAM_WEBHOOK_LISTEN": ":9000"}).telegram_webhook_listen == ("0.0.0.0", 9000)


def test_admin_ids_are_numbers_where_the_platform_says_so() -> None:
    for bad in ("telegram:abc", "discord:@ann", "telegram:-5", "telegram:４２"):
        with pytest.raises(ConfigError, match="MOVIEBOT_ADMINS"):
            load_settings({"MOVIEBOT_ADMINS": bad})


def test_dotenv_is_read_but_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("MOVIEBOT_LOG_LEVEL=WARNING\nMOVIEBOT_ADMINS=telegram:42\n")
    monkeypatch.delenv("MOVIEBOT_ADMINS", raising=False)
    monkeypatch.setenv("MOVIEBOT_LOG_LEVEL", "DEBUG")
    s = load_settings()
    assert s.log_level == "DEBUG"
    assert s.is_bot_admin("telegram", "42")
    with pytest.raises(ConfigError):
        load_settings({"MOVIEBOT_ADMINS": "discord:"})


def test_whether_the_database_was_named_is_part_of_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not load_settings({}).db_named
    assert load_settings({"MOVIEBOT_DB": "data/moviebot.db"}).db_named  # named, even if it is the default path
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MOVIEBOT_DB", raising=False)
    (tmp_path / ".env").write_text("MOVIEBOT_DB=elsewhere.db\n")
    s = load_settings()
    assert s.db_named and s.db_path == Path("elsewhere.db")
