"""Scoring a completed form (``notewell score``) and a client's measures over time
(``notewell trends``).

Measurement-based care asks two questions of every score: how bad is it now (the band and the
flags — PHQ-9 item 9, a positive screen, a provisional PTSD pattern, a C-SSRS triage level) and
is the client getting better (change since the first and the previous score: reliable or not, a
response, a remission).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from notewell.domain.facts import Facts
from notewell.domain.measures import Change, ScoreResult, ScoringError, band, change, score_items
from notewell.domain.session import Session
from notewell.errors import InputError, UsageError
from notewell.services.ports import FactExtractor


def find_instrument(instruments: Mapping[str, Mapping[str, Any]], name: str) -> Mapping[str, Any]:
    """The instrument named by its id or an alias, in any case ("phq9", "PHQ-9", "Pcl-5")."""
    wanted = _key(name)
    for spec in instruments.values():
        names = [spec["id"], *spec.get("aliases", [])]
        if any(_key(n) == wanted for n in names):
            return spec
    known = ", ".join(sorted(s["id"] for s in instruments.values() if s.get("items")))
    raise UsageError(f"unknown instrument {name!r}; expected one of: {known}")


def _key(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def score_instrument(
    instruments: Mapping[str, Mapping[str, Any]], name: str, items: Sequence[str]
) -> ScoreResult:
    """Score the answers given on the command line (``notewell score PHQ-9 1 2 0 …``)."""
    spec = find_instrument(instruments, name)
    answers: list[int] = []
    for n, raw in enumerate(items, start=1):
        try:
            answers.append(int(raw))
        except ValueError:
            raise InputError(f"{spec['id']} item {n}: expected a whole number, got {raw!r}") from None
    try:
        return score_items(spec, answers)
    except ScoringError as exc:
        raise InputError(str(exc)) from None


# ------------------------------------------------------------------------------ trends
@dataclass(frozen=True)
class Point:
    """One score of one instrument on one date."""

    date: date
    score: float
    band: str | None
    source: str  # "measure" (entered form), "text" (written in the note) or "prior_note"


@dataclass(frozen=True)
class SessionSummary:
    """What a session shows about readiness to change, skills and symptoms."""

    date: date | None
    source: str
    change_talk: int
    sustain_talk: int
    techniques: tuple[str, ...]
    homework_assigned: tuple[str, ...]
    homework_reviewed: bool
    symptoms: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Trends:
    """One client's course across sessions, sorted by date."""

    series: dict[str, list[Point]] = field(default_factory=dict)
    sessions: list[SessionSummary] = field(default_factory=list)

    def changes(self, instruments: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        """Per instrument: first → last and previous → last."""
        out: dict[str, dict[str, Any]] = {}
        for name, points in self.series.items():
            if len(points) < 2:
                continue
            spec = instruments.get(name, {})
            out[name] = {
                "first_to_last": _change_json(
                    points[0], points[-1], change(points[0].score, points[-1].score, spec)
                ),
                "previous_to_last": _change_json(
                    points[-2], points[-1], change(points[-2].score, points[-1].score, spec)
                ),
            }
        return out


def _change_json(a: Point, b: Point, ch: Change) -> dict[str, Any]:
    return {
        "from": {"date": a.date.isoformat(), "score": a.score},
        "to": {"date": b.date.isoformat(), "score": b.score},
        "delta": ch.delta,
        "percent": ch.percent,
        "reliable": ch.reliable,
        "direction": ch.direction,
        "response": ch.response,
        "remission": ch.remission,
    }


def build_trends(
    sessions: Sequence[Session], extractor: FactExtractor, instruments: Mapping[str, Mapping[str, Any]]
) -> Trends:
    """A client's sessions (any order) → measure series, changes, talk, skills and symptoms.

    A session without a date cannot be placed on the timeline: it is refused with its file name.
    Scores come from entered forms and from the note text; one score per instrument per date
    (the entered form wins over a mention of the same score in the text).
    """
    undated = [s.source for s in sessions if s.meta.date is None]
    if undated:
        raise InputError(f"{undated[0]}: session.date: a dated session is needed to place it on the timeline")
    ordered = sorted(sessions, key=lambda s: (s.meta.date, s.meta.start or ""))
    series: dict[str, dict[date, Point]] = {}
    summaries: list[SessionSummary] = []
    for session in ordered:
        facts = extractor.extract(session)
        when = session.meta.date
        assert when is not None
        for m in facts.measures:
            spec = instruments.get(m.instrument, {})
            if spec.get("scored", True) is False:
                continue
            point = Point(when, m.score, band(m.score, spec) if spec else None, m.source)
            held = series.setdefault(m.instrument, {})
            if when not in held or (held[when].source != "measure" and m.source == "measure"):
                held[when] = point
        summaries.append(_summary(session, facts))
    return Trends({k: [v[d] for d in sorted(v)] for k, v in series.items()}, summaries)


def _summary(session: Session, facts: Facts) -> SessionSummary:
    change_n = sum(1 for c in facts.change_talk if c.kind == "change")
    sustain_n = sum(1 for c in facts.change_talk if c.kind == "sustain")
    symptoms = tuple(
        {
            k: v
            for k, v in (
                ("name", s.name),
                ("frequency", s.frequency),
                ("intensity", s.intensity),
                ("duration", s.duration),
            )
            if v
        }
        for s in facts.symptoms
        if not s.negated
    )
    return SessionSummary(
        date=session.meta.date,
        source=session.source,
        change_talk=change_n,
        sustain_talk=sustain_n,
        techniques=tuple(i.technique for i in facts.interventions),
        homework_assigned=tuple(h.text for h in facts.homework),
        homework_reviewed=any(i.technique == "homework_review" for i in facts.interventions),
        symptoms=symptoms,
    )


def trends_to_json(trends: Trends, instruments: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The ``notewell trends --json`` object."""
    return {
        "measures": {
            name: [
                {"date": p.date.isoformat(), "score": p.score, "band": p.band, "source": p.source}
                for p in points
            ]
            for name, points in trends.series.items()
        },
        "changes": trends.changes(instruments),
        "change_talk": [
            {
                "date": s.date.isoformat() if s.date else None,
                "change": s.change_talk,
                "sustain": s.sustain_talk,
                "ratio": round(s.change_talk / s.sustain_talk, 2) if s.sustain_talk else None,
            }
            for s in trends.sessions
        ],
        "skills": [
            {
                "date": s.date.isoformat() if s.date else None,
                "techniques": list(s.techniques),
                "homework_assigned": list(s.homework_assigned),
                "homework_reviewed": s.homework_reviewed,
            }
            for s in trends.sessions
        ],
        "symptoms": [
            {"date": s.date.isoformat() if s.date else None, "symptoms": list(s.symptoms)}
            for s in trends.sessions
        ],
    }
