"""Turning picks into a reply: how the request was read, then one line per pick saying why.

Everything here is built from richtext spans; user text (the request, review
quotes, titles) only ever goes into span text, which the platform writers
escape, never into markup we assemble ourselves.
"""

from __future__ import annotations

import re

from ..countries import country_name
from ..replies import Button, Reply
from ..richtext import Block, Document, Span, bold, italic, para
from ..store import Film
from .engine import Pick

PHRASE_RE = re.compile(
    r"\b(?:the|an?)\s+(?:[\w'-]+\s+){0,2}?[\w'-]+est\s+(?:movie|film|drama|story|thing|picture|horror|comedy|"
    r"thriller|ending|romance)s?\b(?:\s+(?:of\s+all\s+time|ever\s+made|i\s+have\s+ever\s+seen|i've\s+ever\s+seen|"
    r"ever|of\s+the\s+(?:year|decade)))?",
    re.IGNORECASE,
)
MAX_QUOTE = 110
MAX_BUTTON_TITLE = 24


def short_quote(sentence: str) -> tuple[str, bool]:
    """(text, is_phrase): a superlative phrase ("the saddest movie of all time") if there is one, else the
    sentence cut at a word boundary."""
    m = PHRASE_RE.search(sentence)
    if m:
        return m.group(0)[0].lower() + m.group(0)[1:], True
    s = sentence.strip()
    if len(s) > MAX_QUOTE:
        s = s[:MAX_QUOTE].rsplit(" ", 1)[0].rstrip(",;:—-") + "…"
    return s, False


def pick_line(n: int, film: Film, pick: Pick, quote: str | None) -> Block:
    facts = [str(film.year)] if film.year else []
    if film.countries:
        facts.append(", ".join(country_name(c) for c in film.countries[:2]))
    spans: list[Span | str] = [bold(f"{n}. {film.title}")]
    if facts:
        spans.append(f" ({' · '.join(facts)})")
    why: list[Span | str] = []
    if quote:
        text, phrase = short_quote(quote)
        who = "a reviewer calls it" if pick.feat.n_reviews == 1 else "reviewers call it"
        why += [f"{who} " if phrase else "a reviewer: ", italic(f"“{text}”")]
    extra = list(dict.fromkeys(pick.reasons))[:2]
    if pick.feat.mean is not None:
        extra.append(f"rated {pick.feat.mean:.1f}/10 by {pick.feat.votes}")
    if not why and not extra and film.genres:
        extra.append(", ".join(film.genres[:3]))
    if extra:
        why.append(("; " if why else "") + "; ".join(extra))
    if why:
        spans.append(" — ")
        spans.extend(why)
    return para(*spans)


def build(
    reading: list[str], picks: list[tuple[Film, Pick, str | None]], *, notes: list[str], heading: str = "Read as"
) -> Reply:
    blocks: list[Block] = (
        [para(bold(f"{heading}: "), " · ".join(reading) if reading else "anything good")]
        if reading or heading != "Starter picks"
        else [para(bold(heading))]
    )
    blocks += [para(italic(n)) for n in notes]
    for i, (film, pick, quote) in enumerate(picks, 1):
        blocks.append(pick_line(i, film, pick, quote))
    buttons: list[Button] = []
    if picks:
        # One "Not this" per pick: six buttons in all, within Discord's 5 rows of 5 (custom_id ≤ 100)
        # and Telegram's 64-byte callback data; the action carries only the film id.
        buttons.append(Button("More picks", "rec:more"))
        for i, (film, _, _) in enumerate(picks, 1):
            title = film.title if len(film.title) <= MAX_BUTTON_TITLE else film.title[: MAX_BUTTON_TITLE - 1] + "…"
            buttons.append(Button(f"Not {i}. {title}", f"rec:not:{film.id}"))
    return Reply(Document(tuple(blocks)), buttons=tuple(buttons))
