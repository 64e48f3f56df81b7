"""Facts: what extraction found in a session, each with evidence spans into its text.

Facts are the only thing composition and review see of the session's text. Example: the
shorthand ``Denies current SI/HI, no plan or intent.`` becomes
``RiskFinding("suicidal_ideation", "denied", evidence=(Evidence(…),))`` and its siblings for
``homicidal_ideation``, ``suicide_plan`` and ``suicide_intent``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Literal

from notewell.domain.evidence import Evidence

Role = Literal["therapist", "client", "other", "narrative"]
"""Who is speaking: a transcript turn by the therapist, the client, another participant
(a parent, a partner, a group member), or the clinician's own shorthand/dictation (narrative)."""

Source = Literal["text", "checklist", "measure"]


@dataclass(frozen=True)
class Turn:
    """A stretch of text spoken by one speaker (a transcript line) or written by the clinician."""

    role: Role
    speaker: str | None
    start: int
    end: int
    content_start: int
    """Where the words begin, after the ``T:``/``Client:`` label."""


@dataclass(frozen=True)
class Sentence:
    """A sentence (or shorthand line) inside one turn.

    ``section`` is the shorthand section it sits under (``subjective``, ``plan``, ``risk``, …)
    when the clinician used labels such as ``S:`` or ``Plan:``.
    """

    start: int
    end: int
    turn: int
    role: Role
    section: str | None = None

    @property
    def evidence(self) -> Evidence:
        return Evidence(self.start, self.end)


@dataclass(frozen=True)
class RiskStatement:
    """One statement bearing on a risk key, e.g. ``Denies SI`` → (suicidal_ideation, denied)."""

    key: str
    value: str
    evidence: tuple[Evidence, ...]
    source: Source = "text"
    rule: str | None = None
    historical: bool = False
    """The statement is about the past ("No hx of suicide attempts", "cut in 8th grade")."""


@dataclass(frozen=True)
class RiskFinding:
    """The resolved value of one risk key, with the statements that support it.

    ``value`` is the most severe value any source gave (text, checklist or measure);
    ``evidence`` points at the text that supports that value (empty when only the checklist
    or a measure supports it); ``statements`` keeps every statement for review.
    """

    key: str
    value: str
    evidence: tuple[Evidence, ...] = ()
    sources: tuple[Source, ...] = ()
    statements: tuple[RiskStatement, ...] = ()


@dataclass(frozen=True)
class Intervention:
    """A technique delivered in the session, e.g. ``cognitive_defusion`` (ACT)."""

    technique: str
    modality: str
    evidence: tuple[Evidence, ...] = ()
    source: Source = "text"


@dataclass(frozen=True)
class ClientResponse:
    """How the client responded in session: a rating change, engagement, or their own words.

    Example: ``Belief in original thought 80% -> 45%`` (kind ``rating_change``).
    """

    kind: Literal["rating_change", "engagement", "statement"]
    evidence: tuple[Evidence, ...]
    before: float | None = None
    after: float | None = None


@dataclass(frozen=True)
class Homework:
    """A task assigned for between sessions, in the words of the session."""

    text: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class PriorScore:
    """An earlier score mentioned alongside the current one: ``PHQ-9 14 (17 on 1/7)``."""

    score: float
    label: str | None = None


@dataclass(frozen=True)
class MeasureScore:
    """A measure total: from the text (``PHQ-9 14``), from entered items, or entered as a score."""

    instrument: str
    score: float
    evidence: tuple[Evidence, ...] = ()
    source: Source = "text"
    items: tuple[int, ...] | None = None
    prior: tuple[PriorScore, ...] = ()


@dataclass(frozen=True)
class EarlierScore:
    """A score written in an earlier note (``prior_notes``): ``Session 3. PHQ-9 16.`` on 2026-09-29.
    It has no evidence in this session's text; ``note_index`` says which note it came from."""

    instrument: str
    score: float
    date: date | None
    note_index: int


@dataclass(frozen=True)
class Quote:
    """A salient client statement, verbatim (``"I always mess everything up"``)."""

    text: str
    evidence: tuple[Evidence, ...]
    salience: float = 0.0


@dataclass(frozen=True)
class Distortion:
    """A cognitive distortion in the client's words (one of the 12 CBT labels)."""

    type: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class ChangeTalk:
    """Motivational-interviewing client language: ``change`` (DARN-CAT) or ``sustain`` talk."""

    kind: Literal["change", "sustain"]
    evidence: tuple[Evidence, ...]
    confidence: float = 1.0


@dataclass(frozen=True)
class Symptom:
    """A symptom with its measurable detail, e.g. sleep ``4-5 hours a night`` for ``two weeks``."""

    name: str
    evidence: tuple[Evidence, ...]
    frequency: str | None = None
    intensity: str | None = None
    duration: str | None = None
    negated: bool = False


@dataclass(frozen=True)
class FunctionalImpact:
    """How symptoms affect work, school, relationships, self-care or safety."""

    domain: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Medication:
    """A medication named in the session, with adherence when stated."""

    name: str
    evidence: tuple[Evidence, ...]
    adherence: str | None = None


@dataclass(frozen=True)
class MentalStatus:
    """A mental-status observation the clinician actually made (``Affect constricted``)."""

    domain: str
    finding: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class PersonMention:
    """Someone other than the client: by name (``Mateo``) or relation (``his brother``)."""

    text: str
    evidence: tuple[Evidence, ...]
    relation: str | None = None
    is_name: bool = False


@dataclass(frozen=True)
class ThirdPartyDetail:
    """A sensitive detail about someone other than the client ("his brother-in-law was arrested
    for drunk driving", "her mother's dementia"). Notes leave the sentence out; when the person is
    named, review flags it (``third_party_detail``)."""

    phrase: str
    rule: str
    evidence: tuple[Evidence, ...]
    person: str
    named: bool


@dataclass(frozen=True)
class GoalLink:
    """A treatment-plan goal the session addressed, and why we think so.

    ``basis`` is ``named`` (the text cites the goal id: "worked toward G1"), ``measure`` (the
    goal's instrument was scored this session), ``symptom`` (the goal's target symptom was
    discussed) or ``words`` (the goal's own key words appear).
    """

    goal_id: str
    basis: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class PlanStep:
    """A concrete next step that is not homework: the next appointment, a check-in, a call."""

    text: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class PriorStatement:
    """A risk statement read from an earlier note, for contradiction checks."""

    note_index: int
    statement: RiskStatement


@dataclass(frozen=True)
class HistoryNote:
    """What a note says about the client's history beyond risk: a medication named, a diagnosis
    written, or a denial of either ("never prescribed any medication"). Read from this session and
    from prior notes (``note_index`` is ``None`` for this session) to find contradictions."""

    kind: str  # medication | denies_medication | diagnosis | denies_diagnosis
    text: str
    evidence: tuple[Evidence, ...]
    note_index: int | None = None


@dataclass(frozen=True)
class Facts:
    """Everything extracted from one session, ready for composition and review."""

    risk: MappingProxyType[str, RiskFinding]
    interventions: tuple[Intervention, ...] = ()
    responses: tuple[ClientResponse, ...] = ()
    homework: tuple[Homework, ...] = ()
    measures: tuple[MeasureScore, ...] = ()
    quotes: tuple[Quote, ...] = ()
    distortions: tuple[Distortion, ...] = ()
    change_talk: tuple[ChangeTalk, ...] = ()
    symptoms: tuple[Symptom, ...] = ()
    functional_impacts: tuple[FunctionalImpact, ...] = ()
    medications: tuple[Medication, ...] = ()
    mental_status: tuple[MentalStatus, ...] = ()
    small_talk: tuple[Evidence, ...] = ()
    people: tuple[PersonMention, ...] = ()
    third_party_details: tuple[ThirdPartyDetail, ...] = ()
    private_sections: tuple[Evidence, ...] = ()
    """Lines labelled as the clinician's private process notes ("Note to self: …"): nothing
    is extracted from them and no note carries them; review tells the clinician to move them."""
    goal_links: tuple[GoalLink, ...] = ()
    plan_steps: tuple[PlanStep, ...] = ()
    prior_statements: tuple[PriorStatement, ...] = ()
    history_notes: tuple[HistoryNote, ...] = ()
    earlier_scores: tuple[EarlierScore, ...] = ()
    session_times: tuple[Evidence, ...] = ()
    """Where the text states the session's times ("Session time: 10:15-11:00")."""
    turns: tuple[Turn, ...] = ()
    sentences: tuple[Sentence, ...] = ()
    fired_rules: frozenset[str] = field(default_factory=frozenset)
    """Ids of every lexicon rule that fired: lets each rule's examples be tested end to end."""
