"""Role × service matrix: every record use case, called by every kind of user, on both databases.

The people: Dana (clinician), Tom (clinician in training, supervised by Sam), Sam (supervisor),
Bill (biller), Ada (admin). The client "Shared" is assigned to Dana and Tom; Sam sees it
through Tom. Each call gets fresh targets, so one allowed call cannot change the next one's
outcome. "Allowed" means the call succeeds; "denied" means :class:`AccessDenied` and an audit
row with ``outcome=denied`` naming the person.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import count
from typing import Any

import pytest

from notewell.domain.records import Actor
from notewell.errors import AccessDenied
from notewell.records.service import RecordService
from tests.factories import make_session
from tests.record.conftest import Harness

PEOPLE = ("clinician", "trainee", "supervisor", "biller", "admin")
CLINICAL = frozenset({"clinician", "trainee", "supervisor"})


@dataclass
class World:
    h: Harness
    people: dict[str, Actor]
    shared: int
    labels: count[int]

    @property
    def s(self) -> RecordService:
        return self.h.service

    def draft_by(self, who: str) -> int:
        return self.h.draft(self.people[who], self.shared).id

    def signed_by_dana(self) -> int:
        note = self.h.draft(self.people["clinician"], self.shared)
        return self.s.sign_note(self.people["clinician"], note.id, note.version).id

    def awaiting_cosign(self) -> tuple[int, int]:
        note = self.h.draft(self.people["trainee"], self.shared)
        waiting = self.s.request_cosign(self.people["trainee"], note.id, note.version)
        return waiting.id, waiting.version


def _world(h: Harness) -> World:
    people = {
        "clinician": h.user("dana", "clinician"),
        "supervisor": h.user("sam", "supervisor"),
        "trainee": h.user("tom", "clinician", supervisor="sam"),
        "biller": h.user("bill", "biller"),
        "admin": h.user("ada", "admin"),
    }
    with h.db.unit_of_work() as uow:
        ids = (people["clinician"].user_id or 0, people["trainee"].user_id or 0)
        shared = uow.store.add_client("Shared", ids, h.clock.now()).id
        uow.commit()
    h.service.record_consent(people["clinician"], shared, date(2026, 1, 5))
    return World(h, people, shared, count(1))


Call = Callable[[Actor], Any]
Prepare = Callable[[World], Call]


def _fresh_user(w: World) -> Call:
    return lambda a: w.s.add_user(a, f"new{next(w.labels)}", "clinician")


def _disable(w: World) -> Call:
    def call(a: Actor) -> Any:
        name = f"gone{next(w.labels)}"
        w.s.add_user(w.h.operator, name, "biller")
        return w.s.disable_user(a, name)

    return call


def _change_role(w: World) -> Call:
    def call(a: Actor) -> Any:
        name = f"moved{next(w.labels)}"
        w.s.add_user(w.h.operator, name, "biller")
        return w.s.change_role(a, name, "clinician", supervisor="sam")

    return call


def _edit(w: World) -> Call:
    def call(a: Actor) -> Any:
        note = w.draft_by("clinician")
        return w.s.edit_note(a, note, "Edited text.", 1)

    return call


def _sign(w: World) -> Call:
    return lambda a: w.s.sign_note(a, w.draft_by("clinician"), 1)


def _request_cosign(w: World) -> Call:
    return lambda a: w.s.request_cosign(a, w.draft_by("trainee"), 1)


def _cosign(w: World) -> Call:
    def call(a: Actor) -> Any:
        note, version = w.awaiting_cosign()
        return w.s.cosign_note(a, note, version)

    return call


def _revise(w: World) -> Call:
    def call(a: Actor) -> Any:
        note, version = w.awaiting_cosign()
        return w.s.request_revision(a, note, version, "Add the response to the intervention.")

    return call


def _on_note(method: str, *args: Any) -> Prepare:
    def prepare(w: World) -> Call:
        note = w.draft_by("clinician")
        return lambda a: getattr(w.s, method)(a, note, *args)

    return prepare


def _on_signed(method: str, *args: Any) -> Prepare:
    def prepare(w: World) -> Call:
        note = w.signed_by_dana()
        return lambda a: getattr(w.s, method)(a, note, *args)

    return prepare


def _on_client(method: str, *args: Any, **kwargs: Any) -> Prepare:
    return lambda w: lambda a: getattr(w.s, method)(a, w.shared, *args, **kwargs)


def _plain(method: str, *args: Any) -> Prepare:
    return lambda w: lambda a: getattr(w.s, method)(a, *args)


def _get_session(w: World) -> Call:
    outcome = w.s.draft_note(w.people["clinician"], w.shared, make_session("Session for the matrix."))
    return lambda a: w.s.get_session(a, outcome.session_id)


MATRIX: dict[str, tuple[frozenset[str], Prepare]] = {
    "add_user": (frozenset({"admin"}), _fresh_user),
    "list_users": (frozenset({"admin"}), _plain("list_users")),
    "disable_user": (frozenset({"admin"}), _disable),
    "change_role": (frozenset({"admin"}), _change_role),
    "open_client": (CLINICAL, lambda w: lambda a: w.s.open_client(a, f"New client {next(w.labels)}")),
    "get_client": (CLINICAL, _on_client("get_client")),
    "client_profile": (CLINICAL, _on_client("client_profile")),
    "list_clients": (CLINICAL, _plain("list_clients")),
    "record_consent": (CLINICAL, _on_client("record_consent", date(2026, 2, 1))),
    "withdraw_consent": (CLINICAL, _on_client("withdraw_consent")),
    "consent_status": (CLINICAL, _on_client("consent_status")),
    "record_diagnosis": (CLINICAL, _on_client("record_diagnosis", "F41.1", "Generalized anxiety disorder")),
    "record_treatment_plan": (CLINICAL, _on_client("record_treatment_plan", [("G1", "Sleep 7 hours")])),
    "draft_note": (CLINICAL, _on_client("draft_note", make_session("Matrix session text."))),
    "get_note": (CLINICAL, _on_note("get_note")),
    "list_notes": (CLINICAL, _on_client("list_notes")),
    "get_session": (CLINICAL, _get_session),
    "get_ai_draft": (CLINICAL, _on_note("get_ai_draft")),
    "note_reviews": (CLINICAL, _on_note("note_reviews")),
    "addenda": (CLINICAL, _on_signed("addenda")),
    "cosign_queue": (frozenset({"supervisor"}), _plain("cosign_queue")),
    "notes_in_progress": (CLINICAL, _plain("notes_in_progress")),
    "dashboard": (CLINICAL, _plain("dashboard")),
    "edit_note": (frozenset({"clinician"}), _edit),
    "sign_note": (frozenset({"clinician"}), _sign),
    "request_cosign": (frozenset({"trainee"}), _request_cosign),
    "cosign_note": (frozenset({"supervisor"}), _cosign),
    "request_revision": (frozenset({"supervisor"}), _revise),
    "add_addendum": (CLINICAL, _on_signed("add_addendum", "Clarification of the plan.", "clarification")),
    "record_measure": (CLINICAL, _on_client("record_measure", "PHQ-9", 11)),
    "list_measures": (CLINICAL, _on_client("list_measures")),
    "write_private_note": (CLINICAL, _on_client("write_private_note", "Process note for the matrix.")),
    "read_private_notes": (CLINICAL, _on_client("read_private_notes")),
    "export_note": (CLINICAL, _on_signed("export_note")),
    "billing_lines": (frozenset({"biller"}), _plain("billing_lines")),
    "pilot_figures": (CLINICAL, _plain("pilot_figures")),
    "audit_log": (frozenset({"admin"}), _plain("audit_log")),
    "verify_audit": (frozenset({"admin"}), _plain("verify_audit")),
    "apply_retention": (frozenset({"admin"}), _plain("apply_retention", True)),
    "rotate_keys": (frozenset({"admin"}), _plain("rotate_keys")),
}

# a login; a date calculation; one's own account; the first-run setup (refused once any user exists)
NOT_ROLE_CHECKED = {"authenticate", "retention_cutoff", "current_user", "needs_setup", "setup_admin"}


def test_the_matrix_covers_every_service() -> None:
    public = {
        name
        for name, member in inspect.getmembers(RecordService, inspect.isfunction)
        if not name.startswith("_")
    }
    assert public - NOT_ROLE_CHECKED == set(MATRIX)


@pytest.mark.parametrize("service", sorted(MATRIX))
def test_role_matrix(harness: Harness, service: str) -> None:
    allowed, prepare = MATRIX[service]
    world = _world(harness)
    mismatches = []
    for person in PEOPLE:
        actor = world.people[person]
        call = prepare(world)
        try:
            call(actor)
            outcome = "allowed"
        except AccessDenied:
            outcome = "denied"
            last = harness.service.audit_log(world.people["admin"], after_seq=0, limit=100_000)[-1]
            assert (last.actor, last.outcome) == (actor.username, "denied"), service
        expected = "allowed" if person in allowed else "denied"
        if outcome != expected:
            mismatches.append(f"{person}: expected {expected}, got {outcome}")
    assert mismatches == [], service


def test_a_supervisor_sees_trainees_clients_but_not_other_clinicians(harness: Harness) -> None:
    world = _world(harness)
    dana, tom, sam = (world.people[p] for p in ("clinician", "trainee", "supervisor"))
    danas_own = harness.client(dana, "Dana only")
    toms_own = harness.client(tom, "Tom only")
    assert {c.id for c in harness.service.list_clients(sam)} == {world.shared, toms_own}
    assert {c.id for c in harness.service.list_clients(tom)} == {world.shared, toms_own}
    assert {c.id for c in harness.service.list_clients(dana)} == {world.shared, danas_own}
    with pytest.raises(AccessDenied):
        harness.service.get_client(sam, danas_own)
    with pytest.raises(AccessDenied):
        harness.service.get_client(dana, toms_own)


def test_a_biller_sees_billing_fields_of_signed_notes_only(harness: Harness) -> None:
    world = _world(harness)
    signed = world.signed_by_dana()
    world.draft_by("clinician")  # unsigned: not billable
    lines = harness.service.billing_lines(world.people["biller"])
    assert [line.note_id for line in lines] == [signed]
    line = lines[0]
    assert (line.client_label, line.date_of_service, line.minutes) == ("Shared", date(2026, 3, 2), 50)
    assert not any(isinstance(v, str) and "Mood" in v for v in vars(line).values())


def test_notes_in_progress_are_the_care_teams_unsigned_notes(harness: Harness) -> None:
    world = _world(harness)
    danas = world.draft_by("clinician")
    signed = world.signed_by_dana()
    toms, _ = world.awaiting_cosign()
    own = harness.client(world.people["supervisor"], "Sam's own")
    sams = harness.draft(world.people["supervisor"], own).id
    assert signed not in {n.id for n in harness.service.notes_in_progress(world.people["clinician"])}
    assert [n.id for n in harness.service.notes_in_progress(world.people["clinician"])] == [danas]
    assert [n.id for n in harness.service.notes_in_progress(world.people["supervisor"])] == [toms, sams]


def test_a_disabled_user_is_refused_at_once(harness: Harness) -> None:
    world = _world(harness)
    harness.service.disable_user(world.people["admin"], "dana")
    with pytest.raises(AccessDenied, match="unknown or disabled"):
        harness.service.list_clients(world.people["clinician"])


def test_logins_check_argon2_hashes(harness: Harness) -> None:
    from notewell.storage.passwords import Argon2PasswordHasher

    service = RecordService(
        harness.db.unit_of_work, harness.drafter, Argon2PasswordHasher(), clock=harness.clock
    )
    user, password = service.add_user(harness.operator, "lee", "clinician")
    with harness.db.unit_of_work() as uow:
        assert uow.store.password_hash_of(user.id).startswith("$argon2id$")
    assert service.authenticate("LEE", password).id == user.id
    with pytest.raises(AccessDenied, match="wrong username or password"):
        service.authenticate("lee", password + "x")
    with pytest.raises(AccessDenied, match="wrong username or password"):
        service.authenticate("nobody", password)
    outcomes = [(e.action, e.outcome) for e in service.audit_log(harness.operator) if e.action == "login"]
    assert outcomes == [("login", "ok"), ("login", "denied")]
