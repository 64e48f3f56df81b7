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
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

try:  # the regex parser is private API; without it every rule simply scans every sentence
    import re._compiler as _compiler  # type: ignore[import-not-found]
    import re._constants as _c  # type: ignore[import-not-found]
    import re._parser as _p  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - CPython < 3.11
    _p = None
    _c = None
    _compiler = None

MIN_LITERAL = 2
NON_ASCII = re.compile(r"[^\x00-\x7f]")
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


CASELESS_LOOKBEHIND = 8
"""The widest lookbehind a caseless regex may hold: it may read that far before a sentence."""


def _cased(code: int) -> bool:
    """Whether a character has case: a dash or a curly quote ("–", "’", "“") has none, so
    ``re.IGNORECASE`` matches only itself and a caseless regex may keep it."""
    ch = chr(code)
    return ch.isalpha() or ch.lower() != ch or ch.upper() != ch or ch.casefold() != ch


def _lowered_items(items: Any) -> list[tuple[Any, Any]] | None:
    """A parsed regex's items with every letter in lower case, for matching lower-cased text
    without ``re.IGNORECASE``; ``None`` when a construct is not known to keep its meaning (a
    non-ASCII letter or other character with case, scoped flags, a conditional group)."""
    out: list[tuple[Any, Any]] = []
    for op, av in items:
        if op is _c.LITERAL or op is _c.NOT_LITERAL:
            if av > 127 and _cased(av):
                return None
            out.append((op, ord(chr(av).lower())))
        elif op is _c.IN:
            members: list[tuple[Any, Any]] = []
            for kind, value in av:
                if kind is _c.LITERAL:
                    if value > 127 and _cased(value):
                        return None
                    members.append((kind, value))
                    if chr(value).isupper():
                        members.append((kind, ord(chr(value).lower())))
                elif kind is _c.RANGE:
                    lo, hi = value
                    if hi > 127:
                        return None
                    members.append((kind, value))
                    a, b = max(lo, ord("A")), min(hi, ord("Z"))
                    if a <= b:  # [A-Z] → also [a-z]: the text's letters are lower case
                        members.append((kind, (a + 32, b + 32)))
                elif kind is _c.NEGATE or kind is _c.CATEGORY:
                    members.append((kind, value))
                else:
                    return None
            out.append((op, members))
        elif op is _c.ANY or op is _c.AT or op is _c.GROUPREF:
            out.append((op, av))
        elif op is _c.BRANCH:
            alternatives = [_lowered_sub(branch) for branch in av[1]]
            if any(a is None for a in alternatives):
                return None
            out.append((op, (av[0], alternatives)))
        elif op is _c.SUBPATTERN:
            group, add_flags, del_flags, sub = av
            lowered = _lowered_sub(sub)
            if add_flags or del_flags or lowered is None:
                return None
            out.append((op, (group, add_flags, del_flags, lowered)))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            lowered = _lowered_sub(av[2])
            if lowered is None:
                return None
            out.append((op, (av[0], av[1], lowered)))
        elif op is _c.ASSERT or op is _c.ASSERT_NOT:
            lowered = _lowered_sub(av[1])
            if lowered is None or (av[0] < 0 and av[1].getwidth()[1] > CASELESS_LOOKBEHIND):
                return None
            out.append((op, (av[0], lowered)))
        elif op is getattr(_c, "ATOMIC_GROUP", None):
            lowered = _lowered_sub(av)
            if lowered is None:
                return None
            out.append((op, lowered))
        else:
            return None
    return out


def _lowered_sub(sub: Any) -> Any:
    items = _lowered_items(sub)
    return None if items is None else _p.SubPattern(sub.state, items)


def caseless_regex(pattern: str) -> re.Pattern[str] | None:
    """``pattern`` compiled without ``re.IGNORECASE`` for text already in lower case, or ``None``.

    ``re.IGNORECASE`` makes Python's regex engine three to four times slower: it folds the case
    of every character it compares, and a case-insensitive pattern gets no fast scan for its
    first character. On lower-cased text the same matches come from the pattern with its letters
    lower-cased (``[A-Z]`` also taking ``[a-z]``), at the same offsets, provided the text holds
    no character whose case folding is not one to one (see :meth:`TextIndex.caseless`).

    >>> caseless_regex(r"\\bDx\\s*:?\\s+[A-Z]").findall("dx: mdd")
    ['dx: m']
    """
    if _compiler is None:
        return None
    try:
        parsed = _p.parse(pattern, re.IGNORECASE)
    except re.error:
        return None
    if parsed.state.flags & (re.LOCALE | re.ASCII) or not parsed.state.flags & re.IGNORECASE:
        return None
    items = _lowered_items(parsed)
    if items is None:
        return None
    lowered = _p.SubPattern(parsed.state, items)
    parsed.state.flags &= ~re.IGNORECASE
    try:
        compiled: re.Pattern[str] = _compiler.compile(lowered, 0)
    except (re.error, TypeError, ValueError):  # pragma: no cover - a construct the compiler refuses
        return None
    finally:
        parsed.state.flags |= re.IGNORECASE
    return compiled


Plan = tuple[Any, ...]
"""A prefilter plan: ``("lits", {a, b})`` (a sentence holding a or b), ``("and", plans)``,
``("or", plans)``. ``None`` stands for "any sentence"."""


def _plan_seq(items: Any, fold: bool, boundary: bool = False) -> Plan | None:
    conjuncts: list[Plan] = []
    current = ""
    # boundary: a \b (or whitespace) right before the run, so the literal starts a word; a group
    # opening at a word start passes it on ("\b(?:suicide|killing)")
    word_start = False

    def flush() -> None:
        nonlocal current, word_start
        lit = current.strip()
        # a case-sensitive capital narrows enough on its own: "F" for the ICD-10 code in F33.1
        if _usable_literal(lit) or (not fold and len(lit) == 1 and lit.isupper()):
            conjuncts.append(("lits", frozenset({lit}), word_start and lit == current))
        current = ""
        word_start = False

    for op, av in items:
        if op is _c.LITERAL:
            ch = chr(av)
            if not current:
                word_start = boundary
            current += ch.lower() if fold else ch
            boundary = False
            continue
        if op is _c.AT:
            boundary = av is _c.AT_BOUNDARY and not current
            continue
        after_space = _is_space(op, av)
        entering, boundary = boundary and not current, False
        if op is _c.SUBPATTERN:
            flush()
            sub = _plan_seq(av[-1], fold, entering)
            if sub is not None:
                conjuncts.append(sub)
        elif op is _c.BRANCH:
            flush()
            alts = [_plan_seq(branch, fold, entering) for branch in av[1]]
            if all(a is not None for a in alts):
                conjuncts.append(("or", tuple(alts)))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            flush()
            low, _high, sub = av
            if low >= 1:
                inner = _plan_seq(sub, fold, entering)
                if inner is not None:
                    conjuncts.append(inner)
        else:
            flush()
        boundary = after_space  # "\s+of": the literal after whitespace starts a word
    flush()
    if not conjuncts:
        return None
    return conjuncts[0] if len(conjuncts) == 1 else ("and", tuple(conjuncts))


def _is_space(op: Any, av: Any) -> bool:
    r"""``\s`` or ``\s+`` (at least one whitespace character)."""
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
        sub = list(av[2])
        return len(sub) == 1 and _is_space(*sub[0])
    if op is _c.IN:
        return len(av) == 1 and av[0] == (_c.CATEGORY, _c.CATEGORY_SPACE)
    return False


def literal_plan(pattern: str, case_sensitive: bool) -> Plan | None:
    """The literals a match needs, as a formula over alternatives and sequences.

    ``\\bI\\s+want\\s+to\\b|\\bmatters?\\b`` gives ("or", ((and, want, …), matter)): a sentence
    can match only if it holds "want" (the common "I" and "to" are left out) or "matter". Each
    branch narrows on its own, so one branch with a common word does not open every sentence.
    """
    if _p is None:
        return None
    try:
        parsed = _p.parse(pattern, 0 if case_sensitive else re.IGNORECASE)
    except re.error:
        return None
    return _plan_seq(list(parsed), fold=not case_sensitive)


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
    plan: Plan | None = None
    """The pattern starts with ``^``: it is matched against each sentence on its own."""
    caseless: re.Pattern[str] | None = None
    """The case-insensitive pattern for lower-cased text, without ``re.IGNORECASE`` (see
    :func:`caseless_regex`)."""

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
            plan=_register(literal_plan(pattern, case_sensitive), case_sensitive),
            caseless=None if case_sensitive else caseless_regex(pattern),
        )


def _register(plan: Plan | None, case_sensitive: bool) -> Plan | None:
    """Decide each literal's lookup when the rule is built (once, not on a session's time)."""
    if plan is None or case_sensitive:
        return plan
    if plan[0] == "lits":
        for lit in plan[1]:
            _lookup_spec(lit, plan[2])
    else:
        for part in plan[1]:
            _register(part, case_sensitive)
    return plan


@functools.cache
def _lookup_spec(literal: str, word_start: bool) -> tuple[str, str]:
    """How to find the sentences that may hold a lower-case literal, decided once per literal.

    A word between two separators in the literal is a whole word ("thoughts of suicide" → look
    up the word "of"… or "thoughts" when the literal starts a word): ``exact``. The last part only
    starts a word: ``prefix``. Otherwise every vocabulary word containing the longest part:
    ``scan``; or, when the parts are too short to narrow anything ("a&o"), search the ``text``.
    """
    parts = WORD_RUN.findall(literal)
    if not parts:
        return ("text", literal)
    whole = parts[1:-1] + ([parts[0]] if word_start and len(parts) > 1 else [])
    whole = [w for w in whole if len(w) >= 3]
    if whole:
        return ("exact", max(whole, key=len))
    if (len(parts) > 1 or word_start) and len(parts[-1]) >= 3:
        return ("prefix", parts[-1])
    part = max(parts, key=len)
    if len(part) < 3 and len(part) < len(literal.strip()):
        return ("text", literal)
    return ("scan", part)


def _bits(mask: int) -> list[int]:
    """The set bits of ``mask``, in order (sentence indices)."""
    digits = bin(mask)[:1:-1]  # least significant bit first, without "0b"
    out = []
    pos = digits.find("1")
    while pos != -1:
        out.append(pos)
        pos = digits.find("1", pos + 1)
    return out


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
    _cache: dict[tuple[str, bool, bool], int] = field(init=False, default_factory=dict)
    _rule_cache: dict[str, Sequence[int]] = field(init=False, default_factory=dict)
    _rule_sets: dict[str, frozenset[int]] = field(init=False, default_factory=dict)
    _match_cache: dict[str, list[Match]] = field(init=False, default_factory=dict)
    _plan_masks: dict[str, int | None] = field(init=False, default_factory=dict)
    _vocab: tuple[str, list[int], list[int]] | None = field(init=False, default=None)
    _table: tuple[list[str], dict[str, int]] | None = field(init=False, default=None)
    _prefixes: dict[str, int] = field(init=False, default_factory=dict)
    """Per word prefix a rule looks up, the sentences holding a word that starts with it."""
    _sorted_masks: list[int] = field(init=False, default_factory=list)
    _caseless: tuple[str, frozenset[int]] | None = field(init=False, default=None)
    _caseless_known: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self.lower = self.text.lower()
        self._starts = [s for s, _ in self.spans]

    def sentence_at(self, pos: int) -> int | None:
        i = bisect.bisect_right(self._starts, pos) - 1
        if i >= 0 and pos < self.spans[i][1]:
            return i
        return None

    def caseless(self) -> tuple[str, frozenset[int]] | None:
        """The lower-cased text for caseless regexes, and the sentences they must not read.

        Lower-casing keeps every offset when no character turns into two ("İ" does: then
        ``None``). A sentence is left to the case-insensitive regex when it, or the few characters
        before it a lookbehind may read, holds a character whose case is not plain ASCII ("É",
        "ß", the Kelvin sign): ``re.IGNORECASE`` folds some of those differently from
        ``str.lower``. Most transcripts hold none, and then no sentence is left out.
        """
        if not self._caseless_known:
            self._caseless_known = True
            if len(self.lower) != len(self.text):
                self._caseless = None
            elif self.text.isascii():
                self._caseless = (self.lower, frozenset())
            else:
                cased = [
                    m.start()
                    for m in NON_ASCII.finditer(self.text)
                    if m.group().lower() != m.group() or m.group().upper() != m.group()
                ]
                unsafe = set()
                for idx, (start, end) in enumerate(self.spans):
                    k = bisect.bisect_left(cased, start - CASELESS_LOOKBEHIND)
                    if k < len(cased) and cased[k] < end:
                        unsafe.add(idx)
                self._caseless = (self.lower, frozenset(unsafe))
        return self._caseless

    def _vocabulary(self) -> tuple[str, list[int], list[int]]:
        """Each distinct lower-case word once, in one string, with the sentences it occurs in
        (a bit set: bit i for sentence i, so that unions and intersections are one operation)."""
        if self._vocab is None:
            where: dict[str, int] = {}
            lower = self.lower
            for idx, (start, end) in enumerate(self.spans):
                bit = 1 << idx
                for w in set(WORD_RUN.findall(lower, start, end)):
                    where[w] = where.get(w, 0) | bit
            words = sorted(where)
            blob = "\n" + "\n".join(words) + "\n"
            starts, pos = [], 1
            for w in words:
                starts.append(pos)
                pos += len(w) + 1
            masks = [where[w] for w in words]
            self._vocab = (blob, starts, masks)
            self._table = (words, where)
            self._sorted_masks = masks
        return self._vocab

    def _word_sentences(self, literal: str) -> int | None:
        """Sentences holding a word that contains the literal's longest alphanumeric run: a
        superset of those holding the literal, found by searching each distinct word once."""
        parts = WORD_RUN.findall(literal.lower())
        if not parts:
            return None
        part = max(parts, key=len)
        if len(part) < 3 and len(part) < len(literal.strip()):
            return None  # "a&o": the word "a" narrows nothing; search the literal itself
        blob, starts, sentences = self._vocabulary()
        found = 0
        pos = blob.find(part)
        while pos != -1:
            k = bisect.bisect_right(starts, pos) - 1
            found |= sentences[k]
            pos = blob.find(part, starts[k + 1] if k + 1 < len(starts) else len(blob))
        return found

    def _word_lookup(self, literal: str, word_start: bool) -> int | None:
        """Sentences by whole-word or word-prefix lookups in the vocabulary (see
        :func:`_lookup_spec`); ``None`` when the literal needs a text search instead."""
        kind, key = _lookup_spec(literal, word_start)
        if kind == "exact":
            return self._word_table()[1].get(key, 0)
        if kind == "prefix":
            found = self._prefixes.get(key)
            if found is None:
                # the words starting with the prefix sit together in the sorted vocabulary
                words = self._word_table()[0]
                masks = self._sorted_masks
                found = 0
                for k in range(bisect.bisect_left(words, key), bisect.bisect_left(words, key + "\uffff")):
                    found |= masks[k]
                self._prefixes[key] = found
            return found
        if kind == "scan":
            return self._word_sentences(key)
        return None

    def _word_table(self) -> tuple[list[str], dict[str, int]]:
        """The distinct words, sorted, and each word's sentences (built with the vocabulary)."""
        if self._table is None:
            self._vocabulary()
        assert self._table is not None
        return self._table

    def sentence_mask(self, literal: str, case_sensitive: bool, word_start: bool = False) -> int:
        """The sentences that may hold ``literal``, as a bit set (bit i = sentence i)."""
        # word_start is part of the key: "day" as a word's start and "day" anywhere in a word
        # ("Wednesday") are different lookups, and sharing one answer hid real matches
        key = (literal, case_sensitive, word_start)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        if not case_sensitive:
            looked_up = self._word_lookup(literal, word_start)
            if looked_up is not None:
                self._cache[key] = looked_up
                return looked_up
        haystack = self.text if case_sensitive else self.lower
        found = 0
        pos = haystack.find(literal)
        while pos != -1:
            idx = self.sentence_at(pos)
            if idx is not None:
                found |= 1 << idx
            pos = haystack.find(literal, pos + 1)
        self._cache[key] = found
        return found

    def sentences_with(self, literal: str, case_sensitive: bool) -> frozenset[int]:
        return frozenset(_bits(self.sentence_mask(literal, case_sensitive)))

    def _evaluate(self, plan: Plan | None, case_sensitive: bool) -> int | None:
        """The sentences a plan allows, as a bit set; ``None`` means every sentence."""
        if plan is None:
            return None
        kind, parts = plan[0], plan[1]
        if kind == "lits":
            found = 0
            word_start = plan[2]
            cache = self._cache
            for lit in parts:
                # most literals were looked up for an earlier rule: the cache, without a call
                hit = cache.get((lit, case_sensitive, word_start))
                found |= hit if hit is not None else self.sentence_mask(lit, case_sensitive, word_start)
            return found
        if kind == "or":
            union = 0
            for p in parts:
                r = self._evaluate(p, case_sensitive)
                if r is None:
                    return None
                union |= r
            return union
        narrowed: int | None = None
        for p in parts:
            r = self._evaluate(p, case_sensitive)
            if r is not None:
                narrowed = r if narrowed is None else narrowed & r
                if narrowed == 0:
                    break
        return narrowed

    def _plan_mask(self, rule: CompiledRule) -> int | None:
        """The sentences the rule's literal plan allows (``None``: any sentence), cached."""
        if rule.id not in self._plan_masks:
            plan = rule.plan
            self._plan_masks[rule.id] = None if plan is None else self._evaluate(plan, rule.case_sensitive)
        return self._plan_masks[rule.id]

    def candidate_mask(self, rule: CompiledRule) -> int:
        """The sentences :meth:`candidates` gives, as a bit set (bit i = sentence i): asking about a
        few sentences costs a shift each, where the list would cost one entry per candidate."""
        allowed = self._plan_mask(rule)
        if allowed is None:
            allowed = 0
            for idx in self.candidates(rule):
                allowed |= 1 << idx
        return allowed

    def candidates(self, rule: CompiledRule) -> Sequence[int]:
        """Sentences that can hold a match: the rule's literal plan evaluated over the text
        (cached per rule)."""
        cached = self._rule_cache.get(rule.id)
        if cached is not None:
            return cached
        allowed = self._plan_mask(rule)
        if allowed is not None:
            planned = _bits(allowed)
            self._rule_cache[rule.id] = planned
            self._rule_sets[rule.id] = frozenset(planned)
            return planned
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
        """Every match of every rule, sentence by sentence (a match never crosses a sentence).

        A case-insensitive rule reads the lower-cased text with its caseless regex where that
        gives the same matches (:meth:`caseless`), at the same offsets."""
        caseless = self.caseless()
        lower, unsafe = caseless if caseless is not None else ("", frozenset[int]())
        text = self.text
        for rule in rules:
            known = self._match_cache.get(rule.id)
            if known is not None:  # every match already found (all_matches): no regex again
                yield from (m for m in known if m.sentence in only) if only is not None else known
                continue
            if only is not None:
                self.candidates(rule)
                pool: Sequence[int] = sorted(only & self._rule_sets[rule.id])
            else:
                pool = self.candidates(rule)
            regex = rule.regex
            fast = rule.caseless if caseless is not None else None
            for idx in pool:
                start, end = self.spans[idx]
                if fast is not None and idx not in unsafe:
                    found, haystack = fast, lower
                else:
                    found, haystack = regex, text
                if rule.anchored:  # "^" only matches at a string's start, not at a search position
                    for m in found.finditer(haystack[start:end]):
                        if m.end() > m.start():
                            yield Match(rule, start + m.start(), start + m.end(), idx)
                    continue
                for m in found.finditer(haystack, start, end):
                    if m.end() > m.start():
                        yield Match(rule, m.start(), m.end(), idx)

    def finditer(self, rule: CompiledRule, sentence: int) -> Iterator[re.Match[str]]:
        """``rule.regex.finditer(text, start, end)`` over one sentence, read by the rule's caseless
        regex where that finds the same (:meth:`caseless`); a match's ``group()`` is then lower case,
        its offsets are the same."""
        start, end = self.spans[sentence]
        caseless = self.caseless()
        if rule.caseless is not None and caseless is not None and sentence not in caseless[1]:
            return rule.caseless.finditer(caseless[0], start, end)
        return rule.regex.finditer(self.text, start, end)

    def search(self, rules: Sequence[CompiledRule], start: int, end: int) -> Iterator[Match]:
        """Matches of ``rules`` inside ``text[start:end]`` (no prefilter: for short spans)."""
        for rule in rules:
            for m in rule.regex.finditer(self.text, start, end):
                if m.end() > m.start():
                    idx = self.sentence_at(m.start())
                    yield Match(rule, m.start(), m.end(), -1 if idx is None else idx)
