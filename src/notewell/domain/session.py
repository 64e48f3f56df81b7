"""A therapy session as Notewell receives it (see ``eval/SCHEMA.md`` §1).

A session is what happened (``text``: shorthand, dictation or a transcript) plus what the
clinician already knows: goals, diagnoses, prior notes, structured measures and a checklist.
Example: a 53-minute telehealth CBT session on 2026-01-14 whose text reads
``S: Cl reports mood 4/10 this wk…`` with goal ``G1: Reduce depressive symptoms to PHQ-9 below 10``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from types import MappingProxyType
from typing import Final

SESSION_TYPES: Final = ("individual", "couples", "family", "group", "intake", "crisis")
CARE_SETTINGS: Final = ("outpatient", "telehealth", "inpatient", "community", "school")

RISK_VALUES: Final[MappingProxyType[str, tuple[str, ...]]] = MappingProxyType(
    {
        "suicidal_ideation": ("active", "passive", "denied", "not_assessed"),
        "suicide_plan": ("present", "denied", "not_assessed"),
        "suicide_intent": ("present", "denied", "not_assessed"),
        "means_access": ("present", "denied", "not_assessed"),
        "suicide_attempt_history": ("reported", "denied", "not_assessed"),
        "homicidal_ideation": ("present", "denied", "not_assessed"),
        "self_harm": ("current", "past", "denied", "not_assessed"),
        "abuse_neglect": ("reported", "denied", "not_assessed"),
        "safety_plan": ("created", "reviewed", "not_documented"),
    }
)
"""The nine risk keys and their values, most severe first (the order is the precedence)."""

RISK_KEYS: Final = tuple(RISK_VALUES)

UNKNOWN_RISK_VALUE: Final = MappingProxyType(
    {key: ("not_documented" if key == "safety_plan" else "not_assessed") for key in RISK_KEYS}
)

POSITIVE_RISK_VALUES: Final = frozenset(
    {"active", "passive", "present", "reported", "current", "past", "created", "reviewed"}
)


def risk_precedence(key: str, value: str) -> int:
    """Lower is more severe: ``active`` (0) beats ``passive`` (1) beats ``denied`` (2).

    When two sources disagree (text says denied, checklist says passive) the more severe
    value wins, so a risk statement is never silently dropped.
    """
    return RISK_VALUES[key].index(value)


COUPLE_SEPARATOR: Final = re.compile(r"\s+(?:and|&|\+)\s+")
"""Between two partners' names in one ``client.name``: "Dana and Reggie"."""


@dataclass(frozen=True)
class ClientInfo:
    """Who the session is about. ``names`` lists both partners for a couples client."""

    id: str | None = None
    name: str | None = None
    names: tuple[str, ...] = ()
    pronouns: str | None = None
    age: int | None = None

    @property
    def all_names(self) -> tuple[str, ...]:
        """Every name the client goes by; a couple named together ("Dana and Reggie",
        "Dana & Reggie") is two names, each partner being the client of a couples session."""
        given = ((self.name,) if self.name else ()) + self.names
        return tuple(part for n in given if n for part in COUPLE_SEPARATOR.split(n.strip()) if part)


@dataclass(frozen=True)
class SessionMeta:
    """Date, times, type and setting: the metadata a note and a claim need."""

    date: date | None = None
    start: time | None = None
    end: time | None = None
    type: str | None = None
    setting: str | None = None
    modality: str | None = None
    participants: tuple[str, ...] = ()

    @property
    def duration_minutes(self) -> int | None:
        """Face-to-face minutes from start to end, when both are known."""
        if self.start is None or self.end is None:
            return None
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)


@dataclass(frozen=True)
class Goal:
    """A treatment-plan goal, e.g. ``G2: Re-engage in at least 3 pleasant activities per week``."""

    id: str
    text: str


@dataclass(frozen=True)
class Diagnosis:
    """An ICD-10-CM diagnosis as given, e.g. ``F33.1 Major depressive disorder, recurrent, moderate``."""

    code: str
    description: str = ""


@dataclass(frozen=True)
class PriorNote:
    """An earlier signed note for this client (oldest first in a session file)."""

    date: date | None
    text: str


@dataclass(frozen=True)
class MeasureInput:
    """A structured measure entered by the clinician: item answers or a total score.

    ``MeasureInput("PHQ-9", items=(2, 2, 1, 2, 1, 1, 2, 1, 0))`` totals 12; item 9 is 0.
    """

    instrument: str
    items: tuple[int, ...] | None = None
    score: float | None = None


@dataclass(frozen=True)
class Checklist:
    """Answers ticked during the session: risk values, interventions, mental-status picks."""

    risk: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))
    interventions: tuple[str, ...] = ()
    mental_status: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Session:
    """One session file, validated. ``source`` is the path as given (``-`` for stdin)."""

    source: str
    text: str
    client: ClientInfo = field(default_factory=ClientInfo)
    meta: SessionMeta = field(default_factory=SessionMeta)
    goals: tuple[Goal, ...] = ()
    diagnoses: tuple[Diagnosis, ...] = ()
    prior_notes: tuple[PriorNote, ...] = ()
    measures: tuple[MeasureInput, ...] = ()
    checklist: Checklist = field(default_factory=Checklist)

    @property
    def client_names(self) -> tuple[str, ...]:
        """The client's names: as given, or — in a family or group file that names no client —
        the first participant who is not the clinician or a relative ("participants: [Ayla,
        Renata, Luis]" → Ayla), the convention session files follow."""
        if self.client.all_names or self.meta.type not in ("family", "group"):
            return self.client.all_names
        for person in self.meta.participants:
            if person.strip().lower() not in NOT_THE_CLIENT:
                return (person,)
        return ()


NOT_THE_CLIENT: Final = frozenset(
    "therapist clinician counselor counsellor leader facilitator co-leader cofacilitator t mom mum dad mother"
    " father"
    " parent stepmother stepfather stepmom stepdad husband wife partner spouse sister brother grandmother"
    " grandfather grandma grandpa aunt uncle guardian caregiver teacher interpreter".split()
)
"""Participant labels that are never the identified client."""
