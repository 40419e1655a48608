"""The reader's and detector's fast paths (pre-checks that skip the full rules where they cannot
match, plain text read without the markup scanner, sentence ends found from their candidate
characters, the word gates) decide exactly what the full paths decide, on any text."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.richtext import FilmHints, detect, parse, read_review
from bot.richtext.gates import Gate
from bot.richtext.model import FAST_PATHS
from bot.richtext.readers import _cue_at, _cue_scan

# Words that build cues, negations of cues and near misses, in any case, plus Unicode look-alikes
# that IGNORECASE matching treats as letters of "spoiler" (ſ, İ, ı).
WORDS = [
    "spoiler", "spoilers", "SPOILERS", "Spoiler:", "ſpoiler", "spoİler", "spoıler", "spoil", "spoilt",
    "warning", "ahead", "below", "alert", "major", "plot", "no", "not", "free", "none", "(", ")", ":", "-",
    "—", "end", "of", "the", "twist", "film", "he", "dies", "\n", "!", "spoiler-free", "non-spoiler",
]  # fmt: skip
texts = st.lists(st.sampled_from(WORDS) | st.text(max_size=6), max_size=25).map(" ".join)


def _span(m: object) -> object:
    return None if m is None else (m.span(), m.groupdict())  # type: ignore[attr-defined]


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(min_value=0, max_value=40))
def test_cue_fast_path_finds_the_same_cue_as_the_full_scan(text: str, pos: int) -> None:
    pos = min(pos, len(text))
    assert _span(_cue_at(text, pos)) == _span(_cue_scan(text, pos))


def test_cue_fast_path_still_finds_cues() -> None:
    text = "Great film. Spoilers ahead: he dies."
    m = _cue_at(text, 0)
    assert m is not None and m.group(0).lower().startswith("spoilers ahead")
    assert _cue_at("A quiet, lovely film about two sisters.", 0) is None


# --- the detector's per-rule pre-check ---------------------------------------------------------

REVEAL_WORDS = [
    "turns", "out", "all", "along", "the", "whole", "time", "twist", "is", "was", "that", "revealed", "he", "she",
    "was", "actually", "a", "ghost", "dream", "dies", "killed", "himself", "his", "father", "RIP", "Jack", "never",
    "made", "it", "back", "finds", "found", "who", "in", "end", "ends", "up", "together", "did", "body", "buried",
    "ſecretly", "İs", "walks", "through", "door", "doesn't", "catch", "him", "to", "death", "I", "my", ",", ".",
    # whole phrases the rules look for, so generated sentences do match them
    "all along", "turns out", "the whole time", "the twist is that", "is revealed", "was actually", "was a dream",
    "RIP jack", "never made it out", "to death", "killed his father", "did it", "ends up together",
    "finds out who", "the butler did it", "was in on it", "isn't real", "gas chamber", "ſecretly a ghost",
]  # fmt: skip
sentences_st = st.lists(st.sampled_from(REVEAL_WORDS) | st.text(max_size=5), max_size=16).map(" ".join)


@settings(max_examples=600, deadline=None)
@given(sentences_st)
def test_reveal_pre_check_never_skips_a_rule_that_matches(sentence: str) -> None:
    low = sentence.lower() if sentence.isascii() else None
    for (name, rx), check in zip(detect._REVEALS, detect._REVEAL_CHECKS, strict=True):
        if rx.search(sentence) is not None:
            assert detect._may_match(check, sentence, low), (name, rx.pattern)


@settings(max_examples=300, deadline=None)
@given(sentences_st)
def test_reveal_with_pre_check_equals_reveal_without(sentence: str) -> None:
    """The whole decision, against the same rules with every pre-check off."""
    fast = detect.reveal(sentence)
    checks = detect._REVEAL_CHECKS
    try:
        detect._REVEAL_CHECKS = tuple(None for _ in checks)
        full = detect.reveal(sentence)
    finally:
        detect._REVEAL_CHECKS = checks
    assert fast == full


def test_reveal_pre_check_covers_most_rules_and_keeps_finding_reveals() -> None:
    assert sum(c is not None for c in detect._REVEAL_CHECKS) >= len(detect._REVEAL_CHECKS) - 2
    assert detect.reveal("It turns out he was her father all along.") is not None
    assert detect.reveal("A lovely, warm film with great music.") is None


# --- the reader's plain-text path, sentence splitting, the word gates, and the whole reading ----


@contextlib.contextmanager
def full_paths() -> Iterator[None]:
    """Every fast path off (the reader's, the splitter's and the gates), for comparison."""
    FAST_PATHS.enabled = False
    try:
        yield
    finally:
        FAST_PATHS.enabled = True


def both(f: object, *args: object, **kwargs: object) -> tuple[object, object]:
    fast = f(*args, **kwargs)  # type: ignore[operator]
    with full_paths():
        full = f(*args, **kwargs)  # type: ignore[operator]
    return fast, full


# Review words: the detector's trigger lexicon (deaths, endings, twists, identities, decisive and
# past-tense verbs, people, pronouns, clause words), names in both cases, cast names of the film
# below, look-alikes the rules exclude, punctuation that splits sentences, markup characters,
# and characters that IGNORECASE folds oddly (ſ İ ı K) or that are not ASCII (’ é “ …).
REVIEW_WORDS = [
    *REVEAL_WORDS, "Jack", "jack", "Rose", "rose", "ernesto", "poisoned", "hector", "Mr.", "Park", "Dr.", "No.", "7",
    "Quiet", "Riversen", "Bold", "Mountainson", "Dark", "Seaon", "the", "father", "son", "wife", "mother", "kids",
    "both", "children", "everyone", "nobody", "they", "who", "shot", "stabbed", "found", "escapes", "marries",
    "loved", "watched", "planned", "slowly", "finally", "obviously", "beautifully", "designed", "crawled",
    "dying", "killing", "sacrificing", "himself", "dead", "serious", "died", "laughing", "kills", "pacing",
    "tension", "film", "movie", "ending", "end", "last", "scene", "in", "the end", "eventually", "premise",
    "the film follows", "opens with", "first", "act", "and", "but", "then", "so", "when", "because", ",", ";",
    ":", "(", ")", "?", "!", ".", "…", " - ", " — ", "\n", "\n\n", "’s", "'s", "don’t", "isn't", "café", "“",
    "ſpoiler", "İs", "ı", "K", "Spoiler:", "spoilers ahead", "end of spoilers", "||", ">!", "!<", "*", "_",
    "[spoiler]", "[/spoiler]", "<b>", "http://x.y", "#", "\u200b", "\x01", "\r\n", "\u2028", "  ", "\t",
]  # fmt: skip
review_texts = st.lists(st.sampled_from(REVIEW_WORDS) | st.text(max_size=4), max_size=40).map(
    lambda ws: "".join(w if w in {",", ";", ":", ")", ".", "?", "!", "…"} else " " + w for w in ws)
)
FILM = FilmHints.of(("Quiet Riversen", "Bold Mountainson"), ("Dark Seaon",), ("twist ending",))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(review_texts)
def test_plain_reader_path_equals_the_full_parse(text: str) -> None:
    fast, full = both(parse, text)
    assert fast == full


SPLIT_PIECES = [
    "a", "Mr", ".", "!", "?", "…", ";", " ", "\n", "-", "–", "—", "\"", "”", ")", "]", "but", "and", "then", "7",
    "x", "\u3000", "\x85",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SPLIT_PIECES), max_size=40).map("".join))
def test_sentence_split_fast_path_equals_the_full_scan(text: str) -> None:
    fast, full = both(detect.sentences, text)
    assert fast == full
    with full_paths():
        assert [m.span() for m in detect._sentence_ends(text)] == [
            m.span() for m in detect._SENTENCE_END.finditer(text)
        ]


def _gated() -> list[tuple[str, re.Pattern[str], tuple[int, ...] | Gate]]:
    out: list[tuple[str, re.Pattern[str], tuple[int, ...] | Gate]] = []
    for (name, rx), need, terms in zip(detect._REVEALS, detect._REVEAL_NEEDS, detect._REVEAL_TERMS, strict=True):
        out += [(name, rx, (need,)), (name + " (branches)", rx, terms)]
    for name in ("NOT_DEATH", "PREMISE_CUE", "ENDING_CUE", "PAST_ACT", "DECISIVE_ANYWHERE", "CLAUSE_START", "DYING"):
        out.append((name, getattr(detect, "_" + name), (getattr(detect, "_NEED_" + name),)))
    for name in ("CHARACTER_EVENT", "CHARACTER_ACTS", "BARE_EVENT"):
        out.append((name, getattr(detect, "_" + name), getattr(detect, "_NEED_" + name)))
    return out


GATED = _gated()


def _passes(need: tuple[int, ...] | Gate, bits: int) -> bool:
    return need.passes(bits) if isinstance(need, Gate) else detect._GATES.passes(need, bits)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.data())
def test_word_gates_never_skip_a_pattern_that_matches(data: st.DataObject) -> None:
    """Text made to match each gated pattern (hypothesis builds it from the pattern itself, in
    any case and with Unicode around it), inside review words: where the pattern matches, the
    gate must let the sentence through."""
    name, rx, need = data.draw(st.sampled_from(GATED))
    text = data.draw(review_texts) + data.draw(st.from_regex(rx)) + data.draw(review_texts)
    bits = detect._GATES.of(text)
    if bits is not None and rx.search(text) is not None:
        assert _passes(need, bits), (name, text)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(review_texts, st.booleans(), st.sampled_from([None, FILM]))
def test_reveal_with_gates_equals_reveal_without(sentence: str, opening: bool, film: FilmHints | None) -> None:
    fast, full = both(detect.reveal, sentence, film, opening=opening)
    assert fast == full


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(review_texts, st.sampled_from([None, FILM]))
def test_read_review_with_fast_paths_equals_the_full_path(text: str, film: FilmHints | None) -> None:
    fast, full = both(read_review, text, film=film)
    assert fast == full


def test_fast_paths_take_effect_and_still_find_reveals() -> None:
    plain = "A quiet, lovely film about two sisters.\n\nThe music is great."
    assert parse(plain).plain == plain
    assert detect._GATES.of("A lovely warm film") is not None
    assert detect._GATES.of("A ſpoiler") is None  # IGNORECASE folds ſ to s, lower() does not
    calm = detect._sentence_bits("Quiet night road winter music, clever and slow.")
    assert calm is not None and not detect._NEED_CHARACTER_EVENT.passes(calm)
    d = read_review("Great film. In the end the father dies in prison and his daughter learns the truth.")
    assert d.has_spoilers and "dies in prison" in d.spoiler_text()
    assert detect.reveal("Then Jack shot his brother.") is not None


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(min_value=0, max_value=40))
def test_cue_matches_at_candidate_starts_equal_the_full_finditer(text: str, pos: int) -> None:
    from bot.richtext.readers import _CUE, _cue_matches

    pos = min(pos, len(text))
    assert [(m.span(), m.groupdict()) for m in _cue_matches(text, pos)] == [
        (m.span(), m.groupdict()) for m in _CUE.finditer(text, pos)
    ]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(review_texts, st.sampled_from(["_CHARACTER_EVENT", "_CHARACTER_ACTS"]))
def test_subject_matches_equal_the_full_finditer(sentence: str, name: str) -> None:
    rx = getattr(detect, name)
    fast = [(m.span(), m.group("subject")) for m in detect._subject_matches(rx, sentence)]
    assert fast == [(m.span(), m.group("subject")) for m in rx.finditer(sentence)]
