"""Ranking quality on a labelled set, against a plain FTS5 BM25 search box over the same data.

tests/fixtures/recommend/labelled.jsonl holds requests written the way people
ask, each with graded judgments (3 perfect, 2 good, 1 acceptable) by title and
year over the starter catalog plus the fixture reviews, a kind (people,
audience, negation, similarity, mood, typo, facets) and a split. The
judgments were written by hand from catalog facts, then completed by pooling:
every film either system put in its top five was graded too. "holdout"
requests were never tuned on: their numbers are the honest estimate of how the
ranking does on requests nobody has seen. We report NDCG@5 and precision@1
(top pick graded 2 or better) for the bot and for the baseline, per kind and
split, and fail below thresholds set just under what was measured: raise them
as the ranking improves, never lower them. The scoring lives in bench/quality.py
(`python -m bench.quality --show` prints the same numbers and each request's picks).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bench.quality import (
    Scores,
    bot_ranking,
    labelled_rows,
    open_quality_bot,
    pooled,
)
from bench.quality import evaluate as _evaluate
from bot.core import MovieBot

MIN_NDCG = 0.83
MIN_P1 = 0.96
MIN_HOLDOUT_NDCG = 0.84
MIN_HOLDOUT_P1 = 0.95
MIN_HOLDOUT2_NDCG = 0.66
MIN_HOLDOUT2_P1 = 0.83
MIN_HOLDOUT3_NDCG = 0.69
MIN_HOLDOUT3_P1 = 0.93
MIN_HOLDOUT4_NDCG = 0.48  # blind grades; the bar (0.75 / 0.8) is not reached on this set
MIN_HOLDOUT4_P1 = 0.58
MIN_MARGIN = 0.50  # NDCG@5 points over the baseline
MIN_12D_NDCG = 0.67
MIN_12D_P1 = 0.82
MIN_12D_HOLDOUT_NDCG = 0.77
MIN_12D_HOLDOUT_P1 = 0.93
# Vague mood and occasion requests (kind "mood"): the 14 of the first set plus 43 added later
# ("batch": "moods"), over all of them and over the later held-out half alone.
MIN_MOOD_NDCG = 0.77
MIN_MOOD_P1 = 0.97
MIN_MOOD_HOLDOUT_NDCG = 0.84
MIN_MOOD_HOLDOUT_P1 = 0.95


def second_holdout_rows() -> list[dict[str, Any]]:
    """A second held-out set, written after issue 12 landed by someone who had not tuned the ranking.

    30 requests (similarity, audiences, a few mixed) graded by hand from the
    catalog ("j") before the bot's answers were looked at. "pooled" holds the
    grades given afterwards to every film the bot put in its top five, before
    and after the change measured with it, that the judge had not named (0 for
    a film that does not fit), as was done for labelled.jsonl. The floors are on
    the blind grades alone (a good film the judge did not think of counts as a
    miss there, so they are a lower bound); the pooled numbers are the ones
    comparable with the first set's. Never tuned on.
    """
    return labelled_rows("holdout2.jsonl")


def third_holdout_rows() -> list[dict[str, Any]]:
    """A third held-out set: 15 similarity requests in phrasings the first two sets barely use.

    "X vibes", "if I liked X", "in the vein of X", "X-style", "more like X", "in
    the style of X", "X but sadder" without "like", a typo in "similair". Graded
    from data/catalog.jsonl before the bot was asked any of them (issue 12c), then
    pooled like the second set (films the bot put in its top five before or after
    issue 12c, graded afterwards; floors on the blind grades). Never tuned on: the
    changes of issue 12c were made on the phrasings the issue names, with other titles.
    """
    return labelled_rows("holdout3.jsonl")


def fourth_holdout_rows() -> list[dict[str, Any]]:
    """A fourth held-out set, the team's honest estimate at the end of the third round.

    50 requests over every kind (similarity, people, audiences, negation, vague
    moods, mixed constraints), written and graded from data/catalog.jsonl by an
    engineer who had not seen the bot's answers, before the round's ranking and
    catalog work; the engineers who changed the ranking never opened it. Only
    aggregate blind scores were read while they worked (no request's answers),
    and at the end the films the bot put in its top fives before and after the
    round were graded by another judge who was not told which version returned
    them ("pooled"). Floors are on the blind grades. Once landed it is no longer
    blind: the next round needs a fresh set.
    """
    return labelled_rows("holdout4.jsonl")


def labelled() -> list[tuple[str, dict[str, int]]]:
    return [(obj["q"], obj["j"]) for obj in labelled_rows()]


def mood_rows() -> list[dict[str, Any]]:
    """Vague feelings and occasions ("something to cry to", "cozy night in", "something to watch with a
    hangover", "feeling lonely tonight"): the first set's 14 and a later batch of 43 ("batch": "moods"),
    graded from the catalog before the bot was asked them, half of the batch held out (by a hash of
    the text) and never looked at one by one while tuning."""
    return [obj for obj in labelled_rows() if obj["kind"] == "mood"]


@pytest.fixture(scope="module")
def quality_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MovieBot]:
    bot = open_quality_bot(tmp_path_factory.mktemp("quality") / "moviebot.db")
    yield bot
    bot.store.close()


def print_scores(title: str, scores: Scores) -> None:
    """Per kind and split, the bot beside the search box (shown with `pytest -s`)."""
    print(title)
    for (kind, split), (nd, p1, bnd, bp1, n) in sorted(scores.items()):
        print(f"  {kind:10} {split:8} n={n:3}  {nd:.3f} / {p1:.3f}  |  {bnd:.3f} / {bp1:.3f}")


def test_labelled_set_is_sound(quality_bot: MovieBot) -> None:
    rows = labelled() + [
        (obj["q"], obj["j"]) for obj in pooled(second_holdout_rows() + third_holdout_rows() + fourth_holdout_rows())
    ]
    assert len(rows) >= 150
    assert len({text.lower() for text, _ in rows}) == len(rows)
    missing = []
    for text, judged in rows:
        assert judged, text
        for key in judged:
            m = re.fullmatch(r"(.*) \((\d{4})\)", key)
            assert m, key
            if quality_bot.store.find_film_id(m.group(1), int(m.group(2))) is None:
                missing.append(key)
    assert not missing, f"judged films not in the catalog: {missing}"


def evaluate(
    bot: MovieBot, rows: list[dict[str, Any]] | None = None
) -> dict[tuple[str, str], tuple[float, float, float, float, int]]:
    """(kind or "all", split or "all") -> (bot NDCG@5, bot P@1, baseline NDCG@5, baseline P@1, n)."""
    return _evaluate(bot, labelled_rows() if rows is None else rows)


def test_quality_beats_search_box(quality_bot: MovieBot) -> None:
    rows = [r for r in labelled_rows() if "batch" not in r]  # the floors below were set on these
    assert len(rows) >= 120
    scores = evaluate(quality_bot, rows)
    print_scores(
        f"\nrecommend quality over {len(rows)} labelled requests (bot NDCG@5 / P@1 | FTS bm25 NDCG@5 / P@1):", scores
    )
    nd, p1, bnd, _, _ = scores[("all", "all")]
    hnd, hp1, _, _, _ = scores[("all", "holdout")]
    assert nd >= MIN_NDCG
    assert p1 >= MIN_P1
    assert hnd >= MIN_HOLDOUT_NDCG
    assert hp1 >= MIN_HOLDOUT_P1
    assert nd - bnd >= MIN_MARGIN


def test_batch_12d(quality_bot: MovieBot) -> None:
    """34 requests added to labelled.jsonl in issue 12d (similarity with 27 catalog films no earlier
    request names, mixed constraints, people and negation typos), graded by hand from the catalog
    before the bot's answers were looked at, then pooled. A third ("holdout") were never looked at
    one by one while tuning, only in aggregate, until pooling at the end. Floors of their own, so
    adding harder requests never lowers the first set's."""
    rows = [r for r in labelled_rows() if r.get("batch") == "12d"]
    assert len(rows) >= 30
    scores = evaluate(quality_bot, rows)
    print_scores(f"\nissue 12d requests, {len(rows)} (bot NDCG@5 / P@1 | FTS bm25 NDCG@5 / P@1):", scores)
    nd, p1, _, _, _ = scores[("all", "all")]
    hnd, hp1, _, _, _ = scores[("all", "holdout")]
    assert nd >= MIN_12D_NDCG
    assert p1 >= MIN_12D_P1
    assert hnd >= MIN_12D_HOLDOUT_NDCG
    assert hp1 >= MIN_12D_HOLDOUT_P1


def test_mood_requests(quality_bot: MovieBot) -> None:
    rows = mood_rows()
    assert len(rows) >= 50
    later_held_out = [obj for obj in rows if obj.get("batch") == "moods" and obj["split"] == "holdout"]
    assert len(later_held_out) >= 20
    nd, p1, bnd, bp1, n = evaluate(quality_bot, rows)[("all", "all")]
    hnd, hp1, _, _, hn = evaluate(quality_bot, later_held_out)[("all", "all")]
    print(f"\n{n} mood and occasion requests: bot {nd:.3f} / {p1:.3f}  |  FTS bm25 {bnd:.3f} / {bp1:.3f}")
    print(f"  the later batch's {hn} held-out ones: {hnd:.3f} / {hp1:.3f}")
    assert nd >= MIN_MOOD_NDCG
    assert p1 >= MIN_MOOD_P1
    assert hnd >= MIN_MOOD_HOLDOUT_NDCG
    assert hp1 >= MIN_MOOD_HOLDOUT_P1


@pytest.mark.parametrize(
    ("rows_of", "at_least", "min_ndcg", "min_p1"),
    [
        (second_holdout_rows, 30, MIN_HOLDOUT2_NDCG, MIN_HOLDOUT2_P1),
        (third_holdout_rows, 15, MIN_HOLDOUT3_NDCG, MIN_HOLDOUT3_P1),
        (fourth_holdout_rows, 50, MIN_HOLDOUT4_NDCG, MIN_HOLDOUT4_P1),
    ],
    ids=["holdout2", "holdout3", "holdout4"],
)
def test_later_holdout(
    quality_bot: MovieBot,
    rows_of: Callable[[], list[dict[str, Any]]],
    at_least: int,
    min_ndcg: float,
    min_p1: float,
) -> None:
    """Each later held-out set, floors on its blind grades; the pooled grades are printed beside them."""
    rows = rows_of()
    assert len(rows) >= at_least
    scores = evaluate(quality_bot, rows)
    print_scores(f"\n{rows[0]['split']}, {len(rows)} requests (bot NDCG@5 / P@1 | FTS bm25 NDCG@5 / P@1):", scores)
    pnd, pp1, _, _, _ = evaluate(quality_bot, pooled(rows))[("all", "all")]
    print(f"  with the pooled grades: {pnd:.3f} / {pp1:.3f}")
    nd, p1, _, _, _ = scores[("all", "all")]
    assert nd >= min_ndcg
    assert p1 >= min_p1


def test_miracle_first_for_sad_korean_drama(quality_bot: MovieBot) -> None:
    ranked = bot_ranking(quality_bot, "sad korean drama")
    assert ranked[0] == "Miracle in Cell No. 7 (2013)"
