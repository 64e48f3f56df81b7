"""Shared fixtures: one wired app per test session (building the NLP pipeline takes ~1 s)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from notewell.bootstrap import App, build
from notewell.config import Settings
from notewell.domain.facts import Facts
from notewell.domain.session import Session
from tests.factories import make_session


@pytest.fixture(scope="session")
def app() -> App:
    return build(Settings())


@pytest.fixture(scope="session")
def extract(app: App) -> Callable[..., Facts]:
    """``extract("Denies SI.")`` → facts; keyword arguments go to :func:`make_session`."""

    def run(text: str, **kwargs: Any) -> Facts:
        return app.extractor.extract(make_session(text, **kwargs))

    return run


@pytest.fixture(scope="session")
def risk(extract: Callable[..., Facts]) -> Callable[..., dict[str, str]]:
    """``risk("Denies SI.")["suicidal_ideation"] == "denied"``."""

    def run(text: str, **kwargs: Any) -> dict[str, str]:
        return {k: f.value for k, f in extract(text, **kwargs).risk.items()}

    return run


@pytest.fixture
def session_text() -> Callable[[Session], str]:
    return lambda s: s.text
