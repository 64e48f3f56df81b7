"""Fixtures for the web app: a record on a fresh database, the real note engine (built once per
test session), fast password hashes, and one logged-in test client per role.

The people (all synthetic): Ada (admin), Dana (clinician), Sam (supervisor), Tom (trainee
clinician supervised by Sam), Bill (biller). The client "Shared" is in Dana's and Tom's care
(so Sam sees it through Tom).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from notewell.bootstrap import App, EngineDrafter, Record
from notewell.config import Settings
from notewell.domain.records import Actor
from notewell.records.service import RecordPolicy, RecordService
from notewell.storage.store import Database
from notewell.web.app import WebConfig, create_app
from tests.record.conftest import (  # noqa: F401  (fixtures re-exported for the web tests)
    PostgresPool,
    postgres,
    postgres_pool,
    postgres_template,
    settings_for,
    sqlite_template,
)
from tests.record.fakes import PlainHasher

PASSWORD = "correct horse battery staple"
ROLES = ("clinician", "trainee", "supervisor", "biller", "admin")
USERNAMES = {"clinician": "dana", "trainee": "tom", "supervisor": "sam", "biller": "bill", "admin": "ada"}
SESSION_TEXT = (
    "Cl reports mood 4/10 this week, sleeping 5 hrs/night. Denies SI/HI.\n"
    "Practiced cognitive restructuring of 'I always fail'. HW: thought record 3x this week."
)
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """The session clock, moved by hand in idle-timeout tests."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class World:
    app: FastAPI
    record: Record
    clock: Clock
    people: dict[str, Actor]
    shared: int
    clients: dict[str, TestClient] = field(default_factory=dict)
    extra: list[TestClient] = field(default_factory=list)

    @property
    def service(self) -> RecordService:
        return self.record.service

    def client(self, role: str | None) -> TestClient:
        """A test client logged in as ``role`` (``None``: anonymous), with its CSRF token set."""
        key = role or "anonymous"
        if key not in self.clients:
            c = TestClient(self.app, follow_redirects=False)
            if role is None:
                page = c.get("/login")
                c.headers["X-Test-CSRF"] = csrf_from(page.text)
            else:
                r = c.post("/api/login", json={"username": USERNAMES[role], "password": PASSWORD})
                assert r.status_code == 200, r.text
                c.headers["X-Test-CSRF"] = r.json()["csrf_token"]
            self.clients[key] = c
        return self.clients[key]

    def fresh_client(self, role: str | None) -> TestClient:
        """A new test client (own cookies) logged in as ``role``; closed with the world."""
        c = TestClient(self.app, follow_redirects=False)
        self.extra.append(c)
        if role is None:
            c.headers["X-Test-CSRF"] = csrf_from(c.get("/login").text)
        else:
            r = c.post("/api/login", json={"username": USERNAMES[role], "password": PASSWORD})
            assert r.status_code == 200, r.text
            c.headers["X-Test-CSRF"] = r.json()["csrf_token"]
        return c

    def draft(self, role: str = "clinician", text: str = SESSION_TEXT, client: int | None = None) -> int:
        from tests.factories import make_session

        return self.service.draft_note(self.people[role], client or self.shared, make_session(text)).note.id

    def signed(self) -> int:
        note = self.service.get_note(self.people["clinician"], self.draft())
        return self.service.sign_note(self.people["clinician"], note.id, note.version).id

    def awaiting(self) -> tuple[int, int]:
        note = self.service.get_note(self.people["trainee"], self.draft("trainee"))
        waiting = self.service.request_cosign(self.people["trainee"], note.id, note.version)
        return waiting.id, waiting.version


def csrf_from(html: str) -> str:
    found = CSRF_FIELD.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def token(c: TestClient) -> str:
    return str(c.headers["X-Test-CSRF"])


def make_record(settings: Settings, engine: App) -> Record:
    db = Database.open(settings)
    drafter = EngineDrafter(settings, engine)
    service = RecordService(
        db.unit_of_work,
        drafter,
        PlainHasher(),
        policy=RecordPolicy(timezone=UTC),
        cpt_rules=engine.knowledge.cpt,
    )
    return Record(service, db, drafter)


def populate(record: Record) -> tuple[dict[str, Actor], int]:
    operator = Actor.operator("tester")
    s = record.service
    people = {}
    for role in ("admin", "clinician", "supervisor", "trainee", "biller"):
        name = USERNAMES[role]
        user, _ = s.add_user(
            operator,
            name,
            "clinician" if role == "trainee" else role,
            full_name=name.title(),
            credentials="LCSW" if role == "clinician" else "",
            supervisor="sam" if role == "trainee" else None,
            password=PASSWORD,
        )
        people[role] = Actor(user.id, user.username)
    with record.database.unit_of_work() as uow:
        ids = (people["clinician"].user_id or 0, people["trainee"].user_id or 0)
        shared = uow.store.add_client("Shared", ids, s._clock.now()).id
        uow.commit()
    s.record_consent(people["clinician"], shared, date(2026, 1, 5))
    return people, shared


@pytest.fixture(params=["sqlite"])
def web_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def web_settings(web_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    if web_backend == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), tmp_path / "notewell.db")
        return settings_for(None, tmp_path)
    pool: PostgresPool = request.getfixturevalue("postgres_pool")
    return settings_for(pool.fresh(), tmp_path)


@pytest.fixture
def make_world(web_settings: Settings, app: App) -> Iterator[Callable[..., World]]:
    made: list[World] = []

    def build(populated: bool = True, settings: dict[str, Any] | None = None, **config: Any) -> World:
        record = make_record(replace(web_settings, **(settings or {})), app)
        clock = Clock()
        web_app = create_app(record=record, config=WebConfig(**config), clock=clock)
        people, shared = populate(record) if populated else ({}, 0)
        world = World(web_app, record, clock, people, shared)
        made.append(world)
        return world

    yield build
    for w in made:
        for c in [*w.clients.values(), *w.extra]:
            c.close()
        w.record.close()


@pytest.fixture
def world(make_world: Callable[..., World]) -> World:
    return make_world()
