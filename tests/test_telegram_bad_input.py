"""Bad input from users, end to end through the real Telegram adapter: each gets one clear
line, every message is accepted by the strict fake (valid HTML, within limits), and nothing
is written. One bot serves the whole module, as one bot serves many users."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.fixtures.telegram.harness import (
    ROOT_ID,
    TOKEN,
    FakeTelegram,
    TelegramHarness,
    one_line,
    written,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def tg(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[TelegramHarness]:
    async with FakeTelegram(token=TOKEN) as fake:
        h = TelegramHarness(fake, tmp_path_factory.mktemp("tg") / "moviebot.db")
        await h.start()
        try:
            yield h
        finally:
            await h.stop()


BIG_TEXT = "This film is long and so is this review. " * 2500  # ~100 KB

BAD_TEXT = [
    ("/movie", "Which film?"),
    ("/review", "Which film?"),
    ("/review Zzyzx Qqqq Wwwwww", "No film called"),
    ("/rate Parasite 11", "A rating is a whole number from 1 to 10"),
    ("/rate Parasite abc", "A rating is a whole number from 1 to 10"),
    ("/rate", "Usage: /rate"),
    ("/addreview", "Usage: /addreview"),
    ("/addreview Parasite", "The review is empty"),
    ("/addreview Zzyzx Qqqq Wwwwww\nGreat.", "No film called"),
    ("/addreview Parasite\n" + BIG_TEXT, "the limit is 50,000"),
    ('/review " * NEAR( AND OR', "No film called"),
    ('/movie Zzyzx" OR "1"="1', "No film called"),
    ("/review <b>Zzyzx</b> </tg-spoiler>", "No film called"),
    ("/review Zzyzx\x00\x07\u200b\u202e", "No film called"),
    ("/delreview abc", "Usage: /delreview"),
    ("/delreview 999", "There is no review #999"),
]


@pytest.mark.parametrize(("text", "expected"), BAD_TEXT, ids=[t[:24] for t, _ in BAD_TEXT])
async def test_bad_text_input_gets_one_clear_line(tg: TelegramHarness, text: str, expected: str) -> None:
    root = tg.fake.add_user("Root", user_id=ROOT_ID)
    line = one_line(await tg.say(tg.fake.private_chat(root), root, text))
    assert expected in line
    if "<b>" in text:
        assert "<b>Zzyzx</b>" in line  # echoed literally, escaped for HTML
    assert not tg.fake.rejected
    assert written(tg) == (0, 0, 0)


BAD_FILES = [
    (b"\x00\x01\x02binary\x00data\xff" * 50, "review.txt", "not"),
    ("Un café très fort et une critique".encode("latin-1"), "review.txt", "not UTF-8 text"),
    (b"%PDF-1.7 fake", "review.pdf", "Attach the review as a .txt or .md file"),
    (b"", "empty.md", "The review is empty"),
]


@pytest.mark.parametrize(("data", "name", "expected"), BAD_FILES, ids=["binary", "latin1", "pdf", "empty"])
async def test_bad_documents_get_one_clear_line(tg: TelegramHarness, data: bytes, name: str, expected: str) -> None:
    root = tg.fake.add_user("Root", user_id=ROOT_ID)
    doc = tg.fake.add_file(data, name)
    line = one_line(await tg.say(tg.fake.private_chat(root), root, document=doc, caption="/addreview Parasite"))
    assert expected in line
    assert not tg.fake.rejected
    assert written(tg) == (0, 0, 0)


async def test_oversized_document_refused_without_downloading(tg: TelegramHarness) -> None:
    root = tg.fake.add_user("Root", user_id=ROOT_ID)
    doc = tg.fake.add_file(b"tiny", "huge.txt", file_size=300 * 1024)
    line = one_line(await tg.say(tg.fake.private_chat(root), root, document=doc, caption="/addreview Parasite"))
    assert line == "That file is 300 KB; the limit is 256 KB."
    assert all(r.params["file_id"] != doc["file_id"] for r in tg.fake.requests_for("getFile"))
    assert written(tg) == (0, 0, 0)
