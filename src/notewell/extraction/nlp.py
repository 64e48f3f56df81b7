"""The NLP pipeline: spaCy (blank English + sentencizer) and medspaCy's ConText.

This is the only module that imports spaCy or medspaCy. ConText (Harkema et al. 2009, as
implemented by medspaCy) decides whether a clinical *target* — ``SI``, ``cut myself``,
``exposure`` — is negated (``denies SI``), historical (``hx of SI in 2019``), hypothetical
(``if thoughts of suicide come up``), about someone else (``Cl's mother attempted``) or
figurative (``I could kill him for making me…``). Our modifier rules are data
(``lexicons/context_modifiers.yaml``); medspaCy's ``ConTextRule``, ``ConTextModifier`` and
``ConTextGraph`` supply the mechanics (direction, scope, terminators, pruning of overlaps).

Two things keep a 10,000-word transcript inside the latency budget. The text is tokenized once,
and each sentence with targets gets its own small ConText graph (the graph is quadratic in the
targets and modifiers it holds). And modifiers are found with the same literal prefilter as
targets (:mod:`notewell.extraction.matching`) instead of running every modifier regex over every
sentence; overlapping modifier matches are then pruned with medspaCy's own
``prune_overlapping_matches`` (longest wins), as its matcher would.
"""

from __future__ import annotations

import bisect
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from notewell.extraction.matching import CompiledRule, TextIndex

_PLAIN = re.compile(r"^[\w' -]+$")

# A fast tokenizer close to spaCy's English rules for what ConText needs: words, contractions
# split ("did" + "n't"), punctuation apart (so "-SI" is "-" + "SI"), abbreviations that never end
# a sentence kept whole ("ph." in "begin ph. 3-4", "Dr."), "p.m." whole unless a new sentence
# follows ("at 6 p.m., writing" is one sentence; "at 4 p.m. Next" is two), decimals whole ("0.7").
TOKEN = re.compile(
    r"(?:[Pp]h|[Aa]pprox|vs|incl|cf|Dr|Mr|Mrs|Ms|Mx|St|Prof)\.(?=\s)|e\.g\.|i\.e\."
    r"|[AaPp]\.[Mm]\.(?=\s*[a-z,;)\d])|[AaPp]\.[Mm](?=\.)"
    r"|[A-Za-z]+(?=n['’]t\b)|n['’]t\b"
    r"|['’](?:s|m|d|ll|re|ve)\b"
    r"|\d+(?:[.,]\d+)*|[^\W\d_]+(?:-[^\W\d_]+)*"
    r"|[^\w\s]|_"
)


SPLIT = re.compile(r"(\s+)|(" + TOKEN.pattern + r")")


def tokenize(text: str) -> tuple[list[str], list[bool]]:
    """Words and trailing-space flags that rebuild ``text`` exactly (whitespace runs other than a
    single space become tokens of their own, as in spaCy)."""
    words: list[str] = []
    spaces: list[bool] = []
    for gap, word in SPLIT.findall(text):
        if word:
            words.append(word)
            spaces.append(False)
        elif words and gap[0] == " ":
            spaces[-1] = True
            if len(gap) > 1:
                words.append(gap[1:])
                spaces.append(False)
        else:
            words.append(gap)
            spaces.append(False)
    return words, spaces


@dataclass(frozen=True)
class TargetSpan:
    """A target to put in context: absolute character offsets and a ConText type label."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class ContextResult:
    """The modifiers that apply to one target (categories and rule ids), and every terminator or
    pseudo-modifier recognised in the sentence (those modify nothing themselves)."""

    categories: frozenset[str]
    rule_ids: frozenset[str]
    present: frozenset[str] = frozenset()
    distance: tuple[tuple[str, int], ...] = ()
    """Per category, the fewest tokens between the target and a modifier of that category."""

    def within(self, category: str, tokens: int) -> bool:
        """Whether a modifier of ``category`` applies from at most ``tokens`` tokens away."""
        return any(c == category and d <= tokens for c, d in self.distance)


EMPTY = ContextResult(frozenset(), frozenset())


@dataclass
class ParsedText:
    """A session text tokenized once: its tokens, the first token of each final sentence, a small
    spaCy doc per sentence that ConText reads (built on first use), and the modifier matches per
    sentence."""

    length: int = 0
    words: list[str] = field(default_factory=list)
    spaces: list[bool] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    index: TextIndex | None = None
    sentence_tokens: list[int] = field(default_factory=list)
    """Sorted token indices that start a sentence (a token holding a sentence's first character)."""
    _docs: dict[int, tuple[Any, int]] = field(default_factory=dict)
    _modifiers: dict[int, list[tuple[Any, int, int]]] = field(default_factory=dict)
    _rules_by_sentence: dict[int, list[CompiledRule]] | None = None


def _silence_loguru() -> None:
    try:
        from loguru import logger

        logger.remove()
        logger.disable("medspacy")
        logger.disable("PyRuSH")
    except ImportError:  # pragma: no cover
        pass


class ClinicalNLP:
    """Tokenizer, sentence boundaries and ConText assessment, built once per process."""

    def __init__(self, modifiers: Sequence[dict[str, Any]], target_labels: dict[str, list[str]]) -> None:
        _silence_loguru()
        warnings.filterwarnings("ignore", message=r".*\[W036\].*")
        import spacy
        from medspacy.common.util import prune_overlapping_matches
        from medspacy.context import ConTextRule
        from medspacy.context.context_graph import ConTextGraph
        from medspacy.context.context_modifier import ConTextModifier

        self._prune = prune_overlapping_matches
        self._graph_cls = ConTextGraph
        self._modifier_cls = ConTextModifier
        self._nlp: Any = spacy.blank("en")
        from spacy.pipeline import Sentencizer

        self._punct_chars = frozenset(Sentencizer.default_punct_chars)
        self._rules: list[CompiledRule] = []
        self._order: dict[str, int] = {}
        for n, m in enumerate(modifiers):
            allowed: set[str] | None = None
            if "applies_to" in m or "excluded_keys" in m:
                allowed = set()
                for kind in m.get("applies_to", list(target_labels)):
                    if ":" in kind:  # one risk key, e.g. risk:safety_plan
                        allowed.add(kind.upper())
                    else:
                        allowed |= {lab.upper() for lab in target_labels.get(kind, [])}
                for key in m.get("excluded_keys", []):
                    allowed.discard(f"RISK:{key}".upper())
            pattern = m["pattern"]
            if _PLAIN.match(pattern):
                pattern = r"\b" + re.escape(pattern) + r"\b"
            rule = ConTextRule(
                literal=m["id"],
                category=m["category"],
                direction=m["direction"],
                allowed_types=allowed,
                max_scope=m.get("max_scope"),
                metadata={"id": m["id"]},
            )
            self._rules.append(CompiledRule.build(m["id"], pattern, False, rule))
            self._order[m["id"]] = n

    # ------------------------------------------------------------------ tokens and sentences
    def parse(self, text: str) -> ParsedText:
        """Tokenize once (:func:`tokenize`) and find sentence boundaries by spaCy's sentencizer
        rule (:meth:`_punctuation_starts`); the spaCy doc itself is built once the final
        sentences are known (:meth:`set_sentences`)."""
        words, spaces = tokenize(text)
        offsets: list[int] = []
        pos = 0
        for w, sp in zip(words, spaces, strict=True):
            offsets.append(pos)
            pos += len(w) + sp
        return ParsedText(len(text), words=words, spaces=spaces, offsets=offsets)

    def _punctuation_starts(self, words: Sequence[str]) -> list[int]:
        """Token indices that start a sentence, by the rule of spaCy's ``Sentencizer.predict``
        (its default punctuation characters; a sentence ends after them and before the next token
        that is not punctuation). Applied here to the token list directly, so that the long
        transcript is not turned into a spaCy doc twice."""
        from spacy.lang.lex_attrs import is_punct

        punct = self._punct_chars
        starts = [0] if words else []
        start, seen_period = 0, False
        for i, word in enumerate(words):
            in_punct = word in punct
            if seen_period and not in_punct and not is_punct(word):
                if start != i:
                    starts.append(i)
                start, seen_period = i, False
            elif in_punct:
                seen_period = True
        return starts

    def sentence_spans(self, parsed: ParsedText) -> list[tuple[int, int]]:
        """Sentence spans by the sentencizer rule, in character offsets."""
        if not parsed.words:
            return []
        starts = [parsed.offsets[i] for i in self._punctuation_starts(parsed.words)]
        ends = [*starts[1:], parsed.length]
        return list(zip(starts, ends, strict=True))

    def set_sentences(self, parsed: ParsedText, index: TextIndex) -> None:
        """Record the final sentences (cut at lines and turns) that bound ConText's scope.

        A sentence's tokens run from the token holding its first character to the next sentence's
        first token, so text between two sentences (a speaker label) stays with the sentence
        before it. No spaCy doc is built here: ConText reads only the few sentences holding a
        target, each from a doc of its own (:meth:`_sentence_doc`), which costs a fifth of one
        doc over a 10,000-word transcript.
        """
        parsed.index = index
        offsets = parsed.offsets
        firsts = {bisect.bisect_left(offsets, s) for s, _ in index.spans}
        parsed.sentence_tokens = sorted({0, *(i for i in firsts if i < len(offsets))}) if offsets else []

    def _sentence_doc(self, parsed: ParsedText, sentence: int) -> tuple[Any, int]:
        """The spaCy doc of one sentence and the character offset it starts at (``(None, 0)``
        for a sentence without tokens)."""
        assert parsed.index is not None
        first = bisect.bisect_left(parsed.offsets, parsed.index.spans[sentence][0])
        starts = parsed.sentence_tokens
        k = bisect.bisect_right(starts, first) - 1
        if k < 0 or first >= len(parsed.offsets):
            return None, 0
        a = starts[k]
        cached = parsed._docs.get(a)
        if cached is None:
            from spacy.tokens import Doc

            b = starts[k + 1] if k + 1 < len(starts) else len(parsed.words)
            words = parsed.words[a:b]
            doc = Doc(self._nlp.vocab, words=words, spaces=parsed.spaces[a:b])
            if len(doc) > 1:
                # the whole doc is one sentence: marking its second token "not a start" sets the
                # boundaries ConText reads (spaCy's sent_starts argument costs twice the doc)
                doc[1].is_sent_start = False
            cached = parsed._docs[a] = (doc, parsed.offsets[a])
        return cached

    # ------------------------------------------------------------------ ConText
    def _sentence_modifiers(self, parsed: ParsedText, sentence: int) -> list[tuple[Any, int, int]]:
        cached = parsed._modifiers.get(sentence)
        if cached is not None:
            return cached
        assert parsed.index is not None
        doc, base = self._sentence_doc(parsed, sentence)
        if doc is None:
            return []
        found: list[tuple[int, int, int]] = []
        rules: list[Any] = []
        start, end = parsed.index.spans[sentence]
        if parsed._rules_by_sentence is None:
            # which modifier rules can match where: each rule's literal prefilter, once per text
            by_sentence: dict[int, list[CompiledRule]] = {}
            for rule in self._rules:
                for idx in parsed.index.candidates(rule):
                    by_sentence.setdefault(idx, []).append(rule)
            parsed._rules_by_sentence = by_sentence
        for rule in parsed._rules_by_sentence.get(sentence, ()):
            for m in rule.regex.finditer(parsed.index.text, start, end):
                span = doc.char_span(max(m.start() - base, 0), m.end() - base, alignment_mode="expand")
                if span is None or not len(span):
                    continue
                found.append((len(rules), span.start, span.end))
                rules.append(rule.payload)
        pruned = self._prune(found) if found else []
        result = [(rules[i], start, end) for i, start, end in pruned]
        parsed._modifiers[sentence] = result
        return result

    def assess(
        self, parsed: ParsedText, sentence: int, targets: Sequence[TargetSpan], isolate: bool = False
    ) -> list[ContextResult]:
        """ConText over one sentence for the given targets.

        ConText drops a modifier that overlaps any target, so ``explained phases`` (a
        psychoeducation target) would silence the ``explained`` that makes ``reprocessing`` a
        mere mention. ``isolate`` assesses each target on its own to avoid that.
        """
        if isolate and len(targets) > 1:
            return [self.assess(parsed, sentence, [t])[0] for t in targets]
        doc, base = self._sentence_doc(parsed, sentence)
        if doc is None:
            return [EMPTY for _ in targets]
        spans = [
            doc.char_span(
                max(t.start - base, 0), t.end - base, label=t.label.upper(), alignment_mode="expand"
            )
            for t in targets
        ]
        live = [s for s in spans if s is not None and len(s)]
        if not live:
            return [EMPTY for _ in targets]
        matched = self._sentence_modifiers(parsed, sentence)
        # A terminator's scope is its own span. medspaCy gives it the whole sentence, and its
        # overlap test (``tuple_overlaps``) misses a scope that lies wholly inside another, so a
        # windowed modifier ("asked about", 20 tokens) was never cut by "she said" before the target.
        modifiers = [
            self._modifier_cls(rule, start, end, doc, scope_start=start, scope_end=end)
            if rule.direction == "TERMINATE"
            else self._modifier_cls(rule, start, end, doc, max_scope=rule.max_scope)
            for rule, start, end in matched
        ]
        graph = self._graph_cls(prune_on_modifier_overlap=True)
        graph.targets = live
        graph.modifiers = modifiers
        graph.update_scopes()
        graph.apply_modifiers()
        present = frozenset(
            m.rule.metadata["id"] for m in graph.modifiers if m.direction in ("TERMINATE", "PSEUDO")
        )
        by_target: dict[tuple[int, int, str], list[Any]] = {}
        for target, modifier in graph.edges:
            by_target.setdefault((target.start, target.end, target.label_), []).append(modifier)
        results = []
        for span in spans:
            if span is None or not len(span):
                results.append(EMPTY)
                continue
            mods = by_target.get((span.start, span.end, span.label_), [])
            nearest: dict[str, int] = {}
            for m in mods:
                m_start, m_end = m.modifier_span
                gap = max(span.start - m_end, m_start - span.end, 0)
                nearest[m.category] = min(gap, nearest.get(m.category, gap))
            results.append(
                ContextResult(
                    frozenset(m.category for m in mods),
                    frozenset(m.rule.metadata["id"] for m in mods),
                    present,
                    tuple(sorted(nearest.items())),
                )
            )
        return results
