"""The reader's and detector's fast paths (pre-checks that skip the full rules where they cannot
match) decide exactly what the full rules decide: same cue, same spans, on any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

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
