"""Spoiler detection for reviews that carry no spoiler markup.

Members mark spoilers in many ways (readers.py understands them all); the detector
is for what nobody marked. It works at two levels, both transparent rule sets rather
than a model, pinned by the labelled corpus in ``tests/fixtures/spoilers/`` (run
through every input path by ``tests/test_spoiler_corpus.py``), the fixture reviews in
``tests/fixtures/reviews/`` and the seed review.

**1. Sentences** (every review). Each paragraph is cut into sentences (``Mr.`` and
``No. 7`` are not ends) and a sentence is hidden when `reveal` names a rule for it:

* explicit twist talk: *turns out* (not "turns out to be a great film", not about
  the reviewer: "turns out monster movies can make me cry"), *all along*, *the whole
  time*, *the twist is that…*, *it is revealed*, *we learn that*, *the ending reveals*;
* identities: *X is Y's father*, *is actually/really/secretly a …*, *was a ghost*,
  *the killer is …*, *X is the killer*, *being his daughter*, *it was all a dream*;
* deaths and endings: *X was dead*, *dies at the end*, *is executed*, *kills himself*,
  *everyone dies*, *X did it* / *who did it* (not "Nolan did it again": the catalog's
  directors are crew), *ends up with…*, *gets away with it*;
* a sentence about the ending (*in the end*, *by the end*, *the last scene*) in which a
  character does anything at all ("In the end Em knocks out her double");
* a character's decisive act: a name the review uses that is not an actor or the
  director of this film (the catalog's cast and crew; "Brad Pitt yelling in a field"
  is about acting), or a person it points at (*he*, *the son*, *his wife*, *both
  children*), doing something from a list of story-deciding verbs (*dies, kills,
  escapes, marries, betrays, confesses, swaps, finds, chooses, ends up…*) or narrated
  in the past tense right after the name. Not in the review's first sentence, where a
  named character doing something is the premise being set up, nor in a sentence
  that starts with an indefinite subject (*A man is locked in a room…*), nor in a
  question, nor with a premise cue (*the film follows*, *tells the story of*).

* chat phrasing (issue 10b; ``tests/fixtures/spoilers/holdout2.txt`` and ``holdout3.txt``):
  *RIP jack*, *never made it out/home*, *starves to death*, *shooting himself*, *killed his
  kids*, *crush him*, *loses her head*, *the body is buried…*, suicide attempts and falls,
  *gas chamber / injection / overdose*, *picks X to burn*; *in on it*, *isn't real*, *was
  never blind*, *was two people*, *it was the mom who…*, *this whole time*, *made it all
  up*, *one of them is the…*, *the old lady is allie* (a person equated with a bare name);
  *the final reveal that…*, *ending: …*, *finds out who*; *walks out the door*, *they
  never catch him*; plural roles (*were the killers*, *are the ghosts*);
* lower-case names: a bare word at the start of a clause followed by a decisive verb or a
  past-tense act (*ernesto poisoned hector*, *andy crawled…*) is a character unless it is
  a function word, film talk, or a word of the cast's or the director's names (compared
  in any case; a hyphenated name whole, so *jong-su* is not *Jeon Jong-seo*); a single
  bare word must agree with its verb (*slow burn* is an adjective and a noun);
* a character dying or killing told as a gerund (*jenny dying*, *the dad sacrificing
  himself*), even in the opening sentence.

The opening-sentence exemption holds only for reviews of two or more sentences ("Jack
freezes in the water." alone is hidden), and even there a past-tense decisive act by a
lower-case name is not taken for the premise. Premise cues (*in the first act*) no longer
protect a death or a ghost/dream identity.

A sentence that carries on a hidden one (*He…*, *Then…*, plot words, no opinion) is
hidden with it. Everything else stays: the opening verdict, opinions about the twist
("the twist is brilliant"), look-alikes ("the opening will wreck you", "I died
laughing", "the pacing kills it", "Nicole Kidman is dead serious"). A film whose
keywords say *twist ending* makes ending talk that mentions *who*, *truth* or
*identity* count too.

**Known to miss** (measured in BENCHMARKS.md; every chat set written so far leaked
at first sight, the last one 7 of 21 phrases, so expect leaks on reviews nobody has
seen): reveals with no verb or noun from these lists ("Ellie never sees Paradise Falls"
is not a decisive act), twists told through metaphor or irony ("the hotel keeps him"),
references the catalog cannot resolve (the title's monster: "one of them is the thing"
is caught only by its shape), pronoun-only sentences without a decisive verb, a
character named with an ordinary word that the stop lists hold ("love wins" is not a
character's act), names that are also words of a cast member's name (a
character called Park in a film starring Park So-dam is taken for the actor unless
written *Mr. Park*; "Clint" for Clint Eastwood's character is never a character), and
anything not in English. The catalog has cast, not character names, so a character is
recognised by shape, not by name. It over-hides premises that name a character and use a
decisive verb after the first sentence ("Great film. Carl ties balloons to his house
after his wife dies").

**2. Paragraphs** (reviews of three or more paragraphs: blog posts that retell the
plot). The rules below find the retelling and hide it whole; in the first hidden
paragraph, opening sentences that narrate nothing stay visible.

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

A review with no narrating paragraph gets no paragraph hidden by this rule.
Explicit markup always wins: if the author (or the
``Spoiler:`` / ``Spoilers ahead`` rules) marked anything, the detector does not
run. Admins choose ``auto``, ``none`` or ``all`` per review.
"""

from __future__ import annotations

import functools
import operator
import re
import re._constants as _sre  # the parsed form of the rules, for the pre-check in `reveal`
import re._parser as _sre_parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

from .gates import Gate, WordGates
from .model import DETECTOR_SOURCE, FAST_PATHS, Block, Document, explicit_spoilers, mark_range, normalize, unspoil

SpoilerMode = Literal["auto", "none", "all"]
RETELLING_MIN_BLOCKS = 3
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
    "rewatched planned appreciated exaggerated advanced limited mixed deserved earned nailed carried owned aced "
    "slayed "
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
    bits = _GATES.of(text) if FAST_PATHS.enabled else None

    def count(rx: re.Pattern[str]) -> int:  # a cue whose words are not in the paragraph is not in it
        need = _PARAGRAPH_NEEDS[id(rx)]
        return 0 if bits is not None and bits & need != need else len(rx.findall(text))

    plot = count(_PLOT)
    temporal = count(_TEMPORAL)
    name_hits = sum(1 for w in words if w in names)
    pronouns = count(_PRONOUN3)
    events = past + 1.5 * plot + temporal
    narrative = events + 0.25 * name_hits + 0.1 * pronouns
    opinion = (
        2.0 * count(_FIRST)
        + 1.5 * count(_SECOND)
        + 2.0 * count(_OPINION)
        + 1.0 * count(_EVALUATIVE)
        + 1.5 * text.count("?")
    )
    return ParagraphScore(
        index=index,
        events=events,
        narrative=narrative,
        opinion=opinion,
        narrates=events >= 2 and narrative > opinion + 1,
        introduces=count(_INTRO) > 0,
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


# --- sentence level: the twists nobody marks ---------------------------------------------------


@dataclass(frozen=True)
class FilmHints:
    """What the catalog knows that helps read a review of this film.

    `people` are the cast (a capitalised name in "X did it" is then a character's
    actor, not a director being praised); `crew` are directors, whose name in
    "Nolan did it again" is about craft; `twist` is set when the film's keywords
    say its ending is a twist, which makes talk about the ending riskier.
    """

    people: tuple[str, ...] = ()
    crew: tuple[str, ...] = ()
    twist: bool = False

    @classmethod
    def of(
        cls, cast: tuple[str, ...] = (), directors: tuple[str, ...] = (), keywords: tuple[str, ...] = ()
    ) -> FilmHints:
        twisty = {"twist ending", "plot twist", "twist", "mind-bending", "whodunit", "murder mystery"}
        return cls(tuple(cast), tuple(directors), any(k.casefold() in twisty for k in keywords))


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+|\n+|(?<=[;])\s+(?=(?:but|and|then)\b)|\s+[-–—]\s+(?=[a-z])")
_ABBREV_ENDS = frozenset(c + "." for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZrstlfc")  # the letters `_ABBREV` ends with
_ABBREV = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|Vol|Pt|Lt|Sgt|Capt|Prof|etc)|\b[A-Z])\.$")

_FILMISH = (
    r"(?:film|movie|watch|ride|experience|sequel|remake|story|thriller|comedy|drama|romance|horror|mess|slog|"
    r"blast|treat|gem|masterpiece|disappointment|letdown|surprise|hit|classic|one|time|picture|flick|effort|debut|"
    r"fun|delight|joy|success|failure|bore|chore|sleeper|banger|winner|triumph|season|show|series|version)"
)
_EVAL_WORD = (
    r"(?:great|good|fine|ok|okay|decent|fun|funny|better|worse|best|worst|brilliant|amazing|excellent|lovely|"
    r"terrible|awful|boring|charming|clever|moving|beautiful|solid|enjoyable|delightful|surprising|surprisingly|"
    r"really|very|quite|pretty|rather|so|too|well|badly|nicely|alright|all\s+right|perfect|wonderful|stunning|"
    r"gorgeous|memorable|forgettable|touching|sweet|heartfelt|underrated|overrated|worth|one\s+of)"
)
_KIN = (
    r"(?:father|mother|dad|mom|mum|son|daughter|brother|sister|twin|wife|husband|child|parent|uncle|aunt|"
    r"grandfather|grandmother|grandson|granddaughter|fianc[ée]e?|lover|half-brother|half-sister|cousin)"
)
_ROLE = (
    r"(?:killer|murderer|culprit|mole|traitor|villain|imposter|impostor|serial\s+killer|mastermind|kidnapper|"
    r"monster|ghost|thief|spy|stalker|arsonist|shooter|leader|boss|one\s+behind|narrator|informant|spirit|god|"
    r"witch|demon|vampire|werewolf|patient|puppet\s*master|jigsaw)"
)
_DEATH_VERB = (
    r"(?:dies|died|is\s+killed|was\s+killed|gets\s+killed|got\s+killed|are\s+killed|were\s+killed|"
    r"is\s+murdered|was\s+murdered|gets\s+murdered|is\s+shot|was\s+shot|gets\s+shot|drowns|drowned|"
    r"(?:kills|killed)\s+(?:him|her|them)(?:sel(?:f|ves))?|commits\s+suicide|committed\s+suicide|"
    r"sacrifices\s+(?:him|her)self|sacrificed\s+(?:him|her)self|is\s+executed|was\s+executed|"
    r"does(?:n't|\s+not)\s+survive|did(?:n't|\s+not)\s+survive|does(?:n't|\s+not)\s+make\s+it|"
    r"did(?:n't|\s+not)\s+make\s+it|passes\s+away|passed\s+away|is\s+dead|was\s+dead|were\s+dead|"
    r"are\s+dead|been\s+dead|was\s+already\s+dead|is\s+already\s+dead|ends\s+up\s+dead|is\s+eaten|was\s+eaten)"
)
_NOT_DEATH = re.compile(
    r"\b(?:dead\s+(?:tired|serious|set|wrong|right|on|last|air|weight|end|pan|ringer|giveaway|zone)|"
    r"(?:died|dying|die)\s+(?:laughing|of\s+laughter|of\s+boredom|inside|a\s+little)|"
    r"(?:killed|kills)\s+(?:it|the\s+(?:mood|pace|pacing|tension|vibe|role|part))|"
    r"(?:joke|jokes|plot|pacing|momentum|tension|film|movie|franchise|genre|career|series)\s+(?:dies|died|is\s+dead))",
    re.IGNORECASE,
)

_REVEALS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rx, re.IGNORECASE))
    for name, rx in (
        (
            "turns out",
            r"\b(?:turns?|turned|turning)\s+out\b(?!\s+(?:to\s+be\s+)?(?:(?:an?|the|one\s+of\s+the|such\s+an?|quite\s+an?|"
            r"just|really|actually)\s+)*(?:\w+\s+){0,3}?" + _FILMISH + r"\b)"
            r"(?!\s+(?:to\s+be\s+)?" + _EVAL_WORD + r"\b)(?!\s+(?:in\s+droves|for|to\s+see|to\s+watch))",
        ),
        ("all along", r"\ball\s+along\b"),
        (
            "whole time",
            r"\b(?:the\s+whole\s+time|the\s+entire\s+(?:time|film|movie)|all\s+this\s+time)\b",
        ),
        (
            "the twist",
            r"\b(?:twist|reveal|big\s+reveal|surprise|secret|truth)\s*(?:at\s+the\s+end\s+|in\s+the\s+end\s+)?"
            r"(?:is|was)\s*(?:that\b|:|[-–—]|when\b|how\b|who\b)|\btwist\s*[:\-–—]\s*\w|"
            r"\btwist\s+(?:ending\s+)?(?:where|in\s+which|when|that\s+(?:he|she|they|the|his|her))\b",
        ),
        (
            "revealed",
            r"\b(?:it\s+is|it's|it\s+was|is|was|are|were|gets|get)\s+revealed\b|\breveal(?:s|ed|ing)?\s+(?:that|to\s+be|"
            r"(?:him|her|them)sel(?:f|ves)|who|the\s+(?:truth|identity|killer|murderer|culprit)|(?:his|her|their)\s+"
            r"(?:true|real)|(?:he|she|they)\s)|\b(?:we|you|they|he|she)\s+(?:learn|learns|learned|find\s+out|finds\s+out|"
            r"found\s+out|discover|discovers|discovered|realise|realises|realize|realizes|realised|realized)\s+"
            r"(?:that|(?:he|she|they)\s+(?:is|was|were|are|had))\b|\bending\s+reveals\b|\breveal\s+(?:that|is|was)\b",
        ),
        (
            "being",
            r"\bbeing\s+(?:his|her|their|(?-i:[A-Z])[\w-]+'s)\s+(?:own\s+|real\s+)?(?:\w+\s+)?" + _KIN + r"\b",
        ),
        (
            "identity",
            r"(?<!who\s)(?<!plays\s)\b(?:is|was|are|were)\s+(?:actually\s+|really\s+|secretly\s+|in\s+fact\s+)?"
            r"(?:(?:his|her|their)|(?-i:[A-Z])[\w-]+'s|the\s+\w+'s)\s+(?:own\s+|real\s+|long-lost\s+|biological\s+|secret\s+|"
            r"missing\s+|estranged\s+|dead\s+)?" + _KIN + r"\b",
        ),
        (
            "role",
            r"\b(?:is|was|were|are)\s+(?:actually\s+|really\s+|secretly\s+|the\s+one\s+who|in\s+fact\s+)?the\s+"
            r"(?:(?!(?:best|worst|real\s+star)\b)[a-z]+\s+)?"
            + _ROLE
            + r"s?\b|\bthe\s+"
            + _ROLE
            + r"\s+(?:is|was)\s+(?:actually\s+|really\s+)?(?:his|her|their|the\s+\w+|"
            r"(?-i:[A-Z])\w+|(?:his|her|their)\s+own|none\s+other|a\s+(?:woman|man|child|kid|cop|priest|doctor))\b",
        ),
        (
            "actually",
            r"\b(?:is|was|are|were|'s)\s+(?:actually|really|secretly)\s+(?:a\s+|an\s+|the\s+)?(?:dead|alive|ghosts?|"
            r"dream|robot|android|clone|alien|hallucination|figment|simulation|imaginary|(?:his|her|their)\s+\w+|"
            r"(?-i:[A-Z])\w+|behind|working\s+for|the\s+(?:same|real|one)|in\s+on\s+it|a\s+(?:man|woman|child|cop|spy|"
            r"killer|ghost|vampire|demon|twin))\b",
        ),
        (
            "a dream",
            r"\b(?:was|is|were|it's)\s+(?:all\s+|just\s+|only\s+)?(?:a\s+)?(?:dream|hallucination|simulation|figment)\b|"
            r"\bnever\s+(?:existed|really\s+existed)\b|\b(?:imaginary|alter\s+ego|split\s+personality|same\s+person|"
            r"one\s+and\s+the\s+same)\b|\b(?:was|(?:has|had|have)\s+been)\s+(?:a|an)\s+(?:ghost|robot|android|clone|alien|vampire|demon|"
            r"figment)\b",
        ),
        (
            "death",
            r"(?<![Ii]\s)(?<![Ww]e\s)\b" + _DEATH_VERB + r"\b|\b(?:everyone|everybody|nobody|no\s+one|"
            r"all\s+of\s+them|only\s+\w+)\s+(?:dies|survives|lives|makes\s+it)\b|\bdies\s+(?:at|in|before)\s+the\s+end\b",
        ),
        (
            "did it",
            r"\b(?:he|she|they|the\s+(?:butler|wife|husband|maid|gardener|mother|father|brother|sister|son|daughter|"
            r"doctor|nurse|priest|neighbou?r|cop|detective|boyfriend|girlfriend|friend|uncle|aunt|twin|kid|child|"
            r"teacher|housekeeper|chef|driver|lawyer|sheriff|mayor)|(?-i:[A-Z])[a-z]+|who)\s+(?:did|had\s+done|was\s+the\s+one\s+who\s+did)\s+it\b"
            r"(?!\s+(?:again|justice|for\s+me|right|well|better|proud|so\s+well|brilliantly|with|all|once|twice|before))",
        ),
        (
            "ending",
            r"\b(?:gets?\s+away\s+with\s+it|ends?\s+up\s+(?:dead|together|in\s+prison|in\s+jail|marrying|killing|with|"
            r"alone|back|as\s+the)|end\s+up\s+together|get\s+(?:married|back\s+together)|got\s+(?:married|back\s+together)|"
            r"rides?\s+off\s+into|walks?\s+away\s+free|goes\s+free|is\s+(?:acquitted|convicted|arrested)\s+(?:at|in)\s+the\s+end)\b",
        ),
    )
)
# Chat phrasing (tests/fixtures/spoilers/holdout2.txt was written to find these): how people
# say a death, an identity or an ending without the words above, in lower case or in shorthand.
_VIOLENT = (
    r"(?:kill|murder|shoot|shot|stab|poison|strangl|smother|drown|behead|decapitat|crush|execut|hang|burn|bury|buri)"
)


def _alternatives(rx: str) -> list[str]:
    """The top-level alternatives of `rx`: compiled one by one, each keeps re's literal-prefix
    fast path that one long alternation loses (the detector runs on every sentence)."""
    out, depth, start, k = [], 0, 0, 0
    while k < len(rx):
        c = rx[k]
        if c == "\\":
            k += 2
            continue
        if c == "[":
            k = rx.index("]", k + 2)
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(rx[start:k])
            start = k + 1
        k += 1
    return [*out, rx[start:]]


_REVEALS = _REVEALS + tuple(
    (name, re.compile(alt, re.IGNORECASE))
    for name, rx in (
        (
            "death (wider)",
            # "RIP jack", "never made it out", "starves to death", "shooting himself", "killed his kids",
            # "lets the engine crush him", "loses her head", "the body is buried under…", "gas chamber"
            r"(?-i:\b(?:RIP|Rip|rip))\s+(?!(?:off|it|me|my|to|the\s+(?:film|movie|franchise|series))\b)[\w@]|"
            r"\b(?:never|didn't|didnt|doesn't|doesnt|won't|wont)\s+(?:\w+\s+)?(?:makes?|made|make|comes?|came|come|gets?|got|get)\s+"
            r"(?:it\s+)?(?:out|back|home|off\s+the)\b|\bnever\s+(?:wakes?|woke)\s+up\b|"
            r"\bto\s+death\b(?<!bored to death)(?<!scared to death)(?<!loved to death)(?<!worried to death)"
            r"(?<!talked to death)(?<!tickled to death)(?<!laughed to death)(?<!frightened to death)"
            r"(?<!terrified to death)(?<!\blove to death)(?<!\bi to death)|"
            r"\b" + _VIOLENT + r"\w*\s+(?:(?:him|her|them)sel(?:f|ves)\b|(?:him|her|them)\b(?!\s+(?:up|off|out)\b)|"
            r"(?:his|her|their)\s+(?:own\s+)?(?:\w+\s+)?(?:"
            + _KIN
            + r"|kids?|children|family|friends?|boss|partner|girlfriend|boyfriend)s?\b)|"
            r"\b(?:sacrific|blow|blew)\w*\s+(?:him|her|them)sel(?:f|ves)|"
            r"\b(?:loses|lost|losing)\s+(?:his|her|their)\s+(?:head|heads|life|lives)\b|"
            r"\b(?:body|bodies|corpse|corpses|remains)\s+(?:is|was|are|were|gets?|got|ends?\s+up)\s+(?:\w+\s+)?"
            r"(?:buried|hidden|found|dumped|under|in\s+the|inside|burned|eaten)\b|"
            r"\b(?:gas\s+chamber|electric\s+chair|firing\s+squad|gallows|lethal\s+injection|the\s+injection|overdoses?|overdosed|"
            r"pulls?\s+the\s+plug|pulled\s+the\s+plug|mercy\s+kill\w*)\b|"
            r"\b(?:tries|tried|trying|attempts|attempted)\s+to\s+(?:kill|drown|hang|shoot|poison)\s+(?:him|her|them)sel(?:f|ves)\b|"
            r"\b(?:jumps?|jumped|jumping|jump|falls?|fell|throws?\s+(?:him|her)self|threw\s+(?:him|her)self)\s+(?:\w+\s+)?"
            r"(?:off|from)\s+(?:the|a)\s+(?:\w+\s+)?(?:balcony|bridge|roof|rooftop|cliff|building|tower|ledge|window)\b|"
            r"\b(?:picks|picked|chooses|chose|sends|sent|leaves|left)\s+(?:\w+\s+){1,2}to\s+(?:die|burn|drown|rot|"
            r"be\s+(?:killed|burned|sacrificed|executed|eaten))\b",
        ),
        (
            "identity (wider)",
            # "Rose was in on it", "tyler isn't real", "akash was never blind", "borden was two people",
            # "it was the mom who…", "the guy on the floor was jigsaw this whole time"
            r"\b(?:is|was|were|are)\s+(?:\w+\s+)?in\s+on\s+it\b|"
            r"\b(?:is|was|are|were)(?:n't|nt|\s+not|\s+never)\s+(?:even\s+|really\s+|actually\s+|ever\s+)?(?:real|there|alive|"
            r"human|blind|deaf|mute|sick|ill|pregnant|dead|missing|kidnapped|guilty|crazy|paralysed|paralyzed|a\s+real\s+\w+)\b"
            r"(?!\s+(?:good|great|bad|funny|scary))|"
            r"\b(?:was|were|is|are)\s+(?:actually\s+|really\s+)?(?:two|twins|the\s+same)\s+(?:different\s+)?(?:people|persons?|men|"
            r"women|guys|girls)\b|"
            r"\b(?:it|that)\s+(?:was|is|'s)\s+(?:actually\s+|really\s+)?(?:the|his|her|their)\s+(?:\w+\s+)?(?:"
            + _KIN
            + r"|mom|dad|mum|guy|girl|boy|man|woman|wife|husband|friend|neighbou?r|kid)\s+(?:who|that|all\s+along)\b|"
            r"\b(?:this|that)\s+(?:whole|entire)\s+time\b|"
            r"\bone\s+of\s+(?:them|us|the\s+\w+)\s+(?:is|was)\s+(?:actually\s+|secretly\s+|really\s+)?(?:the|a|an)\s+"
            r"(?!best|worst)\w+|"
            r"\bmade\s+(?:it|them|him|her|everything)\s+(?:all\s+)?up\b|\bmakes\s+(?:it|them|everything)\s+(?:all\s+)?up\b",
        ),
        (
            "identity (a person is a name)",
            r"\bthe\s+(?:\w+\s+){0,2}?(?:man|woman|boy|girl|guy|lady|dude|kid|mom|dad|mother|father|wife|husband|"
            r"doctor|nurse|stranger|patient|priest|neighbou?r|one)\s+(?:\w+\s+){0,3}?(?:is|was)\s+"
            r"(?:actually\s+|really\s+|secretly\s+)?"
            r"(?!(?:cute|nice|fine|cool|good|bad|great|sad|mad|wild|fun|real|dead|alive|gone|right|wrong|there|here|"
            r"home|back|perfect|iconic|adorable|creepy|scary|evil|terrifying|hilarious|amazing|awesome|brilliant|"
            r"incredible|annoying|insane|unhinged|chaotic|sweet|heartbreaking|the|a|an|so|too|very|not|never|such|"
            r"just|also|still|literally|lowkey|highkey)\b)"
            r"(?![a-z]+(?:able|ible|ful|ous|ive|ing|ed|ic|al|ent|ant|less|ish|est|ly|y)\b)"
            r"(?-i:[a-z][a-z-]+)(?=\s*(?:$|[,.;!]|\s+and\b|\s+(?:the|this)\s+whole))",
        ),
        (
            "reveal (wider)",
            # "the final reveal that…", "ending: the top wobbles", "finds out who she is"
            r"\bthe\s+(?:final|big|last|whole|real)\s+(?:reveal|twist|truth)\s+(?:that|where|when|of\s+who|about\s+who)\b|"
            r"\b(?:ending|the\s+end|final\s+(?:scene|shot|twist|reveal)|last\s+(?:scene|shot)|reveal|big\s+reveal)\s*:\s*"
            r"(?:the|a|he|she|they|his|her|their|everyone|nobody|(?:[a-z]+\s+){1,2}(?:is|was|dies|died|wins|kills|killed|gets|"
            r"turns|ends))\b|"
            r"\b(?:finds?|found|finding)\s+out\s+(?:who|what\s+(?:he|she|they)|that|(?:he|she|they)\s+(?:is|was|were|are|had))\b|"
            r"\b(?:learns?|learned|learnt|realises|realizes|realised|realized|discovers?|discovered)\s+who\b",
        ),
        (
            "ending (wider)",
            r"\b(?:walks?|walked|steps?|stepped)\s+(?:out\s+)?(?:through|out)\s+(?:the|a)\s+(?:\w+\s+)?(?:door|exit|gate|doorway)\b|"
            r"\b(?:hits|hit)\s+the\s+(?:\w+\s+)?(?:wall|edge)\b|"
            r"\b(?:never|don't|dont|doesn't|doesnt|didn't|didnt)\s+(?:\w+\s+)?(?:catch|caught|find|found|solve|solved|identify)\s+"
            r"(?:him|her|them|the\s+(?:killer|murderer|culprit|body|bodies))\b",
        ),
    )
    for alt in _alternatives(rx)
)


def _required_words(items: Any) -> frozenset[str] | None:
    """Strings one of which every match of the parsed pattern `items` contains, or None if no such
    set of at least two letters each is found (for the pre-check below).

    Sound by construction: a run of literals in a sequence must all be matched; a group, a
    repetition of at least one, or an alternation whose every branch requires something,
    requires that. Lookarounds, classes and optional parts require nothing."""
    best: frozenset[str] | None = None

    def consider(found: frozenset[str] | None) -> None:
        nonlocal best
        if found and min(map(len, found)) >= 2 and (best is None or min(map(len, found)) > min(map(len, best))):
            best = found

    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        consider(frozenset(["".join(run)]) if run else None)
        run = []
        if op is _sre.SUBPATTERN:
            consider(_required_words(av[3]))
        elif op is _sre.ATOMIC_GROUP:
            consider(_required_words(av))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            consider(_required_words(av[2]))
        elif op is _sre.BRANCH:
            each = [_required_words(b) for b in av[1]]
            consider(frozenset().union(*each) if all(each) else None)  # type: ignore[arg-type]
    return best


def _pre_check(rx: re.Pattern[str]) -> tuple[frozenset[str] | None, re.Pattern[str]] | None:
    """The words `rx` cannot match without: lower-cased for ASCII text (when they are ASCII too), and
    as one case-insensitive pattern (the same engine and flag as `rx`, so right for any text: under
    IGNORECASE "s" also matches "ſ" and "i" matches "İ", which lower-casing would not see)."""
    words = _required_words(_sre_parse.parse(rx.pattern, rx.flags))
    if words is None:
        return None
    ascii_words = frozenset(w.lower() for w in words) if all(w.isascii() for w in words) else None
    return ascii_words, re.compile("|".join(map(re.escape, sorted(words))), re.IGNORECASE)


# Why: `reveal` tries ~50 rules on every sentence, and a sentence of an ordinary review matches
# none. Each rule is only searched when a word it cannot match without is in the sentence: a few
# substring tests on ASCII text instead of ~50 regex searches, with the same decision (the
# pre-check can only skip a search that would have failed; tests/test_richtext_fastpaths.py).
_REVEAL_CHECKS = tuple(_pre_check(rx) for _, rx in _REVEALS)


def _may_match(check: tuple[frozenset[str] | None, re.Pattern[str]] | None, sentence: str, low: str | None) -> bool:
    """False only when the rule behind `check` cannot match `sentence` (`low`: it lower-cased, if ASCII)."""
    if check is None:
        return True
    if low is not None and check[0] is not None:
        return any(w in low for w in check[0])
    return check[1].search(sentence) is not None


_ENDING_CUE = re.compile(
    r"\b(?:in\s+the\s+end|at\s+the\s+end|by\s+the\s+end|in\s+the\s+final\s+(?:scene|act|minutes|shot|moments)|"
    r"the\s+(?:last|final)\s+(?:scene|shot|act|minutes|moments|line|frame|image)|the\s+ending|ends\s+with|finally|eventually|"
    r"at\s+last|in\s+the\s+last\s+(?:scene|act|minutes|shot|ten\s+minutes))\b",
    re.IGNORECASE,
)
_ENDING_EVENT = re.compile(
    r"\b(?:(?i:he|she|they)|[A-Z][a-z]+(?:-[a-z]+)?|the\s+(?:\w+\s+)?(?:boy|girl|man|woman|dog|kid|family|couple|brother|sister|"
    r"father|mother|son|daughter|hero|heroine|villain|killer|detective|doctor|wife|husband|friends?|lovers?|town|"
    r"two|crew|team|children))\s+(?:\w+\s+){0,2}?(?:dies|died|kills|killed|marries|married|leaves|left|escapes|escaped|"
    r"returns|returned|wins|won|loses|lost|survives|survived|saves|saved|chooses|chose|gets|got|goes|went|finds|found|"
    r"becomes|became|forgives|forgave|confesses|confessed|reunites?|reunited|is\s+\w+ed|was\s+\w+ed|turns|turned|"
    r"sacrifices|sacrificed|shoots|shot|burns|burned|jumps|jumped|wakes|woke|learns|learned|realises|realizes|"
    r"realised|realized|decides|decided|takes|took|gives|gave|kisses|kissed|drives|drove|walks|walked|runs|ran|"
    r"stays|stayed|moves|moved|sells|sold|adopts|adopted|falls|fell|ends|ended|is|was|are|were|has|had|never)\b"
)
# A character doing something that decides the story, said of someone the review names (not
# an actor or the director: the catalog's cast and crew tell them apart) or a person it
# points at ("the son", "his wife", "both children", "she").
_PEOPLE = (
    r"(?:boy|girl|man|woman|dad|mom|mum|mother|father|son|daughter|brother|sister|wife|husband|kids?|children|"
    r"family|couple|hero|heroine|villain|killer|detective|doctor|cop|friends?|lovers?|twins?|robot|monster|dog|"
    r"ghost|stranger|priest|teacher|grandmother|grandfather|grandma|grandpa|housekeeper|maid|butler|boss|"
    r"captain|prisoner|patient|narrator|baby|uncle|aunt|neighbou?r|servants?|guard|soldiers?|parents?|girlfriend|"
    r"boyfriend|fianc[ée]e?|partner|mentor|student|lawyer|nurse|shaman|professor)"
)
_DECISIVE = (
    r"(?:die|dies|died|kills?|killed|killing|freezes(?!\s+up)|froze(?!\s+up)|starves|starved|bleeds\s+out|bled\s+out|explodes?|exploded|blows?\s+up|blew\s+up|gets?\s+out|got\s+out|"
    r"breaks?\s+out|broke\s+out|shoots?|shot|stabs?|stabbed|poisons?|poisoned|murders?|murdered|"
    r"escapes?|escaped|survives?|survived|sacrifices?|sacrificed|betrays?|betrayed|marries|married|plann?(?:ed|s)|"
    r"frames?|framed|fakes?|faked|swaps?|swapped|switch(?:es|ed)|confess(?:es|ed)|drowns?|drowned|burns?|burned|"
    r"buries|buried|saves?|saved|rescues?|rescued|abandons?|abandoned|joins?|joined|signs?|signed|chooses|chose|"
    r"wakes?\s+up|woke\s+up|turns?\s+into|turned\s+into|becomes|became|ends?\s+up|ended\s+up|gets?\s+away|"
    r"got\s+away|walks?\s+(?:out|away|off)|walked\s+(?:out|away|off)|lets?\s+go|sinks?|sank|is\s+(?:still\s+)?alive|"
    r"was\s+(?:still\s+)?alive|(?:does(?:n't|\s+not)|did(?:n't|\s+not)|never)\s+(?:exist|existed|die|make\s+it)|"
    r"(?:is|was|were|are|gets?|got)\s+(?:executed|hanged|arrested|caught|shot|stabbed|poisoned|eaten|bitten|"
    r"murdered|killed|framed|freed|released|acquitted|convicted)|(?:has|had)\s+been\s+\w+ing|"
    r"(?:was|were|is|are)\s+(?:\w+ing)\s+(?:with|for|the|him|her|them|all|in)|(?:is|was|were|are)\s+in\s+on\s+it|"
    r"goes\s+(?:blind|mad|free|to\s+find)|went\s+(?:blind|mad|free)|finds|found|discovers|discovered|"
    r"learns|learned|realises|realizes|realised|realized|leaves|left|loses|lost|wins|won|returns|returned|"
    r"passes|passed\s+away|outlives|outlived|stays\s+with|stayed\s+with|turns?\s+(?:him|her|them)sel(?:f|ves)\s+in|"
    r"(?:is|was)\s+using|covers?\s+(?:it\s+)?up|covered\s+(?:it\s+)?up|strangles?|strangled|smothers?|smothered|"
    r"suffocates?|suffocated|hangs?\s+(?:him|her)self|hanged\s+(?:him|her)self|vanishes|disappears|goes\s+missing|"
    r"takes\s+(?:his|her|their)\s+own\s+life|took\s+(?:his|her|their)\s+own\s+life|remembers|forgives|forgave)"
)
_IDENTITY_NOUN = (
    r"(?:robot|android|ghost|demon|devil|clone|alien|vampire|spy|mole|traitor|killer|murderer|culprit|"
    r"cult\s+leader|leader|imposter|impostor|double|twin|figment|hallucination|dream|same\s+person|one\s+\w+ing|"
    r"one\s+who|one\s+behind|real\s+\w+|mastermind|son|daughter|father|mother|brother|sister|sled)"
)
# What someone "is a" only in a twist ("Ash is a robot"); "is a good father" is characterisation.
_STRANGE = (
    r"(?:robot|android|ghost|demon|devil|clone|alien|vampire|spy|mole|traitor|killer|murderer|culprit|"
    r"cult\s+leader|imposter|impostor|figment|hallucination|dream|double)"
)
_CHARACTER_EVENT = re.compile(
    r"\b(?P<subject>(?:(?-i:Mr|Mrs|Ms|Dr)\.?\s+)?(?-i:[A-Z])[\w'’-]+(?:\s+(?:and\s+)?(?-i:[A-Z])[\w'’-]+)?(?:'s\s+"
    + _PEOPLE
    + r")?|he|she|they|who|"
    r"both\s+\w+|all\s+of\s+them|everyone|everybody|nobody|"
    r"(?:the|his|her|their|(?-i:[A-Z])[\w-]+'s|the\s+\w+'s)\s+(?:\w+\s+)?" + _PEOPLE + r")"
    r"\s+(?:(?:actually|really|secretly|already|then|finally|eventually|later|also|still|just|even|literally|"
    r"basically|obviously|suddenly|accidentally|immediately|slowly|ultimately|totally|lowkey)\s+)?"
    r"(?:" + _DECISIVE + r"|(?:is|was|were|are|has\s+been|had\s+been|have\s+been)\s+"
    r"(?:actually\s+|really\s+|secretly\s+)?(?:(?:a|an)\s+(?:\w+\s+)?"
    + _STRANGE
    + r"|(?:the|his|her|their|(?-i:[A-Z])[\w-]+'s)\s+(?:\w+\s+)?(?:"
    + _IDENTITY_NOUN
    + r"|"
    + _PEOPLE
    + r"))"
    r"|(?:is|was|were|are)\s+(?:actually|really|secretly)\s+(?:a|an|the|his|her|their)\s+\w+"
    r"|(?:is|was|'s)\s+(?-i:[A-Z])[\w-]+\b(?!'s))\b",
    re.IGNORECASE,
)
# In a sentence about the ending, a character doing anything at all gives it away.
_CHARACTER_ACTS = re.compile(
    _CHARACTER_EVENT.pattern.split(r"\s+(?:(?:actually")[0] + r"\s+(?:\w+ly\s+)?(?-i:[a-z])[\w'’]+",
    re.IGNORECASE,
)
_PEOPLE_AT_END = re.compile(_PEOPLE + r"$", re.IGNORECASE)
_NOT_CHARACTERS = _words(
    "I It It's This That The A An In At By On Of And But So Then Also Still Yes No Oh Wow Lol Honestly "
    "Overall Pixar Disney Netflix Ghibli Oscar Oscars Hollywood Bollywood Korean Japanese French American "
    "British Indian Christmas God Jesus Mr Mrs Ms Dr Part Act Chapter Season Episode Everyone Nobody Both"
)
_INDEFINITE = re.compile(r"\W*(?:an?|one|some)\s", re.IGNORECASE)  # "A man is locked in a room…"
_FIRST_OR_SECOND = re.compile(r"\b(?:I|I'm|I've|I'd|me|my|we|us|our|you|your)\b")
_PREMISE_CUE = re.compile(
    r"\b(?:the\s+(?:film|movie|story)\s+(?:follows|opens|begins|starts|is\s+about|centres|centers)|tells\s+the\s+story|"
    r"premise|set-?up|at\s+the\s+(?:start|beginning)|in\s+the\s+(?:first|opening)\s+(?:act|scene|minutes?|ten\s+minutes)|"
    r"opening\s+(?:scene|minutes)|(?:opens|begins|starts)\s+with|is\s+about\s+a)\b",
    re.IGNORECASE,
)
_CONTINUES = re.compile(
    r"^(?:he|she|they|his|her|their|then|and|so|which|that|after\s+that|later|only|both)\b", re.IGNORECASE
)
_TWIST_WORDS = re.compile(r"\b(?:turns?\s+out|all\s+along|twist|revealed)\b", re.IGNORECASE)


# Every `_SENTENCE_END` match starts right after one of .!?…; or at a newline, or in the whitespace
# before a dash: these characters are where a match can be, found in one fast pass.
_SENTENCE_TRIGGER = re.compile(r"[.!?…;\n\-–—]")


def _sentence_ends(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_SENTENCE_END.finditer(text)``, trying the pattern only where one can start.

    Why: `_SENTENCE_END` starts with a lookbehind, so `re` has no prefix to skip ahead with and
    tries all four alternatives at every character (~30 µs a review); here it is tried at the few
    candidate positions, in order, which finds the same leftmost non-overlapping matches
    (tests/test_richtext_fastpaths.py compares both on any text)."""
    if not FAST_PATHS.enabled:
        yield from _SENTENCE_END.finditer(text)
        return
    spans: list[tuple[int, int]] = []  # candidate start positions: first, last
    for t in _SENTENCE_TRIGGER.finditer(text):
        i = t.start()
        c = text[i]
        if c == "\n":
            spans.append((i, i))
        elif c in "-–—":
            k = i
            while k > 0 and text[k - 1].isspace():
                k -= 1
            if k < i:  # "\s+[-–—]…" can start anywhere in the whitespace before the dash
                spans.append((k, i - 1))
        else:
            spans.append((i + 1, i + 1))
    pos = 0
    for first, last in sorted(spans):
        p = max(first, pos)
        if p > last:
            continue
        m = _SENTENCE_END.match(text, p)
        if m is not None:
            yield m
            pos = m.end()


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a paragraph, abbreviations (Mr., No. 7) not taken for ends."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _sentence_ends(text):
        a, z = m.span()
        if "\n" not in m.group(0):
            before = text[max(0, a - 6) : a].rstrip('"”’)]')
            if (before[-2:] in _ABBREV_ENDS and _ABBREV.search(before)) or text[z : z + 1].isdigit():
                continue  # "Mr. Park", "Cell No. 7" (`_ABBREV` ends in a capital or one of these, then ".")
        if a > start:
            out.append((start, a))
        start = z
    if start < len(text):
        out.append((start, len(text)))
    return [(a, z) for a, z in out if _WORD.search(text, a, z)]


def _is_character(subject: str, film: FilmHints | None) -> bool:
    """A named subject is a character unless it is an actor, the director or a film-talk word."""
    words = subject.replace("'s", " ").split()
    if words and words[0].rstrip(".") in ("Mr", "Mrs", "Ms", "Dr"):
        return True  # "Mr. Park" is a character even when an actor is called Park
    if not words or words[0] in _NOT_CHARACTERS:
        return subject.split()[0].lower() in ("both", "everyone", "everybody", "nobody", "all")
    if film is not None:
        known = {w for name in film.people + film.crew for w in name.replace("-", " ").split()}
        if any(w in known or w.split("-")[0] in known for w in words if w[:1].isupper()):
            return False
    return True


# Past-tense narration right after a character's name: "Grace smothered her kids".
_PAST_ACT = re.compile(r"^\s+(?:(?-i:[a-z])\w+ly\s+)?(?-i:[a-z])\w{2,}ed\b")
_DECISIVE_ANYWHERE = re.compile(r"\b(?:and|then|before|after|but)\s+(?:\w+\s+)?" + _DECISIVE + r"\b", re.IGNORECASE)


def character_event(
    sentence: str, film: FilmHints | None = None, *, rx: re.Pattern[str] | None = None, bits: int | None = None
) -> bool:
    """True if someone in the story (not an actor) does something decisive in `sentence`
    (with `rx`: anything at all, for sentences already about the ending). `bits`: the
    sentence's word gates (`_sentence_bits`), to skip searches that cannot match."""
    last = rx or _CHARACTER_EVENT
    first = rx is None
    if bits is not None:  # the gates first: they are integer tests
        need = _NEED_CHARACTER_EVENT if rx is None else _NEED_CHARACTER_ACTS if rx is _CHARACTER_ACTS else _ALWAYS
        first = first and (
            bits & _NEED_DECISIVE_ANYWHERE == _NEED_DECISIVE_ANYWHERE
            or (bits & _NEED_PAST_ACT == _NEED_PAST_ACT and _past_act_after_subject(sentence, bits))
        )
        if not first and not need.passes(bits):
            return False
    if _INDEFINITE.match(sentence) or sentence.rstrip().endswith("?"):
        return False  # "A man is locked in a room…" introduces the premise; "Who is X?" asks
    if bits is None:
        sentence = _NOT_DEATH.sub(" ", sentence)  # "the director kills it"
    # (with `bits`, `_NOT_DEATH` cannot match: `_sentence_bits`)
    if first:
        for m in _subject_matches(_CHARACTER_ACTS, sentence):
            # a character, then a past-tense act or a decisive one later in the clause
            after = sentence[m.end("subject") :]
            past = _PAST_ACT.match(after)
            acts = (past and past.group(0).split()[-1].lower() not in _ED_NOT_EVENTS) or _DECISIVE_ANYWHERE.search(
                after
            )
            if acts and _character_subject(m.group("subject"), film):
                return True
    if bits is not None and not need.passes(bits):
        return False
    character = last is _CHARACTER_EVENT or last is _CHARACTER_ACTS
    matches = _subject_matches(last, sentence) if character else last.finditer(sentence)
    return any(_character_subject(m.group("subject"), film) for m in matches)


# Where a `_CHARACTER_EVENT` / `_CHARACTER_ACTS` match can start: its subject begins a word that is
# capitalised (a name, "Mr."), a pronoun, "both", "all", "everyone"/"everybody"/"nobody", or "the",
# "his", "her", "their" before a person word.
_SUBJECT_START = re.compile(
    r"\b(?=(?-i:[A-Z])|(?:he|she|they|who|both|all|everyone|everybody|nobody|the|his|her|their)\b)", re.IGNORECASE
)


def _subject_matches(rx: re.Pattern[str], sentence: str) -> Iterator[re.Match[str]]:
    """The matches of ``rx.finditer(sentence)`` for the character patterns, trying `rx` only where
    a subject can start (the same leftmost, non-overlapping matches: tests/test_richtext_fastpaths.py).

    Why: those patterns open with a long alternation `re` cannot skip ahead with, so a search
    tries it at every character (~5 µs a sentence); a sentence has a few subject starts."""
    if not FAST_PATHS.enabled:
        yield from rx.finditer(sentence)
        return
    pos = 0
    for c in _SUBJECT_START.finditer(sentence):
        if c.start() >= pos and (m := rx.match(sentence, c.start())) is not None:
            yield m
            pos = m.end()


_ED_HEAD = re.compile(r"(?-i:[a-z])\w{2,}ed\b")  # `_PAST_ACT`'s verb, at the start of a word
_LY_WORD = re.compile(r"(?-i:[a-z])\w+ly")  # and its adverb
_SUBJECT_END = ("he", "she", "they", "who", "them", "everyone", "everybody", "nobody")


def _past_act_after_subject(sentence: str, bits: int) -> bool:
    """False only if no `_CHARACTER_ACTS` subject in `sentence` is followed by `_PAST_ACT`.

    Why: the first loop of `character_event` tries `_CHARACTER_ACTS` at every word (~5 µs a
    sentence) and most sentences with an "-ed" word have it nowhere near a subject. A subject
    ends a whitespace-separated word, its last word capitalised, a pronoun, a person word or
    after "both"; the past-tense verb starts the next word (or the one after an "-ly" adverb)."""
    if bits & _NEED_BOTH == _NEED_BOTH:
        return True  # "both \w+": any word can end that subject
    words = sentence.split()
    for j in range(1, len(words)):
        if "ed" not in words[j] or _ED_HEAD.match(words[j]) is None:
            continue
        before = [j - 1] if j < 2 or not _LY_WORD.fullmatch(words[j - 1]) else [j - 1, j - 2]
        for k in before:
            w = words[k]
            if w.lower() != w or w.lower().endswith(_SUBJECT_END) or _PEOPLE_AT_END.search(w):
                return True
    return False


def _character_subject(subject: str, film: FilmHints | None) -> bool:
    first = subject.split()[0].lower()
    if first in ("the", "his", "her", "their"):
        return bool(_PEOPLE_AT_END.search(subject))  # "The ending made me cry": not a person
    return first in ("he", "she", "they", "who") or _is_character(subject, film)


# Chat reviews write names in lower case ("ernesto poisoned hector"). A bare word at the start of
# a clause, right before a decisive verb or a past-tense act, is taken for a character unless it
# is a function word, film talk, or a word of an actor's or the director's name.
_NOT_BARE_NAMES = _words(
    "i im i'm it its it's this that these those there here he she they we you who what which whoever everyone "
    "everybody nobody someone somebody anyone anybody everything nothing something anything all both each "
    "none one some many most few people film movie story plot script ending end twist reveal cast acting "
    "pacing music score soundtrack cinematography camera editing director writing dialogue tension mood vibe "
    "cgi effects sequel franchise time life love death fate hope fear and but so or then also just still even "
    "never really actually literally honestly lol lmao ngl tbh omg wow yeah yes no not the a an my your his "
    "her their our me him them us if when while because after before until as since though although mom dad "
    "mum man woman boy girl kid kids guy lady family audience viewers critics netflix pixar disney ghibli "
    "which whose whom how why where cinema theatre theater scene scenes character characters every each any "
    "another other such looks look seems felt feels is am be do go to in on at of up by as if or oh ok ya "
    "yo ah eh uh um hm so"
)
_CLAUSE_WORD = r"(?:and|but|so|when|then|that|how|because|until|while|cause|cuz|coz)"
_BARE_EVENT = re.compile(
    r"(?:^|[,;:(]\s*|\b" + _CLAUSE_WORD + r"\s+)"
    r"(?P<subject>(?-i:[a-z][a-z'’-]{1,})(?:\s+(?:(?i:and)\s+)?(?!(?:[a-z]+ly|and|or|but|nor)\b)(?-i:[a-z][a-z'’-]{2,}))?)\s+"
    r"(?:(?-i:[a-z]+ly|also|then|just|finally|still|even|never|actually|really|secretly)\s+)?"
    r"(?P<verb>" + _DECISIVE + r"|fakes?|faked|crawl(?:s|ed)|(?-i:[a-z]{3,}ed))\b",
    re.IGNORECASE,
)
# "jenny dying", "the basement guy stabbing ki-jung", "the dad sacrificing himself"
_DYING = re.compile(
    r"\b(?P<subject>[\w'’-]+)\s+(?:\w+ly\s+)?(?P<verb>dying|killing|shooting|stabbing|poisoning|murdering|strangling|"
    r"drowning|sacrificing|executing|smothering|framing|betraying)\b"
    r"(?!\s+(?:to\b|it\b|me\b|us\b|laughing|of\b|inside|the\s+(?:mood|pace|pacing|vibe|tension)))",
    re.IGNORECASE,
)
_NOT_DYING_AFTER = _words(
    "i i'm im am me keep keeps kept stop stops stopped start starts started about of for from worth without "
    "like likes love loves hate hates avoid avoids be been being is are was were not no by it it's its "
    "this that film movie scene acting pacing ending plot score music"
)


def _not_cast(subject: str, film: FilmHints | None) -> bool:
    """No word of `subject` is a word of an actor's or the director's name (any case)."""
    if film is None:
        return True
    names = [w.casefold().strip("'’") for name in film.people + film.crew for w in name.split()]
    known = set(names) | {part for w in names for part in w.split("-")}
    # "jong-su" is not "Jeon Jong-seo": a hyphenated word is compared whole
    return not any(re.sub(r"['’]s$", "", w.casefold()) in known for w in subject.split())


_DECISIVE_ONLY = re.compile(_DECISIVE, re.IGNORECASE)
_PAST_DECISIVE = _words(
    "shot killed died poisoned stabbed murdered faked framed drowned executed hanged buried betrayed chose sank hid "
    "fled slew"
)


def _bare_name_event(
    sentence: str, film: FilmHints | None, *, past_only: bool = False, bits: int | None = None
) -> bool:
    if bits is not None and not _NEED_BARE_EVENT.passes(bits):
        return False
    if _INDEFINITE.match(sentence) or sentence.rstrip().endswith("?"):
        return False
    if bits is not None:  # `_NOT_DEATH` cannot match (`_sentence_bits`): nothing to rewrite
        # a match starts at the very beginning (with a lower-case letter), after one of ,;:( or
        # after a clause word
        if not (
            "a" <= sentence[:1] <= "z"
            or any(c in sentence for c in ",;:(")
            or bits & _NEED_CLAUSE_START == _NEED_CLAUSE_START
        ):
            return False
        plain = sentence
    else:
        plain = _NOT_DEATH.sub(" ", sentence)
    for m in _BARE_EVENT.finditer(plain):
        words = [w for w in m.group("subject").lower().split() if w != "and"]
        if any(w in _NOT_BARE_NAMES or w.endswith(("ing", "ly", "ness", "tion")) for w in words):
            continue
        verb = m.group("verb").lower()
        head = verb.split()[0]
        if len(words) == 1 and not (head.endswith(("s", "ed")) or head in _IRREGULAR_PAST or head in _PAST_DECISIVE):
            continue  # "slow burn": a bare word, then a verb that does not agree with it: adjective and noun
        if (
            verb.endswith("ed")
            and (verb in _ED_NOT_EVENTS or not _DECISIVE_ONLY.fullmatch(verb))
            and "ly " in m.group(0)
        ):
            continue  # "beautifully designed" describes; "obviously killed" narrates
        if verb.endswith("ed") and verb in _ED_NOT_EVENTS and not _DECISIVE_ONLY.fullmatch(verb):
            continue  # "loved"; but "oliver planned the whole thing" narrates
        if past_only and verb not in _PAST_DECISIVE and not (verb.endswith("ed") and len(verb) > 5):
            continue
        if _not_cast(m.group("subject"), film):
            return True
    return False


def _dying(sentence: str, film: FilmHints | None, *, bits: int | None = None) -> bool:
    if bits is not None and bits & _NEED_DYING != _NEED_DYING:
        return False
    if _FIRST_OR_SECOND.search(sentence.split(" ", 1)[0]):
        return False
    for m in _DYING.finditer(sentence if bits is not None else _NOT_DEATH.sub(" ", sentence)):
        subject = m.group("subject").lower()
        if subject in _NOT_DYING_AFTER or subject in ("everyone", "nobody"):
            continue
        if _not_cast(m.group("subject"), film) or _PEOPLE_AT_END.search(subject):
            return True
    return False


# The word gates (gates.py): which patterns could match a sentence, from its words. Each gated
# search below is skipped only when its pattern cannot match; the full path is taken when the
# sentence's words are not known (fast paths off, a character IGNORECASE folds oddly) or when
# `_NOT_DEATH` could rewrite it (the rules that read the rewritten sentence then see other words).
_GATES = WordGates()
_REVEAL_NEEDS = tuple(_GATES.add(rx) for _, rx in _REVEALS)
_REVEAL_TERMS = tuple(_GATES.add_branches(rx) for _, rx in _REVEALS)
_RULES = tuple(zip(_REVEALS, _REVEAL_CHECKS, _REVEAL_NEEDS, strict=True))
# The rules by one bit of their need (its rarest set): a sentence's rules to try are found from the
# few of these bits it has, not by testing all ~50 rules.
_RULES_BY_BIT: dict[int, list[tuple[int, int]]] = {}  # bit -> (rule, term)
for _k, _terms in enumerate(_REVEAL_TERMS):
    for _term in _terms:
        _RULES_BY_BIT.setdefault(_GATES.rarest(_term) if _term else 0, []).append((_k, _term))
_ANY_REVEAL = functools.reduce(operator.or_, _RULES_BY_BIT)


def _rules_for(bits: int) -> list[int]:
    """The indices (in order) of the rules whose gate `bits` passes."""
    out = {k for k, _ in _RULES_BY_BIT.get(0, ())}  # rules that need no word
    found = bits & _ANY_REVEAL
    while found:
        bit = found & -found
        found ^= bit
        out.update(k for k, term in _RULES_BY_BIT[bit] if bits & term == term)
    return sorted(out)


_NEED_NOT_DEATH = _GATES.add(_NOT_DEATH)
_NEED_PREMISE_CUE = _GATES.add(_PREMISE_CUE)
_NEED_ENDING_CUE = _GATES.add(_ENDING_CUE)
_NEED_CHARACTER_EVENT = _GATES.add_gate(_CHARACTER_EVENT)
_NEED_CHARACTER_ACTS = _GATES.add_gate(_CHARACTER_ACTS)
_NEED_PAST_ACT = _GATES.add(_PAST_ACT)
_NEED_DECISIVE_ANYWHERE = _GATES.add(_DECISIVE_ANYWHERE)
_NEED_BARE_EVENT = _GATES.add_gate(_BARE_EVENT)
_ALWAYS = Gate((0,), [0])
_CLAUSE_START = re.compile(r"\b" + _CLAUSE_WORD + r"\s+", re.IGNORECASE)  # the third way `_BARE_EVENT` starts
_NEED_CLAUSE_START = _GATES.add(_CLAUSE_START)
_NEED_DYING = _GATES.add(_DYING)
_NEED_BOTH = _GATES.add(re.compile(r"\bboth\b", re.IGNORECASE))
# the paragraph scores' cues, by id (a compiled pattern hashes its whole program: slow as a key)
_PARAGRAPH_NEEDS = {
    id(rx): _GATES.add(rx) for rx in (_PLOT, _TEMPORAL, _PRONOUN3, _FIRST, _SECOND, _OPINION, _EVALUATIVE, _INTRO)
}


def _sentence_bits(sentence: str) -> int | None:
    """The gate bits of `sentence`'s words; None for the full path (see above)."""
    if not FAST_PATHS.enabled:
        return None
    bits = _GATES.of(sentence)
    if bits is None or bits & _NEED_NOT_DEATH == _NEED_NOT_DEATH:
        return None
    return bits


def _calm(sentence: str, bits: int, film: FilmHints | None, opening: bool) -> bool:
    """True only if `reveal` finds nothing in `sentence` once no rule of `_REVEALS` has given a
    reason: the gate of everything else it could give a reason by fails (the same tests `reveal`
    and its helpers make, all at once, before any other work; most sentences end here)."""
    if bits & _NEED_ENDING_CUE == _NEED_ENDING_CUE or bits & _NEED_DYING == _NEED_DYING:
        return False
    if film is not None and any(map(sentence.__contains__, film.people)):
        return False
    if _NEED_CHARACTER_EVENT.passes(bits) or bits & _NEED_DECISIVE_ANYWHERE == _NEED_DECISIVE_ANYWHERE:
        return False
    if bits & _NEED_PAST_ACT == _NEED_PAST_ACT and _past_act_after_subject(sentence, bits):
        return False
    if _NEED_BARE_EVENT.passes(bits):
        return not opening and not (
            "a" <= sentence[:1] <= "z"
            or any(c in sentence for c in ",;:(")
            or bits & _NEED_CLAUSE_START == _NEED_CLAUSE_START
        )
    return True


def reveal(sentence: str, film: FilmHints | None = None, *, opening: bool = False) -> str | None:
    """The rule by which `sentence` gives a twist, a death, a killer or an ending away, or None.

    `opening`: the review's first sentence, where a named character doing something is
    the premise being set up rather than the story being given away."""
    bits = _sentence_bits(sentence)
    rules: Any = _RULES
    if bits is not None:
        candidates = _rules_for(bits)
        if not candidates and _calm(sentence, bits, film, opening):
            return None
        rules = [_RULES[k] for k in candidates]
    premise = (bits is None or bits & _NEED_PREMISE_CUE == _NEED_PREMISE_CUE) and bool(
        _PREMISE_CUE.search(sentence) and not _TWIST_WORDS.search(sentence)
    )
    indefinite = bool(_INDEFINITE.match(sentence))
    low = sentence.lower() if bits is None and sentence.isascii() else None
    for (name, rx), check, need in rules:
        if bits is not None:
            if bits & need != need:
                continue  # the word gate: this rule's search would fail
        elif not _may_match(check, sentence, low):
            continue  # the pre-check above: this rule's search would fail
        if premise and name not in ("death (wider)", "a dream"):
            continue  # "in the first act…" sets the story up, unless someone dies or is a ghost in it
        if indefinite and name == "death (wider)":
            continue  # "A banker is sent to prison for killing his wife": the premise
        m = rx.search(sentence)
        if m is None:
            continue
        if name.startswith("death") and not rx.search(_NOT_DEATH.sub(" ", sentence)):
            continue  # "I died laughing" is not a death; a real one elsewhere in the sentence still counts
        if (
            name in ("turns out", "all along")
            and _FIRST_OR_SECOND.search(sentence)
            and not character_event(sentence, film, bits=bits)
        ):
            continue  # "turns out monster movies can make me cry"
        if name == "all along" and re.search(
            r"\b(?:I|we|you)\s+(?:\w+\s+)?(?:knew|guessed|suspected|felt|predicted|sensed|said|hoped|wanted)\s+"
            r"(?:it|this|that|so)?\s*all\s+along\b",
            sentence,
        ):
            continue
        if name == "did it" and film is not None:
            subject = re.match(r"\S+", sentence[m.start() :])
            if subject and any(subject.group(0) in c.split() for c in film.crew):
                continue
        return name
    if premise or (bits is not None and _calm(sentence, bits, film, opening)):
        return None  # (no rule gave a reason; `_calm`: nothing below can either)
    cue = _ENDING_CUE.search(sentence) if bits is None or bits & _NEED_ENDING_CUE == _NEED_ENDING_CUE else None
    if cue and character_event(sentence, film, rx=_CHARACTER_ACTS, bits=bits):
        return "ending"
    if cue:
        if _ENDING_EVENT.search(sentence[cue.start() :]) or _ENDING_EVENT.search(sentence[: cue.start()]):
            head = sentence[: cue.start()] + sentence[cue.end() :]
            if not _FIRST_OR_SECOND.search(head) and not re.search(
                r"\b(?:it|this|that|the\s+(?:film|movie|ending|story))\s*(?:is|was|'s|feels|felt|works|worked|"
                r"comes|came|lands|landed|hits|hit)\b",
                head,
                re.IGNORECASE,
            ):
                return "ending"
        if film is not None and film.twist and re.search(r"\b(?:who|truth|real|secret|identity)\b", sentence, re.I):
            return "ending (a twist film)"
    if film is not None and any(person in sentence for person in film.people):
        plain = sentence if bits is not None else _NOT_DEATH.sub(" ", sentence)
        for person in film.people:
            if person in sentence and re.search(_DEATH_VERB, plain, re.IGNORECASE):
                return "a cast member's death"
    if not opening and character_event(sentence, film, bits=bits):
        return "a character's decisive act"
    if not opening and _bare_name_event(sentence, film, bits=bits):
        return "a character's decisive act (lower case)"
    if _dying(sentence, film, bits=bits):
        return "a character dying or killing"
    if opening and _bare_name_event(sentence.lower(), film, past_only=False, bits=bits):
        return "a character's decisive act, told in the past"  # a premise is set up in the present
    return None


def _continues(sentence: str) -> bool:
    """A sentence that carries on telling what the previous (revealing) one began."""
    if _FIRST_OR_SECOND.search(sentence) or "?" in sentence:
        return False
    if _EVALUATIVE.search(sentence) and not _PLOT.search(re.sub(r"\b(?:ending|twist)\b", " ", sentence, flags=re.I)):
        return False  # "best ending ever" is a verdict, not more of the story
    return bool(_CONTINUES.match(sentence.lstrip("\"“'‘(")) or _PLOT.search(sentence))


def reveal_ranges(
    text: str, film: FilmHints | None = None, *, opening: bool = False, spans: list[tuple[int, int]] | None = None
) -> list[tuple[int, int, str]]:
    """The parts of one paragraph to hide: each revealing sentence and the ones that carry it on.

    `opening`: this paragraph opens the review (its first sentence may set up the premise);
    `spans`: ``sentences(text)`` if the caller has it already."""
    out: list[tuple[int, int, str]] = []
    carrying = False
    for k, (a, z) in enumerate(sentences(text) if spans is None else spans):
        s = text[a:z]
        why = reveal(s, film, opening=opening and k == 0)
        if why is None and carrying and _continues(s):
            why = "carries on the reveal"
        carrying = why is not None
        if why is not None:
            if out and out[-1][1] >= a - 2 and not text[out[-1][1] : a].strip():
                out[-1] = (out[-1][0], z, out[-1][2])
            else:
                out.append((a, z, why))
    return out


def _first_narrating_sentence(text: str, names: set[str]) -> int:
    """Where a paragraph the retelling rule hides starts narrating: an opening verdict before it stays."""
    for a, z in sentences(text):
        s = text[a:z]
        score = _score(0, s, names)
        if score.events or score.plot_words or score.names or reveal(s) is not None:
            return a
    return 0


def detect_spoilers(d: Document, film: FilmHints | None = None, *, normal: bool = False) -> Document:
    """`d` with the retelling hidden paragraph by paragraph and every revealing sentence
    elsewhere hidden on its own (source ``"detector"``). `normal`: `d` is in normal form
    already (`model.normalize`), so a review with nothing to hide comes back as it is."""
    # The retelling rule reads a review's shape (premise, plot, verdict); a chat review of one
    # or two paragraphs has none, and there only revealing sentences are hidden.
    scores = explain(d) if len(d.blocks) >= RETELLING_MIN_BLOCKS else []
    hidden = {s.index for s in scores if s.hidden}
    names = _names(d.blocks) if hidden else set()  # only read where a paragraph is hidden whole
    first_hidden = min(hidden) if hidden else -1
    # The opening sentence is exempt from the "character does something" rule because it usually
    # sets the premise up; a review that is one sentence long has no premise to set up.
    spans = [sentences(b.text) for b in d.blocks]
    one_sentence = sum(len(spans[k]) for k, b in enumerate(d.blocks) if b.kind != "heading") <= 1
    blocks = []
    for k, b in enumerate(d.blocks):
        if b.spoiler:
            blocks.append(b)
            continue
        if k in hidden:
            cut = _first_narrating_sentence(b.text, names) if k == first_hidden else 0
            if cut == 0:
                blocks.append(replace(b, spoiler=True, source=DETECTOR_SOURCE))
            else:
                blocks.append(mark_range(b, cut, len(b.text), DETECTOR_SOURCE))
            continue
        text = b.text
        opening = not one_sentence and (k == 0 or (k == 1 and d.blocks[0].kind == "heading"))
        for a, z, _ in reveal_ranges(text, film, opening=opening, spans=spans[k]):
            b = mark_range(b, a, z, DETECTOR_SOURCE)
        blocks.append(b)
    if normal and not hidden and all(b is c for b, c in zip(blocks, d.blocks, strict=True)):
        return d  # nothing marked, and normalising a normal document changes nothing
    return normalize(Document(tuple(blocks)))


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


def apply_spoiler_mode(d: Document, mode: str = "auto", *, film: FilmHints | None = None) -> Document:
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
    return detect_spoilers(d, film)
