"""``notewell demo``: the demo practice (users, three synthetic clients, a week's worth of notes),
idempotent on its own data folder and never touching anyone else's practice."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from notewell.bootstrap import App, open_record
from notewell.cli import main
from notewell.config import Settings
from notewell.demo import DEMO_ADMIN, USERS, run_demo
from notewell.domain.records import Actor
from notewell.errors import UsageError
from notewell.storage.passwords import Argon2PasswordHasher

PASSWORD_LINE = re.compile(r"^\s+(demo-[a-z]+)\s+(\w+)\s+(\S+)$", re.M)


class QuickArgon2(Argon2PasswordHasher):
    """Real argon2id, test-sized."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch, app: App) -> None:
    """The session's engine (building it per run costs ~1.5 s) and a test-sized password hash."""
    monkeypatch.setattr("notewell.bootstrap.build", lambda settings=None: app)
    monkeypatch.setattr("notewell.storage.passwords.Argon2PasswordHasher", QuickArgon2)


def _passwords(out: str) -> dict[str, tuple[str, str]]:
    return {m[1]: (m[2], m[3]) for m in PASSWORD_LINE.finditer(out)}


def test_demo_seeds_users_clients_notes_and_scores(fresh_settings: Callable[..., Settings]) -> None:
    settings = fresh_settings()
    out = io.StringIO()
    run_demo(out, settings)
    printed = _passwords(out.getvalue())
    assert set(printed) == {u.username for u in USERS}
    assert printed["demo-trainee"][0] == "trainee"

    record = open_record(settings)
    try:
        svc = record.service
        op = Actor.operator("tester")
        users = {u.username: u for u in svc.list_users(op)}
        assert {name: u.role for name, u in users.items()} == {u.username: u.role for u in USERS}
        assert users["demo-trainee"].supervisor_id == users["demo-supervisor"].id
        for name, (_role, password) in printed.items():  # the printed password is the one that works
            assert svc.authenticate(name, password).username == name
        with pytest.raises(Exception, match="wrong username or password"):
            svc.authenticate("demo-clinician", printed["demo-trainee"][1])

        def actor(name: str) -> Actor:
            return Actor(users[name].id, name)

        dana, theo, sam = actor("demo-clinician"), actor("demo-trainee"), actor("demo-supervisor")
        owner = {c.id: dana for c in svc.list_clients(dana)} | {c.id: theo for c in svc.list_clients(theo)}
        clients = svc.list_clients(dana) + svc.list_clients(theo)
        assert len(clients) == 3 and all(c.label.startswith("Demo client") for c in clients)
        notes = {c.id: svc.list_notes(owner[c.id], c.id) for c in clients}
        assert all(len(n) >= 3 for n in notes.values())

        every = [n for ns in notes.values() for n in ns]
        today = datetime.now(svc.policy.timezone).date()
        drafts = [n for n in every if n.status == "draft"]
        assert len(drafts) == 1  # today's session, waiting for review
        assert svc.get_session(dana, drafts[0].session_id).date_of_service == today
        assert [n.id for n in svc.cosign_queue(sam)] == [n.id for n in every if n.status == "awaiting_cosign"]
        assert len(svc.cosign_queue(sam)) == 1
        assert any(n.late_entry_label for n in every)
        assert any(n.cosignature is not None for n in every)
        theirs = [n for n in every if owner[n.client_id] is theo]
        revised = [
            n for n in theirs if any(r.kind == "revision_requested" for r in svc.note_reviews(sam, n.id))
        ]
        assert len(revised) == 1 and revised[0].status == "signed"
        assert sum(len(svc.addenda(owner[n.client_id], n.id)) for n in every) == 1

        # Every draft came from the engine: evidence spans and nudges are kept with it.
        content = svc.get_ai_draft(dana, drafts[0].id).content
        assert content["sections"] and "nudges" in content

        scores: dict[str, list[float]] = {}
        for client in clients:
            assert svc.consent_status(owner[client.id], client.id) is not None
            for m in svc.list_measures(owner[client.id], client.id):
                scores.setdefault(f"{client.label}/{m.instrument}", []).append(m.score)
        phq = scores["Demo client A (EX-0105)/PHQ-9"]
        assert len(phq) == 5 and phq[0] >= 15 > 10 > phq[-1]  # the visible trajectory
        assert len(scores["Demo client C (EX-0002)/PCL-5"]) == 3
        assert svc.verify_audit(op).ok
    finally:
        record.close()


def test_second_run_changes_nothing(fresh_settings: Callable[..., Settings]) -> None:
    settings = fresh_settings()
    run_demo(io.StringIO(), settings)
    record = open_record(settings)
    try:
        svc, op = record.service, Actor.operator("tester")
        users_before = [u.username for u in svc.list_users(op)]
        events_before = svc.verify_audit(op).events
    finally:
        record.close()

    out = io.StringIO()
    run_demo(out, settings)
    assert "already exists" in out.getvalue() and "NOTEWELL_DATA_DIR" in out.getvalue()
    assert not _passwords(out.getvalue())
    record = open_record(settings)
    try:
        svc = record.service
        assert [u.username for u in svc.list_users(op)] == users_before
        # Only the check itself was audited (reading the user list): no clients, sessions or notes added.
        after = svc.audit_log(op, after_seq=events_before - 1, limit=100)
        assert {(e.action, e.entity) for e in after} <= {("read", "user"), ("read", "audit")}
    finally:
        record.close()


def test_refuses_a_practice_that_is_not_the_demo(fresh_settings: Callable[..., Settings]) -> None:
    settings = fresh_settings()
    record = open_record(settings, create=True)
    try:
        record.service.add_user(Actor.operator("tester"), "admin", "admin", full_name="Clinic Admin")
    finally:
        record.close()
    with pytest.raises(UsageError, match="not the demo"):
        run_demo(io.StringIO(), settings)
    record = open_record(settings)
    try:
        assert [u.username for u in record.service.list_users(Actor.operator("tester"))] == ["admin"]
    finally:
        record.close()


def test_an_interrupted_demo_is_named_as_such(fresh_settings: Callable[..., Settings]) -> None:
    settings = fresh_settings()
    record = open_record(settings, create=True)
    try:  # the users exist but the admin (created last, the completion mark) does not
        record.service.add_user(Actor.operator("tester"), "demo-clinician", "clinician")
    finally:
        record.close()
    with pytest.raises(UsageError, match="incomplete demo"):
        run_demo(io.StringIO(), settings)


def test_cli_demo_exit_codes_and_no_password_in_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "data"
    monkeypatch.setenv("NOTEWELL_DATA_DIR", str(folder))
    for name in ("NOTEWELL_SECRET_KEY", "NOTEWELL_DATABASE_URL", "NOTEWELL_AI_CONSENT"):
        monkeypatch.delenv(name, raising=False)
    out, err = io.StringIO(), io.StringIO()
    assert main(["demo"], out, err) == 0, err.getvalue()
    assert (folder / "secret.key").exists() and (folder / "notewell.db").exists()
    passwords = [p for _role, p in _passwords(out.getvalue()).values()]
    assert len(passwords) == len(USERS)
    stored = b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file())
    assert not any(p.encode() in stored for p in passwords)
    assert b"Demo client A" not in stored  # client labels are encrypted at rest too

    out2 = io.StringIO()
    assert main(["demo"], out2, io.StringIO()) == 0
    assert "already exists" in out2.getvalue()

    other = tmp_path / "clinic"
    monkeypatch.setenv("NOTEWELL_DATA_DIR", str(other))
    assert main(["init"], io.StringIO(), io.StringIO()) == 0
    err3 = io.StringIO()
    assert main(["demo"], io.StringIO(), err3) == 2
    assert "not the demo" in err3.getvalue() and "Traceback" not in err3.getvalue()
    assert DEMO_ADMIN not in err3.getvalue()
