"""Concurrent edits and signs, and a writer killed with SIGKILL, on both databases."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from notewell.config import Settings
from notewell.domain.records import Actor, NoteRecord
from notewell.errors import ConflictError, RecordLocked, RecordNotFound
from notewell.storage import tables as t
from tests.record.conftest import Harness, make_harness


def _race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment on their own threads; return results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    return results


@pytest.mark.parametrize("attempt", range(3))
def test_two_concurrent_edits_one_wins_the_other_gets_a_conflict(harness: Harness, attempt: int) -> None:
    dana = harness.user("dana", "clinician")
    note = harness.draft(dana, harness.client(dana))
    results = _race(
        lambda: harness.service.edit_note(dana, note.id, "Edit from the laptop.", note.version),
        lambda: harness.service.edit_note(dana, note.id, "Edit from the tablet.", note.version),
    )
    winners = [r for r in results if isinstance(r, NoteRecord)]
    losers = [r for r in results if isinstance(r, ConflictError)]
    assert len(winners) == 1 and len(losers) == 1, results
    final = harness.service.get_note(dana, note.id)
    assert (final.version, final.body) == (2, winners[0].body)
    with harness.db.engine.connect() as conn:
        versions = conn.execute(select(func.count()).where(t.note_versions.c.note_id == note.id)).scalar_one()
    assert versions == 2


@pytest.mark.parametrize("attempt", range(3))
def test_two_concurrent_signs_make_one_signature(harness: Harness, attempt: int) -> None:
    dana = harness.user("dana", "clinician")
    note = harness.draft(dana, harness.client(dana))
    results = _race(
        lambda: harness.service.sign_note(dana, note.id, note.version),
        lambda: harness.service.sign_note(dana, note.id, note.version),
    )
    signed = [r for r in results if isinstance(r, NoteRecord)]
    refused = [r for r in results if isinstance(r, RecordLocked | ConflictError)]
    assert len(signed) == 1 and len(refused) == 1, results
    assert harness.service.get_note(dana, note.id) == signed[0]
    signs = [e for e in harness.service.audit_log(harness.operator, limit=1000) if e.action == "sign"]
    assert len(signs) == 1


def test_concurrent_writers_extend_one_unbroken_audit_chain(harness: Harness) -> None:
    people = [harness.user(f"c{i}", "clinician") for i in range(4)]
    clients = [harness.client(p) for p in people]

    def work(actor: Actor, client: int) -> None:
        for _ in range(3):
            note = harness.draft(actor, client)
            harness.service.sign_note(actor, note.id, note.version)

    results = _race(*(lambda a=a, c=c: work(a, c) for a, c in zip(people, clients, strict=True)))
    assert results == [None] * 4
    report = harness.service.verify_audit(harness.operator)
    assert report.ok, report.problem
    events = harness.service.audit_log(harness.operator, limit=10_000)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))


WRITER = r"""
import sys, time
from notewell.config import Settings
from tests.factories import make_session
from tests.record.conftest import make_harness

settings = Settings(data_dir=__import__("pathlib").Path(sys.argv[1]), database_url=sys.argv[2] or None,
                    secret_key=sys.argv[3])
h = make_harness(settings)
dana = h.user("dana", "clinician")
client = h.client(dana)
for i in range(6):
    note = h.draft(dana, client, text=f"Committed session {i}.")
    if i % 2:
        note = h.service.sign_note(dana, note.id, note.version)
    print(f"committed {note.id} {note.status}", flush=True)
# now a write that never finishes: session, AI draft and note inserted, not committed
with h.db.unit_of_work() as uow:
    now = h.clock.now()
    s = uow.store.add_session(client, dana.user_id, None, None, None, None, {"text": "half"}, now)
    d = uow.store.add_ai_draft(s.id, "dap", {"sections": []}, dana.user_id, now)
    n = uow.store.add_note(client, s.id, d.id, dana.user_id, "dap", "Half-written note.", now)
    print(f"in-flight {n.id}", flush=True)
    time.sleep(60)
"""


def test_a_writer_killed_mid_write_loses_nothing_committed_and_leaves_no_half_note(
    fresh_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = fresh_settings()
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WRITER,
            str(settings.data_dir),
            settings.database_url or "",
            settings.secret_key or "",
        ],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    committed: dict[int, str] = {}
    in_flight = None
    assert proc.stdout is not None
    for line in proc.stdout:
        word, note_id, *rest = line.split()
        if word == "committed":
            committed[int(note_id)] = rest[0]
        else:
            in_flight = int(note_id)
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    assert in_flight is not None and len(committed) == 6

    h = make_harness(settings)
    try:
        dana = Actor(1, "dana")
        for note_id, status in committed.items():
            assert h.service.get_note(dana, note_id).status == status
        with h.db.engine.connect() as conn:
            notes = conn.execute(select(func.count()).select_from(t.notes)).scalar_one()
            sessions = conn.execute(select(func.count()).select_from(t.sessions)).scalar_one()
            drafts = conn.execute(select(func.count()).select_from(t.ai_drafts)).scalar_one()
            if h.db.engine.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert notes == sessions == drafts == 6
        assert h.service.get_note(dana, max(committed)).body.startswith("Data:")
        with pytest.raises(RecordNotFound):
            h.service.get_note(dana, in_flight)
        report = h.service.verify_audit(h.operator)
        assert report.ok, report.problem
    finally:
        h.db.dispose()
