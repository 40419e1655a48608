"""No token reaches a log line, whatever logger wrote it and however it was formatted."""

from __future__ import annotations

import logging

import pytest

from bot.logs import setup_logging


def test_tokens_are_redacted_from_every_line(capsys: pytest.CaptureFixture[str]) -> None:
    token = "123456:AAE-secret-token-value"
    setup_logging("DEBUG", [token])
    try:
        logging.getLogger("some.library").info("POST https://api.telegram.org/bot%s/getMe", token)
        try:
            raise ValueError(f"bad url /bot{token}/sendMessage")
        except ValueError:
            logging.getLogger("moviebot").exception("failed")
        logging.getLogger("httpx").info("HTTP Request: %s", token)
    finally:
        logging.getLogger().handlers.clear()
    err = capsys.readouterr().err
    assert token not in err
    assert "/bot***/getMe" in err
    assert "bad url /bot***/sendMessage" in err
    assert "HTTP Request" not in err  # httpx per-request lines are silenced
