"""Every main page of the demo practice renders in the browser, with the demo's content in place.

Each page is checked for what a clinician would look for there, then photographed. A normal run
writes the pictures to a temporary folder (tracked files are never rewritten);
``NOTEWELL_UPDATE_SCREENSHOTS=1`` writes them to ``docs/screenshots/`` for the README::

    NOTEWELL_UPDATE_SCREENSHOTS=1 .venv/bin/python -m pytest tests/browser/test_screenshots.py
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveApp
from tests.browser.test_journeys import log_in, log_out

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    if os.environ.get("NOTEWELL_UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        return DOCS
    return tmp_path


def snap(page: Page, folder: Path, name: str) -> None:
    page.mouse.move(0, 0)  # no stray hover state in the picture
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000  # a rendered page, not a blank one


def client_ids(page: Page, live: LiveApp) -> dict[str, int]:
    page.goto(f"{live.url}/clients")
    links = page.locator("#client-list a.client-link")
    expect(links).to_have_count(len(links.all()))
    return {
        (link.inner_text().split(" (")[0]): int(link.get_attribute("data-client-id") or 0)
        for link in links.all()
    }


def test_main_pages_render_the_demo_practice(
    live_app: LiveApp, new_page: Callable[[], Page], shots: Path
) -> None:
    page = new_page()
    log_in(page, live_app, "demo-clinician")

    # Dashboard: today's unsigned draft for client B and the late entry of client A.
    expect(page.locator("#unsigned-notes [data-testid=note-row]")).to_have_count(1)
    expect(page.locator("#late-entries")).to_contain_text("Late entry")
    expect(page.locator("#todays-sessions")).to_contain_text("Demo client B")
    snap(page, shots, "01-dashboard")

    ids = client_ids(page, live_app)
    assert set(ids) == {"Demo client A", "Demo client B"}  # client C is the trainee's
    snap(page, shots, "02-clients")

    page.goto(f"{live_app.url}/clients/{ids['Demo client A']}")
    expect(page.locator("#diagnoses")).to_contain_text("F32.1")
    expect(page.locator("#goals")).to_contain_text("PHQ-9 below 10")
    expect(page.locator("#client-notes [data-testid=note-row]")).to_have_count(5)
    snap(page, shots, "03-client-profile")

    page.goto(f"{live_app.url}/clients/{ids['Demo client A']}/recap")
    expect(page.locator("#recap-scores")).to_contain_text("PHQ-9")
    expect(page.locator("#recap-homework")).not_to_be_empty()
    snap(page, shots, "04-pre-session-recap")

    page.goto(f"{live_app.url}/clients/{ids['Demo client B']}/sessions/new")
    page.get_by_label("Session text").fill(
        "Video visit, cl at home.\nS: Cl reports mood 5/10, walked 3x.\n"
        "I: Practiced cognitive restructuring of 'I'll just be the slowest one there'.\n"
        "HW: pool Tue and Thu."
    )
    for item, answer in enumerate((2, 1, 1, 2, 1, 1, 1, 0, 0), start=1):
        page.locator(f"#m_PHQ-9_{item}").select_option(str(answer))
    expect(page.locator("#score-PHQ-9")).to_contain_text("PHQ-9 total 9")
    expect(page.locator("#live-nudges li.nudge").first).to_be_visible()
    snap(page, shots, "05-new-session")

    page.goto(f"{live_app.url}/")
    page.locator("#todays-sessions [data-testid=note-row]").get_by_role("link").click()
    expect(page.locator("#note-status")).to_have_text("draft")
    page.locator("#draft-sentences .sentence[data-evidence]:not([data-evidence=''])").nth(1).focus()
    expect(page.locator("#source-text .seg.hl").first).to_be_visible()
    snap(page, shots, "06-draft-review")

    page.goto(f"{live_app.url}/clients/{ids['Demo client A']}/trends")
    chart = page.get_by_role("img", name=re.compile("Scores over time"))
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")  # the picture decoded
    snap(page, shots, "08-trends")

    page.goto(f"{live_app.url}/pilot")
    # Dana signed seven demo notes, one of them late (minutes to signature and edit ratio each).
    expect(page.locator("#pilot-figures tbody tr")).to_have_count(7)
    expect(page.locator("#pilot-by-clinician tbody tr")).to_have_count(1)
    snap(page, shots, "09-pilot-figures")
    log_out(page)

    log_in(page, live_app, "demo-supervisor")
    page.locator("#main-nav").get_by_role("link", name="Supervision").click()
    expect(page.locator("#cosign-list [data-testid=note-row]")).to_have_count(1)
    snap(page, shots, "07-supervisor-queue")
    log_out(page)

    log_in(page, live_app, "demo-admin")
    page.goto(f"{live_app.url}/admin")
    for user in ("demo-clinician", "demo-trainee", "demo-supervisor", "demo-biller", "demo-admin"):
        expect(page.locator("#user-list")).to_contain_text(user)
    snap(page, shots, "10-admin")
    page.goto(f"{live_app.url}/admin/audit")
    page.get_by_role("link", name="Verify chain").click()
    expect(page.locator("#audit-verify")).to_contain_text("Chain verified")
    snap(page, shots, "11-audit-log")


def test_no_main_page_breaks_its_content_security_policy_or_throws(
    live_app: LiveApp, new_page: Callable[[], Page]
) -> None:
    """The CSP forbids inline script and style; a page that relies on either is broken for real
    users (a chart drawn black, a handler that never runs) while the server-side tests pass."""
    page = new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{page.url}: {m.text[:160]}")
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"{page.url}: script error {e}"))

    log_in(page, live_app, "demo-clinician")
    ids = client_ids(page, live_app)
    a, b = ids["Demo client A"], ids["Demo client B"]
    for path in (
        "/",
        "/clients",
        f"/clients/{a}",
        f"/clients/{a}/recap",
        f"/clients/{b}/sessions/new",
        f"/clients/{a}/trends",
        f"/clients/{a}/private",
        "/pilot",
    ):
        page.goto(f"{live_app.url}{path}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{live_app.url}/")
    page.locator("#todays-sessions [data-testid=note-row]").get_by_role("link").click()
    page.wait_for_load_state("networkidle")
    log_out(page)
    log_in(page, live_app, "demo-admin")
    for path in ("/admin", "/admin/audit?verify=1"):
        page.goto(f"{live_app.url}{path}")
        page.wait_for_load_state("networkidle")
    pages = sorted({p.split(": ", 1)[0].split("?")[0] for p in problems})
    assert not problems, f"{len(problems)} problems on {pages}; first: {problems[0]}"


def test_every_dashboard_link_can_be_clicked_on_a_laptop_screen(
    live_app: LiveApp, new_page: Callable[[], Page]
) -> None:
    page = new_page()
    log_in(page, live_app, "demo-clinician")
    links = page.locator("#main [data-testid=note-row] a")
    expect(links).to_have_count(3)  # today's session, the same note unsigned, the late entry
    for i in range(links.count()):
        links.nth(i).click(trial=True, timeout=3_000)  # visible, enabled and not covered
