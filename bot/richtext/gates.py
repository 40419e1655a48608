"""Word gates: which of the detector's patterns could match a sentence, told from its words alone.

The detector (detect.py) searches ~70 regular expressions in every sentence of every review,
and a sentence of an ordinary review matches none of them. Each pattern here is read once, at
import, for the words it cannot match without: a literal run of letters that the pattern puts
between word boundaries must be a whole word of the sentence ("is", "dies"), one bounded on
one side must start or end a word ("ed" of ``[a-z]{3,}ed\\b``), any other must occur inside a
word. A sequence needs all its parts' words; an alternation needs one of its branches' (each
branch must need something, or the alternation needs nothing); lookarounds, classes, optional
and repeated parts need nothing. That reading is sound by construction: it only ever claims
what every match contains.

A sentence's words are looked up once each in a table (word -> the bits of every "one of these"
set the word satisfies, kept across reviews: a vocabulary, not texts), and a pattern may match
only if all of its bits are there, so most of the detector's searches become one integer test.
Decisions do not change: a gate only skips a search that would have failed
(tests/test_richtext_fastpaths.py checks every gated pattern on generated text).

Only for text that lower-cases the way ``re.IGNORECASE`` compares: the four characters that
match an ASCII letter under IGNORECASE without lower-casing to it (İ ı ſ K) send a sentence
down the full path.
"""

from __future__ import annotations

import functools
import operator
import re
import re._constants as _sre
import re._parser as _sre_parse
from typing import Any

_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
# Characters IGNORECASE matches to an ASCII letter although `str.lower` does not turn them into it.
_FOLD_UNSAFE = re.compile("[\u0130\u0131\u017f\u212a]")
_TOKEN = re.compile(r"\w+")
# ASCII text: every character that is not a word character becomes a space, then str.split
# gives the same words as `_TOKEN` (measured 3x faster than findall on review text)
_NON_WORD_BYTES = bytes(c for c in range(128) if chr(c) not in _ASCII_WORD and not chr(c).isupper())
_TO_SPACE = bytes.maketrans(_NON_WORD_BYTES, b" " * len(_NON_WORD_BYTES))
# Very common words: a "one of these" set made of them passes almost every sentence, so another
# set is preferred when a branch offers a choice (a matter of speed only, never of soundness).
_COMMON = frozenset(
    re.findall(
        r"\w+",
        "the a an is was are were be been it its he she they his her their to of in on at and or but so "
        "that this with for as by not no i you we my me",
    )
)

Atom = tuple[str, str]  # (kind, lower-case letters): kind is "word", "prefix", "suffix" or "sub"


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _nonword_class(items: Any) -> bool:
    """A character class every member of which is a non-word character (``\\s``, ``[,;:(]``)."""
    for op, av in items:
        if op is _sre.LITERAL:
            if _is_word_char(chr(av)):
                return False
        elif op is _sre.CATEGORY:
            if av not in (_sre.CATEGORY_SPACE, _sre.CATEGORY_NOT_WORD):
                return False
        else:
            return False
    return True


_BOUNDARIES = (
    _sre.AT_BOUNDARY,
    _sre.AT_BEGINNING,
    _sre.AT_BEGINNING_STRING,
    _sre.AT_BEGINNING_LINE,
    _sre.AT_END,
    _sre.AT_END_STRING,
    _sre.AT_END_LINE,
)
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT)


# `bounded` states, one per side. Going forwards: "if the next character is a word character,
# the previous one is not (or there is none)"; backwards the same with the sides swapped. After
# a non-word character, ``\b``, ``^`` or ``$`` it holds; after a word character it does not.
def _step(op: Any, av: Any, bounded: bool, forwards: bool) -> bool:
    if op is _sre.LITERAL:
        return not _is_word_char(chr(av))
    if op is _sre.IN:
        return _nonword_class(av)
    if op is _sre.AT:
        return av in _BOUNDARIES
    if op in (_sre.ASSERT, _sre.ASSERT_NOT):
        return bounded  # zero-width: the position does not move
    if op is _sre.SUBPATTERN:
        return _walk(av[3], bounded, forwards)
    if op is _sre.ATOMIC_GROUP:
        return _walk(av, bounded, forwards)
    if op is _sre.BRANCH:
        return all(_walk(b, bounded, forwards) for b in av[1])
    if op in _REPEATS:
        if av[1] == 0:
            return bounded
        after = _walk(av[2], False, forwards)  # the last time through, from anywhere
        return after if av[0] >= 1 else (bounded and after)
    return False


def _walk(items: Any, bounded: bool, forwards: bool) -> bool:
    for op, av in items if forwards else reversed(list(items)):
        bounded = _step(op, av, bounded, forwards)
    return bounded


def _atoms_of_run(run: str, left: bool, right: bool) -> list[Atom]:
    """The words a literal run needs: each stretch of ASCII word characters in it, as a whole
    word, a word's start, a word's end or a part of a word, by what bounds it."""
    out: list[Atom] = []
    k, n = 0, len(run)
    while k < n:
        c = run[k]
        if c.lower() not in _ASCII_WORD:
            k += 1
            continue
        j = k
        while j < n and run[j].lower() in _ASCII_WORD:
            j += 1
        # bounded by the pattern around the run, or by a non-word character inside it
        starts = left if k == 0 else not _is_word_char(run[k - 1])
        ends = right if j == n else not _is_word_char(run[j])
        text = run[k:j].lower()
        kind = {(True, True): "word", (True, False): "prefix", (False, True): "suffix"}.get((starts, ends), "sub")
        if len(text) >= 2 or kind == "word":  # "'s" needs the word "s"
            out.append((kind, text))
        k = j
    return out


def _score(atoms: frozenset[Atom]) -> float:
    def one(a: Atom) -> float:
        kind, text = a
        if kind == "word":
            return 0.5 if text in _COMMON else len(text) + 3
        return len(text) + (1 if kind != "sub" else 0)

    return min(map(one, atoms)) - len(atoms) / 1000  # then the smaller set


def _unfactor(items: Any) -> list[tuple[Any, Any]]:
    """`items` with what `re`'s parser factored out put back: ``dies|died`` is parsed as ``die[sd]``
    and ``kills?`` as ``kill`` then an optional ``s``; as alternations of whole literals again
    (``dies|died``, ``kill|kills``) their words keep their boundaries. Same language."""
    hit = _UNFACTORED.get(id(items))
    if hit is not None and hit[0] is items:
        return hit[1]
    out: list[tuple[Any, Any]] = []
    for op, av in items:
        if op is _sre.IN and 0 < len(av) <= 8 and all(o is _sre.LITERAL for o, _ in av):
            op, av = _sre.BRANCH, (None, [[x] for x in av])
        elif op in _REPEATS and (av[0], av[1]) == (0, 1) and len(av[2]) == 1 and av[2][0][0] is _sre.LITERAL:
            op, av = _sre.BRANCH, (None, [[av[2][0]], []])
        if op is _sre.BRANCH and out and out[-1][0] is _sre.LITERAL:
            j = len(out)
            while j > 0 and out[j - 1][0] is _sre.LITERAL:
                j -= 1
            run = out[j:]
            del out[j:]
            av = (None, [run + list(b) for b in av[1]])
        out.append((op, av))
    _UNFACTORED[id(items)] = (items, out)
    return out


# Memos for reading one pattern (the same groups are read many times over while `_dnf` tries
# its alternations), by the parsed object's id; each entry holds the object, so the id stays its
# own. Emptied after each pattern (`WordGates._forget`).
_UNFACTORED: dict[int, tuple[Any, list[tuple[Any, Any]]]] = {}
_NEEDS: dict[tuple[int, bool, bool], tuple[Any, list[frozenset[Atom]]]] = {}


def needs(items: Any, left: bool = False, right: bool = False) -> list[frozenset[Atom]]:
    """What every match of the parsed pattern `items` contains: a list of sets, one atom of each
    set in every match (`left`/`right`: the pattern is bounded there, see `_step`)."""
    hit = _NEEDS.get((id(items), left, right))
    if hit is not None and hit[0] is items:
        return hit[1]
    result = _needs(items, left, right)
    _NEEDS[id(items), left, right] = (items, result)
    return result


def _needs(original: Any, left: bool, right: bool) -> list[frozenset[Atom]]:
    items = _unfactor(original)
    after = [right] * len(items)  # the backwards state right after each element
    state = right
    for k in range(len(items) - 1, -1, -1):
        after[k] = state
        op, av = items[k]
        state = _step(op, av, state, False)
    out: list[frozenset[Atom]] = []
    run: list[str] = []
    run_left = left
    state = left
    for k, (op, av) in enumerate(items):
        if op is _sre.LITERAL:
            if not run:
                run_left = state
            run.append(chr(av))
            state = _step(op, av, state, True)
            continue
        if run:
            out += [frozenset([a]) for a in _atoms_of_run("".join(run), run_left, _step(op, av, after[k], False))]
            run = []
        if op is _sre.SUBPATTERN:
            out += needs(av[3], state, after[k])
        elif op is _sre.ATOMIC_GROUP:
            out += needs(av, state, after[k])
        elif op is _sre.BRANCH:
            each = [sorted(needs(b, state, after[k]), key=_score, reverse=True) for b in av[1]]
            if all(each):
                # one set from each branch makes a necessary set; the best, second best and third
                # best of each branch make three (all required: a stronger gate than one)
                for i in range(min(3, max(map(len, each)))):
                    out.append(frozenset().union(*(e[min(i, len(e) - 1)] for e in each)))
        elif op in _REPEATS and av[0] >= 1:
            out += needs(av[2], False, False)
        state = _step(op, av, state, True)
    if run:
        out += [frozenset([a]) for a in _atoms_of_run("".join(run), run_left, right)]
    return list(dict.fromkeys(out))


Terms = list[list[frozenset[Atom]]]  # one of these conjunctions of "one of these" sets, or [] (anything)


def _merged(branches: Terms) -> Terms:
    """One term per branch, those of a single set joined into one (a sentence passes it if it has
    any of their words)."""
    single = frozenset().union(*(b[0] for b in branches if len(b) == 1))
    return list({tuple(b): b for b in branches if len(b) > 1}.values()) + ([[single]] if single else [])


def _strength(terms: Terms) -> float:
    """How rarely a sentence passes `terms`: as rarely as through its most common term."""
    return min(max(map(_score, t)) for t in terms) if terms else float("-inf")


def _dnf(items: Any, depth: int, left: bool = False, right: bool = False) -> Terms:
    """What every match of `items` contains, as alternatives: the pattern's most telling
    alternation (possibly nested `depth` deep) distributed, each branch with its own needs.

    Why: ``subject (kills|dies|…|is (his|her) (father|…))`` needs "kills" or "dies", or else both
    "is" and a kin word; `needs` alone could only say "kills, dies, is or a kin word" and let
    every sentence with "father" in. (The parts around the alternation are read on their own,
    with unknown boundaries where they meet it: weaker, still sound, and fast.)"""
    items = _unfactor(items)
    base = needs(items, left, right)
    best: tuple[float, Terms, Any] = (_strength([base] if base else []), [base] if base else [], None)
    for k, (op, av) in enumerate(items):
        if op is _sre.BRANCH:
            alternatives = [list(b) for b in av[1]]
        elif op is _sre.SUBPATTERN and len(inner := _unfactor(av[3])) == 1 and inner[0][0] is _sre.BRANCH:
            alternatives = [list(b) for b in inner[0][1][1]]
        else:
            continue
        around = needs(items[:k], left, False) + needs(items[k + 1 :], False, right)
        inner_left, inner_right = _walk(items[:k], left, True), _walk(items[k + 1 :], right, False)
        branches = [needs(b, inner_left, inner_right) for b in alternatives]
        if not all(branches):
            continue  # a branch that needs nothing: distributing this alternation cannot help
        terms = _merged([b + around for b in branches])
        if _strength(terms) > best[0]:
            best = (_strength(terms), terms, (alternatives, around, inner_left, inner_right))
    if depth > 0 and best[2] is not None:
        alternatives, around, inner_left, inner_right = best[2]
        deeper = [_dnf(b, depth - 1, inner_left, inner_right) for b in alternatives]
        if all(deeper):
            terms = _merged([t + around for d in deeper for t in d])
            if len(terms) <= 128 and _strength(terms) >= best[0]:
                return terms
    return best[1]


def _forget() -> None:
    _UNFACTORED.clear()
    _NEEDS.clear()


class Gate:
    """Alternative needs (`_dnf`), found by one rare bit of each: a sentence's few bits among
    those pick the alternatives worth testing, instead of testing every one."""

    __slots__ = ("_by_bit", "_any", "_always")

    def __init__(self, terms: tuple[int, ...], rare: list[int]) -> None:
        self._always = 0 in terms
        self._by_bit: dict[int, list[int]] = {}
        for term, bit in zip(terms, rare, strict=True):
            self._by_bit.setdefault(bit, []).append(term)
        self._any = functools.reduce(operator.or_, self._by_bit, 0)

    def passes(self, bits: int | None) -> bool:
        """Whether a sentence with `bits` (None: unknown) may match."""
        if bits is None or self._always:
            return True
        found = bits & self._any
        while found:
            bit = found & -found
            found ^= bit
            if any(bits & t == t for t in self._by_bit[bit]):
                return True
        return False


class WordGates:
    """The gates of a set of patterns, and the word table that evaluates them."""

    def __init__(self) -> None:
        self._sets: dict[frozenset[Atom], int] = {}
        self._need: dict[re.Pattern[str], int] = {}
        self._indexed: Any = None
        self._by_bit: list[frozenset[Atom]] = []  # the sets in bit order
        self.words: _WordBits = _WordBits(self)

    def _bits(self, sets: list[frozenset[Atom]]) -> int:
        need = 0
        for s in sets:
            need |= 1 << self._sets.setdefault(s, len(self._sets))
        self.words.clear()
        self._indexed = None
        return need

    def add(self, rx: re.Pattern[str], parsed: Any = None) -> int:
        """Register `rx`; returns its need (the bits a sentence must have for `rx` to match)."""
        if rx not in self._need:
            self._need[rx] = self._bits(needs(parsed or _sre_parse.parse(rx.pattern, rx.flags)))
            _forget()
        return self._need[rx]

    def add_gate(self, rx: re.Pattern[str]) -> Gate:
        """`add_branches`, indexed for testing many alternatives at once (`Gate`)."""
        terms = self.add_branches(rx)
        return Gate(terms, [self.rarest(t) if t else 0 for t in terms])

    def add_branches(self, rx: re.Pattern[str]) -> tuple[int, ...]:
        """Register `rx` as its widest top-level alternation, one need per branch: `rx` may match
        only if a sentence has all the bits of one of them (`passes`).

        Why: a pattern such as ``subject (kills|dies|…|is (his|her) (father|…))`` needs "kills"
        or "dies", or else both "is" and a kin word; one set for the whole pattern could only say
        "kills, dies, is or a kin word" and let every sentence with "father" in."""
        parsed = _sre_parse.parse(rx.pattern, rx.flags)
        self.add(rx, parsed)
        terms = _dnf(parsed, 2)
        _forget()
        if not terms:
            return (0,)
        return tuple(dict.fromkeys(self._bits(t) for t in terms))

    def need(self, rx: re.Pattern[str]) -> int:
        return self._need[rx]

    def rarest(self, need: int) -> int:
        """The bit of `need` whose set a word is least likely to satisfy (by `_score`)."""
        return 1 << max((bit for s, bit in self._sets.items() if need >> bit & 1), key=self._score_of_bit)

    def _score_of_bit(self, b: int) -> float:
        if len(self._by_bit) != len(self._sets):
            self._by_bit = list(self._sets)
        return _score(self._by_bit[b])

    @staticmethod
    def passes(terms: tuple[int, ...], bits: int | None) -> bool:
        """Whether a sentence with `bits` (None: unknown) may match a pattern of `add_branches`."""
        return bits is None or any(bits & t == t for t in terms)

    def atoms(self, rx: re.Pattern[str]) -> list[frozenset[Atom]]:
        return [s for s, bit in self._sets.items() if self._need[rx] >> bit & 1]

    def _index(
        self,
    ) -> tuple[dict[str, int], dict[int, dict[str, int]], dict[int, dict[str, int]], list[tuple[str, int]]]:
        """The atoms by kind (and length), so a new word is looked up, not compared with every atom."""
        if self._indexed is None:
            words: dict[str, int] = {}
            prefixes: dict[int, dict[str, int]] = {}
            suffixes: dict[int, dict[str, int]] = {}
            subs: dict[str, int] = {}
            for s, bit in self._sets.items():
                for kind, text in s:
                    table: dict[str, int] = (
                        words
                        if kind == "word"
                        else prefixes.setdefault(len(text), {})
                        if kind == "prefix"
                        else suffixes.setdefault(len(text), {})
                        if kind == "suffix"
                        else subs
                    )
                    table[text] = table.get(text, 0) | 1 << bit
            self._indexed = (words, prefixes, suffixes, list(subs.items()))
        return self._indexed

    def bits_of(self, word: str) -> int:
        """The bits of every set one of whose atoms `word` (lower case) satisfies."""
        words, prefixes, suffixes, subs = self._index()
        bits = words.get(word, 0)
        for n, table in prefixes.items():
            bits |= table.get(word[:n], 0)
        for n, table in suffixes.items():
            if len(word) >= n:
                bits |= table.get(word[-n:], 0)
        for text, b in subs:
            if text in word:
                bits |= b
        return bits

    def of(self, sentence: str) -> int | None:
        """The bits of `sentence`'s words, or None where the gates do not apply (see module doc)."""
        if sentence.isascii():
            words = sentence.lower().encode("ascii").translate(_TO_SPACE).split()
            return functools.reduce(operator.or_, map(self.words.ascii.__getitem__, words), 0)
        if _FOLD_UNSAFE.search(sentence):
            return None
        return functools.reduce(operator.or_, map(self.words.__getitem__, _TOKEN.findall(sentence.lower())), 0)


class _WordBits(dict[str, int]):
    """word -> bits, filled on first sight (bounded: cleared when it grows past 200,000 words)."""

    def __init__(self, gates: WordGates) -> None:
        super().__init__()
        self._gates = gates
        self.ascii = _AsciiWordBits(gates)

    def __missing__(self, word: str) -> int:
        if len(self) > 200_000:
            self.clear()
        bits = self[word] = self._gates.bits_of(word)
        return bits

    def clear(self) -> None:
        super().clear()
        self.ascii.clear()


class _AsciiWordBits(dict[bytes, int]):
    """The same for ASCII words as bytes (what `WordGates.of` splits ASCII text into)."""

    def __init__(self, gates: WordGates) -> None:
        super().__init__()
        self._gates = gates

    def __missing__(self, word: bytes) -> int:
        if len(self) > 200_000:
            self.clear()
        bits = self[word] = self._gates.bits_of(word.decode("ascii"))
        return bits
