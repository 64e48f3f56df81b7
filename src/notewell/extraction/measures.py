"""Measure scores: written in the text in any common form, or entered as items or totals.

``PHQ-9 14``, ``PHQ9=14``, ``GAD-7: 9``, ``scored 14 on the PHQ-9`` and ``your GAD-7 today came
out at 11`` all give a current score; ``PHQ-9 14 (17 on 1/7)`` also records the earlier 17;
``PHQ-9 down 3 pts`` and ``Repeat PHQ-9 in 2 wks`` give none. Entered items are totalled
(``items: [2,2,1,2,1,1,2,1,0]`` → PHQ-9 12). A score outside the instrument's range is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from notewell.domain.evidence import Evidence
from notewell.domain.facts import MeasureScore, PriorScore
from notewell.domain.session import MeasureInput
from notewell.extraction.document import Document
from notewell.extraction.matching import CompiledRule

PRIOR_IN_PARENS = re.compile(r"\s*\(\s*(?P<body>[^)]{1,80})\)")
PRIOR_ITEM = re.compile(r"(?P<score>\d{1,3})\s*(?P<label>(?:on|at|in|wk|week|baseline|intake)[^,;)]*)?")


def _name_pattern(name: str) -> str:
    parts = [re.escape(p) for p in re.split(r"[-\s]+", name.strip()) if p]
    return r"[-\s]?".join(parts)


class MeasureExtractor:
    """Finds measure scores in the text and totals entered measures."""

    def __init__(self, lexicon: dict[str, Any], instruments: Mapping[str, Mapping[str, Any]]) -> None:
        self._instruments = instruments
        self._rules: list[CompiledRule] = []
        for spec in instruments.values():
            names = [spec["id"], *spec.get("aliases", [])]
            sensitive = [n for n in names if len(n) <= 4 and not any(c.isdigit() for c in n)]
            folded = [n for n in names if n not in sensitive]
            for group, case in ((folded, False), (sensitive, True)):
                if group:
                    alt = "|".join(_name_pattern(n) for n in sorted(group, key=len, reverse=True))
                    pattern = rf"(?<![\w-])(?:{alt})(?![\w-]|-\d)"
                    # one id per rule: the text index caches each rule's candidate sentences by
                    # id, so the "Edinburgh" rule's answer was also taken for "EPDS"
                    rule_id = f"instrument:{spec['id']}" + (":abbrev" if case else "")
                    self._rules.append(CompiledRule.build(rule_id, pattern, case, spec["id"]))

        def compile_list(key: str) -> list[tuple[str, re.Pattern[str]]]:
            return [(c["id"], re.compile(c["pattern"], re.IGNORECASE)) for c in lexicon[key]]

        after = compile_list("score_after")
        self._from_to = [(rid, rx) for rid, rx in after if "prior" in rx.groupindex]
        self._after = [(rid, rx) for rid, rx in after if "prior" not in rx.groupindex]
        self._before = compile_list("score_before")
        self._not = compile_list("not_a_score")
        self._coref = compile_list("coreference")
        self._prior_cues = compile_list("prior_cues")

    def _in_range(self, instrument: str, score: float) -> bool:
        lo, hi = self._instruments[instrument]["range"]
        return bool(lo <= score <= hi)

    def from_text(self, doc: Document, fired: set[str]) -> list[MeasureScore]:
        text = doc.text
        found: list[MeasureScore] = []
        for m in doc.index.matches(self._rules):
            instrument: str = m.rule.payload
            sent = doc.sentences[m.sentence]
            if sent.role in ("other",):
                continue
            after = text[m.end : sent.end]
            score: float | None = None
            end = m.end
            prior: list[PriorScore] = []
            rule_id = None
            start = m.start
            for rid, rx in self._from_to:  # "PHQ-9 from 19 to 12": 12 now, 19 before
                hit = rx.match(after)
                if hit:
                    score, rule_id = float(hit.group("score")), rid
                    earlier = hit.group("prior") or hit.groupdict().get("prior2")
                    if earlier:
                        prior.append(PriorScore(float(earlier), "earlier"))
                    end = m.end + hit.end()
                    break
            if score is None and any(rx.match(after) for _, rx in self._not):
                fired.update(rid for rid, rx in self._not if rx.match(after))
                continue
            if score is None:
                for rid, rx in self._after:
                    hit = rx.match(after)
                    if hit:
                        score, rule_id, end = float(hit.group("score")), rid, m.end + hit.end()
                        break
            if score is None:
                before = text[sent.start : m.start]
                for rid, rx in self._before:
                    hit = rx.search(before)
                    if hit:
                        score, rule_id = float(hit.group("score")), rid
                        start, end = sent.start + hit.start(), m.end
                        break
            if score is None:
                nxt = m.sentence + 1
                if nxt < len(doc.sentences) and doc.sentences[nxt].turn == sent.turn:
                    ns = doc.sentences[nxt]
                    for rid, rx in self._coref:
                        hit = rx.match(text[ns.start : ns.end])
                        if hit:
                            score, rule_id, end = float(hit.group("score")), rid, ns.start + hit.end()
                            break
            if score is None or not self._in_range(instrument, score):
                continue
            head = text[sent.start : m.start]
            if any(rx.search(head) for _, rx in self._prior_cues):
                fired.update(rid for rid, rx in self._prior_cues if rx.search(head))
                continue
            paren = PRIOR_IN_PARENS.match(text, end, sent.end)
            if paren:
                for item in re.split(r"[,;]", paren.group("body")):
                    p = PRIOR_ITEM.match(item.strip())
                    if p and self._in_range(instrument, float(p.group("score"))):
                        label = (p.group("label") or "").strip() or None
                        prior.append(PriorScore(float(p.group("score")), label))
            fired.add(m.rule.id)
            if rule_id:
                fired.add(rule_id)
            found.append(MeasureScore(instrument, score, (Evidence(start, end),), "text", None, tuple(prior)))
        return sorted(found, key=lambda s: s.evidence[0])

    def from_entries(self, entries: Sequence[MeasureInput]) -> list[MeasureScore]:
        out = []
        for e in entries:
            if e.items is not None:
                out.append(MeasureScore(e.instrument, float(sum(e.items)), (), "measure", e.items))
            elif e.score is not None:
                out.append(MeasureScore(e.instrument, e.score, (), "measure"))
        return out

    def extract(self, doc: Document, fired: set[str]) -> list[MeasureScore]:
        """Entered measures first (they are exact), then text scores not already entered."""
        scores = self.from_entries(doc.session.measures)
        seen = {(s.instrument, s.score) for s in scores}
        for s in self.from_text(doc, fired):
            key = (s.instrument, s.score)
            if key in seen:
                # the text confirms an entered score: keep the entered one, borrow the evidence
                scores = [
                    MeasureScore(
                        x.instrument, x.score, x.evidence or s.evidence, x.source, x.items, x.prior or s.prior
                    )
                    if (x.instrument, x.score) == key
                    else x
                    for x in scores
                ]
                continue
            seen.add(key)
            scores.append(s)
        return scores
