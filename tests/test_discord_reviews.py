"""A long review on Discord: added as an attachment, read back with /review and /spoiler.

The review (tests/fixtures/discord/long_review.md, ~12,000 characters, the whole
plot with its ending, non-BMP emoji) needs several 2000-character messages. We
check what a reader sees: every part accepted by the strict fake, the whole body
in order across the messages, the ending only ever inside `||…||` (/spoiler) or
absent (/review), and the emoji intact. The team's seed review gets the same
treatment when ../shared is present.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.store import Store
from tests.checks.discord_markdown import mentions, parse_spoilers, spoiler_text, visible_text
from tests.fakes.discord_server import SentMessage
from tests.fixtures.discord.harness import Env, catalog_store, long_review, running_bot

pytestmark = pytest.mark.asyncio(loop_scope="module")

MIRACLE = "Miracle in Cell No. 7 (2013)"
ENDING = [
    "repeats the false confession instead",
    "He is executed, and Ye-seung is left outside the door",
    "The court clears Lee Yong-gu's name",
    "finally comes loose and drifts up into the sky",
]
EMOJI = ["🎬", "😭", "🍿"]


@pytest.fixture(scope="module")
def module_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    s = catalog_store(Path(tmp_path_factory.mktemp("discord-reviews")) / "moviebot.db")
    yield s
    s.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def env(module_store: Store) -> AsyncIterator[Env]:
    async with running_bot(module_store) as e:
        yield e
        e.assert_healthy()


_MARKUP = str.maketrans("", "", "#*_`|~>")


def normal(text: str) -> str:
    return " ".join(text.split())


def loose(text: str) -> str:
    """Text without markdown punctuation: the writer may render `# Title` as a heading, `*x*` as italics."""
    return normal(text.translate(_MARKUP))


def reading(msgs: list[SentMessage]) -> str:
    """Everything a reader can get at (spoilers revealed), in message order, whitespace-normalised."""
    return loose(" ".join("".join(seg for seg, _ in parse_spoilers(m.content)) for m in msgs))


def paragraphs(text: str) -> list[str]:
    return [loose(p) for p in re.split(r"\n\s*\n", text) if p.strip()]


def assert_in_order(needles: list[str], haystack: str) -> None:
    pos = 0
    for needle in needles:
        found = haystack.find(needle, pos)
        assert found >= 0, f"missing or out of order: {needle[:80]!r}"
        pos = found + len(needle)


async def add_as_file(env: Env, text: str, filename: str, title: str, **options: object) -> str:
    att = env.fake.add_attachment(text.encode("utf-8"), filename, "text/markdown")
    _, msgs = await env.slash(env.fake.admin, "addreview", {"title": title, "file": att, **options})
    assert len(msgs) == 1 and not msgs[0].ephemeral, [m.content for m in msgs]
    return visible_text(msgs[0].content)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def long_added(env: Env) -> str:
    confirmation = await add_as_file(env, long_review(), "miracle.md", MIRACLE)
    assert "Added review #" in confirmation
    return confirmation


async def test_spoiler_shows_the_whole_review_in_order_with_the_ending_hidden(env: Env, long_added: str) -> None:
    mark = env.mark()
    _, msgs = await env.slash(env.fake.member, "spoiler", {"title": MIRACLE})
    env.assert_healthy(since=mark)  # every part within Discord's limits: the strict fake accepted them all
    assert len(msgs) >= 6 and all(len(m.content) <= 2000 for m in msgs)
    assert msgs[0].route == "edit-original" and all(m.route == "followup" for m in msgs[1:])
    assert not any(m.ephemeral for m in msgs)

    body = paragraphs(long_review())
    assert_in_order(body, reading(msgs))

    shown = normal(" ".join(visible_text(m.content) for m in msgs))
    hidden = normal(" ".join(spoiler_text(m.content) for m in msgs))
    for sentence in ENDING:
        assert sentence in hidden
        assert sentence not in shown
    whole = reading(msgs)
    for emoji in EMOJI:
        assert whole.count(emoji) == long_review().count(emoji)
    assert all(mentions(m.content) == [] for m in msgs)


async def test_review_leaves_the_ending_out_and_keeps_the_rest_in_order(env: Env, long_added: str) -> None:
    mark = env.mark()
    _, msgs = await env.slash(env.fake.member, "review", {"title": MIRACLE})
    env.assert_healthy(since=mark)
    assert len(msgs) >= 4 and not any(m.ephemeral for m in msgs)
    whole = reading(msgs)
    for sentence in ENDING:
        assert sentence not in whole
    assert not any(spoiler for m in msgs for _, spoiler in parse_spoilers(m.content))
    # "Spoilers ahead" marks everything after it; what comes before is all there, in order.
    body = paragraphs(long_review())
    before = body[: next(i for i, p in enumerate(body) if p.startswith("Spoilers ahead"))]
    assert len(before) >= 8
    assert_in_order(before, whole)
    assert "🎬" in whole
    assert "/spoiler" in whole  # says how to see the rest
    buttons = [c["label"] for m in msgs for row in m.components for c in row["components"]]
    assert "Show spoilers" in buttons


async def test_show_spoilers_button_on_the_long_review_is_private(env: Env, long_added: str) -> None:
    _, msgs = await env.slash(env.fake.member, "review", {"title": MIRACLE})
    last = msgs[-1]
    custom_id = next(
        c["custom_id"] for row in last.components for c in row["components"] if c["label"] == "Show spoilers"
    )
    mark = env.mark()
    _, shown = await env.press(env.fake.member, last, custom_id)
    env.assert_healthy(since=mark)
    assert len(shown) >= 6 and all(m.ephemeral for m in shown)
    assert_in_order(paragraphs(long_review()), reading(shown))


async def test_the_seed_review_round_trips(env: Env, seed_text: str) -> None:
    confirmation = await add_as_file(env, seed_text, "seed.txt", "Miracle in Cell No. 7 (2019)")
    assert "Added review #" in confirmation
    mark = env.mark()
    _, msgs = await env.slash(env.fake.member, "spoiler", {"title": "Miracle in Cell No. 7 (2019)"})
    env.assert_healthy(since=mark)
    assert len(msgs) >= 6
    # The core keeps the review body of a pasted blog post (title line, bio and comments go):
    # all of what it kept is shown, in order.
    film_id = env.bot.store.find_film_id("Miracle in Cell No. 7", 2019)
    (stored,) = env.bot.store.reviews_for(film_id or 0)
    kept = [loose("".join(span.text for span in block.spans)) for block in stored.body.blocks]
    assert sum(len(k) for k in kept) > 0.8 * len(loose(seed_text))
    assert_in_order([k for k in kept if k], reading(msgs))
    _, safe = await env.slash(env.fake.member, "review", {"title": "Miracle in Cell No. 7 (2019)"})
    assert not any(spoiler for m in safe for _, spoiler in parse_spoilers(m.content))
