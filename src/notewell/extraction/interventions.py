"""Interventions: techniques delivered in the session, each reported under its modality.

A technique counts when it was delivered, not when it was planned, explained or declined:
``Practiced TIPP in session`` counts; ``HW: TIPP when urge >= 3``, ``Did NOT start
desensitization today`` and ``Next session will begin exposure`` do not. In transcripts the
therapist's own moves count too — a Socratic question, a values question, a readiness ruler,
and reflective listening when the therapist reflects often enough for it to be a deliberate
technique (see :mod:`notewell.extraction.mi`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from notewell.domain.evidence import Evidence, merge_spans
from notewell.domain.facts import Intervention, RiskFinding
from notewell.extraction.document import Document
from notewell.extraction.matching import CompiledRule
from notewell.extraction.nlp import ClinicalNLP, TargetSpan

NOT_DELIVERED = frozenset({"NEGATED", "FUTURE", "HYPOTHETICAL", "HISTORICAL", "OTHER_PERSON"})
DEFAULT_ROLES = frozenset({"narrative", "therapist"})
MAX_EVIDENCE = 3
NEGATION_REACH = 2
"""A technique is undone by a negation right before it ("Did NOT start desensitization"), not by
one earlier in a long sentence."""
UNTICKED_BOX = re.compile(r"(?:\[\s?\]|\(\s?\)|[☐□])[ \t]*\Z")
"""An empty box just before a technique's name: an EHR export lists every option,
``[X] Cognitive restructuring [ ] Behavioral activation``, and only the ticked ones were done."""
UNTICKED_REACH = 6


@dataclass(frozen=True)
class Cue:
    technique: str
    implicit: bool
    roles: frozenset[str]
    allow_in_plan: bool
    past_work: bool = False
    """The cue reports work already done ("Did 2 of 3 assigned thought records"): the homework
    words beside it and a "HW:" section are what it reviews, not a plan."""


class InterventionExtractor:
    """Finds delivered techniques; merges the checklist, the safety plan and reflections."""

    def __init__(self, lexicon: dict[str, Any], nlp: ClinicalNLP) -> None:
        self._nlp = nlp
        self.modality: dict[str, str] = {}
        self._part_of: dict[str, set[str]] = {}
        self._min_hits: dict[str, int] = {}
        self._rules: list[CompiledRule] = []
        for tech in lexicon["techniques"]:
            self.modality[tech["id"]] = tech["modality"]
            self._part_of[tech["id"]] = set(tech.get("part_of", []))
            self._min_hits[tech["id"]] = tech.get("implicit_min_hits", 1)
            for cue in tech["cues"]:
                payload = Cue(
                    technique=tech["id"],
                    implicit=bool(cue.get("implicit", False)),
                    roles=frozenset(cue.get("roles", DEFAULT_ROLES)),
                    allow_in_plan=bool(cue.get("allow_in_plan", False)),
                    past_work=bool(cue.get("past_work", False)),
                )
                self._rules.append(
                    CompiledRule.build(cue["id"], cue["pattern"], cue.get("case_sensitive", False), payload)
                )
        self.reflection = lexicon.get("reflection", {})

    def _delivered(
        self, doc: Document, fired: set[str]
    ) -> tuple[dict[str, list[Evidence]], dict[str, dict[str, list[Evidence]]]]:
        candidates = []
        for m in doc.index.matches(self._rules):
            cue: Cue = m.rule.payload
            sent = doc.sentences[m.sentence]
            if sent.role not in cue.roles:
                continue
            if sent.section in ("plan", "homework") and not (cue.allow_in_plan or cue.past_work):
                continue
            if UNTICKED_BOX.search(doc.text, max(0, m.start - UNTICKED_REACH), m.start):
                continue
            candidates.append(m)
        by_sentence = defaultdict(list)
        for m in candidates:
            by_sentence[m.sentence].append(m)
        explicit: dict[str, list[Evidence]] = defaultdict(list)
        implicit: dict[str, dict[str, list[Evidence]]] = defaultdict(lambda: defaultdict(list))
        for idx, group in sorted(by_sentence.items()):
            sent = doc.sentences[idx]
            results = self._nlp.assess(
                doc.parsed,
                idx,
                [TargetSpan(m.start, m.end, "technique") for m in group],
                isolate=True,
            )
            for m, res in zip(group, results, strict=True):
                fired.update(res.rule_ids | res.present)
                cue = m.rule.payload
                cats = set(res.categories)
                if "CURRENT" in cats or cue.past_work:
                    cats -= {"FUTURE", "HISTORICAL"}
                if "NEGATED" in cats and not res.within("NEGATED", NEGATION_REACH):
                    cats.discard("NEGATED")  # "If you couldn't have known, what's a more balanced way…"
                if cats & NOT_DELIVERED:
                    continue
                fired.add(m.rule.id)
                ev = (
                    Evidence(sent.start, sent.end)
                    if (sent.end - sent.start) <= 200
                    else Evidence(m.start, m.end)
                )
                if cue.implicit:
                    implicit[cue.technique][m.rule.id].append(ev)
                else:
                    explicit[cue.technique].append(ev)
        return explicit, implicit

    def extract(
        self,
        doc: Document,
        risk: Mapping[str, RiskFinding],
        reflections: Sequence[Evidence],
        fired: set[str],
    ) -> list[Intervention]:
        explicit, implicit = self._delivered(doc, fired)
        found: dict[str, list[Evidence]] = {t: list(evs) for t, evs in explicit.items()}
        qualifying = {
            tech: [e for evs in by_cue.values() for e in evs]
            for tech, by_cue in implicit.items()
            if tech in found or self._enough(tech, by_cue)
        }
        present = set(found) | set(qualifying)
        for tech, evs in qualifying.items():
            if tech in found:
                found[tech].extend(evs)
            elif not self._part_of[tech] & present:
                found[tech] = (
                    evs  # else the move was part of a larger technique ("What's the evidence?" in CPT)
                )
        sp = risk.get("safety_plan")
        if sp is not None and sp.value in ("created", "reviewed"):
            found.setdefault("safety_planning", []).extend(sp.evidence)
        if doc.session.meta.type == "crisis" and "crisis_intervention" not in found:
            # a crisis session that assessed risk and then acted on it — planned for safety, or
            # delivered anything else (grounding a client who is hyperventilating, arranging an
            # emergency evaluation) — is crisis intervention, whether or not the clinician named
            # it (CPT 90839 is "psychotherapy for crisis")
            assessed = [
                e
                for f in risk.values()
                if f.value not in ("not_assessed", "not_documented")
                for e in f.evidence
            ]
            acted = [e for evs in found.values() for e in evs]
            if assessed and acted:
                found["crisis_intervention"] = [*acted[:1], *assessed[:1]]
        named = set(explicit) | set(doc.session.checklist.interventions)
        if reflections and self._reflective_enough(doc, len(reflections), set(found), named):
            found.setdefault("reflective_listening", []).extend(reflections)
        out = []
        for tech, evs in found.items():
            spans = merge_spans(evs)
            # every reflection is evidence of reflective listening; elsewhere a few spans suffice
            shown = spans if tech == "reflective_listening" else spans[:MAX_EVIDENCE]
            out.append(Intervention(tech, self.modality[tech], shown, "text"))
        for label in doc.session.checklist.interventions:
            if label not in found:
                out.append(Intervention(label, self.modality[label], self._mention(doc, label), "checklist"))
                found[label] = []
        order = list(self.modality)
        out.sort(key=lambda i: order.index(i.technique))
        return out

    @staticmethod
    def _mention(doc: Document, technique: str) -> tuple[Evidence, ...]:
        """Where the text names a technique the clinician ticked (``crisis_intervention`` →
        "Unscheduled crisis session"): its evidence, or none when the text never mentions it."""
        words = [w for w in technique.split("_") if len(w) >= 5]
        for s in doc.sentences:
            if s.role in ("narrative", "therapist"):
                piece = doc.text[s.start : s.end].lower()
                if any(w in piece for w in words):
                    return (Evidence(s.start, s.end),)
        return ()

    def _enough(self, tech: str, by_cue: Mapping[str, Sequence[Evidence]]) -> bool:
        """Enough implicit evidence: distinct cues reach the minimum, or one cue recurs."""
        need = self._min_hits[tech]
        return len(by_cue) >= need or sum(len(v) for v in by_cue.values()) > need

    def _reflective_enough(self, doc: Document, count: int, techniques: set[str], named: set[str]) -> bool:
        """Whether the therapist's reflections amount to reflective listening as a technique."""
        cfg = self.reflection
        modality = (doc.session.meta.modality or "").lower()
        if any(re.search(rf"\b{re.escape(m.lower())}\b", modality) for m in cfg.get("mi_modalities", [])):
            return count >= 2
        if any(self.modality[t] == "MI" for t in techniques):
            return True
        if modality or doc.session.meta.type in cfg.get("excluded_session_types", []):
            return False
        if any(self.modality[t] in cfg.get("other_modalities", []) for t in named):
            return False
        therapist_turns = sum(1 for t in doc.turns if t.role == "therapist")
        return bool(
            count >= cfg.get("min_count", 3) and count >= cfg.get("min_share", 0.15) * max(1, therapist_turns)
        )
