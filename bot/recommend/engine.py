"""Scoring and ranking: bounded candidates from indexes, then a transparent score.

Candidates come only from indexed lists, each capped (`PER_LIST`): the best
films for each requested mood crossed with each country or genre, the best
films of each country/genre, films whose catalog text matches the leftover
words, and reviews that mention a rare leftover word. Nothing scans all
films or all reviews, so the cost stays flat from 400 to 100,000 films.

Each candidate then gets one score that a person could recompute by hand:
mood match (from catalog keywords and reviewers' words), country, genre,
search words, likeness to a named film, and a Bayesian rating (so one 10/10
does not beat forty 8/10s), minus penalties for what was ruled out. The top
is picked greedily with a variety penalty (same series or director).
"""

from __future__ import annotations

import functools
import math
import operator
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ..richtext import Document, spoiler_free
from ..store import Store
from . import features
from .lexicon import (
    ADULT_KEYWORDS,
    ADULTS_ONLY_KEYWORDS,
    AUDIENCE_KEYWORDS,
    COUNTRY_LANGUAGES,
    EXPLICIT_KEYWORDS,
    FAMILY_FRIENDLY,
    FILLER,
    GENRE_WORDS,
    GRIM_KEYWORDS,
    GROWN_UP_KEYWORDS,
    KEYWORD_MOODS,
    KIDS_EXCLUDED_GENRES,
    KIDS_GENRES,
    MOOD_LABELS,
    MOOD_WORDS,
    NEGATIONS,
    REVIEW_STOP,
    SPOOKY_KEYWORDS,
    SPOOKY_WORDS,
    mood_words_for,
)
from .query import Query

PER_LIST = 100
LIKE_LIST = 30
FILM_WORD_LIMIT = 600  # a word in more films than this is not ranked by FTS
REVIEW_WORD_LIMIT = 1000  # a word in more reviews than this is too common to search for
W_MOOD, W_COUNTRY, W_GENRE, W_WORDS, W_LIKE, W_QUALITY = 2.2, 1.6, 1.2, 1.4, 3.6, 1.0
W_PERSON = 3.0
W_LIKE_TEXT = 0.35  # catalog text and review language, inside likeness
MOOD_GENRE = {"sad": "drama", "funny": "comedy", "scary": "horror", "creepy": "horror", "gory": "horror"}
MOOD_GENRE.update(romantic="romance", tense="thriller")
W_IDENTITY = 1.2  # "like X but sadder": per part of X's identity kept (medium, main genre, audience)
W_KEYWORD = 0.5
# Feelings and occasions (query.Query.vibes): the catalog keywords that show one, the genres it leans
# to, the moods it goes against; and, for a request that is nothing but a feeling, the films the
# catalog calls classics or cult classics first: "something to cry to" wants the well-loved weepies.
W_VIBE, W_VIBE_GENRE, W_AVOID, W_VAGUE_ACCLAIM = 1.8, 0.5, 1.6, 0.1
AVOID_FAINT = 0.3
VIBE_FULL = 2.0  # keyword weight at which a film shows a vibe fully
LIKE_WORDS = 10
DF_CAP = 300
LIKE_WORD_LIMIT = 150
# Keyword words that say nothing about what a film is like.
LIKE_STOP = frozenset(
    ["based", "true", "story", "film", "classic", "black", "white", "series", "trilogy", "sequel", "remake", "life"]
)
GENRE_POSITION = (1.0, 0.8, 0.65)
TOKEN_WORD_RE = re.compile(r"[a-z]+")
DESCRIBE_WORDS = 24  # words of a named film's keywords and overview looked up
# Overview words that describe any story.
OVERVIEW_STOP = frozenset(
    """their there them they when where while after before about into over under through until with
    from that this what which who whom whose have been being becomes become finds must takes gets
    during between against other another every each only also just than then more most some such
    years year days first last three four five life lives world story young woman women people""".split()  # noqa: SIM905
)
# Keyword words too general to make two films alike on their own.
TOKEN_STOP = frozenset(["the", "and", "for", "with", "from", "man", "woman", "old", "new", "young", "big", "small"])
RELATED_FILMS = 30  # films read per keyword to find the keywords that go with it
RELATED_MAX = 12  # related keywords kept per named film
W_TOKEN = 0.5  # a shared keyword word counts half as much as the keyword itself
W_RELATED = 0.6
W_TONE = 0.4
# Keywords that say who a film suits rather than what it is about: likeness counts them like tone.
CONTENT_KEYWORDS = frozenset(
    [
        "mature themes",
        "family friendly",
        "sexual content",
        "drug use",
        "non-gory",
        "violent",
        "gory",
        "disturbing",
        "frightening",
        "kids",
        "classic",
        "black and white",
    ]
)
# "but happier" also means "less sad": the moods a comparative moves away from.
OPPOSITE_MOODS = {
    "feelgood": ("sad", "bleak"),
    "heartwarming": ("bleak",),
    "funny": ("bleak",),
    "sad": ("feelgood", "funny"),
    "bleak": ("feelgood", "heartwarming"),
    "scary": ("feelgood",),
    "creepy": ("feelgood",),
}
W_AWAY = 0.6
RELATED_LIFT = 3.0
RELATED_SHARE = 0.2  # a related keyword goes with at least this share of the films having the keyword
GENRE_WEIGHT = (1.0, 0.7, 0.5, 0.4)
ERA_SPAN = 30.0
W_SIM_GENRE, W_SIM_KEYWORDS, W_SIM_MOOD, W_SIM_PLACE, W_SIM_ERA, W_SIM_KIND = 1.5, 3.5, 1.0, 0.4, 0.4, 0.4
W_SIM_DIRECTOR = 1.4
LIKE_FULL = 160  # candidates given the full likeness (the rest get a first look only)
TRUST_HALF = 6.0  # keyword weight (sum of IDFs) at which keywords are half trusted
TEEN_GENRES = {"adventure": 0.6, "science fiction": 0.5, "comedy": 0.4, "fantasy": 0.4, "action": 0.3, "sport": 0.5}
TEEN_KEYWORDS = frozenset(
    ["coming of age", "teenager", "teenagers", "high school", "school", "youth", "first love", "growing up", "underdog"]
)
REVIEW_SAMPLE = 8  # reviews of a named film read for its members' words
REVIEW_WORDS = 6  # of which the most telling are searched for in other films' reviews
REVIEW_LANGUAGE_LIMIT = 100  # a review word used more often than this says nothing about one film
W_REVIEW_LANGUAGE = 1.5
MOOD_SURE = 0.5  # a mood vector this long (or longer) is taken at its word in similarity
MATURE_GENRES = frozenset({"war", "crime", "thriller", "horror", "drama", "biography", "history"})


_NO_MOODS = tuple(0.0 for _ in MOOD_LABELS)
_MOOD_INDEX = {m: i for i, m in enumerate(MOOD_LABELS)}
T = TypeVar("T")


class lazy(Generic[T]):  # noqa: N801 - used like @property
    """`functools.cached_property` without its per-access lock (Python 3.11): a few hundred
    candidates per request touch these thousands of times. Computed once, then a plain attribute."""

    def __init__(self, fn: Callable[[Any], T]) -> None:
        self.fn = fn
        self.name = fn.__name__

    def __get__(self, obj: Any, cls: Any = None) -> T:
        value = self.fn(obj)
        obj.__dict__[self.name] = value
        return value


@dataclass
class Feat:
    """One film's row of rec_film, decoded."""

    film_id: int
    year: int | None
    runtime: int | None
    countries: tuple[str, ...]
    languages: tuple[str, ...]
    genres: tuple[str, ...]
    directors: tuple[str, ...]
    keywords: tuple[str, ...]
    series: str
    moods_text: str  # decoded on first use: most candidates are dropped before their moods matter
    n_reviews: int
    rev_sum: float
    rev_n: int
    rat_sum: float
    rat_n: int
    people: tuple[str, ...] = ()  # "d:<person key>" (directed) and "c:<person key>" (cast)

    # Computed on first use: most candidates are scored without ever needing them.
    @lazy
    def moods(self) -> dict[str, float]:
        return features.decode_moods(self.moods_text)

    @lazy
    def acclaim(self) -> float:
        return features.acclaim(self.keywords)

    @lazy
    def gset(self) -> frozenset[str]:
        return frozenset(self.genres)

    @lazy
    def kset(self) -> frozenset[str]:
        return frozenset(self.keywords)

    @lazy
    def cset(self) -> frozenset[str]:
        return frozenset(self.countries)

    @lazy
    def gvec(self) -> tuple[dict[str, float], float]:
        """Genres weighted by position (the catalog lists the main genre first), and the vector's length."""
        w = {g: GENRE_WEIGHT[min(i, 3)] for i, g in enumerate(self.genres)}
        return w, math.sqrt(sum(v * v for v in w.values()))

    @lazy
    def kids(self) -> bool:
        return _kids_film(self)

    @lazy
    def tokens(self) -> frozenset[str]:
        """The words of its keywords, plurals folded: "jazz drummer" shares "jazz" with "jazz pianist"."""
        return frozenset(t for k in self.keywords for t in _keyword_tokens(k))

    @lazy
    def dset(self) -> frozenset[str]:
        return frozenset(self.directors)

    @lazy
    def pset(self) -> frozenset[str]:
        """Person keys, whatever the role."""
        return frozenset(p.split(":", 1)[-1] for p in self.people)

    @lazy
    def cast(self) -> frozenset[str]:
        """Cast keys ("c:<person key>"): shared actors make two films alike."""
        return frozenset(p for p in self.people if p.startswith("c:"))

    @lazy
    def rated(self) -> bool:
        """The catalog says who it is fine for (every starter film does): trusted over any guess."""
        return bool(self.kset & AUDIENCE_KEYWORDS)

    @lazy
    def adult(self) -> bool:
        """Horror, gore, sex, drugs or cruelty: not for children, nor for a night with one's parents."""
        if self.rated:
            # A horror film is one even when its scares are played for laughs, unless the catalog
            # calls it family friendly (a ghost comedy for all ages).
            if FAMILY_FRIENDLY in self.kset:
                return False
            return bool(self.kset & GROWN_UP_KEYWORDS) or "horror" in self.gset
        return (
            "horror" in self.gset
            or bool(self.kset & ADULT_KEYWORDS)
            or self.moods.get("gory", 0.0) >= 0.4
            or self.moods.get("scary", 0.0) >= 0.6
        )

    @lazy
    def grim(self) -> bool:
        """What a teenager is not glad to be shown: gore and cruelty, where the catalog says; a
        teen comedy's sex jokes or an action film's fights are fine (else: the adult guess)."""
        return bool(self.kset & GRIM_KEYWORDS) if self.rated else self.adult

    @lazy
    def explicit(self) -> bool:
        """Too much even for a teenager: graphic gore or sex."""
        return bool(self.kset & EXPLICIT_KEYWORDS) or (not self.rated and self.moods.get("gory", 0.0) >= 0.7)

    def suits(self, audience: str) -> bool:
        """Hard audience constraints: "my 10-year-old", "with my parents", "for adults".

        Children and family nights get only films the catalog calls family friendly when it says;
        "for adults" rules out films made for children, not every film a child could watch.
        """
        if audience in ("kids", "family") and self.rated:
            return FAMILY_FRIENDLY in self.kset
        if audience == "kids":
            return not self.adult and not (self.gset & KIDS_EXCLUDED_GENRES) and self.moods.get("bleak", 0) < 0.6
        if audience in ("family", "parents"):
            return not self.adult
        if audience == "teen":
            return not self.explicit
        if audience == "adults":
            return "family" not in self.gset and "pixar" not in self.kset and not (self.rated and self.kids)
        return True

    @lazy
    def mvec(self) -> tuple[float, ...]:
        """Moods as a unit vector over every mood, scaled by how sure they are: a cosine of two faint
        mood vectors is 1.0 as easily as one of two strong ones, and Léon's one faint "sad" must not
        make every sad epic its twin. The dot product of two is their likeness in mood."""
        n = self.mnorm
        if not n:
            return _NO_MOODS
        scale = min(1.0, n / MOOD_SURE) / n
        vec = list(_NO_MOODS)
        for m, v in self.moods.items():
            i = _MOOD_INDEX.get(m)
            if i is not None and v > 0:
                vec[i] = v * scale
        return tuple(vec)

    @lazy
    def mnorm(self) -> float:
        return math.sqrt(sum(v * v for v in self.moods.values()))

    @property
    def bayes(self) -> float:
        return features.bayes_rating(self.rev_sum, self.rev_n, self.rat_sum, self.rat_n)

    @property
    def votes(self) -> int:
        return self.rev_n + self.rat_n

    @property
    def mean(self) -> float | None:
        return (self.rev_sum + self.rat_sum) / self.votes if self.votes else None


@dataclass
class Pick:
    feat: Feat
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class Profile:
    """What a named film is about, as weights for likeness: its keywords that other films share,
    the words of its keywords, and keywords that go with its own across the catalog.

    Weights are inverse document frequencies, so "serial killer" says more than "tearjerker". A
    keyword no other film has cannot tell candidates apart, so it is left out, and `trust` says how
    much keyword evidence is left (a film described only by unique keywords leans on its genres,
    moods, era and makers instead)."""

    keywords: dict[str, float]
    tokens: dict[str, float]
    total: float
    trust: float


def keyword_tokens(keywords: Iterable[str]) -> list[str]:
    """The telling words of keywords, plurals folded, in order, once each."""
    return list(dict.fromkeys(t for k in keywords for t in _keyword_tokens(k)))


@functools.lru_cache(maxsize=50_000)
def _keyword_tokens(keyword: str) -> tuple[str, ...]:
    """One keyword's telling words: keywords repeat across films, so each is split once."""
    return tuple(w for w in map(_token, TOKEN_WORD_RE.findall(keyword.lower())) if w)


@functools.lru_cache(maxsize=20_000)
def _token(w: str) -> str:
    """A keyword word folded to its singular, or "" when it says nothing on its own."""
    if len(w) < 3 or w in LIKE_STOP or w in TOKEN_STOP:
        return ""
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    # "zombies" / "zombie", "stories" / "story": one form for both.
    if len(w) > 3 and w.endswith(("ie", "y")):
        w = w[:-2] + "i" if w.endswith("ie") else w[:-1] + "i"
    return w


def _split(s: str) -> tuple[str, ...]:
    return tuple(s.split("|")) if s else ()


def quote_fts(word: str) -> str:
    """A token as an FTS5 string literal: user text never reaches MATCH as syntax."""
    return '"' + word.replace('"', '""') + '"'


class Engine:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db
        self._kw_weights: dict[int, dict[str, float]] = {}
        self._profiles: dict[int, Profile] = {}
        self._n_films: int | None = None

    # -- features ------------------------------------------------------------

    def feats(self, ids: Iterable[int]) -> dict[int, Feat]:
        ids = list(dict.fromkeys(ids))
        out: dict[int, Feat] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.db.execute(
                f"""SELECT film_id, year, runtime, countries, languages, genres, directors, keywords, series,
                           moods, n_reviews, rev_sum, rev_n, rat_sum, rat_n, people
                    FROM rec_film WHERE film_id IN ({marks}) AND synced = 1""",
                chunk,
            ):
                out[r[0]] = Feat(
                    r[0],
                    r[1],
                    r[2],
                    _split(r[3]),
                    _split(r[4]),
                    _split(r[5]),
                    _split(r[6]),
                    _split(r[7]),
                    r[8],
                    r[9],
                    r[10],
                    r[11],
                    r[12],
                    r[13],
                    r[14],
                    _split(r[15]),
                )
        return out

    # -- candidates ------------------------------------------------------------

    def _top_tag(self, tag: str, limit: int = PER_LIST) -> list[int]:
        return [
            r[0]
            for r in self.db.execute(
                "SELECT film_id FROM rec_tag WHERE tag = ? ORDER BY prior DESC LIMIT ?", [tag, limit]
            )
        ]

    def _top_mood(self, key: str, limit: int = PER_LIST) -> list[int]:
        return [
            r[0]
            for r in self.db.execute(
                "SELECT film_id FROM rec_mood WHERE key = ? ORDER BY score DESC LIMIT ?", [key, limit]
            )
        ]

    def keyword_weights(self, f: Feat) -> dict[str, float]:
        """How telling each of a film's keywords is: "zombies" (a handful of films) says more about
        what it is like than "tearjerker" (one film in five). Inverse document frequency, counts capped
        so that looking them up stays a few index probes."""
        if f.film_id in self._kw_weights:
            return self._kw_weights[f.film_id]
        if self._n_films is None:
            self._n_films = int(self.db.execute("SELECT count(*) FROM rec_film").fetchone()[0]) or 1
        out: dict[str, float] = {}
        for k in f.keywords:
            df = self.db.execute(
                "SELECT count(*) FROM (SELECT 1 FROM rec_tag WHERE tag = ? LIMIT ?)", [f"k:{k}", DF_CAP]
            ).fetchone()[0]
            out[k] = math.log(1.0 + self._n_films / (1.0 + df))
        out[""] = sum(out.values())  # the total, computed once rather than per candidate
        if len(self._kw_weights) > 1000:
            self._kw_weights.clear()
        self._kw_weights[f.film_id] = out
        return out

    def _df(self, tag: str) -> int:
        return int(
            self.db.execute(
                "SELECT count(*) FROM (SELECT 1 FROM rec_tag WHERE tag = ? LIMIT ?)", [tag, DF_CAP]
            ).fetchone()[0]
        )

    def _n_films_known(self) -> int:
        if self._n_films is None:
            self._n_films = int(self.db.execute("SELECT count(*) FROM rec_film").fetchone()[0]) or 1
        return self._n_films

    def _idf(self, df: int) -> float:
        if self._n_films is None:
            self._n_films = int(self.db.execute("SELECT count(*) FROM rec_film").fetchone()[0]) or 1
        return math.log(1.0 + self._n_films / (1.0 + df))

    def profile(self, f: Feat) -> Profile:
        """The named film's likeness profile (see `Profile`); a few dozen index reads, cached per film."""
        if f.film_id in self._profiles:
            return self._profiles[f.film_id]
        keywords: dict[str, float] = {}
        shared: list[str] = []
        for k in f.keywords:
            df = self._df(f"k:{k}")
            if df >= 2:  # another film has it too
                # A tone keyword ("bleak", "twist ending") is counted by the mood part of likeness
                # already; what the film is about ("serial killer") is what the keywords add.
                keywords[k] = self._idf(df) * (W_TONE if k in MOOD_WORDS or k in CONTENT_KEYWORDS else 1.0)
                if df >= 3 and k not in MOOD_WORDS and k not in CONTENT_KEYWORDS:
                    shared.append(k)  # only what the film is about leads to related keywords
        tokens: dict[str, float] = {}
        for w in keyword_tokens(k for k in f.keywords if k not in MOOD_WORDS and k not in CONTENT_KEYWORDS):
            df = sum(
                1
                for _ in self.db.execute(
                    "SELECT 1 FROM films_fts WHERE films_fts MATCH ? LIMIT ?", [f"keywords : {quote_fts(w)}", DF_CAP]
                )
            )
            if df >= 2:
                tokens[w] = W_TOKEN * self._idf(df)
        # Keywords that go with its own: "serial killer" films are also "detective" and "police" films.
        best: dict[str, float] = {}
        for k in shared:
            ids = [i for i in self._top_tag(f"k:{k}", RELATED_FILMS + 1) if i != f.film_id][:RELATED_FILMS]
            if len(ids) < 2:
                continue
            # Counted per series: a film and its sequel share everything and prove nothing.
            per_series: dict[str, set[str]] = {}
            marks = ",".join("?" * len(ids))
            for kws, series in self.db.execute(
                f"SELECT keywords, series FROM rec_film WHERE film_id IN ({marks})", ids
            ):
                per_series.setdefault(series, set()).update(set(_split(kws)) - f.kset)
            per_series.pop(f.series, None)
            seen: dict[str, int] = {}
            for kws in per_series.values():
                for r in kws:
                    if r not in MOOD_WORDS and r not in CONTENT_KEYWORDS:
                        seen[r] = seen.get(r, 0) + 1
            for r, n in seen.items():
                if n >= max(2, RELATED_SHARE * len(per_series)):
                    # Weighted by how often it goes with k and by k's own weight: capped at k's.
                    best[r] = max(best.get(r, 0.0), keywords[k] * n / len(per_series))
        for r in sorted(best, key=lambda r: -best[r])[: RELATED_MAX * 2]:
            idf = self._idf(self._df(f"k:{r}"))
            # Only what goes with this film's keywords more than with films in general (lift), so
            # "tearjerker" and "classic", which go with everything, do not pull likeness their way.
            share = best[r] / max(keywords.values())
            if share * self._n_films_known() / max(1, self._df(f"k:{r}")) >= RELATED_LIFT:
                keywords[r] = W_RELATED * min(best[r], idf)
        own = {k: v for k, v in keywords.items() if k in f.kset}
        extra = sorted((k for k in keywords if k not in f.kset), key=lambda k: -keywords[k])[:RELATED_MAX]
        keywords = {**own, **{k: keywords[k] for k in extra}}
        total = sum(keywords.values()) + sum(tokens.values())
        out = Profile(keywords, tokens, total, total / (total + TRUST_HALF))
        if len(self._profiles) > 1000:
            self._profiles.clear()
        self._profiles[f.film_id] = out
        return out

    def like_sims(
        self,
        likes: list[Feat],
        films: list[Feat],
        *,
        relative: bool = False,
        like_text: dict[int, float] | None = None,
    ) -> dict[int, float]:
        """Likeness of each film to the named (or liked) films: mostly the closest one, partly all.

        `relative`: divided by the best candidate's, so the likeness always spans the same range
        whatever the named film: one described by rare keywords (few close matches, low raw
        likeness) must not let ratings or stray words outweigh resemblance."""
        profiles = [(t, self.profile(t)) for t in likes[:3]]
        if len(films) > LIKE_FULL:
            # Full likeness for the most promising only: a cheap first look at shared keywords, main
            # genres, makers and words (no per-film decoding) keeps the cost flat at ~`LIKE_FULL` films.
            films = sorted(films, key=lambda f: -self._first_look(f, profiles, like_text))[:LIKE_FULL]
        out: dict[int, float] = {}
        for f in films:
            sims = [similarity(t, f, p) for t, p in profiles]
            out[f.film_id] = 0.7 * max(sims) + 0.3 * sum(sims) / len(sims)
            if like_text:  # the same words in its catalog text and in its members' reviews
                out[f.film_id] += W_LIKE_TEXT * like_text.get(f.film_id, 0.0)
        # The best film outside the named films' series sets the scale: a sequel shares everything and
        # would squash every other likeness below what ratings and stray words can move.
        series = {t.series for t in likes[:3]}
        top = max((out[f.film_id] for f in films if f.series not in series), default=0.0)
        if relative and top > 0:
            out = {i: v / top for i, v in out.items()}
        return out

    @staticmethod
    def _first_look(f: Feat, profiles: list[tuple[Feat, Profile]], like_text: dict[int, float] | None) -> float:
        out = 0.0
        for t, p in profiles:
            pk = p.keywords
            kw = sum(pk.get(k, 0.0) for k in f.keywords) / p.total if p.total else 0.0
            genre = sum(GENRE_WEIGHT[min(i, 3)] for i, g in enumerate(f.genres) if g in t.gset)
            director = any(d in t.directors for d in f.directors)
            out = max(out, W_SIM_KEYWORDS * p.trust * kw + 0.5 * genre + W_SIM_DIRECTOR * director)
        return out + (2 * W_LIKE_TEXT * like_text.get(f.film_id, 0.0) if like_text else 0.0)

    def keyword_phrases(self, q: Query) -> dict[int, float]:
        """0..1 per film: the request's own phrases that are catalog keywords ("twist ending", "heist",
        "time travel"), counted whether or not the parser also read them as a mood. A keyword says
        more than a word somewhere in an overview ("travel to Tokyo"). Negated phrases never count, nor
        words the parser read as something else: a title ("toy story"), an audience ("my kids"), a name."""
        found: dict[int, float] = {}
        n = 0
        seen: set[str] = set()
        spans = [(r, i, size) for size in (3, 2, 1) for r in q.runs for i in range(len(r) - size + 1)]
        for toks, i, size in spans:
            phrase = " ".join(toks[i : i + size])
            if phrase in seen or len(phrase) < 3 or phrase in FILLER or phrase in NEGATIONS:
                continue
            seen.add(phrase)
            if (
                phrase in q.not_keywords
                or MOOD_WORDS.get(phrase) in q.not_moods
                or GENRE_WORDS.get(phrase) in q.not_genres
            ):
                continue
            ids = self._top_tag(f"k:{phrase}", PER_LIST)
            if ids:
                n += 1
                for film_id in ids:
                    found[film_id] = found.get(film_id, 0.0) + 1.0
        return {i: v / n for i, v in found.items()} if n else {}

    def like_text(self, likes: list[Feat], *, reviews: bool = True) -> dict[int, float]:
        """0..1 per film: how much of the named films' catalog words its own catalog text shares.

        Exact keywords are sparse ("jazz pianist" never equals "jazz drummer"); their words, searched
        in the catalog text (keywords and overviews), find the films about the same things.
        """
        out: dict[int, float] = {}
        for t in likes[:3]:
            # A bare /recommend (three liked films) looks up fewer words per film than a named one.
            for film_id, v in self.described_like(t, DESCRIBE_WORDS if reviews else DESCRIBE_WORDS // 3).items():
                out[film_id] = out.get(film_id, 0.0) + v / min(3, len(likes))
        for film_id, v in (self.review_language(likes) if reviews else {}).items():
            out[film_id] = out.get(film_id, 0.0) + W_REVIEW_LANGUAGE * v
        return out

    def described_like(self, t: Feat, budget: int = DESCRIBE_WORDS) -> dict[int, float]:
        """0..1 per film: the IDF-weighted share of the named film's telling words (from its keywords
        and its overview) that the film's own catalog text has too.

        A film described by keywords no other film shares ("replicants", "seven deadly sins") is still
        described in words others share ("detectives", "killer", "android"). Each word is one FTS
        lookup stopping at `LIKE_WORD_LIMIT + 1` films: a word in more films says nothing and is
        dropped, so the cost is bounded whatever the catalog's size."""
        row = self.db.execute("SELECT keywords, overview FROM films WHERE id = ?", [t.film_id]).fetchone()
        if row is None:
            return {}
        text = " ".join(t.keywords) + " " + (row[1] or "")
        words: list[str] = []
        for w in TOKEN_WORD_RE.findall(text.lower()):
            if len(w) >= 4 and w not in LIKE_STOP and w not in FILLER and w not in OVERVIEW_STOP and w not in words:
                words.append(w)
        found: list[tuple[float, list[int]]] = []
        for w in words[:budget]:
            ids = [
                r[0]
                for r in self.db.execute(
                    "SELECT rowid FROM films_fts WHERE films_fts MATCH ? LIMIT ?", [quote_fts(w), LIKE_WORD_LIMIT + 1]
                )
            ]
            others = [i for i in ids if i != t.film_id]
            if not others or len(ids) > LIKE_WORD_LIMIT:
                continue
            found.append((self._idf(len(ids)), others))
        total = sum(idf for idf, _ in found)
        out: dict[int, float] = {}
        for idf, ids in found:
            for film_id in ids:
                out[film_id] = out.get(film_id, 0.0) + idf / total
        return out

    def review_language(self, likes: list[Feat]) -> dict[int, float]:
        """0..1 per film: how many of the telling words members used about the named films turn up in
        its reviews too ("prison", "lullaby", "daughter" for Miracle in Cell No. 7).

        The catalog's keywords are a dozen words; the community's reviews say what a film is like in
        their own words, and reach films whose keywords differ. Bounded: the named films' last
        `REVIEW_SAMPLE` reviews in all are read (their spoiler-free view, as /review shows it, so hidden
        text never steers anything), at most `REVIEW_WORDS + 2` words are looked up, each stopping at
        `REVIEW_LANGUAGE_LIMIT + 1` reviews: a word used that often says nothing about one film.
        """
        counts: dict[str, int] = {}
        named = {t.film_id for t in likes[:3]}
        per_film = max(2, REVIEW_SAMPLE // max(1, len(likes[:3])))
        for t in likes[:3]:
            for (body,) in self.db.execute(
                "SELECT body FROM reviews WHERE film_id = ? ORDER BY id DESC LIMIT ?", [t.film_id, per_film]
            ):
                try:
                    doc = Document.from_json(body)
                    visible = (spoiler_free(doc, "") if doc.spoiler_sections else doc).visible_text()
                except (ValueError, KeyError, TypeError):
                    continue
                for w in set(re.findall(r"[a-z]{5,}", visible.lower())):
                    if w not in FILLER and w not in REVIEW_STOP:
                        counts[w] = counts.get(w, 0) + 1
        if not counts:
            return {}
        rare: list[tuple[float, str, list[int]]] = []
        for w in sorted(counts, key=lambda w: (-counts[w], -len(w), w))[: REVIEW_WORDS + 2]:
            ids = [
                r[0]
                for r in self.db.execute(
                    "SELECT rowid FROM reviews_fts WHERE reviews_fts MATCH ? LIMIT ?",
                    [quote_fts(w), REVIEW_LANGUAGE_LIMIT + 1],
                )
            ]
            if len(ids) > REVIEW_LANGUAGE_LIMIT or not ids:
                continue
            rare.append((counts[w] / math.log(2.0 + len(ids)), w, ids))
        rare.sort(key=lambda t: (-t[0], t[1]))
        rare = rare[:REVIEW_WORDS]
        scores: dict[int, float] = {}
        for _, _, ids in rare:
            marks = ",".join("?" * len(ids))
            for film_id, n in self.db.execute(
                f"SELECT film_id, count(*) FROM reviews WHERE id IN ({marks}) GROUP BY film_id", ids
            ):
                if film_id not in named:
                    scores[film_id] = scores.get(film_id, 0.0) + min(1.0, 0.5 + 0.25 * n) / len(rare)
        return scores

    def film_word_hits(self, words: list[str]) -> dict[int, float]:
        """0..1 per film: the share of `words` in its catalog text. Unranked and capped per word: a
        word in many films is looked up in the keyword index instead, so this stays a few index
        reads whatever the catalog's size."""
        scores: dict[int, float] = {}
        for w in words:
            found = [
                r[0]
                for r in self.db.execute(
                    "SELECT rowid FROM films_fts WHERE films_fts MATCH ? LIMIT ?", [quote_fts(w), LIKE_WORD_LIMIT + 1]
                )
            ]
            if len(found) > LIKE_WORD_LIMIT:
                found = self._top_tag(f"k:{w}", LIKE_WORD_LIMIT)
            else:  # few enough to rank by how much the word is about them
                found = [
                    r[0]
                    for r in self.db.execute(
                        "SELECT rowid FROM films_fts WHERE films_fts MATCH ? ORDER BY rank LIMIT ?",
                        [quote_fts(w), PER_LIST],
                    )
                ]
            for pos, film_id in enumerate(found):
                scores[film_id] = scores.get(film_id, 0.0) + (1.0 - 0.3 * pos / PER_LIST) / len(words)
        return scores

    def text_scores(self, words: list[str]) -> dict[int, float]:
        """0..1 per film: share of the words found in its catalog text or (for rare words) its reviews."""
        if not words:
            return {}
        per_word: list[dict[int, float]] = []
        for w in words:
            hits: dict[int, float] = {}
            # Ranking is only paid for when few films match; a word in thousands of films is too common
            # to rank on, so it contributes the best-rated films tagged with it (if it is a keyword).
            found = [
                r[0]
                for r in self.db.execute(
                    "SELECT rowid FROM films_fts WHERE films_fts MATCH ? LIMIT ?", [quote_fts(w), FILM_WORD_LIMIT + 1]
                )
            ]
            if len(found) <= FILM_WORD_LIMIT:
                ranked = [
                    r[0]
                    for r in self.db.execute(
                        "SELECT rowid FROM films_fts WHERE films_fts MATCH ? ORDER BY rank LIMIT ?",
                        [quote_fts(w), PER_LIST],
                    )
                ]
            else:
                ranked = self._top_tag(f"k:{w}")
            for pos, rowid in enumerate(ranked):
                hits[rowid] = 1.0 - 0.3 * pos / PER_LIST
            per_word.append(hits)
            review_ids = [
                r[0]
                for r in self.db.execute(
                    "SELECT rowid FROM reviews_fts WHERE reviews_fts MATCH ? LIMIT ?",
                    [quote_fts(w), REVIEW_WORD_LIMIT + 1],
                )
            ]
            if review_ids and len(review_ids) <= REVIEW_WORD_LIMIT:
                marks = ",".join("?" * len(review_ids))
                for film_id, n in self.db.execute(
                    f"SELECT film_id, count(*) FROM reviews WHERE id IN ({marks}) GROUP BY film_id", review_ids
                ):
                    hits[film_id] = max(hits.get(film_id, 0.0), min(1.0, 0.5 + 0.25 * n))
        scores: dict[int, float] = {}
        for hits in per_word:
            for film_id, v in hits.items():
                scores[film_id] = scores.get(film_id, 0.0) + v / len(words)
        return scores

    def candidates(
        self, q: Query, likes: list[Feat], text: dict[int, float], like_text: dict[int, float] | None = None
    ) -> set[int]:
        out: set[int] = set(sorted(text, key=lambda i: -text[i])[: PER_LIST * 2])
        if like_text:
            out.update(sorted(like_text, key=lambda i: -like_text[i])[:PER_LIST])
        for key, _, _ in q.people:
            out.update(self._top_tag(f"p:{key}", PER_LIST * 2))
        if q.people:
            return out  # "Park Chan-wook films": nobody else's films are an answer
        if q.audience in ("kids", "family"):
            for g in ("family", "animation"):
                out.update(self._top_tag(f"g:{g}"))
        elif q.audience == "teen":
            for g in ("adventure", "science fiction", "comedy"):
                out.update(self._top_tag(f"g:{g}", PER_LIST // 2))
            for k in ("coming of age", "teenager", "high school"):
                out.update(self._top_tag(f"k:{k}", PER_LIST // 2))
        countries, genres = q.countries, q.genres
        for k, w in q.vibe_keywords.items():
            if w >= 0.5:
                out.update(self._top_tag(f"k:{k}", PER_LIST // 2))
        for m in q.moods:
            keys = [f"m:{m}|{c}" for c in countries] + [f"m:{m}|{g}" for g in genres]
            for key in keys or [f"m:{m}"]:
                out.update(self._top_mood(key))
        for c in countries:
            for g in genres:
                out.update(self._top_tag(f"cg:{c}|{g}"))
            out.update(self._top_tag(f"c:{c}"))
            for lang in COUNTRY_LANGUAGES.get(c, ()):
                out.update(self._top_tag(f"l:{lang}", PER_LIST // 2))
        if not countries:
            for g in genres:
                out.update(self._top_tag(f"g:{g}"))
        if q.year_min or q.year_max:
            lo = (q.year_min or 1890) // 10 * 10
            hi = (q.year_max or 2030) // 10 * 10
            decades = list(range(hi, lo - 1, -10))[:6]
            for decade in decades:
                out.update(self._top_tag(f"y:{decade}", PER_LIST // 2 if len(decades) > 2 else PER_LIST))
        # Several liked films (personal picks) share one budget, so the candidate set stays bounded.
        seeds = likes[:3]
        per = LIKE_LIST // max(1, len(seeds))
        for t in seeds:
            for c in t.countries[:2]:
                for g in t.genres[:3]:
                    out.update(self._top_tag(f"cg:{c}|{g}", per))
            for d in t.directors[:2]:
                out.update(self._top_tag(f"d:{d.casefold()}", 20))
            for m, _ in sorted(t.moods.items(), key=lambda kv: -kv[1])[:2]:
                for g in t.genres[:2]:
                    out.update(self._top_mood(f"m:{m}|{g}", per))
            for k in t.keywords[:8]:
                out.update(self._top_tag(f"k:{k}", per // 2))
        if len(out) < PER_LIST:
            out.update(self._top_tag("*", PER_LIST * 2))
        return out

    # -- scoring ---------------------------------------------------------------

    def score(
        self,
        f: Feat,
        q: Query,
        likes: list[Feat],
        text: dict[int, float],
        like_text: dict[int, float] | None = None,
        like_sims: dict[int, float] | None = None,
    ) -> Pick | None:
        """One film's score for a query, with the reasons a person would accept; None when ruled out."""
        if q.not_countries & set(f.countries) or q.not_genres & set(f.genres):
            return None
        for (codes, genres), _ in q.not_combos:
            if all(c in f.cset for c in codes) and all(g in f.gset for g in genres):
                return None
        if q.audience and not f.suits(q.audience):
            return None
        if q.not_people_keys & f.pset:
            return None
        if q.not_keywords and any(_keyword_hit(w, f.keywords) for w in q.not_keywords):
            return None
        if q.year_min and (f.year is None or f.year < q.year_min):
            return None
        if q.year_max and (f.year is None or f.year > q.year_max):
            return None
        if q.runtime_max and f.runtime and f.runtime > q.runtime_max:
            return None
        if q.runtime_min and f.runtime and f.runtime < q.runtime_min:
            return None
        s = 0.0
        if q.people:
            roles = set(f.people)
            hit = 0.0
            for key, _, role in q.people:
                if key in f.pset:
                    hit += 1.0
                    if role and f"{role[0]}:{key}" in roles:
                        hit += 0.15
            if not hit:
                return None
            s += W_PERSON * hit / len(q.people)
        if q.audience in ("kids", "family"):
            # What children watch: family films, animated ones most of all.
            s += 1.2 * min(1.4, sum(w for g, w in KIDS_GENRES.items() if g in f.gset))
            if not q.moods:
                # Unless sadness is asked for, a children's evening is light: Paddington before a
                # grandmother's terminal illness, however gentle.
                s += 0.4 * f.moods.get("feelgood", 0.0) - 0.6 * f.moods.get("sad", 0.0)
        elif q.audience == "teen":
            # What a teenager is glad to be shown: adventure, fun, stories about being young; not the
            # grimmest adult fare (the hard line is only graphic gore and sex: `suits`).
            s += 1.0 * min(1.0, sum(w for g, w in TEEN_GENRES.items() if g in f.gset))
            s += 0.8 * bool(f.kset & TEEN_KEYWORDS) + 0.3 * f.moods.get("feelgood", 0.0)
            s -= 0.8 * f.grim + 0.5 * f.moods.get("bleak", 0.0)
        elif q.audience == "parents":
            # Something everyone in the room can enjoy: warm and light rather than bleak.
            warm = min(1.0, f.moods.get("feelgood", 0.0) + f.moods.get("heartwarming", 0.0))
            s += 1.0 * warm + 0.2 * f.acclaim - 0.8 * f.moods.get("bleak", 0.0)
        if q.audience == "adults":
            # "for grown-ups" asks for grown-up themes (violence, horror, sex, cruelty) first, then the
            # genres of adult life, not only for the absence of cartoons.
            # Gore and sex say "adults only" more than a harrowing film that teenagers are shown at school.
            s += 0.4 * f.adult + 0.4 * bool(f.gset & MATURE_GENRES) + 0.3 * bool(f.kset & ADULTS_ONLY_KEYWORDS)
            if not q.moods:
                s += 0.6 * max(f.moods.get(m, 0.0) for m in ("bleak", "gory", "creepy"))
            if "animation" in f.gset and "animation" not in q.genres:
                s -= 0.3  # "a film for adults" is live action unless animation is asked for
        if q.spooky:
            spooky = sum(1 for k in f.keywords if k in SPOOKY_KEYWORDS or SPOOKY_WORDS & set(k.split()))
            s += 1.2 * min(1.0, spooky / 1.5) + 0.4 * ("fantasy" in f.gset)
        for m in q.not_moods:
            v = f.moods.get(m, 0.0)
            if v >= 0.55:
                return None
            s -= 3.0 * v
        for m, w in q.moods.items():
            v = f.moods.get(m, 0.0)
            s += W_MOOD * w * v
        if q.vibes:
            # Two telling keywords ("tearjerker", "terminal illness") make a more typical answer than one.
            s += W_VIBE * min(1.0, sum(w for k, w in q.vibe_keywords.items() if k in f.kset) / VIBE_FULL)
            s += W_VIBE_GENRE * max((w for g, w in q.vibe_genres.items() if g in f.gset), default=0.0)
            # A faint mood (one reviewer's "creepy") is no reason to drop a film; a clear one is.
            clash = max((w * f.moods.get(m, 0.0) for m, w in q.avoid_moods.items()), default=0.0)
            s -= W_AVOID * max(0.0, clash - AVOID_FAINT) / (1.0 - AVOID_FAINT)
            if vague(q):
                s += W_VAGUE_ACCLAIM * f.acclaim
        if q.countries:
            # A French film is one made there, ideally in French; a French co-production counts less.
            speaks = any(lang in f.languages for c in q.countries for lang in COUNTRY_LANGUAGES.get(c, ()))
            if f.countries and f.countries[0] in q.countries:
                s += W_COUNTRY
            elif speaks and f.cset & set(q.countries):
                s += 0.85 * W_COUNTRY
            elif speaks:
                s += 0.8 * W_COUNTRY
            elif f.cset & set(q.countries):
                s += 0.6 * W_COUNTRY
            else:
                s -= 1.0
        if q.genres:
            # The catalog lists a film's main genre first: "90s horror" prefers Ringu (horror, mystery)
            # to Living in Bondage (drama, horror, thriller).
            hit = sum(GENRE_POSITION[min(f.genres.index(g), 2)] for g in q.genres if g in f.gset)
            s += W_GENRE * hit / len(q.genres) if hit else -0.6
        s += W_WORDS * text.get(f.film_id, 0.0)
        if likes:
            if like_sims is None:
                like_sims = self.like_sims(likes, [f], like_text=like_text)
            s += W_LIKE * like_sims.get(f.film_id, 0.0)
            # "like X but sadder" keeps the rest of X; "funny movie like X" and "like X but Korean" do not
            # ask to keep X's medium or audience beyond what likeness already does.
            if q.like and q.shift and (q.moods or q.not_moods or q.genres or q.not_genres):
                s += W_IDENTITY * identity(likes[0], f, q)
                # "like Your Name but happier" moves away from sadness, not only towards cheer.
                away = {o for m, w in q.moods.items() if w > 1.0 for o in OPPOSITE_MOODS.get(m, ())} - set(q.moods)
                if away:
                    s -= W_AWAY * max(f.moods.get(o, 0.0) for o in away)
        if f.runtime is None and (q.runtime_max or q.runtime_min):
            s -= 0.3
        s += W_QUALITY * (f.bayes - features.PRIOR_MEAN) / 3.5
        engaged = f.n_reviews + f.rat_n
        s += 0.3 * engaged / (engaged + 5.0)
        # Catalog acclaim, then a fixed pseudo-random order: ties never fall back to the catalog file's order.
        # (Acclaim chooses starter picks; with a request it only breaks ties.)
        s += (0.3 if q.empty else 0.04) * f.acclaim
        s += 0.03 * zlib.crc32(str(f.film_id).encode()) / 0xFFFFFFFF
        return Pick(f, s)

    def rank(self, q: Query, *, exclude: set[int], avoid: set[int], likes: list[Feat], limit: int = 5) -> list[Pick]:
        """The best `limit` picks, varied: not five films of one series or one director."""
        text = self.text_scores(q.words)
        for film_id, v in self.keyword_phrases(q).items():
            text[film_id] = text.get(film_id, 0.0) + W_KEYWORD * v
        # Review language only for films named in the request: personal picks (three liked films)
        # would pay for it three times on every bare /recommend.
        like_text = self.like_text(likes, reviews=bool(q.like)) if likes else {}
        ids = self.candidates(q, likes, text, like_text) - exclude
        feats = self.feats(ids)
        avoid_series = {feats[i].series for i in avoid if i in feats}
        sims = self.like_sims(likes, list(feats.values()), relative=True, like_text=like_text) if likes else None
        picks = [p for f in feats.values() if (p := self.score(f, q, likes, text, like_text, sims)) is not None]
        if q.words and not (q.moods or q.countries or q.genres or likes):
            # Only search words: a film that matches none of them is not an answer.
            picks = [p for p in picks if text.get(p.feat.film_id, 0.0) > 0] or picks
        like_series = {t.series for t in likes}
        picks.sort(key=lambda p: -p.score)
        picks = picks[: limit * (40 if q.empty else 8)]  # starter picks choose from more, for variety
        chosen: list[Pick] = []
        series_seen: set[str] = set(avoid_series)
        directors_seen: dict[str, int] = {}
        countries_seen: dict[str, int] = {}
        decades_seen: dict[int, int] = {}
        eras_seen: dict[int, int] = {}
        used_reasons: set[str] = set()
        # Variety in what was left open: five films of one country only when a country was asked for.
        vary_country = 0.0 if (q.countries or likes) else (0.6 if q.empty else 0.12)
        vary_decade = 0.0 if (q.year_min or q.year_max or likes) else (0.6 if q.empty else 0.05)
        vary_director = 0.0 if q.people else 0.6
        while picks and len(chosen) < limit:

            def adjusted(p: Pick) -> float:
                f = p.feat
                a = p.score
                if f.series in series_seen or f.series in like_series:
                    a -= 1.2
                # Co-directors (the Coens) count once: a film is one more by them, not two.
                a -= vary_director * max((directors_seen.get(d, 0) for d in f.directors), default=0)
                if f.countries:
                    a -= vary_country * countries_seen.get(f.countries[0], 0)
                if f.year:
                    a -= vary_decade * decades_seen.get(f.year // 10, 0)
                    if q.empty:  # starter picks: old classics, but recent films too
                        a -= 0.4 * eras_seen.get(_era(f.year), 0)
                return a

            best = max(picks, key=adjusted)
            picks.remove(best)
            chosen.append(best)
            matched, rest = explain(best.feat, q, likes)
            best.reasons = _two_reasons(matched + [r for r in rest if r not in used_reasons and r not in matched])
            used_reasons.update(best.reasons)
            series_seen.add(best.feat.series)
            for d in best.feat.directors:
                directors_seen[d] = directors_seen.get(d, 0) + 1
            if best.feat.countries:
                countries_seen[best.feat.countries[0]] = countries_seen.get(best.feat.countries[0], 0) + 1
            if best.feat.year:
                decades_seen[best.feat.year // 10] = decades_seen.get(best.feat.year // 10, 0) + 1
                eras_seen[_era(best.feat.year)] = eras_seen.get(_era(best.feat.year), 0) + 1
        return chosen

    def neighbours(self, film_id: int, *, director: bool = True) -> set[int]:
        """A film, its series and remakes, and the same director's films: what "Not this" drops."""
        f = self.feats([film_id]).get(film_id)
        if f is None:
            return {film_id}
        out = {film_id}
        out.update(r[0] for r in self.db.execute("SELECT film_id FROM rec_film WHERE series = ?", [f.series]))
        for d in f.directors[:2] if director else ():
            out.update(self._top_tag(f"d:{d.casefold()}", 50))
        return out

    # -- quotes ----------------------------------------------------------------

    def quote(self, film_id: int, q: Query, title: str = "") -> str | None:
        """A short phrase or sentence from a review of this film that speaks to the request.

        Read through the same spoiler-free writer as /review and the feed, so nothing a reviewer
        (or the detector) put behind a spoiler can be quoted. With nothing in the request to look
        for, the review's own verdict words are looked for instead.
        """
        words: set[str] = set(q.words)
        for m in q.moods:
            words |= mood_words_for(m)
        if not words:
            words = set(VERDICT_WORDS)
        rows = []
        row = self.db.execute("SELECT n_reviews FROM rec_film WHERE film_id = ?", [film_id]).fetchone()
        if not row or not row[0]:
            return None
        if q.moods:
            likes = " OR ".join("x.moods LIKE ? OR x.moods LIKE ?" for _ in q.moods)
            params: list[object] = [film_id]
            for m in q.moods:
                params += [f"{m}=%", f"% {m}=%"]
            rows = self.db.execute(
                f"""SELECT r.body FROM rec_review x JOIN reviews r ON r.id = x.review_id
                    WHERE x.film_id = ? AND ({likes}) ORDER BY r.id DESC LIMIT 4""",
                params,
            ).fetchall()
        if not rows:
            rows = self.db.execute(
                "SELECT body FROM reviews WHERE film_id = ? ORDER BY id DESC LIMIT 4", [film_id]
            ).fetchall()
        best: tuple[float, str] | None = None
        for (body,) in rows:
            try:
                doc = Document.from_json(body)
                # The /review view when the review hides anything; otherwise the text is all visible.
                visible = (spoiler_free(doc, title) if doc.spoiler_sections else doc).visible_text()
            except (ValueError, KeyError, TypeError):
                continue
            for sentence in SENTENCE_RE.split(visible):
                sentence = " ".join(sentence.split())
                if not 12 <= len(sentence) <= 400 or "[spoiler]" in sentence.lower() or "spoiler" in sentence.lower():
                    continue
                toks = re.findall(r"[a-z][a-z'-]*", sentence.lower())
                hits = sum(2.0 if t.endswith("est") else 1.0 for t in toks if t in words)
                if not hits:
                    continue
                sc = hits - len(sentence) / 200.0
                if best is None or sc > best[0]:
                    best = (sc, sentence)
        if best is None:
            return None
        return best[1]


SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")
VERDICT_WORDS = frozenset(
    [
        "best",
        "beautiful",
        "beautifully",
        "brilliant",
        "loved",
        "love",
        "perfect",
        "masterpiece",
        "favourite",
        "favorite",
        "wonderful",
        "stunning",
        "unforgettable",
        "must-see",
        "must-watch",
        "recommend",
        "great",
        "gorgeous",
        "superb",
        "moving",
        "powerful",
    ]
)


def similarity(a: Feat, b: Feat, profile: Profile | None = None) -> float:
    """0..1: how alike film `b` is to film `a`, a weighted sum of what each side knows.

    Keywords (with `profile`: IDF-weighted, counting shared keyword words and keywords that go with
    `a`'s across the catalog; their weight shrinks when `a` has few keywords other films share),
    genres (the main genre most), moods (as far as both films' moods are sure), era, language and
    country, medium and audience (a children's film is like another children's film), and the makers:
    the same director or shared cast is a strong hint (people who liked Memories of Murder go to
    Mother next). Country weighs little: "like Train to Busan" asks for zombies on a train.
    """
    (wa, na), (wb, nb) = a.gvec, b.gvec
    genre = sum(v * wb.get(g, 0.0) for g, v in wa.items()) / (na * nb) if na and nb else 0.0
    if profile is not None:
        pk, pt = profile.keywords, profile.tokens
        num = sum(pk.get(k, 0.0) for k in b.keywords) + sum(pt.get(t, 0.0) for t in b.tokens)
        kw = num / profile.total if profile.total else 0.0
        w_kw = W_SIM_KEYWORDS * profile.trust
    else:
        kw = len(a.kset & b.kset) / math.sqrt(len(a.kset) * len(b.kset)) if a.kset and b.kset else 0.0
        w_kw = W_SIM_KEYWORDS * 0.5
    # Mood cosine, weighed by how sure both moods are (see `Feat.mvec`).
    mood = sum(map(operator.mul, a.mvec, b.mvec))
    place = 0.5 * bool(a.cset & b.cset) + 0.5 * bool(a.languages and b.languages and a.languages[0] == b.languages[0])
    era = max(0.0, 1.0 - abs((a.year or 2000) - (b.year or 2000)) / ERA_SPAN)
    kind = 0.5 * (a.kids == b.kids) + 0.5 * (("animation" in a.gset) == ("animation" in b.gset))
    makers = W_SIM_DIRECTOR * bool(a.dset & b.dset) + (0.2 * min(2, len(a.cast & b.cast)) if a.cast and b.cast else 0.0)
    total = W_SIM_GENRE + w_kw + W_SIM_MOOD + W_SIM_PLACE + W_SIM_ERA + W_SIM_KIND
    return (
        W_SIM_GENRE * genre
        + w_kw * kw
        + W_SIM_MOOD * mood
        + W_SIM_PLACE * place
        + W_SIM_ERA * era
        + W_SIM_KIND * kind
        + makers
    ) / total


def identity(x: Feat, f: Feat, q: Query) -> float:
    """-3..3: how far `f` keeps what X is, when a request shifts X ("like Toy Story but sadder").

    The shift asks for X with another mood or genre, not for any film with that mood: a sadder
    Toy Story is another animated family film (Up, Toy Story 3), not a tearjerker comedy. Three
    parts, each +1 kept or -1 lost: animated or not, X's main genre, children's film or not. A part
    the request itself changes is left out: "like La La Land but not a musical" drops the main
    genre, "like Spirited Away but for grown-ups" the audience, "... but live action" the medium.
    """
    out = 0.0
    animated = "animation" in x.gset
    if "animation" not in q.genres and "animation" not in q.not_genres:
        out += 1.0 if ("animation" in f.gset) == animated else -1.0
    main = x.genres[0] if x.genres else None
    # A mood that belongs to a genre moves the main genre with it: "like The Host but scarier" is
    # horror first, a monster film second; "like Parasite but funnier" stays a comedy.
    asked = set(q.genres) | {MOOD_GENRE[m] for m in q.moods if m in MOOD_GENRE}
    if main and main not in q.not_genres and (not asked or main in asked):
        out += 1.0 if main in f.gset else -1.0
    if not q.audience:
        out += 1.0 if _kids_film(x) == _kids_film(f) else -1.0
    return out


def _kids_film(f: Feat) -> bool:
    """Made for children: a family film, or an animated one that is not for adults (family friendly,
    where the catalog says)."""
    if "family" in f.gset:
        return True
    if f.rated:
        return "animation" in f.gset and FAMILY_FRIENDLY in f.kset
    return "animation" in f.gset and not f.adult and not f.gset & MATURE_GENRES


def explain(f: Feat, q: Query, likes: list[Feat]) -> tuple[list[str], list[str]]:
    """(the people asked for, other reasons most specific first) for a chosen pick.

    The ranker keeps the people (that is the match) and then reasons no earlier pick used: what
    the request matched (the keyword behind a mood, what it shares with the named film), then
    plain catalog facts, so five picks never read "tearjerker" five times.
    """
    matched: list[str] = []
    names = {key: name for key, name, _ in q.people}
    for p in f.people:
        role, _, key = p.partition(":")
        if key in names:
            matched.append(("directed by " if role == "d" else "with ") + names[key])
    reasons: list[str] = []
    reasons += [_mood_reason(f, m) for m in q.moods if f.moods.get(m, 0.0) >= 0.3]
    reasons += sorted((k for k in f.keywords if k in q.vibe_keywords), key=lambda k: -q.vibe_keywords[k])
    if q.spooky:
        reasons += [k for k in f.keywords if k in SPOOKY_KEYWORDS or SPOOKY_WORDS & set(k.split())][:1]
    if q.audience in ("kids", "family") and "family" in f.gset:
        reasons.append("a family film")
    for t in likes:
        # Two films are not alike for both being "violent" or "mature themes": that is who they suit.
        shared = [k for k in f.keywords if k in t.kset and k not in AUDIENCE_KEYWORDS]
        if shared:
            # The pair first, then each alone, so the next pick sharing the same pair still says why.
            reasons.append("shares " + ", ".join(shared[:2]))
            reasons += [f"shares {k}" for k in shared[:3]]
        if f.dset & t.dset:
            reasons.append("same director")
    reasons += [k for k in f.keywords if any(_keyword_hit(w, (k,)) for w in q.words)]
    if f.directors:
        reasons.append("directed by " + f.directors[0])
    reasons += [k for k in f.keywords if k not in ("classic", "black and white") and k not in AUDIENCE_KEYWORDS][:3]
    if f.genres:
        reasons.append(", ".join(f.genres[:2]))
    return list(dict.fromkeys(matched))[:1], list(dict.fromkeys(reasons))


def vague(q: Query) -> bool:
    """A request that is only a feeling or occasion: nothing about country, genre, era, people or a film."""
    return not (q.countries or q.genres or q.like or q.people or q.words or q.year_min or q.year_max or q.audience)


def _two_reasons(reasons: list[str]) -> list[str]:
    """The first two reasons that say something new: never "shares pixar, feel-good; shares pixar"."""
    out: list[str] = []
    said: set[str] = set()
    for r in reasons:
        items = set(r[len("shares ") :].split(", ")) if r.startswith("shares ") else set()
        if items and items <= said:
            continue
        out.append(r)
        said |= items
        if len(out) == 2:
            break
    return out


def _era(year: int) -> int:
    return 0 if year < 1970 else (1 if year < 2000 else 2)


def _keyword_hit(word: str, keywords: Iterable[str]) -> bool:
    """ "zombie" rules out "zombies" and "zombie comedy"; "war" does not rule out "warsaw"."""
    stem = word[:-1] if word.endswith("s") and len(word) > 3 else word
    for k in keywords:
        for part in k.split():
            if part in (word, stem) or part.endswith("s") and part[:-1] == stem:
                return True
    return False


def _mood_reason(f: Feat, mood: str) -> str:
    """Why a film counts as this mood: its catalog keyword if it has one, else the mood itself."""
    for k in f.keywords:
        if KEYWORD_MOODS.get(k, {}).get(mood, 0.0) >= 0.5:
            return k
    return MOOD_LABELS[mood]
