"""Cognitive distortions in the client's own words (the 12 CBT labels).

Read in client turns and in words the clinician quoted in shorthand
(``Described Sat as proof that "I'm just a lazy person"`` → labeling); never in the therapist's
words. Where two cues overlap the longer wins: ``Everyone at school thinks I'm disgusting`` is
mind reading, not labeling (of two overlapping cues, the one that starts first wins).
"""

from __future__ import annotations

from typing import Any

from notewell.domain.evidence import Evidence
from notewell.domain.facts import Distortion
from notewell.extraction.cues import compile_labels
from notewell.extraction.document import Document
from notewell.extraction.matching import Match

LONG_SENTENCE = 220


def client_words(doc: Document, m: Match) -> bool:
    """True when a match is in the client's own words: their turn (in couples work either
    partner's), or quoted in the shorthand."""
    role = doc.sentences[m.sentence].role
    if role in doc.treated_roles:
        return True
    if role == "narrative":
        return any(s <= m.start and m.end <= e for s, e in doc.quoted())
    return False


class DistortionExtractor:
    def __init__(self, lexicon: dict[str, Any]) -> None:
        self._rules = compile_labels(lexicon)

    def extract(self, doc: Document, fired: set[str]) -> list[Distortion]:
        matches = [m for m in doc.index.matches(self._rules) if client_words(doc, m)]
        matches.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Match] = []
        for m in matches:  # sorted by start, longest first: the first of overlapping cues wins
            if any(m.start < k.end and k.start < m.end for k in kept):
                continue
            kept.append(m)
        out: list[Distortion] = []
        seen: set[tuple[str, int]] = set()
        for m in kept:
            fired.add(m.rule.id)
            s = doc.sentences[m.sentence]
            quoted = [(a, b) for a, b in doc.quoted() if a <= m.start and m.end <= b]
            if quoted:  # the client's words the clinician quoted, not the whole shorthand line
                ev = Evidence(*quoted[0])
            elif s.end - s.start <= LONG_SENTENCE:
                ev = Evidence(s.start, s.end)
            else:
                ev = Evidence(m.start, m.end)
            key = (m.rule.payload, m.sentence)
            if key not in seen:
                seen.add(key)
                out.append(Distortion(m.rule.payload, (ev,)))
        return out
