"""Session input and drafts as JSON-ready mappings (what the record stores, encrypted).

The session is kept whole — text, checklist, measures, goals, diagnoses, prior notes, metadata
— so a draft can be re-made or audited against exactly what the clinician entered.
"""

from __future__ import annotations

from datetime import date, time
from types import MappingProxyType
from typing import Any

from notewell.domain.notes import Note
from notewell.domain.session import (
    Checklist,
    ClientInfo,
    Diagnosis,
    Goal,
    MeasureInput,
    PriorNote,
    Session,
    SessionMeta,
)

SESSION_SCHEMA = 1


def _iso(value: date | time | None) -> str | None:
    return (
        None
        if value is None
        else value.isoformat(timespec="minutes")
        if isinstance(value, time)
        else value.isoformat()
    )


def session_to_dict(session: Session) -> dict[str, Any]:
    """Everything in a :class:`Session`, as plain JSON types."""
    m = session.meta
    return {
        "schema": SESSION_SCHEMA,
        "source": session.source,
        "text": session.text,
        "client": {
            "id": session.client.id,
            "name": session.client.name,
            "names": list(session.client.names),
            "pronouns": session.client.pronouns,
            "age": session.client.age,
        },
        "session": {
            "date": _iso(m.date),
            "start": _iso(m.start),
            "end": _iso(m.end),
            "type": m.type,
            "setting": m.setting,
            "modality": m.modality,
            "participants": list(m.participants),
        },
        "goals": [{"id": g.id, "text": g.text} for g in session.goals],
        "diagnoses": [{"code": d.code, "description": d.description} for d in session.diagnoses],
        "prior_notes": [{"date": _iso(p.date), "text": p.text} for p in session.prior_notes],
        "measures": [
            {
                "instrument": x.instrument,
                "items": None if x.items is None else list(x.items),
                "score": x.score,
            }
            for x in session.measures
        ],
        "checklist": {
            "risk": dict(session.checklist.risk),
            "interventions": list(session.checklist.interventions),
            "mental_status": dict(session.checklist.mental_status),
        },
    }


def _date(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _time(value: Any) -> time | None:
    return None if value is None else time.fromisoformat(value)


def session_from_dict(data: dict[str, Any]) -> Session:
    """The inverse of :func:`session_to_dict`."""
    c, m, k = data["client"], data["session"], data["checklist"]
    return Session(
        source=data["source"],
        text=data["text"],
        client=ClientInfo(
            id=c["id"], name=c["name"], names=tuple(c["names"]), pronouns=c["pronouns"], age=c["age"]
        ),
        meta=SessionMeta(
            date=_date(m["date"]),
            start=_time(m["start"]),
            end=_time(m["end"]),
            type=m["type"],
            setting=m["setting"],
            modality=m["modality"],
            participants=tuple(m["participants"]),
        ),
        goals=tuple(Goal(g["id"], g["text"]) for g in data["goals"]),
        diagnoses=tuple(Diagnosis(d["code"], d["description"]) for d in data["diagnoses"]),
        prior_notes=tuple(PriorNote(_date(p["date"]), p["text"]) for p in data["prior_notes"]),
        measures=tuple(
            MeasureInput(x["instrument"], None if x["items"] is None else tuple(x["items"]), x["score"])
            for x in data["measures"]
        ),
        checklist=Checklist(
            risk=MappingProxyType(dict(k["risk"])),
            interventions=tuple(k["interventions"]),
            mental_status=MappingProxyType(dict(k["mental_status"])),
        ),
    )


def note_body(note: Note) -> str:
    """The editable text of a draft: each section's title, then its sentences one per line.

    ``Data:\\nClient reported mood 4/10 most days this week.\\n…\\n\\nAssessment:\\n…``
    """
    return "\n\n".join(
        f"{section.title}:\n" + "\n".join(s.text for s in section.sentences) for section in note.sections
    )
