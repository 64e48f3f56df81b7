"""The JSON API under ``/api`` (its OpenAPI document: ``GET /api/openapi.json``).

A script logs in, keeps the session cookie, and sends the CSRF token it got back in the
``X-CSRF-Token`` header of every POST/PUT::

    r = client.post("/api/login", json={"username": "dana", "password": "…"})
    token = r.json()["csrf_token"]
    client.post("/api/clients/3/drafts", json={"text": "Cl reports mood 4/10…", "format": "soap"},
                headers={"X-CSRF-Token": token})

The draft endpoint runs the engine (built once per worker, reused) and stores the session, the
AI draft and a draft note, exactly like the new-session page.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from notewell.domain.measures import ScoringError, score_items
from notewell.domain.records import NoteRecord
from notewell.exports.contract import note_to_json
from notewell.services.measures import find_instrument
from notewell.web.app import MAX_ID, Anyone, Clinical, Id, web_of
from notewell.web.forms import FormError, payload_from_form, session_from_payload
from notewell.web.routes_pages import login_attempt
from notewell.web.security import TotpStore

router = APIRouter(prefix="/api", tags=["api"])


class LoginBody(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)
    totp: str | None = Field(default=None, description="the 6-digit code, for accounts with two-factor login")


class EditBody(BaseModel):
    body: str = Field(description="the note's new text")
    version: int = Field(ge=1, le=MAX_ID, description="the version you edited (stale → 409)")


class VersionBody(BaseModel):
    version: int = Field(ge=1, le=MAX_ID)
    comment: str | None = None


class ScoreBody(BaseModel):
    instrument: str = Field(examples=["PHQ-9"])
    items: list[int] = Field(examples=[[1, 2, 1, 0, 1, 2, 1, 0, 0]])


def note_json(note: NoteRecord) -> dict[str, Any]:
    return {
        "id": note.id,
        "client_id": note.client_id,
        "session_id": note.session_id,
        "author_id": note.author_id,
        "format": note.format,
        "status": note.status,
        "version": note.version,
        "body": note.body,
        "late_entry": note.late_entry_label,
        "signed_by": note.signature.line if note.signature else None,
        "cosigned_by": note.cosignature.line if note.cosignature else None,
        "content_hash": note.content_hash,
    }


@router.post("/login", summary="Log in; sets the session cookie and returns the CSRF token")
def api_login(request: Request, *, body: LoginBody) -> Response:
    web = web_of(request)
    session, problem = login_attempt(web, request, body.username, body.password)
    if session is None:
        return JSONResponse({"error": problem}, status_code=401)
    if session.pending_totp:
        assert session.user_id is not None
        secret = web.totp.secret_of(session.user_id)
        if body.totp is None or secret is None or not TotpStore.verify(secret, body.totp):
            web.throttle.failed(session.username, request.client.host if request.client else "unknown")
            return JSONResponse({"error": "a valid totp code is required for this account"}, status_code=401)
        session.pending_totp = False
    request.state.session = session
    return JSONResponse({"csrf_token": session.csrf, "username": session.username})


@router.post("/logout", summary="End the session")
def api_logout(request: Request, *, who: Anyone) -> dict[str, bool]:
    from notewell.web.security import WebSession

    request.state.session = WebSession.anonymous(web_of(request).codec.clock())
    return {"ok": True}


@router.get("/me", summary="The logged-in account")
def api_me(who: Anyone) -> dict[str, Any]:
    return {
        "id": who.user.id,
        "username": who.user.username,
        "role": who.user.role,
        "trainee": who.user.is_trainee,
        "csrf_token": who.session.csrf,
    }


@router.get("/clients", summary="The clients in your care team")
def api_clients(request: Request, *, who: Clinical) -> list[dict[str, Any]]:
    clients = web_of(request).record.service.list_clients(who.actor)
    return [
        {
            "id": c.id,
            "label": c.label,
            "last_service_on": c.last_service_on.isoformat() if c.last_service_on else None,
        }
        for c in clients
    ]


@router.get("/clients/{client_id}/notes", summary="A client's notes")
def api_client_notes(request: Request, *, client_id: Id, who: Clinical) -> list[dict[str, Any]]:
    return [note_json(n) for n in web_of(request).record.service.list_notes(who.actor, client_id)]


@router.post("/clients/{client_id}/drafts", summary="Draft a note for a session (stored as a draft note)")
def api_draft(
    request: Request,
    *,
    client_id: Id,
    payload: Annotated[
        dict[str, Any],
        Body(
            description="a session as in eval/SCHEMA.md §1 (text, session, checklist…) + optional format",
            examples=[
                {"text": "Cl reports mood 4/10. Denies SI. Practiced thought record.", "format": "soap"}
            ],
        ),
    ],
    who: Clinical,
) -> dict[str, Any]:
    web = web_of(request)
    fmt = payload.get("format", "auto")
    if not isinstance(fmt, str) or (fmt != "auto" and fmt not in web.engine.formats.names()):
        raise FormError(
            f"format: expected auto or one of {', '.join(web.engine.formats.names())}, got {fmt!r}"
        )
    session = session_from_payload(
        payload, web.engine.knowledge.instruments, web.engine.techniques, web.record.settings.max_input_bytes
    )
    outcome = web.record.service.draft_note(who.actor, client_id, session, fmt)
    return {
        "note_id": outcome.note.id,
        "session_id": outcome.session_id,
        "note": note_json(outcome.note),
        "draft": outcome.ai_draft,
        "warnings": list(outcome.warnings),
    }


@router.get("/notes/{note_id}", summary="A note with its AI draft (sentences with evidence, nudges)")
def api_note(request: Request, *, note_id: Id, who: Clinical) -> dict[str, Any]:
    service = web_of(request).record.service
    note = service.get_note(who.actor, note_id)
    return {**note_json(note), "draft": service.get_ai_draft(who.actor, note_id).content}


@router.put("/notes/{note_id}", summary="Edit a draft (409 if someone changed it since your version)")
def api_edit(request: Request, *, note_id: Id, body: EditBody, who: Clinical) -> dict[str, Any]:
    note = web_of(request).record.service.edit_note(
        who.actor, note_id, body.body, expected_version=body.version
    )
    return note_json(note)


@router.post("/notes/{note_id}/sign", summary="Sign and lock (a trainee: sign and send for co-signature)")
def api_sign(request: Request, *, note_id: Id, body: VersionBody, who: Clinical) -> dict[str, Any]:
    service = web_of(request).record.service
    if who.user.is_trainee:
        note = service.request_cosign(who.actor, note_id, body.version, body.comment)
    else:
        note = service.sign_note(who.actor, note_id, body.version)
    return note_json(note)


@router.post("/measures/score", summary="Score a completed PHQ-9, GAD-7, PCL-5… form")
def api_score(request: Request, *, body: ScoreBody, who: Clinical) -> dict[str, Any]:
    instruments = web_of(request).engine.knowledge.instruments
    spec = find_instrument(instruments, body.instrument)
    try:
        result = score_items(spec, body.items)
    except ScoringError as exc:
        raise FormError(f"items: {exc}") from None
    return {
        "instrument": result.instrument,
        "total": result.total,
        "band": result.band,
        "flags": list(result.flags),
    }


@router.post("/nudges", summary="Nudges for an unsaved session (runs extraction and review; stores nothing)")
async def api_nudges(request: Request, *, who: Clinical) -> dict[str, Any]:
    """The new-session page calls this as the clinician types (debounced): the gaps an auditor
    would flag, so they are closed before the draft. Accepts the session JSON or the form fields."""
    web = web_of(request)
    instruments = web.engine.knowledge.instruments
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            payload = await request.json()
        except ValueError:
            raise FormError("body: not valid JSON") from None
    else:
        form = await request.form()
        payload = payload_from_form(form, form.getlist, instruments)
    if not isinstance(payload, dict):
        raise FormError("body: expected a JSON object with at least a text field")
    if not str(payload.get("text") or "").strip():  # nothing typed yet: nothing to flag
        return {"nudges": [], "risk": {}}
    session = session_from_payload(
        payload, instruments, web.engine.techniques, web.record.settings.max_input_bytes
    )
    engine = web.engine
    with web.record.drafter.lock:
        facts = engine.extractor.extract(session)  # once: composing and reviewing reuse the facts
        note = engine.composer.compose_named(session, facts, "auto")
        note = replace(note, nudges=tuple(engine.reviewer.review(session, facts, note)))
    return {
        "nudges": note_to_json("web", note)["nudges"],
        "risk": {k: f.value for k, f in facts.risk.items()},
    }
