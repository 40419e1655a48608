"""Reading what people ask for: `sad koraen drma`, `like Parasite but funnier`, `scary but not gory 90s`.

The parser turns chat phrasing into a `Query` of facets (moods, countries,
genres, era, length, a film to resemble) plus leftover words for text search.
It never fails: anything it does not recognise becomes a search word, and the
reply shows how it read the request ("Read as: …") so people can rephrase.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from ..countries import country_name, country_words
from .lexicon import (
    BUT_RE,
    COMBOS,
    FILLER,
    GENRE_LABELS,
    GENRE_PHRASES,
    GENRE_WORDS,
    MOOD_LABELS,
    MOOD_WORDS,
    NEGATION_GLUE,
    NEGATIONS,
    OCCASION_FILLER,
    SIMILAR_AFTER_RE,
    SIMILAR_RE,
    TITLE_STOPS,
    VIBE_LABELS,
    VIBE_WORDS,
    VIBES,
    _wordset,
)
from .people import PeopleIndex, Person, name_keys

MAX_CHARS = 300
MAX_WORDS = 8
RECENT_YEARS = 7
TitleResolver = Callable[[str, bool], "tuple[int, str] | None"]  # (text, fuzzy allowed)

_COUNTRY_WORDS = {w.casefold(): c for w, c in country_words().items()}
_GENRE_PHRASES = {p: g for g, ps in GENRE_PHRASES.items() for p in ps}
# Single words the fuzzy matcher may correct a typo to.
VOCAB: list[str] = sorted(
    {w for w in (*_COUNTRY_WORDS, *GENRE_WORDS, *MOOD_WORDS, *VIBE_WORDS, *COMBOS) if " " not in w and len(w) >= 4}
    - FILLER
)
_VOCAB_SET = frozenset(VOCAB)
_KNOWN = frozenset(
    (*_COUNTRY_WORDS, *GENRE_WORDS, *MOOD_WORDS, *VIBE_WORDS, *COMBOS, *_GENRE_PHRASES, *FILLER, *NEGATIONS)
)

# Two-word phrases a slip can be corrected to, and long filler words whose typos are dropped.
_PHRASES = frozenset(
    p
    for p in (*MOOD_WORDS, *VIBE_WORDS, *_GENRE_PHRASES, *COMBOS)
    if p.count(" ") == 1 and all(len(w) >= 3 for w in p.split())
)
_PHRASE_LIST = sorted(_PHRASES)
_LONG_FILLER = sorted(w for w in FILLER if len(w) >= 6)
_LONG_NEGATIONS = sorted(w for w in NEGATIONS if len(w) >= 5 and w.isalpha())
TOKEN_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_NUM = {"one": 1, "two": 2, "three": 3, "an": 1, "a": 1, "1": 1, "2": 2, "3": 3}
COMPARATIVES = {
    "funny": "funnier",
    "scary": "scarier",
    "sad": "sadder",
    "bleak": "darker",
    "creepy": "creepier",
    "tense": "tenser",
    "gory": "gorier",
}
_DECADE_WORDS = {
    "twenties": 1920,
    "thirties": 1930,
    "forties": 1940,
    "fifties": 1950,
    "sixties": 1960,
    "seventies": 1970,
    "eighties": 1980,
    "nineties": 1990,
    "noughties": 2000,
}


@dataclass
class Query:
    """One request, read. Empty facets mean "anything"."""

    text: str = ""
    moods: dict[str, float] = field(default_factory=dict)  # mood -> weight
    not_moods: set[str] = field(default_factory=set)
    # Feelings and occasions ("a good cry", "cozy", "date night"): their moods are in `moods`, and what
    # else they ask of a film is summed here (lexicon.VIBES): catalog keywords and genres that show
    # it, and moods that go against it, each 0..1.
    vibes: list[str] = field(default_factory=list)
    vibe_moods: set[str] = field(default_factory=set)  # moods only a vibe asked for (not shown apart)
    vibe_keywords: dict[str, float] = field(default_factory=dict)
    vibe_genres: dict[str, float] = field(default_factory=dict)
    avoid_moods: dict[str, float] = field(default_factory=dict)
    countries: list[str] = field(default_factory=list)
    not_countries: set[str] = field(default_factory=set)
    genres: list[str] = field(default_factory=list)
    not_genres: set[str] = field(default_factory=set)
    year_min: int | None = None
    year_max: int | None = None
    era: str = ""
    runtime_min: int | None = None
    runtime_max: int | None = None
    length: str = ""
    like: list[tuple[int, str]] = field(default_factory=list)  # (film_id, label)
    shift: bool = False  # "like X but Y" / "X only darker": Y changes X, the rest of X is kept
    people: list[tuple[str, str, str]] = field(default_factory=list)  # (person key, name, "director"|"cast"|"")
    not_people: set[str] = field(default_factory=set)  # names, for "Read as"
    not_people_keys: set[str] = field(default_factory=set)
    not_keywords: set[str] = field(default_factory=set)  # "no zombies", "indian but not bollywood"
    # "not anime", "no romcoms": (countries, genres) a film must not have all of, and the word said
    not_combos: list[tuple[tuple[tuple[str, ...], tuple[str, ...]], str]] = field(default_factory=list)
    audience: str = ""  # "kids" | "family" | "teen" | "adults"
    spooky: bool = False  # "horror my kid can watch": ghosts and monsters, not horror
    words: list[str] = field(default_factory=list)
    # What is left once the film named, the audience, era, length and people are taken out, as runs of
    # adjacent tokens: only these may name catalog keywords ("my kids" is an audience, not the keyword).
    runs: list[list[str]] = field(default_factory=list)
    corrections: list[tuple[str, str]] = field(default_factory=list)
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not (
            self.moods
            or self.not_moods
            or self.vibes
            or self.countries
            or self.not_countries
            or self.genres
            or self.not_genres
            or self.year_min
            or self.year_max
            or self.runtime_min
            or self.runtime_max
            or self.like
            or self.people
            or self.not_people_keys
            or self.not_keywords
            or self.not_combos
            or self.audience
            or self.words
        )

    def reading(self) -> list[str]:
        """How the request was understood, in the order people tend to say it."""
        out = [f"like {label}" for _, label in self.like]
        out += [{"director": "by ", "cast": "with "}.get(role, "") + name for _, name, role in self.people]
        if self.audience:
            out.append(AUDIENCE_LABELS[self.audience])
        if self.spooky:
            out.append("spooky, not horror")
        out += [VIBE_LABELS[v] for v in self.vibes]
        out += [
            (COMPARATIVES.get(m, "more " + MOOD_LABELS[m]) if w > 1.0 else MOOD_LABELS[m])
            for m, w in self.moods.items()
            if m not in self.vibe_moods
        ]
        out += [country_name(c) for c in self.countries]
        out += [GENRE_LABELS.get(g, g) for g in self.genres]
        if self.era:
            out.append(self.era)
        if self.length:
            out.append(self.length)
        out += [f"not {MOOD_LABELS[m]}" for m in sorted(self.not_moods)]
        out += [f"no {GENRE_LABELS.get(g, g)}" for g in sorted(self.not_genres)]
        out += [f"not {country_name(c)}" for c in sorted(self.not_countries)]
        out += [f"no {word}" for _, word in self.not_combos]
        out += [f"no “{k}”" for k in sorted(self.not_keywords)]
        out += [f"not {k}" for k in sorted(self.not_people)]
        out += [f"“{w}”" for w in self.words if w not in VIBE_WORDS]
        return list(dict.fromkeys(out))  # "scared, something scary": one "scary"


def clean(text: str) -> tuple[str, bool]:
    """NFKC, lower case, curly quotes straightened, control characters gone, capped in length."""
    text = unicodedata.normalize("NFKC", text or "")
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    text = re.sub(r"(?i)(?<![\w/])w/o(?![\w/])", "without", text)
    text = "".join(ch if ch.isprintable() else " " for ch in text).casefold()
    # Accents off, so "Amélie" and "amelie" read alike; NFC again keeps Hangul and kana whole.
    text = unicodedata.normalize("NFKD", text)
    text = unicodedata.normalize("NFC", "".join(c for c in text if not unicodedata.combining(c)))
    truncated = len(text) > MAX_CHARS
    if truncated:
        text = text[:MAX_CHARS].rsplit(" ", 1)[0]
    return " ".join(text.split()), truncated


def _year(two_or_four: str) -> int:
    y = int(two_or_four)
    if y >= 100:
        return y
    return 2000 + y if y <= 20 else 1900 + y


def _take_era(text: str, q: Query, this_year: int) -> str:
    def sub(pattern: str, fn: Callable[[re.Match[str]], None]) -> None:
        nonlocal text
        m = re.search(pattern, text)
        if m and q.era:  # two eras ("90s recent"): keep the first, drop the word
            text = text[: m.start()] + " " + text[m.end() :]
            return
        if m:
            fn(m)
            text = text[: m.start()] + " " + text[m.end() :]

    def between(m: re.Match[str]) -> None:
        a, b = sorted((int(m.group(1)), int(m.group(2))))
        q.year_min, q.year_max, q.era = a, b, f"{a}–{b}"

    def before(m: re.Match[str]) -> None:
        y = int(m.group(1))
        q.year_max, q.era = y - 1, f"before {y}"

    def since(m: re.Match[str]) -> None:
        y = int(m.group(1))
        q.year_min, q.era = y, f"since {y}"

    def decade(m: re.Match[str]) -> None:
        d = _year(m.group(1)) // 10 * 10
        q.year_min, q.year_max, q.era = d, d + 9, f"{d}s"

    def decade_word(m: re.Match[str]) -> None:
        d = _DECADE_WORDS[m.group(1)]
        q.year_min, q.year_max, q.era = d, d + 9, f"{d}s"

    def exact(m: re.Match[str]) -> None:
        y = int(m.group(1))
        q.year_min, q.year_max, q.era = y, y, str(y)

    def recent(m: re.Match[str]) -> None:
        q.year_min, q.era = this_year - RECENT_YEARS, "recent"

    def old(m: re.Match[str]) -> None:
        q.year_max, q.era = 1979, "older (before 1980)"

    sub(
        r"\bbetween\s+((?:19|20)\d\d)\s+and\s+((?:19|20)\d\d)\b|\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b",
        lambda m: between(m) if m.group(1) else between(re.match(r"(\d+)\D+(\d+)", m.group(0)) or m),
    )
    sub(r"\b(?:before|pre|older\s+than|until|up\s+to|prior\s+to)\s*-?\s*((?:19|20)\d\d)s?\b", before)
    sub(r"\b(?:after|since|post|newer\s+than|from\s+after)\s*-?\s*((?:19|20)\d\d)s?\b", since)
    sub(r"(?<![\w])'?((?:19|20)?\d0)'?s\b", decade)
    sub(r"\b(twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties|noughties)\b", decade_word)
    sub(r"\b(?:from|in|of|made\s+in|released\s+in)?\s*\b((?:19[2-9]|20[0-3])\d)\b", exact)
    sub(r"\b(?:recent|recently|new|newer|newest|latest|modern|this\s+year|last\s+year)\b", recent)
    sub(r"\b(?:old|older|oldie|oldies|vintage|golden\s+age)\b", old)
    return text


def _take_length(text: str, q: Query) -> str:
    def minutes(num: str, unit: str) -> int:
        n = float(_NUM.get(num, 0) or num)
        return int(n * 60) if unit.startswith("h") else int(n)

    units = r"(h|hr|hrs|hour|hours|m|min|mins|minute|minutes)"
    num = r"(\d+(?:\.\d+)?|one|two|three|an|a)"
    m = re.search(
        rf"\b(?:under|less\s+than|below|shorter\s+than|max|at\s+most|no\s+longer\s+than|no\s+more\s+than|"
        rf"within|not\s+over|<)\s*{num}\s*{units}\b(?:\s+and\s+a\s+half)?",
        text,
    )
    if m:
        mins = minutes(m.group(1), m.group(2)) + (30 if "half" in m.group(0) else 0)
        q.runtime_max, q.length = mins, f"under {mins} min"
        return text[: m.start()] + " " + text[m.end() :]
    m = re.search(rf"\b(?:over|more\s+than|longer\s+than|at\s+least|>)\s*{num}\s*{units}\b", text)
    if m:
        mins = minutes(m.group(1), m.group(2))
        q.runtime_min, q.length = mins, f"over {mins} min"
        return text[: m.start()] + " " + text[m.end() :]
    m = re.search(
        r"\b(?:not|aren'?t|isn'?t|nothing|never)\s+(?:(?:too|very|that|so|overly)\s+)?(?:long|lengthy)\b", text
    )
    if m:
        q.runtime_max, q.length = 120, "not too long (≤ 120 min)"
        return text[: m.start()] + " " + text[m.end() :]
    m = re.search(r"\b(?:short|shorter|quick|brief)\b", text)
    if m:
        q.runtime_max, q.length = 100, "short (≤ 100 min)"
        return text[: m.start()] + " " + text[m.end() :]
    m = re.search(
        r"\b(?:long|longer|lengthy)\b(?!\s+(?:day|days|week|weeks|flight|flights|night|haul|trip|drive|shift))", text
    )
    if m:
        q.runtime_min, q.length = 140, "long (≥ 140 min)"
        return text[: m.start()] + " " + text[m.end() :]
    return text


def _take_similar(text: str, q: Query, resolve: TitleResolver | None, people: PeopleIndex | None = None) -> str:
    """`like Parasite but funnier` -> like=[Parasite], rest "but funnier". Only when the title resolves.

    Three shapes: the title after a cue ("like X", "if I liked X", "in the vein of X"), before one
    ("X vibes", "X-style"), or opening a request that shifts it ("toy story but sadder"). The last
    two accept only an exact title (accents and case aside): a word before "vibes" or "but" is far
    more often vocabulary ("christmas vibes", "documentary but short") than a misspelt film.
    """
    if resolve is None:
        return text
    for m in SIMILAR_RE.finditer(text):
        before = text[: m.start()].split()
        if before and before[-1] in ("would", "i'd", "id", "i", "we'd", "you"):
            continue  # "I'd like something sad", "I like horror"
        tail = TOKEN_RE.findall(text[m.end() :])
        if not tail:
            continue
        stop = next((i for i, t in enumerate(tail) if t in TITLE_STOPS), len(tail))
        # Longest exact title first (titles may contain stop words: "Love and Death"); fuzzy
        # matching only for the whole run up to a stop word, so "like parasyte" still works.
        for n in range(min(len(tail), 8), 0, -1):
            filler_title = n == stop and all(t in FILLER for t in tail[:n]) and not (before and before[-1] in WHO)
            if all(t in _KNOWN for t in tail[:n]) and not filler_title:
                continue  # "like something funny": vocabulary, not a title
            # A title made only of filler words ("The Thing", "Her", "Us") counts when it is all that
            # follows the cue (up to "but", "from"…), and only exactly: "like us" is Us, "like her
            # films" is not a request for Her.
            hit = resolve(" ".join(tail[:n]), n == stop and not filler_title)
            if hit is not None:
                q.like.append(hit)
                q.shift = bool(tail[n:]) and tail[n] in SHIFT_WORDS
                return text[: m.start()] + " " + " ".join(tail[n:])
    for after in SIMILAR_AFTER_RE.finditer(text):
        head = TOKEN_RE.findall(text[: after.start()])
        hit_n = _exact_run(head, resolve, people, from_end=True)
        if hit_n:
            hit, n = hit_n
            q.like.append(hit)
            q.shift = bool(BUT_RE.match(" " + text[after.end() :]))
            return " ".join(head[:-n]) + " " + text[after.end() :]
    but = BUT_RE.search(text)
    if but:
        head = TOKEN_RE.findall(text[: but.start()])
        while head:  # "the host but scarier", "hey, movies toy story but sadder"
            hit_n = _exact_run(head, resolve, people, from_end=False)
            if hit_n:
                q.like.append(hit_n[0])
                q.shift = True
                return text[but.start() :]
            if head[0] not in FILLER:
                break
            head = head[1:]
    return text


def _exact_run(
    tokens: list[str], resolve: TitleResolver, people: PeopleIndex | None, *, from_end: bool
) -> tuple[tuple[int, str], int] | None:
    """The longest run of tokens at the end (or the whole list) that is exactly a title, not vocabulary or a name."""
    sizes = range(min(len(tokens), 8), 0, -1) if from_end else [len(tokens)] if len(tokens) <= 8 else []
    for n in sizes:
        run = tokens[-n:] if from_end else tokens[:n]
        if all(t in _KNOWN for t in run):
            continue
        if people is not None and people.exact(run, cued=False) is not None:
            continue  # "wes anderson style", "ghibli vibes" read as people, not titles
        hit = resolve(" ".join(run), False)
        if hit is not None:
            return hit, n
    return None


LOVE_VERBS = frozenset(["love", "loves", "adore", "adores"])
LOVE_SUBJECTS = _wordset(
    "i i'd id i'll ill we we'd we'll you you'd you'll they they'd they'll he she will would might may can could "
    "gonna wanna to kid kids son daughter mom mum dad wife husband girlfriend boyfriend partner family "
    "everyone everybody both all who that old olds"
)
SHIFT_WORDS = frozenset(["but", "yet", "only", "except", "just", "though", "although", "however", "minus"])
# "for people like us" is about who watches, not the film Us.
WHO = frozenset(["people", "folks", "couples", "guys", "girls", "families", "someone", "somebody", "anyone", "friends"])

AUDIENCE_LABELS = {
    "kids": "for kids (no horror, gore or adult themes)",
    "family": "family-friendly (no horror, gore or adult themes)",
    "parents": "to watch with parents (no horror, gore or sex)",
    "teen": "for teens (no gore or explicit content)",
    "adults": "for adults (no family films)",
}
_AGE = (
    r"(?:(\d{1,2})\s*[- ]?\s*(?:years?|yrs?|y)\s*[- ]?\s*olds?|(\d{1,2})\s*yo\b|age[ds]?\s+(\d{1,2})\b)"
    # "my 8 year old daughter": who the child is says nothing about the film ("father daughter")
    r"(?:\s+(?:son|daughter|boy|girl|kid|child|nephew|niece|grandson|granddaughter|twins|brother|sister)s?\b)?"
)
_KIDS = (
    r"\b(?:kids?|children|child|toddlers?|little\s+ones|grandkids|grandchildren|my\s+(?:son|daughter|nephew|niece)|"
    r"kid-friendly|kid\s+friendly|child-friendly|child\s+friendly|all\s+ages|young\s+children)\b"
)
_FAMILY = (
    r"\b(?:family[- ]friendly|for\s+the\s+(?:whole\s+)?family|whole\s+family|family\s+(?:movie\s+)?night|"
    r"with\s+(?:my|the)\s+(?:family|kids|children)|family\s+(?:film|films|movie|movies|fun))\b"
)
_PARENTS = (
    r"\b(?:(?:with|for)\s+(?:my|our|the)\s+(?:parents|folks|mom|mum|dad|mother|father|grandparents|grandma|"
    r"grandpa|granny|nan|nana|in-laws|in\s+laws)|(?:with|for)\s+(?:grandma|grandpa|granny|mom|dad))\b"
)
_ADULTS = (
    r"\b(?:(?:not|aren'?t|isn'?t|arent|isnt|nothing)\s+(?:for|suitable\s+for|meant\s+for)\s+"
    r"(?:little\s+|young\s+|small\s+)?(?:kids|children)|for\s+(?:adults?|grown[- ]?ups)|"
    r"(?:adults?|grown[- ]?ups?)\s+only|adult|adults|grown[- ]?ups?|mature|r-rated|rated\s+r|18\+)\b"
)
_TEEN = (
    r"\b(?:(?:my\s+)?(?:teens?|teenagers?|teenage|adolescents?)"
    r"(?:\s+(?:son|daughter|boy|girl|kid|nephew|niece|grandson|granddaughter)s?)?)\b"
)


def _take_audience(text: str, q: Query) -> str:
    """Who will watch: a hard constraint ("my 10-year-old", "with my parents", "not for kids")."""

    def cut(m: re.Match[str]) -> str:
        return text[: m.start()] + " " + text[m.end() :]

    if re.search(_ADULTS, text):
        q.audience = "adults"
        return re.sub(_ADULTS, " ", text)  # "a grown-up thriller, not for kids": both say it
    m = re.search(r"\b(?:for|with|watch(?:ing)?\s+with|my|our|a|an)?\s*(?:" + _AGE + r")", text)
    if m:
        age = int(next(g for g in m.groups() if g))
        if age <= 17:
            q.audience = "kids" if age <= 12 else "teen"
            return cut(m)
    for pattern, who in ((_FAMILY, "family"), (_PARENTS, "parents"), (_KIDS, "kids"), (_TEEN, "teen")):
        m = re.search(pattern, text)
        if m:
            q.audience = who
            return cut(m)
    return text


# Words around a name that say it is a person, and which role.
PERSON_BEFORE = {
    "by": "director",
    "directed": "director",
    "director": "director",
    "dir": "director",
    "filmmaker": "director",
    "with": "cast",
    "starring": "cast",
    "featuring": "cast",
    "feat": "cast",
    "actor": "cast",
    "actress": "cast",
    "from": "",
}
PERSON_AFTER = frozenset(["films", "film", "movies", "movie", "flicks", "joints", "stuff", "filmography", "classics"])
CAREER = {"early": "early", "earlier": "early", "young": "early", "late": "late", "later": "late", "latest": "late"}


def parse(
    text: str,
    resolve: TitleResolver | None = None,
    *,
    this_year: int | None = None,
    people: PeopleIndex | None = None,
) -> Query:
    """Read one request. Never raises; unknown words become search words."""
    raw, truncated = clean(text)
    q = Query(text=raw, truncated=truncated)
    this_year = this_year or datetime.date.today().year
    rest = _take_similar(raw, q, resolve, people)
    rest = _take_audience(rest, q)
    rest = _take_era(rest, q, this_year)
    rest = _take_length(rest, q)
    tokens = TOKEN_RE.findall(rest)
    skip = _take_people(tokens, q, people) if people is not None else set()
    run: list[str] = []
    for i, tok in enumerate(tokens):
        if i in skip:
            if run:
                q.runs.append(run)
            run = []
        else:
            run.append(tok)
    if run:
        q.runs.append(run)
    negate = False
    i = 0
    comparative = q.shift  # after "like X but", "funnier"/"darker" say what to change: weigh them more
    negated_country_words: dict[str, str] = {}
    unknown: list[tuple[int, str, bool]] = []  # (position, word, negated) not understood
    while i < len(tokens):
        if i in skip:
            negate = False
            i += 1
            continue
        tok = tokens[i]
        if tok == "but" and i > 0 and tokens[i - 1] in ("anything", "everything", "whatever"):
            negate = True  # "anything but horror"
            i += 1
            continue
        if tok in ("but", "yet", "though", "although", "however", "only"):
            negate = False
            i += 1
            continue
        if tok in NEGATIONS or _is_negation_typo(tok):
            negate = True
            i += 1
            continue
        if tok in LOVE_VERBS and i > 0 and tokens[i - 1] in LOVE_SUBJECTS:
            i += 1  # "my 6 year old will love", "i'd love": a verb, not a request for romance
            continue
        if tok.startswith("non-") and len(tok) > 4:
            tokens[i] = tok = tok[4:]
            negate = True
        matched = False
        for n in (4, 3, 2, 1):
            if i + n > len(tokens) or any(j in skip for j in range(i, i + n)):
                continue
            phrase = " ".join(tokens[i : i + n])
            if _apply(phrase, q, negate, comparative):
                if negate and phrase in _COUNTRY_WORDS:
                    negated_country_words[_COUNTRY_WORDS[phrase]] = phrase
                matched = True
                if not (i + n < len(tokens) and tokens[i + n] in ("or", "nor", "and")):
                    negate = False
                i += n
                break
        if matched:
            continue
        if tok in NEGATION_GLUE and negate:
            i += 1
            continue
        if tok in FILLER or tok in OCCASION_FILLER or len(tok) <= 2 or tok.isdigit():
            negate = False
            i += 1
            continue
        if i + 1 < len(tokens) and i + 1 not in skip:
            pair = _correct_phrase(tok, tokens[i + 1])  # "feel god" -> "feel good"
            if pair is not None and _apply(pair, q, negate, comparative):
                q.corrections.append((f"{tok} {tokens[i + 1]}", pair))
                negate = False
                i += 2
                continue
        if _is_filler_typo(tok):  # "somethign", "recomend"
            i += 1
            continue
        fixed = _correct(tok)
        if fixed is not None and _apply(fixed, q, negate, comparative):
            if (tok, fixed) not in q.corrections:
                q.corrections.append((tok, fixed))
        else:
            unknown.append((i, tok, negate))
            if negate and i + 1 < len(tokens) and i + 1 not in skip and _plain_word(tokens[i + 1]):
                i += 1  # "no jump scares": the negation covers the whole unknown phrase
                continue
        if not (i + 1 < len(tokens) and tokens[i + 1] in ("or", "nor", "and")):
            negate = False
        i += 1
    if people is not None and unknown:
        unknown = _fuzzy_people(tokens, unknown, q, people)
    for _, tok, negated in unknown:
        if negated:
            q.not_keywords.add(tok)
        elif tok not in q.words and len(q.words) < MAX_WORDS:
            q.words.append(tok)
    for m in [*q.moods, *q.genres]:
        q.avoid_moods.pop(m, None)  # "sad but hopeful": what was asked for is not avoided
    if q.audience in ("kids", "family") and ("horror" in q.genres or "scary" in q.moods or "creepy" in q.moods):
        q.genres = [g for g in q.genres if g != "horror"]
        q.spooky = True
    # "indian but not bollywood": the country is wanted, so the negated word names a kind of its films.
    for code in [c for c in q.not_countries if c in q.countries]:
        q.not_countries.discard(code)
        word = negated_country_words.get(code)
        if word:
            q.not_keywords.add(word)
    return q


def _cue(tokens: list[str], start: int, end: int) -> tuple[bool, str, int]:
    """(cued, role, where the phrase about the person begins) for the name tokens[start:end]."""
    cued, role, begin = False, "", start
    if start > 0 and tokens[start - 1] in PERSON_BEFORE:
        cued, role, begin = True, PERSON_BEFORE[tokens[start - 1]], start - 1
        if tokens[start - 1] == "by" and begin > 0 and tokens[begin - 1] == "directed":
            begin -= 1
    if end < len(tokens) and tokens[end] in PERSON_AFTER:
        cued = True
    if tokens[end - 1].endswith("'s"):
        cued = True
    return cued, role, begin


def _record_person(tokens: list[str], start: int, end: int, person: Person, role: str, q: Query) -> set[int]:
    """Add the person (or rule them out after "not"/"without"); apply "early"/"late"; return used positions."""
    used = set(range(start, end))
    j = start - 1
    while j >= 0 and tokens[j] in ("by", "with", "directed", "starring", "featuring", "the", "a", "some", "any"):
        j -= 1
    if j >= 0 and (tokens[j] in NEGATIONS or _is_negation_typo(tokens[j])):
        q.not_people.add(person.name)
        q.not_people_keys.add(person.key)
        return used | set(range(j, start))
    if j >= 0 and tokens[j] in CAREER:
        split = person.career_split()
        if split is not None and not (q.year_min or q.year_max):
            if CAREER[tokens[j]] == "early":
                q.year_max, q.era = split, f"early (to {split})"
            else:
                q.year_min, q.era = split + 1, f"late (from {split + 1})"
            used.add(j)
    if all(key != person.key for key, _, _ in q.people):
        q.people.append((person.key, person.name, role))
    return used


def _take_people(tokens: list[str], q: Query, people: PeopleIndex) -> set[int]:
    """Exact names first (any order, accents and hyphens aside): "Song Kang-ho" must not become "song"."""
    used: set[int] = set()
    i = 0
    while i < len(tokens):
        for n in (4, 3, 2, 1):
            if i + n > len(tokens) or any(j in used for j in range(i, i + n)):
                continue
            words = [t[:-2] if t.endswith("'s") else t for t in tokens[i : i + n]]
            if n == 1 and (words[0] in _KNOWN and words[0] not in PERSON_BEFORE or words[0] in FILLER):
                continue
            cued, role, _ = _cue(tokens, i, i + n)
            person = people.exact(words, cued=cued)
            if person is not None:
                if n == 1:  # a family name; the misspelt rest of the name may follow ("wong kar wia")
                    n = _name_extent(tokens, i, person)
                    role = _cue(tokens, i, i + n)[1] or role
                used |= _record_person(tokens, i, i + n, person, role, q)
                i += n
                break
        else:
            i += 1
    return used


def _name_extent(tokens: list[str], i: int, person: Person) -> int:
    """How many tokens from `i` spell this person's name, allowing a slip: at least the one matched."""
    keys = name_keys(person.name)
    for n in (3, 2):
        if i + n <= len(tokens):
            typed = "".join(t for t in tokens[i : i + n])
            if max(fuzz.ratio(typed, k) for k in keys) >= 85:
                return n
    return 1


def _fuzzy_people(
    tokens: list[str], unknown: list[tuple[int, str, bool]], q: Query, people: PeopleIndex
) -> list[tuple[int, str, bool]]:
    """Misspelt names among the words nothing else understood: runs of adjacent unknown words."""
    pos = {i for i, _, _ in unknown}
    taken: set[int] = set()
    for i, _, _ in unknown:
        if i in taken:
            continue
        for n in (4, 3, 2, 1):
            span = list(range(i, i + n))
            if not all(j in pos and j not in taken for j in span):
                continue
            cued, role, _ = _cue(tokens, i, i + n)
            hit = people.fuzzy([t[:-2] if t.endswith("'s") else t for t in tokens[i : i + n]], cued=cued)
            if hit is not None:
                person, _score = hit
                taken |= _record_person(tokens, i, i + n, person, role, q)
                q.corrections.append((" ".join(tokens[i : i + n]), person.name))
                break
    return [u for u in unknown if u[0] not in taken]


def _correct_phrase(a: str, b: str) -> str | None:
    """A two-word vocabulary phrase typed with one slip ("feel god", "slow brun"), or None."""
    typed = f"{a} {b}"
    if typed in _PHRASES or len(typed) < 7:
        return None
    best = process.extractOne(typed, _PHRASE_LIST, scorer=fuzz.ratio, score_cutoff=85)
    if best is None or DamerauLevenshtein.distance(typed, str(best[0])) > 1:
        return None
    return str(best[0])


def _plain_word(tok: str) -> bool:
    """A word nothing in the vocabulary claims (not a mood, genre, country, filler or negation)."""
    return len(tok) > 2 and tok not in _KNOWN and not tok.isdigit() and _correct(tok) is None


def _is_filler_typo(tok: str) -> bool:
    """A slip on a long filler word ("somethign", "reccomend") says nothing, like the word itself."""
    if len(tok) < 6 or tok in _KNOWN:
        return False
    best = process.extractOne(tok, _LONG_FILLER, scorer=fuzz.ratio, score_cutoff=80)
    return best is not None and DamerauLevenshtein.distance(tok, str(best[0])) <= 1


def _is_negation_typo(tok: str) -> bool:
    """`wihtout`, `withought`, `nothign`, `exept`, `excpet`: a negation typed in a hurry still negates.

    Only long negation words (five letters or more), same first letter, one slip (two in a word of
    seven or more letters), and never a word the parser knows as something else."""
    if len(tok) < 5 or tok in _KNOWN:
        return False
    if tok[0] == "w" and len(tok) >= 6 and fuzz.ratio(tok, "without") >= 75:
        return True
    return any(
        word[0] == tok[0]
        and abs(len(word) - len(tok)) <= 2
        and DamerauLevenshtein.distance(tok, word) <= (2 if len(word) >= 7 and len(tok) >= 7 else 1)
        for word in _LONG_NEGATIONS
    )


def _apply(phrase: str, q: Query, negate: bool, comparative: bool) -> bool:
    """Record a vocabulary phrase as a facet; False when it is not one."""
    vibe = VIBE_WORDS.get(phrase)
    if vibe is not None and not (comparative and phrase in MOOD_WORDS):
        _vibe(q, vibe, negate, phrase)
        return True
    if phrase in COMBOS:
        codes, genres, moods = COMBOS[phrase]
        if negate and len(codes) + len(genres) >= 2:
            # "not anime" rules out Japanese animation, not every Japanese film nor every cartoon;
            # "funny, not a romcom" keeps comedies that are not romances.
            if all(combo != (codes, genres) for combo, _ in q.not_combos):
                q.not_combos.append(((codes, genres), phrase))
            for m in moods:
                _mood(q, m, negate, comparative)
            return True
        for c in codes:
            _add(q.not_countries if negate else q.countries, c)
        for g in genres:
            _add(q.not_genres if negate else q.genres, g)
        for m in moods:
            _mood(q, m, negate, comparative)
        return True
    code = _COUNTRY_WORDS.get(phrase)
    if code is not None and (" " in phrase or len(phrase) > 2):
        _add(q.not_countries if negate else q.countries, code)
        return True
    genre = GENRE_WORDS.get(phrase) or _GENRE_PHRASES.get(phrase)
    if genre is not None:
        _add(q.not_genres if negate else q.genres, genre)
        return True
    mood = MOOD_WORDS.get(phrase)
    if mood is not None:
        _mood(q, mood, negate, comparative)
        return True
    return False


def _vibe(q: Query, vibe_id: str, negate: bool, phrase: str) -> None:
    """A feeling or occasion: its moods join the request's, its keywords, genres and dislikes are kept.

    Negated ("nothing heavy", "not too weird"), the moods it stands for are ruled out instead. The
    phrase itself counts as a keyword too: "quiet" asks for films the catalog calls quiet first."""
    vibe = VIBES[vibe_id]
    if negate:
        for m, w in vibe.moods.items():
            if w >= 0.3:
                q.not_moods.add(m)
                q.moods.pop(m, None)
        return
    if vibe_id not in q.vibes:
        q.vibes.append(vibe_id)
    for m, w in vibe.moods.items():
        if m in q.not_moods:
            continue
        if m not in q.moods:
            q.vibe_moods.add(m)
        q.moods[m] = max(q.moods.get(m, 0.0), w)
    for table, add in ((q.vibe_keywords, vibe.keywords), (q.vibe_genres, vibe.genres), (q.avoid_moods, vibe.avoid)):
        for k, w in add.items():
            table[k] = max(table.get(k, 0.0), w)
    q.vibe_keywords[phrase] = 1.0
    if vibe.topic:  # "christmas", "summer": also what a film is about, searched like any other word
        q.words += [w for w in phrase.split() if w in vibe.keywords and w not in q.words and len(q.words) < MAX_WORDS]


def _add(target: list[str] | set[str], value: str) -> None:
    if isinstance(target, set):
        target.add(value)
    elif value not in target:
        target.append(value)


def _mood(q: Query, mood: str, negate: bool, comparative: bool) -> None:
    if negate:
        q.not_moods.add(mood)
        q.moods.pop(mood, None)
    elif mood not in q.not_moods:
        q.moods[mood] = max(q.moods.get(mood, 0.0), 1.3 if comparative else 1.0)
        q.vibe_moods.discard(mood)


def _correct(tok: str) -> str | None:
    """A typo of a vocabulary word (`koraen` -> `korean`), or None. Same first letter, close spelling."""
    if len(tok) < 4 or tok in _VOCAB_SET:
        return None
    best = process.extractOne(tok, VOCAB, scorer=fuzz.ratio, score_cutoff=78)
    if best is None:
        return None
    word = str(best[0])
    if word[0] != tok[0] or abs(len(word) - len(tok)) > 2:
        return None
    # One slip (a swap, a missing or extra letter) in a short word, two in a long one: "koraen" is
    # "korean", but "serial" is not "serbia".
    if DamerauLevenshtein.distance(tok, word) > (1 if len(tok) <= 6 else 2):
        return None
    return word
