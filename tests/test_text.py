"""`clean_line`: one line of user text (titles, authors), whatever was pasted."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text import clean_line


def _by_character(text: str) -> str:
    """The rule spelled out character by character (what the fast path must agree with)."""
    kept = "".join(" " if ch in "\n\r\t" else ch for ch in text if ch in "\n\r\t" or ch.isprintable())
    return " ".join(kept.split())


@settings(max_examples=400)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60) | st.text(max_size=60))
def test_clean_line_keeps_printable_text_and_folds_spaces(text: str) -> None:
    assert clean_line(text) == _by_character(text)


def test_clean_line_drops_controls_and_zero_width_characters() -> None:
    assert clean_line("  Old\tboy\u200b\x00 (2003)\n") == "Old boy (2003)"
    assert clean_line("Parasite") == "Parasite"
