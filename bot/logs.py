"""Logging: one line per event on stderr, and no token ever reaches it.

Tokens travel inside URLs (Telegram puts the token in every request path) and
libraries log URLs, so redaction happens at the handler, on the final
formatted line, whatever logger produced it. httpx's per-request INFO lines
are silenced as well: they are noise even when redacted.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str], fmt: str) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for s in self.secrets:
            line = line.replace(s, "***")
        return line.replace("\n", "\n    ")


def setup_logging(level: str, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(secrets, "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "discord.gateway", "discord.http", "telegram.ext.Updater"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
