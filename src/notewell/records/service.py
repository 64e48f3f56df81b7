"""The record's use cases, one method each, every one role-checked and audited.

Every method takes the :class:`~notewell.domain.records.Actor` asking first, looks their
account up again (a disabled user is refused at once), checks the role rules of
:mod:`notewell.records.access`, does its work in one unit of work and records the audit rows
in the same transaction. A refusal is audited too (``outcome=denied``, in its own transaction)
and raised as :class:`~notewell.errors.AccessDenied`. No message, exception or audit row ever
contains note or session text.

A typical life::

    outcome = records.draft_note(dana, client.id, session)          # AI draft kept as generated
    note = records.edit_note(dana, outcome.note.id, new_text, expected_version=1)
    note = records.sign_note(dana, note.id, expected_version=note.version)   # locked from here
    records.add_addendum(dana, note.id, "Client called: pool visit moved to Wed.", reason="late information")
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, tzinfo
from typing import Any, Concatenate, NoReturn, ParamSpec, TypeVar

from notewell.config import ConsentPolicy
from notewell.domain.billing import suggest_cpt
from notewell.domain.records import (
    ROLES,
    Actor,
    Addendum,
    AiDraft,
    AuditEvent,
    BillingLine,
    Client,
    Consent,
    DiagnosisRecord,
    DraftOutcome,
    MeasureResult,
    NoteRecord,
    NoteReview,
    PilotFigure,
    PrivateNote,
    Role,
    SessionRecord,
    Signature,
    TreatmentPlan,
    User,
    content_hash,
    late_entry_label,
    minutes_between,
    session_end,
)
from notewell.domain.session import Diagnosis, Goal, PriorNote, Session
from notewell.errors import (
    AccessDenied,
    ConflictError,
    ConsentRequired,
    InvalidTransition,
    RecordError,
    RecordLocked,
    RecordNotFound,
)
from notewell.exports.contract import note_to_json
from notewell.records import access
from notewell.records.figures import edit_ratio
from notewell.records.ports import AuditCheck, Clock, Drafter, PasswordHasher, RecordStore, UnitOfWork
from notewell.records.serialization import note_body, session_to_dict

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
PRIOR_NOTES_FOR_DRAFT = 3
DASHBOARD_ROWS = 20
"""The dashboard shows (and audits) the most recent 20 notes of each list."""
LATE_ROWS = 10
OPERATOR_ID = 0

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class RecordPolicy:
    """The practice's settings the use cases apply (from :class:`~notewell.config.Settings`)."""

    late_entry_hours: float = 24.0
    ai_consent: ConsentPolicy = "warn"
    retention_years: int = 7
    timezone: tzinfo = UTC


@dataclass(frozen=True)
class ClientProfile:
    """A client's profile: consent, diagnoses, current treatment plan, intake note (if any)."""

    client: Client
    consent: Consent | None
    diagnoses: list[DiagnosisRecord]
    plan: TreatmentPlan | None
    intake_note: NoteRecord | None


@dataclass(frozen=True)
class DashboardItem:
    """One note on the dashboard, with its client's label and date of service; ``open_nudges``
    counts the AI draft's nudges for an unsigned note (``None`` for others)."""

    note: NoteRecord
    client_label: str
    date_of_service: date | None
    open_nudges: int | None = None


@dataclass(frozen=True)
class Dashboard:
    """The dashboard's lists (see :meth:`RecordService.dashboard`)."""

    today: date
    todays_sessions: list[DashboardItem]
    unsigned: list[DashboardItem]
    late_entries: list[DashboardItem]
    cosign_queue: list[DashboardItem]
    unsigned_total: int = 0


class SystemClock:
    """The real clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class _Refusal(Exception):
    def __init__(self, user: User, action: str, entity: str, entity_id: int | None, why: str) -> None:
        super().__init__(why)
        self.user, self.action, self.entity, self.entity_id, self.why = user, action, entity, entity_id, why


def _audits_refusals(
    method: Callable[Concatenate[RecordService, P], R],
) -> Callable[Concatenate[RecordService, P], R]:
    """Turn a refusal into an audited ``denied`` row (own transaction) and :class:`AccessDenied`."""

    def wrapper(self: RecordService, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except _Refusal as refusal:
            with self._uow() as uow:
                self._audit(uow, refusal.user, refusal.action, refusal.entity, refusal.entity_id, "denied")
                uow.commit()
            raise AccessDenied(refusal.why) from None

    functools.update_wrapper(wrapper, method)
    return wrapper


class RecordService:
    """The clinical record's use cases over a unit of work, an engine and a clock."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        drafter: Drafter,
        hasher: PasswordHasher,
        clock: Clock | None = None,
        policy: RecordPolicy | None = None,
        cpt_rules: Mapping[str, Any] | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._drafter = drafter
        self._hasher = hasher
        self._clock = clock or SystemClock()
        self.policy = policy or RecordPolicy()
        self._cpt = cpt_rules
        self._dummy: str | None = None

    # -- plumbing ---------------------------------------------------------------------------

    def _user(self, store: RecordStore, actor: Actor) -> User:
        if actor.user_id is None:
            return User(OPERATOR_ID, actor.username, "Operator", "", "admin", None, True, self._clock.now())
        user = store.get_user(actor.user_id)
        if user is None or not user.active:
            raise AccessDenied(f"user {actor.username!r} is unknown or disabled")
        return user

    def _audit(
        self,
        uow: UnitOfWork,
        user: User,
        action: str,
        entity: str,
        entity_id: int | None,
        outcome: str = "ok",
    ) -> None:
        actor_id = None if user.id == OPERATOR_ID else user.id
        uow.audit(actor_id, user.username, user.role, action, entity, entity_id, outcome)

    def _require_role(
        self, user: User, roles: frozenset[Role], action: str, entity: str, eid: int | None
    ) -> None:
        if user.role not in roles:
            raise _Refusal(user, action, entity, eid, f"a {user.role} may not {action} {entity} records")

    def _client(self, store: RecordStore, user: User, client_id: int, action: str) -> Client:
        self._require_role(user, access.CLINICAL_ROLES, action, "client", client_id)
        client = store.get_client(client_id)
        if client is None:
            raise RecordNotFound(f"client {client_id} not found")
        if not access.can_see_client(user, client, self._trainees(store, user)):
            raise _Refusal(user, action, "client", client_id, f"client {client_id} is not in your care team")
        return client

    def _trainees(self, store: RecordStore, user: User) -> tuple[int, ...]:
        return store.trainee_ids(user.id) if user.role == "supervisor" else ()

    def _note(self, store: RecordStore, user: User, note_id: int, action: str) -> NoteRecord:
        self._require_role(user, access.CLINICAL_ROLES, action, "note", note_id)
        note = store.get_note(note_id)
        if note is None:
            raise RecordNotFound(f"note {note_id} not found")
        client = store.get_client(note.client_id)
        if client is None or not access.can_see_client(user, client, self._trainees(store, user)):
            raise _Refusal(
                user, action, "note", note_id, f"note {note_id} belongs to a client outside your care team"
            )
        return note

    def _author(self, store: RecordStore, note: NoteRecord) -> User:
        author = store.get_user(note.author_id)
        assert author is not None  # foreign key
        return author

    def _signature(self, user: User) -> Signature:
        return Signature(user.id, user.full_name or user.username, user.credentials, self._clock.now())

    # -- users (admin) --------------------------------------------------------------------------

    @_audits_refusals
    def add_user(
        self,
        actor: Actor,
        username: str,
        role: str,
        *,
        full_name: str = "",
        credentials: str = "",
        supervisor: str | None = None,
        password: str | None = None,
    ) -> tuple[User, str]:
        """Create an account; returns it and its password (generated unless given), shown once.

        ``supervisor`` names the supervisor of a trainee clinician (their notes then need
        co-signature).
        """
        username = username.strip().lower()
        if not USERNAME.match(username):
            raise RecordError(
                f"username {username!r}: use 2-64 lower-case letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            )
        if role not in ROLES:
            raise RecordError(f"role {role!r}: choose from {', '.join(ROLES)}")
        if password is not None and len(password) < 12:
            raise RecordError("password: at least 12 characters")
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._require_role(user, frozenset({"admin"}), "create", "user", None)
            if uow.store.get_user_by_username(username) is not None:
                raise RecordError(f"user {username!r} already exists")
            supervisor_id = None
            if supervisor is not None:
                if role != "clinician":
                    raise RecordError("--supervisor: only a clinician (a trainee) has a supervisor")
                boss = uow.store.get_user_by_username(supervisor.strip().lower())
                if boss is None or not boss.active:
                    raise RecordNotFound(f"supervisor {supervisor!r} not found")
                if boss.role != "supervisor":
                    raise RecordError(f"{supervisor!r} has the role {boss.role}, not supervisor")
                supervisor_id = boss.id
            secret = password or secrets.token_urlsafe(15)
            created = uow.store.add_user(
                username,
                full_name.strip() or username,
                credentials.strip(),
                role,
                supervisor_id,
                self._hasher.hash(secret),
                self._clock.now(),
            )
            self._audit(uow, user, "create", "user", created.id)
            uow.commit()
        return created, secret

    @_audits_refusals
    def list_users(self, actor: Actor) -> list[User]:
        """Every account (admin)."""
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._require_role(user, frozenset({"admin"}), "read", "user", None)
            users = uow.store.list_users()
            self._audit(uow, user, "read", "user", None)
            uow.commit()
        return users

    def _admin_and_other_user(
        self, uow: UnitOfWork, actor: Actor, username: str, not_yourself: str
    ) -> tuple[User, User]:
        """The acting admin and the account they act on, which must exist and not be their own
        (an admin cannot lock themself out)."""
        user = self._user(uow.store, actor)
        self._require_role(user, frozenset({"admin"}), "update", "user", None)
        target = uow.store.get_user_by_username(username.strip().lower())
        if target is None:
            raise RecordNotFound(f"user {username!r} not found")
        if target.id == user.id:
            raise RecordError(f"you cannot {not_yourself}")
        return user, target

    @_audits_refusals
    def disable_user(self, actor: Actor, username: str) -> User:
        """Disable an account (admin); it can no longer log in or act. Nothing is deleted."""
        with self._uow() as uow:
            user, target = self._admin_and_other_user(uow, actor, username, "disable your own account")
            uow.store.set_user_active(target.id, False)
            self._audit(uow, user, "update", "user", target.id)
            uow.commit()
        return replace(target, active=False)

    @_audits_refusals
    def change_role(self, actor: Actor, username: str, role: str, supervisor: str | None = None) -> User:
        """Give an account another role (admin), e.g. a trainee who is licensed now becomes a
        clinician without a supervisor, or a clinician becomes a supervisor.

        Refused for one's own account (an admin cannot lock themself out) and for a supervisor
        who still has active trainees (their notes would have nobody to co-sign them).
        """
        if role not in ROLES:
            raise RecordError(f"role {role!r}: choose from {', '.join(ROLES)}")
        with self._uow() as uow:
            user, target = self._admin_and_other_user(uow, actor, username, "change your own role")
            if target.role == "supervisor" and role != "supervisor" and uow.store.trainee_ids(target.id):
                raise RecordError(f"{target.username!r} still supervises trainees; reassign them first")
            supervisor_id = None
            if supervisor:
                if role != "clinician":
                    raise RecordError("supervisor: only a clinician (a trainee) has a supervisor")
                boss = uow.store.get_user_by_username(supervisor.strip().lower())
                if boss is None or not boss.active:
                    raise RecordNotFound(f"supervisor {supervisor!r} not found")
                if boss.role != "supervisor":
                    raise RecordError(f"{supervisor!r} has the role {boss.role}, not supervisor")
                supervisor_id = boss.id
            uow.store.set_user_role(target.id, role, supervisor_id)
            self._audit(uow, user, "update", "user", target.id)
            uow.commit()
        return replace(target, role=role, supervisor_id=supervisor_id)

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy

    def authenticate(self, username: str, password: str) -> User:
        """The account for a login, or :class:`AccessDenied` (same message for every failure)."""
        with self._uow() as uow:
            user = uow.store.get_user_by_username(username.strip().lower())
            if user is None:  # spend the same time as a real check, so usernames cannot be probed
                self._hasher.verify(self._dummy_hash(), password)
            ok = (
                user is not None
                and user.active
                and self._hasher.verify(uow.store.password_hash_of(user.id), password)
            )
            if user is not None:
                self._audit(uow, user, "login", "user", user.id, "ok" if ok else "denied")
            uow.commit()
        if not ok or user is None:
            raise AccessDenied("wrong username or password, or the account is disabled")
        return user

    def current_user(self, actor: Actor) -> User:
        """The actor's own account, looked up again (the web app calls this on every request, so a
        disabled account or a changed role takes effect at the next click). Not audited: it reads
        the person's own login record, no clinical content."""
        with self._uow() as uow:
            return self._user(uow.store, actor)

    def needs_setup(self) -> bool:
        """True while the record has no account at all (the web app's first-run page)."""
        with self._uow() as uow:
            return not uow.store.list_users()

    def setup_admin(self, username: str, password: str, full_name: str = "") -> User:
        """Create the first administrator of a new installation (the web app's setup page).

        Refused once any account exists, so the setup page cannot be replayed to add an admin.
        Audited as done by the operator ``setup``.
        """
        with self._uow() as uow:
            if uow.store.list_users():
                raise AccessDenied("setup is done: this record already has accounts")
        created, _ = self.add_user(
            Actor.operator("web-setup"), username, "admin", full_name=full_name, password=password
        )
        return created

    # -- clients ------------------------------------------------------------------------------

    @_audits_refusals
    def open_client(self, actor: Actor, label: str, clinician: str | None = None) -> tuple[Client, bool]:
        """The client with this label, created (assigned to ``clinician``, default the actor) if new.

        Returns the client and whether it was created. A supervisor may assign a new client to
        one of their trainees.
        """
        label = " ".join(label.split())
        if not label or len(label) > 200:
            raise RecordError("client: give a label of 1-200 characters (a name or chart number)")
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._require_role(user, access.CLINICAL_ROLES, "create", "client", None)
            team = access.care_team(user, self._trainees(uow.store, user))
            existing = uow.store.find_client(label)
            if existing is not None:
                if not team.intersection(existing.clinician_ids):
                    raise _Refusal(
                        user, "read", "client", existing.id, "that client is not in your care team"
                    )
                self._audit(uow, user, "read", "client", existing.id)
                uow.commit()
                return existing, False
            assignee = user
            if clinician is not None:
                found = uow.store.get_user_by_username(clinician.strip().lower())
                if found is None or not found.active:
                    raise RecordNotFound(f"clinician {clinician!r} not found")
                assignee = found
            if assignee.id not in team:
                raise _Refusal(
                    user, "create", "client", None, f"you cannot assign clients to {assignee.username!r}"
                )
            client = uow.store.add_client(label, (assignee.id,), self._clock.now())
            self._audit(uow, user, "create", "client", client.id)
            uow.commit()
        return client, True

    @_audits_refusals
    def get_client(self, actor: Actor, client_id: int) -> Client:
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            client = self._client(uow.store, user, client_id, "read")
            self._audit(uow, user, "read", "client", client.id)
            uow.commit()
        return client

    @_audits_refusals
    def list_clients(self, actor: Actor) -> list[Client]:
        """The clients in the actor's care team (each read is audited)."""
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._require_role(user, access.CLINICAL_ROLES, "read", "client", None)
            found = uow.store.list_clients(access.care_team(user, self._trainees(uow.store, user)))
            for client in found:
                self._audit(uow, user, "read", "client", client.id)
            uow.commit()
        return found

    @_audits_refusals
    def client_profile(self, actor: Actor, client_id: int) -> ClientProfile:
        """The client's profile page: consent, diagnoses, current goals and the intake summary
        (the text of the first note written for an intake session), in one transaction."""
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            client = self._client(uow.store, user, client_id, "read")
            store = uow.store
            intake: NoteRecord | None = None
            for n in store.list_notes(client_id):
                s = store.get_session(n.session_id)
                if s is not None and s.input.get("session", {}).get("type") == "intake":
                    intake = n
                    break
            profile = ClientProfile(
                client,
                store.current_consent(client_id),
                store.list_diagnoses(client_id),
                store.current_treatment_plan(client_id),
                intake,
            )
            self._audit(uow, user, "read", "client", client_id)
            if intake is not None:
                self._audit(uow, user, "read", "note", intake.id)
            uow.commit()
        return profile

    @_audits_refusals
    def record_consent(self, actor: Actor, client_id: int, given_on: date) -> Consent:
        """Record the client's consent to AI-assisted documentation, given on ``given_on``."""
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._client(uow.store, user, client_id, "create")
            consent = uow.store.add_consent(client_id, given_on, user.id, self._clock.now())
            self._audit(uow, user, "create", "consent", consent.id)
            uow.commit()
        return consent

    @_audits_refusals
    def withdraw_consent(self, actor: Actor, client_id: int) -> int:
        """Mark the client's current consents withdrawn (the records stay); returns how many."""
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._client(uow.store, user, client_id, "update")
            count = uow.store.withdraw_consents(client_id, user.id, self._clock.now())
            self._audit(uow, user, "update", "consent", client_id)
            uow.commit()
        return count

    @_audits_refusals
    def consent_status(self, actor: Actor, client_id: int) -> Consent | None:
        """The client's current consent, or ``None`` (never given, or withdrawn)."""
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._client(uow.store, user, client_id, "read")
            consent = uow.store.current_consent(client_id)
            self._audit(uow, user, "read", "consent", client_id)
            uow.commit()
        return consent

    @_audits_refusals
    def record_diagnosis(
        self, actor: Actor, client_id: int, code: str, description: str = ""
    ) -> DiagnosisRecord:
        """Add an ICD-10-CM diagnosis, e.g. ``F33.1`` "Major depressive disorder, recurrent, moderate"."""
        code = code.strip().upper()
        if not re.fullmatch(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?", code):
            raise RecordError(f"diagnosis code {code!r}: expected an ICD-10-CM code like F41.1")
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._client(uow.store, user, client_id, "create")
            dx = uow.store.add_diagnosis(client_id, code, description.strip(), user.id, self._clock.now())
            self._audit(uow, user, "create", "diagnosis", dx.id)
            uow.commit()
        return dx

    @_audits_refusals
    def record_treatment_plan(
        self, actor: Actor, client_id: int, goals: Sequence[tuple[str, str]]
    ) -> TreatmentPlan:
        """Replace the client's current goals (the earlier plan stays in the record)."""
        if not goals or any(not gid.strip() or not text.strip() for gid, text in goals):
            raise RecordError("treatment plan: give at least one goal, each with an id and a text")
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._client(uow.store, user, client_id, "create")
            plan = uow.store.add_treatment_plan(client_id, goals, user.id, self._clock.now())
            self._audit(uow, user, "create", "treatment_plan", plan.id)
            uow.commit()
        return plan

    # -- drafting -------------------------------------------------------------------------------

    @_audits_refusals
    def draft_note(self, actor: Actor, client_id: int, session: Session, fmt: str = "auto") -> DraftOutcome:
        """Store a session, run the engine on it, keep the AI draft as generated, open a draft note.

        Goals, diagnoses and recent signed notes come from the client's record when the session
        input has none (so the engine can link goals and spot cloned wording). Without a current
        consent to AI-assisted documentation the practice policy refuses or warns. The engine
        runs outside any transaction, so a slow draft never holds the database.
        """
        warnings: list[str] = []
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._client(uow.store, user, client_id, "create")
            if uow.store.current_consent(client_id) is None:
                if self.policy.ai_consent == "refuse":
                    raise ConsentRequired(
                        f"client {client_id} has no current consent to AI-assisted documentation; "
                        "record it first (practice policy: refuse)"
                    )
                warnings.append(f"client {client_id} has no recorded consent to AI-assisted documentation")
            session = self._with_record_context(uow.store, client_id, session)
            self._audit(uow, user, "read", "client", client_id)
            uow.commit()
        note = self._drafter.draft(session, fmt)
        meta = session.meta
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._client(uow.store, user, client_id, "create")
            now = self._clock.now()
            stored = uow.store.add_session(
                client_id, user.id, meta.date, meta.start, meta.end, meta.type, session_to_dict(session), now
            )
            content = note_to_json(session.source, note)
            draft = uow.store.add_ai_draft(stored.id, note.format, content, user.id, now)
            record = uow.store.add_note(
                client_id, stored.id, draft.id, user.id, note.format, note_body(note), now
            )
            for measure in session.measures:
                score = measure.score if measure.score is not None else float(sum(measure.items or ()))
                result = uow.store.add_measure(
                    client_id, stored.id, measure.instrument, meta.date, score, measure.items, user.id, now
                )
                self._audit(uow, user, "create", "measure", result.id)
            uow.store.set_last_service(client_id, meta.date or now.astimezone(self.policy.timezone).date())
            self._audit(uow, user, "create", "session", stored.id)
            self._audit(uow, user, "create", "ai_draft", draft.id)
            self._audit(uow, user, "create", "note", record.id)
            uow.commit()
        return DraftOutcome(record, stored.id, draft.id, tuple(warnings), content)

    def _with_record_context(self, store: RecordStore, client_id: int, session: Session) -> Session:
        goals, diagnoses, priors = session.goals, session.diagnoses, session.prior_notes
        if not goals:
            plan = store.current_treatment_plan(client_id)
            goals = tuple(Goal(gid, text) for gid, text in plan.goals) if plan else ()
        if not diagnoses:
            diagnoses = tuple(Diagnosis(d.code, d.description) for d in store.list_diagnoses(client_id))
        if not priors:
            recent = []
            for n in store.last_signed_notes(client_id, PRIOR_NOTES_FOR_DRAFT):
                s = store.get_session(n.session_id)
                recent.append(PriorNote(s.date_of_service if s else None, n.body))
            priors = tuple(recent)
        return replace(session, goals=goals, diagnoses=diagnoses, prior_notes=priors)

    # -- reading ------------------------------------------------------------------------------------

    @_audits_refusals
    def get_note(self, actor: Actor, note_id: int) -> NoteRecord:
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            note = self._note(uow.store, user, note_id, "read")
            self._audit(uow, user, "read", "note", note.id)
            uow.commit()
        return note

    @_audits_refusals
    def list_notes(self, actor: Actor, client_id: int) -> list[NoteRecord]:
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._client(uow.store, user, client_id, "read")
            found = uow.store.list_notes(client_id)
            for n in found:
                self._audit(uow, user, "read", "note", n.id)
            uow.commit()
        return found

    @_audits_refusals
    def get_session(self, actor: Actor, session_id: int) -> SessionRecord:
        """A session with its input (text, checklist, measures) as stored."""
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._require_role(user, access.CLINICAL_ROLES, "read", "session", session_id)
            found = uow.store.get_session(session_id)
            if found is None:
                raise RecordNotFound(f"session {session_id} not found")
            self._client(uow.store, user, found.client_id, "read")
            self._audit(uow, user, "read", "session", session_id)
            uow.commit()
        return found

    @_audits_refusals
    def get_ai_draft(self, actor: Actor, note_id: int) -> AiDraft:
        """The engine's draft behind a note, exactly as generated (with evidence and nudges)."""
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._note(uow.store, user, note_id, "read")
            draft = uow.store.get_ai_draft(uow.store.ai_draft_id_of(note_id))
            assert draft is not None  # foreign key
            self._audit(uow, user, "read", "ai_draft", draft.id)
            uow.commit()
        return draft

    @_audits_refusals
    def note_reviews(self, actor: Actor, note_id: int) -> list[NoteReview]:
        """The co-signature trail of a note (requests, revision comments, co-signature)."""
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._note(uow.store, user, note_id, "read")
            reviews = uow.store.list_reviews(note_id)
            self._audit(uow, user, "read", "note_review", note_id)
            uow.commit()
        return reviews

    @_audits_refusals
    def addenda(self, actor: Actor, note_id: int) -> list[Addendum]:
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._note(uow.store, user, note_id, "read")
            found = uow.store.list_addenda(note_id)
            for a in found:
                self._audit(uow, user, "read", "addendum", a.id)
            uow.commit()
        return found

    @_audits_refusals
    def notes_in_progress(self, actor: Actor) -> list[NoteRecord]:
        """Unsigned notes of the actor's care team: drafts, and trainees' notes awaiting co-signature
        (the dashboard's "to sign" list)."""
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._require_role(user, access.CLINICAL_ROLES, "read", "note", None)
            team = access.care_team(user, self._trainees(uow.store, user))
            found = uow.store.notes_with_status("draft", team) + uow.store.notes_with_status(
                "awaiting_cosign", team
            )
            for n in found:
                self._audit(uow, user, "read", "note", n.id)
            uow.commit()
        return sorted(found, key=lambda n: n.id)

    @_audits_refusals
    def cosign_queue(self, actor: Actor) -> list[NoteRecord]:
        """Trainees' notes waiting for this supervisor's co-signature."""
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._require_role(user, frozenset({"supervisor"}), "read", "note", None)
            trainees = uow.store.trainee_ids(user.id)
            waiting = uow.store.notes_with_status("awaiting_cosign", trainees) if trainees else []
            for n in waiting:
                self._audit(uow, user, "read", "note", n.id)
            uow.commit()
        return waiting

    @_audits_refusals
    def dashboard(self, actor: Actor) -> Dashboard:
        """What a clinician sees first: today's sessions, notes to sign with their open nudges,
        recent late entries and (for a supervisor) trainees' notes to co-sign — one transaction.

        Example: Dana at 17:00 sees two sessions today, one draft with 3 nudges still to close,
        and yesterday's note signed as "Late entry for DOS 2026-03-02, written 2026-03-04."
        Audited as one ``read client`` row per client listed (no note text is shown).
        """
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._require_role(user, access.CLINICAL_ROLES, "read", "note", None)
            store = uow.store
            team = access.care_team(user, self._trainees(store, user))
            today = self._clock.now().astimezone(self.policy.timezone).date()
            labels: dict[int, str] = {}

            def items(notes: list[NoteRecord], nudges: bool = False) -> list[DashboardItem]:
                dates = store.dates_of_service([n.session_id for n in notes])
                drafts = store.ai_drafts_of([n.id for n in notes]) if nudges else {}
                out = []
                for note in notes:
                    if note.client_id not in labels:
                        client = store.get_client(note.client_id)
                        labels[note.client_id] = client.label if client else f"client {note.client_id}"
                    open_nudges = None
                    if nudges:
                        draft = drafts.get(note.id)
                        open_nudges = len(draft.content.get("nudges", [])) if draft else 0
                    out.append(
                        DashboardItem(note, labels[note.client_id], dates.get(note.session_id), open_nudges)
                    )
                return out

            def on(i: DashboardItem) -> date:  # a session without a date happened when written up
                return i.date_of_service or i.note.created_at.astimezone(self.policy.timezone).date()

            # the most recent rows of each list: a page that reads (and audits) every note ever
            # written would slow down as the practice's record grows
            unsigned = items(store.recent_notes("draft", team, DASHBOARD_ROWS), nudges=True)
            waiting = items(store.recent_notes("awaiting_cosign", team, DASHBOARD_ROWS))
            recent_signed = items(store.recent_notes("signed", team, DASHBOARD_ROWS))
            late = items(store.recent_notes("signed", team, LATE_ROWS, late_only=True))
            # what the page shows of a note is its client's label, date, format and state — no
            # note text — so the access is audited as one read of each client listed
            for client_id in labels:
                self._audit(uow, user, "read", "client", client_id)
            board = Dashboard(
                today=today,
                todays_sessions=[i for i in unsigned + waiting + recent_signed if on(i) == today],
                unsigned=unsigned + waiting,
                late_entries=late,
                cosign_queue=waiting if user.role == "supervisor" else [],
                unsigned_total=store.count_notes("draft", team) + store.count_notes("awaiting_cosign", team),
            )
            uow.commit()
        return board

    # -- editing, signing, co-signing ---------------------------------------------------------------

    def _locked_or_conflict(self, store: RecordStore, note_id: int, expected_version: int) -> NoReturn:
        now_note = store.get_note(note_id)
        if now_note is not None and now_note.status == "signed":
            raise RecordLocked(f"note {note_id} is signed and locked; add an addendum instead")
        current = now_note.version if now_note else "gone"
        raise ConflictError(
            f"note {note_id} changed since version {expected_version} (now version {current}); "
            "reload it and apply your change again"
        )

    @_audits_refusals
    def edit_note(self, actor: Actor, note_id: int, body: str, expected_version: int) -> NoteRecord:
        """Replace a draft's text. ``expected_version`` is the version the clinician was editing:
        if someone changed the note since, the edit is refused (:class:`ConflictError`), never merged."""
        if not body.strip():
            raise RecordError("note text is empty")
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            note = self._note(uow.store, user, note_id, "update")
            if note.author_id != user.id:
                raise _Refusal(
                    user,
                    "update",
                    "note",
                    note_id,
                    "only the author edits a draft; a supervisor requests a revision",
                )
            if note.status == "signed":
                raise RecordLocked(f"note {note_id} is signed and locked; add an addendum instead")
            if note.status == "awaiting_cosign":
                raise RecordLocked(
                    f"note {note_id} is awaiting co-signature; it changes only if revision is requested"
                )
            if not uow.store.update_body(note_id, expected_version, body, user.id, self._clock.now()):
                self._locked_or_conflict(uow.store, note_id, expected_version)
            self._audit(uow, user, "update", "note", note_id)
            updated = uow.store.get_note(note_id)
            uow.commit()
        assert updated is not None
        return updated

    def _sign_figures(
        self, store: RecordStore, note: NoteRecord, signature: Signature
    ) -> tuple[str | None, int | None, float]:
        session = store.get_session(note.session_id)
        assert session is not None  # foreign key
        ended, exact = session_end(
            session.date_of_service, session.end, session.created_at, self.policy.timezone
        )
        label = late_entry_label(
            session.date_of_service, ended, signature.at, self.policy.late_entry_hours, self.policy.timezone
        )
        minutes = minutes_between(ended, signature.at) if exact else None
        return label, minutes, edit_ratio(store.first_body(note.id), note.body)

    def _check_signable(self, note: NoteRecord) -> None:
        if note.status == "signed":
            raise RecordLocked(f"note {note.id} is already signed")
        if note.status == "awaiting_cosign":
            raise InvalidTransition(f"note {note.id} is already signed and awaiting co-signature")
        if not note.body.strip():
            raise RecordError(f"note {note.id} is empty; nothing to sign")

    @_audits_refusals
    def sign_note(self, actor: Actor, note_id: int, expected_version: int) -> NoteRecord:
        """Sign and lock a draft: name, credentials, time, content hash; late-entry label and the
        pilot figures (minutes from session end, edit ratio from the AI draft) are fixed here.

        A trainee's note is signed with :meth:`request_cosign` instead. Of two concurrent signs
        exactly one succeeds; the other gets :class:`ConflictError`.
        """
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            note = self._note(uow.store, user, note_id, "sign")
            if note.author_id != user.id:
                raise _Refusal(user, "sign", "note", note_id, "only the author signs a note")
            if user.is_trainee:
                raise InvalidTransition(
                    f"note {note_id}: a trainee's note needs co-signature; use request_cosign"
                )
            self._check_signable(note)
            signature = self._signature(user)
            label, minutes, ratio = self._sign_figures(uow.store, note, signature)
            digest = content_hash(note.id, note.body, signature, label)
            if not uow.store.record_signature(
                note_id, expected_version, "signed", signature, digest, label, minutes, ratio
            ):
                self._locked_or_conflict(uow.store, note_id, expected_version)
            self._audit(uow, user, "sign", "note", note_id)
            signed = uow.store.get_note(note_id)
            uow.commit()
        assert signed is not None
        return signed

    @_audits_refusals
    def request_cosign(
        self, actor: Actor, note_id: int, expected_version: int, comment: str | None = None
    ) -> NoteRecord:
        """A trainee signs their draft and sends it to their supervisor; the text is frozen."""
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            note = self._note(uow.store, user, note_id, "sign")
            if note.author_id != user.id:
                raise _Refusal(user, "sign", "note", note_id, "only the author requests co-signature")
            if not user.is_trainee:
                raise InvalidTransition(
                    f"note {note_id}: you have no supervisor on record; sign the note instead"
                )
            self._check_signable(note)
            signature = self._signature(user)
            label, minutes, ratio = self._sign_figures(uow.store, note, signature)
            digest = content_hash(note.id, note.body, signature, label)
            if not uow.store.record_signature(
                note_id, expected_version, "awaiting_cosign", signature, digest, label, minutes, ratio
            ):
                self._locked_or_conflict(uow.store, note_id, expected_version)
            review = uow.store.add_review(
                note_id, note.client_id, user.id, "cosign_requested", comment, signature.at
            )
            self._audit(uow, user, "sign", "note", note_id)
            self._audit(uow, user, "create", "note_review", review.id)
            updated = uow.store.get_note(note_id)
            uow.commit()
        assert updated is not None
        return updated

    def _supervised_note(self, store: RecordStore, user: User, note_id: int, action: str) -> NoteRecord:
        note = self._note(store, user, note_id, action)
        if not access.supervises(user, self._author(store, note)):
            raise _Refusal(
                user, action, "note", note_id, "only the author's supervisor co-signs or returns a note"
            )
        if note.status == "draft":
            raise InvalidTransition(f"note {note_id} is a draft; co-signature has not been requested")
        return note

    @_audits_refusals
    def cosign_note(
        self, actor: Actor, note_id: int, expected_version: int, comment: str | None = None
    ) -> NoteRecord:
        """The supervisor co-signs a trainee's signed note; it is then final and locked."""
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            note = self._supervised_note(uow.store, user, note_id, "sign")
            if note.status == "signed":
                raise RecordLocked(f"note {note_id} is already co-signed")
            signature = self._signature(user)
            if not uow.store.record_cosignature(note_id, expected_version, signature):
                self._locked_or_conflict(uow.store, note_id, expected_version)
            review = uow.store.add_review(note_id, note.client_id, user.id, "cosigned", comment, signature.at)
            self._audit(uow, user, "sign", "note", note_id)
            self._audit(uow, user, "create", "note_review", review.id)
            updated = uow.store.get_note(note_id)
            uow.commit()
        assert updated is not None
        return updated

    @_audits_refusals
    def request_revision(self, actor: Actor, note_id: int, expected_version: int, comment: str) -> NoteRecord:
        """The supervisor returns a trainee's note with a comment; it becomes an editable draft
        again (the trainee's earlier signature stays in the review trail and the audit log)."""
        if not comment.strip():
            raise RecordError("a revision request needs a comment saying what to change")
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            note = self._supervised_note(uow.store, user, note_id, "update")
            if note.status == "signed":
                raise RecordLocked(f"note {note_id} is co-signed and locked; add an addendum instead")
            now = self._clock.now()
            if not uow.store.return_to_draft(note_id, expected_version, now):
                self._locked_or_conflict(uow.store, note_id, expected_version)
            review = uow.store.add_review(
                note_id, note.client_id, user.id, "revision_requested", comment, now
            )
            self._audit(uow, user, "update", "note", note_id)
            self._audit(uow, user, "create", "note_review", review.id)
            updated = uow.store.get_note(note_id)
            uow.commit()
        assert updated is not None
        return updated

    @_audits_refusals
    def add_addendum(self, actor: Actor, note_id: int, body: str, reason: str) -> Addendum:
        """A dated, signed addendum to a signed note (``reason``: correction, late information…).

        The note itself is not touched: its text and content hash stay byte-identical.
        """
        if not body.strip() or not reason.strip():
            raise RecordError("an addendum needs a text and a reason")
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            note = self._note(uow.store, user, note_id, "create")
            if note.status != "signed":
                raise InvalidTransition(
                    f"note {note_id} is not signed; edit the draft instead of adding an addendum"
                )
            signature = self._signature(user)
            digest = content_hash(note_id, f"{reason.strip()}\n{body}", signature, None)
            added = uow.store.add_addendum(note_id, note.client_id, body, reason.strip(), signature, digest)
            self._audit(uow, user, "create", "addendum", added.id)
            uow.commit()
        return added

    # -- measures and private notes ----------------------------------------------------------------

    @_audits_refusals
    def record_measure(
        self,
        actor: Actor,
        client_id: int,
        instrument: str,
        score: float,
        *,
        items: Sequence[int] | None = None,
        administered_on: date | None = None,
        session_id: int | None = None,
    ) -> MeasureResult:
        """Record an outcome measure, e.g. PHQ-9 12 with its nine item answers, for trends."""
        if not instrument.strip():
            raise RecordError("measure: name the instrument (PHQ-9, GAD-7, PCL-5…)")
        if score < 0 or (items is not None and any(i < 0 for i in items)):
            raise RecordError("measure: scores and item answers cannot be negative")
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._client(uow.store, user, client_id, "create")
            if session_id is not None:
                s = uow.store.get_session(session_id)
                if s is None or s.client_id != client_id:
                    raise RecordNotFound(f"session {session_id} not found for client {client_id}")
            result = uow.store.add_measure(
                client_id,
                session_id,
                instrument.strip(),
                administered_on,
                score,
                items,
                user.id,
                self._clock.now(),
            )
            self._audit(uow, user, "create", "measure", result.id)
            uow.commit()
        return result

    @_audits_refusals
    def list_measures(self, actor: Actor, client_id: int) -> list[MeasureResult]:
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._client(uow.store, user, client_id, "read")
            found = uow.store.list_measures(client_id)
            self._audit(uow, user, "read", "measure", client_id)
            uow.commit()
        return found

    @_audits_refusals
    def write_private_note(
        self, actor: Actor, client_id: int, body: str, session_id: int | None = None
    ) -> PrivateNote:
        """Store a psychotherapy note (the clinician's process notes), apart from the record."""
        if not body.strip():
            raise RecordError("private note text is empty")
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._client(uow.store, user, client_id, "create")
            if session_id is not None:
                s = uow.store.get_session(session_id)
                if s is None or s.client_id != client_id:
                    raise RecordNotFound(f"session {session_id} not found for client {client_id}")
            note = uow.store.add_private_note(client_id, session_id, user.id, body, self._clock.now())
            self._audit(uow, user, "create", "private_note", note.id)
            uow.commit()
        return note

    @_audits_refusals
    def read_private_notes(self, actor: Actor, client_id: int) -> list[PrivateNote]:
        """The private notes of this client the actor may read: their own, and (for a
        supervisor) their trainees'. Another clinician on the same client sees none of them."""
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._client(uow.store, user, client_id, "read")
            authors = {user.id, *self._trainees(uow.store, user)}
            found = uow.store.list_private_notes(client_id, authors)
            for n in found:
                self._audit(uow, user, "read", "private_note", n.id)
            uow.commit()
        return found

    # -- exports, billing, figures -----------------------------------------------------------------

    @_audits_refusals
    def export_note(self, actor: Actor, note_id: int) -> str:
        """A signed note as plain text for release: text, late-entry label, signatures, addenda.

        Private notes are never part of an export.
        """
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            note = self._note(uow.store, user, note_id, "export")
            if note.status != "signed":
                raise InvalidTransition(f"note {note_id} is not signed; only signed notes are exported")
            session = uow.store.get_session(note.session_id)
            addenda = uow.store.list_addenda(note_id)
            self._audit(uow, user, "export", "note", note_id)
            uow.commit()
        assert session is not None and note.signature is not None
        dos = session.date_of_service.isoformat() if session.date_of_service else "not recorded"
        lines = [f"{note.format.upper()} progress note — date of service {dos}", ""]
        if note.late_entry_label:
            lines += [note.late_entry_label, ""]
        lines += [note.body, "", f"Signed: {note.signature.line}"]
        if note.cosignature:
            lines.append(f"Co-signed: {note.cosignature.line}")
        lines.append(f"Content hash (SHA-256): {note.content_hash}")
        for a in addenda:
            lines += ["", f"Addendum ({a.reason}), {a.signature.line}:", a.body]
        return "\n".join(lines) + "\n"

    @_audits_refusals
    def billing_lines(self, actor: Actor) -> list[BillingLine]:
        """For billers: each signed note's date, times, minutes, suggested CPT, diagnosis codes and
        signer — no clinical text. Unsigned notes are not billable and do not appear."""
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._require_role(user, frozenset({"biller"}), "read", "billing", None)
            lines: list[BillingLine] = []
            for note in uow.store.notes_with_status("signed", None):
                session = uow.store.get_session(note.session_id)
                client = uow.store.get_client(note.client_id)
                assert session is not None and client is not None and note.signature is not None
                minutes = None
                if session.start is not None and session.end is not None:
                    minutes = (session.end.hour * 60 + session.end.minute) - (
                        session.start.hour * 60 + session.start.minute
                    )
                cpt = None
                if self._cpt is not None:
                    session_type = session.input.get("session", {}).get("type")
                    suggestion = suggest_cpt(session_type, minutes, self._cpt)
                    cpt = suggestion.text if suggestion else None
                codes = [d["code"] for d in session.input.get("diagnoses", [])] or [
                    d.code for d in uow.store.list_diagnoses(note.client_id)
                ]
                lines.append(
                    BillingLine(
                        note_id=note.id,
                        client_label=client.label,
                        date_of_service=session.date_of_service,
                        start=session.start,
                        end=session.end,
                        minutes=minutes,
                        cpt=cpt,
                        diagnosis_codes=tuple(codes),
                        clinician=f"{note.signature.name}, {note.signature.credentials}".rstrip(", "),
                        signed_at=note.signature.at,
                        cosigned_by=note.cosignature.name if note.cosignature else None,
                    )
                )
                self._audit(uow, user, "read", "billing", note.id)
            uow.commit()
        return lines

    @_audits_refusals
    def pilot_figures(self, actor: Actor) -> list[PilotFigure]:
        """Minutes from session end to signature and edit ratio, per signed note of the care team."""
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._require_role(user, access.CLINICAL_ROLES, "read", "pilot_figures", None)
            team = access.care_team(user, self._trainees(uow.store, user))
            figures = []
            for status in ("awaiting_cosign", "signed"):
                for note in uow.store.notes_with_status(status, team):
                    session = uow.store.get_session(note.session_id)
                    figures.append(
                        PilotFigure(
                            note.id,
                            note.author_id,
                            session.date_of_service if session else None,
                            note.minutes_to_signature,
                            note.edit_ratio,
                            note.late_entry_label is not None,
                        )
                    )
            self._audit(uow, user, "read", "pilot_figures", None)
            uow.commit()
        return sorted(figures, key=lambda f: f.note_id)

    # -- administration (admin) -------------------------------------------------------------------

    @_audits_refusals
    def audit_log(self, actor: Actor, after_seq: int = 0, limit: int = 100) -> list[AuditEvent]:
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._require_role(user, frozenset({"admin"}), "read", "audit", None)
            events = uow.store.audit_events(after_seq, limit)
            self._audit(uow, user, "read", "audit", None)
            uow.commit()
        return events

    @_audits_refusals
    def verify_audit(self, actor: Actor) -> AuditCheck:
        """Recompute the audit hash chain (admin); the report names the first broken event."""
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._require_role(user, frozenset({"admin"}), "read", "audit", None)
            report = uow.store.verify_audit()
            uow.commit()
        return report

    def retention_cutoff(self, today: date) -> date:
        """Clients whose last service was before this date are past retention."""
        years = self.policy.retention_years
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - years, day=28)

    @_audits_refusals
    def apply_retention(self, actor: Actor, dry_run: bool = False) -> list[int]:
        """Remove every client whose last service is older than the retention period (admin).

        The whole record goes (sessions, drafts, notes, addenda, private notes, measures,
        consents); one ``delete`` audit row per client, with its id only. Returns the ids.
        """
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._require_role(user, frozenset({"admin"}), "delete", "client", None)
            now = self._clock.now()
            due = uow.store.clients_last_seen_before(
                self.retention_cutoff(now.astimezone(self.policy.timezone).date())
            )
            if not dry_run:
                for client_id in due:
                    uow.store.purge_client(client_id, now)
                    self._audit(uow, user, "delete", "client", client_id)
                uow.commit()
        return due

    @_audits_refusals
    def rotate_keys(self, actor: Actor) -> tuple[str, int]:
        """Re-encrypt every ciphertext under a new data key and delete the old keys (admin).

        Returns the new key id and how many values were re-encrypted.
        """
        with self._uow() as uow:
            user = self._user(uow.store, actor)
            self._require_role(user, frozenset({"admin"}), "update", "keys", None)
            kid, count = uow.store.rotate_keys(self._clock.now())
            self._audit(uow, user, "update", "keys", None)
            uow.commit()
        return kid, count
