"""The clinical record as plain data: users and roles, clients, sessions, notes and their life.

A progress note lives in three states::

    draft ──sign_note──────────────────────────────► signed (locked; addenda only)
      │                                                 ▲
      └──request_cosign (a trainee signs)──► awaiting_cosign ──cosign_note (supervisor)──┘
                                                │
                                                └──request_revision (supervisor, comment)──► draft

Example: a trainee's DAP note for a 2026-03-02 session ending 10:50 is signed by the trainee at
11:20 (``minutes_to_signature`` 30), co-signed by their supervisor the next day, and a week
later gets an addendum "Client called to correct the date of the planned pool visit."; the
note's text and its content hash never change after signing.

Only the standard library is imported here (the architecture's rule for ``domain``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Final, Literal

Role = Literal["clinician", "supervisor", "biller", "admin"]
ROLES: Final[tuple[Role, ...]] = ("clinician", "supervisor", "biller", "admin")
"""clinician: their clients; supervisor: theirs and their trainees'; biller: billing fields of
signed notes only; admin: users, retention and the audit log, never clinical content."""

NoteStatus = Literal["draft", "awaiting_cosign", "signed"]
NOTE_STATUSES: Final[tuple[NoteStatus, ...]] = ("draft", "awaiting_cosign", "signed")

AuditAction = Literal["create", "read", "update", "sign", "export", "delete", "login"]
AUDIT_ACTIONS: Final[tuple[AuditAction, ...]] = (
    "create",
    "read",
    "update",
    "sign",
    "export",
    "delete",
    "login",
)


@dataclass(frozen=True)
class Actor:
    """Who is asking. Services look the user up again on every call (role, active, supervisor),
    so a disabled account or a changed role takes effect at once.

    ``user_id`` is ``None`` only for the local operator running maintenance commands
    (``notewell users add``, ``retention apply``…), who acts with the admin role.
    """

    user_id: int | None
    username: str
    channel: str = "service"

    @classmethod
    def operator(cls, login: str) -> Actor:
        """The person at the server's own terminal (they hold the key file; they are trusted)."""
        return cls(user_id=None, username=f"operator:{login}", channel="cli")


@dataclass(frozen=True)
class User:
    """A person who logs in. A clinician with a ``supervisor_id`` is a trainee: their notes need
    the supervisor's co-signature."""

    id: int
    username: str
    full_name: str
    credentials: str
    role: Role
    supervisor_id: int | None
    active: bool
    created_at: datetime

    @property
    def is_trainee(self) -> bool:
        return self.role == "clinician" and self.supervisor_id is not None


@dataclass(frozen=True)
class Client:
    """A person in care. ``label`` is how the practice names them (a name or a chart number)."""

    id: int
    label: str
    clinician_ids: tuple[int, ...]
    created_at: datetime
    last_service_on: date | None


@dataclass(frozen=True)
class Consent:
    """The client's consent to AI-assisted documentation: given on a date, recorded by a user,
    possibly withdrawn later (withdrawal is a new fact; the original record stays)."""

    id: int
    client_id: int
    given_on: date
    recorded_by: int | None
    recorded_at: datetime
    withdrawn_at: datetime | None = None

    @property
    def current(self) -> bool:
        return self.withdrawn_at is None


@dataclass(frozen=True)
class DiagnosisRecord:
    """An ICD-10-CM diagnosis on a client's record, e.g. ``F41.1 Generalized anxiety disorder``."""

    id: int
    client_id: int
    code: str
    description: str
    recorded_at: datetime


@dataclass(frozen=True)
class TreatmentPlan:
    """The client's current goals, e.g. ``(("G1", "PHQ-9 below 10 within 12 weeks"),)``."""

    id: int
    client_id: int
    goals: tuple[tuple[str, str], ...]
    recorded_at: datetime


@dataclass(frozen=True)
class SessionRecord:
    """A session as stored: its input (text, checklist, measures…) as a JSON-ready mapping."""

    id: int
    client_id: int
    clinician_id: int
    date_of_service: date | None
    start: time | None
    end: time | None
    input: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class AiDraft:
    """The engine's draft exactly as generated (sections, sentences with evidence, nudges)."""

    id: int
    session_id: int
    format: str
    content: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class Signature:
    """Name, credentials and time as they were when the person signed (a later rename does not
    rewrite history)."""

    user_id: int
    name: str
    credentials: str
    at: datetime

    @property
    def line(self) -> str:
        """``Signed: Dana Reyes, LCSW, 2026-03-02 11:20 UTC``."""
        creds = f", {self.credentials}" if self.credentials else ""
        return f"{self.name}{creds}, {self.at.strftime('%Y-%m-%d %H:%M')} UTC"


@dataclass(frozen=True)
class NoteRecord:
    """A progress note in the record. ``body`` is the clinician's text (the AI draft is kept
    apart, unchanged); ``version`` grows with every edit and state change (optimistic locking)."""

    id: int
    client_id: int
    session_id: int
    author_id: int
    format: str
    status: NoteStatus
    version: int
    body: str
    created_at: datetime
    updated_at: datetime
    signature: Signature | None = None
    cosignature: Signature | None = None
    content_hash: str | None = None
    late_entry_label: str | None = None
    minutes_to_signature: int | None = None
    edit_ratio: float | None = None

    @property
    def locked(self) -> bool:
        return self.status != "draft"


@dataclass(frozen=True)
class Addendum:
    """A dated, signed later entry on a signed note (correction, late information, clarification)."""

    id: int
    note_id: int
    body: str
    reason: str
    signature: Signature
    content_hash: str


@dataclass(frozen=True)
class NoteReview:
    """A supervisor's step on a trainee's note: revision requested (with a comment) or co-signed."""

    id: int
    note_id: int
    reviewer_id: int
    kind: Literal["cosign_requested", "revision_requested", "cosigned"]
    comment: str | None
    at: datetime


@dataclass(frozen=True)
class PrivateNote:
    """A psychotherapy note (45 CFR 164.501): the clinician's own process notes, kept apart from
    the record, never in a progress note, an export or a billing view."""

    id: int
    client_id: int
    session_id: int | None
    author_id: int
    body: str
    created_at: datetime


@dataclass(frozen=True)
class MeasureResult:
    """An outcome measure on a date, e.g. PHQ-9 12 with its nine item answers."""

    id: int
    client_id: int
    session_id: int | None
    instrument: str
    administered_on: date | None
    score: float
    items: tuple[int, ...] | None
    recorded_by: int | None


@dataclass(frozen=True)
class BillingLine:
    """What a biller may see of a signed note: no clinical text, only what a claim needs."""

    note_id: int
    client_label: str
    date_of_service: date | None
    start: time | None
    end: time | None
    minutes: int | None
    cpt: str | None
    diagnosis_codes: tuple[str, ...]
    clinician: str
    signed_at: datetime
    cosigned_by: str | None


@dataclass(frozen=True)
class PilotFigure:
    """Per signed note: minutes from session end to the author's signature, and how much of the
    AI draft the clinician changed (0.0 = signed as drafted, 1.0 = rewritten)."""

    note_id: int
    author_id: int
    date_of_service: date | None
    minutes_to_signature: int | None
    edit_ratio: float | None
    late_entry: bool


@dataclass(frozen=True)
class AuditEvent:
    """One audit row: who did what to which entity, never what the entity says."""

    seq: int
    at: str
    actor_id: int | None
    actor: str
    role: str
    action: str
    entity: str
    entity_id: int | None
    outcome: str


@dataclass(frozen=True)
class DraftOutcome:
    """What ``draft_note`` hands back: the stored note, the AI draft as stored (sections with
    evidence, nudges) and any warnings (missing consent…)."""

    note: NoteRecord
    session_id: int
    ai_draft_id: int
    warnings: tuple[str, ...] = field(default_factory=tuple)
    ai_draft: dict[str, Any] = field(default_factory=dict)


def content_hash(note_id: int, body: str, signature: Signature, late_entry_label: str | None) -> str:
    """SHA-256 over what was signed, so any later change to the text or signature shows.

    Canonical JSON (sorted keys, UTF-8) of the note id, body, signer, credentials, time and
    late-entry label; the hex digest is stored with the signature.
    """
    canonical = json.dumps(
        {
            "note_id": note_id,
            "body": body,
            "signer_id": signature.user_id,
            "signer": signature.name,
            "credentials": signature.credentials,
            "signed_at": signature.at.isoformat(),
            "late_entry": late_entry_label,
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def session_end(
    date_of_service: date | None, end: time | None, recorded_at: datetime, tz: tzinfo
) -> tuple[datetime, bool]:
    """When the session ended, and whether that is exact.

    With a date and an end time: that wall-clock moment in the clinic's time zone (exact).
    With a date only: the end of that day (inexact, so no minutes-to-signature figure).
    With neither: the time the session was recorded (inexact).
    """
    if date_of_service is not None and end is not None:
        return datetime.combine(date_of_service, end, tzinfo=tz), True
    if date_of_service is not None:
        return datetime.combine(date_of_service, time(23, 59, 59), tzinfo=tz), False
    return recorded_at, False


def late_entry_label(
    date_of_service: date | None, ended: datetime, signed_at: datetime, hours: float, tz: tzinfo
) -> str | None:
    """The permanent label CMS asks for when a note is written late, else ``None``.

    ``late_entry_label(date(2025, 3, 4), end, signed_two_days_later, 24, tz)`` →
    ``"Late entry for DOS 2025-03-04, written 2025-03-06."``
    """
    if signed_at - ended <= timedelta(hours=hours):
        return None
    dos = date_of_service or ended.astimezone(tz).date()
    written = signed_at.astimezone(tz).date()
    return f"Late entry for DOS {dos.isoformat()}, written {written.isoformat()}."


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes from ``start`` to ``end`` (negative if a note was signed before the stated end)."""
    return int((end - start).total_seconds() // 60)
