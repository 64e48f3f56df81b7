"""Every route × every kind of user, and CSRF on every state-changing route.

The expected outcomes are written out here, route by route, and a first test checks that this
table names exactly the routes the app has: a new route without an entry fails the suite, so
nobody can add a page and forget who may open it.

"Allowed" means the request got through (no 403, no redirect to the login page, no 5xx — a
400 for a deliberately minimal form is fine); "denied" means 403; an anonymous visitor is sent
to the login page (pages) or gets 401 (API). Each call gets fresh targets (a new draft, a new
note awaiting co-signature…), so one allowed call cannot change the next one's outcome.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Route

from notewell.web.app import CSRF_EXEMPT, UNSAFE_METHODS
from tests.web.conftest import PASSWORD, ROLES, SESSION_TEXT, USERNAMES, World, token

LABELS = itertools.count(1)
CLIN = frozenset({"clinician", "trainee", "supervisor"})
ALL = frozenset(ROLES)
PUBLIC = "public"  # open to everyone, logged in or not

Request = tuple[str, dict[str, Any]]  # url, keyword arguments for the request (data= or json=)
Prepare = Callable[[World], Request]


def page(url: str) -> Prepare:
    return lambda w: (url.format(c=w.shared), {})


def form(url: str, **data: Any) -> Prepare:
    return lambda w: (url.format(c=w.shared), {"data": dict(data)})


def api(url: str, **body: Any) -> Prepare:
    return lambda w: (url.format(c=w.shared), {"json": dict(body)})


def on_draft(url: str, kind: str = "data", **data: Any) -> Prepare:
    def prepare(w: World) -> Request:
        return url.format(n=w.draft()), {kind: {"version": 1, **data}}

    return prepare


def on_signed(url: str, **data: Any) -> Prepare:
    return lambda w: (url.format(n=w.signed()), {"data": dict(data)} if data else {})


def on_awaiting(url: str, **data: Any) -> Prepare:
    def prepare(w: World) -> Request:
        note, version = w.awaiting()
        return url.format(n=note), {"data": {"version": version, **data}}

    return prepare


def disable_someone(w: World) -> Request:
    from notewell.domain.records import Actor

    name = f"temp{len(w.service.list_users(Actor.operator('t')))}"
    w.service.add_user(Actor.operator("t"), name, "biller")
    return f"/admin/users/{name}/disable", {}


def change_someone(w: World) -> Request:
    from notewell.domain.records import Actor

    name = f"role{len(w.service.list_users(Actor.operator('t')))}"
    w.service.add_user(Actor.operator("t"), name, "biller")
    return f"/admin/users/{name}/role", {"data": {"role": "clinician", "supervisor": "sam"}}


ROUTES: dict[tuple[str, str], tuple[frozenset[str] | str, Prepare]] = {
    ("GET", "/api/openapi.json"): (PUBLIC, page("/api/openapi.json")),
    ("GET", "/login"): (PUBLIC, page("/login")),
    ("POST", "/login"): (PUBLIC, form("/login", username="dana", password="wrong password here")),
    ("GET", "/login/totp"): (PUBLIC, page("/login/totp")),
    ("POST", "/login/totp"): (PUBLIC, form("/login/totp", code="000000")),
    ("GET", "/setup"): (PUBLIC, page("/setup")),
    ("POST", "/setup"): (PUBLIC, form("/setup", username="eve", password="x" * 12, password2="x" * 12)),
    ("POST", "/logout"): (ALL, form("/logout")),
    ("GET", "/"): (ALL, page("/")),
    ("GET", "/clients"): (CLIN, page("/clients")),
    ("POST", "/clients"): (
        CLIN,
        lambda w: ("/clients", {"data": {"label": f"Matrix client {next(LABELS)}"}}),
    ),
    ("GET", "/clients/{client_id}"): (CLIN, page("/clients/{c}")),
    ("POST", "/clients/{client_id}/consent"): (CLIN, form("/clients/{c}/consent", given_on="2026-02-01")),
    ("POST", "/clients/{client_id}/diagnoses"): (CLIN, form("/clients/{c}/diagnoses", code="F41.1")),
    ("POST", "/clients/{client_id}/plan"): (CLIN, form("/clients/{c}/plan", goals="G1: Sleep 7 hours")),
    ("GET", "/clients/{client_id}/recap"): (CLIN, page("/clients/{c}/recap")),
    ("GET", "/clients/{client_id}/sessions/new"): (CLIN, page("/clients/{c}/sessions/new")),
    ("POST", "/clients/{client_id}/sessions"): (CLIN, form("/clients/{c}/sessions", text=SESSION_TEXT)),
    ("GET", "/clients/{client_id}/trends"): (CLIN, page("/clients/{c}/trends")),
    ("GET", "/clients/{client_id}/private"): (CLIN, page("/clients/{c}/private")),
    ("POST", "/clients/{client_id}/private"): (CLIN, form("/clients/{c}/private", body="Process note.")),
    ("GET", "/notes/{note_id}"): (CLIN, lambda w: (f"/notes/{w.draft()}", {})),
    ("POST", "/notes/{note_id}/edit"): (
        frozenset({"clinician"}),
        on_draft("/notes/{n}/edit", body="Edited."),
    ),
    ("POST", "/notes/{note_id}/sign"): (frozenset({"clinician"}), on_draft("/notes/{n}/sign")),
    ("POST", "/notes/{note_id}/addenda"): (
        CLIN,
        on_signed("/notes/{n}/addenda", body="Client called.", reason="late information"),
    ),
    ("POST", "/notes/{note_id}/cosign"): (frozenset({"supervisor"}), on_awaiting("/notes/{n}/cosign")),
    ("POST", "/notes/{note_id}/revision"): (
        frozenset({"supervisor"}),
        on_awaiting("/notes/{n}/revision", comment="Add the response."),
    ),
    ("GET", "/notes/{note_id}/export"): (CLIN, on_signed("/notes/{n}/export")),
    ("GET", "/supervision"): (frozenset({"supervisor"}), page("/supervision")),
    ("GET", "/pilot"): (CLIN, page("/pilot")),
    ("GET", "/billing"): (frozenset({"biller"}), page("/billing")),
    ("GET", "/admin"): (frozenset({"admin"}), page("/admin")),
    ("POST", "/admin/users"): (frozenset({"admin"}), form("/admin/users", username="newbie", role="biller")),
    ("POST", "/admin/users/{username}/disable"): (frozenset({"admin"}), disable_someone),
    ("POST", "/admin/users/{username}/role"): (frozenset({"admin"}), change_someone),
    ("POST", "/admin/retention"): (frozenset({"admin"}), form("/admin/retention", mode="dry-run")),
    ("GET", "/admin/audit"): (frozenset({"admin"}), page("/admin/audit?verify=1")),
    ("GET", "/account/totp"): (ALL, page("/account/totp")),
    ("POST", "/account/totp"): (
        ALL,
        form("/account/totp", secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", code="000000"),
    ),
    ("POST", "/account/totp/disable"): (ALL, form("/account/totp/disable", code="000000")),
    ("POST", "/api/login"): (PUBLIC, api("/api/login", username="dana", password=PASSWORD)),
    ("POST", "/api/logout"): (ALL, api("/api/logout")),
    ("GET", "/api/me"): (ALL, page("/api/me")),
    ("GET", "/api/clients"): (CLIN, page("/api/clients")),
    ("GET", "/api/clients/{client_id}/notes"): (CLIN, page("/api/clients/{c}/notes")),
    ("POST", "/api/clients/{client_id}/drafts"): (CLIN, api("/api/clients/{c}/drafts", text=SESSION_TEXT)),
    ("GET", "/api/notes/{note_id}"): (CLIN, lambda w: (f"/api/notes/{w.draft()}", {})),
    ("PUT", "/api/notes/{note_id}"): (
        frozenset({"clinician"}),
        on_draft("/api/notes/{n}", "json", body="New."),
    ),
    ("POST", "/api/notes/{note_id}/sign"): (
        frozenset({"clinician"}),
        on_draft("/api/notes/{n}/sign", "json"),
    ),
    ("POST", "/api/measures/score"): (CLIN, api("/api/measures/score", instrument="GAD-7", items=[1] * 7)),
    ("POST", "/api/nudges"): (CLIN, api("/api/nudges", text=SESSION_TEXT)),
}


def app_routes(world: World) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, walking included routers (FastAPI wraps them)."""
    found = set()
    pending = list(world.app.routes)
    while pending:
        route = pending.pop()
        included = getattr(route, "original_router", None)
        if included is not None:
            pending.extend(included.routes)
        elif isinstance(route, APIRoute | Route):
            for method in route.methods or ():
                if method != "HEAD":
                    found.add((method, route.path))
    return found


def test_the_matrix_names_every_route_of_the_app(world: World) -> None:
    assert app_routes(world) == set(ROUTES)


def send(
    world: World, who: str | None, method: str, url: str, kwargs: dict[str, Any], csrf: bool = True
) -> Any:
    c = world.fresh_client(who)
    headers = {"X-CSRF-Token": token(c)} if csrf and method in UNSAFE_METHODS else {}
    if "data" in kwargs and csrf:
        kwargs = {"data": {**kwargs["data"], "csrf_token": token(c)}}
    return c.request(method, url, headers=headers, **kwargs)


def outcome(response: Any) -> str:
    if response.status_code == 403:
        return "denied"
    if response.status_code == 401 and response.request.url.path.startswith("/api/"):
        return "login"
    if response.status_code in (302, 303) and response.headers["location"].startswith("/login?next="):
        return "login"
    if response.status_code >= 500:
        return f"error {response.status_code}"
    return "allowed"


@pytest.mark.parametrize("web_backend", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
def test_route_by_role(world: World, method: str, path: str) -> None:
    allowed, prepare = ROUTES[(method, path)]
    mismatches = []
    for who in (*ROLES, None):
        url, kwargs = prepare(world)
        response = send(world, who, method, url, kwargs)
        got = outcome(response)
        if allowed == PUBLIC:  # never refused, never an error; it may send you to the login page
            expected = got if got in ("allowed", "login") else "allowed or login"
        elif who is None:
            expected = "login"
        else:
            expected = "allowed" if who in allowed else "denied"
        if got != expected:
            mismatches.append(
                f"{who or 'anonymous'}: expected {expected}, got {got} ({response.status_code})"
            )
    assert mismatches == []


UNSAFE = sorted((m, p) for (m, p) in ROUTES if m in UNSAFE_METHODS and (m, p) not in CSRF_EXEMPT)


def _first_allowed(allowed: frozenset[str] | str) -> str | None:
    if allowed == PUBLIC:
        return None
    return sorted(allowed)[0]


@pytest.mark.parametrize(("method", "path"), UNSAFE)
@pytest.mark.parametrize("given", ["missing", "wrong"])
def test_state_changing_routes_need_the_csrf_token(world: World, method: str, path: str, given: str) -> None:
    allowed, prepare = ROUTES[(method, path)]
    who = _first_allowed(allowed)
    url, kwargs = prepare(world)
    c = world.fresh_client(who)
    audit_before = len(world.service.audit_log(world.people["admin"], limit=100_000))
    if given == "wrong":
        bad = token(c)[::-1]
        headers = {"X-CSRF-Token": bad}
        if "data" in kwargs:
            kwargs = {"data": {**kwargs["data"], "csrf_token": bad}}
            headers = {}
    else:
        headers = {}
    response = c.request(method, url, headers=headers, **kwargs)
    assert response.status_code == 403, response.text
    assert "CSRF" in response.text
    # nothing happened: the only new audit rows are the admin's own reads of the log
    after = world.service.audit_log(world.people["admin"], limit=100_000)
    assert [e.action for e in after[audit_before:] if e.actor != USERNAMES["admin"]] == []


def test_the_json_login_is_the_only_exemption_and_takes_json_only(world: World) -> None:
    assert {("POST", "/api/login")} == CSRF_EXEMPT
    c = world.fresh_client(None)
    r = c.post("/api/login", data={"username": "dana", "password": PASSWORD})
    assert r.status_code == 422
    assert "nw_session" not in r.headers.get("set-cookie", "") or r.json().get("csrf_token") is None
    r = c.get("/api/me")
    assert r.status_code == 401
