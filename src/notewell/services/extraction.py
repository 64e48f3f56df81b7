"""Use case: extract the clinical facts of session files."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from notewell.domain.facts import Facts
from notewell.domain.session import Session
from notewell.errors import SessionFileError
from notewell.services.ports import FactExtractor
from notewell.session_files import load_session


def load_checked_session(
    source: str, instruments: Mapping[str, Mapping[str, Any]], techniques: Collection[str], max_bytes: int
) -> Session:
    """Load a session file and check its checklist interventions against the known techniques."""
    session = load_session(source, instruments, max_bytes)
    for i, label in enumerate(session.checklist.interventions):
        if label not in techniques:
            raise SessionFileError(
                source,
                f"checklist.interventions[{i}]",
                f"unknown technique {label!r}; see `notewell rules show interventions`",
            )
    return session


def extract_facts(session: Session, extractor: FactExtractor) -> Facts:
    """The facts of one session, each with evidence into its text."""
    return extractor.extract(session)
