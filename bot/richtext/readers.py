"""Readers: markup in, `Document` out.

Every dialect goes through the same three steps, which is what makes "unclosed
or crossed markup degrades to literal text" true for all of them at once:

1. **Tokenise.** A dialect-specific scanner turns the text into tokens: literal
   text, paragraph breaks, delimiter runs (``*``, ``_``, ``~~``, ``||``), and
   opening/closing tags (``[b]``, ``<i>``, ``>!``, ``](url)`` ...). Backslash
   escapes and code spans are resolved here, so an escaped ``\\|`` can never pair.
2. **Match.** One delimiter-stack matcher pairs openers with closers. A closer
   pairs with the nearest compatible opener; openers above it (crossed markup,
   ``[b]a[i]b[/b]``) fall back to their literal characters, and so does every
   opener left unclosed at the end. Emphasis and Reddit spoilers cannot cross a
   paragraph break; Discord ``||``, BBCode and HTML tags can (people wrap whole
   paragraphs in ``[spoiler]``). Runs of ``*``/``_`` are consumed from the inside
   like CommonMark does, so ``**a***b*`` is bold "a" then italic "b"; a run that
   could open as well as close only closes the innermost open marker.
3. **Build.** A walk over the matched tokens emits spans with the set of styles,
   the link and the spoiler flag that are active, and starts a new block at each
   paragraph break, quote or heading.

Then the paragraph rules that are markup in plain text too (README, "Spoilers"):

* A paragraph starting ``Spoiler:`` / ``Spoilers:`` hides the rest of that
  paragraph; the label stays visible, as on a forum (``Spoiler: ||he dies||``).
* A paragraph starting ``Spoilers ahead`` (also ``Spoiler warning``, ``Spoiler
  alert``, ``Spoilers below``, ``Warning: spoilers``, optionally ``Major``/
  ``Heavy``) stays visible as the warning; the rest of it and every following
  paragraph are spoilers until a paragraph starting ``End of spoilers``,
  ``Spoilers end``, ``Spoilers over``, ``End spoilers``, ``/spoilers`` or
  ``Spoiler-free from here`` (which stays visible), or the end of the text.

``auto`` looks for each dialect's unmistakable markers (`detect_dialects`):
HTML tags decide between the HTML and the markdown family; inside either, ``||``,
``>!…!<`` and BBCode tags are all recognised at once, so a text mixing them works.
The ``||`` of Discord also decides what ``__`` means (underline on Discord, bold in
Markdown) and which backslash escapes apply.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from .model import (
    FAST_PATHS,
    SPOILER_MARKUP,
    Block,
    BlockKind,
    Document,
    Span,
    clean_text,
    has_visible,
    mark_range,
    normalize,
)

DIALECTS = ("auto", "discord", "telegram_html", "reddit", "bbcode", "markdown", "plain", "html")

_STYLE_OF_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strike",
    "strike": "strike",
    "del": "strike",
    "code": "code",
    "pre": "code",
    "tg-spoiler": "spoiler",
    "blockquote": "quote",
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
    "tg-emoji": "none",
    "tg-time": "none",
    "cite": "italic",
    "q": "none",
    "small": "none",
    "sup": "none",
    "sub": "none",
    "mark": "none",
    "font": "none",
}
_BREAK_TAGS = frozenset({"p", "div", "li", "ul", "ol", "tr", "table", "hr", "section", "article"})
_INLINE_STYLES = frozenset({"bold", "italic", "underline", "strike", "code"})
_MAX_URL = 2048


# --- tokens ------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Tok:
    """One token. ``text`` is literal text, or the raw markup to show if it stays unmatched."""

    kind: str  # "text" | "code" | "run" | "open" | "close" | "break" | "mark"
    text: str = ""
    group: str = ""  # what pairs with what
    style: str = ""  # what a matched pair means
    url: str | None = None
    source: str = ""
    cross: bool = False  # may stay open across a paragraph break
    label: str = ""  # visible text emitted before a matched opener ([spoiler=Title])
    block_kind: BlockKind | None = None  # for "break": the kind of the block it starts
    # delimiter runs
    remaining: int = 0
    orig: int = 0
    can_open: bool = False
    can_close: bool = False
    # results of matching: node ids closed before / opened after the literal part
    closes: list[int] = field(default_factory=list)
    opens: list[int] = field(default_factory=list)
    matched: bool = False


@dataclass
class _Node:
    style: str
    url: str | None
    source: str


@dataclass(frozen=True)
class _Features:
    """What the inline scanner recognises."""

    escapes: str = ""  # "" | "discord" | "markdown"
    emphasis: bool = False
    double_underscore: str = "bold"  # "bold" (Markdown) or "underline" (Discord)
    pipes: bool = False  # Discord ||spoiler||
    reddit: bool = False  # >!spoiler!<
    bbcode: bool = False
    links: bool = False  # [text](url), <url>, bare URLs kept literal
    code: bool = False  # `code`
    source: str = "auto"


# Where the spoiler entities of a Telegram message start and end (`intake.with_marks`):
# private-use characters, stripped from any other text, that no URL, tag or code span may swallow.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
_MARKS = MARK_OPEN + MARK_CLOSE

_URL_BODY = r"[^\s<>\"'`|\\\ue000\ue001]+"
_BARE_URL = re.compile(r"https?://" + _URL_BODY)
_TRAILING_PUNCT = ".,:;!?'\")]}"


def _trim_url(url: str) -> str:
    while url and url[-1] in _TRAILING_PUNCT:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


# (an "h" matters only where a bare URL starts: stopping at every "h" of the text cost ~0.1 ms a
# review, and an "h" the scanner stops at and does not take for a URL is kept as it is anyway)
_SPECIAL = re.compile(r"[\\`*_~|>!\[\]<\ue000\ue001]|http")
_BB_TAG = re.compile(
    r"\[(/?)(b|i|u|s|strike|spoiler|url|quote|code|center|size|color|font)(?:=([^\]\n]{0,2048}))?\]",
    re.IGNORECASE,
)
_MD_LINK_CLOSE = re.compile(
    r"\]\(\s*<?((?:[^\s()<>\ue000\ue001]|\([^\s()<>\ue000\ue001]*\))+)>?(?:\s+\"[^\"\n]*\")?\s*\)"
)
_AUTOLINK = re.compile(r"<(https?://[^\s<>\ue000\ue001]+)>")
_BB_CODE_END = re.compile(r"\[/code\]", re.IGNORECASE)
_PIPE_SPACER = re.compile(r"(?<=\\\|)\u200b(?=\u200b*\|\|)")


def _is_ws(c: str) -> bool:
    return c == "" or c.isspace()


def _scan_inline(text: str, f: _Features, out: list[_Tok]) -> None:
    """Tokenise one paragraph's text (no blank lines in it) for the markdown family."""
    n = len(text)
    i = 0
    buf: list[str] = []
    # closers already searched for in vain: searching again from further on is pointless
    # (and would make a text full of unmatched backticks quadratic)
    no_close: set[str] = set()

    def flush() -> None:
        if buf:
            out.append(_Tok("text", "".join(buf)))
            buf.clear()

    while i < n:
        m = _SPECIAL.search(text, i)
        if m is None:
            buf.append(text[i:])
            break
        j = m.start()
        if j > i:
            buf.append(text[i:j])
        i = j
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if c in _MARKS:
            flush()
            out.append(_Tok("mark", group="open" if c == MARK_OPEN else "close"))
            i += 1
            continue
        if c == "\\" and f.escapes and nxt:
            ok = (
                (not nxt.isalnum() and not nxt.isspace())
                if f.escapes == "discord"
                else (nxt.isascii() and not nxt.isalnum() and not nxt.isspace())
            )
            if ok:
                buf.append(nxt)
                i += 2
                continue
        elif c == "`" and f.code:
            k = i
            while k < n and text[k] == "`":
                k += 1
            ticks = text[i:k]
            close = None
            if ticks not in no_close:
                close = re.compile(r"(?<!`)" + ticks + r"(?!`)").search(text, k)
                if close is None:
                    no_close.add(ticks)
            if (
                close
                and close.start() > k
                and not any(m in text[k : close.start()] for m in _MARKS)
                and not SPOILER_MARKUP.search(text, k, close.start())
            ):
                body = text[k : close.start()]
                if len(body) > 2 and body[0] == " " and body[-1] == " " and body.strip():
                    body = body[1:-1]
                flush()
                out.append(_Tok("code", body))
                i = close.end()
                continue
            buf.append(ticks)
            i = k
            continue
        elif c in "*_" and f.emphasis:
            k = i
            while k < n and text[k] == c:
                k += 1
            prev = text[i - 1] if i > 0 else ""
            after = text[k] if k < n else ""
            if c == "*" or (k - i >= 2 and f.double_underscore == "underline"):
                # Discord's "*" and "__" work inside words; "_" (and Markdown's "__") do not
                can_open, can_close = not _is_ws(after), not _is_ws(prev)
            else:
                can_open = not _is_ws(after) and not prev.isalnum()
                can_close = not _is_ws(prev) and not after.isalnum()
            flush()
            group = c
            out.append(
                _Tok(
                    "run", c * (k - i), group=group, remaining=k - i, orig=k - i, can_open=can_open, can_close=can_close
                )
            )
            i = k
            continue
        elif c == "~" and f.emphasis:
            k = i
            while k < n and text[k] == "~":
                k += 1
            if k - i == 2:
                flush()
                out.append(_Tok("run", "~~", group="~", remaining=2, can_open=True, can_close=True))
            else:
                buf.append(text[i:k])
            i = k
            continue
        elif c == "|" and f.pipes:
            k = i
            while k < n and text[k] == "|":
                k += 1
            pairs = (k - i) // 2
            if pairs:
                flush()
                out.append(
                    _Tok(
                        "run",
                        "||" * pairs,
                        group="|",
                        remaining=2 * pairs,
                        can_open=True,
                        can_close=True,
                        source="discord",
                        cross=True,
                    )
                )
            if (k - i) % 2:
                buf.append("|")
            i = k
            continue
        elif c == ">" and f.reddit and nxt == "!":
            flush()
            out.append(_Tok("open", ">!", group="reddit", style="spoiler", source="reddit", cross=True))
            i += 2
            continue
        elif c == "!" and f.reddit and nxt == "<":
            flush()
            out.append(_Tok("close", "!<", group="reddit", style="spoiler", source="reddit", cross=True))
            i += 2
            continue
        elif c == "[":
            if f.bbcode:
                bm = _BB_TAG.match(text, i)
                if bm:
                    flush()
                    if bm.group(2).lower() == "code" and not bm.group(1):
                        i = _bb_code(text, bm, out, no_close)
                    else:
                        _bb_token(bm, out)
                        i = bm.end()
                    continue
            if f.links:
                flush()
                out.append(_Tok("open", "[", group="link", style="link"))
                i += 1
                continue
        elif c == "]" and f.links:
            lm = _MD_LINK_CLOSE.match(text, i)
            if lm and _safe_url(lm.group(1)):  # a link we could not keep stays literal text
                flush()
                out.append(_Tok("close", lm.group(0), group="link", style="link", url=lm.group(1)))
                i = lm.end()
                continue
        elif c == "<" and f.links:
            am = _AUTOLINK.match(text, i)
            if am:
                flush()
                url = am.group(1)
                out.append(_Tok("open", "", group="auto", style="link", url=url))
                out.append(_Tok("text", url))
                out.append(_Tok("close", "", group="auto", style="link"))
                i = am.end()
                continue
        elif c == "h" and f.links and (i == 0 or not text[i - 1].isalnum()):
            um = _BARE_URL.match(text, i)
            if um:
                url = _trim_url(um.group(0))
                buf.append(url)  # literal: no emphasis inside a URL
                i += len(url)
                continue
        buf.append(c)
        i += 1
    flush()


def _text_and_marks(text: str, out: list[_Tok]) -> None:
    """Literal text, with the spoiler-entity marks in it as tokens of their own."""
    pos = 0
    for k, c in enumerate(text):
        if c in _MARKS:
            if k > pos:
                out.append(_Tok("text", text[pos:k]))
            out.append(_Tok("mark", group="open" if c == MARK_OPEN else "close"))
            pos = k + 1
    if pos < len(text):
        out.append(_Tok("text", text[pos:]))


def _bb_token(m: re.Match[str], out: list[_Tok]) -> None:
    closing, name, arg = m.group(1), m.group(2).lower(), m.group(3)
    group = "s" if name == "strike" else name
    style = {
        "b": "bold",
        "i": "italic",
        "u": "underline",
        "s": "strike",
        "spoiler": "spoiler",
        "url": "link",
        "quote": "quote",
    }.get(group, "none")
    if closing:
        out.append(_Tok("close", m.group(0), group="bb:" + group, style=style, source="bbcode", cross=True))
        return
    tok = _Tok("open", m.group(0), group="bb:" + group, style=style, source="bbcode", cross=True)
    if group == "url" and arg:
        tok.url = _safe_url(arg.strip().strip("\"'"))
        if tok.url is None:  # a link we could not keep stays literal text
            out.append(_Tok("text", m.group(0)))
            return
    elif group == "spoiler" and arg and arg.strip().strip("\"'"):
        tok.label = arg.strip().strip("\"'") + ": "
    out.append(tok)


def _bb_code(text: str, m: re.Match[str], out: list[_Tok], no_close: set[str]) -> int:
    end = None if "[/code]" in no_close else _BB_CODE_END.search(text, m.end())
    if end and (
        any(c in text[m.end() : end.start()] for c in _MARKS) or SPOILER_MARKUP.search(text, m.end(), end.start())
    ):
        end = None  # a spoiler entity or spoiler markup inside: not code, so the mark is seen
    if not end:
        no_close.add("[/code]")
        out.append(_Tok("text", m.group(0)))
        return m.end()
    out.append(_Tok("code", text[m.end() : end.start()]))
    return end.end()


# --- the markdown family: blocks first, then inline ----------------------------------------------

_BLANK_SPLIT = re.compile(r"\n(?:[^\S\n]*\n)+")


def _md_raw_blocks(text: str, f: _Features, max_heading: int, quotes: bool) -> list[tuple[BlockKind, str]]:
    """Paragraphs (split at blank lines), with quote lines and heading lines made blocks of their own."""
    # "> " with a space (or ">" alone): ">.<" or ">!spoiler!<" at a line start is not a quote
    quote_re = re.compile(r"^ {0,3}>(?:>>)?(?: |$)") if quotes else None
    heading_re = re.compile(r"^ {0,3}(#{1,%d})[ \t]+(\S.*)$" % max_heading) if max_heading else None  # noqa: UP031
    blocks: list[tuple[BlockKind, str]] = []
    for para in _BLANK_SPLIT.split(text):
        lines: list[tuple[BlockKind, str]] = []
        rest_quoted = False
        for line in para.split("\n"):
            if rest_quoted:
                lines.append(("quote", line))
            elif quote_re is not None and quote_re.match(line):
                content = line.lstrip(" ")
                if f.pipes and content.startswith(">>> "):
                    rest_quoted = True
                    content = content[4:]
                else:
                    content = content[1:]
                    if content.startswith(" "):
                        content = content[1:]
                lines.append(("quote", content))
            elif heading_re is not None and (hm := heading_re.match(line)):
                lines.append(("heading", hm.group(2).rstrip().rstrip("#").rstrip() or hm.group(2)))
            else:
                lines.append(("paragraph", line))
        for k, (kind, content) in enumerate(lines):
            if blocks and k and kind == lines[k - 1][0] and kind != "heading":
                blocks[-1] = (kind, blocks[-1][1] + "\n" + content)
            else:
                blocks.append((kind, content))
    return blocks


def _tokens_markdown(text: str, f: _Features, max_heading: int = 6, quotes: bool = True) -> list[_Tok]:
    toks: list[_Tok] = []
    for kind, body in _md_raw_blocks(text, f, max_heading, quotes):
        toks.append(_Tok("break", block_kind=kind))
        _scan_inline(body, f, toks)
    return toks


# --- HTML (Telegram's subset and Letterboxd review HTML) ------------------------------------------

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>\ue000\ue001]*?)?)\s*/?>|<!--[\s\S]*?-->|</>")
_ATTR = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_TG_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7}));?")


def _tg_unescape(s: str) -> str:
    """Telegram's entity decoding: only lt/gt/amp/quot by name, numeric ones, ';' optional."""

    def sub(m: re.Match[str]) -> str:
        if m.group(1):
            return {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}[m.group(1).lower()]
        code = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return m.group(0)
        return chr(code)

    return _TG_ENTITY.sub(sub, s) if "&" in s else s


def _attrs(raw: str, unescape: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR.finditer(raw):
        val = m.group(2) if m.group(2) is not None else m.group(3) if m.group(3) is not None else m.group(4)
        v = val or ""
        out[m.group(1).lower()] = _html.unescape(v) if unescape else _tg_unescape(v)
    return out


def _tokens_html(text: str, telegram: bool, inline: _Features | None) -> list[_Tok]:
    """Tokenise HTML. `telegram`: Telegram's rules (unknown tags literal, four named entities,
    newlines significant); else Letterboxd-style HTML (unknown tags dropped, all entities,
    whitespace collapsed when the text uses <p>/<br> for its layout)."""
    collapse = not telegram and re.search(r"<(p|br|div)\b", text, re.IGNORECASE) is not None
    unescape = _tg_unescape if telegram else _html.unescape
    toks: list[_Tok] = [_Tok("break")]
    source = "telegram_html" if telegram else "html"

    def emit_text(s: str) -> None:
        if not s:
            return
        s = unescape(s)
        if telegram:
            s = s.replace("@\u2060", "@")  # the writer's mention guard (writers._tg_defuse)
        if collapse:
            s = re.sub(r"\s+", " ", s)
            pieces = [s]
        else:
            pieces = _BLANK_SPLIT.split(s)
        for k, piece in enumerate(pieces):
            if k:
                toks.append(_Tok("break"))
            if inline is not None:
                _scan_inline(piece, inline, toks)
            elif piece:
                _text_and_marks(piece, toks)

    pos = 0
    for m in _TAG.finditer(text):
        emit_text(text[pos : m.start()])
        pos = m.end()
        raw = m.group(0)
        if raw.startswith("<!--") or raw == "</>":
            if telegram and raw == "</>":
                toks.append(_Tok("close", raw, group="*", source=source, cross=True))
            continue
        closing, name, rest = m.group(1), m.group(2).lower(), m.group(3) or ""
        if name == "br":
            toks.append(_Tok("text", "\n"))
            continue
        if name in _BREAK_TAGS and not telegram:
            toks.append(_Tok("break"))
            continue
        style = _STYLE_OF_TAG.get(name)
        if name == "a":
            style = "link"
        elif name == "span":
            style = "none"
        if style is None:
            if telegram:
                toks.append(_Tok("text", raw))  # Telegram refuses unknown tags; as input they are text
            continue
        if closing:
            toks.append(_Tok("close", raw, group=name, style=style, source=source, cross=True))
            continue
        attrs = _attrs(rest, unescape=not telegram)
        tok = _Tok("open", raw, group=name, style=style, source=source, cross=True)
        if name == "a":
            tok.url = attrs.get("href") or None
        elif name == "span" and "tg-spoiler" in attrs.get("class", "").split():
            tok.style = "spoiler"
        toks.append(tok)
    emit_text(text[pos:])
    return toks


# --- matching ----------------------------------------------------------------------------------


def _run_style(group: str, use: int, f: _Features) -> str:
    if group == "|":
        return "spoiler"
    if group == "~":
        return "strike"
    if use == 2:
        return f.double_underscore if group == "_" else "bold"
    return "italic"


def _pick_opener(toks: list[_Tok], cands: list[int], closer: _Tok) -> int | None:
    """The innermost opener `closer` may pair with, by CommonMark's "rule of 3": when either
    run could open and close, runs whose lengths add up to a multiple of 3 do not pair
    (so in ``**a*b***`` the middle ``*`` opens instead of eating half of ``**``)."""
    if closer.group not in "*_":
        return cands[-1]
    for j in reversed(cands[-20:]):
        op = toks[j]
        both = (op.can_open and op.can_close) or (closer.can_open and closer.can_close)
        total = op.orig + closer.orig
        if both and total % 3 == 0 and not (op.orig % 3 == 0 and closer.orig % 3 == 0):
            continue
        return j
    return None


def _match(toks: list[_Tok], f: _Features) -> list[_Node]:
    """Pair openers and closers (see the module docstring). Fills closes/opens/matched.

    Linear in practice: every opener is pushed and dropped at most once, and a
    paragraph break drops the non-crossing groups wholesale (lazily, via `dead`).
    """
    nodes: list[_Node] = []
    stack: list[int] = []  # token indices of openers, innermost last (may hold dead ones)
    by_group: dict[str, list[int]] = {}  # live openers per pairing group
    dead: set[int] = set()

    def push(i: int) -> None:
        stack.append(i)
        by_group.setdefault(toks[i].group, []).append(i)

    def pop_to(depth: int) -> None:
        """Drop every opener above stack position `depth` (they stay literal)."""
        while len(stack) > depth:
            j = stack.pop()
            if j in dead:
                dead.discard(j)
            else:
                by_group[toks[j].group].pop()

    def top_live() -> int | None:
        while stack and stack[-1] in dead:
            dead.discard(stack.pop())
        return stack[-1] if stack else None

    def position(j: int) -> int:
        lo, hi = 0, len(stack)
        while lo < hi:
            mid = (lo + hi) // 2
            if stack[mid] < j:
                lo = mid + 1
            else:
                hi = mid
        return lo

    for i, tok in enumerate(toks):
        if tok.kind == "break":
            for members in by_group.values():
                if members and not toks[members[0]].cross:
                    dead.update(members)
                    members.clear()
            continue
        if tok.kind == "run":
            if tok.can_close:
                while tok.remaining > 0:
                    cands = by_group.get(tok.group)
                    if not cands:
                        break
                    j = _pick_opener(toks, cands, tok)
                    if j is None:
                        break
                    if tok.can_open and tok.group in "*_" and top_live() != j:
                        # a run that could open as well only closes the innermost opener: in
                        # "__**_x_**__" the first "_" opens, it does not pair with "__"
                        break
                    op = toks[j]
                    use = 2 if tok.group in "|~" else (2 if op.remaining >= 2 and tok.remaining >= 2 else 1)
                    if op.remaining < use or tok.remaining < use:
                        break
                    node = len(nodes)
                    nodes.append(_Node(_run_style(tok.group, use, f), None, tok.source or op.source))
                    op.opens.append(node)
                    tok.closes.append(node)
                    op.remaining -= use
                    tok.remaining -= use
                    depth = position(j)
                    pop_to(depth + 1)
                    if op.remaining == 0:
                        pop_to(depth)
            if tok.remaining > 0 and tok.can_open:
                push(i)
            continue
        if tok.kind == "open":
            push(i)
            continue
        if tok.kind == "close":
            if tok.group == "*":  # Telegram's "</>" closes whatever is innermost
                top = top_live()
                cands = [top] if top is not None and toks[top].kind == "open" else []
            else:
                cands = by_group.get(tok.group) or []
            if cands:
                j = cands[-1]
                op = toks[j]
                url = op.url if op.url is not None else tok.url
                node = len(nodes)
                nodes.append(_Node(op.style, url, op.source or tok.source))
                op.opens.append(node)
                op.matched = True
                tok.closes.append(node)
                tok.matched = True
                pop_to(position(j))
    return nodes


# --- building ----------------------------------------------------------------------------------


def _build(toks: list[_Tok], nodes: list[_Node]) -> Document:
    """Walk matched tokens and emit spans; attributes are kept as counters so deep
    nesting stays cheap."""
    blocks: list[tuple[BlockKind, list[tuple[str, frozenset[str], str | None, int | None]]]] = []
    cur: list[tuple[str, frozenset[str], str | None, int | None]] = []
    cur_kind: BlockKind = "paragraph"
    forced_kind: BlockKind | None = None
    style_count: dict[str, int] = {}
    spoilers: dict[int, str] = {}  # active spoiler node -> source
    links: dict[int, None] = {}  # active link nodes, in opening order
    styles_now: frozenset[str] = frozenset()
    link_text: dict[int, list[str]] = {}
    # Spoiler entities (marks) are ranges of the raw text, not markup: they never pair
    # with or cross anything, so they are counted here instead of matched.
    marked = 0

    def new_block(kind: BlockKind | None) -> None:
        nonlocal cur, cur_kind
        if cur:
            blocks.append((cur_kind, cur))
        cur = []
        if style_count.get("heading"):
            cur_kind = "heading"
        elif style_count.get("quote"):
            cur_kind = "quote"
        else:
            cur_kind = kind or forced_kind or "paragraph"

    def emit(text: str, extra: str | None = None) -> None:
        if not text:
            return
        styles = styles_now | {extra} if extra else styles_now
        spoiler_src = next(iter(spoilers.values())) if spoilers else "telegram" if marked > 0 else None
        link_node = next(reversed(links)) if links else None
        if link_node is not None:
            link_text.setdefault(link_node, []).append(text)
        cur.append((text, styles, spoiler_src, link_node))

    def toggle(nid: int, opening: bool) -> None:
        nonlocal styles_now
        nd = nodes[nid]
        if nd.style == "spoiler":
            if opening:
                spoilers[nid] = nd.source or "markup"
            else:
                spoilers.pop(nid, None)
        elif nd.style == "link":
            if opening:
                links[nid] = None
            else:
                links.pop(nid, None)
        elif nd.style != "none":
            style_count[nd.style] = style_count.get(nd.style, 0) + (1 if opening else -1)
            styles_now = frozenset(k for k, v in style_count.items() if v > 0 and k in _INLINE_STYLES)
            if nd.style in ("quote", "heading"):
                new_block(None)

    for tok in toks:
        if tok.kind == "break":
            forced_kind = tok.block_kind
            new_block(tok.block_kind)
            continue
        if tok.kind == "mark":
            marked += 1 if tok.group == "open" else -1
            continue
        for nid in tok.closes:
            toggle(nid, False)
        if tok.kind == "text":
            emit(tok.text)
        elif tok.kind == "code":
            emit(tok.text, "code")
        elif tok.kind == "run":
            emit(tok.text[: tok.remaining])
        elif not tok.matched:
            emit(tok.text)
        elif tok.label:
            emit(tok.label)
        for nid in tok.opens:
            toggle(nid, True)
    new_block(None)

    out: list[Block] = []
    for kind, raw_spans in blocks:
        spans = []
        for text, styles, spoiler_src, link_node in raw_spans:
            url = None
            if link_node is not None:
                url = nodes[link_node].url or "".join(link_text.get(link_node, [])).strip()
                url = _safe_url(url)
            spans.append(Span(text, styles, spoiler=spoiler_src is not None, link=url, source=spoiler_src or ""))
        out.append(Block(tuple(spans), kind=kind))
    return Document(tuple(out))


def _safe_url(url: str | None) -> str | None:
    """Keep a link only if it is a plain web or mail address we can hand to a platform."""
    if not url:
        return None
    url = clean_text(url).strip()
    if len(url) > _MAX_URL or any(c.isspace() for c in url):
        return None
    if re.match(r"(?i)^(https?://|mailto:)\S", url):
        return url
    if re.match(r"^www\.[\w-]+\.\S", url):
        return "https://" + url
    return None


def read_discord_inline(raw: str) -> list[tuple[str, frozenset[str]]]:
    """(text, styles) runs of one piece of Discord inline markdown, as this reader sees it.

    The Discord writer uses it to check, for the rare mixes of bold, italic and
    underline inside words that Markdown cannot express unambiguously, that what it
    wrote reads back as meant (and to write simpler markup when it would not).
    """
    f = _features("discord", set())
    toks = [_Tok("break")]
    _scan_inline(raw, f, toks)
    doc = _build(toks, _match(toks, f))
    return [(s.text, s.styles) for b in doc.blocks for s in b.spans]


# --- paragraph rules ---------------------------------------------------------------------------

_SPOILER_LABEL = re.compile(r"^\W{0,3}spoilers?(?!\s*[-–—]?\s*free\b)\s*[:\-–—]\s*", re.IGNORECASE)
_AHEAD = re.compile(
    r"^\W{0,3}(?:(?:major|minor|heavy|big|mild|huge|full|plot)\s+)?"
    r"(?:spoilers?\s*(?:ahead|below|follow|warning|alert)|warning\s*[:\-–—]?\s*spoilers?(?:\s+ahead|\s+below)?)"
    r"\b[^\w\n]*",
    re.IGNORECASE,
)
_END = re.compile(
    r"^\W{0,3}(?:end\s+(?:of\s+)?spoilers?|spoilers?\s+(?:end|over|done)|/spoilers?\b|spoiler[- ]free\s+from\s+here)"
    r"\b[^\w\n]*",
    re.IGNORECASE,
)


def _split_at(b: Block, offset: int, source: str) -> Block:
    """`b` with everything after text position `offset` turned into a spoiler."""
    return mark_range(b, offset, len(b.text), source)


# Cues inside a paragraph (README, "Spoilers"): "Perfect noir. SPOILER: the ending…",
# "(spoilers) the twist…", "… spoilers below." A "label" cue hides the rest of its
# paragraph; an "ahead" cue hides everything after it. Either stops at an explicit
# end marker. "No spoilers:", "spoiler-free" and "Spoilers: none" are not cues.
_CUE_AHEAD = (
    r"(?:(?:major|minor|heavy|big|mild|huge|full|plot|some|massive)\s+)?"
    r"(?:spoilers?\s*(?:ahead|below|follow(?:ing)?|coming)|(?:spoiler|spoilers)\s+(?:warning|alert)"
    r"|warning\s*[:\-–—]?\s*(?:(?:major|minor|heavy|mild)\s+)?spoilers?(?:\s+(?:ahead|below))?)"
)
_CUE = re.compile(
    r"(?P<open>\(\s*)?"
    r"(?:(?P<ahead>" + _CUE_AHEAD + r")\b|(?P<label>(?:(?:major|minor|heavy|big|mild|huge|plot)\s+)?spoilers?)"
    r"(?=\s*[:\-–—)]))"
    r"(?(open)\s*\))[^\w\n(]*",
    re.IGNORECASE,
)
_CUE_NEGATED = re.compile(
    r"(?:\b(?:no|not|without|zero|free\s+of|avoid(?:ing)?|any|never)\s+|non-)$|[\w-]$", re.IGNORECASE
)
_CUE_NOT_AFTER = re.compile(r"\s*(?:[-–—]?\s*free\b|none\b|n/a\b|nope\b)", re.IGNORECASE)
_END_INLINE = re.compile(
    r"[(\[]?\s*(?:end\s+(?:of\s+)?spoilers?|spoilers?\s+(?:end|over|done)|/spoilers?\b)\s*[)\]]?[^\w\n]*",
    re.IGNORECASE,
)


# Every `_CUE` match contains this word (both its branches spell "spoiler"), matched by the same
# engine under the same flag, so where it does not occur there is no cue. `_CUE` has no literal
# prefix for `re` to skip ahead with and tries itself at every position (~0.2 ms a review); this
# is one fast pass, and almost every review has no cue at all.
_CUE_WORD = re.compile("spoiler", re.IGNORECASE)


def _cue_at(text: str, pos: int) -> re.Match[str] | None:
    """The next real spoiler cue in `text` from `pos` on (the same answer as `_cue_scan`, faster)."""
    if _CUE_WORD.search(text, pos) is None:
        return None
    return _cue_scan(text, pos)


# Where a `_CUE` match can start: at "(" or at one of the words it opens with (same flag).
_CUE_START = re.compile(r"(?=\(|major|minor|heavy|big|mild|huge|full|plot|some|massive|warning|spoiler)", re.IGNORECASE)


def _cue_matches(text: str, pos: int) -> Iterator[re.Match[str]]:
    """``_CUE.finditer(text, pos)``, trying `_CUE` only where a match can start (the same
    leftmost, non-overlapping matches): it has no literal prefix for `re` to skip ahead with,
    and trying it at every character of a review took ~0.3 ms."""
    if not FAST_PATHS.enabled:
        yield from _CUE.finditer(text, pos)
        return
    for c in _CUE_START.finditer(text, pos):
        if c.start() >= pos and (m := _CUE.match(text, c.start())) is not None:
            yield m
            pos = m.end()


def _cue_scan(text: str, pos: int) -> re.Match[str] | None:
    """The next real spoiler cue in `text` from `pos` on, by trying `_CUE` everywhere."""
    for m in _cue_matches(text, pos):
        if _CUE_NEGATED.search(text[max(0, m.start() - 16) : m.start()]):
            continue
        if _CUE_NOT_AFTER.match(text, m.end()) and not m.group("open"):
            continue
        return m
    return None


def apply_paragraph_rules(d: Document) -> Document:
    """The spoiler cues of plain text (module docstring): labels, warnings and end markers."""
    out: list[Block] = []
    ahead = False
    for b in d.blocks:
        text = b.text
        if ahead:
            em = _END.match(text)
            if em:
                ahead = False
                out.append(b)
                continue
            em = _END_INLINE.search(text)
            if em is None:
                out.append(b if b.spoiler else replace(b, spoiler=True, source="label"))
                continue
            # the end marker inside this paragraph: hidden up to it, cues after it still count
            b = mark_range(b, 0, em.start(), "label")
            ahead = False
            pos = em.end()
        else:
            pos = 0
        while not ahead:
            m = _AHEAD.match(text, pos) if pos == 0 else None
            m = m or _cue_at(text, pos)
            if m is None:
                break
            rest = text[m.end() :]
            em = _END_INLINE.search(text, m.end())
            kind_ahead = m.re is _AHEAD or bool(m.groupdict().get("ahead"))
            if em is not None:
                b = mark_range(b, m.end(), em.start(), "label")
                pos = em.end()
                continue
            if kind_ahead or not has_visible_word(rest):
                ahead = True
            if has_visible_word(rest):
                b = _split_at(b, m.end(), "label")
            break
        out.append(b)
    return Document(tuple(out))


def has_visible_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


# --- entry points ------------------------------------------------------------------------------

# A tag we understand, in any attribute order and quote style: Telegram's own
# ``<span class="tg-spoiler">`` (or ``<span id=x class='tg-spoiler'>``) is HTML on
# its own, with no other tag in the text.
_HTML_HINT = re.compile(
    r"<(?:(?:span\s[^<>]*?\bclass|a\s[^<>]*?\bhref)\s*=[^<>]*"
    r"|(?:tg-spoiler|b|strong|i|em|u|ins|s|strike|del|code|pre|blockquote|p|br|div|h[1-6])(?:\s[^<>]*)?/?)>",
    re.IGNORECASE,
)
_TG_HINT = re.compile(
    r"<(?:tg-spoiler|tg-emoji|span\s[^<>]*?\bclass\s*=\s*[\"']?[^\"'<>]*?\btg-spoiler\b)", re.IGNORECASE
)


_BB_OPEN = re.compile(r"\[(b|i|u|s|spoiler|url|quote|code)(?:=[^\]\n]{0,300})?\]", re.IGNORECASE)
_MD_HINT = re.compile(
    r"(?:^|\n) {0,3}#{1,6} \S|\[[^\]\n]{1,300}\]\([^)\s]{1,2048}\)|\*\*[^*\n]{1,300}\*\*"
    r"|(?:^|\W)_[^_\n]{1,300}_(?:\W|$)|__[^_\n]{1,300}__"
)


def detect_dialects(text: str) -> set[str]:
    """Which markups a text uses, by their unmistakable markers (may be several, or none).

    Written with plain searches rather than lazy regexes so a 100 KB text of
    unmatched markers is still linear.
    """
    found: set[str] = set()
    if _HTML_HINT.search(text):
        found.add("telegram_html" if _TG_HINT.search(text) else "html")
    first = text.find("||")
    if first >= 0 and text.find("||", first + 3) >= 0:
        found.add("discord")
    first = text.find(">!")
    if first >= 0 and text.find("!<", first + 2) >= 0:
        found.add("reddit")
    lower = text.lower()
    for k, m in enumerate(_BB_OPEN.finditer(text)):
        if k > 50:
            break
        if f"[/{m.group(1).lower()}]" in lower[m.end() :]:
            found.add("bbcode")
            break
    if _MD_HINT.search(text):
        found.add("markdown")
    return found


def _features(dialect: str, found: set[str]) -> _Features:
    md = _Features(escapes="markdown", emphasis=True, links=True, code=True, source=dialect)
    if dialect == "discord":
        return replace(md, escapes="discord", double_underscore="underline", pipes=True)
    if dialect == "markdown":
        return md
    if dialect == "reddit":
        return replace(md, reddit=True)
    if dialect == "bbcode":
        return _Features(bbcode=True, source=dialect)
    if dialect == "plain":
        return _Features(source=dialect)
    # auto, markdown family: everything at once; Discord's rules if its spoilers are there
    discordish = "discord" in found
    return replace(
        md,
        escapes="discord" if discordish else "markdown",
        double_underscore="underline" if discordish else "bold",
        pipes=True,
        reddit=True,
        bbcode=True,
    )


def _no_stray_marks(d: Document) -> Document:
    """A mark the scanner could not see (it fell inside something taken literally) hides its whole block."""
    if not any(c in s.text for b in d.blocks for s in b.spans for c in _MARKS):
        return d
    blocks = []
    for b in d.blocks:
        if any(c in s.text for s in b.spans for c in _MARKS):
            spans = tuple(replace(s, text=s.text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")) for s in b.spans)
            b = replace(b, spans=spans, spoiler=True, source=b.source if b.spoiler else "telegram")
        blocks.append(b)
    return normalize(Document(tuple(blocks)))


# Every character any dialect's scanner or block rule acts on (escapes, code, emphasis, strike,
# Discord and Reddit spoilers, quotes, headings, BBCode and Markdown links, HTML tags, bare URLs,
# the spoiler-entity marks). A text with none of them is plain paragraphs whatever the dialect
# detection says, which is most reviews (`_plain`).
_MARKUP = re.compile(r"[\\`*_~|<>\[\]#\ue000\ue001]")  # and "http" (`_plain`)


def _plain(text: str) -> Document | None:
    """`text` (cleaned) read as plain paragraphs, or None if it has any markup character.

    Why: the tokeniser, matcher and builder cost ~0.1 ms a review, and for text without a
    markup character all they can produce is one plain span per paragraph (stripped, empty
    ones dropped), then the paragraph cue rules; this builds that directly. Property tests
    (tests/test_richtext_fastpaths.py) check it equals the full path on any text.
    """
    if "http" in text or _MARKUP.search(text) is not None:
        return None
    blocks = []
    for para in _BLANK_SPLIT.split(text):
        para = para.strip()
        if para and has_visible(para):
            blocks.append(Block((Span(para),)))
    d = Document(tuple(blocks))
    return apply_paragraph_rules(d) if _has_cue_word(text) else d


def _has_cue_word(text: str) -> bool:
    """`_CUE_WORD` in `text`: for ASCII text a plain substring test on its lower case (IGNORECASE
    matches an ASCII letter only by an ASCII letter there), else the pattern itself."""
    if text.isascii():
        return "spoiler" in text.lower()
    return _CUE_WORD.search(text) is not None


def plain_paragraphs(text: str) -> Document | None:
    """What `parse(text)` gives for a text with no markup character and no spoiler cue (None for
    any other text, or with the fast paths off): normalised plain paragraphs, nothing hidden."""
    if not FAST_PATHS.enabled:
        return None
    text = clean_text(text)
    if _has_cue_word(text):
        return None
    return _plain(text)


def parse(text: str, dialect: str = "auto") -> Document:
    """Parse review text in any supported dialect into a (normalised) document.

    Never raises on content: any string comes back as a document holding all of
    its text, with markup it could not pair left as literal characters. Raises
    `ValueError` only for an unknown dialect name.

    The private-use characters MARK_OPEN/MARK_CLOSE in `text` delimit spoilers
    whatever the markup says: `intake.with_marks` puts them where Telegram's spoiler
    entities were, which a member sets in the app and which leave no trace in the text.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")
    text = clean_text(text if isinstance(text, str) else str(text))
    if dialect == "auto" and FAST_PATHS.enabled and (plain := _plain(text)) is not None:
        return plain
    if dialect in ("discord", "auto") and "\u200b||" in text:
        # the Discord writer's spacer between an escaped "|" and the closing "||" (exactly one)
        text = _PIPE_SPACER.sub("", text)
    found = detect_dialects(text) if dialect in ("auto", "html") else set()
    if dialect in ("telegram_html", "html") or (dialect == "auto" and found & {"telegram_html", "html"}):
        telegram = dialect == "telegram_html" or (dialect == "auto" and "telegram_html" in found)
        inline = None
        # Spoiler markup of the other dialects inside HTML (a Letterboxd review with ||…||
        # or >!…!<) is the author's markup too.
        if "&" in text and not telegram:  # ">!" written as "&gt;!" is still Reddit's marker
            found |= detect_dialects(_html.unescape(text)) & {"discord", "reddit", "bbcode"}
        if found & {"discord", "reddit", "bbcode"}:
            inline = _Features(
                pipes="discord" in found, reddit="reddit" in found, bbcode="bbcode" in found, source="auto"
            )
        toks = _tokens_html(text, telegram, inline)
        f = inline or _Features()
    else:
        f = _features(dialect, found)
        if dialect in ("plain", "bbcode"):
            toks = []
            for para in _BLANK_SPLIT.split(text):
                toks.append(_Tok("break"))
                _scan_inline(para, f, toks)
        else:
            toks = _tokens_markdown(text, f, max_heading=3 if dialect == "discord" else 6)
    nodes = _match(toks, f)
    return apply_paragraph_rules(_no_stray_marks(normalize(_build(toks, nodes))))
