"""The NLP pipeline: spaCy (blank English + sentencizer) and medspaCy's ConText.

This is the only module that imports spaCy or medspaCy. ConText (Harkema et al. 2009, as
implemented by medspaCy) decides whether a clinical *target* — ``SI``, ``cut myself``,
``exposure`` — is negated (``denies SI``), historical (``hx of SI in 2019``), hypothetical
(``if thoughts of suicide come up``), about someone else (``Cl's mother attempted``) or
figurative (``I could kill him for making me…``). Our modifier rules are data
(``lexicons/context_modifiers.yaml``); medspaCy's ``ConTextRule``, ``ConTextModifier`` and
``ConTextGraph`` supply the mechanics (direction, scope, terminators, pruning of overlaps).

Two things keep a 10,000-word transcript inside the latency budget. The text is never tokenized
whole: sentence boundaries are read from the words around sentence-ending punctuation, and each
sentence with targets is tokenized on its own and gets its own small ConText graph (the graph is
quadratic in the targets and modifiers it holds). And modifiers are found with the same literal prefilter as
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
# follows ("at 6 p.m., writing" is one sentence; "at 4 p.m. Next" is two), a person's initial whole
# when the sentence goes on ("another member, Thaddeus R., disclosed SI" is one sentence, so the
# group member stays the subject of the disclosure), decimals whole ("0.7").
TOKEN = re.compile(
    r"(?:[Pp]h|[Aa]pprox|vs|incl|cf|Dr|Mr|Mrs|Ms|Mx|St|Prof)\.(?=\s)|e\.g\.|i\.e\."
    r"|[AaPp]\.[Mm]\.(?=\s*[a-z,;)\d])|[AaPp]\.[Mm](?=\.)"
    r"|[A-Z]\.(?=\s*[a-z,;)])"
    r"|[A-Za-z]+(?=n['’]t\b)|n['’]t\b"
    r"|['’](?:s|m|d|ll|re|ve)\b"
    r"|\d+(?:[.,]\d+)*|[^\W\d_]+(?:-[^\W\d_]+)*"
    r"|[^\w\s]|_"
)


SIGNS = frozenset("-−–")
"""A minus written against a word ("-SI", "−HI") negates it in shorthand: a sign, not punctuation."""

_ABBREVIATIONS = frozenset("ph Ph approx Approx vs incl cf Dr Mr Mrs Ms Mx St Prof".split())
"""The words TOKEN keeps whole with a following period (keep in step with its first line): a period
after them is not a token of its own, so it cannot end a sentence."""

SPLIT = re.compile(r"(\s+)|(" + TOKEN.pattern + r")")


def tokenize(text: str) -> tuple[list[str], list[bool]]:
    """Words and trailing-space flags that rebuild ``text`` exactly (whitespace runs other than a
    single space become tokens of their own, as in spaCy).

    The reference for the lazy readers (:func:`tokens_between`,
    :meth:`ClinicalNLP.sentence_starts`): the extractor itself never tokenizes a whole text."""
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


def tokens_between(text: str, start: int, stop: int) -> tuple[list[str], list[bool]]:
    """The tokens of ``text`` that start in ``[start, stop)``, with their trailing-space flags,
    exactly as :func:`tokenize` cuts the whole text (``start`` must be a token boundary).

    Tokens never hold whitespace and the tokenizer never looks behind, so tokenizing from any
    token boundary gives the same tokens as tokenizing from the start of the text; the regex
    still reads the text past ``stop``, so a lookahead ("p.m." before a lower-case word) sees
    what it would see in the whole text.
    """
    words: list[str] = []
    spaces: list[bool] = []
    for m in SPLIT.finditer(text, start):
        at = m.start()
        if at >= stop:
            break
        gap, word = m.group(1, 2)
        if word:
            words.append(word)
            spaces.append(False)
        elif gap[0] == " " and at > 0 and not text[at - 1].isspace():
            # a space after a word is that word's trailing space (a start inside a run of
            # spaces is a token boundary only where the rest of the run is one token)
            if words:
                spaces[-1] = True
            if len(gap) > 1 and at + 1 < stop:
                words.append(gap[1:])
                spaces.append(False)
        else:
            words.append(gap)
            spaces.append(False)
    return words, spaces


def first_token_at(text: str, pos: int) -> int | None:
    """The offset of the first token that starts at or after ``pos`` (``None`` past the last).

    A character after whitespace always starts a token, so only a position inside a word needs
    that word tokenized (from its start, a token boundary)."""
    if pos >= len(text):
        return None
    if (pos == 0 or text[pos - 1].isspace()) and not text[pos].isspace():
        return pos
    # back to a known token boundary: the start of the previous whitespace-free chunk
    p = pos
    while p > 0 and text[p - 1].isspace():
        p -= 1
    while p > 0 and not text[p - 1].isspace():
        p -= 1
    for m in SPLIT.finditer(text, p):
        at = m.start()
        gap = m.group(1)
        if gap and gap[0] == " " and at > 0:
            if len(gap) == 1:
                continue
            at += 1  # a run of spaces after a word: the first is the word's trailing space
        if at >= pos:
            return at
    return None


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
    """A session text prepared for ConText: its sentence starts, a small spaCy doc per sentence
    that ConText reads (tokenized and built on first use), and the modifier matches per sentence.

    The text is never tokenized as a whole: sentence boundaries need only the tokens around
    sentence-ending punctuation (:func:`sentence_starts`), and ConText only the tokens of the few
    sentences holding a target (:func:`tokens_between`).
    """

    text: str = ""
    index: TextIndex | None = None
    sentence_tokens: list[int] = field(default_factory=list)
    """Sorted character offsets of the tokens that start a final sentence (a sentence's first
    token: the first token at or after its first character), and 0."""
    _docs: dict[int, tuple[Any, int]] = field(default_factory=dict)
    _modifiers: dict[int, list[tuple[Any, int, int]]] = field(default_factory=dict)
    _rule_masks: list[tuple[CompiledRule, int]] | None = None
    _hits: dict[int, list[tuple[CompiledRule, int, int]]] = field(default_factory=dict)

    @property
    def length(self) -> int:
        return len(self.text)


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
        from spacy.lang.lex_attrs import is_punct
        from spacy.pipeline import Sentencizer

        self._punct_chars = frozenset(Sentencizer.default_punct_chars)
        self._is_punct = is_punct
        self._punct_sorted = sorted(self._punct_chars)
        self._ending_res: dict[str, re.Pattern[str]] = {}
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
        """The text, ready for :meth:`sentence_spans` and, once the final sentences are known
        (:meth:`set_sentences`), for ConText. Nothing is tokenized yet."""
        return ParsedText(text)

    def _punctuation_starts(self, words: Sequence[str], spaces: Sequence[bool] | None = None) -> list[int]:
        """Token indices that start a sentence, by the rule of spaCy's ``Sentencizer.predict``
        (its default punctuation characters; a sentence ends after them and before the next token
        that is not punctuation) — except that a minus sign written against a word ("No plan.
        -HI.") is the shorthand for "denied" and opens the next sentence, not ends this one.

        The reference for :meth:`sentence_starts`, which applies the same rule without
        tokenizing the whole text (a test checks that both agree)."""
        punct = self._punct_chars
        is_punct = self._is_punct
        starts = [0] if words else []
        start, seen_period = 0, False
        for i, word in enumerate(words):
            in_punct = word in punct
            sign = (
                word in SIGNS
                and spaces is not None
                and not spaces[i]
                and i + 1 < len(words)
                and words[i + 1][:1].isalpha()
            )
            if seen_period and not in_punct and (sign or not is_punct(word)):
                if start != i:
                    starts.append(i)
                start, seen_period = i, False
            elif in_punct:
                seen_period = True
        return starts

    def sentence_starts(self, text: str) -> list[int]:
        """Character offsets where a sentence starts, by the rule of :meth:`_punctuation_starts`
        over the tokens of :func:`tokenize`, reading only the tokens that can decide a boundary.

        A boundary needs a token that is a sentence-ending character ("." alone, not the one in
        "Dr." or "0.7"), and such a token lies in a whitespace-free chunk holding that character.
        So only those chunks are tokenized (:func:`tokens_between`), each from its first
        character, and after one that ends on punctuation the tokens that follow, up to the first
        token that is not punctuation: the next sentence's first token. Tokenizing a
        10,000-word transcript whole cost more than everything else here together.
        """
        if not text:
            return []
        punct = self._punct_chars
        is_punct = self._is_punct
        starts = [0]
        cursor = 0  # tokens before this offset have been read; the state there is "no period seen"
        for hit in self._ending_chars(text).finditer(text):
            p = hit.start()
            if p < cursor:
                continue
            # tokenize from the start of the chunk holding the character (a token boundary)
            start = p
            while start > cursor and not text[start - 1].isspace():
                start -= 1
            after = p + 1
            if after == len(text) or text[after].isspace():
                word = text[start:p]
                if not word or (
                    word.isascii()
                    and word.isalpha()
                    and (hit.group() != "." or (len(word) > 1 and word not in _ABBREVIATIONS))
                ):
                    # the common case, "… today. Next" or "… today?\n": a plain word (or nothing),
                    # then the character as a token of its own (no abbreviation, decimal, "e.g.",
                    # "p.m." or "n't" can hold it), then whitespace
                    if after == len(text):
                        break
                    if text[after] != " ":
                        starts.append(after)  # a line break is a token: the next sentence's first
                        cursor = after
                        continue
                    if after + 1 < len(text) and text[after + 1].isspace():
                        starts.append(after + 1)  # the spaces after the first are one token
                        cursor = after + 1
                        continue
                    if after + 1 == len(text):
                        break
                    if text[after + 1].isascii() and text[after + 1].isalnum():
                        starts.append(after + 1)  # a word or a number: not punctuation
                        cursor = after + 1
                        continue
            seen = False
            for m in SPLIT.finditer(text, start):
                at = m.start()
                gap, word = m.group(1, 2)
                if gap:
                    if gap[0] == " " and at > 0 and not text[at - 1].isspace():
                        if len(gap) == 1:
                            continue  # a word's trailing space: no token
                        at += 1
                        word = gap[1:]
                    else:
                        word = gap
                if at > p and not seen:
                    cursor = at
                    break
                in_punct = word in punct
                sign = word in SIGNS and at + 1 < len(text) and text[at + 1].isalpha()
                if seen and not in_punct and (sign or not is_punct(word)):
                    starts.append(at)
                    seen = False
                elif in_punct:
                    seen = True
            else:
                cursor = len(text)
        return starts

    def _ending_chars(self, text: str) -> re.Pattern[str]:
        """A regex for the sentence-ending characters that occur in ``text`` (one class of all
        of spaCy's hundred-odd characters scans ten times slower than one of the three in use)."""
        present = "".join(c for c in self._punct_sorted if c in text)
        found = self._ending_res.get(present)
        if found is None:
            found = self._ending_res[present] = re.compile(
                "[" + "".join(re.escape(c) for c in present) + "]" if present else "(?!)"
            )
        return found

    def sentence_spans(self, parsed: ParsedText) -> list[tuple[int, int]]:
        """Sentence spans by the sentencizer rule, in character offsets."""
        starts = self.sentence_starts(parsed.text)
        if not starts:
            return []
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
        text = parsed.text
        firsts = {f for s, _ in index.spans if (f := first_token_at(text, s)) is not None}
        parsed.sentence_tokens = sorted({0, *firsts}) if text else []

    def _sentence_doc(self, parsed: ParsedText, sentence: int) -> tuple[Any, int]:
        """The spaCy doc of one sentence and the character offset it starts at (``(None, 0)``
        for a sentence without tokens)."""
        assert parsed.index is not None
        first = first_token_at(parsed.text, parsed.index.spans[sentence][0])
        starts = parsed.sentence_tokens
        if first is None:
            return None, 0
        k = bisect.bisect_right(starts, first) - 1
        if k < 0:
            return None, 0
        a = starts[k]
        cached = parsed._docs.get(a)
        if cached is None:
            from spacy.tokens import Doc

            b = starts[k + 1] if k + 1 < len(starts) else len(parsed.text)
            words, spaces = tokens_between(parsed.text, a, b)
            doc = Doc(self._nlp.vocab, words=words, spaces=spaces)
            if len(doc) > 1:
                # the whole doc is one sentence: marking its second token "not a start" sets the
                # boundaries ConText reads (spaCy's sent_starts argument costs twice the doc)
                doc[1].is_sent_start = False
            cached = parsed._docs[a] = (doc, a)
        return cached

    # ------------------------------------------------------------------ ConText
    def _modifier_hits(self, parsed: ParsedText, sentence: int) -> list[tuple[CompiledRule, int, int]]:
        """The modifier rules' regex matches in one sentence, in characters (cached)."""
        cached = parsed._hits.get(sentence)
        if cached is None:
            assert parsed.index is not None
            if parsed._rule_masks is None:
                # which modifier rules can match where: each rule's literal prefilter, once per
                # text, as a bit set (only the few sentences with targets are ever asked about)
                parsed._rule_masks = [(rule, parsed.index.candidate_mask(rule)) for rule in self._rules]
            cached = parsed._hits[sentence] = [
                (rule, m.start(), m.end())
                for rule, mask in parsed._rule_masks
                if mask >> sentence & 1
                for m in parsed.index.finditer(rule, sentence)
            ]
        return cached

    def _sentence_modifiers(self, parsed: ParsedText, sentence: int) -> list[tuple[Any, int, int]]:
        cached = parsed._modifiers.get(sentence)
        if cached is not None:
            return cached
        doc, base = self._sentence_doc(parsed, sentence)
        if doc is None:
            return []
        found: list[tuple[int, int, int]] = []
        rules: list[Any] = []
        for rule, m_start, m_end in self._modifier_hits(parsed, sentence):
            span = doc.char_span(max(m_start - base, 0), m_end - base, alignment_mode="expand")
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
        if not self._modifier_hits(parsed, sentence):
            # nothing in the sentence can modify a target: ConText would find no edge, and the
            # sentence needs no tokens or doc (about half the sentences with targets)
            return [EMPTY for _ in targets]
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
