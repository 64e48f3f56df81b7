"""Clinical details for the note: symptoms (with frequency, intensity, duration), functional
impact, medications, mental-status observations and the client's responses in session.

Example: ``Sleep 6-7 hrs/night, up from ~5.`` → ``Symptom("sleep", frequency="6-7 hrs/night")``;
``Affect constricted, brightened…`` → ``MentalStatus("affect", "constricted, brightened…")``.
Mental status is read only from the clinician's own observations (shorthand), never inferred.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from notewell.domain.evidence import Evidence
from notewell.domain.facts import (
    ClientResponse,
    FunctionalImpact,
    HistoryNote,
    Medication,
    MentalStatus,
    Symptom,
)
from notewell.extraction.cues import compile_labels
from notewell.extraction.document import Document
from notewell.extraction.nlp import ClinicalNLP, TargetSpan

QUANTIFIED = re.compile(
    r"\bmore\s+than\b|\benough\b|\bwell\b|\bmuch\b|\bthrough\s+the\s+night\b|\bsince\b|\bin\s+days\b",
    re.IGNORECASE,
)
"""A negation about an amount is not a denial: "I haven't slept more than 4 hours a night"."""

FREQUENCY = re.compile(
    r"\b\d+(?:\s*-\s*\d+)?\s*(?:x|times?)\s*(?:/|a|per|this)\s*(?:wk|week|day|night|month|mo)\b|\b(?:daily|nightly|weekly|most\s+(?:days|nights)|every\s+(?:day|night)|\d+\s+of\s+\d+\s+(?:days|nights)|twice\s+a\s+(?:week|day)|once\s+a\s+(?:week|day)|\d+(?:-\d+)?\s*(?:hrs?|hours)(?:\s*/\s*night|\s+a\s+night)?|\d+\s+(?:nightmares|attacks|episodes|drinking\s+days|days)\s+(?:this|last|a|per)\s+(?:wk|week)|(?:two|three|four|five|six|seven|\d+)\s+(?:this|a)\s+week)\b",
    re.IGNORECASE,
)
INTENSITY = re.compile(
    r"\b\d{1,3}\s*/\s*(?:10|5|100)\b|\b\d{1,3}\s*%|\bSUDS?\s*\d+(?:/10)?\b|\b(?:mild|moderate|severe|intense)\b",
    re.IGNORECASE,
)
DURATION = re.compile(
    r"\bx\s*~?\s*\d+\s*(?:days?|d|wks?|weeks?|mos?|months?|yrs?|years?)\b|\bfor\s+(?:about\s+|over\s+|the\s+(?:last|past)\s+)?(?:\d+|two|three|four|a\s+few|several)\s+(?:days|weeks|months|years)\b|\bsince\s+(?:about\s+)?(?:\d{1,2}/\d{1,2}|january|february|march|april|may|june|july|august|september|october|november|december|the\s+\w+|last\s+\w+|summer|spring|fall|winter|christmas)\b|\b(?:last|past)\s+\d+\s+(?:wks|weeks|days|months)\b",
    re.IGNORECASE,
)
MAX_PER_SYMPTOM = 3


def _first(rx: re.Pattern[str], text: str) -> str | None:
    m = rx.search(text)
    return " ".join(m.group(0).split()) if m else None


class DetailExtractor:
    def __init__(self, lexicons: dict[str, Any], nlp: ClinicalNLP) -> None:
        self._nlp = nlp
        self._symptoms = compile_labels(lexicons["symptoms"])
        self._functional = compile_labels(lexicons["functional"])
        self._mse = compile_labels(lexicons["mental_status"])
        self._meds = compile_labels(lexicons["medications"])
        self._responses = compile_labels(lexicons["responses"])

    def symptoms(self, doc: Document, fired: set[str]) -> list[Symptom]:
        by_sentence: dict[int, list[Any]] = defaultdict(list)
        for m in doc.index.matches(self._symptoms):
            if doc.sentences[m.sentence].role in ("client", "narrative"):
                by_sentence[m.sentence].append(m)
        found: dict[str, list[Symptom]] = defaultdict(list)
        for idx, group in sorted(by_sentence.items()):
            if all(len(found[m.rule.payload]) >= MAX_PER_SYMPTOM for m in group):
                # every symptom here is already documented as often as a note shows it: nothing
                # from this sentence would be kept, so ConText need not read it (a long session
                # comes back to sleep and mood again and again)
                continue
            s = doc.sentences[idx]
            results = self._nlp.assess(
                doc.parsed, idx, [TargetSpan(m.start, m.end, "symptom") for m in group]
            )
            piece = doc.text[s.start : s.end]
            seen: set[str] = set()
            for m, res in zip(group, results, strict=True):
                fired.update(res.rule_ids | res.present)
                name = m.rule.payload
                if name in seen or len(found[name]) >= MAX_PER_SYMPTOM:
                    continue
                if res.categories & {"HYPOTHETICAL", "OTHER_PERSON", "THIRD_PERSON", "FUTURE"}:
                    continue
                seen.add(name)
                fired.add(m.rule.id)
                found[name].append(
                    Symptom(
                        name,
                        (Evidence(s.start, s.end),),
                        frequency=_first(FREQUENCY, piece),
                        intensity=_first(INTENSITY, piece),
                        duration=_first(DURATION, piece),
                        # "denies nightmares", "no panic attacks" — but "I haven't slept more than four
                        # hours" is poor sleep, not a denial of a sleep problem
                        negated="NEGATED" in res.categories
                        and res.within("NEGATED", 1)
                        and not QUANTIFIED.search(piece),
                    )
                )
        return [x for items in found.values() for x in items]

    def functional(self, doc: Document, fired: set[str]) -> list[FunctionalImpact]:
        out: list[FunctionalImpact] = []
        seen: set[tuple[str, int]] = set()
        for m in doc.index.matches(self._functional):
            s = doc.sentences[m.sentence]
            if s.role not in ("client", "narrative") or (m.rule.payload, m.sentence) in seen:
                continue
            seen.add((m.rule.payload, m.sentence))
            fired.add(m.rule.id)
            out.append(FunctionalImpact(m.rule.payload, (Evidence(s.start, s.end),)))
        return out

    def mental_status(self, doc: Document, fired: set[str]) -> list[MentalStatus]:
        out: list[MentalStatus] = []
        seen: set[str] = set()
        for m in doc.index.matches(self._mse):
            s = doc.sentences[m.sentence]
            if s.role != "narrative" or m.rule.payload in seen:
                continue
            seen.add(m.rule.payload)
            fired.add(m.rule.id)
            out.append(
                MentalStatus(
                    m.rule.payload, " ".join(doc.text[m.start : m.end].split()), (Evidence(m.start, m.end),)
                )
            )
        for domain, finding in doc.session.checklist.mental_status.items():
            if domain not in seen:
                out.append(MentalStatus(domain, finding, ()))
        return out

    def medications(self, doc: Document, fired: set[str]) -> list[Medication]:
        out: dict[str, Medication] = {}
        adherence_rule = [r for r in self._meds if r.payload == "adherence"]
        for m in doc.index.matches([r for r in self._meds if r.payload == "medication"]):
            s = doc.sentences[m.sentence]
            if s.role == "other":
                continue
            name = doc.text[m.start : m.end].lower()
            fired.add(m.rule.id)
            adherence = None
            for r in adherence_rule:
                a = r.regex.search(doc.text, s.start, s.end)
                if a:
                    adherence = " ".join(a.group(0).split())
                    fired.add(r.id)
            if name not in out:
                out[name] = Medication(name, (Evidence(s.start, s.end),), adherence)
        return list(out.values())

    def history(
        self, doc: Document, medications: list[Medication], note_index: int | None, fired: set[str]
    ) -> list[HistoryNote]:
        """Medications named, diagnoses written, and denials of either, in one note's text."""
        out = [HistoryNote("medication", m.name, m.evidence, note_index) for m in medications]
        kinds = {"denies_medication", "denies_diagnosis", "diagnosis_mention"}
        for m in doc.index.matches([r for r in self._meds if r.payload in kinds]):
            s = doc.sentences[m.sentence]
            if s.role == "other":
                continue
            fired.add(m.rule.id)
            kind = "diagnosis" if m.rule.payload == "diagnosis_mention" else m.rule.payload
            out.append(HistoryNote(kind, doc.text[m.start : m.end], (Evidence(s.start, s.end),), note_index))
        return out

    def responses(self, doc: Document, fired: set[str]) -> list[ClientResponse]:
        out: list[ClientResponse] = []
        for m in doc.index.matches(self._responses):
            s = doc.sentences[m.sentence]
            if s.role not in ("client", "narrative"):
                continue
            fired.add(m.rule.id)
            kind = "engagement" if m.rule.payload == "engagement" else "rating_change"
            out.append(ClientResponse(kind, (Evidence(s.start, s.end),)))  # type: ignore[arg-type]
        return out
