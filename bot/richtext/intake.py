"""One way in: every path that takes review text reads it through `read_review`.

Chat text on Discord, Telegram and the console, Telegram's spoiler entities and
captions, attached files, JSON Lines, Letterboxd exports and blog posts all end
here, so a review marked one way on one path is marked the same way on every
other, and the same detector decides what nobody marked. Keeping it one function
is what makes "spoiler-safe" a property of the bot instead of a promise each
input path has to keep on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from .detect import SPOILER_MODES, FilmHints, apply_spoiler_mode, detect_spoilers
from .model import Document
from .readers import MARK_CLOSE, MARK_OPEN, parse, plain_paragraphs

__all__ = ["FilmHints", "film_hints", "read_review", "spoiler_option", "utf16_ranges", "with_marks"]


class _FilmFacts(Protocol):
    @property
    def cast(self) -> tuple[str, ...]: ...
    @property
    def directors(self) -> tuple[str, ...]: ...
    @property
    def keywords(self) -> tuple[str, ...]: ...


def film_hints(film: _FilmFacts | None) -> FilmHints | None:
    """The detector's hints from a catalog film (anything with cast, directors, keywords)."""
    if film is None:
        return None
    return FilmHints.of(tuple(film.cast), tuple(film.directors), tuple(film.keywords))


def with_marks(text: str, marks: Sequence[tuple[int, int]]) -> str:
    """`text` with each (start, end) code-point range wrapped in the reader's spoiler marks.

    Use it where the text is cut or rearranged before it is read (a pasted blog post
    loses its title line and sign-off): the marks travel with the words they hide.
    Marks already in the text (a pasted private-use character) are neutralised first,
    so only the ranges given here count.
    """
    if MARK_OPEN in text or MARK_CLOSE in text:
        text = text.replace(MARK_OPEN, "\ufffd").replace(MARK_CLOSE, "\ufffd")
    edges: list[tuple[int, int, str]] = []
    for start, end in marks:
        a, z = max(0, start), min(len(text), end)
        if a < z:
            edges += [(a, 1, MARK_OPEN), (z, 0, MARK_CLOSE)]
    if not edges:
        return text
    out: list[str] = []
    pos = 0
    for at, _, mark in sorted(edges):
        out += [text[pos:at], mark]
        pos = at
    out.append(text[pos:])
    return "".join(out)


def utf16_ranges(text: str, entities: Iterable[tuple[int, int]], *, start: int = 0) -> tuple[tuple[int, int], ...]:
    """Telegram entity (offset, length) pairs, counted in UTF-16 units of `text`, as code-point
    ranges of ``text[start:]`` (the review body after the command line).

    Telegram counts entity offsets in UTF-16 code units (Bot API, MessageEntity); Python
    counts code points, so a 🎬 before a spoiler would shift it by one without this.
    """
    index: dict[int, int] = {}
    units = 0
    for k, ch in enumerate(text):
        index[units] = k
        units += 2 if ord(ch) > 0xFFFF else 1
    index[units] = len(text)
    out = []
    for offset, length in entities:
        a = index.get(offset)
        z = index.get(offset + length)
        if a is None or z is None:  # inside a surrogate pair: widen to whole characters
            a = next((index[u] for u in range(offset, -1, -1) if u in index), 0)
            z = next((index[u] for u in range(offset + length, units + 1) if u in index), len(text))
        a, z = max(a, start) - start, z - start
        if z > a:
            out.append((a, z))
    return tuple(out)


def read_review(
    text: str,
    *,
    dialect: str = "auto",
    marks: Sequence[tuple[int, int]] = (),
    mode: str = "auto",
    film: FilmHints | None = None,
) -> Document:
    """A review as stored: its markup read, then the admin's spoiler mode applied.

    `dialect` is a hint (Letterboxd sends "html"); every dialect's spoiler markup
    is understood whatever it says. `marks` are spoiler ranges that are not in the
    text (Telegram entities, code points of `text`). `mode` is the admin's choice:
    ``auto`` (the author's markup, else the detector), ``none`` or ``all``. `film`
    gives the detector the film's catalog facts (cast, keywords).
    """
    if not marks and dialect == "auto" and mode == "auto":
        plain = plain_paragraphs(text)
        if plain is not None:
            # normalised, no markup, nothing hidden: `apply_spoiler_mode` would hand it to the
            # detector unchanged (most imported reviews take this path)
            return detect_spoilers(plain, film, normal=True)
    return apply_spoiler_mode(parse(with_marks(text, marks) if marks else text, dialect), mode, film=film)


_OPTION = re.compile(r"(?:^|\s)(?:--)?spoilers?\s*[=:]\s*(auto|none|all)\s*$", re.IGNORECASE)


def spoiler_option(args: str) -> tuple[str, str | None]:
    """``"Parasite spoilers=all"`` -> ``("Parasite", "all")``: the whole-review flag on a
    command line (Telegram, console), for platforms without Discord's option picker."""
    m = _OPTION.search(args)
    if m is None:
        return args, None
    mode = m.group(1).lower()
    assert mode in SPOILER_MODES
    return args[: m.start()].rstrip(), mode
