"""Test stand-ins for the record's ports: a scripted engine, a settable clock, a quick hasher.

All text is synthetic.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notewell.domain.evidence import Evidence
from notewell.domain.notes import Note, NoteSection, NoteSentence, Nudge
from notewell.domain.session import Session

TEST_SECRET = "q1D4mT7sXb0cV2nR8yL5pK3wZ6hJ9fGaE1uC4oI7tBs="
"""A fixed 32-byte base64 key for tests (never used anywhere real)."""


class ScriptedDrafter:
    """Drafts a two-section note quoting the session's first line, with evidence and one nudge."""

    def __init__(self) -> None:
        self.calls: list[Session] = []

    def draft(self, session: Session, fmt: str) -> Note:
        self.calls.append(session)
        first = session.text.splitlines()[0]
        span = (Evidence(0, len(first)),)
        return Note(
            format="dap" if fmt == "auto" else fmt,
            title="DAP",
            sections=(
                NoteSection("Data", (NoteSentence(f"Client reported: {first}", span),)),
                NoteSection("Plan", (NoteSentence("Next session in one week.", basis="metadata"),)),
            ),
            nudges=(Nudge("missing_risk_assessment", "warning", "Risk not assessed.", "Ask about SI."),),
        )


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 3, 2, 11, 20, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class PlainHasher:
    """Not a password hash: fast and obviously fake, for tests that do not test logins."""

    def hash(self, password: str) -> str:
        return "plain$" + password

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == "plain$" + password
