"""The NLP pipeline: spaCy (blank English + sentencizer) and medspaCy's ConText.

This is the only module that imports spaCy or medspaCy. ConText (Harkema et al. 2009, as
implemented by medspaCy) decides whether a clinical *target* — ``SI``, ``cut myself``,
``exposure`` — is negated (``denies SI``), historical (``hx of SI in 2019``), hypothetical
(``if thoughts of suicide come up``), about someone else (``Cl's mother attempted``) or
figurative (``I could kill you for making me…``). Our modifier rules are data
(``lexicons/context_modifiers.yaml``); ConText supplies the scope mechanics (direction,
sentence scope, terminators such as ``but``).

ConText's graph is quadratic in the targets and modifiers of a document, so we never give it
a whole transcript: each candidate sentence becomes its own small ``Doc``. That keeps a
10,000-word transcript well inside the latency budget.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

GROUP = "notewell_targets"
_PLAIN = re.compile(r"^[\w' -]+$")


@dataclass(frozen=True)
class TargetSpan:
    """A target to put in context: absolute character offsets and a ConText type label."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class ContextResult:
    """The modifiers that apply to one target (categories and rule ids), and every modifier
    recognised in the sentence (terminators such as "but" modify nothing themselves)."""

    categories: frozenset[str]
    rule_ids: frozenset[str]
    present: frozenset[str] = frozenset()
    distance: tuple[tuple[str, int], ...] = ()
    """Per category, the fewest tokens between the target and a modifier of that category."""

    def within(self, category: str, tokens: int) -> bool:
        """Whether a modifier of ``category`` applies from at most ``tokens`` tokens away."""
        return any(c == category and d <= tokens for c, d in self.distance)


def _silence_loguru() -> None:
    try:
        from loguru import logger

        logger.remove()
        logger.disable("medspacy")
        logger.disable("PyRuSH")
    except ImportError:  # pragma: no cover
        pass


class ClinicalNLP:
    """Sentence boundaries and ConText assessment, built once per process (not at import)."""

    def __init__(self, modifiers: Sequence[dict[str, Any]], target_labels: dict[str, list[str]]) -> None:
        _silence_loguru()
        # all our modifiers that are not plain phrases are regexes, so medspaCy's phrase matcher
        # may legitimately have no patterns; its warning about that is noise
        warnings.filterwarnings("ignore", message=r".*\[W036\].*")
        import spacy
        from medspacy.context import ConTextRule

        self._nlp: Any = spacy.blank("en")
        # shorthand "-SI/HI" means denied: split a leading dash off a capitalised word so the
        # dash can be a negation modifier of its own
        prefixes = [*self._nlp.Defaults.prefixes, r"[-−–](?=[A-Z])"]
        self._nlp.tokenizer.prefix_search = spacy.util.compile_prefix_regex(prefixes).search
        self._sentencizer = self._nlp.add_pipe("sentencizer")
        from spacy.symbols import ORTH

        # shorthand abbreviations that never end a sentence ("RTC 11/26 to begin ph. 3-4")
        for abbr in ("ph.", "Ph.", "approx.", "Approx.", "vs.", "incl.", "e.g.", "i.e.", "cf."):
            self._nlp.tokenizer.add_special_case(abbr, [{ORTH: abbr}])
        self._context: Any = self._nlp.add_pipe(
            "medspacy_context",
            # medspaCy 1.3.1 hands `prune_on_target_overlap` to the graph as its
            # `prune_on_modifier_overlap`: True is what drops a modifier lying inside a target
            # (the "not" of "wouldn't mind not waking up", the "if" of "easier if I didn't wake up").
            config={
                "rules": None,
                "span_attrs": None,
                "input_span_type": "group",
                "span_group_name": GROUP,
                "prune_on_target_overlap": True,
            },
        )
        rules = []
        for m in modifiers:
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
            literal_only = bool(_PLAIN.match(pattern))
            rules.append(
                ConTextRule(
                    literal=pattern if literal_only else m["id"],
                    category=m["category"],
                    pattern=None if literal_only else pattern,
                    direction=m["direction"],
                    allowed_types=allowed,
                    max_scope=m.get("max_scope"),
                    metadata={"id": m["id"]},
                )
            )
        self._context.add(rules)

    def sentence_spans(self, text: str) -> list[tuple[int, int]]:
        """Sentence spans over the whole text, by spaCy's rule-based sentencizer."""
        doc = self._sentencizer(self._nlp.make_doc(text))
        return [(s.start_char, s.end_char) for s in doc.sents]

    def assess(
        self, text: str, start: int, end: int, targets: Sequence[TargetSpan], isolate: bool = False
    ) -> list[ContextResult]:
        """Run ConText over ``text[start:end]`` (one sentence) for the given targets.

        ConText drops a modifier that overlaps any target, so ``explained phases`` (a
        psychoeducation target) would silence the ``explained`` that makes ``reprocessing`` a
        mere mention. ``isolate`` assesses each target on its own to avoid that.
        """
        if isolate and len(targets) > 1:
            return [self.assess(text, start, end, [t])[0] for t in targets]
        from spacy.tokens import Span

        doc = self._nlp.make_doc(text[start:end])
        if not len(doc):
            return [ContextResult(frozenset(), frozenset()) for _ in targets]
        for i, token in enumerate(doc):
            token.is_sent_start = i == 0
        spans: list[Span | None] = []
        for t in targets:
            span = doc.char_span(
                t.start - start, t.end - start, label=t.label.upper(), alignment_mode="expand"
            )
            spans.append(span)
        doc.spans[GROUP] = [s for s in spans if s is not None]
        self._context(doc)
        # terminators and pseudo-modifiers never attach to a target; record that they were seen
        present = frozenset(
            m.rule.metadata["id"]
            for m in doc._.context_graph.modifiers
            if m.direction in ("TERMINATE", "PSEUDO")
        )
        results = []
        group = doc.spans[GROUP]
        by_key = {(s.start, s.end, s.label_): s for s in group}
        for span in spans:
            if span is None:
                results.append(ContextResult(frozenset(), frozenset()))
                continue
            live = by_key.get((span.start, span.end, span.label_))
            mods = live._.modifiers if live is not None else ()
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
