"""Spoiler detection for reviews that carry no spoiler markup.

Admins bring blog posts that retell a whole plot, ending included, with no
spoiler markup at all (the seed review does exactly that). The detector decides,
paragraph by paragraph, what a reader who has not seen the film should not see.
It is a transparent scoring, not a model: every number below can be read off
`explain()` for a given review, and the fixture reviews in
``tests/fixtures/reviews/`` pin its behaviour.

**Narrative cues** (what happens in the film):

* past-tense event verbs: regular ``-ed`` forms (minus a list of adjectives and
  film-talk words such as *talented*, *directed*, *released*, *loved*) and common
  irregular ones (*was, went, saw, died, fought, …*): 1 point each;
* plot words: *dies, killed, murder, execution, trial, sentenced, reveals,
  turns out, twist, ending, escape, confess, innocent, …*: 1.5 each;
* temporal connectives: *then, after, later, finally, eventually, suddenly,
  until, the next day, years later, in the end, long story short, …*: 1 each.

Together these are the paragraph's **events** score. Two weaker cues only add to
it: character names (capitalised words that recur across three or more
paragraphs, 0.25 each) and third-person pronouns (0.1 each). A bio ("She likes
travelling…") has names and pronouns but no events, so it is not narration.

**Opinion cues** (talk about the film): first person (2 each), second person
(1.5), opinion phrases (*I think, recommend, must watch, rating, /10, stars,
highly, masterpiece, loved, enjoyed, …*: 2 each), evaluative adjectives and
craft words (*touching, brilliant, boring, acting, cinematography, …*: 1 each),
and questions to the reader (1.5 each).

A paragraph **narrates** when its events score is at least 2 and its narrative
score beats its opinion score by more than 1. A paragraph **introduces** the
film when it says what the film is (*"X is a 2013 South Korean film starring …"*,
*directed by*, *played by*, *tells the story of*, *the film follows / is about*).

**Position** then decides:

1. Everything before the first paragraph that narrates without introducing
   stays visible: the greeting, the title, and the premise (introducing
   paragraphs, even if they mention the crime the story starts from).
2. From there to the **last** narrating paragraph, everything is hidden: that
   is the retelling, and its last paragraph is the ending, which is always
   hidden. A paragraph after it that still talks about the ending (*in the end*,
   plot words) and is not mostly opinion is hidden with it. Inside the hidden
   stretch a paragraph stays visible only if it is clearly opinion and names no
   character and no plot word (a note on the acting between two plot passages).
3. The verdict, the recommendation, the sign-off and anything after the ending
   stay visible.

A review with no narrating paragraph gets no spoilers at all, so a short
opinion is never touched. Explicit markup always wins: if the author (or the
``Spoiler:`` / ``Spoilers ahead`` rules) marked anything, the detector does not
run. Admins choose ``auto``, ``none`` or ``all`` per review.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Literal

from .model import DETECTOR_SOURCE, Block, Document, explicit_spoilers, normalize, unspoil

SpoilerMode = Literal["auto", "none", "all"]
SPOILER_MODES: tuple[str, ...] = ("auto", "none", "all")

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_IRREGULAR_PAST = _words(
    "was were had did went came saw said told took made found fell ran met left got gave became began "
    "brought thought knew heard kept held fought won lost died caught sent stood sat woke broke threw "
    "drove flew hid bit struck stole chose rose led fled paid sold bought felt meant grew forgot forgave "
    "ate drank wrote spoke swore tore wore sang swam slept wept shook hung dug sank sought taught "
    "understood "
)
_ED_NOT_EVENTS = _words(
    "based directed inspired titled entitled rated overrated underrated talented animated detailed "
    "dedicated related interested excited bored tired complicated beloved need indeed speed seed feed red "
    "bed shed hundred sacred wicked naked kindred released produced acted scored edited filmed nominated "
    "awarded praised recommended loved liked enjoyed hated moved touched impressed surprised disappointed "
    "amazed used supposed expected needed wanted named called aged skilled gifted noted renowned "
    "acclaimed celebrated starred featured dubbed subtitled restored remastered shared reviewed watched "
    "rewatched planned appreciated exaggerated advanced limited mixed "
)
_PLOT = re.compile(
    r"\b(?:dies|died|dying|death|dead|kills?|killed|killing|killer|murder(?:s|ed|er)?|execut(?:ion|ed|es)|"
    r"trial|retrial|sentenced|reveals?|revealed|turns out|turned out|twist|ending|ends with|ended|arrested|"
    r"prison|jail|escapes?|escaped|rescues?|rescued|betray(?:s|ed)?|sacrific(?:es|ed|e)|funeral|suicide|"
    r"innocent|guilty|confess(?:es|ed)?|bitten|survives?|survived|kidnap(?:s|ped)?|accused|stroke|"
    r"reunite[sd]?|wins the|won the|loses|marries|married|pregnant|dies? in)\b",
    re.IGNORECASE,
)
_TEMPORAL = re.compile(
    r"\b(?:then|after|afterwards|later|finally|eventually|meanwhile|suddenly|until|once|soon|"
    r"the next (?:day|morning|night|week)|next morning|(?:days|weeks|months|years) later|in the end|"
    r"at the end|long story short|day after day|after that|one day|that night|by the time)\b",
    re.IGNORECASE,
)
_FIRST = re.compile(r"\b(?:I|me|my|mine|myself|we|us|our)\b")
_SECOND = re.compile(r"\b(?:you|your|yours|yourself)\b", re.IGNORECASE)
_OPINION = re.compile(
    r"\b(?:I think|I feel|I believe|in my opinion|recommend(?:ed)?|must[- ]watch|worth|rating|rated|"
    r"\d+(?:\.\d+)?\s*/\s*(?:5|10)|stars?\b|out of|highly|masterpiece|favou?rite|loved|enjoyed|liked|"
    r"hated|overrated|underrated|verdict|overall|definitely|don't miss|go (?:see|watch)|watch it|hope|"
    r"thank(?:s| you)|cheers|regards|review|lesson|tissues)\b",
    re.IGNORECASE,
)
_EVALUATIVE = re.compile(
    r"\b(?:touching|moving|beautiful|brilliant|great|amazing|sad|saddest|wonderful|terrible|awesome|good|bad|"
    r"best|worst|perfect|stunning|emotional|powerful|heartbreaking|funny|hilarious|tense|gripping|fantastic|"
    r"excellent|superb|incredible|boring|dull|predictable|solid|impressive|memorable|tearjerker|"
    r"cinematography|acting|performances?|soundtrack|score|direction|screenplay|script|pacing|visuals?|"
    r"wise|lovely|charming|clever|sharp|slow|weak|strong)\b",
    re.IGNORECASE,
)
_PRONOUN3 = re.compile(r"\b(?:he|she|they|him|her|his|them|their)\b", re.IGNORECASE)
_INTRO = re.compile(
    r"\b(?:(?:is|was) an? (?:\d{4} )?(?:[\w-]+ ){0,6}(?:film|movie|drama|thriller|comedy|horror|melodrama|"
    r"animation|documentary|feature|picture|romance|tragedy)\b|starring|stars\s+[A-Z]|directed by|"
    r"played by|tells the story of|(?:film|movie|story|it) (?:follows|is about|is set in)\b)"
)
_ENDING_TALK = re.compile(r"\b(?:in the end|at the end|the ending|ends with|finally|the last scene)\b", re.IGNORECASE)
_NOT_NAMES = _words(
    "I The A An He She They It We You This That These Those But And Or If When While After Before Then So "
    "His Her Their Its Our My Your Hi Hello Dear Thank Thanks Because Although Though Even Also Just Only "
    "Until Once Unfortunately Luckily Suddenly Finally Initially Long Day Two Three One Who What Why How "
    "Where There Here Of In On At To For With From By As Not No Yes Do Does Did Is Was Are Were Be Been "
    "Being Mr Mrs Ms Dr Chief Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February "
    "March April May June July August September October November December South North Korean Korea "
    "American English Japanese Chinese Indian French British "
)


@dataclass(frozen=True)
class ParagraphScore:
    """Why the detector decided what it did about one paragraph."""

    index: int
    events: float
    narrative: float
    opinion: float
    narrates: bool
    introduces: bool
    plot_words: int
    names: int
    hidden: bool = False
    reason: str = ""


def _names(blocks: tuple[Block, ...]) -> set[str]:
    """Capitalised words that recur across three or more paragraphs: the characters (and the title)."""
    seen: Counter[str] = Counter()
    for b in blocks:
        words = {w for w in _WORD.findall(b.text) if w[0].isupper() and not w.isupper() and w not in _NOT_NAMES}
        seen.update(words)
    return {w for w, n in seen.items() if n >= 3}


def _score(index: int, text: str, names: set[str]) -> ParagraphScore:
    words = _WORD.findall(text)
    past = 0
    for w in words:
        lw = w.lower().strip("'’-")
        if lw in _IRREGULAR_PAST or (len(lw) > 4 and lw.endswith("ed") and lw not in _ED_NOT_EVENTS):
            past += 1
    plot = len(_PLOT.findall(text))
    temporal = len(_TEMPORAL.findall(text))
    name_hits = sum(1 for w in words if w in names)
    pronouns = len(_PRONOUN3.findall(text))
    events = past + 1.5 * plot + temporal
    narrative = events + 0.25 * name_hits + 0.1 * pronouns
    opinion = (
        2.0 * len(_FIRST.findall(text))
        + 1.5 * len(_SECOND.findall(text))
        + 2.0 * len(_OPINION.findall(text))
        + 1.0 * len(_EVALUATIVE.findall(text))
        + 1.5 * text.count("?")
    )
    return ParagraphScore(
        index=index,
        events=events,
        narrative=narrative,
        opinion=opinion,
        narrates=events >= 2 and narrative > opinion + 1,
        introduces=bool(_INTRO.search(text)),
        plot_words=plot,
        names=name_hits,
    )


def explain(d: Document) -> list[ParagraphScore]:
    """The detector's scores and decision for each block of `d`, in order."""
    blocks = d.blocks
    names = _names(blocks)
    scores = [_score(k, b.text, names) for k, b in enumerate(blocks)]
    start = next((s.index for s in scores if s.narrates and not s.introduces), None)
    if start is None:
        return [replace(s, reason="no retelling in this review") for s in scores]
    end = max(s.index for s in scores if s.narrates)
    for s in scores[end + 1 :]:
        if (s.plot_words or _ENDING_TALK.search(blocks[s.index].text)) and s.narrative > s.opinion:
            end = s.index
        else:
            break
    out = []
    for s in scores:
        kind = blocks[s.index].kind
        if s.index < start:
            out.append(replace(s, reason="before the retelling (greeting, title, premise)"))
        elif s.index > end:
            out.append(replace(s, reason="after the ending (verdict, recommendation, sign-off)"))
        elif kind == "heading":
            out.append(replace(s, reason="a heading inside the retelling"))
        elif s.opinion >= 2 * s.narrative + 2 and not s.plot_words and not s.names:
            out.append(replace(s, reason="opinion between two plot passages"))
        else:
            why = "the ending" if s.index == end else "retells the plot"
            out.append(replace(s, hidden=True, reason=why))
    return out


def detect_spoilers(d: Document) -> Document:
    """`d` with the retelling marked as spoiler blocks (source ``"detector"``)."""
    hidden = {s.index for s in explain(d) if s.hidden}
    if not hidden:
        return d
    return Document(
        tuple(
            replace(b, spoiler=True, source=DETECTOR_SOURCE) if k in hidden and not b.spoiler else b
            for k, b in enumerate(d.blocks)
        )
    )


def _without_guesses(d: Document) -> Document:
    """`d` minus the detector's own earlier marks (author markup untouched)."""
    return Document(
        tuple(
            replace(
                b,
                spoiler=b.spoiler and b.source != DETECTOR_SOURCE,
                source="" if b.source == DETECTOR_SOURCE else b.source,
                spans=tuple(
                    replace(s, spoiler=False, source="") if s.spoiler and s.source == DETECTOR_SOURCE else s
                    for s in b.spans
                ),
            )
            for b in d.blocks
        )
    )


def apply_spoiler_mode(d: Document, mode: str = "auto") -> Document:
    """Decide what is hidden in a review.

    ``auto``: the author's markup if there is any, else the detector's guess (re-running
    it replaces an earlier guess); ``none``: nothing hidden; ``all``: everything hidden.
    """
    if mode not in SPOILER_MODES:
        raise ValueError(f"unknown spoiler mode {mode!r}; expected auto, none or all")
    d = normalize(d)
    if mode == "none":
        return unspoil(d)
    if mode == "all":
        return Document(
            tuple(
                replace(b, spoiler=True, source=b.source if b.spoiler and b.source != DETECTOR_SOURCE else "admin")
                for b in d.blocks
            )
        )
    d = _without_guesses(d)
    if explicit_spoilers(d):
        return d
    return detect_spoilers(d)
