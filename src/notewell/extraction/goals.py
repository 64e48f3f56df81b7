"""Which treatment-plan goals the session addressed (for GIRP notes and the goal-link nudge).

A goal is addressed when the session scored the instrument it names (``Reduce PHQ-9 below 10``
and a PHQ-9 today), discussed the symptom it targets (``Reduce binge-eating episodes`` and a
binge this week), or shares at least two of its own key words with the session's clinical
content (``Lead weekly team meetings`` and ``opening next Monday's team meeting``). Words about
measurement ("reduce", "per week") never count.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import snowballstemmer

from notewell.domain.evidence import Evidence
from notewell.domain.facts import GoalLink, MeasureScore, Symptom
from notewell.domain.session import Goal
from notewell.extraction.cues import compile_labels
from notewell.extraction.document import Document

WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")

# A snowball stemmer keeps its working state on the object, so two threads stemming at once (the
# web app drafts in a thread pool) corrupt each other's words; one stemmer behind a lock, with
# every word's stem cached ("sleeping" → "sleep" is asked for in almost every session).
_STEMMER = snowballstemmer.stemmer("english")
_STEMMER_LOCK = threading.Lock()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of a lower-case word: "worrying" → "worri", "sleeping" → "sleep"."""
    with _STEMMER_LOCK:
        return str(_STEMMER.stemWord(word))


class GoalLinker:
    def __init__(self, lexicons: dict[str, Any], instruments: dict[str, dict[str, Any]]) -> None:
        cfg = lexicons["goals"]
        self._ignore = set(self._stems(cfg["ignore_words"]))
        self._min_words = int(cfg["min_shared_words"])
        self._single_sentences = int(cfg["single_word_sentences"])
        self._conditions = [
            (c["id"], re.compile(c["pattern"], re.IGNORECASE), tuple(c["symptoms"]))
            for c in cfg.get("conditions", [])
        ]
        self._symptoms = compile_labels(lexicons["symptoms"])
        self._instruments = {
            spec["id"]: re.compile(
                r"(?<![\w-])(?:"
                + "|".join(
                    re.escape(n).replace(r"\-", "[- ]?") for n in [spec["id"], *spec.get("aliases", [])]
                )
                + r")(?![\w])",
                re.IGNORECASE,
            )
            for spec in instruments.values()
        }

    def _stems(self, text: str) -> list[str]:
        words = [w.lower().strip("'-") for w in WORD.findall(text)]
        return [s for s in map(stem, words) if len(s) >= 3]

    def link(
        self,
        doc: Document,
        goals: Sequence[Goal],
        measures: Sequence[MeasureScore],
        symptoms: Sequence[Symptom],
        small_talk: Sequence[Evidence],
        fired: set[str] | None = None,
    ) -> list[GoalLink]:
        if not goals:
            return []
        content: list[tuple[Evidence, list[str]]] = []
        # in family and couples work a parent's or partner's report is about the client's goals;
        # in a group another member's words are about theirs
        others_count = doc.session.meta.type in ("family", "couples")
        for s in doc.sentences:
            if (s.role == "other" and not others_count) or any(
                e.start < s.end and s.start < e.end for e in small_talk
            ):
                continue
            content.append((Evidence(s.start, s.end), self._stems(doc.text[s.start : s.end])))
        links: list[GoalLink] = []
        for goal in goals:
            link = (
                self._by_id(doc, goal, small_talk)
                or self._by_measure(goal, measures)
                or self._by_symptom(goal, symptoms, fired)
                or self._by_words(goal, content)
            )
            if link is not None:
                links.append(link)
        return links

    @staticmethod
    def _by_id(doc: Document, goal: Goal, small_talk: Sequence[Evidence]) -> GoalLink | None:
        """The clinician named the goal: "Worked toward G1 by…", "progress on G2"."""
        rx = re.compile(r"(?<![\w-])" + re.escape(goal.id) + r"(?![\w-])")
        for m in rx.finditer(doc.text):
            if not any(e.start <= m.start() < e.end for e in small_talk):
                idx = doc.index.sentence_at(m.start())
                s = doc.sentences[idx] if idx is not None else None
                span = Evidence(s.start, s.end) if s is not None else Evidence(m.start(), m.end())
                return GoalLink(goal.id, "named", (span,))
        return None

    def _by_measure(self, goal: Goal, measures: Sequence[MeasureScore]) -> GoalLink | None:
        for m in measures:
            rx = self._instruments.get(m.instrument)
            if rx is not None and rx.search(goal.text):
                return GoalLink(goal.id, "measure", m.evidence)
        return None

    def _by_symptom(self, goal: Goal, symptoms: Sequence[Symptom], fired: set[str] | None) -> GoalLink | None:
        targets = {r.payload for r in self._symptoms if r.regex.search(goal.text)}
        via: dict[str, str] = {}
        for cid, rx, names in self._conditions:
            if rx.search(goal.text):
                for name in names:
                    via.setdefault(name, cid)
        for s in symptoms:
            if s.negated:
                continue
            if s.name in targets:
                return GoalLink(goal.id, "symptom", s.evidence)
            if s.name in via:
                if fired is not None:
                    fired.add(via[s.name])
                return GoalLink(goal.id, "symptom", s.evidence)
        return None

    def _by_words(self, goal: Goal, content: Sequence[tuple[Evidence, list[str]]]) -> GoalLink | None:
        keys = {s for s in self._stems(goal.text) if s not in self._ignore}
        shared: set[str] = set()
        where: list[Evidence] = []
        for ev, stems in content:
            hit = keys & set(stems)
            if hit - shared:
                shared |= hit
                where.append(ev)
        if len(shared) >= self._min_words:
            return GoalLink(goal.id, "words", tuple(where[:3]))
        for key in keys:
            holding = [ev for ev, stems in content if key in stems]
            if len(holding) >= self._single_sentences:
                return GoalLink(goal.id, "words", tuple(holding[:3]))
        return None
