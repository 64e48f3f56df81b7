"""Logins, lockout, idle timeout, TOTP, first-run setup, cookies and security headers."""

from __future__ import annotations

import re
from collections.abc import Callable

import pyotp
from fastapi.testclient import TestClient
from httpx import Response

from notewell.domain.records import Actor
from notewell.web.app import CSP, WebConfig, create_app
from tests.web.conftest import PASSWORD, World, csrf_from


def login_form(c: TestClient, username: str, password: str) -> Response:
    page = c.get("/login")
    return c.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_from(page.text)}
    )


def test_login_with_the_form_then_the_dashboard(world: World) -> None:
    c = world.fresh_client(None)
    r = login_form(c, "dana", PASSWORD)
    assert r.status_code == 303 and r.headers["location"] == "/"
    page = c.get("/")
    assert page.status_code == 200
    assert 'id="unsigned-notes"' in page.text and "Dana" in page.text


def test_a_wrong_password_says_so_without_naming_which_part_was_wrong(world: World) -> None:
    c = world.fresh_client(None)
    r = login_form(c, "dana", "not the password")
    assert r.status_code == 401
    assert "Wrong username or password" in r.text
    assert login_form(c, "nobody", "not the password").text.count("Wrong username or password") == 1


def test_lockout_after_repeated_failures_then_release(world: World) -> None:
    c = world.fresh_client(None)
    for _ in range(5):
        assert login_form(c, "dana", "guess " * 3).status_code == 401
    r = login_form(c, "dana", PASSWORD)  # the right password is refused while locked
    assert r.status_code == 401 and "locked" in r.text
    api = c.post("/api/login", json={"username": "dana", "password": PASSWORD})
    assert api.status_code == 401 and "locked" in api.json()["error"]
    world.clock.now += 16 * 60
    assert login_form(c, "dana", PASSWORD).status_code == 303


def test_a_configured_attempt_limit_applies(make_world: Callable[..., World]) -> None:
    world = make_world(login_attempts=2)
    c = world.fresh_client(None)
    login_form(c, "sam", "bad password 1")
    login_form(c, "sam", "bad password 2")
    assert "locked" in login_form(c, "sam", PASSWORD).text


def test_an_idle_session_is_logged_out(world: World) -> None:
    c = world.fresh_client("clinician")
    world.clock.now += 14 * 60
    assert c.get("/").status_code == 200  # activity slides the window
    world.clock.now += 14 * 60
    assert c.get("/").status_code == 200
    world.clock.now += 16 * 60
    r = c.get("/clients")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=/clients") and "expired=1" in r.headers["location"]
    assert "timed out" in c.get(r.headers["location"]).text
    assert c.get("/api/clients").status_code == 401


def test_idle_minutes_come_from_the_settings(make_world: Callable[..., World]) -> None:
    world = make_world(idle_minutes=2)
    c = world.fresh_client("clinician")
    world.clock.now += 3 * 60
    assert c.get("/api/clients").status_code == 401


def test_a_forged_or_altered_cookie_is_refused(world: World) -> None:
    c = world.fresh_client("clinician")
    cookie = c.cookies["nw_session"]
    body, mac = cookie.split(".")
    c.cookies.set("nw_session", body + "." + mac[::-1])
    assert c.get("/api/me").status_code == 401


def test_logout_ends_the_session(world: World) -> None:
    c = world.fresh_client("clinician")
    token = c.headers["X-Test-CSRF"]
    assert c.post("/logout", data={"csrf_token": token}).status_code == 303
    assert c.get("/api/me").status_code == 401


def test_a_disabled_account_is_out_at_its_next_click(world: World) -> None:
    c = world.fresh_client("biller")
    assert c.get("/billing").status_code == 200
    world.service.disable_user(world.people["admin"], "bill")
    assert c.get("/billing").status_code == 303


def test_login_redirects_only_to_local_paths(world: World) -> None:
    c = world.fresh_client(None)
    token = csrf_from(c.get("/login").text)
    for target, expected in (
        ("/clients", "/clients"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
    ):
        c.cookies.clear()
        token = csrf_from(c.get("/login").text)
        r = c.post(
            "/login", data={"username": "dana", "password": PASSWORD, "next": target, "csrf_token": token}
        )
        assert r.headers["location"] == expected


def test_totp_enrolment_and_login(world: World) -> None:
    c = world.fresh_client("clinician")
    page = c.get("/account/totp")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text)
    assert secret
    token = c.headers["X-Test-CSRF"]
    bad = c.post("/account/totp", data={"secret": secret.group(1), "code": "123456", "csrf_token": token})
    assert bad.status_code == 400 and "does not match" in bad.text
    code = pyotp.TOTP(secret.group(1)).now()
    ok = c.post("/account/totp", data={"secret": secret.group(1), "code": code, "csrf_token": token})
    assert ok.status_code == 200 and "now on" in ok.text
    assert secret.group(1) not in (world.record.settings.data_dir / "web-totp.json").read_text()

    fresh = world.fresh_client(None)
    r = login_form(fresh, "dana", PASSWORD)
    assert r.headers["location"].startswith("/login/totp")
    assert fresh.get("/").status_code == 303  # a password alone is not a login
    page = fresh.get("/login/totp")
    wrong = fresh.post("/login/totp", data={"code": "000000", "csrf_token": csrf_from(page.text)})
    assert wrong.status_code == 401
    right = fresh.post(
        "/login/totp",
        data={"code": pyotp.TOTP(secret.group(1)).now(), "csrf_token": csrf_from(wrong.text)},
    )
    assert right.status_code == 303
    assert fresh.get("/").status_code == 200

    api = world.fresh_client(None)
    assert api.post("/api/login", json={"username": "dana", "password": PASSWORD}).status_code == 401
    done = api.post(
        "/api/login",
        json={"username": "dana", "password": PASSWORD, "totp": pyotp.TOTP(secret.group(1)).now()},
    )
    assert done.status_code == 200


def test_first_run_setup_creates_the_admin_once(make_world: Callable[..., World]) -> None:
    world = make_world(populated=False)
    c = TestClient(world.app, follow_redirects=False)
    world.extra.append(c)
    assert c.get("/login").headers["location"] == "/setup"
    page = c.get("/setup")
    token = csrf_from(page.text)
    data = {"username": "ada", "full_name": "Ada Admin", "password": PASSWORD, "csrf_token": token}
    differ = c.post("/setup", data={**data, "password2": PASSWORD + "x"})
    assert differ.status_code == 400 and "differ" in differ.text
    short = c.post("/setup", data={**data, "password": "short", "password2": "short"})
    assert short.status_code == 400 and "12 characters" in short.text
    r = c.post("/setup", data={**data, "password2": PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/admin"
    assert c.get("/admin").status_code == 200
    other = TestClient(world.app, follow_redirects=False)
    world.extra.append(other)
    assert other.get("/setup").headers["location"] == "/login"
    token = csrf_from(other.get("/login").text)
    again = other.post(
        "/setup", data={"username": "eve", "password": PASSWORD, "password2": PASSWORD, "csrf_token": token}
    )
    assert again.headers["location"] == "/login"
    ada = world.service.authenticate("ada", PASSWORD)
    assert ada.role == "admin"
    assert [u.username for u in world.service.list_users(Actor(ada.id, ada.username))] == ["ada"]


def test_security_headers_and_cookie_flags(make_world: Callable[..., World]) -> None:
    world = make_world()
    c = world.fresh_client(None)
    r = c.get("/login")
    assert r.headers["content-security-policy"] == CSP
    assert "unsafe-inline" not in CSP and "frame-ancestors 'none'" in CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    behind_https = TestClient(create_app(record=world.record, config=WebConfig(secure_cookies=True)))
    world.extra.append(behind_https)
    secure = behind_https.get("/login")
    assert "; secure" in secure.headers["set-cookie"].lower()
    assert secure.headers["strict-transport-security"] == "max-age=31536000"
    assert "strict-transport-security" not in r.headers


def test_the_lockout_is_shared_by_worker_processes(world: World) -> None:
    """Two workers are two app instances over the same data folder: failures add up."""
    second = TestClient(create_app(record=world.record, config=WebConfig(), clock=world.clock))
    world.extra.append(second)
    first = world.fresh_client(None)
    for client in (first, second, first, second):
        assert login_form(client, "sam", "wrong guess here").status_code == 401
    login_form(second, "sam", "wrong guess again")
    assert "locked" in login_form(first, "sam", PASSWORD).text
    assert "sam" in (world.record.settings.data_dir / "web-logins.json").read_text()
    assert PASSWORD not in (world.record.settings.data_dir / "web-logins.json").read_text()


def test_a_session_from_one_worker_is_valid_on_another(world: World) -> None:
    c = world.fresh_client("clinician")
    second = TestClient(create_app(record=world.record, config=WebConfig(), clock=world.clock))
    world.extra.append(second)
    second.cookies.set("nw_session", c.cookies["nw_session"])
    assert second.get("/api/me").json()["username"] == "dana"
