"""A session text prepared for extraction: turns, sentences, sections and a match index."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from notewell.domain.evidence import Evidence
from notewell.domain.facts import Role, Sentence, Turn
from notewell.domain.session import Session
from notewell.extraction.matching import TextIndex
from notewell.extraction.nlp import ParsedText
from notewell.extraction.structure import quoted_spans

STAGE_DIRECTION = re.compile(r"\s*(?:[\[(][^\])\n]{0,60}[\])]\s*|\.{2,}\s*|…\s*)+")


@dataclass
class Document:
    """The session plus its structure. Built once per session by the extractor."""

    session: Session
    turns: list[Turn]
    sentences: list[Sentence]
    parsed: ParsedText
    private: tuple[Evidence, ...] = ()
    """Lines the clinician labelled as private process notes ("Note to self: …"), blanked in
    ``session.text`` so nothing is extracted from them; offsets into the original input."""
    index: TextIndex = field(init=False)
    turn_sentences: list[list[int]] = field(init=False)
    _quoted: list[tuple[int, int]] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.index = TextIndex(self.session.text, [(s.start, s.end) for s in self.sentences])
        self.turn_sentences = [[] for _ in self.turns]
        for i, s in enumerate(self.sentences):
            self.turn_sentences[s.turn].append(i)

    @property
    def text(self) -> str:
        return self.session.text

    @property
    def is_transcript(self) -> bool:
        """True when speaker turns carry most of the text (not shorthand with a short excerpt)."""
        spoken = sum(t.end - t.start for t in self.turns if t.role != "narrative")
        return spoken > 0.5 * max(1, sum(t.end - t.start for t in self.turns))

    @property
    def treated_roles(self) -> frozenset[str]:
        """Whose words are the treated client's words for what the session did: the client's;
        in couples work also the partner's. The couple is the unit of treatment, so a partner's
        mind reading ("she thinks I don't care") or "Like I could actually hear it" is the
        session's evidence; risk is still read from the identified client's turns alone."""
        if self.session.meta.type == "couples":
            return frozenset({"client", "other"})
        return frozenset({"client"})

    def sentence_text(self, i: int) -> str:
        s = self.sentences[i]
        return self.text[s.start : s.end]

    def turn_text(self, t: int) -> str:
        turn = self.turns[t]
        return self.text[turn.content_start : turn.end]

    def role_of_sentence(self, i: int) -> Role:
        return self.sentences[i].role

    def answer_turn(self, question_turn: int, window: int = 4) -> int | None:
        """The client's answer to a therapist's question: their next turn before the therapist speaks."""
        for t in range(question_turn + 1, min(len(self.turns), question_turn + 1 + window)):
            role = self.turns[t].role
            if role == "therapist":
                return None
            if role == "client":
                return t
        return None

    def answer_start(self, turn: int) -> int:
        """Where the words of a turn begin once stage directions (``(long pause)``) are skipped."""
        t = self.turns[turn]
        m = STAGE_DIRECTION.match(self.text, t.content_start, t.end)
        return m.end() if m else t.content_start

    def previous_turn(self, turn: int, role: Role) -> int | None:
        for t in range(turn - 1, max(-1, turn - 4), -1):
            if self.turns[t].role == role:
                return t
        return None

    def quoted(self) -> list[tuple[int, int]]:
        """Quoted words in the clinician's narrative (usually the client's own words)."""
        if self._quoted is None:
            self._quoted = []
            for t in self.turns:
                if t.role == "narrative":
                    self._quoted.extend(quoted_spans(self.text, t.content_start, t.end))
        return self._quoted

    def sentences_in(self, roles: set[str]) -> Iterator[int]:
        for i, s in enumerate(self.sentences):
            if s.role in roles:
                yield i

    def evidence(self, start: int, end: int) -> Evidence:
        return Evidence(start, end)

    def turn_of(self, pos: int) -> int | None:
        """The turn holding character ``pos`` (via its sentence)."""
        idx = self.index.sentence_at(pos)
        return self.sentences[idx].turn if idx is not None else None
