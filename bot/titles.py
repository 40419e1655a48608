"""Resolve what people type into a film, forgivingly.

People write `the host`, `Host (2006)`, `amelie`, `Le Fabuleux Destin d'Amélie Poulain`,
`mircale in cell 7`. We normalise both sides the same way (case, accents,
punctuation, a leading article, `&`/`and`), match exactly on the normalised
title, original title and aliases first, and only then fall back to fuzzy
matching with rapidfuzz. A year in the query (`(2013)` or a trailing `2013`)
picks between remakes; without one, the earliest film of that title wins and
the reply names the others. An exact main title beats an alias or another
film's original title: `The Ring` is the 2002 film, even though `Ringu` (1998)
is also known as The Ring; the reply names Ringu and how to pick it.

Ambiguous or unknown input never raises: it yields up to five candidates.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process, utils

ARTICLES = ("the ", "a ", "an ", "le ", "la ", "les ", "l ", "el ", "los ", "las ", "il ", "der ", "die ", "das ")
YEAR_RE = re.compile(r"(?:\(\s*((?:18|19|20)\d\d)\s*\)|\b((?:18|19|20)\d\d))\s*$")
MAX_QUERY = 200
ACCEPT_SCORE = 86.0
CANDIDATE_SCORE = 55.0


def normalize_title(text: str) -> str:
    """Lowercase, strip accents and punctuation, drop a leading article, fold whitespace."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold().replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    for art in ARTICLES:
        if text.startswith(art) and len(text) > len(art):
            text = text[len(art) :]
            break
    return text


def split_year(query: str) -> tuple[str, int | None]:
    """`Oldboy (2013)` -> ('Oldboy', 2013); a title that is only a year keeps it."""
    m = YEAR_RE.search(query)
    if not m:
        return query, None
    rest = query[: m.start()].strip()
    if not rest:
        return query, None
    return rest, int(m.group(1) or m.group(2))


@dataclass
class Resolution:
    """The outcome of a lookup: a film id, or candidates to offer instead."""

    film_id: int | None
    candidates: list[tuple[int, str]] = field(default_factory=list)  # (film_id, label)
    others: list[tuple[int, str]] = field(default_factory=list)  # same title, other years


class TitleIndex:
    """An in-memory index of every title, rebuilt when films are added.

    Kept in memory because autocomplete must answer within Discord's 3 s, and
    fuzzy matching over 100,000 titles is a few milliseconds in rapidfuzz.
    """

    def __init__(self, rows: list[tuple[int, str, int | None, str]]) -> None:
        self.by_norm: dict[str, list[int]] = {}
        self.year: dict[int, int | None] = {}
        self.label: dict[int, str] = {}
        self.main: dict[int, str] = {}  # film id -> its normalised main title
        self.keys_of: dict[int, list[str]] = {}  # film id -> all its normalised titles
        for film_id, norm, year, title in rows:
            ids = self.by_norm.setdefault(norm, [])
            if film_id not in ids:
                ids.append(film_id)
                self.keys_of.setdefault(film_id, []).append(norm)
            self.year[film_id] = year
            self.label[film_id] = f"{title} ({year})" if year else title
            self.main[film_id] = normalize_title(title)
        self.keys = list(self.by_norm)

    def add(self, film_id: int, titles: list[str], year: int | None, title: str) -> None:
        for t in titles:
            norm = normalize_title(t)
            if not norm:
                continue
            if norm not in self.by_norm:
                self.by_norm[norm] = []
                self.keys.append(norm)
            if film_id not in self.by_norm[norm]:
                self.by_norm[norm].append(film_id)
                self.keys_of.setdefault(film_id, []).append(norm)
        self.year[film_id] = year
        self.label[film_id] = f"{title} ({year})" if year else title
        self.main[film_id] = normalize_title(title)

    def order(self, ids: list[int], norm: str | None = None) -> list[int]:
        """Films sharing a title, the one most likely meant first: a film whose main title this is
        beats one that only has it as an alias or original title; then the earliest."""
        return sorted(ids, key=lambda i: (norm is not None and self.main.get(i) != norm, self.year.get(i) or 9999, i))

    def same_title(self, film_id: int) -> list[int]:
        """Other films known by one of this film's titles (remakes, namesakes), earliest first."""
        out: list[int] = []
        for k in self.keys_of.get(film_id, ()):
            out += [i for i in self.by_norm.get(k, ()) if i != film_id and i not in out]
        return self.order(out)

    def resolve(self, query: str) -> Resolution:
        query = query.strip()[:MAX_QUERY]
        title, year = split_year(query)
        for q, y in ((title, year), (query, None)) if year else ((query, None),):
            norm = normalize_title(q)
            if not norm:
                continue
            exact = self.by_norm.get(norm, [])
            if y is not None:
                exact_y = [i for i in exact if self.year.get(i) == y]
                if exact_y:
                    return Resolution(exact_y[0])
                continue
            if exact:
                ordered = self.order(exact, norm)
                return Resolution(ordered[0], others=[(i, self.label[i]) for i in ordered[1:]])
        return self._fuzzy(title, year)

    def _fuzzy(self, title: str, year: int | None) -> Resolution:
        norm = normalize_title(title)
        if not norm or not self.keys:
            return Resolution(None)
        matches = process.extract(norm, self.keys, scorer=fuzz.WRatio, processor=utils.default_process, limit=25)
        scored: dict[int, float] = {}
        best_key: dict[int, str] = {}
        for key, score, _ in matches:
            # Penalise big length differences: WRatio's partial matching loves short keys.
            ratio = fuzz.ratio(norm, key)
            for film_id in self.by_norm[key]:
                s = 0.6 * score + 0.4 * ratio
                if year is not None and self.year.get(film_id) == year:
                    s += 5
                if s > scored.get(film_id, 0):
                    scored[film_id] = s
                    best_key[film_id] = key
        ranked = sorted(scored.items(), key=lambda kv: (-kv[1], self.year.get(kv[0]) or 9999))
        if not ranked:
            return Resolution(None)
        best_id, best = ranked[0]
        # Remakes share a title: they are one answer with "others", not a tie.
        twins = [i for i, _ in ranked if best_key[i] == best_key[best_id]]
        rivals = [s for i, s in ranked if best_key[i] != best_key[best_id]]
        runner = rivals[0] if rivals else 0.0
        if best >= ACCEPT_SCORE and best - runner >= 4:
            if year is None and len(twins) > 1:
                ordered = self.order(twins, best_key[best_id])
                return Resolution(ordered[0], others=[(i, self.label[i]) for i in ordered[1:]])
            return Resolution(best_id)
        cands = [(i, self.label[i]) for i, s in ranked if s >= CANDIDATE_SCORE][:5]
        return Resolution(None, candidates=cands)

    def complete(self, prefix: str, limit: int = 25) -> list[tuple[int, str]]:
        """Suggestions for autocomplete: prefix matches first, then fuzzy ones."""
        norm = normalize_title(prefix[:MAX_QUERY])
        if not norm:
            return []
        seen: dict[int, None] = {}
        for key in self.keys:
            if key.startswith(norm):
                for i in self.by_norm[key]:
                    seen.setdefault(i, None)
            if len(seen) >= limit:
                break
        if len(seen) < limit:
            for key, _score, _ in process.extract(
                norm,
                self.keys,
                scorer=fuzz.WRatio,
                processor=utils.default_process,
                limit=limit * 2,
                score_cutoff=60,
            ):
                for i in self.by_norm[key]:
                    seen.setdefault(i, None)
        return [(i, self.label[i]) for i in list(seen)[:limit]]
