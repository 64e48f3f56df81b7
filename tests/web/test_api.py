"""The JSON API: the load bench's path (login → clients → drafts), notes, scoring, live nudges."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD, SESSION_TEXT, World


def logged_in(world: World, role: str = "clinician") -> tuple[TestClient, dict[str, str]]:
    c = world.fresh_client(role)
    return c, {"X-CSRF-Token": c.headers["X-Test-CSRF"]}


@pytest.mark.parametrize("web_backend", ["sqlite", "postgresql"], indirect=True)
def test_the_bench_path_login_clients_draft(world: World) -> None:
    c = world.fresh_client(None)
    r = c.post("/api/login", json={"username": "dana", "password": PASSWORD})
    assert r.status_code == 200
    csrf = r.json()["csrf_token"]
    clients = c.get("/api/clients").json()
    assert [x["label"] for x in clients] == ["Shared"]
    payload = {
        "text": SESSION_TEXT,
        "session": {"date": "2026-11-20", "start": "14:02", "end": "14:55", "type": "individual"},
        "checklist": {"suicidal_ideation": "denied", "interventions": ["cognitive_restructuring"]},
        "measures": [{"instrument": "PHQ-9", "items": [2, 2, 1, 2, 1, 1, 2, 1, 0]}],
        "format": "soap",
    }
    d = c.post(f"/api/clients/{clients[0]['id']}/drafts", json=payload, headers={"X-CSRF-Token": csrf})
    assert d.status_code == 200, d.text
    body = d.json()
    assert body["note"]["status"] == "draft" and body["note"]["format"] == "soap"
    titles = [s["title"] for s in body["draft"]["sections"]]
    assert titles[:4] == ["Subjective", "Objective", "Assessment", "Plan"]
    for section in body["draft"]["sections"]:
        for sentence in section["sentences"]:
            for e in sentence.get("evidence", []):
                assert 0 <= e["start"] < e["end"] <= len(SESSION_TEXT)
    assert c.get(f"/api/notes/{body['note_id']}").json()["draft"] == body["draft"]  # as stored
    stored = world.service.get_session(world.people["clinician"], body["session_id"])
    assert stored.input["checklist"]["risk"] == {"suicidal_ideation": "denied"}
    scores = world.service.list_measures(world.people["clinician"], clients[0]["id"])
    assert [(m.instrument, m.score, m.administered_on) for m in scores] == [
        ("PHQ-9", 12.0, date(2026, 11, 20))
    ]
    assert c.get("/").status_code == 200


def test_bad_session_fields_are_400_naming_the_field(world: World) -> None:
    c, h = logged_in(world)
    url = f"/api/clients/{world.shared}/drafts"
    cases = [
        ({"session": {"date": "2026-11-20"}}, "text"),
        ({"text": "x", "session": {"date": "2026-13-45"}}, "session.date"),
        ({"text": "x", "checklist": {"suicidal_ideation": "maybe"}}, "checklist.suicidal_ideation"),
        ({"text": "x", "checklist": {"interventions": ["juggling"]}}, "checklist.interventions[0]"),
        ({"text": "x", "measures": [{"instrument": "PHQ-9", "items": [1, 2]}]}, "measures[0]"),
        ({"text": "x", "format": "limerick"}, "format"),
    ]
    for payload, field in cases:
        r = c.post(url, json=payload, headers=h)
        assert r.status_code == 400, (payload, r.text)
        assert r.json()["error"].startswith(field), (field, r.json())
    assert (
        c.post(url, content=b"not json", headers={**h, "Content-Type": "application/json"}).status_code == 422
    )


def test_a_client_outside_the_care_team_is_403_and_unknown_is_404(world: World) -> None:
    c, h = logged_in(world)
    own, _ = world.service.open_client(world.people["supervisor"], "Sam only")
    assert c.post(f"/api/clients/{own.id}/drafts", json={"text": "x"}, headers=h).status_code == 403
    assert c.post("/api/clients/999/drafts", json={"text": "x"}, headers=h).status_code == 404


@pytest.mark.parametrize("web_backend", ["sqlite", "postgresql"], indirect=True)
def test_edit_with_a_stale_version_is_409_then_sign_locks(world: World) -> None:
    c, h = logged_in(world)
    note = world.draft()
    first = c.put(f"/api/notes/{note}", json={"body": "Version two.", "version": 1}, headers=h)
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = c.put(f"/api/notes/{note}", json={"body": "Lost?", "version": 1}, headers=h)
    assert stale.status_code == 409 and "changed since version 1" in stale.json()["error"]
    assert c.get(f"/api/notes/{note}").json()["body"] == "Version two."
    signed = c.post(f"/api/notes/{note}/sign", json={"version": 2}, headers=h)
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    assert signed.json()["signed_by"].startswith("Dana, LCSW")
    locked = c.put(f"/api/notes/{note}", json={"body": "After.", "version": 3}, headers=h)
    assert locked.status_code == 409 and "locked" in locked.json()["error"]


def test_a_trainee_signs_for_cosignature(world: World) -> None:
    c, h = logged_in(world, "trainee")
    note = world.draft("trainee")
    r = c.post(f"/api/notes/{note}/sign", json={"version": 1, "comment": "Please review."}, headers=h)
    assert r.json()["status"] == "awaiting_cosign"


def test_scoring_a_form(world: World) -> None:
    c, h = logged_in(world)
    r = c.post(
        "/api/measures/score", json={"instrument": "phq9", "items": [3, 3, 2, 2, 2, 2, 2, 2, 1]}, headers=h
    )
    assert r.json() == {
        "instrument": "PHQ-9",
        "total": 19.0,
        "band": "moderately severe",
        "flags": ["item9_positive", "screen_positive"],
    }
    partial = c.post("/api/measures/score", json={"instrument": "GAD-7", "items": [1, 2]}, headers=h)
    assert partial.status_code == 400 and "needs 7 answers, got 2" in partial.json()["error"]
    unknown = c.post("/api/measures/score", json={"instrument": "XYZ", "items": [1]}, headers=h)
    assert unknown.status_code == 400 and "unknown instrument" in unknown.json()["error"]


def test_live_nudges_follow_the_unsaved_text(world: World) -> None:
    c, h = logged_in(world)
    before = c.post("/api/nudges", json={"text": "Cl reports mood 4/10 this week."}, headers=h).json()
    assert "missing_risk_assessment" in {n["code"] for n in before["nudges"]}
    after = c.post(
        "/api/nudges", data={"text": "Cl reports mood 4/10 this week. Denies SI, plan or intent."}, headers=h
    ).json()
    assert "missing_risk_assessment" not in {n["code"] for n in after["nudges"]}
    assert after["risk"]["suicidal_ideation"] == "denied"
    empty = c.post("/api/nudges", json={"text": "  "}, headers=h).json()
    assert empty == {"nudges": [], "risk": {}}
    assert c.post("/api/nudges", json=["text"], headers=h).status_code == 400
    assert world.service.list_notes(world.people["clinician"], world.shared) == []  # nothing stored


def test_the_openapi_document_lists_the_api(world: World) -> None:
    doc = world.fresh_client(None).get("/api/openapi.json").json()
    for path in (
        "/api/login",
        "/api/clients",
        "/api/clients/{client_id}/drafts",
        "/api/notes/{note_id}",
        "/api/nudges",
    ):
        assert path in doc["paths"]
    assert not any(p.startswith("/notes") or p == "/" for p in doc["paths"])  # pages are not API


def test_me_and_logout(world: World) -> None:
    c, h = logged_in(world, "supervisor")
    me = c.get("/api/me").json()
    assert (me["username"], me["role"], me["trainee"]) == ("sam", "supervisor", False)
    assert c.post("/api/logout", headers=h).status_code == 200
    assert c.get("/api/me").status_code == 401


def test_text_over_the_size_limit_is_refused_before_the_engine_runs(make_world: Any) -> None:
    world = make_world(settings={"max_input_bytes": 1000})
    c, h = logged_in(world)
    r = c.post(f"/api/clients/{world.shared}/drafts", json={"text": "é" * 501}, headers=h)
    assert r.status_code == 400
    assert r.json()["error"] == "text: 1,002 bytes is more than the limit of 1,000 bytes"
    assert c.post("/api/nudges", json={"text": "x" * 1001}, headers=h).status_code == 400
    assert (
        c.post(f"/api/clients/{world.shared}/drafts", json={"text": "x" * 1000}, headers=h).status_code == 200
    )


def test_concurrent_drafts_give_the_same_notes_as_one_at_a_time(world: World) -> None:
    """The app serves requests on a thread pool; the engine must not mix two sessions up."""
    from concurrent.futures import ThreadPoolExecutor

    texts = [
        f"Cl reports mood {n}/10 this week. Practiced thought record; belief 80% -> {40 + n}%. "
        f"HW: walk {n} times this week. Denies SI."
        for n in range(1, 9)
    ]
    c, h = logged_in(world)

    def nudges(text: str) -> list[str]:
        r = c.post("/api/nudges", json={"text": text}, headers=h)
        assert r.status_code == 200
        return [n["code"] for n in r.json()["nudges"]]

    def draft(text: str) -> list[str]:
        r = c.post(f"/api/clients/{world.shared}/drafts", json={"text": text}, headers=h)
        assert r.status_code == 200
        return [s["text"] for sec in r.json()["draft"]["sections"] for s in sec["sentences"]]

    one_by_one = [(draft(t), nudges(t)) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda t: (draft(t), nudges(t)), texts))
    assert together == one_by_one
