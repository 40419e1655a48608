"""The neutral document model every review is stored and rendered in.

Reviews arrive in half a dozen markups and leave in three; holding them in one
small tree in between is what lets us promise that spoiler text never leaks:
spoilerness is a property of the tree, not of a string that a regex has to
rediscover for every platform.

A `Document` is a sequence of `Block`s (paragraphs, quotes, headings). A block
holds `Span`s of text. A span carries its inline styles, an optional link, a
`spoiler` flag and the `source` it came from (the dialect or rule that made it a
spoiler, e.g. ``"discord"`` or ``"detector"``), so a later pass can tell author
markup from a guess. A block whose ``spoiler`` flag is set is a spoiler as a
whole, whatever its spans say. Line breaks inside a paragraph are ``"\\n"`` in
span text; paragraph breaks are block boundaries.

Documents are immutable and serialise to compact JSON for the database.

`normalize` brings any document (hand-built, parsed, or a slice made by the
splitter) into the canonical shape the writers and the splitter rely on: no
control characters or lone surrogates, no blank lines inside a block, no
leading or trailing whitespace around a block, no empty or whitespace-only
styled spans, adjacent equal spans merged. Readers always return normalised
documents, so ``parse(render(doc))`` can be compared with ``doc`` exactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Style = Literal["bold", "italic", "underline", "strike", "code"]
BlockKind = Literal["paragraph", "quote", "heading"]

STYLES: tuple[Style, ...] = ("bold", "italic", "underline", "strike", "code")

# Where a spoiler mark came from. Everything except the detector's guess counts as
# explicit author (or admin) markup, which always wins over the detector.
DETECTOR_SOURCE = "detector"


@dataclass(frozen=True)
class Span:
    """A run of text with one set of inline attributes."""

    text: str
    styles: frozenset[str] = frozenset()
    spoiler: bool = False
    link: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Block:
    """A paragraph-level unit: the splitter prefers to cut between blocks."""

    spans: tuple[Span, ...]
    kind: BlockKind = "paragraph"
    spoiler: bool = False
    source: str = ""

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)

    def is_spoiler_span(self, span: Span) -> bool:
        return self.spoiler or span.spoiler


@dataclass(frozen=True)
class Document:
    """A whole review body (or any reply text) in neutral form."""

    blocks: tuple[Block, ...] = field(default_factory=tuple)

    @property
    def plain(self) -> str:
        """All text, spoilers included, paragraphs separated by blank lines."""
        return "\n\n".join(b.text for b in self.blocks)

    def visible_text(self) -> str:
        """Only the text outside spoilers, paragraphs separated by blank lines."""
        parts = []
        for b in self.blocks:
            if b.spoiler:
                continue
            t = "".join(s.text for s in b.spans if not s.spoiler)
            if t:
                parts.append(t)
        return "\n\n".join(parts)

    def spoiler_text(self) -> str:
        """Only the text inside spoilers, in order."""
        parts = []
        for b in self.blocks:
            t = "".join(s.text for s in b.spans if b.spoiler or s.spoiler)
            if t:
                parts.append(t)
        return "\n\n".join(parts)

    @property
    def has_spoilers(self) -> bool:
        return any(b.spoiler or any(s.spoiler for s in b.spans) for b in self.blocks)

    @property
    def spoiler_sections(self) -> int:
        """How many separate spoiler sections a reader would see.

        Hidden text that runs on across a paragraph break (consecutive spoiler blocks, or
        a spoiler ending one paragraph and opening the next) counts as one section, as a
        reader would say "the review hides two passages" rather than count paragraphs.
        """
        count = 0
        prev = False  # was the text just before this point hidden (across paragraph breaks too)?
        for b in self.blocks:
            for sp in [b.spoiler or s.spoiler for s in b.spans if s.text] or [b.spoiler]:
                if sp and not prev:
                    count += 1
                prev = sp
        return count

    def to_json(self) -> str:
        return json.dumps([_block_to_obj(b) for b in self.blocks], ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str) -> Document:
        return cls(tuple(_block_from_obj(o) for o in json.loads(data)))


class FastPaths:
    """The switch for the reader's and the detector's fast paths (plain text read without the
    markup scanner, rules skipped where a word they need is missing).

    The fast paths decide exactly what the full paths decide; this exists so that tests and
    bench/reading.py can run both on the same texts and compare. Nothing else turns it off.
    """

    enabled: bool = True


FAST_PATHS = FastPaths()

# Spoiler markup of any dialect. Inside backticks Discord would show it as literal code, but a review
# is not code and its author meant to hide something: the readers honour the markup there (hiding
# too much is the safe mistake), and the Discord writer never puts such text in a code span, so
# what it writes reads back the same.
SPOILER_MARKUP = re.compile(r"\|\|[^|].*?\|\||>!.*?!<|\[/?spoiler|tg-spoiler", re.IGNORECASE | re.DOTALL)


def text_document(*paragraphs: str) -> Document:
    """A document of plain paragraphs, for replies the bot writes itself."""
    return Document(tuple(Block((Span(p),)) for p in paragraphs if p))


def doc(*blocks: Block) -> Document:
    return Document(tuple(blocks))


def para(*spans: Span | str, kind: BlockKind = "paragraph", spoiler: bool = False) -> Block:
    return Block(tuple(Span(s) if isinstance(s, str) else s for s in spans), kind=kind, spoiler=spoiler)


def bold(text: str) -> Span:
    return Span(text, frozenset({"bold"}))


def italic(text: str) -> Span:
    return Span(text, frozenset({"italic"}))


def link(text: str, url: str) -> Span:
    return Span(text, link=url)


def concat(*docs: Document) -> Document:
    return Document(tuple(b for d in docs for b in d.blocks))


def titled(title: str | Span | Sequence[Span | str], body: Document, *lines: str) -> Document:
    """A bold header line, optional plain lines, then `body`: how the bot frames a review.

    The header is plain text in a bold span, so the writers escape it like any user
    text: a film called ``**||x||**`` cannot open markup in the reply.
    """
    if isinstance(title, str):
        head = para(bold(title))
    elif isinstance(title, Span):
        head = para(title)
    else:
        head = para(*title)
    return Document((head, *(para(t) for t in lines if t), *body.blocks))


def unspoil(d: Document) -> Document:
    """The same document with every spoiler mark removed (for the `none` mode)."""
    return Document(
        tuple(
            replace(
                b,
                spoiler=False,
                source="",
                spans=tuple(replace(s, spoiler=False, source="") for s in b.spans),
            )
            for b in d.blocks
        )
    )


def mark_range(b: Block, start: int, end: int, source: str) -> Block:
    """`b` with its text positions [start, end) made a spoiler from `source`; text that is
    already a spoiler keeps its own source (author markup stays author markup)."""
    out: list[Span] = []
    pos = 0
    for s in b.spans:
        n = len(s.text)
        a, z = max(start, pos), min(end, pos + n)
        if a >= z or s.spoiler:
            out.append(s)
        else:
            if a > pos:
                out.append(replace(s, text=s.text[: a - pos]))
            out.append(replace(s, text=s.text[a - pos : z - pos], spoiler=True, source=source))
            if z < pos + n:
                out.append(replace(s, text=s.text[z - pos :]))
        pos += n
    return replace(b, spans=tuple(out))


def plain_text(d: Document) -> str:
    """All text, spoilers included, as the platforms count it (paragraphs split by a blank line)."""
    return d.plain


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: what Telegram budgets a message in (4096 per message)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def explicit_spoilers(d: Document) -> bool:
    """True if the author (or an admin) marked any spoiler; the detector's guesses don't count."""
    for b in d.blocks:
        if b.spoiler and b.source != DETECTOR_SOURCE:
            return True
        if any(s.spoiler and s.source != DETECTOR_SOURCE for s in b.spans):
            return True
    return False


# --- cleaning and normalisation --------------------------------------------------------------

# C0 controls except \t and \n, DEL, C1 controls, lone surrogates, and the two
# non-characters U+FFFE/U+FFFF: Telegram refuses some of them, a terminal would
# interpret others, none belongs in a review.
_BAD_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The zero-width space our Discord writer puts after "@" and "<" to defuse
# mentions; readers drop it again so text survives a round trip unchanged (and a
# stray one there is meaningless anyway).
_ZWSP_AFTER = re.compile(r"(?<=[@<])\u200b+")
_BLANK_LINE = re.compile(r"\n(?:[^\S\n]*\n)+")
# Characters that render as nothing: a block made only of these (and whitespace)
# is empty, and a message made only of them would be rejected or look empty.
INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u034f\u00ad"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufe0e\ufe0f"
)


def clean_text(text: str) -> str:
    """Newlines unified, control characters and lone surrogates dropped.

    Every reader runs this on its input and every writer on span text, so a
    hand-built document cannot smuggle a NUL to Telegram or an escape sequence
    to a terminal either.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _BAD_CHARS.sub("", text)
    if "\u200b" in text:
        text = _ZWSP_AFTER.sub("", text)
    return text


def has_visible(text: str) -> bool:
    """True if the text shows at least one character (not only whitespace or zero-width marks)."""
    return any(not c.isspace() and c not in INVISIBLE for c in text)


def _attrs(s: Span) -> tuple[frozenset[str], bool, str | None, str]:
    return (s.styles, s.spoiler, s.link, s.source)


def _merge(spans: Iterable[Span]) -> list[Span]:
    """Adjacent spans with equal attributes become one (texts joined once, not pairwise)."""
    groups: list[tuple[Span, list[str]]] = []
    for s in spans:
        if not s.text:
            continue
        if groups and _attrs(groups[-1][0]) == _attrs(s):
            groups[-1][1].append(s.text)
        else:
            groups.append((s, [s.text]))
    return [s if len(texts) == 1 else replace(s, text="".join(texts)) for s, texts in groups]


def slice_spans(spans: Sequence[Span], start: int, end: int) -> list[Span]:
    """The spans covering text positions [start, end) of their concatenation."""
    out: list[Span] = []
    pos = 0
    for s in spans:
        n = len(s.text)
        a, b = max(start, pos), min(end, pos + n)
        if a < b:
            out.append(s if (a, b) == (pos, pos + n) else replace(s, text=s.text[a - pos : b - pos]))
        pos += n
        if pos >= end:
            break
    return out


def _strip_spans(spans: list[Span]) -> list[Span]:
    while spans and not spans[0].text.lstrip():
        spans.pop(0)
    if spans:
        spans[0] = replace(spans[0], text=spans[0].text.lstrip())
    while spans and not spans[-1].text.rstrip():
        spans.pop()
    if spans:
        spans[-1] = replace(spans[-1], text=spans[-1].text.rstrip())
    return spans


def _plain_if_blank(s: Span) -> Span:
    """A whitespace-only span carries no style or link (nothing to show); it keeps its
    spoiler flag, so which whitespace is hidden survives a round trip."""
    if s.text.isspace() and (s.styles or s.link):
        return Span(s.text, spoiler=s.spoiler, source=s.source)
    return s


def _bridge_spoilers(spans: list[Span]) -> list[Span]:
    """Whitespace between two spoiler spans is part of the spoiler: ``||a|| ||b||`` is one
    hidden passage, and a quote whose lines are each wrapped reads back as one."""
    for k in range(1, len(spans) - 1):
        s = spans[k]
        if not s.spoiler and s.text.isspace() and spans[k - 1].spoiler and spans[k + 1].spoiler:
            spans[k] = replace(s, spoiler=True, source=spans[k - 1].source)
    return spans


def normalize(d: Document) -> Document:
    """The canonical form of `d` (see the module docstring); idempotent."""
    blocks: list[Block] = []
    for b in d.blocks:
        spans: list[Span] = []
        prev = ""
        for s in b.spans:
            t = clean_text(s.text)
            if prev in ("@", "<") and t.startswith("\u200b"):
                t = t.lstrip("\u200b")
            if t:
                prev = t[-1]
                spans.append(replace(s, text=t) if t != s.text else s)
        text = "".join(s.text for s in spans)
        cuts = [0]
        for m in _BLANK_LINE.finditer(text):
            cuts += [m.start(), m.end()]
        cuts.append(len(text))
        for a, z in zip(cuts[::2], cuts[1::2], strict=True):
            piece = _strip_spans(slice_spans(spans, a, z))
            piece = _merge(_bridge_spoilers(_merge(_plain_if_blank(s) for s in piece)))
            if piece and has_visible("".join(s.text for s in piece)):
                blocks.append(replace(b, spans=tuple(piece)))
    return Document(tuple(blocks))


def _block_to_obj(b: Block) -> dict[str, Any]:
    o: dict[str, Any] = {"s": [_span_to_obj(s) for s in b.spans]}
    if b.kind != "paragraph":
        o["k"] = b.kind
    if b.spoiler:
        o["x"] = 1
    if b.source:
        o["src"] = b.source
    return o


def _span_to_obj(s: Span) -> dict[str, Any]:
    o: dict[str, Any] = {"t": s.text}
    if s.styles:
        o["st"] = sorted(s.styles)
    if s.spoiler:
        o["x"] = 1
    if s.link:
        o["l"] = s.link
    if s.source:
        o["src"] = s.source
    return o


def _block_from_obj(o: dict[str, Any]) -> Block:
    return Block(
        tuple(
            Span(
                so["t"],
                frozenset(so.get("st", ())),
                bool(so.get("x")),
                so.get("l"),
                so.get("src", ""),
            )
            for so in o["s"]
        ),
        kind=o.get("k", "paragraph"),
        spoiler=bool(o.get("x")),
        source=o.get("src", ""),
    )
