"""A note's life in the record: draft, edit, sign and lock, addenda, co-signature, figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time

import pytest
from sqlalchemy import select

from notewell.config import Settings
from notewell.domain.records import Actor, content_hash
from notewell.errors import (
    AccessDenied,
    ConflictError,
    ConsentRequired,
    InvalidTransition,
    RecordError,
    RecordLocked,
)
from notewell.exports.contract import note_to_json
from notewell.storage import tables as t
from tests.factories import make_session
from tests.record.conftest import Harness, make_harness


@pytest.fixture
def dana(harness: Harness) -> Actor:
    return harness.user("dana", "clinician", name="Dana Reyes")


def test_draft_keeps_the_ai_draft_as_generated_and_opens_an_editable_note(
    harness: Harness, dana: Actor
) -> None:
    client = harness.client(dana)
    outcome = harness.service.draft_note(dana, client, make_session("Mood 4/10; denies SI.\nHW: walk daily."))
    draft = harness.service.get_ai_draft(dana, outcome.note.id)
    expected = note_to_json("test.yaml", harness.drafter.draft(make_session("Mood 4/10; denies SI."), "auto"))
    assert draft.content == expected
    assert draft.content["sections"][0]["sentences"][0]["evidence"] == [{"start": 0, "end": 21}]
    assert draft.content["nudges"][0]["code"] == "missing_risk_assessment"
    note = outcome.note
    assert (note.status, note.version, note.format) == ("draft", 1, "dap")
    assert note.body == "Data:\nClient reported: Mood 4/10; denies SI.\n\nPlan:\nNext session in one week."
    session = harness.service.get_session(dana, outcome.session_id)
    assert session.input["text"] == "Mood 4/10; denies SI.\nHW: walk daily."
    assert (session.date_of_service, session.start, session.end) == (date(2026, 3, 2), time(10), time(10, 50))


def test_session_measures_are_recorded_for_trends(harness: Harness, dana: Actor) -> None:
    from notewell.domain.session import MeasureInput

    client = harness.client(dana)
    session = make_session(
        "PHQ-9 today.", measures=(MeasureInput("PHQ-9", items=(2, 2, 1, 2, 1, 1, 2, 1, 0)),)
    )
    harness.service.draft_note(dana, client, session)
    harness.service.record_measure(dana, client, "GAD-7", 9, administered_on=date(2026, 3, 9))
    measures = harness.service.list_measures(dana, client)
    assert [(m.instrument, m.score, m.administered_on) for m in measures] == [
        ("PHQ-9", 12.0, date(2026, 3, 2)),
        ("GAD-7", 9.0, date(2026, 3, 9)),
    ]
    assert measures[0].items == (2, 2, 1, 2, 1, 1, 2, 1, 0)


def test_goals_diagnoses_and_signed_notes_from_the_record_reach_the_engine(
    harness: Harness, dana: Actor
) -> None:
    client = harness.client(dana)
    harness.service.record_treatment_plan(dana, client, [("G1", "PHQ-9 below 10 in 12 weeks")])
    harness.service.record_diagnosis(dana, client, "f33.1", "Major depressive disorder, recurrent, moderate")
    first = harness.draft(dana, client)
    harness.service.sign_note(dana, first.id, first.version)
    harness.draft(dana, client, text="Second session.")
    seen = harness.drafter.calls[-1]
    assert [(g.id, g.text) for g in seen.goals] == [("G1", "PHQ-9 below 10 in 12 weeks")]
    assert [d.code for d in seen.diagnoses] == ["F33.1"]
    assert [p.text for p in seen.prior_notes] == [first.body]


def test_edits_are_versioned_and_a_stale_edit_is_refused_not_merged(harness: Harness, dana: Actor) -> None:
    note = harness.draft(dana, harness.client(dana))
    edited = harness.service.edit_note(dana, note.id, note.body + "\nClient engaged.", expected_version=1)
    assert edited.version == 2 and edited.body.endswith("Client engaged.")
    with pytest.raises(ConflictError, match=r"note \d+ changed since version 1 \(now version 2\)"):
        harness.service.edit_note(dana, note.id, "My older text.", expected_version=1)
    assert harness.service.get_note(dana, note.id).body == edited.body
    with harness.db.engine.connect() as conn:
        versions = conn.execute(
            select(t.note_versions.c.version).where(t.note_versions.c.note_id == note.id)
        ).all()
    assert [v.version for v in versions] == [1, 2]


def test_signing_records_name_credentials_time_hash_and_locks(harness: Harness, dana: Actor) -> None:
    note = harness.draft(dana, harness.client(dana))
    signed = harness.service.sign_note(dana, note.id, note.version)
    assert signed.status == "signed" and signed.locked
    assert signed.signature is not None
    assert (signed.signature.name, signed.signature.credentials) == ("Dana Reyes", "LCSW")
    assert signed.signature.at == harness.clock.now()
    assert signed.content_hash == content_hash(note.id, note.body, signed.signature, None)
    with pytest.raises(RecordLocked, match="signed and locked; add an addendum"):
        harness.service.edit_note(dana, note.id, "Changed after signing.", signed.version)
    with pytest.raises(RecordLocked):
        harness.service.sign_note(dana, note.id, signed.version)
    assert harness.service.get_note(dana, note.id) == signed


def test_pilot_figures_minutes_from_session_end_and_edit_ratio(harness: Harness, dana: Actor) -> None:
    note = harness.draft(dana, harness.client(dana))  # session 2026-03-02 10:00-10:50, clock 11:20 UTC
    untouched = harness.service.sign_note(dana, note.id, 1)
    assert untouched.minutes_to_signature == 30
    assert untouched.edit_ratio == 0.0
    other = harness.draft(dana, harness.client(dana))
    rewritten = "x" * len(other.body)
    harness.service.edit_note(dana, other.id, rewritten, 1)
    harness.clock.advance(minutes=15)
    signed = harness.service.sign_note(dana, other.id, 2)
    assert signed.minutes_to_signature == 45
    assert signed.edit_ratio is not None and 0.9 < signed.edit_ratio <= 1.0
    figures = harness.service.pilot_figures(dana)
    assert [(f.note_id, f.minutes_to_signature, f.late_entry) for f in figures] == [
        (note.id, 30, False),
        (other.id, 45, False),
    ]


def test_a_note_signed_more_than_24_hours_after_the_session_is_labelled_late(
    harness: Harness, dana: Actor
) -> None:
    note = harness.draft(dana, harness.client(dana))
    harness.clock.advance(days=2)
    signed = harness.service.sign_note(dana, note.id, 1)
    assert signed.late_entry_label == "Late entry for DOS 2026-03-02, written 2026-03-04."
    assert signed.minutes_to_signature == 30 + 2 * 24 * 60
    assert "Late entry for DOS 2026-03-02, written 2026-03-04." in harness.service.export_note(dana, note.id)


def test_the_late_entry_threshold_is_a_setting(fresh_settings: Callable[..., Settings]) -> None:
    h = make_harness(fresh_settings(late_entry_hours=1.0))
    try:
        dana = h.user("dana", "clinician")
        note = h.draft(dana, h.client(dana))
        h.clock.advance(minutes=31)  # 61 minutes after the session ended
        assert h.service.sign_note(dana, note.id, 1).late_entry_label is not None
    finally:
        h.db.dispose()


def test_an_addendum_leaves_the_signed_note_byte_identical(harness: Harness, dana: Actor) -> None:
    note = harness.draft(dana, harness.client(dana))
    signed = harness.service.sign_note(dana, note.id, 1)
    row = t.notes.c
    with harness.db.engine.connect() as conn:
        before = conn.execute(select(t.notes).where(row.id == note.id)).one()
    harness.clock.advance(days=3)
    addendum = harness.service.add_addendum(
        dana, note.id, "Client called to move the pool visit.", "late information"
    )
    with harness.db.engine.connect() as conn:
        after = conn.execute(select(t.notes).where(row.id == note.id)).one()
    assert after == before  # every column, the ciphertext bytes included
    assert harness.service.get_note(dana, note.id) == signed
    assert addendum.signature.at == harness.clock.now() and addendum.signature.name == "Dana Reyes"
    assert [a.body for a in harness.service.addenda(dana, note.id)] == [
        "Client called to move the pool visit."
    ]
    export = harness.service.export_note(dana, note.id)
    assert export.index(signed.body) < export.index(
        "Addendum (late information), Dana Reyes, LCSW, 2026-03-05"
    )


def test_addenda_only_on_signed_notes(harness: Harness, dana: Actor) -> None:
    note = harness.draft(dana, harness.client(dana))
    with pytest.raises(InvalidTransition, match="not signed; edit the draft"):
        harness.service.add_addendum(dana, note.id, "More.", "correction")
    with pytest.raises(RecordError, match="needs a text and a reason"):
        harness.service.add_addendum(dana, note.id, "More.", " ")


def test_trainee_note_waits_for_the_supervisor(harness: Harness) -> None:
    sam = harness.user("sam", "supervisor", name="Sam Lee")
    tom = harness.user("tom", "clinician", supervisor="sam", name="Tom Park")
    note = harness.draft(tom, harness.client(tom))
    with pytest.raises(InvalidTransition, match="needs co-signature"):
        harness.service.sign_note(tom, note.id, 1)
    waiting = harness.service.request_cosign(tom, note.id, 1, comment="First CBT session")
    assert waiting.status == "awaiting_cosign" and waiting.signature is not None
    assert [n.id for n in harness.service.cosign_queue(sam)] == [note.id]
    with pytest.raises(RecordLocked, match="awaiting co-signature"):
        harness.service.edit_note(tom, note.id, "Sneaky change.", waiting.version)

    returned = harness.service.request_revision(sam, note.id, waiting.version, "Add the client's response.")
    assert returned.status == "draft" and returned.signature is None
    fixed = harness.service.edit_note(
        tom, note.id, returned.body + "\nClient engaged well.", returned.version
    )
    again = harness.service.request_cosign(tom, note.id, fixed.version)
    harness.clock.advance(hours=20)
    final = harness.service.cosign_note(sam, note.id, again.version)
    assert final.status == "signed"
    assert final.cosignature is not None and final.cosignature.name == "Sam Lee"
    assert final.signature is not None and final.signature.name == "Tom Park"
    assert final.body.endswith("Client engaged well.")
    reviews = harness.service.note_reviews(tom, note.id)
    assert [(r.kind, r.comment) for r in reviews] == [
        ("cosign_requested", "First CBT session"),
        ("revision_requested", "Add the client's response."),
        ("cosign_requested", None),
        ("cosigned", None),
    ]
    assert "Co-signed: Sam Lee" in harness.service.export_note(sam, note.id)
    with pytest.raises(RecordLocked):
        harness.service.cosign_note(sam, note.id, final.version)


def test_only_the_trainees_own_supervisor_cosigns(harness: Harness) -> None:
    harness.user("sam", "supervisor")
    other = harness.user("uma", "supervisor")
    tom = harness.user("tom", "clinician", supervisor="sam")
    dana = harness.user("dana", "clinician")
    note = harness.draft(tom, harness.client(tom))
    waiting = harness.service.request_cosign(tom, note.id, 1)
    with pytest.raises(AccessDenied):
        harness.service.cosign_note(other, note.id, waiting.version)
    mine = harness.draft(dana, harness.client(dana))
    with pytest.raises(InvalidTransition, match="no supervisor on record"):
        harness.service.request_cosign(dana, mine.id, 1)


def test_consent_policy_refuse_blocks_drafting_until_consent_is_recorded(
    fresh_settings: Callable[..., Settings],
) -> None:
    h = make_harness(fresh_settings(ai_consent="refuse"))
    try:
        dana = h.user("dana", "clinician")
        client = h.client(dana, consent=False)
        with pytest.raises(ConsentRequired, match="no current consent"):
            h.draft(dana, client)
        assert h.drafter.calls == []  # the engine never saw the session
        consent = h.service.record_consent(dana, client, date(2026, 3, 1))
        assert (consent.given_on, consent.recorded_by) == (date(2026, 3, 1), dana.user_id)
        assert h.draft(dana, client).status == "draft"
        assert h.service.withdraw_consent(dana, client) == 1
        assert h.service.consent_status(dana, client) is None
        with pytest.raises(ConsentRequired):
            h.draft(dana, client)
    finally:
        h.db.dispose()


def test_consent_policy_warn_drafts_with_a_warning(harness: Harness, dana: Actor) -> None:
    client = harness.client(dana, consent=False)
    outcome = harness.service.draft_note(dana, client, make_session("Session text."))
    assert outcome.warnings == (f"client {client} has no recorded consent to AI-assisted documentation",)


def test_private_notes_stay_with_their_author(harness: Harness) -> None:
    sam = harness.user("sam", "supervisor")
    tom = harness.user("tom", "clinician", supervisor="sam")
    dana = harness.user("dana", "clinician")
    client = harness.client(tom)
    harness.service.open_client(sam, "Shared client", clinician="tom")
    private = harness.service.write_private_note(tom, client, "My hunch about the family dynamic.")
    note = harness.draft(tom, client)
    waiting = harness.service.request_cosign(tom, note.id, 1)
    harness.service.cosign_note(sam, note.id, waiting.version)
    assert [p.body for p in harness.service.read_private_notes(tom, client)] == [private.body]
    assert [p.id for p in harness.service.read_private_notes(sam, client)] == [
        private.id
    ]  # supervised training
    assert private.body not in harness.service.get_note(tom, note.id).body
    assert private.body not in harness.service.export_note(tom, note.id)
    with pytest.raises(AccessDenied):
        harness.service.read_private_notes(dana, client)


def test_retention_removes_whole_records_past_the_period_and_audits_ids_only(
    harness: Harness, dana: Actor
) -> None:
    old = harness.client(dana, "Old client")
    note = harness.draft(dana, old, session_type="individual")
    harness.service.sign_note(dana, note.id, 1)
    harness.service.add_addendum(dana, note.id, "Later fact.", "correction")
    harness.service.write_private_note(dana, old, "Process note.")
    recent = harness.client(dana, "Recent client")
    harness.clock.advance(days=365 * 7 + 10)
    recent_note = harness.draft(dana, recent, on=date(2033, 3, 1))
    assert harness.service.apply_retention(harness.operator, dry_run=True) == [old]
    assert harness.service.apply_retention(harness.operator) == [old]
    assert [c.id for c in harness.service.list_clients(dana)] == [recent]
    with harness.db.engine.connect() as conn:
        for table in (t.notes, t.addenda, t.note_versions, t.private_notes, t.sessions, t.ai_consents):
            left = conn.execute(select(table.c.client_id).where(table.c.client_id == old)).all()
            assert left == [], table.name
        assert conn.execute(select(t.retention_purges)).all() == []
    assert harness.service.get_note(dana, recent_note.id).status == "draft"
    deletes = [e for e in harness.service.audit_log(harness.operator, limit=1000) if e.action == "delete"]
    assert [(e.entity, e.entity_id, e.role) for e in deletes] == [("client", old, "admin")]
    assert harness.service.verify_audit(harness.operator).ok


def test_key_rotation_reencrypts_everything_and_signed_notes_still_verify(
    harness: Harness, dana: Actor
) -> None:
    note = harness.draft(dana, harness.client(dana))
    signed = harness.service.sign_note(dana, note.id, 1)
    harness.service.add_addendum(dana, note.id, "Addendum text.", "correction")
    with harness.db.engine.connect() as conn:
        old_kid = conn.execute(select(t.data_keys.c.kid)).scalar_one()
        old_blob = conn.execute(select(t.notes.c.body_enc).where(t.notes.c.id == note.id)).scalar_one()
    kid, count = harness.service.rotate_keys(harness.operator)
    assert kid != old_kid and count >= 6
    with harness.db.engine.connect() as conn:
        assert conn.execute(select(t.data_keys.c.kid)).scalars().all() == [kid]
        new_blob = conn.execute(select(t.notes.c.body_enc).where(t.notes.c.id == note.id)).scalar_one()
        for table, _pk, column in t.ENCRYPTED_COLUMNS:
            for blob in conn.execute(select(table.c[column]).where(table.c[column].is_not(None))).scalars():
                assert blob[1:17].decode() == kid, f"{table.name}.{column} still under the old key"
    assert new_blob != old_blob
    reread = harness.service.get_note(dana, note.id)
    assert reread == signed
    assert reread.signature is not None
    assert content_hash(note.id, reread.body, reread.signature, None) == signed.content_hash
    assert harness.service.verify_audit(harness.operator).ok
