"""The clinician's pages (server-rendered HTML).

Selectors for browser tests (stable ids, labels, accessible names) are listed in
``tests/web/README.md``; change them there too.

Form fields of the new-session form (``payload_from_form``): ``text``, ``session_date``,
``session_start``, ``session_end``, ``session_type``, ``session_setting``, ``session_modality``,
``format``, ``risk_<key>``, ``interventions`` (repeated), ``mse_<domain>``, ``m_<instrument>_<n>``.
"""

from __future__ import annotations

import base64
import contextlib
import re
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from notewell.domain.records import NoteRecord
from notewell.domain.session import POSITIVE_RISK_VALUES
from notewell.errors import (
    AccessDenied,
    ConflictError,
    ConsentRequired,
    RecordError,
    RecordLocked,
    UsageError,
)
from notewell.records.serialization import note_body, session_from_dict
from notewell.web.app import (
    MAX_ID,
    Admin,
    Anyone,
    Biller,
    Clinical,
    Id,
    Supervisor,
    Version,
    Viewer,
    Web,
    page_context,
    session_of,
    web_of,
)
from notewell.web.forms import (
    FORM_INSTRUMENTS,
    FormError,
    all_spans,
    choices,
    evidence_attr,
    payload_from_form,
    segments,
    session_from_payload,
)
from notewell.web.security import TotpStore, WebSession

router = APIRouter(include_in_schema=False)


def render(
    request: Request, template: str, who: Viewer | None, status: int = 200, **context: Any
) -> Response:
    web = web_of(request)
    return web.templates.TemplateResponse(
        request, template, {**page_context(request, who), **context}, status_code=status
    )


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _safe_next(target: str | None) -> str:
    """Only a local path: ``/clients/3`` yes, ``//evil.example`` or ``https://…`` no."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


# ---------------------------------------------------------------------------------- login


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, *, expired: int = 0, next: str = "/") -> Response:
    web = web_of(request)
    if web.record.service.needs_setup():
        return redirect("/setup")
    message = "Your session timed out after a period of inactivity; please log in again." if expired else ""
    return render(request, "login.html", None, message=message, next=_safe_next(next))


def login_attempt(web: Web, request: Request, username: str, password: str) -> tuple[WebSession | None, str]:
    """Check a password with the throttle; a new session (pending TOTP if enrolled) or why not."""
    name = username.strip().lower()
    address = _address(request)
    if web.throttle.blocked(name, address):
        return None, "Too many failed attempts: this account is locked for 15 minutes."
    try:
        user = web.record.service.authenticate(name, password)
    except AccessDenied:
        web.throttle.failed(name, address)
        return None, "Wrong username or password, or the account is disabled."
    web.throttle.succeeded(name)
    now = web.codec.clock()
    return WebSession.for_user(user.id, user.username, now, pending_totp=web.totp.enabled(user.id)), ""


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    *,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    web = web_of(request)
    session, problem = login_attempt(web, request, username, password)
    if session is None:
        return render(request, "login.html", None, status=401, error=problem, next=_safe_next(next))
    request.state.session = session
    if session.pending_totp:
        return redirect("/login/totp?next=" + _safe_next(next))
    return redirect(_safe_next(next))


@router.get("/login/totp", response_class=HTMLResponse)
def totp_page(request: Request, *, next: str = "/") -> Response:
    if not session_of(request).pending_totp:
        return redirect("/login")
    return render(request, "totp.html", None, next=_safe_next(next))


@router.post("/login/totp", response_class=HTMLResponse)
def totp_submit(
    request: Request, *, code: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/"
) -> Response:
    web = web_of(request)
    session = session_of(request)
    if not session.pending_totp or session.user_id is None:
        return redirect("/login")
    if web.throttle.blocked(session.username, _address(request)):
        request.state.session = WebSession.anonymous(web.codec.clock())
        return render(request, "login.html", None, status=401, error="Too many failed attempts.", next="/")
    secret = web.totp.secret_of(session.user_id)
    if secret is None or not TotpStore.verify(secret, code):
        web.throttle.failed(session.username, _address(request))
        return render(request, "totp.html", None, status=401, error="That code is not valid.", next=next)
    request.state.session = WebSession.for_user(session.user_id, session.username, web.codec.clock())
    return redirect(_safe_next(next))


@router.post("/logout")
def logout(request: Request, *, who: Anyone) -> Response:
    request.state.session = WebSession.anonymous(web_of(request).codec.clock())
    return redirect("/login")


@router.get("/setup", response_class=HTMLResponse)
def setup_page(request: Request) -> Response:
    if not web_of(request).record.service.needs_setup():
        return redirect("/login")
    return render(request, "setup.html", None)


@router.post("/setup", response_class=HTMLResponse)
def setup_submit(
    request: Request,
    *,
    username: Annotated[str, Form()] = "",
    full_name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password2: Annotated[str, Form()] = "",
) -> Response:
    web = web_of(request)
    if not web.record.service.needs_setup():
        return redirect("/login")
    if password != password2:
        return render(request, "setup.html", None, status=400, error="The two passwords differ.")
    try:
        user = web.record.service.setup_admin(username, password, full_name)
    except RecordError as exc:
        return render(request, "setup.html", None, status=400, error=str(exc))
    request.state.session = WebSession.for_user(user.id, user.username, web.codec.clock())
    return redirect("/admin")


# ------------------------------------------------------------------------------ dashboard


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, *, who: Anyone) -> Response:
    web = web_of(request)
    if who.role == "admin":
        return redirect("/admin")
    if who.role == "biller":
        return redirect("/billing")
    board = web.record.service.dashboard(who.actor)
    return render(request, "dashboard.html", who, board=board)


# -------------------------------------------------------------------------------- clients


@router.get("/clients", response_class=HTMLResponse)
def clients_page(request: Request, *, who: Clinical) -> Response:
    clients = web_of(request).record.service.list_clients(who.actor)
    return render(request, "clients.html", who, clients=clients)


@router.post("/clients")
def add_client(request: Request, *, label: Annotated[str, Form()] = "", who: Clinical) -> Response:
    client, _ = web_of(request).record.service.open_client(who.actor, label)
    return redirect(f"/clients/{client.id}")


@router.get("/clients/{client_id}", response_class=HTMLResponse)
def client_page(request: Request, *, client_id: Id, who: Clinical) -> Response:
    service = web_of(request).record.service
    profile = service.client_profile(who.actor, client_id)
    notes = service.list_notes(who.actor, client_id)
    return render(request, "client.html", who, profile=profile, client=profile.client, notes=notes)


@router.post("/clients/{client_id}/consent")
def add_consent(
    request: Request, *, client_id: Id, given_on: Annotated[str, Form()] = "", who: Clinical
) -> Response:
    web_of(request).record.service.record_consent(who.actor, client_id, _day(given_on, "given_on"))
    return redirect(f"/clients/{client_id}")


@router.post("/clients/{client_id}/diagnoses")
def add_diagnosis(
    request: Request,
    *,
    client_id: Id,
    code: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    who: Clinical,
) -> Response:
    web_of(request).record.service.record_diagnosis(who.actor, client_id, code, description)
    return redirect(f"/clients/{client_id}")


@router.post("/clients/{client_id}/plan")
def set_plan(
    request: Request, *, client_id: Id, goals: Annotated[str, Form()] = "", who: Clinical
) -> Response:
    """Goals one per line, ``G1: Sleep 7 hours a night`` (an id is made up when missing)."""
    parsed = []
    for n, line in enumerate((g.strip() for g in goals.splitlines() if g.strip()), start=1):
        gid, sep, text = line.partition(":")
        parsed.append((gid.strip(), text.strip()) if sep and text.strip() else (f"G{n}", line))
    web_of(request).record.service.record_treatment_plan(who.actor, client_id, parsed)
    return redirect(f"/clients/{client_id}")


def _day(raw: str, field: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise FormError(f"{field}: expected a date like 2026-03-02, got {raw.strip()!r}") from None


# ------------------------------------------------------------------------------- recap


PLAN_TITLES = ("plan", "plan and homework", "recommendations")


def plan_of(body: str) -> str:
    """The Plan section of a note's text (``Plan:`` up to the next ``Title:`` line)."""
    found, out = False, []
    for line in body.splitlines():
        header = re.fullmatch(r"([A-Z][A-Za-z /&-]{1,40}):", line.strip())
        if header:
            found = header.group(1).lower() in PLAN_TITLES
            continue
        if found and line.strip():
            out.append(line.strip())
    return "\n".join(out)


@router.get("/clients/{client_id}/recap", response_class=HTMLResponse)
def recap_page(request: Request, *, client_id: Id, who: Clinical) -> Response:
    web = web_of(request)
    service = web.record.service
    client = service.get_client(who.actor, client_id)
    notes = service.list_notes(who.actor, client_id)
    last = notes[-1] if notes else None
    homework: list[str] = []
    risks: list[tuple[str, str]] = []
    if last is not None:
        session = session_from_dict(service.get_session(who.actor, last.session_id).input)
        with web.record.drafter.lock:
            facts = web.engine.extractor.extract(session)
        homework = [h.text for h in facts.homework]
        risks = [
            (key.replace("_", " "), f.value)
            for key, f in facts.risk.items()
            if f.value in POSITIVE_RISK_VALUES and key != "safety_plan"
        ]
    latest: dict[str, Any] = {}
    for m in service.list_measures(who.actor, client_id):
        latest[m.instrument] = m
    bands = {name: _band(web, name, m.score) for name, m in latest.items()}
    return render(
        request,
        "recap.html",
        who,
        client=client,
        last=last,
        plan=plan_of(last.body) if last else "",
        homework=homework,
        risks=risks,
        latest=latest,
        bands=bands,
    )


def _band(web: Web, instrument: str, score: float) -> str | None:
    from notewell.domain.measures import band

    spec = web.engine.knowledge.instruments.get(instrument)
    return band(score, spec) if spec else None


# ------------------------------------------------------------------------- new session


def _form_context(web: Web) -> dict[str, Any]:
    techniques = web.engine.knowledge.lexicons["interventions"]["techniques"]
    by_modality: dict[str, list[str]] = defaultdict(list)
    for t in techniques:
        by_modality[t.get("modality") or "General"].append(t["id"])
    instruments = web.engine.knowledge.instruments
    return {
        **choices(),
        "interventions": dict(by_modality),
        "form_instruments": [(name, instruments[name]) for name in FORM_INSTRUMENTS if name in instruments],
    }


@router.get("/clients/{client_id}/sessions/new", response_class=HTMLResponse)
def new_session_page(request: Request, *, client_id: Id, who: Clinical) -> Response:
    web = web_of(request)
    client = web.record.service.get_client(who.actor, client_id)
    return render(
        request,
        "new_session.html",
        who,
        client=client,
        form={},
        today=date.today().isoformat(),
        **_form_context(web),
    )


@router.post("/clients/{client_id}/sessions", response_class=HTMLResponse)
async def create_session(request: Request, *, client_id: Id, who: Clinical) -> Response:
    web = web_of(request)
    form = await request.form()
    fmt = str(form.get("format") or "auto")
    try:
        payload = payload_from_form(form, form.getlist, web.engine.knowledge.instruments)
        session = session_from_payload(
            payload,
            web.engine.knowledge.instruments,
            web.engine.techniques,
            web.record.settings.max_input_bytes,
        )
        if fmt not in web.engine.formats.names() and fmt != "auto":
            raise FormError(f"format: unknown note format {fmt!r}")
        outcome = web.record.service.draft_note(who.actor, client_id, session, fmt)
    except (FormError, ConsentRequired, UsageError) as exc:
        client = web.record.service.get_client(who.actor, client_id)
        return render(
            request,
            "new_session.html",
            who,
            status=400,
            client=client,
            error=str(exc),
            form={k: form.getlist(k) if k == "interventions" else form.get(k) for k in form},
            today=date.today().isoformat(),
            **_form_context(web),
        )
    return redirect(f"/notes/{outcome.note.id}")


# -------------------------------------------------------------------------------- notes


def _review_context(web: Web, who: Viewer, note: NoteRecord, fmt: str | None) -> dict[str, Any]:
    service = web.record.service
    stored = service.get_session(who.actor, note.session_id)
    text = str(stored.input.get("text", ""))
    content = service.get_ai_draft(who.actor, note.id).content
    preview = None
    if fmt and fmt != content.get("format") and note.status == "draft":
        if fmt not in web.engine.formats.names():
            raise FormError(f"format: unknown note format {fmt!r}")
        from notewell.exports.contract import note_to_json

        drafted = web.record.drafter.draft(session_from_dict(stored.input), fmt)
        preview = note_to_json("web", drafted)
        preview["body"] = note_body(drafted)
        content = preview
    signed = note.status != "draft"
    return {
        "note": note,
        "client": service.get_client(who.actor, note.client_id),
        "content": content,
        "preview": preview,
        "segments": segments(text, all_spans(content)),
        "evidence_attr": evidence_attr,
        "addenda": service.addenda(who.actor, note.id) if note.status == "signed" else [],
        "reviews": service.note_reviews(who.actor, note.id),
        "formats": [
            f for f in ("soap", "dap", "birp", "girp", "pirp", "narrative") if f in web.engine.formats.names()
        ],
        "is_author": note.author_id == who.user.id,
        "is_trainee": who.user.is_trainee,
        "can_cosign": who.role == "supervisor"
        and note.status == "awaiting_cosign"
        and note.author_id != who.user.id,
        "locked": signed,
    }


@router.get("/notes/{note_id}", response_class=HTMLResponse)
def note_page(request: Request, *, note_id: Id, format: str | None = None, who: Clinical) -> Response:
    web = web_of(request)
    note = web.record.service.get_note(who.actor, note_id)
    return render(request, "note.html", who, **_review_context(web, who, note, format))


@router.post("/notes/{note_id}/edit", response_class=HTMLResponse)
def edit_note(
    request: Request,
    *,
    note_id: Id,
    body: Annotated[str, Form()] = "",
    version: Version,
    who: Clinical,
) -> Response:
    """Save the clinician's text; a stale version keeps their text on the page with a clear message."""
    web = web_of(request)
    try:
        web.record.service.edit_note(who.actor, note_id, body, expected_version=version)
    except (ConflictError, RecordLocked) as exc:
        note = web.record.service.get_note(who.actor, note_id)
        if isinstance(exc, ConflictError):
            message = (
                f"This note changed since you opened it (you edited version {version}; it is now "
                f"version {note.version}). Your text is kept below: copy what you need, then reload "
                "and apply it again."
            )
        else:
            message = str(exc)
        return render(
            request,
            "note.html",
            who,
            status=409,
            edit_message=message,
            kept_text=body,
            **_review_context(web, who, note, None),
        )
    return redirect(f"/notes/{note_id}")


@router.post("/notes/{note_id}/sign")
def sign_note(
    request: Request,
    *,
    note_id: Id,
    version: Version,
    comment: Annotated[str, Form()] = "",
    who: Clinical,
) -> Response:
    """Sign and lock; a trainee's signature sends the note to their supervisor instead."""
    service = web_of(request).record.service
    if who.user.is_trainee:
        service.request_cosign(who.actor, note_id, version, comment.strip() or None)
    else:
        service.sign_note(who.actor, note_id, version)
    return redirect(f"/notes/{note_id}")


@router.post("/notes/{note_id}/addenda")
def add_addendum(
    request: Request,
    *,
    note_id: Id,
    body: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    who: Clinical,
) -> Response:
    web_of(request).record.service.add_addendum(who.actor, note_id, body, reason)
    return redirect(f"/notes/{note_id}#addenda")


@router.post("/notes/{note_id}/cosign")
def cosign_note(
    request: Request,
    *,
    note_id: Id,
    version: Version,
    comment: Annotated[str, Form()] = "",
    who: Supervisor,
) -> Response:
    web_of(request).record.service.cosign_note(who.actor, note_id, version, comment.strip() or None)
    return redirect("/supervision")


@router.post("/notes/{note_id}/revision")
def request_revision(
    request: Request,
    *,
    note_id: Id,
    version: Version,
    comment: Annotated[str, Form()] = "",
    who: Supervisor,
) -> Response:
    web_of(request).record.service.request_revision(who.actor, note_id, version, comment)
    return redirect("/supervision")


@router.get("/notes/{note_id}/export")
def export_note(request: Request, *, note_id: Id, who: Clinical) -> Response:
    text = web_of(request).record.service.export_note(who.actor, note_id)
    return PlainTextResponse(
        text, headers={"Content-Disposition": f'attachment; filename="note-{note_id}.txt"'}
    )


# ------------------------------------------------------------------------- supervision


@router.get("/supervision", response_class=HTMLResponse)
def supervision_page(request: Request, *, who: Supervisor) -> Response:
    board = web_of(request).record.service.dashboard(who.actor)
    return render(request, "supervision.html", who, queue=board.cosign_queue)


# ------------------------------------------------------------------------------ trends


@router.get("/clients/{client_id}/trends", response_class=HTMLResponse)
def trends_page(request: Request, *, client_id: Id, who: Clinical) -> Response:
    from notewell.exports.chart import render_chart
    from notewell.services.measures import build_trends

    web = web_of(request)
    service = web.record.service
    client = service.get_client(who.actor, client_id)
    sessions = []
    for note in service.list_notes(who.actor, client_id):
        s = session_from_dict(service.get_session(who.actor, note.session_id).input)
        if s.meta.date is not None:
            sessions.append(s)
    instruments = web.engine.knowledge.instruments
    with web.record.drafter.lock:
        trends = build_trends(sessions, web.engine.extractor, instruments)
    svg = ""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "trends.svg"
        with contextlib.suppress(UsageError):  # nothing to chart yet
            render_chart(trends, instruments, path)
            # as an image (data: URI): matplotlib's SVG styles itself inline, which this
            # app's CSP forbids in pages; inside an <img> nothing in it can run or restyle the page
            svg = "data:image/svg+xml;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
    measures = service.list_measures(who.actor, client_id)
    return render(
        request,
        "trends.html",
        who,
        client=client,
        svg=svg,
        trends=trends,
        measures=measures,
        changes=trends.changes(instruments),
    )


# ------------------------------------------------------------------------------- pilot


@router.get("/pilot", response_class=HTMLResponse)
def pilot_page(request: Request, *, who: Clinical) -> Response:
    figures = web_of(request).record.service.pilot_figures(who.actor)
    per: dict[int, list[Any]] = defaultdict(list)
    for f in figures:
        per[f.author_id].append(f)
    summary = []
    for author, rows in sorted(per.items()):
        minutes = [r.minutes_to_signature for r in rows if r.minutes_to_signature is not None]
        ratios = [r.edit_ratio for r in rows if r.edit_ratio is not None]
        summary.append(
            {
                "author": "you" if author == who.user.id else f"clinician #{author}",
                "notes": len(rows),
                "median_minutes": statistics.median(minutes) if minutes else None,
                "mean_edit_ratio": round(statistics.fmean(ratios), 2) if ratios else None,
                "late": sum(1 for r in rows if r.late_entry),
            }
        )
    return render(request, "pilot.html", who, figures=figures, summary=summary)


# ------------------------------------------------------------------------ private notes


@router.get("/clients/{client_id}/private", response_class=HTMLResponse)
def private_page(request: Request, *, client_id: Id, who: Clinical) -> Response:
    service = web_of(request).record.service
    client = service.get_client(who.actor, client_id)
    notes = service.read_private_notes(who.actor, client_id)
    return render(request, "private.html", who, client=client, notes=notes)


@router.post("/clients/{client_id}/private")
def add_private(
    request: Request, *, client_id: Id, body: Annotated[str, Form()] = "", who: Clinical
) -> Response:
    web_of(request).record.service.write_private_note(who.actor, client_id, body)
    return redirect(f"/clients/{client_id}/private")


# ------------------------------------------------------------------------------ billing


@router.get("/billing", response_class=HTMLResponse)
def billing_page(request: Request, *, who: Biller) -> Response:
    lines = web_of(request).record.service.billing_lines(who.actor)
    return render(request, "billing.html", who, lines=lines)


# -------------------------------------------------------------------------------- admin


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, *, who: Admin) -> Response:
    users = web_of(request).record.service.list_users(who.actor)
    return render(request, "admin.html", who, users=users, created=None)


@router.post("/admin/users", response_class=HTMLResponse)
def admin_add_user(
    request: Request,
    *,
    username: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    full_name: Annotated[str, Form()] = "",
    credentials: Annotated[str, Form()] = "",
    supervisor: Annotated[str, Form()] = "",
    who: Admin,
) -> Response:
    service = web_of(request).record.service
    try:
        user, password = service.add_user(
            who.actor,
            username,
            role,
            full_name=full_name,
            credentials=credentials,
            supervisor=supervisor.strip() or None,
        )
    except RecordError as exc:
        if isinstance(exc, AccessDenied):
            raise
        users = service.list_users(who.actor)
        return render(request, "admin.html", who, status=400, users=users, created=None, error=str(exc))
    users = service.list_users(who.actor)
    return render(request, "admin.html", who, users=users, created=(user, password))


@router.post("/admin/users/{username}/disable")
def admin_disable(request: Request, *, username: str, who: Admin) -> Response:
    web_of(request).record.service.disable_user(who.actor, username)
    return redirect("/admin")


@router.post("/admin/users/{username}/role", response_class=HTMLResponse)
def admin_change_role(
    request: Request,
    *,
    username: str,
    role: Annotated[str, Form()] = "",
    supervisor: Annotated[str, Form()] = "",
    who: Admin,
) -> Response:
    service = web_of(request).record.service
    try:
        service.change_role(who.actor, username, role, supervisor.strip() or None)
    except RecordError as exc:
        if isinstance(exc, AccessDenied):
            raise
        users = service.list_users(who.actor)
        return render(request, "admin.html", who, status=400, users=users, created=None, error=str(exc))
    return redirect("/admin")


@router.post("/admin/retention", response_class=HTMLResponse)
def admin_retention(request: Request, *, mode: Annotated[str, Form()] = "dry-run", who: Admin) -> Response:
    service = web_of(request).record.service
    if mode not in ("dry-run", "apply"):
        raise FormError("mode: expected dry-run or apply")
    due = service.apply_retention(who.actor, dry_run=mode == "dry-run")
    users = service.list_users(who.actor)
    return render(request, "admin.html", who, users=users, created=None, retention=(mode, due))


@router.get("/admin/audit", response_class=HTMLResponse)
def admin_audit(
    request: Request, *, after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0, verify: int = 0, who: Admin
) -> Response:
    service = web_of(request).record.service
    events = service.audit_log(who.actor, after_seq=max(0, after), limit=200)
    check = service.verify_audit(who.actor) if verify else None
    return render(request, "audit.html", who, events=events, check=check, after=after)


# ------------------------------------------------------------------------------ account


@router.get("/account/totp", response_class=HTMLResponse)
def totp_account(request: Request, *, who: Anyone) -> Response:
    web = web_of(request)
    enabled = web.totp.enabled(who.user.id)
    secret = None if enabled else TotpStore.new_secret()
    uri = TotpStore.provisioning_uri(secret, who.user.username) if secret else None
    return render(request, "account_totp.html", who, enabled=enabled, secret=secret, uri=uri)


@router.post("/account/totp", response_class=HTMLResponse)
def totp_enrol(
    request: Request, *, secret: Annotated[str, Form()] = "", code: Annotated[str, Form()] = "", who: Anyone
) -> Response:
    """Turn on TOTP: the code proves the authenticator app holds the secret shown."""
    web = web_of(request)
    if not re.fullmatch(r"[A-Z2-7]{32,64}", secret):
        raise FormError("secret: expected the base32 secret shown on the page")
    if not TotpStore.verify(secret, code, time.time()):
        uri = TotpStore.provisioning_uri(secret, who.user.username)
        return render(
            request,
            "account_totp.html",
            who,
            status=400,
            enabled=False,
            secret=secret,
            uri=uri,
            error="That code does not match; check the time on your phone and try the next code.",
        )
    web.totp.enrol(who.user.id, secret)
    return render(request, "account_totp.html", who, enabled=True, secret=None, uri=None, done=True)


@router.post("/account/totp/disable")
def totp_disable(request: Request, *, code: Annotated[str, Form()] = "", who: Anyone) -> Response:
    web = web_of(request)
    secret = web.totp.secret_of(who.user.id)
    if secret is None or not TotpStore.verify(secret, code):
        raise FormError("code: a current code from your authenticator app is needed to turn two-factor off")
    web.totp.remove(who.user.id)
    return redirect("/account/totp")
