"""Shared fixtures: a real SQLite file in a temp dir, the real core, no mocks.

`SHARED` is the team's ../shared folder; tests that read it skip when absent,
as on a user's fresh clone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core import MovieBot
from bot.store import Store
from tests.fakes.chat import TestChat
from tests.fixtures.catalog import catalog_store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_2284b5db8f75bcf2.txt"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = catalog_store(tmp_path / "moviebot.db")
    yield s
    s.close()


@pytest.fixture
def movie_bot(store: Store) -> MovieBot:
    return MovieBot(store, Settings(db_path=store.path or Path(":memory:")))


@pytest.fixture
def chat(movie_bot: MovieBot) -> Iterator[TestChat]:
    """The core in-process, as the console's admin user: `chat.push(...)`, `chat.pop_text()`."""
    c = TestChat(movie_bot)
    yield c
    c.close()


@pytest.fixture
def seed_text() -> str:
    if not SEED.is_file():
        pytest.skip("../shared/seeds is not here (a fresh clone has none)")
    return SEED.read_text(encoding="utf-8")
