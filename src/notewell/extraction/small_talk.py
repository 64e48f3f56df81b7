"""Small talk: the chat before and after the clinical work, and asides in between.

A turn is small talk when it carries no clinical fact and either sits in the opening or closing
run of non-clinical turns, or matches a small-talk topic (``lexicons/small_talk.yaml``: weather,
traffic, shows, travel, pets…). Small talk never reaches a note and is never quoted.

In shorthand a whole line is one turn, so the clinician's own label for a social aside marks a
sentence instead ("Opened w/ 5 min catch-up; cl back from her son's graduation"): the sentence is
small talk unless it also carries risk or a score.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from notewell.domain.evidence import Evidence
from notewell.extraction.cues import compile_labels
from notewell.extraction.document import Document


class SmallTalkDetector:
    def __init__(self, lexicon: dict[str, Any]) -> None:
        rules = compile_labels(lexicon)
        self._rules = [r for r in rules if r.payload != "small_talk_aside"]
        self._asides = [r for r in rules if r.payload == "small_talk_aside"]

    def detect(
        self,
        doc: Document,
        clinical: Sequence[Evidence],
        fired: set[str],
        meaningful: Collection[int] = (),
        kept: Sequence[Evidence] = (),
    ) -> list[Evidence]:
        """``clinical`` are fact spans; ``meaningful`` are turns whose words carry feeling or
        insight (such a turn is never small talk, even at the very end of a session). A sentence
        the clinician labelled as an aside is small talk unless it holds a ``kept`` span (risk,
        a score): "catch-up; back from her daughter's wedding, cried the whole ceremony" tells
        of tears, but the clinician has said it was social."""
        turns = doc.turns
        clinical_turns: set[int] = set()
        for e in clinical:
            first, last = doc.turn_of(e.start), doc.turn_of(max(e.start, e.end - 1))
            if first is not None:
                clinical_turns.update(range(first, (last if last is not None else first) + 1))
        topical_turns: dict[int, str] = {}
        for m in doc.index.matches(self._rules):
            topical_turns.setdefault(doc.sentences[m.sentence].turn, m.rule.id)

        def topical(t: int) -> bool:
            rule_id = topical_turns.get(t)
            if rule_id:
                fired.add(rule_id)
            return rule_id is not None

        flags = [t in clinical_turns or t in meaningful for t in range(len(turns))]
        spoken = [t for t in range(len(turns)) if turns[t].role != "narrative"]
        small: set[int] = set()
        # the opening and closing chat of a transcript; an excerpt quoted in shorthand was
        # chosen by the clinician, so only topical small talk is dropped from it
        if doc.is_transcript and len(spoken) >= 4:
            first = next((t for t in spoken if flags[t]), None)
            last = next((t for t in reversed(spoken) if flags[t]), None)
            for t in spoken:
                if first is None or t < first or (last is not None and t > last):
                    small.add(t)
        for t in range(len(turns)):
            if not flags[t] and topical(t):
                small.add(t)
        spans = [Evidence(turns[t].content_start, turns[t].end) for t in sorted(small)]
        for m in doc.index.matches(self._asides):
            sentence = doc.sentences[m.sentence]
            aside = Evidence(sentence.start, sentence.end)
            if sentence.turn in small or any(aside.overlaps(e) for e in kept):
                continue
            fired.add(m.rule.id)
            spans.append(aside)
        return sorted(set(spans))
