"""The store's bounded reads: the dashboard's most recent notes and a client's last signed
notes for drafting, on SQLite and PostgreSQL — the same rows as filtering the full lists."""

from __future__ import annotations

from datetime import date

import pytest

from tests.record.conftest import Harness


def test_recent_notes_are_the_tail_of_the_full_list(harness: Harness) -> None:
    dana = harness.user("dana", "clinician")
    sam = harness.user("sam", "supervisor")
    client = harness.client(dana)
    drafts = [harness.draft(dana, client).id for _ in range(5)]
    signed = []
    for n in range(4):
        note = harness.draft(dana, client, on=date(2026, 2, 1 + n))
        signed.append(harness.service.sign_note(dana, note.id, note.version))
    others = harness.client(sam, "Sam's own")
    harness.draft(sam, others)
    team = (dana.user_id or 0,)
    with harness.db.unit_of_work() as uow:
        store = uow.store
        assert [n.id for n in store.recent_notes("draft", team, 3)] == drafts[-3:]
        assert [n.id for n in store.recent_notes("draft", team, 50)] == drafts
        assert store.count_notes("draft", team) == 5
        assert store.count_notes("signed", team) == 4
        late = [n.id for n in signed if n.late_entry_label]
        assert late  # February sessions signed on 2026-03-02: late entries
        assert [n.id for n in store.recent_notes("signed", team, 2, late_only=True)] == late[-2:]
        assert store.recent_notes("awaiting_cosign", team, 5) == []


def test_last_signed_notes_follow_the_record_order(harness: Harness) -> None:
    dana = harness.user("dana", "clinician")
    client = harness.client(dana)
    ids = {}
    for day in (10, 3, 20, 7):  # written out of date order
        note = harness.draft(dana, client, on=date(2026, 2, day))
        ids[day] = harness.service.sign_note(dana, note.id, note.version).id
    harness.draft(dana, client, on=date(2026, 2, 25))  # unsigned: never a prior note
    with harness.db.unit_of_work() as uow:
        full = [n.id for n in uow.store.list_notes(client) if n.status == "signed"]
        assert [n.id for n in uow.store.last_signed_notes(client, 3)] == full[-3:]
        assert full[-3:] == [ids[7], ids[10], ids[20]]
        assert [n.id for n in uow.store.last_signed_notes(client, 10)] == full


def test_drafting_hands_the_engine_the_last_three_signed_notes(harness: Harness) -> None:
    dana = harness.user("dana", "clinician")
    client = harness.client(dana)
    for day in (1, 2, 3, 4):
        note = harness.draft(dana, client, text=f"Session on day {day}.", on=date(2026, 2, day))
        harness.service.sign_note(dana, note.id, note.version)
    harness.draft(dana, client, text="Today.")
    priors = harness.drafter.calls[-1].prior_notes
    assert [p.date for p in priors] == [date(2026, 2, 2), date(2026, 2, 3), date(2026, 2, 4)]


def test_an_admin_changes_roles_within_the_rules(harness: Harness) -> None:
    from notewell.errors import RecordError

    ada = harness.user("ada", "admin")
    harness.user("sam", "supervisor")
    harness.user("tom", "clinician", supervisor="sam")
    tom = harness.service.change_role(ada, "tom", "clinician")  # licensed now: no supervisor
    assert (tom.role, tom.supervisor_id, tom.is_trainee) == ("clinician", None, False)
    harness.service.change_role(ada, "tom", "clinician", supervisor="sam")
    with pytest.raises(RecordError, match="still supervises trainees"):
        harness.service.change_role(ada, "sam", "clinician")
    with pytest.raises(RecordError, match="your own role"):
        harness.service.change_role(ada, "ada", "biller")
    with pytest.raises(RecordError, match="only a clinician"):
        harness.service.change_role(ada, "tom", "biller", supervisor="sam")
    with pytest.raises(RecordError, match="role 'boss'"):
        harness.service.change_role(ada, "tom", "boss")
    harness.service.change_role(ada, "tom", "biller")
    assert {u.username: u.role for u in harness.service.list_users(ada)}["tom"] == "biller"


def test_the_dashboard_is_audited_as_one_read_of_each_client_listed(harness: Harness) -> None:
    dana = harness.user("dana", "clinician")
    ada = harness.user("ada", "admin")
    first, second = harness.client(dana, "First"), harness.client(dana, "Second")
    for client in (first, first, second):
        harness.draft(dana, client, on=date(2026, 2, 3))
    before = len(harness.service.audit_log(ada, limit=100_000))
    board = harness.service.dashboard(dana)
    assert [(i.client_label, i.date_of_service) for i in board.unsigned] == [
        ("First", date(2026, 2, 3)),
        ("First", date(2026, 2, 3)),
        ("Second", date(2026, 2, 3)),
    ]
    rows = harness.service.audit_log(ada, limit=100_000)[before:]
    read = [(e.actor, e.action, e.entity, e.entity_id) for e in rows if e.actor == "dana"]
    assert sorted(read) == [("dana", "read", "client", first), ("dana", "read", "client", second)]


def test_ai_drafts_of_many_notes_in_one_read(harness: Harness) -> None:
    dana = harness.user("dana", "clinician")
    client = harness.client(dana)
    notes = [harness.draft(dana, client, text=f"Session {n} text.").id for n in range(3)]
    with harness.db.unit_of_work() as uow:
        store = uow.store
        together = store.ai_drafts_of(notes)
        assert set(together) == set(notes)
        for note in notes:
            assert together[note] == store.get_ai_draft(store.ai_draft_id_of(note))
        assert store.ai_drafts_of([]) == {}
