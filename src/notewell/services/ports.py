"""Ports: what the use cases need from the outside, as Protocols."""

from __future__ import annotations

from typing import Protocol

from notewell.domain.facts import Facts
from notewell.domain.session import Session


class FactExtractor(Protocol):
    """Turns a session into facts (the spaCy/medspaCy extractor, or a fake in tests)."""

    def extract(self, session: Session) -> Facts: ...
