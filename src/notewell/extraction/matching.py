"""Fast rule matching: a literal prefilter, then each rule's regex on the sentences that can match.

Running a few hundred clinical regexes over a 10,000-word transcript one by one costs over
100 ms in CPython. Every rule, though, needs some literal text to match — ``\\bthoughts? of
(?:suicide|killing)`` cannot match a sentence without ``thought`` in it — so we derive from each
regex the set of literals one of which must appear (:func:`required_literals`), find where
those literals occur with ``str.find`` (C speed), and run the regex only on those sentences.
A test checks that every shipped rule yields such a set.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

try:  # the regex parser is private API; without it every rule simply scans every sentence
    import re._constants as _c  # type: ignore[import-not-found]
    import re._parser as _p  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - CPython < 3.11
    _p = None
    _c = None

MIN_LITERAL = 2
WORD_RUN = re.compile(r"[a-z0-9]+")
COMMON_FRAGMENTS = frozenset(
    "a an and as at be he her him his i in is it me my no not of on or so the to us we you ing ed er es en re"
    " ie ou th ve ll nt st do did does done i'd i'll i'm i've it's that this what like just have has had will"
    " would can could was were they she when if all one get got go going really know think want see said"
    " some any there then than your our their them out up down about from with for but".split()
)
"""Literals too common in English to narrow anything down."""


def _selectivity(lits: frozenset[str]) -> int:
    """How much a literal set narrows the search: its weakest member's length, zero if common;
    a rare symbol ("→") counts as long."""
    def one(x: str) -> int:
        x = x.strip().lower()
        if x in COMMON_FRAGMENTS:
            return 0
        return 4 if len(x) == 1 else len(x)

    return min(one(x) for x in lits)


def _usable_literal(x: str) -> bool:
    """Two characters or more, or one rare symbol ("→", "&"); never a lone letter or space."""
    return len(x) >= MIN_LITERAL or (len(x) == 1 and not x.isalnum() and not x.isspace())


def _usable(runs: list[set[str]]) -> list[set[str]]:
    return [r for r in runs if r and all(_usable_literal(x) for x in r)]


def _best(runs: list[set[str]]) -> set[str] | None:
    """Of several required literal sets, keep the most selective (longest shortest member)."""
    usable = _usable(runs)
    if not usable:
        return None
    return max(usable, key=lambda r: (_selectivity(frozenset(r)), -len(r)))


def _seq_literals(items: Any, fold: bool, every: list[set[str]] | None = None) -> set[str] | None:
    runs: list[set[str]] = []
    current = ""

    def flush() -> None:
        nonlocal current
        if current:
            runs.append({current})
        current = ""

    for op, av in items:
        if op is _c.LITERAL:
            ch = chr(av)
            current += ch.lower() if fold else ch
        elif op is _c.AT:
            continue  # zero-width (\b, ^): does not break a literal run
        elif op is _c.SUBPATTERN:
            flush()
            sub = _seq_literals(av[-1], fold)
            if sub:
                runs.append(sub)
        elif op is _c.BRANCH:
            flush()
            alts = [_seq_literals(branch, fold) for branch in av[1]]
            if all(alts):
                runs.append(set().union(*[a for a in alts if a]))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            flush()
            low, _high, sub = av
            if low >= 1:
                inner = _seq_literals(sub, fold)
                if inner:
                    runs.append(inner)
        else:
            flush()
    flush()
    if every is not None:
        every.extend(_usable(runs))
    return _best(runs)


def literal_options(pattern: str, case_sensitive: bool) -> tuple[frozenset[str], ...]:
    """Every set of literals a match must contain one of (one set per required part).

    ``\\bhurt\\w* (?:anyone|him|her)`` gives {hurt} and {anyone, him, her}: at run time the set
    that occurs least in the text decides which sentences are worth a regex.
    """
    if _p is None:
        return ()
    try:
        parsed = _p.parse(pattern, 0 if case_sensitive else re.IGNORECASE)
    except re.error:
        return ()
    runs: list[set[str]] = []
    _seq_literals(list(parsed), fold=not case_sensitive, every=runs)
    return tuple(frozenset(r) for r in runs)


def required_literals(pattern: str, case_sensitive: bool) -> frozenset[str] | None:
    """Literals of which at least one appears in any match of ``pattern`` (lower-cased unless
    the rule is case-sensitive), or ``None`` when none can be derived.

    >>> sorted(required_literals(r"\\bthoughts? of (?:suicide|killing)", False))
    ['suicide', 'killing']
    """
    if _p is None:
        return None
    try:
        parsed = _p.parse(pattern, 0 if case_sensitive else re.IGNORECASE)
    except re.error:
        return None
    found = _seq_literals(list(parsed), fold=not case_sensitive)
    return frozenset(found) if found else None


@dataclass(frozen=True)
class CompiledRule:
    """A lexicon rule ready to match: id, compiled regex and its prefilter literals."""

    id: str
    regex: re.Pattern[str]
    case_sensitive: bool
    literals: frozenset[str] | None
    options: tuple[frozenset[str], ...] = ()
    payload: Any = None
    anchored: bool = False
    """The pattern starts with ``^``: it is matched against each sentence on its own."""

    @classmethod
    def build(
        cls, rule_id: str, pattern: str, case_sensitive: bool = False, payload: Any = None
    ) -> CompiledRule:
        flags = 0 if case_sensitive else re.IGNORECASE
        return cls(
            id=rule_id,
            regex=re.compile(pattern, flags),
            case_sensitive=case_sensitive,
            literals=required_literals(pattern, case_sensitive),
            options=literal_options(pattern, case_sensitive),
            payload=payload,
            anchored=pattern.lstrip("(?i)").startswith("^") or pattern.startswith("^"),
        )


@dataclass(frozen=True)
class Match:
    """A rule match in absolute character offsets of the session text."""

    rule: CompiledRule
    start: int
    end: int
    sentence: int


@dataclass
class TextIndex:
    """The session text with its sentence spans, and a cache of where literals occur."""

    text: str
    spans: Sequence[tuple[int, int]]
    lower: str = field(init=False)
    _starts: list[int] = field(init=False)
    _cache: dict[tuple[str, bool], frozenset[int]] = field(init=False, default_factory=dict)
    _rule_cache: dict[str, Sequence[int]] = field(init=False, default_factory=dict)
    _rule_sets: dict[str, frozenset[int]] = field(init=False, default_factory=dict)
    _match_cache: dict[str, list[Match]] = field(init=False, default_factory=dict)
    _vocab: tuple[str, list[int], list[list[int]]] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.lower = self.text.lower()
        self._starts = [s for s, _ in self.spans]

    def sentence_at(self, pos: int) -> int | None:
        i = bisect.bisect_right(self._starts, pos) - 1
        if i >= 0 and pos < self.spans[i][1]:
            return i
        return None

    def _vocabulary(self) -> tuple[str, list[int], list[list[int]]]:
        """Each distinct lower-case word once, in one string, with the sentences it occurs in."""
        if self._vocab is None:
            where: dict[str, set[int]] = {}
            for m in WORD_RUN.finditer(self.lower):
                idx = self.sentence_at(m.start())
                if idx is not None:
                    where.setdefault(m.group(0), set()).add(idx)
            words = sorted(where)
            blob = "\n" + "\n".join(words) + "\n"
            starts, pos = [], 1
            for w in words:
                starts.append(pos)
                pos += len(w) + 1
            self._vocab = (blob, starts, [sorted(where[w]) for w in words])
        return self._vocab

    def _word_sentences(self, literal: str) -> frozenset[int] | None:
        """Sentences holding a word that contains the literal's longest alphanumeric run: a
        superset of those holding the literal, found by searching each distinct word once."""
        parts = WORD_RUN.findall(literal.lower())
        if not parts:
            return None
        part = max(parts, key=len)
        blob, starts, sentences = self._vocabulary()
        found: set[int] = set()
        pos = blob.find(part)
        while pos != -1:
            k = bisect.bisect_right(starts, pos) - 1
            found.update(sentences[k])
            pos = blob.find(part, starts[k + 1] if k + 1 < len(starts) else len(blob))
        return frozenset(found)

    def sentences_with(self, literal: str, case_sensitive: bool) -> frozenset[int]:
        key = (literal, case_sensitive)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        if not case_sensitive:
            via_words = self._word_sentences(literal)
            if via_words is not None:
                self._cache[key] = via_words
                return via_words
        haystack = self.text if case_sensitive else self.lower
        found: set[int] = set()
        pos = haystack.find(literal)
        while pos != -1:
            idx = self.sentence_at(pos)
            if idx is not None:
                found.add(idx)
            pos = haystack.find(literal, pos + 1)
        result = frozenset(found)
        self._cache[key] = result
        return result

    def candidates(self, rule: CompiledRule) -> Sequence[int]:
        """Sentences that contain one of the rule's literals (cached per rule)."""
        cached = self._rule_cache.get(rule.id)
        if cached is not None:
            return cached
        if rule.literals is None:
            result: Sequence[int] = range(len(self.spans))
        else:
            best = max(rule.options or (rule.literals,), key=_selectivity)
            hits: set[int] = set()
            for lit in best:
                hits |= self.sentences_with(lit, rule.case_sensitive)
            result = sorted(hits)
        self._rule_cache[rule.id] = result
        self._rule_sets[rule.id] = frozenset(result)
        return result

    def all_matches(self, rule: CompiledRule) -> list[Match]:
        """Every match of one rule (cached: several components read the same lexicon)."""
        cached = self._match_cache.get(rule.id)
        if cached is None:
            cached = self._match_cache[rule.id] = list(self.matches([rule]))
        return cached

    def matches(self, rules: Sequence[CompiledRule], only: set[int] | None = None) -> Iterator[Match]:
        """Every match of every rule, sentence by sentence (a match never crosses a sentence)."""
        for rule in rules:
            if only is not None:
                self.candidates(rule)
                pool: Sequence[int] = sorted(only & self._rule_sets[rule.id])
            else:
                pool = self.candidates(rule)
            for idx in pool:
                start, end = self.spans[idx]
                if rule.anchored:  # "^" only matches at a string's start, not at a search position
                    for m in rule.regex.finditer(self.text[start:end]):
                        if m.end() > m.start():
                            yield Match(rule, start + m.start(), start + m.end(), idx)
                    continue
                for m in rule.regex.finditer(self.text, start, end):
                    if m.end() > m.start():
                        yield Match(rule, m.start(), m.end(), idx)

    def search(self, rules: Sequence[CompiledRule], start: int, end: int) -> Iterator[Match]:
        """Matches of ``rules`` inside ``text[start:end]`` (no prefilter: for short spans)."""
        for rule in rules:
            for m in rule.regex.finditer(self.text, start, end):
                if m.end() > m.start():
                    idx = self.sentence_at(m.start())
                    yield Match(rule, m.start(), m.end(), -1 if idx is None else idx)
