"""The batch feature hook (`features.on_reviews`, one pass per write transaction) stores exactly what
the per-review path (`features.on_review`, film by film after every review) stores, on the same data:
rebuilding at once (chat), or flagging per batch and rebuilding once at the end (an import), with mood
sums kept as they grow, however the film's reviews and the batches interleave."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import pytest

from bot.core import MovieBot
from bot.recommend import features
from bot.store import ReviewRow, Store
from tests.fixtures.catalog import catalog_store

TEXTS = [
    "A sad, devastating film; I cried at the ending. Heartbreaking and bleak.",
    "Hilarious and funny, a feel-good comedy with a warm heart.",
    "Tense, gripping thriller. Scary in places, a nail-biter.",
    "Beautiful cinematography, slow and meditative, dreamlike.",
    "Fine.",
    "Creepy horror, terrifying jump scares, disturbing and dark.",
    "Romantic and sweet, charming leads; cozy, uplifting, funny too.",
]
RATINGS = [None, 1, 3.5, 6, 7.25, 8, 9.5, 10]


def _features(store: Store) -> dict[str, list[tuple[object, ...]]]:
    db = store.db.conn
    return {
        "rec_film": db.execute("SELECT * FROM rec_film ORDER BY film_id").fetchall(),
        "rec_tag": db.execute("SELECT tag, prior, film_id FROM rec_tag ORDER BY film_id, tag").fetchall(),
        "rec_mood": db.execute("SELECT key, score, film_id FROM rec_mood ORDER BY film_id, key").fetchall(),
        "rec_review": db.execute("SELECT * FROM rec_review ORDER BY review_id").fetchall(),
    }


def _rows(seed: int, films: list[int], n: int) -> list[ReviewRow]:
    rnd = random.Random(seed)
    picks = rnd.sample(films, 12)
    out = []
    for i in range(n):
        text = " ".join(rnd.sample(TEXTS, rnd.randint(1, 3)))
        body = json.dumps({"blocks": [{"kind": "para", "text": text}]})
        out.append(
            ReviewRow(
                film_id=rnd.choice(picks),
                author=f"a{i % 5}",
                platform="console",
                body_json=body,
                plain=text,
                rating=rnd.choice(RATINGS),
                created_at=f"2024-01-{1 + rnd.randrange(28):02d}T12:00:00Z",
            )
        )
    return out


def _per_review(store: Store) -> None:
    store.review_batch_hooks[:] = []
    store.review_hooks[:] = [features.on_review]


def _batched(store: Store) -> None:
    store.review_hooks[:] = []
    store.review_batch_hooks[:] = [features.on_reviews]


def _stale(store: Store) -> int:
    return int(store.db.execute("SELECT count(*) FROM rec_film WHERE stale = 1 OR rat_stale = 1").fetchone()[0])


def test_batch_features_equal_per_review_features(tmp_path: Path) -> None:
    one, many, bulk = (catalog_store(tmp_path / f"{name}.db") for name in ("one", "many", "bulk"))
    try:
        _per_review(one)
        _batched(many)
        _batched(bulk)
        films = [r[0] for r in one.db.execute("SELECT id FROM films ORDER BY id LIMIT 300")]
        for seed in range(4):
            rows = _rows(seed, films, 60)
            for store in (one, many, bulk):  # ratings first: a film with member ratings and reviews
                store.set_rating("console", f"u{seed}", rows[0].film_id, 3 + seed)
                features.reindex_stale(store.db)
            for row in rows:
                one.add_reviews([row], announce=False)
            for i in range(0, len(rows), 25):
                many.add_reviews(rows[i : i + 25], announce=False)
            # An import: batches only flag their films (half the rows with moods read by a worker),
            # and every flagged film is rebuilt once at the end.
            bulk.defer_reindex = True
            for i in range(0, len(rows), 20):
                chunk = [
                    dataclasses.replace(r, moods=features.review_moods(r.plain)) if j % 2 else r
                    for j, r in enumerate(rows[i : i + 20])
                ]
                bulk.add_reviews(chunk, announce=False)
            assert _stale(bulk) > 0
            bulk.defer_reindex = False
            assert features.reindex_stale(bulk.db) > 0
            assert _stale(bulk) == 0
            # a deletion goes through the same hooks
            doomed = one.db.execute("SELECT max(id) FROM reviews").fetchone()[0]
            assert one.delete_review(doomed) and many.delete_review(doomed) and bulk.delete_review(doomed)
            assert _features(one) == _features(many) == _features(bulk)
        assert len(_features(many)["rec_review"]) == 4 * 60 - 4
    finally:
        for store in (one, many, bulk):
            store.close()


def test_sums_that_drifted_from_the_reviews_are_summed_afresh(tmp_path: Path) -> None:
    """A review deleted behind the hooks' back (plain SQL, another program) leaves sums covering it;
    the next batch of that film notices by count and re-sums instead of adding to stale sums."""
    one, many = catalog_store(tmp_path / "one.db"), catalog_store(tmp_path / "many.db")
    try:
        _per_review(one)
        _batched(many)
        films = [r[0] for r in one.db.execute("SELECT id FROM films ORDER BY id LIMIT 300")]
        rows = _rows(5, films, 40)
        film = rows[0].film_id
        first = [r for r in rows if r.film_id == film][:3]
        for store in (one, many):
            store.add_reviews(first, announce=False)
            with store.atomic():
                store.db.execute(
                    "DELETE FROM reviews WHERE id = (SELECT min(id) FROM reviews WHERE film_id = ?)", [film]
                )
        later = dataclasses.replace(first[-1], plain="So sad and heartbreaking, I cried.", author="later")
        one.add_reviews([later], announce=False)
        many.add_reviews([later], announce=False)
        assert _features(one) == _features(many)
        n = many.db.execute("SELECT n_reviews, mood_n FROM rec_film WHERE film_id = ?", [film]).fetchone()
        assert tuple(n) == (3, 3)
    finally:
        one.close()
        many.close()


@pytest.mark.parametrize("wholesale", [False, True])
def test_an_import_killed_before_its_rebuild_is_caught_up_before_any_recommendation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wholesale: bool
) -> None:
    """Batches committed with their films flagged, then the process died: the next bot to open the
    file rebuilds them before its first recommendation, to what the per-review path stores, film by
    film or (many flagged) wholesale with the rank indexes made again."""
    if wholesale:
        monkeypatch.setattr(features, "WHOLESALE_MIN", 1)
        monkeypatch.setattr(features, "WHOLESALE_SHARE", 0.0)
    one, killed = catalog_store(tmp_path / "one.db"), catalog_store(tmp_path / "killed.db")
    _per_review(one)
    _batched(killed)
    films = [r[0] for r in one.db.execute("SELECT id FROM films ORDER BY id LIMIT 300")]
    rows = _rows(7, films, 50)
    for row in rows:
        one.add_reviews([row], announce=False)
    killed.defer_reindex = True
    killed.add_reviews(rows[:30], announce=False)
    killed.add_reviews(rows[30:], announce=False)
    flagged = _stale(killed)
    killed.close()  # no rebuild: as after kill -9
    assert flagged > 0
    reopened = Store.open(tmp_path / "killed.db")
    try:
        MovieBot(reopened)
        assert _stale(reopened) == 0
        assert _features(one) == _features(reopened)
        indexes = {r[0] for r in reopened.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert set(features.RANK_INDEXES) <= indexes
    finally:
        one.close()
        reopened.close()


def test_batch_hook_skips_unknown_films_and_builds_missing_features(tmp_path: Path) -> None:
    one, many = catalog_store(tmp_path / "one.db"), catalog_store(tmp_path / "many.db")
    try:
        film = one.db.execute("SELECT min(id) FROM films").fetchone()[0]
        for store in (one, many):
            store.db.execute("DELETE FROM rec_film WHERE film_id = ?", [film])  # features never built
            store.db.conn.commit()
        _per_review(one)
        _batched(many)
        row = _rows(9, [film] * 12, 1)[0]
        one.add_reviews([row], announce=False)
        many.add_reviews([row], announce=False)
        with many.db.atomic():
            features.on_reviews(many, [10**9])  # no such film: nothing written
        assert _features(one) == _features(many)
        assert any(r[0] == film for r in _features(many)["rec_film"])
    finally:
        one.close()
        many.close()
