"""The clinician's voice: turning evidence into neutral, third-person, past-tense sentences.

Composition never writes a clinical detail it did not read. It either fills a phrase from
``clinical/phrasing.yaml`` with facts, or carries the clinician's own shorthand into the note
after cleaning it (``S: Cl reports mood 4/10 this wk`` → ``Client reported mood 4/10 this
week.``). Every carried clause is scrubbed of other people's names (``her husband Graham`` →
``her husband``) and nothing said in small talk is ever carried.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from notewell.domain.evidence import Evidence
from notewell.domain.facts import Facts
from notewell.domain.notes import NoteSentence
from notewell.domain.session import Session

LABEL = re.compile(r"^\s*(?:[A-Z][A-Za-z/ -]{0,24}?|[A-Z])\s*(?:\([^)]{0,40}\))?\s*:\s+(?=\S)")
NUMBERING = re.compile(r"^\s*(?:\(\d{1,2}\)|\d{1,2}\)|[-•*]\s)\s*")
WORD = re.compile(r"[a-z]{4,}")
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")
SPECIFIC_SPAN = 60
# Words too common in notes to show that a sentence and its evidence are about the same thing.
COMMON = set(
    """about above after again against also among because been before being below between both
could client clients clinician during each from further have having here into itself more most other
over same session should some such than that their them then there these they this those through under
until very were what when where which while will with would your reported reports stated states noted
today week weeks said says during patient""".split()
)


def stems(text: str) -> set[str]:
    """Content-word stems and numbers: what a sentence and its evidence should share."""
    return {w[:5] for w in WORD.findall(text.lower()) if w not in COMMON} | set(NUMBER.findall(text))


class Voice:
    """Sentence helpers bound to one session and its facts."""

    def __init__(self, phrasing: dict[str, Any], session: Session, facts: Facts) -> None:
        self.phrasing = phrasing
        self.session = session
        self.facts = facts
        self.text = session.text
        abbreviations: dict[str, str] = phrasing["abbreviations"]
        keys = sorted(abbreviations, key=len, reverse=True)
        self._abbr = abbreviations
        self._abbr_rx = re.compile(r"(?<![\w/'])(" + "|".join(re.escape(k) for k in keys) + r")(?!\w)")
        verbs: dict[str, str] = phrasing["verbs"]
        self._verb_rx = re.compile(
            r"\b(client)\s+(" + "|".join(re.escape(v) for v in verbs) + r")\b", re.IGNORECASE
        )
        self._verbs = verbs
        self._names = self._name_map()
        self._relations = {p.relation for p in facts.people if p.relation} | {
            p.text.lower() for p in facts.people if not p.is_name
        }

    # ------------------------------------------------------------------ names and small talk
    def _name_map(self) -> dict[str, str]:
        """Names that may never appear in a note, and what to say instead."""
        names: dict[str, str] = {}
        for person in self.facts.people:
            if person.is_name:
                # "her friend Priya … Priya agreed": every later mention is still "the client's friend"
                if person.relation:
                    names[person.text] = f"the client's {person.relation}"
                else:
                    names.setdefault(person.text, "another person")
        for p in self.session.meta.participants:
            if p and p.lower() not in ("mom", "dad"):
                names.setdefault(p, "another participant")
        for own in self.session.client_names:
            names[own] = "the client"
        return names

    def in_small_talk(self, start: int, end: int) -> bool:
        """Small talk, or a sentence holding someone else's sensitive detail: neither is carried."""
        withheld = (e for d in self.facts.third_party_details for e in d.evidence)
        return any(e.start < end and start < e.end for e in (*self.facts.small_talk, *withheld))

    def scrub(self, text: str) -> str:
        """Replace names: ``her husband Graham`` → ``her husband``; ``coworker Desmond`` →
        ``coworker``; ``Mara's`` → ``the client's``."""
        relations = self._relations
        for name, instead in sorted(self._names.items(), key=lambda kv: -len(kv[0])):
            rel = re.compile(
                r"\b((?:my|his|her|their|your|the|a)\s+[a-z-]+)\s*,?\s+" + re.escape(name) + r"\b(?:'s|’s)?"
            )
            text = rel.sub(r"\1", text)
            bare = re.compile(r"\b([a-z-]+)\s*,?\s+" + re.escape(name) + r"\b(?:'s|’s)?")
            text = bare.sub(lambda m: m.group(1) if m.group(1) in relations else m.group(0), text)
            text = re.sub(r"\b" + re.escape(name) + r"(?:'s|’s)", instead + "'s", text)
            text = re.sub(r"\b" + re.escape(name) + r"\b", instead, text)
        return text

    def has_name(self, text: str) -> bool:
        return any(re.search(r"\b" + re.escape(n) + r"\b", text) for n in self._names if n)

    # ------------------------------------------------------------------ clauses
    def clause(self, start: int, end: int, subject: str | None = None, max_words: int = 45) -> str | None:
        """The clinician's own line, cleaned for a note; ``None`` if it cannot be carried."""
        if self.in_small_talk(start, end):
            return None
        raw = " ".join(self.text[start:end].split())
        raw = LABEL.sub("", raw, count=1)
        raw = NUMBERING.sub("", raw)
        raw = raw.strip(" -–—;,")
        if not raw:
            return None
        raw = self._abbr_rx.sub(lambda m: self._abbr[m.group(1)], raw)
        raw = self._verb_rx.sub(lambda m: f"{m.group(1)} {self._verbs[m.group(2).lower()]}", raw)
        raw = self.scrub(raw)
        raw = third_person(raw)
        words = raw.split()
        if len(words) > max_words:
            raw = " ".join(words[:max_words]).rstrip(",;:") + "…"
        if subject and not re.match(
            r"(?i)(client|the client|she|he|they|cl|pt|the clinician|clinician)\b", raw
        ):
            first = raw.split()[0].lower()
            if first in PAST_VERBS or (first.endswith("ed") and len(first) > 4):
                raw = f"Client {raw[0].lower()}{raw[1:]}"  # "Completed the log" → "Client completed the log"
            elif REPORTED.match(raw) or RATING.search(raw):
                # "Mood 4/10 most days" → "Client reported mood 4/10 most days"
                raw = f"{subject} {raw[0].lower()}{raw[1:]}" if not raw[:2].isupper() else f"{subject} {raw}"
            # anything else ("CPT session 5", "At the part where she…") is carried as written
        raw = raw[0].upper() + raw[1:]
        if raw[-1] not in '.!?…"”':
            raw += "."
        return raw

    @staticmethod
    def committed_by(words: str, speaker: str | None) -> str:
        """A commitment said aloud, in the note's third person: ``I'll drop her off early``
        (said by Mom) → ``Mom will drop her off early``."""
        if speaker is None:
            return words
        m = COMMITMENT.match(words)
        if m is None:
            return words
        verb = {"i'll": "will", "i will": "will", "i could": "could", "i can": "can"}.get(
            " ".join(m.group(1).lower().split()), "will"
        )
        return f"{speaker} {verb} {words[m.end() :]}"

    def quote(self, start: int, end: int, max_words: int = 25) -> str | None:
        """The client's words, verbatim, when short and free of names and small talk."""
        if self.in_small_talk(start, end):
            return None
        words = " ".join(self.text[start:end].split()).strip("\"“”' ")
        if not words or len(words.split()) > max_words or self.has_name(words):
            return None
        return words

    # ------------------------------------------------------------------ sentences
    def sentence(self, text: str, evidence: Iterable[Evidence]) -> NoteSentence:
        """A session sentence with evidence specific enough to check: if the sentence and its
        evidence share no content word or number, the evidence is narrowed to the start of each
        span (at most 60 characters), which is where the fact was said."""
        spans = tuple(sorted(set(evidence)))
        if not spans:
            raise ValueError("a session sentence needs evidence")
        joined = " ".join(self.text[e.start : e.end] for e in spans)
        if not (stems(text) & stems(joined)) and len(joined) > SPECIFIC_SPAN:
            narrowed = []
            budget = SPECIFIC_SPAN
            for e in spans:
                if budget <= 0:
                    break
                stop = min(e.end, e.start + budget)
                cut = self.text.rfind(" ", e.start + 1, stop) if stop < e.end else stop
                stop = cut if cut > e.start else stop
                narrowed.append(Evidence(e.start, stop))
                budget -= stop - e.start + 1
            spans = tuple(narrowed)
        return NoteSentence(text, spans, "session")

    @staticmethod
    def metadata(text: str) -> NoteSentence:
        return NoteSentence(text, (), "metadata")


PAST_VERBS = set(
    "went was were had made got took felt slept saw said did came left kept ate ran drove spent skipped"
    " missed".split()
)


def join_words(items: Sequence[str]) -> str:
    """``["a", "b", "c"]`` → ``"a, b and c"``."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


NUMBER_WORDS = [
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]


def count_words(n: int) -> str:
    """Counts as words, so a note never shows a number that is not in the input."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else "many"


def closed_quote(lead: str, said: str) -> str:
    """``Client described sleep: "I sleep maybe four hours."`` — the quote closes the sentence, so
    it carries the final stop inside the quotation marks, once."""
    said = said.rstrip()
    end = "" if said.endswith((".", "?", "!", "…")) else "."
    return f'{lead}: "{said}{end}"'


COMMITMENT = re.compile(
    r"(?:and\s+)?(I['’]ll|I\s+will|I\s+could|I\s+can|I['’]m\s+going\s+to|I\s+am\s+going\s+to)\s+",
    re.IGNORECASE,
)
REPORTED = re.compile(
    r"(?i)(?:mood|sleep\w*|slept|appetite|energy|anxiety|anxious|worry|worries|worried|panic|nightmares?|"
    r"flashbacks?|cravings?|urges?|pain|stress\w*|motivation|concentration|focus|irritab\w*|anger|angry|"
    r"drinking|drank|drinks?|using|use\s+of|feels?|feeling|felt|reports?|states?|endorses?|notes?|"
    r"describes?|sad|low|tired|fatigue\w*|hopeless\w*|lonely|overwhelmed)\b"
)
"""Shorthand that is the client's own report ("Mood 4/10", "Sleeping 5 hrs"), which a note
writes as "Client reported …"; other fragments ("CPT session 5") are carried as written."""
RATING = re.compile(r"\b\d{1,2}\s*/\s*10\b")
FIRST_PERSON = (
    (re.compile(r"\bI'm\b"), "the clinician is"),
    (re.compile(r"\bI've\b"), "the clinician has"),
    (re.compile(r"\bI'd\b"), "the clinician would"),
    (re.compile(r"\bI'll\b"), "the clinician will"),
    (re.compile(r"\bI\b(?![-–]\d)"), "the clinician"),  # not the highway in "merging onto I-90"
    (re.compile(r"\b[Mm]yself\b"), "the clinician"),
    (re.compile(r"\b[Mm]y\b"), "the clinician's"),
    (re.compile(r"\b[Mm]e\b"), "the clinician"),
    (re.compile(r"\b[Ww]e\b"), "the clinician and client"),
    (re.compile(r"\b[Oo]ur\b"), "the"),
    (re.compile(r"\b[Uu]s\b"), "the clinician and client"),
)
QUOTED_PART = re.compile(r"(\"[^\"]*\"|“[^”]*”)")


def third_person(clause: str) -> str:
    """A clinician's first-person narrative in the note's third person, outside quotations:
    ``I asked about sleep; we reviewed her log`` → ``the clinician asked about sleep; the clinician
    and client reviewed her log``. The client's quoted words keep their own "I"."""
    parts = QUOTED_PART.split(clause)
    for i in range(0, len(parts), 2):  # even parts are outside quotation marks
        piece = parts[i]
        for rx, instead in FIRST_PERSON:
            piece = rx.sub(instead, piece)
        parts[i] = piece
    out = "".join(parts)
    return out[:1].upper() + out[1:] if clause[:1].isupper() else out


OBJECT_YOU = re.compile(
    r"\byou\b(?=\s*(?:$|[,.;:!?)]|(?:a|an|the|to|for|with|about|at|in|on|this|that|these|those|tomorrow|today"
    r"|tonight|later|again|back|up|out|off|some|any|more|too|know|through|before|after)\b))",
    re.IGNORECASE,
)
SECOND_PERSON = (
    (re.compile(r"\byou're\b", re.IGNORECASE), "they're"),
    (re.compile(r"\byou've\b", re.IGNORECASE), "they've"),
    (re.compile(r"\byou'll\b", re.IGNORECASE), "they'll"),
    (re.compile(r"\byou'd\b", re.IGNORECASE), "they'd"),
    (re.compile(r"\byourself\b", re.IGNORECASE), "themselves"),
    (re.compile(r"\byours\b", re.IGNORECASE), "theirs"),
    (re.compile(r"\byour\b", re.IGNORECASE), "their"),
    (OBJECT_YOU, "them"),  # "call you tomorrow", "give you a card"
    (re.compile(r"\byou\b", re.IGNORECASE), "they"),  # "each night you smoke"
)


def addressed_to_client(words: str) -> str:
    """A task the therapist said to the client, in the note's voice: ``track each night you
    smoke in your phone`` → ``track each night they smoke in their phone``."""
    for rx, instead in SECOND_PERSON:
        words = rx.sub(instead, words)
    return words
