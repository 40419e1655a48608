"""People in requests: "Park Chan-wook films", "something with Song Kang-ho", "by wong kar wai".

Names are matched on a folded key: accents stripped, case folded, spaces,
hyphens and apostrophes removed, so `Park Chan-wook`, `park chanwook` and
`PARK CHAN WOOK` are one key; the name with its first or last part moved to the
other end is a second key, so `Chan-wook Park` and `Kar Wai Wong` match too
(romanisations put the family name on either side). Typos are matched with
rapidfuzz on those keys, but only for words the rest of the parser did not
recognise, so "sad koraen drma" never turns into a person.

A single word is a person only when it is a distinctive family name (five
letters or more, not a word of any title, keyword or overview in the catalog:
`kubrick`, not `park` or `strong`), or when a cue says so: "by ozu", "ozu
films", "with khan".

The index lives in memory: at 100,000 films it is a few tens of thousands of
names, and it is read on every request.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

FUZZY_SCORE = 86.0
MIN_SURNAME = 5
MIN_CUED_SURNAME = 3
MIN_UNCUED_FUZZY = 7

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_WORD = re.compile(r"[0-9a-z]+")


def fold(text: str) -> str:
    """Accents off (Hangul and kana stay whole), case folded."""
    if text.isascii():  # nearly every name and overview: no per-character work
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", text).casefold()


def name_parts(name: str) -> list[str]:
    """`Park Chan-wook` -> ['park', 'chanwook']; `Samuel L. Jackson` -> ['samuel', 'l', 'jackson']."""
    return [p for p in (_NON_ALNUM.sub("", w) for w in fold(name).split()) if p]


def person_key(name: str) -> str:
    """The id of a person in tags and queries: their folded name, run together."""
    return "".join(name_parts(name))


def name_keys(name: str) -> list[str]:
    """Every order of a name people write: as given, family name moved to the front or back."""
    parts = name_parts(name)
    keys = ["".join(parts)]
    if len(parts) >= 2:
        keys.append("".join(parts[1:] + parts[:1]))
        keys.append("".join(parts[-1:] + parts[:-1]))
    # Shorter forms people use: "Samuel Jackson", "Tony Leung" (Tony Leung Chiu-wai), "Gael Bernal".
    full = [p for p in parts if len(p) > 1]
    if len(full) >= 3:
        keys += ["".join(full[:2]), full[0] + full[-1], "".join(full[-2:])]
    elif len(full) == 2 and len(parts) > 2:
        keys.append("".join(full))
    return list(dict.fromkeys(k for k in keys if k))


def family_name(name: str) -> str:
    """The part of a name people say alone: `Kubrick`, but `Park` for Park Chan-wook.

    A hyphenated given name (`Chan-wook`, `Kar-wai`) marks family-name-first order.
    """
    return family_names(name)[0] if family_names(name) else ""


def family_names(name: str) -> list[str]:
    """Every part of a name people may say alone, most likely first.

    A hyphenated last word lower case after the hyphen is a Korean or Chinese given name (`Chan-wook`,
    `Kar-wai`: the family name comes first) or a Japanese family name (`Kore-eda`): both are kept.
    """
    words = fold(name).split()
    if not words:
        return []
    given = name.split()[1] if len(name.split()) >= 2 else ""
    last = _NON_ALNUM.sub("", words[-1])
    # "Chan-wook", "Kar-wai": a romanised given name, lower case after the hyphen (not "Mintz-Plasse").
    if len(words) >= 2 and re.fullmatch(r"[^\W\d_]+-[a-z]+", given) and "-" not in words[0]:
        first = _NON_ALNUM.sub("", words[0])
        return [first, last] if len(words) == 2 else [first]
    return [last] if last else []


@dataclass
class Person:
    key: str
    name: str
    directed: int = 0
    acted: int = 0
    years: list[int] = field(default_factory=list)

    @property
    def films(self) -> int:
        return self.directed + self.acted

    def career_split(self) -> int | None:
        """The year that divides this person's films into an early and a late half."""
        ys = sorted(self.years)
        if len(ys) < 2:
            return None
        return ys[(len(ys) - 1) // 2]


class PeopleIndex:
    """Directors and cast of every film, by folded key, family name and fuzzy key."""

    def __init__(self) -> None:
        self.people: dict[str, Person] = {}
        self.by_key: dict[str, list[str]] = {}  # any name order -> person keys
        self.by_family: dict[str, list[str]] = {}
        self.title_words: set[str] = set()
        # Fuzzy matching only looks at keys with the same first letter and a length within two:
        # a few hundred strings instead of every name, so a typo costs microseconds at 100,000 films.
        self._buckets: dict[tuple[str, int], list[str]] = {}

    def add_film(
        self, title: str, year: int | None, directors: Iterable[str], cast: Iterable[str], text: str = ""
    ) -> None:
        """Index a film's people; its title, keywords and overview (`text`) tell which words are
        ordinary words, never read as a bare family name ("strong", "stone", "walker")."""
        self.title_words.update(_WORD.findall(fold(f"{title} {text}")))
        for role, names in (("directed", directors), ("acted", cast)):
            for name in names:
                key = person_key(name)
                if not key:
                    continue
                p = self.people.get(key)
                if p is None:
                    p = self.people[key] = Person(key, name)
                    for k in name_keys(name):
                        if k not in self.by_key:
                            self._buckets.setdefault((k[0], len(k)), []).append(k)
                        self.by_key.setdefault(k, []).append(key)
                    for fam in family_names(name):
                        if fam not in self.by_family:
                            self._buckets.setdefault(("=" + fam[0], len(fam)), []).append(fam)
                        self.by_family.setdefault(fam, []).append(key)
                setattr(p, role, getattr(p, role) + 1)
                if year:
                    p.years.append(year)

    def _best(self, keys: Iterable[str]) -> Person | None:
        """The person meant when several share a key: clearly the most prolific, or nobody."""
        ranked = sorted((self.people[k] for k in set(keys)), key=lambda p: -p.films)
        if not ranked:
            return None
        if len(ranked) > 1 and ranked[0].films < 2 * ranked[1].films:
            return None
        return ranked[0]

    def exact(self, words: list[str], *, cued: bool) -> Person | None:
        """The person these words name exactly (any order, accents and hyphens aside), or None."""
        key = "".join(_NON_ALNUM.sub("", fold(w)) for w in words)
        if not key:
            return None
        if len(words) >= 2 or len(key) >= 7:
            hit = self._best(self.by_key.get(key, ()))
            if hit is not None:
                return hit
        if len(words) == 1:
            fam = self.by_family.get(key, ())
            if cued and len(key) >= MIN_CUED_SURNAME:
                return self._best(fam)
            if len(key) >= MIN_SURNAME and key not in self.title_words:
                return self._best(fam)
        return None

    def fuzzy(self, words: list[str], *, cued: bool) -> tuple[Person, float] | None:
        """A misspelt name ("park chan wok", "miyazakki films"), or None when nothing is close."""
        key = "".join(_NON_ALNUM.sub("", fold(w)) for w in words)
        if len(key) < 6:
            return None
        if len(words) == 1:
            # Uncued, only a long word the catalog never uses ("kurasawa", "spielburg"): shorter or
            # ordinary words are far more often something else than a misspelt family name.
            if not cued and (len(key) < MIN_UNCUED_FUZZY or key in self.title_words):
                return None
            fam = process.extractOne(
                key, self._near("=" + key[0], len(key)), scorer=fuzz.ratio, score_cutoff=FUZZY_SCORE
            )
            if fam is None:
                return None
            hit = self._best(self.by_family[str(fam[0])])
            return (hit, float(fam[1])) if hit else None
        best = process.extractOne(key, self._near(key[0], len(key)), scorer=fuzz.ratio, score_cutoff=FUZZY_SCORE)
        if best is None:
            return None
        hit = self._best(self.by_key[str(best[0])])
        return (hit, float(best[1])) if hit else None

    def _near(self, first: str, length: int) -> list[str]:
        out: list[str] = []
        for n in range(length - 2, length + 3):
            out += self._buckets.get((first, n), ())
        return out
