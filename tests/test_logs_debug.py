"""At DEBUG, discord.py logs the URLs it calls; interaction tokens (valid 15 minutes) must not reach the log."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import setup_logging
from tests.fixtures.discord.harness import TOKEN, catalog_store, running_bot

REVIEW = "\n\n".join(
    f"Part {i}. The father and his daughter write letters from the prison, and the guards slowly "
    f"come to love them both; the courtroom scenes are long and the ending broke me. " * 3
    for i in range(10)
)


@pytest.fixture
def debug_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """`setup_logging("DEBUG")` as `moviebot run` does it, writing into a buffer instead of stderr."""
    buf = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buf)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    setup_logging("DEBUG", [TOKEN])
    try:
        yield buf
    finally:
        for h in list(root.handlers):
            root.removeHandler(h)
        for h in handlers:
            root.addHandler(h)
        root.setLevel(level)


async def test_no_interaction_or_bot_token_in_a_debug_log(tmp_path: Path, debug_log: io.StringIO) -> None:
    assert 2000 < len(REVIEW) < 6000
    store = catalog_store(tmp_path / "m.db")
    try:
        async with running_bot(store) as env:
            help_rec, _ = await env.slash(env.fake.member, "help")
            title = "Miracle in Cell No. 7 (2013)"
            add_rec, _ = await env.slash(env.fake.admin, "addreview", {"title": title, "text": REVIEW})
            # The full review is longer than one Discord message: follow-ups go through the webhook.
            spoil_rec, msgs = await env.slash(env.fake.member, "spoiler", {"title": title})
            assert len(msgs) > 1
    finally:
        store.close()
    log = debug_log.getvalue()
    assert "/webhooks/" in log and "/interactions/" in log  # discord.py did log those calls at DEBUG
    for rec in (help_rec, add_rec, spoil_rec):
        assert rec.token not in log
    assert TOKEN not in log
