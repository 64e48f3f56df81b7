"""Use case: draft a progress note for a session, with the nudges to close before signing."""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from notewell.domain.facts import Facts
from notewell.domain.notes import Note, Nudge
from notewell.domain.session import Session
from notewell.services.ports import FactExtractor


class NoteComposer(Protocol):
    def compose_named(self, session: Session, facts: Facts, fmt: str) -> Note: ...


class NoteReviewer(Protocol):
    def review(self, session: Session, facts: Facts, note: Note) -> list[Nudge]: ...


def draft_note(
    session: Session, fmt: str, extractor: FactExtractor, composer: NoteComposer, reviewer: NoteReviewer
) -> Note:
    """Extract, compose in ``fmt`` (``auto`` picks one from session type and setting), review.

    The draft is only a draft: nothing is signed or sent without the clinician.
    """
    facts = extractor.extract(session)
    note = composer.compose_named(session, facts, fmt)
    return replace(note, nudges=tuple(reviewer.review(session, facts, note)))
