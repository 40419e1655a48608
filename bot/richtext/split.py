"""Splitting one document into messages that each fit a platform's limit.

The split happens on the document, not on rendered text: a chunk is a slice of
the document (whole blocks, plus the part of a block where it was cut), and
each chunk is rendered on its own. So every message is valid alone for free:
formatting and spoiler tags open again in the next message because the spans
there still carry them, and no escape sequence, HTML entity or surrogate pair
can be cut in half.

Cut points, best first: between paragraphs, after a sentence or a line break,
between words, between two user-perceived characters (grapheme clusters, so a
ZWJ emoji sequence or a flag stays whole), and only for a single cluster longer
than a message, between code points. A better kind of cut is taken when it keeps
the message at least half as full as the longest one that would fit; otherwise
messages would become tiny just to end on a paragraph.

Limits (the Bot API's sendMessage and Discord's message limits):

* Telegram: at most 4096 UTF-16 code units of text after entity parsing (which
  also keeps the code-point rule), at most 32,768 bytes of raw HTML, and at most
  100 entities (beyond that Telegram ignores them, which would reveal spoilers).
  Telegram trims whitespace at both ends of a message; chunks are trimmed
  already, and a chunk with nothing visible is never emitted.
* Discord: at most `limit` (2000) code points of content.

Every emitted message is checked against its limit; the search for the longest
chunk that fits is a binary search over word positions, so a 100 KB review costs
a few dozen renderings of one message each.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace

from .model import Block, Document, Span, normalize, slice_spans, utf16_len
from .writers import render_discord, render_telegram

TELEGRAM_TEXT_LIMIT = 4096
TELEGRAM_RAW_LIMIT = 1 << 15
TELEGRAM_ENTITY_LIMIT = 100
DISCORD_LIMIT = 2000
_MIN_DISCORD_LIMIT = 32
_LONG_WORD = 48  # words longer than this are pre-cut into runs of clusters
_RUN = 32

_WORD = re.compile(r"\S+\s*")
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]]*$")


@dataclass(frozen=True)
class _Atom:
    block: int
    start: int
    end: int
    strength: int  # how good a cut *before* this atom is: 3 paragraph, 2 sentence/line, 1 word, 0 none


def _is_extender(c: str, prev: str) -> bool:
    o = ord(c)
    return (
        unicodedata.category(c) in ("Mn", "Me", "Mc")
        or c == "\u200d"
        or prev == "\u200d"
        or 0xFE00 <= o <= 0xFE0F
        or 0x1F3FB <= o <= 0x1F3FF
        or 0xE0020 <= o <= 0xE007F
        or 0xE0100 <= o <= 0xE01EF
    )


def clusters(text: str) -> list[str]:
    """User-perceived characters, approximately (combining marks, ZWJ sequences,
    variation selectors, skin tones, tag sequences and flag pairs stay together)."""
    out: list[str] = []
    ri_open = False
    for c in text:
        o = ord(c)
        is_ri = 0x1F1E6 <= o <= 0x1F1FF
        if out and (_is_extender(c, out[-1][-1]) or (is_ri and ri_open)):
            out[-1] += c
            ri_open = False if is_ri else ri_open
            continue
        out.append(c)
        ri_open = is_ri
    return out


def _atoms(d: Document) -> list[_Atom]:
    atoms: list[_Atom] = []
    for bi, b in enumerate(d.blocks):
        text = b.text
        first = True
        prev_core = ""
        prev_ws = ""
        for m in _WORD.finditer(text):
            word = m.group(0)
            core = word.rstrip()
            if first:
                strength = 3
            elif "\n" in prev_ws or _SENTENCE_END.search(prev_core):
                strength = 2
            else:
                strength = 1
            first = False
            prev_core, prev_ws = core, word[len(core) :]
            if len(core) <= _LONG_WORD:
                atoms.append(_Atom(bi, m.start(), m.end(), strength))
                continue
            pos = m.start()
            run_start = pos
            run_len = 0
            for cl in clusters(core):
                if run_len and run_len + len(cl) > _RUN:
                    atoms.append(_Atom(bi, run_start, pos, strength))
                    strength = 0
                    run_start, run_len = pos, 0
                pos += len(cl)
                run_len += len(cl)
            atoms.append(_Atom(bi, run_start, m.end(), strength))
    return atoms


def _pieces(atom: _Atom, d: Document, level: int) -> list[_Atom]:
    """A finer cut of one atom. Level 0: grapheme clusters. Level 1 (one cluster too big for a
    message): before each character that does not follow a ZWJ, so joiners stay with the emoji
    they join. Level 2: code points."""
    text = d.blocks[atom.block].text[atom.start : atom.end]
    core = text.rstrip()
    if level == 0:
        parts = clusters(core)
    elif level == 1:
        parts = []
        for c in core:
            if parts and (parts[-1].endswith("\u200d") or _is_extender(c, "")):
                parts[-1] += c
            else:
                parts.append(c)
    else:
        parts = list(core)
    if len(parts) <= 1:
        return [atom]
    out: list[_Atom] = []
    pos = atom.start
    for k, p in enumerate(parts):
        end = atom.end if k == len(parts) - 1 else pos + len(p)
        out.append(_Atom(atom.block, pos, end, atom.strength if k == 0 else 0))
        pos += len(p)
    return out


def _chunk(d: Document, atoms: list[_Atom], a: int, z: int) -> Document:
    """The document slice from atom a up to (not including) atom z, normalised."""
    first, last = atoms[a], atoms[z - 1]
    blocks: list[Block] = []
    for bi in range(first.block, last.block + 1):
        b = d.blocks[bi]
        start = first.start if bi == first.block else 0
        end = last.end if bi == last.block else len(b.text)
        blocks.append(replace(b, spans=tuple(slice_spans(b.spans, start, end))))
    return normalize(Document(tuple(blocks)))


def _plain_style(d: Document) -> Document:
    """Last resort for a single character that does not fit: drop links and styles
    (never the spoiler flag)."""
    return Document(
        tuple(
            replace(b, kind="paragraph", spans=tuple(Span(s.text, spoiler=s.spoiler, source=s.source) for s in b.spans))
            for b in d.blocks
        )
    )


def _split(d: Document, render: Callable[[Document], str | None], text_budget: int) -> list[str]:
    """Greedy split; `render` returns the message, or None if the chunk does not fit."""
    d = normalize(d)
    atoms = _atoms(d)
    prefix = _prefix(atoms)
    out: list[str] = []
    pos = 0
    while pos < len(atoms):
        # upper bound: rendered text is never shorter than the text itself
        hi = pos
        used = 0
        while hi < len(atoms) and used <= text_budget:
            at = atoms[hi]
            used += at.end - at.start + (2 if hi > pos and at.strength == 3 else 0)
            hi += 1
        count = hi - pos
        if render(_chunk(d, atoms, pos, pos + 1)) is None:
            # one atom alone is too big: cut it finer, or (for one character) drop its
            # link and styles, never its spoiler flag
            finer = _pieces(atoms[pos], d, 0)
            msg = None if len(finer) > 1 else render(_plain_style(_chunk(d, atoms, pos, pos + 1)))
            for level in (1, 2):
                if len(finer) > 1 or msg is not None:
                    break
                finer = _pieces(atoms[pos], d, level)
            if len(finer) > 1:
                atoms[pos : pos + 1] = finer
                prefix = _prefix(atoms)
                continue
            if msg is None:
                raise ValueError("message limit too small for a single character")
            if msg:
                out.append(msg)
            pos += 1
            continue
        lo, best = 1, 1
        while lo <= count:
            mid = (lo + count) // 2
            if render(_chunk(d, atoms, pos, pos + mid)) is not None:
                best, lo = mid, mid + 1
            else:
                count = mid - 1
        end = _best_cut(atoms, prefix, pos, pos + best)
        msg = render(_chunk(d, atoms, pos, end))
        while msg is None and end > pos + 1:  # only if fitting was not monotonic
            end -= 1
            msg = render(_chunk(d, atoms, pos, end))
        if msg:
            out.append(msg)
        pos = end
    return out


def _prefix(atoms: list[_Atom]) -> list[int]:
    out = [0]
    for at in atoms:
        out.append(out[-1] + at.end - at.start)
    return out


def _best_cut(atoms: list[_Atom], prefix: list[int], pos: int, limit_end: int) -> int:
    """Where to end the chunk that may run up to `limit_end` (see the module docstring)."""
    if limit_end >= len(atoms):
        return len(atoms)

    def fill(e: int) -> int:
        return prefix[e] - prefix[pos]

    full = fill(limit_end)
    for strength in (3, 2):
        for e in range(limit_end, pos, -1):
            if atoms[e].strength >= strength:
                if fill(e) * 2 >= full:
                    return e
                break
    for e in range(limit_end, pos, -1):
        if atoms[e].strength >= 1:
            return e
    return limit_end


def split_telegram(doc: Document) -> list[str]:
    """Telegram HTML messages, in order, each valid alone and within every limit.

    An empty document gives no message at all (never an empty one).
    """
    return split_telegram_within(doc)


def split_telegram_within(
    doc: Document,
    text_limit: int = TELEGRAM_TEXT_LIMIT,
    raw_limit: int = TELEGRAM_RAW_LIMIT,
    entity_limit: int = TELEGRAM_ENTITY_LIMIT,
) -> list[str]:
    """`split_telegram` with other limits (tests use small ones to get many cuts)."""

    def render(chunk: Document) -> str | None:
        r = render_telegram(chunk)
        if utf16_len(r.plain) > text_limit or r.entities > entity_limit or len(r.html.encode("utf-8")) > raw_limit:
            return None
        return r.html

    return _split(doc, render, text_limit)


def split_discord(doc: Document, limit: int = DISCORD_LIMIT) -> list[str]:
    """Discord markdown messages, in order, each at most `limit` code points and valid alone."""
    if limit < _MIN_DISCORD_LIMIT:
        raise ValueError(f"limit must be at least {_MIN_DISCORD_LIMIT}")

    def render(chunk: Document) -> str | None:
        text = render_discord(chunk)
        return text if len(text) <= limit else None

    return _split(doc, render, limit)
