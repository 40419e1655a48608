"""Reviews written as blog posts: find the film, keep the review, drop the rest.

People paste whole posts: a title line (`#MOVIE REVIEWS | MIRACLE IN CELL NO. 7 -
The Saddest Movie of All Time`), a greeting, the premise, the plot, a verdict, a
sign-off (`Best Regards,` / `Tina K Harnis.`), an author bio (`Who is Tina K
Harnis?`) and readers' comments. Only the part between the title and the sign-off
is the review, and the name under the sign-off is its author; everything below
is someone else's text (the bio is an advert, the comments are other people) and
must not be stored as the author's review.

The film comes from the prose first, because the title line is often shouting,
decorated or ambiguous (two films are called "Miracle in Cell No. 7"): a sentence
like "X is a 2013 South Korean film starring A, B and C" gives title, year,
country, genre words and cast. When that film is not in the catalog it is
created from those facts. Without such a sentence the title line's segments are
tried against the catalog, and remakes are told apart by years, cast and
countries named in the text. When nothing fits, nothing is written and the
import asks which film it is.

`parse_post` is pure (text in, `ParsedPost` out) so it can be property-tested;
`import_post` and `review_from_post` add the catalog lookups.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from ..core import MovieBot, NewFilm
from ..countries import country_code, country_name
from ..errors import NotFound, UserError
from ..richtext import Document, film_hints, read_review
from ..store import Film
from ..titles import normalize_title
from .jsonl import review_key
from .report import ImportReport

# -- what the parts of a post look like ----------------------------------------------------------

_VALEDICTION = (
    r"(?:(?:best|kind|kindest|warm|warmest|warm(?:est)?\s+)?\s*regards|best(?:\s+wishes)?|cheers|sincerely|"
    r"yours(?:\s+truly|\s+sincerely)?|(?:with\s+|much\s+|lots\s+of\s+)?love|xoxo|hugs|peace(?:\s+out)?|"
    r"until\s+next\s+time|take\s+care|ciao|signing\s+off|regards)"
)
# "Best Regards," alone on its line, or "Best Regards, Tina K Harnis."
VALEDICTION_RE = re.compile(rf"^\W*{_VALEDICTION}\s*(?:[,.!…~-]+\s*(?P<name>.*?)|(?P<bare>))\s*$", re.I)
DASH_SIGNATURE_RE = re.compile(r"^\s*(?:[-–—~]{1,2})\s*(?P<name>[^-–—~].*?)\s*$")
BYLINE_RE = re.compile(r"^\W*(?:written|review(?:ed)?|posted|words)?\s*by\s+(?P<name>[^,|]+?)\s*\W*$", re.I)
THANKS_RE = re.compile(
    r"^\W*(?:thanks|thank\s+you|thx)(?:\s+(?:so|very)\s+much)?\s+for\s+(?:reading|stopping\s+by|your\s+time)"
    r"[\s!.,:;~\-]*[^\w\s]*\s*$",
    re.I,
)
BIO_RE = re.compile(
    r"^\W*(?:who\s+is\s+(?P<who>[^?]{2,60})\?|about\s+(?:the\s+)?(?:author|writer|reviewer|me)\b.*"
    r"|author(?:'s)?\s+bio\b.*|(?:short\s+)?bio\s*:?|meet\s+the\s+(?:author|writer))\W*$",
    re.I,
)
COMMENTS_RE = re.compile(
    r"^\W*(?:\d+\s+)?(?:comments?|responses?|replies|reader\s+comments|leave\s+a\s+(?:comment|reply)|"
    r"share\s+this|like\s+this|related(?:\s+posts?)?|tags?)\s*(?:\(\d+\))?\s*[:.]?\s*$",
    re.I,
)
HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+")
HASHTAG_LEAD_RE = re.compile(r"^\s*#(?=\w)")
SETEXT_RE = re.compile(r"^\s*(?:=+|-+)\s*$")

# A rating alone on its line: "Rating: 8/10", "**Score:** 4.5 out of 5", "4/5 stars", "Verdict: ★★★★½".
_NUM = r"(?P<num>\d{1,3}(?:[.,]\d+)?)"
RATING_RE = re.compile(
    rf"^[\W_]*(?:(?:my|final|overall|our)\s+)?(?:rating|score|verdict|grade|stars?)[\W_]*?\s*[:=\-–—]?\s*[*_]*\s*"
    rf"{_NUM}\s*(?:/|out\s+of|of)\s*(?P<den>5|10|100)\b\s*(?:stars?|points?)?[\W_]*(?P<rest>.*)$",
    re.I,
)
BARE_RATING_RE = re.compile(rf"^[\W_]*{_NUM}\s*(?:/|out\s+of)\s*(?P<den>5|10)\s*stars?[\W_]*(?P<rest>)$", re.I)
STARS_RE = re.compile(
    r"^[\W_]*(?:(?:my|final|overall)\s+)?(?:rating|score|verdict|stars?)?\s*[:=\-–—]?\s*[*_]*\s*"
    r"(?P<stars>[★☆⭐]+\s*(?:½|1/2)?)[\W_]*(?P<rest>)$",
    re.I,
)

# "X is a 2013 South Korean film starring A, B and C." (a bare genre noun only when no "film" follows)
_PREMISE = (
    r"\s+(?:\([^()\n]{{0,80}}\)\s+)?(?:is|was)\s+an?\s+(?P<year>(?:18|19|20)\d\d)\s+"
    r"(?P<desc>(?:[A-Za-z][\w'’-]*\s+){{0,6}}?)(?P<noun>{nouns})\b(?P<rest>[^\n]*)"
)
PREMISE_RES = (
    re.compile(
        _PREMISE.format(
            nouns=r"(?:motion\s+)?picture|(?:feature\s+|short\s+|animated\s+)?film|movie|"
            r"documentary|flick"
        ),
        re.I,
    ),
    re.compile(_PREMISE.format(nouns=r"comedy|drama|thriller|melodrama|romance|horror"), re.I),
)
ABBREVIATIONS = {"no", "mr", "mrs", "ms", "dr", "st", "vol", "pt", "vs", "jr", "sr", "mt", "ft", "ep", "part"}
SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
NAMES_STOP_RE = re.compile(
    r"(?<!\b[A-Z])(?<!\bJr)(?<!\bSr)(?<!\bSt)[.;!?](?:\s|$)|\s+(?:who|which|that|in\s+which|"
    r"as|about|where|with|tells|follows)\s+"
)
YEAR_IN_TEXT_RE = re.compile(r"\b(?:18|19|20)\d\d\b")

GENRE_WORDS: dict[str, tuple[str, ...]] = {
    "comedy": ("comedy",),
    "comedic": ("comedy",),
    "comedy-drama": ("comedy", "drama"),
    "drama": ("drama",),
    "dramatic": ("drama",),
    "melodrama": ("drama",),
    "melodramatic": ("drama",),
    "thriller": ("thriller",),
    "horror": ("horror",),
    "romance": ("romance",),
    "romantic": ("romance",),
    "rom-com": ("romance", "comedy"),
    "action": ("action",),
    "crime": ("crime",),
    "mystery": ("mystery",),
    "fantasy": ("fantasy",),
    "animated": ("animation",),
    "animation": ("animation",),
    "anime": ("animation",),
    "documentary": ("documentary",),
    "musical": ("musical",),
    "war": ("war",),
    "western": ("western",),
    "sci-fi": ("science fiction",),
    "science-fiction": ("science fiction",),
    "adventure": ("adventure",),
    "family": ("family",),
    "biographical": ("biography",),
    "biopic": ("biography",),
    "historical": ("history",),
    "period": ("history",),
    "sports": ("sport",),
    "sport": ("sport",),
    "psychological": ("thriller",),
    "heist": ("crime",),
    "noir": ("crime",),
    "slasher": ("horror",),
    "zombie": ("horror",),
}
GENERIC_TITLE_WORDS = {
    "movie review",
    "movie reviews",
    "film review",
    "film reviews",
    "review",
    "reviews",
    "my review",
    "my thoughts",
    "thoughts",
    "spoiler free",
    "spoilers",
    "spoiler review",
    "no spoilers",
    "blog",
    "movie",
    "film",
    "movies",
    "films",
    "a review",
    "quick review",
    "mini review",
}
TITLE_PREFIX_RE = re.compile(
    r"^(?:(?:movie|film|my|quick|mini|spoiler[- ]free)\s+)*reviews?\b\s*(?:of\s+)?[:\-–—]?\s*", re.I
)
YEAR_SUFFIX_RE = re.compile(r"\s*[(\[]\s*((?:18|19|20)\d\d)\s*[)\]]\s*$")


@dataclass(frozen=True)
class FilmFacts:
    """What the premise sentence says about the film: enough to create it when it is new."""

    title: str
    year: int
    countries: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    cast: tuple[str, ...] = ()
    directors: tuple[str, ...] = ()

    def as_movie(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "year": self.year,
            "countries": list(self.countries),
            "genres": list(self.genres),
            "cast": list(self.cast),
            "directors": list(self.directors),
        }


@dataclass(frozen=True)
class ParsedPost:
    """A post taken apart. `body` is the review text only, still in its original markup."""

    body: str
    author: str | None = None
    rating: float | None = None
    title_line: str | None = None
    title_candidates: tuple[tuple[str, int | None], ...] = ()
    facts: FilmFacts | None = None
    dropped: tuple[str, ...] = ()
    mentioned_years: frozenset[int] = field(default_factory=frozenset)


# -- small helpers ------------------------------------------------------------------------------


def _strip_markup(line: str) -> str:
    """A line without Markdown emphasis, heading hashes or link brackets, for matching."""
    line = HEADING_RE.sub("", line)
    line = re.sub(r"[*_`~]+", "", line)
    line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)
    return line.strip()


def _is_name(text: str) -> str | None:
    """`Tina K Harnis.` -> 'Tina K Harnis'; a sentence or an empty string -> None."""
    t = _strip_markup(text).strip(" \t.,!;:~-–—\"“”'")
    t = re.sub(r"\s+", " ", t)
    if not t or len(t) > 60:
        return None
    if t.startswith("@") and re.fullmatch(r"@[\w.]{2,40}", t):
        return t
    words = t.split(" ")
    if not 1 <= len(words) <= 5:
        return None
    particles = {"van", "von", "de", "da", "del", "der", "di", "la", "le", "bin", "binti", "al", "el", "y"}
    for i, w in enumerate(words):
        if w.lower() in particles and 0 < i < len(words) - 1:
            continue
        if not w[:1].isupper() or not all(c.isalpha() or c in ".'’-" for c in w):
            return None
    return t


def _clean_title(segment: str) -> tuple[str, int | None] | None:
    s = _strip_markup(segment)
    s = HASHTAG_LEAD_RE.sub("", s).strip(" \t\"“”'‘’.,:;|-–—")
    s = TITLE_PREFIX_RE.sub("", s).strip(" \t\"“”'‘’,:;|-–—")
    year = None
    m = YEAR_SUFFIX_RE.search(s)
    if m:
        year = int(m.group(1))
        s = s[: m.start()].strip()
    if not s or s.casefold() in GENERIC_TITLE_WORDS or len(s) > 120:
        return None
    return s, year


def title_candidates(title_line: str) -> list[tuple[str, int | None]]:
    """The parts of a title line that could name the film, most likely first."""
    line = _strip_markup(title_line)
    line = HASHTAG_LEAD_RE.sub("", line)
    parts = re.split(r"\s*\|\s*|\s+[-–—]\s+|:\s+", line)
    out: list[tuple[str, int | None]] = []
    for p in parts:
        c = _clean_title(p)
        if c and c not in out:
            out.append(c)
    whole = _clean_title(line)
    if whole and whole not in out:
        out.append(whole)
    return out


def rating_from_line(line: str) -> tuple[float, bool] | None:
    """(rating on 0–10, whether the line holds nothing else) for a rating line, or None.

    `8/10` stays 8, `4/5 stars` becomes 8, `85/100` becomes 8.5, `★★★★½` becomes 9.
    """
    text = _strip_markup(line)
    m = RATING_RE.match(text) or BARE_RATING_RE.match(text)
    if m:
        try:
            num = float(m.group("num").replace(",", "."))
        except ValueError:
            return None
        den = int(m.group("den"))
        value = num * 10 / den
    else:
        m = STARS_RE.match(text)
        if not m:
            return None
        stars = m.group("stars")
        value = 2.0 * (stars.count("★") + stars.count("⭐")) + (1.0 if "½" in stars or "1/2" in stars else 0.0)
        if value == 0:
            return None
    if not 0 <= value <= 10:
        return None
    rest = m.group("rest") or ""
    return round(value, 1), not re.sub(r"[\W_]", "", rest)


def _names(text: str, limit: int = 10) -> tuple[str, ...]:
    stop = NAMES_STOP_RE.search(text)
    if stop:
        text = text[: stop.start()]
    out: list[str] = []
    for part in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*", text):
        name = _is_name(part)
        if name and name not in out:
            out.append(name)
        if len(out) >= limit:
            break
    return tuple(out)


def _facts_from_desc(desc: str, noun: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    words = [w.strip("'’").casefold() for w in (desc + " " + noun).split()]
    countries: list[str] = []
    genres: list[str] = []
    i = 0
    while i < len(words):
        two = " ".join(words[i : i + 2])
        code = country_code(two) if i + 1 < len(words) else None
        if code:
            countries.append(code)
            i += 2
            continue
        code = country_code(words[i]) if words[i] not in GENRE_WORDS else None
        if code and len(words[i]) > 2:
            countries.append(code)
        elif words[i] in GENRE_WORDS:
            genres.extend(g for g in GENRE_WORDS[words[i]] if g not in genres)
        elif words[i] in ("science", "sci") and i + 1 < len(words) and words[i + 1].startswith("fiction"):
            genres.append("science fiction")
            i += 1
        i += 1
    return tuple(dict.fromkeys(countries)), tuple(genres)


def _last_sentence(text: str) -> str:
    """The text after the last sentence end, not fooled by `No. 7`, `Mr. Smith` or `Tina K. Harnis`."""
    cut = 0
    for m in SENTENCE_END_RE.finditer(text):
        before = re.search(r"(\w+)[.!?…][\"”’)]*$", text[: m.start()])
        word = before.group(1) if before else ""
        if word.casefold() in ABBREVIATIONS or (len(word) == 1 and word.isupper()):
            continue
        if text[m.end() : m.end() + 1].isdigit():
            continue
        cut = m.end()
    return text[cut:]


def _title_from_lead(lead: str) -> str | None:
    """The film's name from the text before "is a 2013 … film": the last sentence of it."""
    title = _last_sentence(_strip_markup(lead))
    title = re.sub(r"^(?:the\s+(?:film|movie)\s+|so,?\s+|well,?\s+)", "", title, flags=re.I)
    title = title.strip(" \t\"“”'‘’,:;-–—")
    if not title or len(title) > 100 or len(title.split()) > 12 or not title[0].isalnum():
        return None
    return title


def find_premise(text: str) -> FilmFacts | None:
    """The first "<Title> is a <year> <country> <genre> film starring …" sentence, as facts."""
    for line in text.splitlines():
        for m in (m for rx in PREMISE_RES for m in rx.finditer(line)):
            title = _title_from_lead(line[: m.start()])
            if not title:
                continue
            countries, genres = _facts_from_desc(m.group("desc"), m.group("noun"))
            rest = m.group("rest")
            cast: tuple[str, ...] = ()
            directors: tuple[str, ...] = ()
            sm = re.search(r"\bstarring\s+(.*)", rest, re.I)
            if sm:
                cast = _names(sm.group(1))
            dm = re.search(r"\bdirected\s+by\s+(.*)", rest, re.I)
            if dm:
                directors = _names(re.split(r"\s+and\s+starring\b|,\s*starring\b", dm.group(1))[0], limit=3)
            return FilmFacts(title, int(m.group("year")), countries, genres, cast, directors)
    return None


# -- taking a post apart ---------------------------------------------------------------------


def _title_line(lines: list[str]) -> int | None:
    """Index of the title line: the first non-blank line, when it reads like a title, not prose."""
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        s = line.strip()
        if HEADING_RE.match(s) or HASHTAG_LEAD_RE.match(s):
            return i
        if i + 1 < len(lines) and SETEXT_RE.match(lines[i + 1]) and lines[i + 1].strip():
            return i
        bare = _strip_markup(s)
        if len(bare) <= 120 and not re.search(r"[.,;:]$", bare) and len(bare.split()) <= 16:
            if (
                VALEDICTION_RE.match(bare)
                or rating_from_line(bare)
                or re.match(r"^(?:hi|hello|hey|dear)\b", bare, re.I)
            ):
                return None
            return i
        return None
    return None


def _signoff_at(lines: list[str], i: int) -> tuple[bool, str | None]:
    """Whether line i starts the sign-off, and the author name it gives."""
    raw = lines[i].strip()
    line = _strip_markup(raw)
    if not line:
        return False, None
    nxt = next((lines[j] for j in range(i + 1, len(lines)) if lines[j].strip()), None)
    m = VALEDICTION_RE.match(line)
    if m and len(line) <= 80:
        name = m.group("name")
        if name:
            found = _is_name(name)
            if found:
                return True, found
            return False, None
        # The valediction alone: its name is on the next line, or the post ends here.
        if nxt is None:
            return True, None
        found = _is_name(nxt)
        if found or BIO_RE.match(_strip_markup(nxt)) or COMMENTS_RE.match(_strip_markup(nxt)):
            return True, found
        return False, None
    if THANKS_RE.match(line):
        return True, _is_name(nxt) if nxt else None
    m = DASH_SIGNATURE_RE.match(line)
    if m and (nxt is None or BIO_RE.match(_strip_markup(nxt)) or COMMENTS_RE.match(_strip_markup(nxt))):
        found = _is_name(m.group("name"))
        if found:
            return True, found
    return False, None


def parse_post(text: str) -> ParsedPost:
    """Take a post apart: title line, review body, author, rating, film facts. Never raises."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.split("\n")
    dropped: list[str] = []

    start = 0
    title_line = None
    candidates: list[tuple[str, int | None]] = []
    ti = _title_line(lines)
    if ti is not None:
        title_line = lines[ti].strip()
        candidates = title_candidates(title_line)
        start = ti + 1
        if start < len(lines) and SETEXT_RE.match(lines[start]) and lines[start].strip():
            start += 1
        dropped.append("title line")
        # A subtitle repeating part of the title line ("The Saddest Movie of All Time") goes too.
        segs = {normalize_title(p) for p in re.split(r"\s*\|\s*|\s+[-–—]\s+|:\s+", _strip_markup(title_line))}
        j = start
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j < len(lines) and normalize_title(_strip_markup(lines[j])) in segs - {""}:
            start = j + 1

    author: str | None = None
    # A byline right under the title: "By Jane Doe" / "Written by Jane Doe".
    j = start
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j < len(lines):
        bm = BYLINE_RE.match(_strip_markup(lines[j]))
        if bm and _is_name(bm.group("name")):
            author = _is_name(bm.group("name"))
            lines[j] = ""
            dropped.append("byline")

    # The tail: the earliest sign-off, bio or comments header below the first body paragraph.
    first_body = next((k for k in range(start, len(lines)) if lines[k].strip()), len(lines))
    cut = len(lines)
    for k in range(first_body + 1, len(lines)):
        if not lines[k].strip():
            continue
        is_sign, name = _signoff_at(lines, k)
        if is_sign:
            cut = k
            author = name or author
            dropped.append("sign-off")
            break
        bare = _strip_markup(lines[k])
        bio = BIO_RE.match(bare)
        if bio:
            cut = k
            if bio.group("who") and not author:
                author = _is_name(bio.group("who"))
            dropped.append("author bio")
            break
        if COMMENTS_RE.match(bare):
            cut = k
            dropped.append("comments")
            break
    if cut < len(lines):
        tail = [_strip_markup(x) for x in lines[cut:]]
        if any(BIO_RE.match(x) for x in tail) and "author bio" not in dropped:
            dropped.append("author bio")
            if not author:
                who = next((m.group("who") for x in tail if (m := BIO_RE.match(x)) and m.group("who")), None)
                author = _is_name(who) if who else None
        bio_at = next((n for n, x in enumerate(tail) if BIO_RE.match(x)), None)
        if bio_at is not None:
            paras_after = [p for p in "\n".join(tail[bio_at + 1 :]).split("\n\n") if p.strip()]
            if len(paras_after) > 2 and "comments" not in dropped:
                dropped.append("readers' comments")

    body_lines = lines[start:cut]
    rating: float | None = None
    for k, line in enumerate(body_lines):
        if not line.strip():
            continue
        r = rating_from_line(line)
        if r is not None:
            rating, alone = r
            if alone:
                body_lines[k] = ""
                dropped.append("rating line")
            break
    body = "\n".join(body_lines).strip("\n")
    body = re.sub(r"\n{3,}", "\n\n", body).strip()
    facts = find_premise(body)
    years = frozenset(int(y) for y in YEAR_IN_TEXT_RE.findall(body))
    return ParsedPost(
        body=body,
        author=author,
        rating=rating,
        title_line=title_line,
        title_candidates=tuple(candidates),
        facts=facts,
        dropped=tuple(dropped),
        mentioned_years=years,
    )


def looks_like_post(text: str) -> bool:
    """True for a pasted blog post (sign-off, bio, comments, or a title line over a premise).

    A plain chat review ("Loved it, 9/10") is left alone: only text with the parts a
    post has and a review lacks takes the post path.
    """
    p = parse_post(text)
    return any(d in p.dropped for d in ("sign-off", "author bio", "comments", "byline")) or (
        p.title_line is not None and p.facts is not None
    )


# -- finding the film --------------------------------------------------------------------------


def _exact_ids(bot: MovieBot, title: str, year: int | None) -> list[int]:
    ids = list(bot.titles.by_norm.get(normalize_title(title), []))
    if year is not None:
        ids = [i for i in ids if bot.titles.year.get(i) == year]
    return ids


def _evidence(bot: MovieBot, film_id: int, post: ParsedPost) -> int:
    """How much the post's text speaks for this film: its year, cast, directors, country."""
    film = bot.store.get_film(film_id)
    text = post.body.casefold()
    score = 0
    if film.year and film.year in post.mentioned_years:
        score += 3
    score += sum(2 for name in film.cast + film.directors if name.casefold() in text)
    for code in film.countries:
        if country_name(code).casefold() in text:
            score += 1
    return score


def _pick(bot: MovieBot, ids: list[int], post: ParsedPost) -> int | None:
    if len(ids) == 1:
        return ids[0]
    scored = sorted(((_evidence(bot, i, post), i) for i in ids), reverse=True)
    if scored and scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return scored[0][1]
    return None


def _close_enough(bot: MovieBot, film_id: int, title: str) -> bool:
    film = bot.store.get_film(film_id)
    norm = normalize_title(title)
    names = [film.title, *(film.aliases or ()), *([film.original_title] if film.original_title else [])]
    return any(fuzz.ratio(norm, normalize_title(n)) >= 90 for n in names)


@dataclass(frozen=True)
class FilmMatch:
    film_id: int | None  # None: create it from `facts`
    facts: FilmFacts | None = None


def find_film(bot: MovieBot, post: ParsedPost) -> FilmMatch:
    """The film this post reviews, or raise NotFound saying why and what might fit."""
    facts = post.facts
    ambiguous: list[int] = []
    if facts:
        ids = _exact_ids(bot, facts.title, facts.year)
        if ids:
            return FilmMatch(ids[0])
        for title, _ in post.title_candidates:
            ids = _exact_ids(bot, title, facts.year)
            if ids:
                return FilmMatch(ids[0])
        res = bot.titles.resolve(f"{facts.title} ({facts.year})")
        if (
            res.film_id is not None
            and bot.titles.year.get(res.film_id) == facts.year
            and _close_enough(bot, res.film_id, facts.title)
        ):
            return FilmMatch(res.film_id)
        return FilmMatch(None, facts)
    for title, year in post.title_candidates:
        ids = _exact_ids(bot, title, year)
        if ids:
            picked = _pick(bot, ids, post)
            if picked is not None:
                return FilmMatch(picked)
            ambiguous = ids
            break
    if not ambiguous:
        for title, year in post.title_candidates:
            if len(normalize_title(title)) < 3:
                continue
            res = bot.titles.resolve(f"{title} ({year})" if year else title)
            if res.film_id is not None:
                ids = [res.film_id, *(i for i, _ in res.others)]
                picked = _pick(bot, ids, post)
                if picked is not None:
                    return FilmMatch(picked)
                ambiguous = ids
                break
    hint = "add a first line naming it, e.g. “Review: Parasite (2019)”, or use /addreview <title>"
    if ambiguous:
        labels = "; ".join(bot.titles.label[i] for i in ambiguous[:5])
        raise NotFound(
            f"could not tell which film this post reviews; it could be {labels}: add the year to the "
            f"title line, or use /addreview <title (year)>",
            candidates=[bot.titles.label[i] for i in ambiguous[:5]],
        )
    raise NotFound(f"could not tell which film this post reviews; {hint}")


# -- turning a post into a review --------------------------------------------------------------


@dataclass(frozen=True)
class PostReview:
    """A post ready to store: the body as a Document with spoilers marked, and who wrote it."""

    body: Document
    author: str | None
    rating: float | None
    text: str
    dropped: tuple[str, ...]


def review_from_post(post: ParsedPost, spoiler_mode: str = "auto", *, film: Film | None = None) -> PostReview:
    """The review body as a Document: explicit spoiler markup wins, else the detector marks spoilers."""
    doc = read_review(post.body, mode=spoiler_mode, film=film_hints(film))
    return PostReview(doc, post.author, post.rating, post.body, post.dropped)


def _not_text(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    bad = sum(1 for c in sample if not (c.isprintable() or c in "\n\r\t"))
    return bad / len(sample) > 0.05


def import_post(
    bot: MovieBot, text: str, source: str, *, platform: str = "import", announce: bool = False
) -> ImportReport:
    """Import one post as one review; the report's single row says what happened and why."""
    report = ImportReport(source)
    if _not_text(text):
        report.add(1, "failed", "this is not a text document (a blog post is Markdown or plain text)")
        return report
    post = parse_post(text)
    line = 1
    if not post.body.strip():
        report.add(line, "failed", "no review text left after removing the title, sign-off and comments")
        return report
    try:
        match = find_film(bot, post)
    except UserError as exc:
        report.add(line, "failed", exc.message)
        return report
    review = review_from_post(post, film=bot.store.get_film(match.film_id) if match.film_id is not None else None)
    if not review.body.blocks:
        report.add(line, "failed", "the post has no readable review text")
        return report
    author = (review.author or "anonymous")[:100]
    if match.film_id is not None:
        key = review_key(match.film_id, author, post.body)
        if bot.store.review_exists(key):
            film = bot.store.get_film(match.film_id)
            report.add(line, "skipped", f"this post's review of {film.label} was imported before")
            return report
        target: int | NewFilm = match.film_id
    else:
        assert match.facts is not None
        target = NewFilm(match.facts.as_movie(), source="post")
    added = bot.add_review(
        target,
        review.body,
        author=author,
        platform=platform,
        rating=review.rating,
        spoiler_mode="auto",
        source_key=lambda film_id: review_key(film_id, author, post.body),
        announce=announce,
    )
    label = bot.titles.label.get(added.film_id) or str(added.film_id)
    if added.new_film:
        report.new_films.append(label)
    rating = f", {review.rating:g}/10" if review.rating is not None else ""
    left = f" (left out: {', '.join(review.dropped)})" if review.dropped else ""
    report.add(line, "added", f"review of {label} by {author}{rating}{left}")
    return report
