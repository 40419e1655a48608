"""The store on a real SQLite file: pragmas, migrations, atomic writes, FTS in step."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from bot import migrations
from bot.errors import StoreError
from bot.richtext import text_document
from bot.store import Store


def test_new_database_is_wal_with_foreign_keys_and_current_schema(tmp_path: Path) -> None:
    s = Store.open(tmp_path / "db" / "m.db")
    assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert s.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert s.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert s.db.execute("PRAGMA user_version").fetchone()[0] == len(migrations.MIGRATIONS)
    s.close()


def test_old_schema_migrates_with_data_kept(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    with db.atomic():
        migrations.MIGRATIONS[0](db)
        db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO films (title, year) VALUES ('Old Film', 1999)")
    conn.commit()
    conn.close()

    s = Store.open(path)
    assert s.db.execute("PRAGMA user_version").fetchone()[0] == len(migrations.MIGRATIONS)
    assert s.find_film_id("Old Film", 1999) is not None
    s.close()


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    Store.open(tmp_path / "a.db").close()
    s = Store.open(tmp_path / "a.db")
    assert migrations.apply(s.db) == 0
    s.close()


def test_database_from_the_future_is_refused_with_path(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(StoreError, match="future.db"):
        Store.open(path)


def test_not_a_database_is_refused_with_path(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="junk.db"):
        Store.open(path)


def test_review_and_outbox_written_together(store: Store) -> None:
    store.subscribe("telegram", "-100", None, "club", "1")
    store.subscribe("discord", "555", None, "films", "2")
    film = store.find_film_id("Parasite", 2019)
    assert film is not None
    rid = store.add_review(film, author="ann", platform="console", body=text_document("Great."))
    owed = store.db.execute("SELECT count(*) FROM outbox WHERE review_id = ?", [rid]).fetchone()[0]
    assert owed == 2


def test_failed_review_write_leaves_nothing(store: Store) -> None:
    store.subscribe("telegram", "-100", None, "club", "1")
    film = store.find_film_id("Parasite", 2019)
    assert film is not None

    def broken_hook(s: Store, film_id: int) -> None:
        raise RuntimeError("disk on fire")

    store.review_hooks.append(broken_hook)
    with pytest.raises(RuntimeError):
        store.add_review(film, author="ann", platform="console", body=text_document("Lost?"))
    store.review_hooks.remove(broken_hook)
    assert store.db.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0


def test_review_text_is_searchable_and_leaves_index_on_delete(store: Store) -> None:
    film = store.find_film_id("Parasite", 2019)
    assert film is not None
    rid = store.add_review(film, author="ann", platform="console", body=text_document("A peach allergy scheme."))
    hits = store.db.execute("SELECT rowid FROM reviews_fts WHERE reviews_fts MATCH 'peach'").fetchall()
    assert [h[0] for h in hits] == [rid]
    assert store.delete_review(rid)
    assert store.db.execute("SELECT count(*) FROM reviews_fts WHERE reviews_fts MATCH 'peach'").fetchone()[0] == 0


def test_rating_is_upserted_per_member(store: Store) -> None:
    film = store.find_film_id("Parasite", 2019)
    assert film is not None
    store.set_rating("telegram", "1", film, 6)
    store.set_rating("telegram", "1", film, 9)
    store.set_rating("discord", "1", film, 7)
    assert store.rating_summary(film) == (8.0, 2)


def test_backup_is_a_consistent_copy(store: Store, tmp_path: Path) -> None:
    store.backup(tmp_path / "copy.db")
    copy = Store.open(tmp_path / "copy.db")
    assert copy.film_count() == store.film_count() > 0
    copy.close()


def test_one_store_shared_by_threads_stays_consistent(store: Store) -> None:
    """Adapters use one worker thread, but nothing may break if two threads share the store."""
    import threading

    film = store.find_film_id("Parasite", 2019)
    assert film is not None
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(40):
                store.add_review(film, author=f"w{n}-{i}", platform="console", body=text_document("ok"))
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    def reader() -> None:
        try:
            for _ in range(200):
                list(store.db.query("SELECT count(*) AS n FROM reviews"))
                store.rating_summary(film)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)] + [threading.Thread(target=reader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.review_count(film) == 80
