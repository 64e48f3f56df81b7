"""The app factory as ``notewell serve`` calls it: settings from the environment, the real
argon2 hashes, the engine warmed at startup; and the web settings' own validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from notewell.bootstrap import open_record
from notewell.errors import ConfigurationError
from notewell.web.app import WebConfig, create_app
from tests.record.conftest import settings_for
from tests.web.conftest import PASSWORD


def test_create_app_from_settings_with_argon2_logins(tmp_path: Path) -> None:
    settings = settings_for(None, tmp_path)
    record = open_record(settings, create=True)
    record.service.setup_admin("ada", PASSWORD, "Ada Admin")
    record.close()
    with TestClient(
        create_app(settings, config=WebConfig()), follow_redirects=False
    ) as c:  # runs the lifespan
        r = c.post("/api/login", json={"username": "ada", "password": PASSWORD})
        assert r.status_code == 200
        assert c.get("/admin").status_code == 200
        assert c.post("/api/login", json={"username": "ada", "password": "not it at all"}).status_code == 401


def test_a_new_installation_starts_at_the_setup_page(tmp_path: Path) -> None:
    settings = settings_for(None, tmp_path)
    open_record(settings, create=True).close()
    c = TestClient(create_app(settings, config=WebConfig()), follow_redirects=False)
    assert c.get("/").headers["location"].startswith("/login")
    assert c.get("/login").headers["location"] == "/setup"
    c.close()


def test_web_settings_from_the_environment() -> None:
    config = WebConfig.from_env(
        {"NOTEWELL_IDLE_MINUTES": "5", "NOTEWELL_SECURE_COOKIES": "yes", "NOTEWELL_LOGIN_ATTEMPTS": "3"}
    )
    assert (config.idle_minutes, config.secure_cookies, config.login_attempts) == (5.0, True, 3)
    assert WebConfig.from_env({}) == WebConfig()
    with pytest.raises(ConfigurationError, match="NOTEWELL_IDLE_MINUTES: expected a number, got 'soon'"):
        WebConfig.from_env({"NOTEWELL_IDLE_MINUTES": "soon"})
    with pytest.raises(ConfigurationError, match="NOTEWELL_LOGIN_ATTEMPTS: must be above 0"):
        WebConfig.from_env({"NOTEWELL_LOGIN_ATTEMPTS": "0"})


def test_the_workers_listener_is_marked_tcp_so_nagle_is_off() -> None:
    """``notewell serve --workers 2``: asyncio disables Nagle only on sockets that say TCP."""
    import socket

    import uvicorn

    from notewell.cli_web import tcp_listener

    listener = tcp_listener(uvicorn.Config("notewell.web.app:create_app", host="127.0.0.1", port=0))
    try:
        assert listener.proto == socket.IPPROTO_TCP
        assert listener.getsockname()[0] == "127.0.0.1"
    finally:
        listener.close()
