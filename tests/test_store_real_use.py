"""The store as admins and members really use it (issue 11): ids, backups, which database a command opens."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlite_utils

from bot import migrations
from bot.config import Settings
from bot.core import MovieBot
from bot.dispatch import handle
from bot.errors import StoreError
from bot.replies import Request
from bot.richtext import parse
from bot.store import Store
from tests.fixtures.program import program_env


def _req(command: str, args: str = "", body: str | None = None) -> Request:
    return Request(
        platform="console",
        user_id="admin",
        user_name="Admin",
        command=command,
        args=args,
        body=body,
        chat_id="c1",
        chat_title="club",
        is_admin=True,
    )


def _text(bot: MovieBot, command: str, args: str = "", body: str | None = None) -> str:
    return "\n".join(r.body.plain for r in handle(bot, _req(command, args, body)))


def _cli(tmp: Path, *args: str, db: Path | None, cwd: Path | None = None, **kw: object) -> subprocess.CompletedProcess:
    env = program_env()
    if db is not None:
        env["MOVIEBOT_DB"] = str(db)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd or tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **kw,  # type: ignore[arg-type]
    )


# -- ids are never reused ---------------------------------------------------------------------


def test_deleted_review_number_is_never_handed_out_again(movie_bot: MovieBot) -> None:
    first = _text(movie_bot, "addreview", "Parasite", "A sharp, funny film about class.")
    second = _text(movie_bot, "addreview", "Parasite", "The basement scene is unforgettable.")
    n2 = int(second.split("#")[1].split()[0])
    assert _text(movie_bot, "delreview", f"#{n2}") == f"Removed review #{n2}."
    third = _text(movie_bot, "addreview", "Parasite", "Third opinion: brilliant and tense.")
    n3 = int(third.split("#")[1].split()[0])
    assert first.startswith("Added review #") and n3 > n2
    # The old number stays gone: acting on it again deletes nothing else.
    assert _text(movie_bot, "delreview", f"#{n2}") == f"There is no review #{n2}."
    assert _text(movie_bot, "delreview", "#" + "9" * 25) == "There is no review #" + "9" * 20 + "."
    assert _text(movie_bot, "delreview", str(2**63)) == f"There is no review #{2**63}."
    assert _text(movie_bot, "delreview", "#²").startswith("Usage: /delreview <id>")
    assert movie_bot.store.get_review(n3) is not None


def test_old_database_gets_autoincrement_with_every_row_kept(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(str(path))
    for step in migrations.MIGRATIONS[:2]:
        step(db)
    db.execute("PRAGMA user_version = 2")
    db.execute("INSERT INTO films (id, title, year) VALUES (1, 'Parasite', 2019)")
    for rid, text in ((1, "first"), (2, "second unique words"), (5, "fifth")):
        db.execute(
            "INSERT INTO reviews (id, film_id, author, platform, body, plain) VALUES (?, 1, 'a', 'x', ?, ?)",
            [rid, parse(text).to_json(), text],
        )
    db.execute("INSERT INTO subscriptions (id, platform, chat_id) VALUES (1, 'telegram', '-100')")
    db.execute("INSERT INTO outbox (review_id, subscription_id) VALUES (5, 1)")
    db.close()

    store = Store.open(path)
    try:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(migrations.MIGRATIONS)
        assert [r.id for r in store.reviews_for(1)] == [5, 2, 1]
        assert store.db.execute("SELECT review_id FROM outbox").fetchall() == [(5,)]
        hits = store.db.execute("SELECT rowid FROM reviews_fts WHERE reviews_fts MATCH 'unique'").fetchall()
        assert hits == [(2,)]
        assert store.delete_review(5)
        new = store.add_review(1, author="b", platform="x", body=parse("a new review text"))
        assert new == 6
        # FTS triggers came back with the table: new text is searchable, deleted text is not.
        assert store.db.execute("SELECT rowid FROM reviews_fts WHERE reviews_fts MATCH 'new'").fetchall() == [(6,)]
        assert store.db.execute("SELECT count(*) FROM reviews_fts WHERE reviews_fts MATCH 'fifth'").fetchone()[0] == 0
        assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        store.close()


def test_two_processes_opening_a_new_database_at_once_both_work(tmp_path: Path) -> None:
    path = tmp_path / "race.db"
    code = (
        "import sys; from bot.store import Store; from bot.catalog import load_starter_catalog; "
        "s = Store.open(sys.argv[1]); load_starter_catalog(s); print(s.film_count()); s.close()"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    counts = {o[0].strip() for o in outs}
    assert len(counts) == 1 and int(counts.pop()) > 100


# -- backup is atomic ---------------------------------------------------------------------------


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@contextmanager
def _unwritable(folder: Path) -> Iterator[None]:
    """A folder nobody may create files in, root included (chattr +i), else by mode bits."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)], check=False).returncode:
            pytest.skip("running as root without chattr: cannot make a folder unwritable")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=False)
    else:
        folder.chmod(0o500)
        try:
            yield
        finally:
            folder.chmod(0o700)


def test_backup_into_unwritable_folder_is_one_line_and_leaves_nothing(tmp_path: Path, store: Store) -> None:
    target_dir = tmp_path / "locked"
    target_dir.mkdir()
    with _unwritable(target_dir), pytest.raises(StoreError) as err:
        store.backup(target_dir / "copy.db")
    assert str(target_dir / "copy.db") in str(err.value) and "\n" not in str(err.value)
    assert _leftovers(target_dir) == []


def _limit_file_size() -> None:
    # A "full disk" for this process only: writes past 256 KB fail with EFBIG instead of killing it.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))


def test_backup_to_a_full_disk_exits_1_and_a_retry_then_works(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    assert _cli(tmp_path, "feed", db=db).returncode == 0  # creates the database, catalog and features
    assert db.stat().st_size > 256 * 1024
    out = tmp_path / "out"
    out.mkdir()
    full = _cli(tmp_path, "backup", str(out / "b.db"), db=db, preexec_fn=_limit_file_size)
    assert full.returncode == 1, full.stderr
    assert "Traceback" not in full.stderr
    assert full.stderr.startswith(f"moviebot: cannot write backup {out / 'b.db'}: ")
    assert full.stderr.count("\n") == 1
    assert _leftovers(out) == []
    retry = _cli(tmp_path, "backup", str(out / "b.db"), db=db)
    assert retry.returncode == 0, retry.stderr
    assert f"backed up {db} to {out / 'b.db'}" in retry.stdout
    assert _leftovers(out) == ["b.db"]
    copy = sqlite3.connect(out / "b.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM films").fetchone()[0] > 100
    copy.close()


# -- which database -------------------------------------------------------------------------------


def test_import_from_another_folder_does_not_create_a_database_there(tmp_path: Path) -> None:
    elsewhere = tmp_path / "downloads"
    elsewhere.mkdir()
    reviews = elsewhere / "reviews.jsonl"
    reviews.write_text('{"movie": "Parasite", "text": "Great."}\n')
    res = _cli(tmp_path, "import", str(reviews), db=None, cwd=elsewhere)
    assert res.returncode == 2
    assert res.stderr.startswith(f"moviebot: no database at {elsewhere / 'data' / 'moviebot.db'}; ")
    assert "MOVIEBOT_DB" in res.stderr and res.stderr.count("\n") == 1
    assert _leftovers(elsewhere) == ["reviews.jsonl"]


def test_every_command_names_its_database(tmp_path: Path) -> None:
    db = tmp_path / "named.db"
    reviews = tmp_path / "r.jsonl"
    reviews.write_text('{"movie": "Parasite", "text": "Great."}\n')
    imported = _cli(tmp_path, "import", str(reviews), db=db)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.splitlines()[0] == f"database: {db}"
    assert _cli(tmp_path, "feed", db=db).stdout.splitlines()[0] == f"database: {db}"
    console = _cli(tmp_path, "console", db=db, input="/help\n")
    assert f"database {db}" in console.stderr
    # An explicit MOVIEBOT_DB may still create a new database, for a first import before the bot ever ran.
    fresh = tmp_path / "new" / "first.db"
    assert _cli(tmp_path, "import", str(reviews), db=fresh).returncode == 0
    assert fresh.is_file()


def test_delreview_accepts_the_number_as_shown(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "m.db")
    try:
        from bot.catalog import load_starter_catalog

        load_starter_catalog(store)
        bot = MovieBot(store, Settings(db_path=tmp_path / "m.db"))
        added = _text(bot, "addreview", "Parasite", "Worth it.")
        number = added.split("#")[1].split()[0]
        assert _text(bot, "delreview", f"#{number}") == f"Removed review #{number}."
    finally:
        store.close()


# -- fresh across processes ----------------------------------------------------------------------


def test_films_imported_by_another_process_are_known_without_a_restart(tmp_path: Path) -> None:
    from bot.catalog import load_starter_catalog

    path = tmp_path / "shared.db"
    running = Store.open(path)
    load_starter_catalog(running)
    bot = MovieBot(running, Settings(db_path=path))
    assert _text(bot, "movie", "Harbour Lights Over Mokpo").startswith("No film called")
    films = tmp_path / "films.jsonl"
    films.write_text('{"title": "Harbour Lights Over Mokpo", "year": 2022, "countries": ["KR"]}\n')
    assert _cli(tmp_path, "import", str(films), db=path).returncode == 0
    try:
        assert _text(bot, "movie", "harbour lights over mokpo").startswith("Harbour Lights Over Mokpo (2022)")
    finally:
        running.close()


def test_refresh_costs_one_pragma_when_nothing_changed(movie_bot: MovieBot) -> None:
    seen: list[str] = []
    movie_bot.store.db.conn.set_trace_callback(seen.append)
    try:
        movie_bot.refresh()
    finally:
        movie_bot.store.db.conn.set_trace_callback(None)
    assert seen == ["PRAGMA data_version"]


# -- the same review twice ----------------------------------------------------------------------------


def test_the_same_review_added_twice_is_one_review(movie_bot: MovieBot) -> None:
    text = "Sharp, funny and sad at once.\n\nThe house is the real star."
    first = _text(movie_bot, "addreview", "Parasite", text)
    number = first.split("#")[1].split()[0]
    again = _text(movie_bot, "addreview", "parasite", text)
    assert again == f"That review of Parasite (2019) is already added as #{number}."
    assert movie_bot.store.review_count(movie_bot.resolve("Parasite")[0].id) == 1


# -- buttons with any data --------------------------------------------------------------------------


def test_out_of_range_button_data_reads_as_an_expired_button(movie_bot: MovieBot) -> None:
    from bot.dispatch import BUTTONS, STALE_BUTTON, press

    huge = "9" * 30
    payloads = [
        f"{prefix}:{a}:{b}"
        for prefix in BUTTONS
        for a, b in ((huge, "0"), ("1", huge), (str(2**63), "0"), (f"-{huge}", "0"), ("1", str(-(2**64))), ("²", "0"))
    ]
    for action in payloads:
        replies = press(movie_bot, _req("button"), action)
        text = " ".join(r.body.plain for r in replies)
        assert "incident" not in text, action
        assert len(replies) == 1 and replies[0].error, action
    assert press(movie_bot, _req("button"), f"rev:{huge}:0")[0].body.plain == STALE_BUTTON
