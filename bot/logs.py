"""Logging: one line per event on stderr, and no token ever reaches it.

Tokens travel inside URLs (Telegram puts the token in every request path) and
libraries log URLs, so redaction happens at the handler, on the final
formatted line, whatever logger produced it. httpx's per-request INFO lines
are silenced as well: they are noise even when redacted.

Not every secret is known in advance: each Discord interaction carries its own
token (valid 15 minutes, enough to answer as the bot), and discord.py's webhook
logger writes the follow-up URL that contains it at DEBUG. So besides the
configured tokens, anything shaped like one is redacted too: the token part of
`/webhooks/<id>/<token>` and `/interactions/<id>/<token>` URLs, a `"token": …`
field, and a Telegram bot token (`<digits>:<35 characters>`).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

_TOKEN_SHAPES = (
    (re.compile(r"(/(?:webhooks|interactions)/\d+/)[A-Za-z0-9_.\-]+"), r"\1***"),
    (re.compile(r"""(["']token["']\s*:\s*["'])[^"']+"""), r"\1***"),
    (re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}"), "***"),
)


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str], fmt: str) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for shape, replacement in _TOKEN_SHAPES:
            line = shape.sub(replacement, line)
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
