"""The CLI's JSON contract (``eval/SCHEMA.md`` §2): facts and notes as plain JSON objects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from notewell.domain.evidence import Evidence
from notewell.domain.facts import Facts
from notewell.domain.notes import Note


def spans(evidence: Iterable[Evidence]) -> list[dict[str, int]]:
    return [e.to_json() for e in evidence]


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


def facts_to_json(source: str, facts: Facts) -> dict[str, Any]:
    """One ``notewell extract --json`` line."""
    return {
        "source": source,
        "risk": {key: finding.value for key, finding in facts.risk.items()},
        "interventions": [
            {
                "technique": i.technique,
                "modality": i.modality,
                "evidence": spans(i.evidence),
                "source": i.source,
            }
            for i in facts.interventions
            if i.evidence
        ],
        # ticked on the checklist but never mentioned in the text: no span to point at
        "checklist_interventions": [
            {"technique": i.technique, "modality": i.modality} for i in facts.interventions if not i.evidence
        ],
        "homework": [{"text": h.text, "evidence": spans(h.evidence)} for h in facts.homework],
        "measures": [
            {
                "instrument": m.instrument,
                "score": _num(m.score),
                "source": m.source,
                **({"evidence": spans(m.evidence)} if m.evidence else {}),
                **(
                    {"prior": [{"score": _num(p.score), "label": p.label} for p in m.prior]}
                    if m.prior
                    else {}
                ),
            }
            for m in facts.measures
        ],
        "distortions": [{"type": d.type, "evidence": spans(d.evidence)} for d in facts.distortions],
        "quotes": [{"text": q.text, "evidence": spans(q.evidence)} for q in facts.quotes],
        "change_talk": [{"kind": c.kind, "evidence": spans(c.evidence)} for c in facts.change_talk],
        "symptoms": [
            {
                "name": s.name,
                **{
                    k: v
                    for k, v in (
                        ("frequency", s.frequency),
                        ("intensity", s.intensity),
                        ("duration", s.duration),
                    )
                    if v
                },
                **({"negated": True} if s.negated else {}),
                "evidence": spans(s.evidence),
            }
            for s in facts.symptoms
        ],
        "functional_impact": [
            {"domain": f.domain, "evidence": spans(f.evidence)} for f in facts.functional_impacts
        ],
        "medications": [
            {
                "name": m.name,
                **({"adherence": m.adherence} if m.adherence else {}),
                "evidence": spans(m.evidence),
            }
            for m in facts.medications
        ],
        "mental_status": [
            {"domain": m.domain, "finding": m.finding, "evidence": spans(m.evidence)}
            for m in facts.mental_status
        ],
        "small_talk": spans(facts.small_talk),
        "people": [
            {
                "text": p.text,
                **({"relation": p.relation} if p.relation else {}),
                "is_name": p.is_name,
                "evidence": spans(p.evidence),
            }
            for p in facts.people
        ],
        "risk_evidence": {key: spans(f.evidence) for key, f in facts.risk.items() if f.evidence},
    }


def note_to_json(source: str, note: Note) -> dict[str, Any]:
    """One ``notewell draft --json`` line."""
    sections = []
    for section in note.sections:
        sentences: list[dict[str, Any]] = []
        for s in section.sentences:
            item: dict[str, Any] = {"text": s.text}
            if s.evidence:
                item["evidence"] = spans(s.evidence)
            if s.basis == "metadata":
                item["basis"] = "metadata"
            sentences.append(item)
        sections.append({"title": section.title, "sentences": sentences})
    return {
        "source": source,
        "format": note.format,
        "sections": sections,
        "nudges": [
            {
                "code": n.code,
                "severity": n.severity,
                "message": n.message,
                "fix": n.fix,
                "evidence": spans(n.evidence),
            }
            for n in note.nudges
        ],
    }
