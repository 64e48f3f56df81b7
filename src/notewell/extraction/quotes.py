"""Quotes: a few salient client statements, verbatim, for the note.

Candidates are the client's sentences in a transcript (short fragments joined to their
neighbours: ``Not now. I used to. In eighth grade, on my thighs.``) and words the clinician put
in quotation marks in shorthand. Each is scored for salience (``lexicons/salience.yaml``):
feelings, self-evaluations, insight, values, risk and distortions raise it; small talk and bare
acknowledgements lower it. The best few are kept, in order of appearance.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from notewell.domain.evidence import Evidence
from notewell.domain.facts import Quote
from notewell.extraction.cues import compile_labels, label_weights
from notewell.extraction.document import Document

MAX_QUOTES = 8
MIN_SALIENCE = 1.0
FRAGMENT_WORDS = 4
WHOLE_TURN_WORDS = 30
MAX_QUOTE_CHARS = 260
NARRATIVE_QUOTE_BONUS = 2.0
FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'd|I'll|me|my|myself)\b")
OTHER_SPEAKER = re.compile(
    r"\b(?:friend|mother|mom|mum|father|dad|sister|brother|partner|husband|wife|boyfriend|girlfriend|boss"
    r"|teacher|coach|roommate|son|daughter|aunt|uncle|grandmother|grandma|grandfather|grandpa|cousin"
    r"|coworker|co-worker|supervisor|ex|peer|classmate|another\s+member)s?\b(?![’']s)(?:\s+[A-Z][a-z]*\.?)?"
    r"(?:(?!\b(?:pt|client|cl|patient)\b)[^\"“;.!?]){0,50}?\b(?:said|says|posted|texted|wrote|writes|told\s+\w+"
    r"|messaged|yelled|screamed"
    r"|replied|tweeted|commented)\b[^\"“]{0,25}[\"“]?$",
    re.IGNORECASE,
)
"""A relation speaking just before a quotation in the clinician's narrative: the quoted words are
that person's ("Mom said \"she's just lazy\""), not the client's. The speaker is in the same clause:
not across a sentence end, a possessive ("her cousin's bar"), or the client named in between."""


@dataclass
class _Candidate:
    start: int
    end: int
    score: float = 0.0


class QuoteSelector:
    def __init__(self, lexicon: dict[str, Any]) -> None:
        self._rules = compile_labels(lexicon)
        self._weights = label_weights(lexicon)

    def meaningful_turns(self, doc: Document) -> set[int]:
        """Turns whose words carry feeling, self-view, insight or values: never small talk."""
        keep = ("affect", "self_view", "insight", "values")
        return {
            doc.sentences[m.sentence].turn
            for r in self._rules
            if r.payload in keep
            for m in doc.index.all_matches(r)
        }

    def _candidates(self, doc: Document) -> list[_Candidate]:
        """A short client turn is one candidate; a long one is cut into sentences (fragments
        joined: ``Not now. I used to.``)."""
        out: list[_Candidate] = []
        roles = doc.treated_roles
        for t_idx, turn in enumerate(doc.turns):
            if turn.role not in roles or not doc.turn_sentences[t_idx]:
                continue
            start = doc.answer_start(t_idx)
            sentences = [i for i in doc.turn_sentences[t_idx] if doc.sentences[i].end > start]
            if not sentences:
                continue
            if len(doc.text[start : turn.end].split()) <= WHOLE_TURN_WORDS:
                out.append(
                    _Candidate(
                        max(start, doc.sentences[sentences[0]].start), doc.sentences[sentences[-1]].end
                    )
                )
                continue
            turn_candidates: list[_Candidate] = []
            group: list[int] = []
            for i in sentences:
                group.append(i)
                if sum(len(doc.sentence_text(j).split()) for j in group) >= FRAGMENT_WORDS:
                    turn_candidates.append(
                        _Candidate(doc.sentences[group[0]].start, doc.sentences[group[-1]].end)
                    )
                    group = []
            if group:  # a short tail joins the statement before it
                if turn_candidates:
                    turn_candidates[-1].end = doc.sentences[group[-1]].end
                else:
                    turn_candidates.append(
                        _Candidate(doc.sentences[group[0]].start, doc.sentences[group[-1]].end)
                    )
            out.extend(turn_candidates)
        for s, e in doc.quoted():
            if len(doc.text[s:e].split()) >= 3 and not self._said_by_another(doc, s):
                out.append(_Candidate(s, e, NARRATIVE_QUOTE_BONUS))
        return out

    @staticmethod
    def _said_by_another(doc: Document, quote_start: int) -> bool:
        """Whether the clinician's sentence gives the quoted words to someone else: "her friend
        A. posted on social media \"I can't do this anymore\"" is the friend's post, never a
        quote of the client (the note would say "Client stated, …")."""
        # the turn, not the sentence, bounds the look back: an initial ("friend A.") ends a sentence
        turn = doc.turn_of(quote_start)
        start = doc.turns[turn].content_start if turn is not None else 0
        return OTHER_SPEAKER.search(doc.text, max(start, quote_start - 120), quote_start) is not None

    def select(
        self,
        doc: Document,
        boosts: Sequence[tuple[Sequence[Evidence], float]],
        small_talk: Sequence[Evidence],
        fired: set[str],
    ) -> list[Quote]:
        """Pick the most salient statements. ``boosts`` are fact spans (risk, distortions, change
        talk) with the bonus a statement gets for carrying one."""
        text = doc.text
        chosen: list[_Candidate] = []
        # quotes are the client's words (or words quoted in the clinician's narrative): only
        # those sentences are scanned for salience
        roles = doc.treated_roles | {"narrative"}
        spoken = {i for i, sent in enumerate(doc.sentences) if sent.role in roles}
        hits = sorted(
            ((m.start, m.rule) for m in doc.index.matches(self._rules, only=spoken)), key=lambda h: h[0]
        )
        starts = [h[0] for h in hits]
        small_turns = {doc.turn_of(e.start) for e in small_talk}
        by_turn: list[dict[int, list[Evidence]]] = []
        for spans, _bonus in boosts:
            grouped: dict[int, list[Evidence]] = {}
            for e in spans:
                t = doc.turn_of(e.start)
                if t is not None:
                    grouped.setdefault(t, []).append(e)
            by_turn.append(grouped)
        for c in self._candidates(doc):
            turn = doc.turn_of(c.start)
            if c.end - c.start > MAX_QUOTE_CHARS or turn in small_turns:
                continue
            piece = text[c.start : c.end]
            score = c.score  # the clinician quoted it: already chosen as worth keeping
            labels: set[str] = set()
            for _, rule in hits[bisect.bisect_left(starts, c.start) : bisect.bisect_left(starts, c.end)]:
                if rule.payload not in labels:
                    labels.add(rule.payload)
                    score += self._weights[rule.payload]
                    fired.add(rule.id)
            if FIRST_PERSON.search(piece):
                score += 0.5
            for grouped, (_spans, bonus) in zip(by_turn, boosts, strict=True):
                if turn is not None and any(
                    e.start < c.end and c.start < e.end for e in grouped.get(turn, ())
                ):
                    score += bonus
            words = len(piece.split())
            if words < FRAGMENT_WORDS:
                score -= 1.5
            elif words > 45:
                score -= 1.0
            if piece.rstrip().endswith("?"):
                score -= 1.5
            c.score = score
            if score >= MIN_SALIENCE:
                chosen.append(c)
        chosen.sort(key=lambda c: (-c.score, c.start))
        picked: list[_Candidate] = []
        for c in chosen:  # a quote inside another one (the same words quoted twice) is dropped
            said = " ".join(text[c.start : c.end].split()).strip("\"“”'").lower()
            if any(
                said in " ".join(text[p.start : p.end].split()).lower()
                or (c.start < p.end and p.start < c.end)
                for p in picked
            ):
                continue
            picked.append(c)
            if len(picked) == MAX_QUOTES:
                break
        top = sorted(picked, key=lambda c: c.start)
        return [
            Quote(
                " ".join(text[c.start : c.end].split()).strip("\"“”'"),
                (Evidence(c.start, c.end),),
                round(c.score, 2),
            )
            for c in top
        ]
