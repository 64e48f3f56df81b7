"""The clinician's and the supervisor's journeys in a real browser (headless Chromium).

1. A clinician logs in, opens a client, types shorthand for a new session and watches a nudge
   appear as they type ("cognitive restructuring with no client response"), drafts the note,
   follows the nudge's "Show in text" link to the spot in the session text, fixes the gap in the
   note text, signs — the note is locked and its edit controls are gone — and adds an addendum.
2. A trainee drafts and signs a note, which goes to their supervisor; the supervisor requests a
   revision with a comment; the trainee revises and sends it again; the supervisor co-signs.

Selectors are the labels, roles and ids the pages document in ``tests/web/README.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveApp

SHORTHAND = (
    "Cl reports mood 4/10 this week, sleeping 5 hrs/night.\n"
    "Practiced cognitive restructuring of 'I always fail'.\n"
    "Denies SI/HI, no plan or intent.\n"
    "HW: thought record 3x this week."
)
RESPONSE_FIX = 'Client\'s belief in "I always fail" went from 80% to 50% after restructuring.'
NOTE_URL = re.compile(r"/notes/(\d+)(?:[?#].*)?$")


def log_in(page: Page, live: LiveApp, username: str) -> None:
    page.goto(f"{live.url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(live.passwords[username])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def open_client(page: Page, label: str) -> None:
    page.locator("#main-nav").get_by_role("link", name="Clients").click()
    page.locator("#client-list a.client-link", has_text=label).click()
    expect(page.locator("#client-profile")).to_be_visible()


def draft_session(page: Page, text: str, nudge_code: str | None = None) -> int:
    """Fill the new-session form (times, shorthand), optionally wait for a live nudge, draft."""
    page.get_by_role("link", name="New session").click()
    page.get_by_label("Start", exact=True).fill("09:00")
    page.get_by_label("End", exact=True).fill("09:50")
    page.get_by_label("Session text").fill(text)
    if nudge_code:
        expect(page.locator(f"#live-nudges li.nudge[data-code='{nudge_code}']")).to_be_visible()
    page.get_by_role("button", name="Draft note").click()
    expect(page.locator("#note-status")).to_have_text("draft")
    found = NOTE_URL.search(page.url)
    assert found, page.url
    return int(found.group(1))


def test_clinician_drafts_follows_a_nudge_fixes_signs_and_adds_an_addendum(
    live_app: LiveApp, new_page: Callable[[], Page]
) -> None:
    page = new_page()
    log_in(page, live_app, "demo-clinician")
    expect(page.get_by_test_id("current-user")).to_contain_text("Dana Demo")
    open_client(page, "Demo client B")

    note_id = draft_session(page, SHORTHAND, nudge_code="intervention_without_response")

    # The nudge panel names the gap and links to the spot in the session text.
    nudge = page.locator("#nudge-panel li.nudge[data-code='intervention_without_response']")
    expect(nudge).to_contain_text("no client response")
    expect(nudge.locator(".nudge-fix")).to_be_visible()
    nudge.get_by_role("link", name="Show in text").click()
    expect(page).to_have_url(re.compile(r"#src-\d+$"))
    highlighted = page.locator("#source-text .seg.hl")
    expect(highlighted.first).to_be_visible()
    assert "cognitive restructuring" in " ".join(highlighted.all_inner_texts())

    # Hovering or focusing a draft sentence highlights its own evidence instead.
    sentence = page.locator("#draft-sentences .sentence[data-evidence]:not([data-evidence=''])").first
    sentence.focus()
    expect(page.locator("#source-text .seg.hl").first).to_be_visible()

    # Fix it in the note text: say how the client responded.
    text_box = page.get_by_label("Note text")
    body = text_box.input_value()
    assert "Cognitive restructuring" in body and RESPONSE_FIX not in body
    text_box.fill(body.rstrip() + "\n" + RESPONSE_FIX + "\n")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#note-version")).to_have_text("2")
    expect(page.get_by_label("Note text")).to_have_value(re.compile(re.escape(RESPONSE_FIX)))

    page.get_by_role("button", name="Sign and lock").click()
    expect(page.locator("#note-status")).to_have_text("signed")
    locked = page.locator("#locked-view")
    expect(locked).to_contain_text(RESPONSE_FIX)
    expect(page.locator("#signature-line")).to_contain_text("Dana Demo, LCSW")
    # Locked: no way to edit or sign again from the page.
    expect(page.locator("#edit-form")).to_have_count(0)
    expect(page.locator("#sign-form")).to_have_count(0)
    expect(page.get_by_role("button", name="Save changes")).to_have_count(0)

    page.get_by_label("Addendum").fill("Client phoned: the thought record was done twice, not three times.")
    page.get_by_label("Reason").select_option("correction")
    page.get_by_role("button", name="Add addendum").click()
    addenda = page.locator("#addenda")
    expect(addenda).to_contain_text("thought record was done twice")
    expect(addenda).to_contain_text("correction")
    # The signed text itself did not change.
    expect(page.locator("#locked-view")).not_to_contain_text("done twice")
    found = NOTE_URL.search(page.url)
    assert found and int(found.group(1)) == note_id  # still on the same note


def test_trainee_note_is_returned_with_a_comment_then_co_signed(
    live_app: LiveApp, new_page: Callable[[], Page]
) -> None:
    trainee = new_page()
    log_in(trainee, live_app, "demo-trainee")
    expect(trainee.get_by_test_id("current-user")).to_contain_text("trainee")
    open_client(trainee, "Demo client C")
    note_id = draft_session(
        trainee,
        "Cl reports 2 nightmares this week, cannabis 4 of 7 nights.\n"
        "Decisional balance on nightly use; cl rated importance 7/10.\n"
        "Denies SI/HI.\nHW: keep the sleep and cannabis log.",
    )
    trainee.get_by_label("Comment for your supervisor (optional)").fill("First MI session on my own.")
    trainee.get_by_role("button", name="Sign and send for co-signature").click()
    expect(trainee.locator("#note-status")).to_have_text("awaiting co-signature")
    expect(trainee.locator("#edit-form")).to_have_count(0)

    supervisor = new_page()
    log_in(supervisor, live_app, "demo-supervisor")
    supervisor.locator("#main-nav").get_by_role("link", name="Supervision").click()
    row = supervisor.locator(f"#cosign-list [data-note-id='{note_id}']")
    expect(row).to_be_visible()
    row.get_by_role("link", name=f"Review note {note_id}").click()
    supervisor.get_by_label("Comment").fill("Add the PCL-5 total and the safety screening result.")
    supervisor.get_by_role("button", name="Request revision").click()
    # Back on the queue: the returned note has left it, and is a draft again with the comment.
    expect(supervisor.get_by_role("heading", name="Notes waiting for your co-signature")).to_be_visible()
    expect(supervisor.locator(f"#cosign-list [data-note-id='{note_id}']")).to_have_count(0)
    supervisor.goto(f"{live_app.url}/notes/{note_id}")
    expect(supervisor.locator("#note-status")).to_have_text("draft")
    expect(supervisor.locator("#reviews")).to_contain_text("Add the PCL-5 total")
    expect(supervisor.locator("#cosign-form")).to_have_count(0)

    # The trainee sees the comment, revises and sends the note again.
    trainee.goto(f"{live_app.url}/notes/{note_id}")
    expect(trainee.locator("#reviews")).to_contain_text("revision requested")
    box = trainee.get_by_label("Note text")
    box.fill(box.input_value().rstrip() + "\nPCL-5 total 36. Safety screening: denies SI/HI.\n")
    trainee.get_by_role("button", name="Save changes").click()
    expect(trainee.get_by_label("Note text")).to_have_value(re.compile("PCL-5 total 36"))
    trainee.get_by_role("button", name="Sign and send for co-signature").click()
    expect(trainee.locator("#note-status")).to_have_text("awaiting co-signature")

    supervisor.goto(f"{live_app.url}/supervision")
    supervisor.locator(f"#cosign-list [data-note-id='{note_id}']").get_by_role("link").click()
    supervisor.get_by_role("button", name="Co-sign").click()
    expect(supervisor.locator(f"#cosign-list [data-note-id='{note_id}']")).to_have_count(0)
    supervisor.goto(f"{live_app.url}/notes/{note_id}")
    expect(supervisor.locator("#note-status")).to_have_text("signed")
    expect(supervisor.locator("#cosignature-line")).to_contain_text("Sam Supervisor-Demo, PhD")
    expect(supervisor.locator("#locked-view")).to_contain_text("PCL-5 total 36")
    expect(supervisor.locator("#cosign-form")).to_have_count(0)
    trainee.reload()
    expect(trainee.locator("#note-status")).to_have_text("signed")
    expect(trainee.locator("#reviews")).to_contain_text("cosigned")
    log_out(supervisor)
