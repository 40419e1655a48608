"""Writers: `Document` in, platform text out.

Every writer treats span text as untrusted user text: the bot's own replies are
documents too, and a film title or a review can contain anything.

Telegram HTML (Bot API, "HTML style"): only ``b i u s code a tg-spoiler blockquote``;
``& < > "`` are escaped; tags nest strictly (spoiler outermost, then the link,
then strike/underline/bold/italic), so any end tag matches the innermost open
one. ``code`` is used only for a span with no other attribute, because Telegram
lets nothing nest with ``code``. Links are kept only for http(s)/mailto URLs:
``tg://user?id=…`` from a review would be a mention, and a word joiner follows
every ``@`` that starts a username, so ``@name`` notifies nobody.

Discord markdown (Discord's markdown rules, as ``tests/checks/discord_markdown.py`` reads them):

* ``\\ * _ ~ | ` [ ]`` are backslash-escaped everywhere, and ``> # - +`` and
  ``1.`` at a line start, so user text can neither open nor close the bot's
  markup; ``!`` next to ``>``/``<`` is escaped so ``>!…!<`` cannot appear.
* Spoilers are ``||…||`` around a run of spoiler spans. Discord closes a spoiler
  at the first ``||`` it meets, escaped or not, so a spoiler whose raw text ends
  in an escaped ``|`` (possibly followed by zero-width spaces of the user's) gets
  one more zero-width space before the closing ``||``, which the Discord reader
  removes again.
* Mentions (``@everyone``, ``@here``, ``<@id>``, ``<@&id>``, ``<#id>``, and the
  other ``<x:…>`` forms) get a zero-width space after ``@``/``<``; the readers
  drop exactly those zero-width spaces again. The adapter also sends
  ``allowed_mentions`` none: belt and braces.
* Styles are closed at every spoiler boundary and at line ends in quotes, and
  whitespace is moved outside emphasis markers (Discord ignores ``* a *``).
  Italic is ``*x*``, or ``_x_`` where a ``*`` would touch another ``*`` marker.
* Bare URLs are written as ``<url>`` so nothing after them (``||``) can be
  swallowed into the link, and their ``_`` need no escaping; masked links are
  ``[text](<url>)`` for the same reason, and only for text without brackets
  (Discord's link rule cannot take ``[`` in the text, escaped or not). A stray
  ``http://`` in text gets its ``:`` escaped.
* Headings become bold lines; quotes get ``> `` on every line.

Console: plain text, spoilers replaced by ``[spoiler hidden]`` unless revealed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .model import SPOILER_MARKUP, Block, Document, Span, has_visible, normalize
from .readers import _AHEAD, _END, _SPOILER_LABEL, read_discord_inline

SPOILER_MASK = "[spoiler hidden]"
REVEAL_OPEN, REVEAL_CLOSE = "[spoiler] ", " [/spoiler]"

_ORDER = ("strike", "underline", "bold", "italic")
_HREF_OK = re.compile(r"(?i)^(?:https?://|mailto:)[^\s<>\"]+$")
_DC_LINK_OK = re.compile(r"^https?://(?:[^\s()<>|\\`\"'@*~\[\]]|\([^\s()<>|\\`\"'@*~\[\]]*\))+$")
_DC_URL = re.compile(r"https?://[^\s<>\"'`|\\@*~]+")
_URL_TRAIL = ".,:;!?'\")]}"


def _trim_url(url: str) -> str:
    while url and url[-1] in _URL_TRAIL:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _span_styles(b: Block, s: Span) -> set[str]:
    styles = set(s.styles)
    if b.kind == "heading":
        styles.add("bold")
    return styles


# --- Telegram ----------------------------------------------------------------------------------


_TG_MENTION = re.compile(r"@(?=\w)")
_WORD_JOINER = "\u2060"


def _tg_defuse(text: str, next_text: str) -> str:
    """Put a word joiner after every `@` that starts a username, so Telegram makes no mention.

    Telegram turns `@name` in any message into a mention that notifies that person;
    a review posted to a thousand groups must not do that. The joiner is invisible,
    and the Telegram reader removes exactly these joiners again.
    """
    if "@" not in text:
        return text
    text = _TG_MENTION.sub("@" + _WORD_JOINER, text)
    if text.endswith("@") and _TG_MENTION.match("@" + next_text[:1]):
        text += _WORD_JOINER
    return text


def _tg_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@dataclass(frozen=True)
class TelegramRendering:
    """What Telegram gets (`html`) and what it will count after parsing (`plain`, `entities`)."""

    html: str
    plain: str
    entities: int


def _tg_block(b: Block) -> tuple[str, str, int]:
    out: list[str] = []
    plain: list[str] = []
    entities = 0
    stack: list[tuple[str, str]] = []  # (tag, opening markup)
    for i, s in enumerate(b.spans):
        spoiler = b.spoiler or s.spoiler
        styles = _span_styles(b, s)
        url = s.link if s.link and _HREF_OK.match(s.link) else None
        want: list[tuple[str, str]] = []
        if spoiler:
            want.append(("tg-spoiler", "<tg-spoiler>"))
        if url:
            want.append(("a", f'<a href="{_tg_escape(url)}">'))
        for st, tag in (("strike", "s"), ("underline", "u"), ("bold", "b"), ("italic", "i")):
            if st in styles:
                want.append((tag, f"<{tag}>"))
        if "code" in styles and not want and b.kind == "paragraph":
            want.append(("code", "<code>"))
        k = 0
        while k < len(stack) and k < len(want) and stack[k] == want[k]:
            k += 1
        for tag, _ in reversed(stack[k:]):
            out.append(f"</{tag}>")
        for _, markup in want[k:]:
            out.append(markup)
            entities += 1
        stack = want
        text = _tg_defuse(s.text, b.spans[i + 1].text if i + 1 < len(b.spans) else "")
        out.append(_tg_escape(text))
        plain.append(text)
    for tag, _ in reversed(stack):
        out.append(f"</{tag}>")
    body = "".join(out)
    if b.kind == "quote":
        body = f"<blockquote>{body}</blockquote>"
        entities += 1
    return body, "".join(plain), entities


def render_telegram(d: Document) -> TelegramRendering:
    """Telegram HTML of a *normalised* document, with the counts the splitter budgets."""
    parts = [_tg_block(b) for b in d.blocks]
    return TelegramRendering(
        "\n\n".join(p[0] for p in parts), "\n\n".join(p[1] for p in parts), sum(p[2] for p in parts)
    )


def to_telegram_html(doc: Document) -> str:
    """Telegram HTML parse mode text; spoilers as ``<tg-spoiler>``. No length limit applied."""
    return render_telegram(normalize(doc)).html


# --- Discord -----------------------------------------------------------------------------------

_ALWAYS = frozenset("\\*_~|`[]<")
_LIST_NUMBER = re.compile(r"\d{1,9}[.)](?=\s|$)")
_MENTION_AT = re.compile(r"@(?=everyone|here)", re.IGNORECASE)
_MENTION_LT = re.compile(r"<(?=[@#:/]|[at]:|id:|sound:)", re.IGNORECASE)


def _dc_escape(text: str, line_start: bool, before: str = "") -> tuple[str, bool]:
    """Backslash-escape user text; returns the text and whether it ends at a line start.

    `before` is the text emitted just before (with no markup in between), so a URL
    scheme split across two pieces is still recognised.
    """
    out: list[str] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "\n":
            out.append(c)
            line_start = True
            i += 1
            continue
        if line_start:
            if c in " \t":
                out.append(c)
                i += 1
                continue
            line_start = False
            if c in "#>-+":
                out.append("\\" + c)
                i += 1
                continue
            m = _LIST_NUMBER.match(text, i)
            if m:
                out.append(m.group(0)[:-1] + "\\" + m.group(0)[-1])
                i = m.end()
                continue
        if c in _ALWAYS:
            out.append("\\" + c)
        elif c == "!" and ((i > 0 and text[i - 1] == ">") or (i + 1 < n and text[i + 1] == "<")):
            out.append("\\!")
        elif (
            c == ":"
            and text.startswith("//", i + 1)
            and (before[-5:] + text[max(0, i - 5) : i]).lower().endswith(("http", "https"))
        ):
            # an unwrapped "http://" would start a bare URL that swallows what follows, "||" included
            out.append("\\:")
        else:
            out.append(c)
        i += 1
    return "".join(out), line_start


@dataclass
class _DTok:
    kind: str  # "text" (to escape) | "ltext" (link text: escape, no URL detection) | "raw" | "open" | "close"
    value: str  # text, raw markup, or style name


def _dc_code_ok(text: str) -> bool:
    return (
        bool(text.strip())
        and not any(c in text for c in "`|\n")
        and text[0] != " "
        and text[-1] != " "
        and not SPOILER_MARKUP.search(text)
    )


def _dc_units(b: Block, spans: list[Span]) -> list[_DTok]:
    """Styled units of one spoiler run, with markers, whitespace moved outside markers."""
    toks: list[_DTok] = []
    stack: list[str] = []
    pending_ws = ""
    last_raw_code = False
    for s in spans:
        styles = _span_styles(b, s)
        text = s.text
        core_kind = "text"
        core = text
        lead = trail = ""
        if s.link and s.link == text and _DC_URL.fullmatch(text) and _trim_url(text) == text:
            core_kind, core = "raw", f"<{text}>"
            last_raw_code = False
        elif s.link and _DC_LINK_OK.match(s.link) and not any(c in text for c in "[]\n"):
            lead, core, trail = _split_ws(text)
            if core:
                core_kind, core = "link", core
        elif "code" in styles and _dc_code_ok(text) and not last_raw_code:
            core_kind, core = "raw", f"`{text}`"
        else:
            lead, core, trail = _split_ws(text)
        if not core:
            pending_ws += lead + trail
            continue
        want = [st for st in _ORDER if st in styles]
        k = 0
        while k < len(stack) and k < len(want) and stack[k] == want[k]:
            k += 1
        if k < len(stack) or k < len(want):
            toks.extend(_DTok("close", st) for st in reversed(stack[k:]))
            if pending_ws + lead:
                toks.append(_DTok("text", pending_ws + lead))
            toks.extend(_DTok("open", st) for st in want[k:])
        elif pending_ws + lead:
            toks.append(_DTok("text", pending_ws + lead))
        stack = want
        pending_ws = trail
        if core_kind == "link":
            toks.append(_DTok("raw", "["))
            toks.append(_DTok("ltext", core))
            # "<url>" inside the parentheses: should the link not parse, the URL still ends at ">"
            # instead of becoming a bare URL that swallows what follows ("||" included)
            toks.append(_DTok("raw", f"](<{s.link}>)"))
            last_raw_code = False
        elif core_kind == "raw":
            toks.append(_DTok("raw", core))
            last_raw_code = core.startswith("`")
        else:
            toks.append(_DTok("text", core))
            last_raw_code = False
    toks.extend(_DTok("close", st) for st in reversed(stack))
    if pending_ws:
        toks.append(_DTok("text", pending_ws))
    return toks


def _split_ws(text: str) -> tuple[str, str, str]:
    """(leading whitespace, core, trailing whitespace)."""
    left = text.lstrip()
    if not left:
        return text, "", ""
    core = left.rstrip()
    return text[: len(text) - len(left)], core, left[len(core) :]


def _raw_underscore(t: _DTok) -> bool:
    """True if the token will put an unescaped "_" in the output (inside a URL)."""
    if t.kind == "raw":
        return "_" in t.value
    return t.kind == "text" and "_" in t.value and any("_" in m.group(0) for m in _DC_URL.finditer(t.value))


def _italic_chars(toks: list[_DTok]) -> dict[int, str]:
    """Pick ``_`` for italic markers that would otherwise touch a ``*`` marker."""
    chars: dict[int, str] = {}
    open_at: int | None = None
    for idx, t in enumerate(toks):
        if t.kind == "open" and t.value == "italic":
            open_at = idx
        elif t.kind == "close" and t.value == "italic" and open_at is not None:
            left = toks[open_at - 1] if open_at > 0 else None
            right = toks[idx + 1] if idx + 1 < len(toks) else None

            def star(t2: _DTok | None) -> bool:
                return t2 is not None and t2.kind in ("open", "close") and t2.value in ("bold", "italic")

            def wordy(t2: _DTok | None, first: bool) -> bool:
                if t2 is None or t2.kind in ("open", "close"):
                    return t2 is not None and t2.value == "underline"  # "___" would be ambiguous
                ch = t2.value[0] if first else t2.value[-1]
                return ch.isalnum() or ch == "_"

            inner_raw = any(_raw_underscore(x) for x in toks[open_at:idx])
            if (star(left) or star(right)) and not inner_raw and not wordy(left, False) and not wordy(right, True):
                chars[open_at] = chars[idx] = "_"
            open_at = None
    return chars


_MARK = {"strike": "~~", "underline": "__", "bold": "**", "italic": "*"}


def _dc_emit(toks: list[_DTok], line_start: bool, before: str = "") -> tuple[str, bool]:
    chars = _italic_chars(toks)
    out: list[str] = []
    for idx, t in enumerate(toks):
        if t.kind == "text":
            text = t.value
            # URLs go out as <url>: their "_" stay as they are and nothing after them is swallowed
            pos = 0
            for m in _DC_URL.finditer(text):
                url = _trim_url(m.group(0))
                if not url.partition("://")[2]:
                    continue  # a bare "http://" stays text (its ":" gets escaped)
                esc, line_start = _dc_escape(text[pos : m.start()], line_start, before)
                out.append(esc)
                out.append(f"<{url}>")
                line_start = False
                pos = m.start() + len(url)
                before = ""
            esc, line_start = _dc_escape(text[pos:], line_start, before if pos == 0 else "")
            out.append(esc)
            before = text[-5:] if pos < len(text) else ""
        elif t.kind == "ltext":
            esc, line_start = _dc_escape(t.value, line_start)
            out.append(esc)
            before = ""
        elif t.kind == "raw":
            out.append(t.value)
            line_start = False
            before = ""
        else:
            out.append(chars.get(idx, _MARK[t.value]))
            line_start = False
            before = ""
    return "".join(out), line_start


def _char_styles(runs: list[tuple[str, frozenset[str]]]) -> list[tuple[str, frozenset[str]]]:
    """Per character: the character and its emphasis (whitespace's emphasis does not show)."""
    out: list[tuple[str, frozenset[str]]] = []
    for text, styles in runs:
        st = styles - {"code"}
        out += [(c, frozenset() if c.isspace() else st) for c in text]
    return out


_EMPHASIS = ("bold", "italic", "underline")


def _dc_run(b: Block, run: list[Span], line_start: bool) -> tuple[str, bool]:
    """One run of spans with the same spoiler state, checked to read back as meant.

    Markdown cannot say everything: "bold a, then bold-italic b" inside a word comes
    out as ``***``-soup that no parser reads one way. When the run mixes emphasis, we
    read our own output back; if it differs, italic goes, then all emphasis: the text
    is what must survive.
    """
    for attempt in range(3):
        if attempt == 1:
            run = [replace(s, styles=s.styles - {"italic"}) for s in run]
        elif attempt == 2:
            run = [replace(s, styles=s.styles - {"italic", "bold", "underline", "strike"}) for s in run]
            b = replace(b, kind="paragraph")
        toks = _dc_units(b, run)
        body, end_ls = _dc_emit(toks, line_start)
        if attempt == 2 or sum(1 for t in toks if t.kind == "open" and t.value in _EMPHASIS) < 2:
            return body, end_ls
        want = _char_styles([(s.text, frozenset(_span_styles(b, s))) for s in run])
        if _char_styles(read_discord_inline(body)) == want:
            return body, end_ls
    raise AssertionError("unreachable")


def _dc_line(b: Block, spans: list[Span]) -> str:
    """One run of spans that must stand alone (a block, or a quote line)."""
    out: list[str] = []
    line_start = True
    run: list[Span] = []
    run_spoiler: bool | None = None

    def flush() -> None:
        nonlocal line_start
        if not run:
            return
        body, end_ls = _dc_run(b, run, False if run_spoiler else line_start)
        if run_spoiler:
            if body.rstrip("\u200b").endswith("\\|"):
                body += "\u200b"  # Discord would close the spoiler at "\|" + "||"; the readers drop it
            out.append(f"||{body}||")
            line_start = False
        else:
            out.append(body)
            line_start = end_ls
        run.clear()

    for s in spans:
        sp = b.spoiler or s.spoiler
        if run and sp != run_spoiler:
            flush()
        run_spoiler = sp
        run.append(s)
    flush()
    return "".join(out)


def _neutralise_mentions(text: str) -> str:
    if "@" in text:
        text = _MENTION_AT.sub("@\u200b", text)
    if "<" in text:
        text = _MENTION_LT.sub("<\u200b", text)
    return text


def _dc_block(b: Block) -> str:
    body = _dc_line(b, list(b.spans))
    if b.kind == "quote":
        # Discord strips "> " from every line before parsing the inside, so markup and
        # spoilers may run across the quote's lines
        return "> " + body.replace("\n", "\n> ")
    return body


def render_discord(d: Document) -> str:
    """Discord markdown of a *normalised* document (no length limit)."""
    return _neutralise_mentions("\n\n".join(_dc_block(b) for b in d.blocks))


def to_discord_markdown(doc: Document) -> str:
    """Discord message content; spoilers as ``||…||``, user text escaped, mentions defused."""
    return render_discord(normalize(doc))


# --- console -----------------------------------------------------------------------------------


def to_console(doc: Document, *, reveal: bool = False) -> str:
    """Plain text for a terminal; spoilers masked as ``[spoiler hidden]`` unless `reveal`.

    Consecutive spoiler paragraphs collapse into one mask, as a reader would see
    one hidden passage. A terminal has no spoiler tag, so revealed spoilers stand
    between ``[spoiler]`` and ``[/spoiler]``: the reader still sees where they are.
    """
    d = normalize(doc)
    out: list[str] = []
    prev_masked = False
    for b in d.blocks:
        if b.spoiler and not reveal:
            if not prev_masked:
                out.append(SPOILER_MASK)
            prev_masked = True
            continue
        prev_masked = False
        parts: list[str] = []
        in_mask = False
        for s in b.spans:
            inline = s.spoiler and not b.spoiler
            if inline and not reveal:
                if not in_mask:
                    parts.append(SPOILER_MASK)
                in_mask = True
                continue
            if in_mask and reveal and not inline:
                parts.append(REVEAL_CLOSE)
            if inline and reveal and not in_mask:
                parts.append(REVEAL_OPEN)
            in_mask = inline
            text = s.text
            if s.link and s.link != text:
                text = f"{text} ({s.link})"
            parts.append(text)
        if in_mask and reveal:
            parts.append(REVEAL_CLOSE)
        if b.spoiler:
            parts = [REVEAL_OPEN, *parts, REVEAL_CLOSE]
        text = "".join(parts)
        if b.kind == "quote":
            text = "\n".join("> " + line for line in text.split("\n"))
        out.append(text)
    return "\n\n".join(out)


# --- the spoiler-free view ---------------------------------------------------------------------

SPOILER_PLACEHOLDER = "[spoiler]"


def _is_label_only(text: str) -> bool:
    t = text.strip()
    if not t:
        return True
    for rx in (_AHEAD, _END, _SPOILER_LABEL):
        m = rx.match(t)
        if m and not t[m.end() :].strip(" .:!-–—*_[]()"):
            return True
    return bool(re.fullmatch(r"\W*spoilers?\W*", t, re.IGNORECASE))


def spoiler_free(d: Document, title: str) -> Document:
    """The view for /review and the feed: spoilers left out, one line says how many.

    Whole spoiler paragraphs are dropped; an inline spoiler becomes
    ``[spoiler]`` so the sentence around it still reads. Paragraphs that were
    only there to announce spoilers ("Spoilers ahead!", "Spoiler:") go too.
    With no spoiler in the document it is returned as it is, with no line.
    """
    d = normalize(d)
    n = d.spoiler_sections
    if not n:
        return d
    kept: list[Block] = []
    blocks = d.blocks
    for idx, b in enumerate(blocks):
        if b.spoiler:
            continue
        had_inline = any(s.spoiler for s in b.spans)
        spans: list[Span] = []
        for s in b.spans:
            if not s.spoiler:
                spans.append(s)
            elif not spans or spans[-1].text != SPOILER_PLACEHOLDER:
                spans.append(Span(SPOILER_PLACEHOLDER, frozenset({"italic"})))
        visible = "".join(s.text for s in spans if s.text != SPOILER_PLACEHOLDER)
        near_spoiler = (idx + 1 < len(blocks) and blocks[idx + 1].spoiler) or (idx > 0 and blocks[idx - 1].spoiler)
        if (had_inline or near_spoiler) and _is_label_only(visible):
            continue
        kept.append(Block(tuple(spans), b.kind))
    if not any(has_visible(s.text) and s.text != SPOILER_PLACEHOLDER for b in kept for s in b.spans):
        # nothing left to read: say so, instead of a heading over an empty review
        kept = [
            Block(
                (
                    Span("The whole review is a spoiler: ", frozenset({"italic"})),
                    Span(f"/spoiler {title}", frozenset({"code"})),
                    Span(" shows it.", frozenset({"italic"})),
                )
            )
        ]
        return Document(tuple(kept))
    sections = f"{n} section{'s' if n != 1 else ''}"
    kept.append(
        Block(
            (
                Span(f"Spoilers hidden ({sections}): ", frozenset({"italic"})),
                Span(f"/spoiler {title}", frozenset({"code"})),
                Span(" shows them.", frozenset({"italic"})),
            )
        )
    )
    return Document(tuple(kept))
