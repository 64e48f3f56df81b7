"""Browser tests: Playwright driving Debian's Chromium headless against the real app.

The app runs with uvicorn in a thread of the test process, on a free loopback port, over a
temporary SQLite data folder seeded by ``notewell demo`` (three synthetic clients, five users);
one per test module, so the screenshots show the demo as ``make run`` serves it, untouched by
the journeys.
The note engine is the test session's (built once) and password hashes are test-sized argon2id,
so a login takes milliseconds; everything else — pages, JavaScript, cookies, CSRF, the record —
is what ``make run`` serves.

Chromium is ``/usr/bin/chromium`` (``.ci/run`` installs it with apt-get); Playwright's own browser
downloads are never used. Without it the tests are skipped, except in CI where that is a failure.
"""

from __future__ import annotations

import io
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from notewell.bootstrap import App, open_record
from notewell.config import Settings
from notewell.storage.passwords import Argon2PasswordHasher
from tests.local_servers import free_port

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD_LINE = re.compile(r"^\s+(demo-[a-z]+)\s+(\w+)\s+(\S+)$", re.M)


class QuickArgon2(Argon2PasswordHasher):
    """Real argon2id, test-sized (the production cost is ~0.4 s a hash)."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)


@dataclass(frozen=True)
class LiveApp:
    """The served demo practice: its base URL, the demo users' passwords, its data folder."""

    url: str
    passwords: dict[str, str]
    data_dir: Path
    settings: Settings


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):  # .ci/run installs it; a silent skip there would hide the journeys
            pytest.fail("/usr/bin/chromium is missing in CI")
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run does)")
    return CHROMIUM


@pytest.fixture(scope="module")
def live_app(app: App, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    import uvicorn

    from notewell.demo import run_demo
    from notewell.web.app import create_app

    data_dir = tmp_path_factory.mktemp("browser") / "data"
    settings = Settings(data_dir=data_dir)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("notewell.bootstrap.build", lambda settings=None: app)
        mp.setattr("notewell.storage.passwords.Argon2PasswordHasher", QuickArgon2)
        for name in ("NOTEWELL_SECURE_COOKIES", "NOTEWELL_IDLE_MINUTES", "NOTEWELL_LOGIN_ATTEMPTS"):
            mp.delenv(name, raising=False)
        out = io.StringIO()
        run_demo(out, settings)
        passwords = {m[1]: m[3] for m in PASSWORD_LINE.finditer(out.getvalue())}
        record = open_record(settings)
        web = create_app(record=record)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(web, host="127.0.0.1", port=port, log_level="warning", access_log=False)
        )
        thread = threading.Thread(target=server.run, name="notewell-browser-app", daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                pytest.fail("the app did not start for the browser tests")
            time.sleep(0.05)
        try:
            yield LiveApp(f"http://127.0.0.1:{port}", passwords, data_dir, settings)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            record.close()


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(chromium_path), headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """A fresh browser context (own cookies) per call: ``page = new_page()``."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for c in contexts:
        c.close()
