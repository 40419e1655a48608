"""The labelled spoiler corpus (tests/fixtures/spoilers/corpus.txt) through every way a review comes in.

Each review goes in by one path, then `/review` is asked as a member would, and what it
shows is read back the way each platform shows it: the console's text, Discord's
markdown (through the strict checker in tests/checks) and Telegram's HTML (through the
server-side parser in tests/checks). A phrase the corpus says must be hidden that shows
on any of them is a leak; a phrase that must stay visible and is missing on any of
them is over-hiding. The test fails on one leak, or on more than 5% over-hiding.

``python -m tests.test_spoiler_corpus`` prints the numbers per path (BENCHMARKS.md).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from telegram import Chat, Message, MessageEntity

from adapters.console import render as console_render
from adapters.telegram.handlers import parse_command, spoiler_marks
from bot import dispatch
from bot.catalog import load_starter_catalog
from bot.config import Settings
from bot.core import MovieBot
from bot.importers.files import import_file
from bot.replies import Attachment, Reply, Request
from bot.richtext import split_discord, split_telegram
from bot.store import Store
from tests.checks import discord_markdown as dm
from tests.test_richtext_properties import _telegram_mask

CORPUS = Path(__file__).parent / "fixtures" / "spoilers" / "corpus.txt"
HOLDOUT = CORPUS.with_name("holdout.txt")  # written after tuning; measured, not gated
# Chat and Letterboxd phrasing (issue 10b), both gated: holdout2 written before the detector's
# second round, holdout3 after it (its first measurement is the honest generalisation number).
HOLDOUT2 = CORPUS.with_name("holdout2.txt")
HOLDOUT3 = CORPUS.with_name("holdout3.txt")
ENTITY = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
MAX_OVER_HIDING = 0.05


@dataclass(frozen=True)
class Entry:
    id: str
    film: str  # "Title (year)"
    text: str  # as written; {{…}} = a Telegram spoiler entity
    hide: tuple[str, ...]
    show: tuple[str, ...]

    @property
    def title(self) -> str:
        return self.film.rsplit(" (", 1)[0]

    @property
    def year(self) -> int:
        return int(self.film.rsplit("(", 1)[1].rstrip(")"))

    def typed(self) -> str:
        """The text as typed where there are no entities: the same member uses ||…||."""
        return ENTITY.sub(r"||\1||", self.text)


def load_corpus(path: Path = CORPUS) -> list[Entry]:
    entries: list[Entry] = []
    for chunk in path.read_text(encoding="utf-8").split("\n## ")[1:]:
        head, _, rest = chunk.partition("\n")
        ident, _, film = head.partition(" | ")
        body, hide, show = [], "", ""
        for line in rest.split("\n"):
            if line.startswith("-- hide:"):
                hide = line[len("-- hide:") :]
            elif line.startswith("-- show:"):
                show = line[len("-- show:") :]
            elif not hide and not show:
                body.append(line)

        def phrases(s: str) -> tuple[str, ...]:
            return tuple(p.strip() for p in s.split(";;") if p.strip())

        entries.append(Entry(ident.strip(), film.strip(), "\n".join(body).strip(), phrases(hide), phrases(show)))
    return entries


# --- the ways in ---------------------------------------------------------------------------------

ADMIN = {"user_id": "1", "user_name": "Admin", "is_admin": True}


def _addreview(bot: MovieBot, platform: str, **kw: object) -> list[Reply]:
    return dispatch.handle(bot, Request(platform=platform, command="addreview", **ADMIN, **kw))  # type: ignore[arg-type]


def via_chat(bot: MovieBot, e: Entry, tmp: Path) -> list[Reply]:
    """Discord's text option, or the console's lines after /addreview: the text as typed."""
    return _addreview(bot, "discord", args=e.film, body=e.typed())


def via_telegram(bot: MovieBot, e: Entry, tmp: Path) -> list[Reply]:
    """A Telegram message: the command line, then the review, spoilers as entities (UTF-16)."""
    text, entities = f"/addreview {e.film}\n", []
    pos = 0
    for m in ENTITY.finditer(e.text):
        text += e.text[pos : m.start()]
        offset = len(text.encode("utf-16-le")) // 2
        text += m.group(1)
        entities.append(MessageEntity(MessageEntity.SPOILER, offset, len(m.group(1).encode("utf-16-le")) // 2))
        pos = m.end()
    text += e.text[pos:]
    msg = Message(1, datetime.now(UTC), Chat(-100, Chat.SUPERGROUP), text=text, entities=tuple(entities))
    parsed = parse_command(msg.text, "moviebot")
    assert parsed is not None
    marks = spoiler_marks(msg, skip_first_line=True)
    return _addreview(bot, "telegram", args=parsed.args, body=parsed.body, marks=marks)


def via_file(bot: MovieBot, e: Entry, tmp: Path) -> list[Reply]:
    return _addreview(bot, "discord", args=e.film, attachments=(Attachment("review.md", e.typed().encode()),))


def via_jsonl(bot: MovieBot, e: Entry, tmp: Path) -> list[Reply]:
    path = tmp / "reviews.jsonl"
    line = {"movie": e.title, "year": e.year, "author": "Corpus", "text": e.typed()}
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    report = import_file(bot, path, "reviews")
    assert not report.failed, report.lines()
    return []


def via_letterboxd(bot: MovieBot, e: Entry, tmp: Path) -> list[Reply]:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Review", "Tags", "Watched Date"])
    w.writerow(["2024-01-02", e.title, e.year, f"https://boxd.it/{e.id}", "4", "", e.typed(), "", "2024-01-01"])
    path = tmp / "reviews.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    report = import_file(bot, path, "letterboxd")
    assert not report.failed, report.lines()
    return []


def _post(e: Entry) -> str:
    return f"# Review: {e.film}\n\n{e.typed()}\n\nThanks for reading!\nJane Doe"


def via_post_import(bot: MovieBot, e: Entry, tmp: Path) -> list[Reply]:
    path = tmp / "post.md"
    path.write_text(_post(e), encoding="utf-8")
    report = import_file(bot, path, "post")
    assert not report.failed, report.lines()
    return []


def via_pasted_post(bot: MovieBot, e: Entry, tmp: Path) -> list[Reply]:
    return _addreview(bot, "telegram", args="", body=_post(e))


PATHS: dict[str, Callable[[MovieBot, Entry, Path], list[Reply]]] = {
    "chat (Discord text, console)": via_chat,
    "Telegram message with spoiler entities": via_telegram,
    "attached .md file": via_file,
    "JSON Lines import": via_jsonl,
    "Letterboxd reviews.csv": via_letterboxd,
    "blog post import": via_post_import,
    "/addreview of a pasted post": via_pasted_post,
}


# --- what a member sees ----------------------------------------------------------------------------


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def seen(replies: list[Reply]) -> dict[str, str]:
    """The visible text of `replies` on each platform."""
    console = "\n".join(console_render(r) for r in replies)
    discord = " ".join(dm.visible_text(c) for r in replies for c in split_discord(r.body))
    telegram = []
    for r in replies:
        for chunk in split_telegram(r.body):
            plain, mask = _telegram_mask(chunk)
            telegram.append("".join(c for c, hidden in zip(plain, mask, strict=True) if not hidden))
    return {"console": _squash(console), "discord": _squash(discord), "telegram": _squash(" ".join(telegram))}


@dataclass
class Tally:
    hidden: int = 0
    leaks: list[str] = field(default_factory=list)
    visible: int = 0
    over: list[str] = field(default_factory=list)


def run_path(bot: MovieBot, name: str, entries: list[Entry], tmp: Path) -> Tally:
    add = PATHS[name]
    tally = Tally()
    for e in entries:
        film = bot.resolve(e.film)[0]
        answer = add(bot, e, tmp)
        assert not any(r.error for r in answer), (e.id, [r.body.plain for r in answer])
        views = seen(dispatch.handle(bot, Request(platform="discord", user_id="2", command="review", args=e.film)))
        for phrase in e.hide:
            tally.hidden += 1
            where = [p for p, text in views.items() if _squash(phrase) in text]
            if where:
                tally.leaks.append(f"{e.id}: {phrase!r} shows on {', '.join(where)}")
        for phrase in e.show:
            tally.visible += 1
            where = [p for p, text in views.items() if _squash(phrase) not in text]
            if where:
                tally.over.append(f"{e.id}: {phrase!r} hidden on {', '.join(where)}")
        for r in bot.store.reviews_for(film.id, limit=50, offset=0):
            bot.store.delete_review(r.id)
    return tally


def measure(db_dir: Path, corpus: Path = CORPUS) -> Iterator[tuple[str, Tally]]:
    entries = load_corpus(corpus)
    for name in PATHS:
        store = Store.open(db_dir / f"{len(name)}-{abs(hash(name))}.db")
        try:
            load_starter_catalog(store)
            bot = MovieBot(store, Settings(db_path=store.path or Path(":memory:")))
            yield name, run_path(bot, name, entries, db_dir)
        finally:
            store.close()


# --- the test ------------------------------------------------------------------------------------------


def test_the_corpus_is_big_and_covers_every_dialect() -> None:
    entries = load_corpus()
    assert len(entries) >= 150
    assert len({e.id for e in entries}) == len(entries)
    text = "\n".join(e.text for e in entries)
    for marker in (
        "||",
        "<tg-spoiler>",
        'class="tg-spoiler"',
        "class='tg-spoiler'",
        "{{",
        ">!",
        "[spoiler]",
        "[spoiler=",
    ):
        assert marker in text, marker
    assert sum(1 for e in entries if not e.hide) >= 40  # look-alikes with nothing to hide
    assert all(e.hide or e.show for e in entries)


@pytest.mark.parametrize("path", list(PATHS))
def test_no_leak_and_little_over_hiding(path: str, tmp_path: Path, movie_bot: MovieBot) -> None:
    tally = run_path(movie_bot, path, load_corpus(), tmp_path)
    assert not tally.leaks, "\n".join(tally.leaks)
    assert len(tally.over) <= MAX_OVER_HIDING * tally.visible, "\n".join(tally.over)


def test_the_chat_holdouts_are_chat_shaped_and_big_enough() -> None:
    entries = load_corpus(HOLDOUT2)
    assert sum(1 for e in entries if e.hide) >= 40
    assert sum(1 for e in entries if not e.hide) >= 15  # look-alikes that must stay visible
    assert len({e.film for e in entries}) >= 30
    assert len(load_corpus(HOLDOUT3)) >= 30


@pytest.mark.parametrize("corpus", [HOLDOUT2, HOLDOUT3], ids=["holdout2", "holdout3"])
@pytest.mark.parametrize("path", ["chat (Discord text, console)", "Letterboxd reviews.csv", "JSON Lines import"])
def test_chat_holdouts_no_leak_and_little_over_hiding(
    path: str, corpus: Path, tmp_path: Path, movie_bot: MovieBot
) -> None:
    """Gated once the detector learnt from them: holdout2 leaked 34 of 56 phrases before the
    second round, holdout3 (written after it) 7 of 21 at first sight; both 0 now (BENCHMARKS.md).
    Three paths: their readers differ (Letterboxd reads HTML, JSON Lines batches its films)."""
    tally = run_path(movie_bot, path, load_corpus(corpus), tmp_path)
    assert not tally.leaks, "\n".join(tally.leaks)
    assert len(tally.over) <= MAX_OVER_HIDING * tally.visible, "\n".join(tally.over)


def main(argv: list[str]) -> int:
    named = {"--holdout": HOLDOUT, "--holdout2": HOLDOUT2, "--holdout3": HOLDOUT3}
    corpus = next((named[a] for a in argv if a in named), CORPUS)
    with tempfile.TemporaryDirectory() as tmp:
        rows = list(measure(Path(tmp), corpus))
    print("| input path | hidden phrases | leaked | must-stay-visible phrases | hidden (over-hiding) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, t in rows:
        pct = 100 * len(t.over) / t.visible if t.visible else 0.0
        print(f"| {name} | {t.hidden} | {len(t.leaks)} | {t.visible} | {len(t.over)} ({pct:.1f}%) |")
    for name, t in rows:
        for line in t.leaks + t.over:
            print(f"{name}: {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
