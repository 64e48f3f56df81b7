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


def _best(runs: list[set[str]]) -> set[str] | None:
    """Of several required literal sets, keep the most selective (longest shortest member)."""
    usable = [r for r in runs if r and min(len(x) for x in r) >= MIN_LITERAL]
    if not usable:
        return None
    return max(usable, key=lambda r: (min(len(x) for x in r), -len(r)))


def _seq_literals(items: Any, fold: bool) -> set[str] | None:
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
    return _best(runs)


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
    payload: Any = None

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
            payload=payload,
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

    def __post_init__(self) -> None:
        self.lower = self.text.lower()
        self._starts = [s for s, _ in self.spans]

    def sentence_at(self, pos: int) -> int | None:
        i = bisect.bisect_right(self._starts, pos) - 1
        if i >= 0 and pos < self.spans[i][1]:
            return i
        return None

    def sentences_with(self, literal: str, case_sensitive: bool) -> frozenset[int]:
        key = (literal, case_sensitive)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
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
        if rule.literals is None:
            return range(len(self.spans))
        hits: set[int] = set()
        for lit in rule.literals:
            hits |= self.sentences_with(lit, rule.case_sensitive)
        return sorted(hits)

    def matches(self, rules: Sequence[CompiledRule], only: set[int] | None = None) -> Iterator[Match]:
        """Every match of every rule, sentence by sentence (a match never crosses a sentence)."""
        for rule in rules:
            for idx in self.candidates(rule):
                if only is not None and idx not in only:
                    continue
                start, end = self.spans[idx]
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
