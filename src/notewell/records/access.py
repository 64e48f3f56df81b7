"""Who may do what: the role rules of the record, as pure functions.

* a **clinician** sees the clients they are assigned to;
* a **supervisor** sees theirs and their trainees' clients, co-signs trainees' notes and may
  request revisions; they may read a trainee's private notes (HIPAA's supervised-training use);
* a **biller** sees only the billing fields of signed notes — never note text, drafts, session
  input, measures or private notes;
* an **admin** manages users, retention and the audit log, and reads no clinical content.

Private psychotherapy notes are readable by their author (and the author's supervisor) only,
whatever the role — even another clinician assigned to the same client.
"""

from __future__ import annotations

from collections.abc import Collection

from notewell.domain.records import Client, Role, User

CLINICAL_ROLES: frozenset[Role] = frozenset({"clinician", "supervisor"})


def care_team(user: User, trainees: Collection[int]) -> frozenset[int]:
    """The clinicians whose clients ``user`` may see: themself, plus trainees for a supervisor."""
    if user.role == "clinician":
        return frozenset({user.id})
    if user.role == "supervisor":
        return frozenset({user.id, *trainees})
    return frozenset()


def can_see_client(user: User, client: Client, trainees: Collection[int]) -> bool:
    """Clinical access to one client (their sessions, notes, measures, consent, plan)."""
    return bool(care_team(user, trainees).intersection(client.clinician_ids))


def can_read_private_notes_of(user: User, author: User) -> bool:
    """A psychotherapy note: its author, or the author's supervisor (supervised training)."""
    return user.id == author.id or (user.role == "supervisor" and author.supervisor_id == user.id)


def supervises(user: User, author: User) -> bool:
    return user.role == "supervisor" and author.supervisor_id == user.id
