"""Hostile input is data: a ``<script>`` in session text is shown as text on every page that
shows it, and SQL metacharacters in any form field are stored and shown literally (no 500).

All text is synthetic.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

from tests.web.conftest import World, token

SCRIPT = "<script>alert('nw')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;nw&#39;)&lt;/script&gt;"
SQL = "Robert'); DROP TABLE notes;-- \" OR 1=1 /* %_ \\"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def hostile_world(world: World) -> dict[str, int]:
    """A client labelled with a script, a signed note and a draft whose session text holds one."""
    s, dana, tom = world.service, world.people["clinician"], world.people["trainee"]
    with world.record.database.unit_of_work() as uow:
        ids = (dana.user_id or 0, tom.user_id or 0)
        client = uow.store.add_client(f"Client {SCRIPT}", ids, s._clock.now()).id
        uow.commit()
    text = f"Cl said {SCRIPT} and reports mood 4/10. Denies SI.\nHW: walk daily {SCRIPT}."
    draft = world.draft(text=text, client=client)
    signed = world.draft(text=text, client=client)
    note = s.get_note(dana, signed)
    s.sign_note(dana, signed, note.version)
    s.add_addendum(dana, signed, f"Addendum {SCRIPT}", reason="clarification")
    s.write_private_note(dana, client, f"Private {SCRIPT}")
    s.record_diagnosis(dana, client, "F41.1", f"Anxiety {SCRIPT}")
    s.record_treatment_plan(dana, client, [("G1", f"Goal {SCRIPT}")])
    waiting = s.request_cosign(tom, world.draft("trainee", text=text, client=client), 1)
    return {"client": client, "draft": draft, "signed": signed, "waiting": waiting.id}


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("clinician", "/"),
        ("clinician", "/clients"),
        ("clinician", "/clients/{client}"),
        ("clinician", "/clients/{client}/recap"),
        ("clinician", "/clients/{client}/sessions/new"),
        ("clinician", "/notes/{draft}"),
        ("clinician", "/notes/{draft}?format=dap"),
        ("clinician", "/notes/{signed}"),
        ("clinician", "/clients/{client}/private"),
        ("clinician", "/clients/{client}/trends"),
        ("supervisor", "/supervision"),
        ("supervisor", "/notes/{waiting}"),
        ("biller", "/billing"),
    ],
)
def test_a_script_in_the_record_is_rendered_inert(world: World, role: str, url: str) -> None:
    ids = hostile_world(world)
    page = world.fresh_client(role).get(url.format(**ids))
    assert page.status_code == 200
    assert SCRIPT not in page.text
    assert not INLINE_SCRIPT.search(page.text)
    assert not EVENT_HANDLER.search(page.text)
    if "sessions/new" not in url and url != "/pilot":
        assert ESCAPED in page.text


def test_the_api_returns_hostile_text_as_json_data(world: World) -> None:
    ids = hostile_world(world)
    r = world.fresh_client("clinician").get(f"/api/notes/{ids['draft']}")
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["x-content-type-options"] == "nosniff"


class Forms(HTMLParser):
    """The forms of a page: action, method and fields (name → default value, kind)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get"), "fields": {}})
        elif not self.forms:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "submit"):
            self.forms[-1]["fields"][a["name"]] = (a.get("value", ""), a.get("type", "text"))
        elif tag == "textarea" and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = ("text", "textarea")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.forms[-1]["fields"][a["name"]] = ("", "select")
        elif tag == "option" and self._select and "selected" in a:
            self.forms[-1]["fields"][self._select] = (a.get("value", ""), "select")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def forms_of(html: str) -> list[dict[str, Any]]:
    parser = Forms()
    parser.feed(html)
    return [f for f in parser.forms if f["method"].lower() == "post" and f["action"] != "/logout"]


PAGES = [
    ("clinician", "/clients"),
    ("clinician", "/clients/{client}"),
    ("clinician", "/clients/{client}/sessions/new"),
    ("clinician", "/notes/{draft}"),
    ("clinician", "/notes/{signed}"),
    ("clinician", "/clients/{client}/private"),
    ("clinician", "/account/totp"),
    ("supervisor", "/notes/{waiting}"),
    ("admin", "/admin"),
]


@pytest.mark.parametrize(("role", "url"), PAGES)
def test_sql_metacharacters_in_every_form_field_are_harmless(world: World, role: str, url: str) -> None:
    ids = {
        "client": world.shared,
        "draft": world.draft(),
        "signed": world.signed(),
        "waiting": world.awaiting()[0],
    }
    c = world.fresh_client(role)
    page = c.get(url.format(**ids))
    assert page.status_code == 200
    forms = forms_of(page.text)
    assert forms, "the page has forms"
    tried = 0
    for form in forms:
        for field in form["fields"]:
            if field == "csrf_token":
                continue
            data = {name: value for name, (value, _) in form["fields"].items()}
            data[field] = SQL
            data["csrf_token"] = token(c)
            r = c.post(form["action"], data=data)
            tried += 1
            assert r.status_code < 500, (form["action"], field, r.status_code)
            assert SQL not in r.text  # quotes in it are escaped wherever a page shows it
            assert "Traceback" not in r.text
    assert tried > 0
    # the database is intact and still answers
    assert world.service.list_notes(world.people["clinician"], world.shared)


@pytest.mark.parametrize("web_backend", ["sqlite", "postgresql"], indirect=True)
def test_metacharacters_are_stored_and_shown_literally(world: World) -> None:
    c = world.fresh_client("clinician")
    r = c.post("/clients", data={"label": SQL, "csrf_token": token(c)})
    assert r.status_code == 303
    page = c.get(r.headers["location"])
    assert "Robert&#39;); DROP TABLE notes;-- &#34; OR 1=1 /* %_ \\" in page.text
    client_id = int(r.headers["location"].rsplit("/", 1)[1])
    note = world.draft(text=f"Cl reports mood 4/10. {SQL}", client=client_id)
    body = world.fresh_client("clinician").get(f"/notes/{note}").text
    assert "DROP TABLE notes;--" in body
    api = c.get("/api/clients").json()
    assert SQL in [x["label"] for x in api]
