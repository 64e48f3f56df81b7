"""People other than the client: by name (``Mateo``) or by relation (``his brother``).

Names are found without a statistical model: capitalised words that are not at the start of a
sentence or plan item, never appear in lower case elsewhere in the session, and are not ordinary
capitalised words (days, months, abbreviations, ``God``…); words after a title
(``Dr. Okonkwo``); other participants' speaker labels; and sentence-initial words seen
capitalised mid-sentence elsewhere. Composition uses these to leave names out of a note and
to name the relation instead ("her partner").
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from notewell.domain.evidence import Evidence
from notewell.domain.facts import PersonMention, ThirdPartyDetail
from notewell.extraction.document import Document
from notewell.extraction.matching import CompiledRule

# "Mary-Jane", "O'Brien", "Renee" (not "Renee's"); "Fortune-telling" is a word, not a name. The
# capital comes first and the lookbehind (nothing word-like before it) second, so that the regex
# engine can skip ahead to the next capital instead of trying the lookbehind at every character.
CAPITALISED = re.compile(
    r"([A-Z](?<![\w'’.-].)[a-z]+(?:-[A-Z][a-z]+|['’][A-Z]?[a-z]{2,})*(?:\s+[A-Z][a-z]+)*)(?![\w-])(?:'s|’s)?"
)
LOWER_WORD = re.compile(r"\b[a-z][a-z-]+\b")


def lower_case_words(text: str) -> set[str]:
    """The words written in lower case somewhere in ``text`` (``LOWER_WORD``'s matches).

    A match never holds whitespace, so the words are those of each distinct whitespace-free
    chunk; a chunk of plain lower-case letters ("pool") is its own match, and only the others
    ("well-known,", "(mom)") need the regex.
    """
    found: set[str] = set()
    for chunk in set(text.split()):
        if chunk.isascii() and chunk.isalpha() and chunk.islower():
            if len(chunk) > 1:
                found.add(chunk)
        else:
            found.update(LOWER_WORD.findall(chunk))
    return found


# what may stand between a sentence's start and its first word: a label, a dash, an item number,
# an opening quote ('…her friend: "Are you thinking…' opens a quoted sentence)
LEAD = re.compile(r"[:;(\-—–]\s*[\"“'‘]?\s*$|\(\d+\)\s*$|^\W*$")
SENSITIVE_REACH = 120
SELF_BETWEEN = re.compile(r"\b(?:I|I'm|I've|me|my|cl|pt|client|the\s+client)\b", re.IGNORECASE)
PRONOUN = re.compile(r"\b(?:he|she|his|her|they|their|him)\b", re.IGNORECASE)
RELATION_BEFORE = re.compile(r"\b(?:my|his|her|their|your|cl's|pt's)\s+([a-z-]+)\s*,?\s*$", re.IGNORECASE)


@cache
def _given_name_list() -> Any:
    """gender-guesser's list of about 60,000 given names (loaded once, on the first sentence that
    opens with an unknown capitalised word)."""
    import gender_guesser.detector

    return gender_guesser.detector.Detector(case_sensitive=False)


@lru_cache(maxsize=8192)  # a pure lookup, asked for the same few names again and again
def is_given_name(word: str, max_common_word_zipf: float) -> bool:
    """Whether a capitalised word is a given name and not also an everyday English word.

    ``Kenzie`` (a given name, rare as a word) is someone; ``Hope``, ``Grace`` and ``Will`` are
    given names too, but far more often the words "hope", "grace" and "will", so a sentence
    opening with them says nothing about a person. Word frequency is wordfreq's Zipf scale
    (log10 of uses per billion words; "hope" 5.4, "kenzie" 2.4).
    """
    from wordfreq import zipf_frequency

    if _given_name_list().get_gender(word) == "unknown":
        return False
    return bool(zipf_frequency(word.lower(), "en") < max_common_word_zipf)


class PeopleFinder:
    def __init__(self, lexicon: dict[str, Any]) -> None:
        labels = {label["id"]: label for label in lexicon["labels"]}
        self._relations = [
            (cue["id"], re.compile(cue["pattern"], re.IGNORECASE)) for cue in labels["relation"]["cues"]
        ]
        self._relation_rules = [
            CompiledRule.build(cue["id"], cue["pattern"], cue.get("case_sensitive", False))
            for cue in labels["relation"]["cues"]
        ]
        self._ordinary_cache: dict[str, str | None] = {}
        self._title = re.compile(labels["title"]["cues"][0]["pattern"])
        self._not_names = [re.compile(c["pattern"]) for c in labels["not_names"]["cues"]]
        subject = [(c["id"], re.compile(c["pattern"], re.IGNORECASE)) for c in labels["name_subject"]["cues"]]
        self._subject = [(rid, rx) for rid, rx in subject if rid != "name.subject_sensitive"]
        self._subject_sensitive = next(rx for rid, rx in subject if rid == "name.subject_sensitive")
        self._not_name_ids = [c["id"] for c in labels["not_names"]["cues"]]
        context = {c["id"]: re.compile(c["pattern"]) for c in labels["not_name_context"]["cues"]}
        self._titled_tool = ("notname.titled_tool", context["notname.titled_tool"])
        self._concept_shape = ("notname.concept_shape", context["notname.concept_shape"])
        self._sensitive = [
            (c["id"], re.compile(c["pattern"], re.IGNORECASE))
            for label_id, label in labels.items()
            if label_id.startswith("sensitive_")
            for c in label["cues"]
        ]
        self._sensitive_rules = [CompiledRule.build(rid, rx.pattern) for rid, rx in self._sensitive]
        self._common_word_zipf = float(lexicon["given_names"]["max_common_word_zipf"])

    def _ordinary(self, word: str, fired: set[str]) -> bool:
        first = word.split()[0]
        if first not in self._ordinary_cache:
            hit: str | None = next(
                (rid for rid, rx in zip(self._not_name_ids, self._not_names, strict=True) if rx.match(first)),
                None,
            )
            # "Roommate called 911": a relation word opening a sentence is a role, not a name
            if hit is None and any(rx.fullmatch(first) for _, rx in self._relations):
                hit = ""
            self._ordinary_cache[first] = hit
        rule = self._ordinary_cache[first]
        if rule:
            fired.add(rule)
        return rule is not None

    def find(self, doc: Document, fired: set[str]) -> list[PersonMention]:
        text = doc.text
        client = {n.lower() for n in doc.session.client_names}
        lowered = lower_case_words(text)
        mentions: list[PersonMention] = []
        mid_sentence: set[str] = set()
        candidates: list[tuple[int, int, str, bool]] = []
        title = self._title
        for m in CAPITALISED.finditer(text):
            word = m.group(1)
            # every honorific ("Dr.", "Ms") opens with a capital: no capital just before, no title
            lo = max(0, m.start() - 6)
            lead_in = text[lo : m.start()]
            titled = lead_in != lead_in.lower() and bool(title.search(text, lo, m.start() + 1))
            if not titled and " " not in word and word.lower() in lowered:
                continue  # an ordinary word that happens to open a sentence ("Pool", "The")
            idx = doc.index.sentence_at(m.start())
            if idx is None:
                continue
            s = doc.sentences[idx]
            lead = text[s.start : m.start()]
            at_start = (
                m.start() == s.start
                or lead.strip(" \"“'‘([-—–0123456789).:") == ""
                or bool(LEAD.search(lead))
            )
            if titled:
                fired.add("title.honorific")
            if not at_start or titled:
                mid_sentence.add(word)
            candidates.append((m.start(1), m.end(1), word, at_start and not titled))
        for start, end, word, at_start in candidates:
            parts = word.split()
            # "Aunt Leigh" → "Leigh"; "The Halvorsen account" → "Halvorsen" ("the" is a word here)
            while parts and (
                self._ordinary(parts[0], fired) or (len(parts) > 1 and parts[0].lower() in lowered)
            ):
                start += len(parts[0]) + 1
                parts = parts[1:]
                at_start = False
            if not parts:
                continue
            word = " ".join(parts)
            rid, rx = self._concept_shape
            if rx.match(word):
                fired.add(rid)
                continue
            rid, rx = self._titled_tool
            if rx.match(text, end):
                fired.add(rid)
                continue  # "Patterns of Problematic Thinking worksheet": a tool's name
            if word.lower() in client or word.split()[0].lower() in lowered:
                continue  # the client, or "Pool" at the start of a plan item with "pool" elsewhere
            if at_start and word not in mid_sentence:
                follows = text[end : end + 20]
                hit = next((rid for rid, rx in self._subject if rx.match(follows.lstrip())), None)
                if hit is None and self._subject_sensitive.match(follows.lstrip()):
                    # "Chris had an affair": a sentence-opening word with a sensitive predicate is
                    # someone; "Appetite was poor" is not
                    where = doc.index.sentence_at(start)
                    held = doc.sentences[where] if where is not None else None
                    if held is not None and any(rx.search(text, end, held.end) for _, rx in self._sensitive):
                        hit = "name.subject_sensitive"
                if hit is None and " " not in word and is_given_name(word, self._common_word_zipf):
                    hit = "name.given_name"  # "Kenzie posted a screenshot of my presentation"
                if hit is None:
                    continue
                fired.add(hit)
            if len(word) < 2 or (len(word) < 3 and at_start):
                continue  # "Jo" mid-sentence is a name; a two-letter word opening a sentence is not
            before = RELATION_BEFORE.search(text, max(0, start - 30), start)
            relation = before.group(1).lower() if before else None
            mentions.append(PersonMention(word, (Evidence(start, end),), relation, True))
        for turn in doc.turns:
            if turn.role == "other" and turn.speaker:
                label = turn.speaker
                mentions.append(
                    PersonMention(
                        label,
                        (Evidence(turn.start, turn.start + len(label)),),
                        None,
                        label.lower() not in ("mom", "dad"),
                    )
                )
        for rel in doc.index.matches(self._relation_rules):
            fired.add(rel.rule.id)
            word = text[rel.start : rel.end]
            mentions.append(PersonMention(word, (Evidence(rel.start, rel.end),), word.lower(), False))
        mentions.sort(key=lambda p: p.evidence[0])
        return mentions

    def sensitive_details(
        self, doc: Document, people: list[PersonMention], fired: set[str]
    ) -> list[ThirdPartyDetail]:
        """Sentences that tell something sensitive about another person.

        The person is named or by relation in the same sentence, before the detail and with no
        first-person or client subject in between ("Gus's mother … was recently dx'd w/ dementia"),
        or — for a named person — a pronoun refers back to them from earlier in the same speaker's
        turn or the turn before ("Sam's back. He relapsed in May."). The clinician's own questions
        are not details.
        """
        text = doc.text
        own = {n.lower() for n in doc.session.client_names}
        others = [p for p in people if p.text.lower() not in own]
        out: list[ThirdPartyDetail] = []
        first: dict[int, tuple[str, int, int]] = {}
        for hit in doc.index.matches(self._sensitive_rules):
            if hit.sentence not in first or hit.start < first[hit.sentence][1]:
                first[hit.sentence] = (hit.rule.id, hit.start, hit.end)
        for idx in sorted(first):
            s = doc.sentences[idx]
            if s.role == "therapist":
                continue
            rid, m_start, m_end = first[idx]
            phrase = text[m_start:m_end]
            here = [
                p
                for p in others
                if s.start <= p.evidence[0].start < m_start
                and m_start - p.evidence[0].end <= SENSITIVE_REACH
                and not SELF_BETWEEN.search(text, p.evidence[0].end, m_start)
            ]
            person = next((p for p in here if p.is_name), None)
            if person is None and PRONOUN.search(text, s.start, s.end):
                turns = doc.turns
                window_start = turns[max(0, s.turn - 2)].start
                speaker = turns[s.turn].speaker
                person = next(
                    (
                        p
                        for p in reversed(others)
                        if p.is_name
                        and window_start <= p.evidence[0].start < s.start
                        and any(
                            t.speaker == speaker and t.start <= p.evidence[0].start < t.end for t in turns
                        )
                    ),
                    None,
                )
            if person is None and here:
                person = here[0]  # by relation only: "her mother … dx'd w/ dementia"
            if person is None:
                continue
            fired.add(rid)
            out.append(
                ThirdPartyDetail(phrase, rid, (Evidence(s.start, s.end),), person.text, person.is_name)
            )
        return out
