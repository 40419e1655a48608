"""The reader's and detector's fast paths (pre-checks that skip the full rules where they cannot
match) decide exactly what the full rules decide: same cue, same spans, on any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.richtext import detect
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
