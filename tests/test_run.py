"""`moviebot run` as a real process: a refused token is one line and exit 1; SIGTERM stops it cleanly."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from tests.fakes.telegram_server import FakeTelegram
from tests.fixtures.program import program_env

TOKEN = "7012345678:AAH-real-token-for-run-test-0123456"
WRONG = "7012345678:AAH-wrong-token-for-run-test-999999"


def env_for(tmp_path: Path, fake: FakeTelegram, token: str) -> dict[str, str]:
    env = program_env()
    env.update(
        {
            "MOVIEBOT_DB": str(tmp_path / "m.db"),
            "TELEGRAM_TOKEN": token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_FILE_BASE_URL": fake.file_base_url,
        }
    )
    return env


async def start(tmp_path: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_refused_token_is_one_line_naming_the_platform(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        proc = await start(tmp_path, env_for(tmp_path, fake, WRONG))
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    text = (out + err).decode()
    assert proc.returncode == 1
    assert "Traceback" not in text
    assert WRONG not in text and "wrong-token" not in text
    last = err.decode().strip().splitlines()[-1]
    assert last.startswith("moviebot: Telegram refused the token")


async def test_sigterm_stops_a_running_bot_cleanly(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        proc = await start(tmp_path, env_for(tmp_path, fake, TOKEN))
        try:
            await fake.wait_for_request("getUpdates", timeout=30)
            user = fake.add_user("Ana")
            fake.user_message(fake.private_chat(user), user, "/movie parasite")
            sent = await fake.wait_for_sent(lambda m: "Parasite (2019)" in m.plain, timeout=30)
            assert "Bong Joon" in sent.plain
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert "Traceback" not in err.decode()
    assert TOKEN not in err.decode()
