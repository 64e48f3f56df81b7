"""The pages, route by route: what a clinician, a trainee, a supervisor, a biller and an admin
see and do. All text is synthetic."""

from __future__ import annotations

import base64
import html
import re
from datetime import date

import pytest
from markupsafe import escape

from notewell.web.routes_pages import plan_of
from tests.web.conftest import PASSWORD, SESSION_TEXT, World, token

LATE_TEXT = "Cl reports mood 5/10. Denies SI/HI. Practiced paced breathing.\nHW: walk 3x this week."


@pytest.mark.parametrize("web_backend", ["sqlite", "postgresql"], indirect=True)
def test_dashboard_lists_todays_sessions_unsigned_notes_with_nudges_and_late_entries(world: World) -> None:
    c = world.fresh_client("clinician")
    today = date.today().isoformat()
    made = c.post(
        f"/api/clients/{world.shared}/drafts",
        json={"text": "Cl tired. Mood low.", "session": {"date": today}},
        headers={"X-CSRF-Token": token(c)},
    ).json()
    undated = c.post(
        f"/api/clients/{world.shared}/drafts", json={"text": "Cl calm."}, headers={"X-CSRF-Token": token(c)}
    ).json()
    late = world.signed()  # the factory's session is on 2026-03-02: signed now, it is a late entry
    page = c.get("/").text
    today_block = page.split('id="todays-sessions"')[1].split("</section>")[0]
    assert f'data-note-id="{made["note_id"]}"' in today_block
    assert f'data-note-id="{undated["note_id"]}"' in today_block  # no date given: written up today
    assert f'data-note-id="{late}"' not in today_block
    unsigned = page.split('id="unsigned-notes"')[1].split("</section>")[0]
    row = unsigned.split(f'data-note-id="{made["note_id"]}"')[1].split("</tr>")[0]
    assert f"<td>{len(made['draft']['nudges'])}</td>" in row
    late_block = page.split('id="late-entries"')[1].split("</section>")[0]
    assert f'data-note-id="{late}"' in late_block and "Late entry for DOS 2026-03-02" in late_block
    assert 'id="cosign-queue"' not in page  # a clinician has no co-sign queue


def test_supervisor_dashboard_and_queue_show_trainee_notes(world: World) -> None:
    note, _ = world.awaiting()
    c = world.fresh_client("supervisor")
    queue = c.get("/").text.split('id="cosign-queue"')[1].split("</section>")[0]
    assert f'data-note-id="{note}"' in queue
    assert f'href="/notes/{note}">Review note {note}<' in c.get("/supervision").text


def test_admin_and_biller_land_on_their_pages(world: World) -> None:
    assert world.fresh_client("admin").get("/").headers["location"] == "/admin"
    assert world.fresh_client("biller").get("/").headers["location"] == "/billing"


def test_clients_list_add_and_profile(world: World) -> None:
    c = world.fresh_client("clinician")
    assert 'class="client-link" href="/clients/1"' in c.get("/clients").text
    r = c.post("/clients", data={"label": "C-0142", "csrf_token": token(c)})
    client = int(r.headers["location"].rsplit("/", 1)[1])
    assert (
        c.post(
            f"/clients/{client}/consent", data={"given_on": "2026-02-01", "csrf_token": token(c)}
        ).status_code
        == 303
    )
    bad = c.post(f"/clients/{client}/consent", data={"given_on": "yesterday", "csrf_token": token(c)})
    assert bad.status_code == 400 and "given_on: expected a date" in bad.text
    c.post(
        f"/clients/{client}/diagnoses",
        data={"code": "f33.1", "description": "MDD, recurrent", "csrf_token": token(c)},
    )
    wrong = c.post(f"/clients/{client}/diagnoses", data={"code": "depression", "csrf_token": token(c)})
    assert wrong.status_code == 400 and "ICD-10-CM" in wrong.text
    c.post(
        f"/clients/{client}/plan", data={"goals": "G1: PHQ-9 below 10\nSleep 7 hours", "csrf_token": token(c)}
    )
    page = c.get(f"/clients/{client}").text
    assert "Given on 2026-02-01" in page
    assert "<strong>F33.1</strong> MDD, recurrent" in page
    assert "<strong>G1</strong> PHQ-9 below 10" in page and "<strong>G2</strong> Sleep 7 hours" in page
    assert "No intake note yet." in page


def test_the_profile_shows_the_intake_summary(world: World) -> None:
    c = world.fresh_client("clinician")
    made = c.post(
        f"/api/clients/{world.shared}/drafts",
        json={"text": "Intake. Cl presents with low mood for 3 months.", "session": {"type": "intake"}},
        headers={"X-CSRF-Token": token(c)},
    ).json()
    block = c.get(f"/clients/{world.shared}").text.split('id="intake-summary"')[1].split("</section>")[0]
    assert f'href="/notes/{made["note_id"]}"' in block
    assert html.escape(made["note"]["body"][:40], quote=True)[:30] in block


def test_recap_shows_last_plan_homework_risk_and_scores(world: World) -> None:
    c = world.fresh_client("clinician")
    c.post(
        f"/api/clients/{world.shared}/drafts",
        json={
            "text": "Cl reports passive SI, wishes she would not wake up; no plan or intent. "
            "HW: thought record 3x this week.",
            "session": {"date": "2026-03-02"},
            "measures": [{"instrument": "GAD-7", "items": [2, 2, 2, 1, 1, 1, 1]}],
        },
        headers={"X-CSRF-Token": token(c)},
    )
    page = c.get(f"/clients/{world.shared}/recap").text
    assert "thought record" in page.split('id="recap-homework"')[1].split("</section>")[0]
    risk = page.split('id="recap-risk"')[1].split("</section>")[0]
    assert "suicidal ideation</strong>: passive" in risk
    scores = page.split('id="recap-scores"')[1].split("</section>")[0]
    assert "<td>GAD-7</td><td>10</td><td>moderate</td>" in scores


def test_plan_of_reads_the_plan_section() -> None:
    body = "Data:\nMood 4/10.\n\nAssessment:\nImproving.\n\nPlan:\nContinue weekly CBT.\nThought record 3x."
    assert plan_of(body) == "Continue weekly CBT.\nThought record 3x."
    assert plan_of("Data:\nOnly data.") == ""


def new_session_form(c: object, world: World, **extra: object) -> dict[str, object]:
    return {
        "text": SESSION_TEXT,
        "session_date": "2026-03-09",
        "session_start": "10:00",
        "session_end": "10:53",
        "session_type": "individual",
        "session_setting": "telehealth",
        "format": "dap",
        "risk_suicidal_ideation": "denied",
        "risk_homicidal_ideation": "denied",
        "interventions": ["cognitive_restructuring", "psychoeducation"],
        "mse_mood": "depressed",
        **{f"m_PHQ-9_{n}": "1" for n in range(1, 10)},
        "csrf_token": token(c),  # type: ignore[arg-type]
        **extra,
    }


def test_new_session_form_drafts_a_note_with_checklist_and_scores(world: World) -> None:
    c = world.fresh_client("clinician")
    page = c.get(f"/clients/{world.shared}/sessions/new").text
    for label in (
        'for="text">Session text',
        'for="risk_suicidal_ideation">Suicidal ideation',
        'for="m_PHQ-9_1">PHQ-9 item 1: anhedonia',
        'for="iv_cognitive_restructuring">cognitive restructuring',
    ):
        assert label in page
    r = c.post(f"/clients/{world.shared}/sessions", data=new_session_form(c, world))
    assert r.status_code == 303
    note_id = int(r.headers["location"].rsplit("/", 1)[1])
    note = world.service.get_note(world.people["clinician"], note_id)
    assert note.format == "dap"
    stored = world.service.get_session(world.people["clinician"], note.session_id).input
    assert stored["checklist"]["risk"] == {"suicidal_ideation": "denied", "homicidal_ideation": "denied"}
    assert stored["checklist"]["interventions"] == ["cognitive_restructuring", "psychoeducation"]
    assert stored["checklist"]["mental_status"] == {"mood": "depressed"}
    assert stored["session"]["setting"] == "telehealth" and stored["session"]["end"] == "10:53"
    scores = world.service.list_measures(world.people["clinician"], world.shared)
    assert [(m.instrument, m.score) for m in scores] == [("PHQ-9", 9.0)]


def test_new_session_form_errors_keep_what_was_typed(world: World) -> None:
    c = world.fresh_client("clinician")
    data = new_session_form(c, world, **{"m_PHQ-9_4": "", "m_PHQ-9_5": ""})
    r = c.post(f"/clients/{world.shared}/sessions", data=data)
    assert r.status_code == 400
    assert "PHQ-9: 7 of 9 items answered; answer all or none" in r.text
    assert html.escape(SESSION_TEXT.splitlines()[0], quote=True) in r.text  # the text is still there
    assert 'value="cognitive_restructuring" checked' in r.text
    bad = c.post(
        f"/clients/{world.shared}/sessions", data=new_session_form(c, world, risk_self_harm="sometimes")
    )
    assert bad.status_code == 400 and "checklist.self_harm: unknown value" in bad.text
    assert world.service.list_notes(world.people["clinician"], world.shared) == []


SEGMENT = re.compile(
    r'<span class="seg[^"]*" id="src-(\d+)" data-start="(\d+)" data-end="(\d+)">(.*?)</span>', re.S
)
SENTENCE = re.compile(r'<li class="sentence[^"]*" tabindex="0" data-evidence="([^"]*)"')


def test_review_page_sentences_point_at_their_evidence_in_the_source(world: World) -> None:
    c = world.fresh_client("clinician")
    note = world.draft()
    page = c.get(f"/notes/{note}").text
    segments = [(int(a), int(b), html.unescape(t)) for _, a, b, t in SEGMENT.findall(page)]
    assert "".join(t for _, _, t in segments) == SESSION_TEXT  # the source is shown whole, in order
    assert all(SESSION_TEXT[a:b] == t for a, b, t in segments)
    cuts = {a for a, _, _ in segments} | {b for _, b, _ in segments}
    sentences = SENTENCE.findall(page)
    assert sentences and any(sentences)
    for attr in filter(None, sentences):
        for span in attr.split():
            start, end = map(int, span.split("-"))
            assert start in cuts and end in cuts  # every span starts and ends on a segment boundary
    content = world.service.get_ai_draft(world.people["clinician"], note).content
    panel = page.split('id="nudge-panel"')[1].split("</section>")[0]
    for nudge in content["nudges"]:
        assert f'data-code="{nudge["code"]}"' in panel
        assert str(escape(nudge["fix"])) in panel
        if nudge["evidence"]:
            assert f'href="#src-{nudge["evidence"][0]["start"]}"' in panel
            assert f'id="src-{nudge["evidence"][0]["start"]}"' in page


def test_format_switcher_previews_and_uses_another_format(world: World) -> None:
    c = world.fresh_client("clinician")
    note = world.draft()
    preview = c.get(f"/notes/{note}?format=birp").text
    assert "BIRP preview" in preview and "<h3>Behavior</h3>" in preview and "<h3>Intervention</h3>" in preview
    body = html.unescape(re.search(r'name="body" value="([^"]*)"', preview).group(1))  # type: ignore[union-attr]
    assert body.startswith("Behavior:")
    r = c.post(f"/notes/{note}/edit", data={"body": body, "version": 1, "csrf_token": token(c)})
    assert r.status_code == 303
    assert world.service.get_note(world.people["clinician"], note).body == body
    assert c.get(f"/notes/{note}?format=limerick").status_code == 400


@pytest.mark.parametrize("web_backend", ["sqlite", "postgresql"], indirect=True)
def test_a_stale_edit_is_refused_and_the_text_is_kept(world: World) -> None:
    c = world.fresh_client("clinician")
    note = world.draft()
    page = c.get(f"/notes/{note}").text
    assert 'id="edit-form"' in page and 'name="version" value="1"' in page
    c.post(f"/notes/{note}/edit", data={"body": "From the laptop.", "version": 1, "csrf_token": token(c)})
    r = c.post(
        f"/notes/{note}/edit",
        data={"body": "From the tablet, typed <carefully>.", "version": 1, "csrf_token": token(c)},
    )
    assert r.status_code == 409
    assert "changed since you opened it (you edited version 1; it is now version 2)" in r.text
    assert "From the tablet, typed &lt;carefully&gt;." in r.text.split('id="note-text"')[1]
    assert world.service.get_note(world.people["clinician"], note).body == "From the laptop."


def test_sign_locks_then_addendum(world: World) -> None:
    c = world.fresh_client("clinician")
    note = world.draft()
    r = c.post(f"/notes/{note}/sign", data={"version": 1, "csrf_token": token(c)})
    assert r.status_code == 303
    page = c.get(f"/notes/{note}").text
    assert 'id="note-status" data-status="signed"' in page and 'id="locked-view"' in page
    assert (
        'id="edit-form"' not in page and 'id="sign-form"' not in page and 'id="format-switcher"' not in page
    )
    signed = world.service.get_note(world.people["clinician"], note)
    late = c.post(
        f"/notes/{note}/edit", data={"body": "Changed.", "version": signed.version, "csrf_token": token(c)}
    )
    assert late.status_code == 409 and "signed and locked" in late.text
    c.post(
        f"/notes/{note}/addenda",
        data={
            "body": "Client called to move the session.",
            "reason": "late information",
            "csrf_token": token(c),
        },
    )
    page = c.get(f"/notes/{note}").text
    assert "Client called to move the session." in page.split('id="addenda"')[1]
    after = world.service.get_note(world.people["clinician"], note)
    assert (after.body, after.content_hash) == (signed.body, signed.content_hash)
    export = c.get(f"/notes/{note}/export")
    assert export.headers["content-type"].startswith("text/plain") and "Signed: Dana, LCSW" in export.text


@pytest.mark.parametrize("web_backend", ["sqlite", "postgresql"], indirect=True)
def test_trainee_signs_supervisor_requests_revision_then_cosigns(world: World) -> None:
    tom, sam = world.fresh_client("trainee"), world.fresh_client("supervisor")
    note = world.draft("trainee")
    page = tom.get(f"/notes/{note}").text
    assert "Sign and send for co-signature" in page
    tom.post(
        f"/notes/{note}/sign", data={"version": 1, "comment": "First solo note", "csrf_token": token(tom)}
    )
    assert "awaiting co-signature" in tom.get(f"/notes/{note}").text
    review = sam.get(f"/notes/{note}").text
    assert 'id="cosign-form"' in review
    version = world.service.get_note(world.people["supervisor"], note).version
    empty = sam.post(
        f"/notes/{note}/revision", data={"version": version, "comment": " ", "csrf_token": token(sam)}
    )
    assert empty.status_code == 400 and "needs a comment" in empty.text
    sam.post(
        f"/notes/{note}/revision",
        data={"version": version, "comment": "Add the response.", "csrf_token": token(sam)},
    )
    back = tom.get(f"/notes/{note}").text
    assert 'data-status="draft"' in back and "Add the response." in back.split('id="reviews"')[1]
    current = world.service.get_note(world.people["trainee"], note)
    tom.post(f"/notes/{note}/sign", data={"version": current.version, "csrf_token": token(tom)})
    current = world.service.get_note(world.people["trainee"], note)
    r = sam.post(
        f"/notes/{note}/cosign", data={"version": current.version, "comment": "", "csrf_token": token(sam)}
    )
    assert r.status_code == 303 and r.headers["location"] == "/supervision"
    final = tom.get(f"/notes/{note}").text
    assert 'data-status="signed"' in final and 'id="cosignature-line">Co-signed: Sam' in final


def test_trends_chart_and_tables(world: World) -> None:
    c = world.fresh_client("clinician")
    h = {"X-CSRF-Token": token(c)}
    for day, items, text in (
        (
            "2026-01-05",
            [3, 3, 2, 2, 2, 2, 2, 2, 0],
            "Cl says she wants to get back to work. Practiced thought record.",
        ),
        (
            "2026-02-02",
            [1, 1, 1, 1, 1, 1, 0, 0, 0],
            "Cl: I'm going to keep walking every morning. Reviewed HW.",
        ),
    ):
        c.post(
            f"/api/clients/{world.shared}/drafts",
            json={
                "text": text,
                "session": {"date": day},
                "measures": [{"instrument": "PHQ-9", "items": items}],
            },
            headers=h,
        )
    page = c.get(f"/clients/{world.shared}/trends").text
    chart = page.split('id="trend-chart"')[1]
    image = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)"', chart.split("</figure>")[0])
    assert image and base64.b64decode(image.group(1)).lstrip().startswith((b"<?xml", b"<svg"))
    assert b"PHQ-9" in base64.b64decode(image.group(1))
    assert "PHQ-9: 18 → 6 (improved, reliable change" in page
    assert (
        page.split('id="readiness-table"')[1].split("</table>")[0].count("<tr>") == 3
    )  # header + two sessions
    assert "2026-01-05" in page.split('id="skills-table"')[1]


def test_pilot_figures_per_clinician(world: World) -> None:
    world.signed()
    page = world.fresh_client("clinician").get("/pilot").text
    per = page.split('id="pilot-by-clinician"')[1].split("</table>")[0]
    assert "<td>you</td><td>1</td>" in per


def test_private_notes_are_marked_and_kept_to_their_author(world: World) -> None:
    dana, tom = world.fresh_client("clinician"), world.fresh_client("trainee")
    dana.post(
        f"/clients/{world.shared}/private",
        data={"body": "Countertransference: note my frustration.", "csrf_token": token(dana)},
    )
    page = dana.get(f"/clients/{world.shared}/private").text
    assert 'id="private-banner"' in page and "Countertransference" in page
    assert "Countertransference" not in tom.get(f"/clients/{world.shared}/private").text
    assert "Countertransference" not in dana.get(f"/clients/{world.shared}").text


def test_billing_shows_signed_notes_without_text(world: World) -> None:
    world.draft()
    signed = world.signed()
    page = world.fresh_client("biller").get("/billing").text
    table = page.split('id="billing-lines"')[1]
    assert f"<td>{signed}</td><td>Shared</td>" in table
    assert "mood" not in table.lower() and table.count("<tr>") == 2


def test_admin_adds_disables_users_runs_retention_and_verifies_the_audit(world: World) -> None:
    c = world.fresh_client("admin")
    r = c.post(
        "/admin/users",
        data={
            "username": "lee",
            "role": "clinician",
            "full_name": "Lee Park",
            "supervisor": "sam",
            "csrf_token": token(c),
        },
    )
    assert r.status_code == 200 and 'id="new-password"' in r.text
    password = re.search(r'id="new-password">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    assert world.service.authenticate("lee", html.unescape(password)).is_trainee
    dup = c.post("/admin/users", data={"username": "lee", "role": "clinician", "csrf_token": token(c)})
    assert dup.status_code == 400 and "already exists" in dup.text
    assert c.post("/admin/users/lee/disable", data={"csrf_token": token(c)}).status_code == 303
    assert (
        '<tr data-username="lee"><td>lee</td><td>Lee Park</td><td>clinician (trainee)</td><td>no</td>'
        in c.get("/admin").text
    )
    refused = c.post("/admin/users/sam/role", data={"role": "biller", "csrf_token": token(c)})
    assert refused.status_code == 400 and "still supervises trainees" in refused.text
    moved = c.post(
        "/admin/users/tom/role", data={"role": "clinician", "supervisor": "", "csrf_token": token(c)}
    )
    assert moved.status_code == 303 and not world.service.authenticate("tom", PASSWORD).is_trainee
    back = c.post("/admin/users/ada/role", data={"role": "biller", "csrf_token": token(c)})
    assert back.status_code == 400 and "your own role" in back.text
    dry = c.post("/admin/retention", data={"mode": "dry-run", "csrf_token": token(c)})
    assert "Would remove 0 client(s)" in dry.text
    assert c.post("/admin/retention", data={"mode": "everything", "csrf_token": token(c)}).status_code == 400
    audit = c.get("/admin/audit?verify=1").text
    assert "Chain verified" in audit and "<td>login</td>" in audit


def test_missing_things_are_404_pages(world: World) -> None:
    c = world.fresh_client("clinician")
    r = c.get("/notes/9999")
    assert r.status_code == 404 and 'id="error-message"' in r.text and "note 9999 not found" in r.text
    assert c.get("/clients/abc").status_code == 422
    for url in ("/notes/99999999999999999999", "/clients/0", "/clients/-1/recap"):
        r = c.get(url)
        assert r.status_code == 422
        assert "greater than or equal to 1" in r.text or "less than or equal to" in r.text


def test_static_files_and_no_inline_script(world: World) -> None:
    c = world.fresh_client("clinician")
    assert c.get("/static/app.js").status_code == 200 and c.get("/static/app.css").status_code == 200
    for url in ("/", "/clients", f"/clients/{world.shared}/sessions/new", f"/notes/{world.draft()}"):
        page = c.get(url).text
        assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/app.js" defer>']


def test_the_dashboard_shows_the_most_recent_unsigned_notes_with_the_total(world: World) -> None:
    made = [world.draft(text=f"Cl reports mood {n % 10}/10.") for n in range(23)]
    page = world.fresh_client("clinician").get("/").text
    unsigned = page.split('id="unsigned-notes"')[1].split("</section>")[0]
    assert "(the 20 most recent of 23)" in unsigned
    shown = [int(x) for x in re.findall(r'data-note-id="(\d+)"', unsigned)]
    assert shown == made[-20:]
