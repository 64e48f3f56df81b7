"""Notes: sections of sentences, each sentence with the evidence of the facts it states.

Example SOAP sentence: ``Client reported sleeping 6-7 hours a night, up from about 5.`` with
evidence ``Evidence(203, 241)`` pointing at ``Sleep 6-7 hrs/night, up from ~5.`` in the input.
A sentence built only from the session file's structured fields (date, times, CPT code,
diagnoses, goals, entered measures) or saying what the input does not contain ("Homicidal
ideation was not assessed") has ``basis="metadata"`` and may carry no evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from notewell.domain.evidence import Evidence

Basis = Literal["session", "metadata"]
Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class NoteSentence:
    text: str
    evidence: tuple[Evidence, ...] = ()
    basis: Basis = "session"

    def __post_init__(self) -> None:
        if self.basis == "session" and not self.evidence:
            raise ValueError("a sentence stating something from the session needs evidence")


@dataclass(frozen=True)
class NoteSection:
    title: str
    sentences: tuple[NoteSentence, ...]


@dataclass(frozen=True)
class Nudge:
    """A gap an auditor would flag, to close before signing.

    ``fix`` is the concrete action ("Add how often, how intense and for how long…").
    """

    code: str
    severity: Severity
    message: str
    fix: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Note:
    """A drafted note in one format, with the nudges review raised on it."""

    format: str
    title: str
    sections: tuple[NoteSection, ...]
    nudges: tuple[Nudge, ...] = field(default_factory=tuple)

    def sentences(self) -> list[NoteSentence]:
        return [s for section in self.sections for s in section.sentences]

    def text(self) -> str:
        return "\n".join(s.text for s in self.sentences())
