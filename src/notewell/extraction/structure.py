"""Turns, sentences and shorthand sections: the shape of a session text.

A transcript line ``C: No. Never.`` is a client turn; ``Mom: Twice that I found.`` is another
participant's; ``Plan: diary card daily.`` is the clinician's own shorthand (a *narrative* turn)
in the ``plan`` section. In couples sessions both partners are the client unless the file names
one of them as the client; in family and group sessions only the identified client is.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from notewell.domain.facts import Role, Sentence, Turn
from notewell.domain.session import Session

LABEL = re.compile(
    r"[ \t]*(?:[-*•][ \t]+)?(?P<label>[A-Za-z][A-Za-z .'/\-]{0,28}?)\.?"
    r"[ \t]*(?:\([^)\n]{0,40}\))?[ \t]*:(?=[ \t]|$)"
)
QUOTED = re.compile(r"[\"“]([^\"”\n]{2,400})[\"”]|(?<![\w'’])['‘]([^\n]{2,300}?)['’](?![\w])")


def _norm(label: str) -> str:
    return " ".join(label.split()).rstrip(".").lower()


@dataclass(frozen=True)
class SpeakerBook:
    """Speaker and section labels, built from the speakers lexicon and the session's participants."""

    therapist: frozenset[str]
    client: frozenset[str]
    other: frozenset[str]
    sections: dict[str, str]

    @classmethod
    def build(cls, lexicon: dict[str, object], session: Session) -> SpeakerBook:
        def labels(key: str) -> set[str]:
            raw = lexicon[key]
            assert isinstance(raw, list)
            return {_norm(x) for x in raw}

        therapist = labels("therapist_labels")
        client = labels("client_labels")
        other = labels("other_labels")
        if QUESTION_LINES.search(session.text) and ANSWER_LINES.search(session.text):
            # an interview written "Q: … / A: …": the clinician asks, the client answers ("A:"
            # alone, in a SOAP note, is the Assessment)
            therapist.add("q")
            client.add("a")
        for short, role in _legend(session.text):
            # "F = facilitator." in the opening lines: "F:" is the facilitator's line from here on
            for group in (therapist, client, other):
                if role in group:
                    group.add(short)
                    break
        names = {_norm(n) for n in session.client_names}
        couples = session.meta.type == "couples"
        for person in session.meta.participants:
            p = _norm(person)
            if p in therapist:
                continue
            # a couples client named as one partner ("client: {name: Nadia}") is that partner:
            # the other is a participant, as in family work; named as both, both are the client
            if p in names or (couples and not names and p not in other):
                client.add(p)
            else:
                other.add(p)
        sections: dict[str, str] = {}
        raw_sections = lexicon["sections"]
        assert isinstance(raw_sections, list)
        for sec in raw_sections:
            for lab in sec["labels"]:
                sections[_norm(lab)] = sec["id"]
        if not names:
            known = client | other | set(sections)
            if couples:
                # both partners are the client: "Joel: No. Never." / "Renata: No. Loud, but never that."
                client |= _named_speakers(session.text, therapist, known)
            else:
                named = _client_from_transcript(session.text, therapist, known, other)
                if named is not None:
                    client_name, others = named
                    client.add(client_name)
                    other |= others
        elif not couples:
            # the client is named ("client: {name: Priya}"): the other first-name speakers of a
            # group or family transcript ("JONAH: SI was like a 3") are the other participants
            other |= _named_speakers(session.text, therapist, client | other | set(sections) | names)
            if session.meta.type in (None, "individual", "intake", "crisis"):
                clinician = _sole_other_speaker(
                    session.text, names | client, therapist | other | set(sections)
                )
                if clinician is not None:
                    therapist.add(clinician)
        client |= names
        other -= client
        return cls(frozenset(therapist), frozenset(client), frozenset(other), sections)

    def section_of(self, label: str) -> str | None:
        """The shorthand section a line label opens ("P:" → plan), if any.

        A private label may come with words in front ("Personal note to self:", "My process
        notes:"): the clinician's own process notes must never be read into a note, so a label
        that ends with a private label is private. Other sections need the label itself
        ("Safety plan:" is not the treatment plan)."""
        key = _norm(label)
        found = self.sections.get(key)
        if found is None:
            words = key.split()
            for i in range(1, len(words)):
                if self.sections.get(" ".join(words[i:])) == "private":
                    return "private"
        return found

    def role_of(self, label: str) -> Role | None:
        key = _norm(label)
        if key in self.therapist:
            return "therapist"
        if key in self.client:
            return "client"
        words = key.split()
        if len(words) == 2 and words[0] in DOCTOR_TITLES and NAME_LABEL.fullmatch(label.split()[-1]):
            # "Dr. Hale: Okay, diary cards. Let's go around." — in a transcript the doctor is the
            # clinician, whatever else the group's names were taken for
            return "therapist"
        if key in self.other:
            return "other"
        return None


HOMEWORK_DONE = re.compile(
    r"\b\d{1,2}\s*(?:/|of|out\s+of)\s*\d{1,2}\b|\b(?:completed|did|done|filled|finished|skipped|"
    r"missed|reviewed|kept|logged)\b",
    re.IGNORECASE,
)
"""A homework line that reports what was done since last session, not a new assignment."""


LEGEND = re.compile(
    r"(?<![\w=])(?P<short>[A-Z][A-Za-z]{0,15})\s*=\s*(?:the\s+|our\s+)?"
    r"(?P<role>[A-Za-z][A-Za-z \-]{0,24}?)\s*(?=[.,;()\n]|$)"
)
"""A key to the speaker labels in a transcript's opening lines: "F = facilitator", "M = mother",
"LM = therapist (L. Moreno, LCSW)"."""


def _legend(text: str) -> list[tuple[str, str]]:
    """The (label, role word) pairs a transcript's opening lines define ("T = therapist").

    Group notes often abbreviate the clinician ("Also present: JONAH, LUIS. F = facilitator."):
    without the key, "F:" would read as the clinician's shorthand and the members' lines as the
    client's, so another member's "SI was like a 3" would become the client's ideation."""
    head = "\n".join(text.splitlines()[:4])
    return [(_norm(m.group("short")), _norm(m.group("role"))) for m in LEGEND.finditer(head)]


NAME_LABEL = re.compile(r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?(?: [A-Z]\.?)?")
"""A speaker label that is a person's name: "Priya", "Priya S.", "Mary-Kate"."""
CAPITALS_LABEL = re.compile(r"[A-Z]{2,}(?:[-'][A-Z]+)?(?: [A-Z]\.?)?")
"""The same in capitals: "DANA", "MARY-KATE"."""
EVERYDAY_WORD_ZIPF = 4.2
"""wordfreq Zipf frequency from which a label is an everyday word ("plan" 5.4), not a name
("priya" 2.3) — the threshold ``people.yaml`` uses for sentence-opening names."""
NOTE_FOR = frozenset(
    {"note for", "identified client", "identified patient", "client name", "patient name", "client of record"}
)
"""Header labels that name whose note this is ("Note for: Priya S.")."""
NOTE_FOR_INLINE = re.compile(
    r"\b(?i:note\s+for|identified\s+(?:client|patient)|client\s+name|patient\s+name|client\s+of\s+record)"
    r"\s*:\s*([A-Z][A-Za-z]+)"
)

CLIENT_MARK = re.compile(
    r"\b([A-Z][A-Za-z'’-]+)\s*\((?:the\s+)?(?:identified\s+)?(?i:client|patient|pt|IP)\b"
)
"""A name marked as the client in an opening line: "Ava (client, 15)"."""


def _named_speakers(text: str, therapist: set[str], known: set[str]) -> set[str]:
    """Labels of lines opening with a person's name, in a transcript.

    Only in a transcript (the clinician speaks on labelled lines too), and only names that are
    not everyday words: "Plan:" or "Risk:" in shorthand is a heading, not a person.
    """
    from wordfreq import zipf_frequency

    from notewell.extraction.people import is_given_name  # people reads documents built from here

    speakers: set[str] = set()
    clinician_speaks = False
    # "Other members: DEZ, MARIAH, COLE." / "Present: Ava (client, 15) and her mother." — a name
    # the opening lines list is a person even when it is rare ("Dez") or also a word ("Ava")
    opening = "\n".join(text.splitlines()[:3])
    for line in text.splitlines():
        m = LABEL.match(line)
        if not m:
            continue
        label = _norm(m.group("label"))
        clinician_speaks = clinician_speaks or label in therapist
        raw = m.group("label").strip()
        if label in known or label in therapist:
            continue
        titled = NAME_LABEL.fullmatch(raw) is not None
        capitals = CAPITALS_LABEL.fullmatch(raw) is not None
        if (titled or capitals) and re.search(rf"(?<![\w:]){re.escape(raw)}\b(?!:)", opening):
            speakers.add(label)
            continue
        if zipf_frequency(label.split()[0], "en") >= EVERYDAY_WORD_ZIPF:
            continue
        # "DANA:" — a transcript in capitals; an abbreviation heading ("HPI:", "MSE:") is not a name
        if titled or (capitals and is_given_name(raw.split()[0].title(), EVERYDAY_WORD_ZIPF)):
            speakers.add(label)
    return speakers if clinician_speaks else set()


def _sole_other_speaker(text: str, client: set[str], known: set[str]) -> str | None:
    """The clinician of a one-to-one transcript labelled by surname.

    "Okafor: Have you ever acted on one of these thoughts?" / "Rowan: Never." — with the client
    named and speaking on labelled lines, the one other name that speaks on at least two lines
    is the clinician; otherwise their questions would read as the clinician's own notes about
    the client. A second such name (a parent joining) means the file must say who is who.
    """
    counts: dict[str, int] = {}
    client_lines = 0
    for line in text.splitlines():
        m = LABEL.match(line)
        if not m:
            continue
        label = _norm(m.group("label"))
        if label in client:
            client_lines += 1
            continue
        if label in known:
            return None  # a known speaker or section label: the file already says who speaks
        raw = m.group("label").strip()
        words = raw.split()
        name = words[-1] if words and _norm(words[0]) in CLINICIAN_TITLES else raw
        if NAME_LABEL.fullmatch(name) is None and CAPITALS_LABEL.fullmatch(name) is None:
            continue
        counts[label] = counts.get(label, 0) + 1
    speakers = [label for label, n in counts.items() if n >= 2]
    if client_lines >= 2 and len(speakers) == 1:
        from wordfreq import zipf_frequency

        name = speakers[0].split()[-1]
        if zipf_frequency(name, "en") < EVERYDAY_WORD_ZIPF:
            return speakers[0]
    return None


DOCTOR_TITLES = frozenset({"dr", "dr."})
"""A speaker label "Dr. <Surname>" is the clinician's."""

CLINICIAN_TITLES = frozenset({"dr", "dr.", "mr", "mr.", "ms", "ms.", "mrs", "mrs.", "mx", "mx."})
"""Titles before a clinician's surname in a speaker label ("Dr. Okafor:")."""

RELATION_FORMS = ("{r}, {s}", "{r} {s}", "{s} ({r}", "{s}, {r}")
"""How an opening line gives a speaker's relation: "mother, Lorraine", "Lorraine (mom)"."""


def _client_from_transcript(
    text: str, therapist: set[str], known: set[str], relations: set[str]
) -> tuple[str, set[str]] | None:
    """The identified client among the named speakers of a file that names no client.

    A group or family transcript often gives only first names ("Priya: Not this week." /
    "Jonah: Urges to cut on Tuesday"). Without a client, every such line would read as the
    clinician's own narrative about the client, and another member's disclosure would become
    the client's. The client is the speaker a header names ("Note for: Priya S.", "Client:
    Priya"); else, setting aside those the opening lines give a relation ("mother, Lorraine",
    "Lorraine (mom)"), the only speaker left. Returns the client's label and the other
    speakers' labels, or ``None`` when it can't tell (every line then stays as it was).
    """
    speakers = _named_speakers(text, therapist, known)
    if not speakers:
        return None
    lines = text.splitlines()
    head = "\n".join(lines[:5])
    header: str | None = None
    for line in lines[:5]:
        m = LABEL.match(line)
        value = line[m.end() :].strip() if m else ""
        if m and _norm(m.group("label")) in NOTE_FOR | known and NAME_LABEL.fullmatch(value):
            header = _norm(value)
            break
    if header is None:
        # "DBT skills group, wk 3 ... Note for: Priya S." — a header inside the opening line;
        # "Present: Ava (client, 15) and her mother." — the name marked as the client
        named = NOTE_FOR_INLINE.search(head) or CLIENT_MARK.search(head)
        header = _norm(named.group(1)) if named else None
    if header is not None:
        first = header.split()[0]
        chosen = next((s for s in speakers if s == header or s.split()[0] == first), None)
        if chosen is not None:
            return chosen, speakers - {chosen}
    opening = head.replace("\n", " ").lower()
    related = {
        s
        for s in speakers
        if any(form.format(r=r, s=s) in opening for r in relations for form in RELATION_FORMS)
    }
    rest = speakers - related
    if len(rest) == 1:
        chosen = next(iter(rest))
        return chosen, speakers - {chosen}
    return None


WRAP_MIN_CHARS = 50
"""A line broken by a hard wrap is a long one: shorthand items are short and end where they end."""
WRAP_BREAK_WORDS = frozenset(
    "a an the and or but of to in on at for with about from by as that than when while if he she "
    "they i we you his her their my our your is was are were has had have be been".split()
)
"""Words a sentence cannot end on: a line that stops after one was broken off mid-sentence."""
FORM_ANSWER_REACH = 30
"""How far from a line's end a question mark says the line is a question and its answer."""
BULLET = re.compile(r"[ \t]*(?:[-*•–]|\d{1,2}[.)]|\[[ xX✓]?\])[ \t]")


def wrapped(previous: str, line: str) -> bool:
    """Whether ``line`` continues the sentence ``previous`` broke off: a hard wrap.

    "He described a stretch in the winter of 2019, after the divorce, when he" /
    "thought about driving his truck off an overpass" — a long line that stops mid-sentence
    (no closing punctuation) and a next line that is no item of its own (no bullet) and
    starts in lower case, or follows a comma or a word no sentence ends on ("…of" / "Kayla").
    Shorthand ("Denies SI" / "reports HI toward brother") has short lines and is left alone."""
    prev = previous.strip()
    indent = len(line) - len(line.lstrip())
    if (
        len(prev) < WRAP_MIN_CHARS
        or BULLET.match(line)
        or BULLET.match(previous)
        or indent != len(previous) - len(previous.lstrip())
    ):
        return False  # a short line, an item of its own, or a line set in under another
    body = prev.rstrip("\"'”’)]")
    if not body or body[-1] in ".!?:;" or "?" in body[-FORM_ANSWER_REACH:]:
        return False  # a sentence ended, or a form's question got its answer ("…hurt you?  [x] No")
    first = line.lstrip().lstrip("\"“'(")[:1]
    if first.islower() or first.isdigit():
        return True  # "…between ages" / "15 and 16 she burned…"; "…with cigarettes" / "\"to feel…"
    last_word = body.rsplit(None, 1)[-1].lower()
    return body.endswith(",") or last_word in WRAP_BREAK_WORDS


def _lines(text: str) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        spans.append((pos, pos + len(body)))
        pos += len(line)
    return spans


SUICIDE_RISK_LABELS = frozenset({"si", "suicidal ideation", "ideation", "intent", "means", "c-ssrs"})
"""Labels after which a "Plan:" line is the suicide plan ("SI: active. / Plan: rifle in barn.")."""
SUICIDE_CONTEXT = re.compile(
    r"(?<![A-Za-z])SI(?![A-Za-z])|\bsuicid|\bkill(?:ing)?\s+(?:him|her|my|them)sel", re.IGNORECASE
)
SUICIDE_METHOD = re.compile(
    r"\b(?:overdos\w*|pills?|tabs|tablets|gun|rifle|pistol|handgun|firearms?|shoot\w*|hang\w*|rope|jump\w*"
    r"|bridge|knife|razor|blades?|crash\w*|drown\w*|carbon\s+monoxide|train)\b",
    re.IGNORECASE,
)
"""An inline "Plan:" that names a method right after a sentence about suicidal ideation is the
suicide plan ("Pt reports daily SI x 10 days. Plan: overdose on amitriptyline"), while
"Denies SI/HI. Plan: cont weekly tx" is the treatment plan."""


PAREN_LABEL = re.compile(r"[ \t]*[(\[][ \t]*(?P<label>[A-Za-z][A-Za-z .'/\-]{0,28}?)[ \t]*[,:;]")
"""A bracketed aside that opens with a label: "(Note to self, not for chart: …)"."""

QUESTION_LINES = re.compile(r"^[ \t]*Q:[ \t]+\S.*\?", re.MULTILINE)
ANSWER_LINES = re.compile(r"^[ \t]*A:[ \t]+\S", re.MULTILINE)
"""An interview transcript's question and answer lines ("Q: Have you ever…?" / "A: No.")."""

BARE_HEADING = re.compile(r"[A-Z][A-Z &/-]{1,30}")
"""A heading in capitals on a line of its own ("HOMEWORK", "PLAN", "RISK ASSESSMENT")."""


def segment_turns(text: str, book: SpeakerBook) -> tuple[list[Turn], list[str | None]]:
    """Split the text into turns (one per non-blank line) and the shorthand section of each."""
    turns: list[Turn] = []
    sections: list[str | None] = []
    section: str | None = None
    previous_label = ""
    # Some labelled lines open a section for themselves only. "Note to self: I suspect …" is
    # private for its own line; the unlabelled line after it ("Denies SI, HI.") is the note again
    # (a bare "Process notes:" heading keeps its block private up to the next label or blank
    # line). So is a "HW:" line that reports how last week's homework went ("HW: log filled 4 of
    # 7 days"): the session's work written after it is not homework.
    section_before: str | None = None
    one_line_section = False
    last_line: tuple[int, int] | None = None  # the line that ended the last turn, in this paragraph
    for start, end in _lines(text):
        line = text[start:end]
        if not line.strip():
            section = None
            one_line_section = False
            last_line = None
            continue
        lead = len(line) - len(line.lstrip())
        m = LABEL.match(line)
        if (
            last_line is not None
            and turns
            and turns[-1].end == last_line[1]
            and m is None
            and wrapped(text[last_line[0] : last_line[1]], line)
        ):
            # a hard-wrapped paragraph (a transcription service's dictation, an email pasted in):
            # the line goes on with the sentence the line before broke off ("… when he" /
            # "thought about driving his truck off an overpass"), so it is the same turn
            turns[-1] = replace(turns[-1], end=end)
            last_line = (start, end)
            continue
        last_line = (start, end)
        if one_line_section and lead == 0:
            # the next line at the margin that opens no speaker or section of its own ("Re: choir,
            # pt states …" is a topic, not a heading) goes back to the section before
            label = m.group("label") if m else None
            if label is None or (book.role_of(label) is None and book.section_of(label) is None):
                section, one_line_section = section_before, False
        role: Role = "narrative"
        speaker: str | None = None
        content_start = start + lead
        if (
            m is None
            and (aside := PAREN_LABEL.match(line))
            and book.section_of(aside.group("label")) == "private"
        ):
            # "(Note to self, not for chart: I feel pulled to rescue her…)" — a private aside in
            # brackets is read as its label at the margin: private for its own line
            m = aside
        heading = line.strip().rstrip(":").strip()
        if (
            not m
            and BARE_HEADING.fullmatch(heading)
            and (found_heading := book.section_of(heading)) is not None
        ):
            # "HOMEWORK" on a line of its own, an EHR template's heading: the lines under it are
            # that section, as under "Homework:"; the heading itself says nothing
            section, one_line_section, previous_label = found_heading, False, _norm(heading)
            continue
        if m:
            label = m.group("label")
            found = book.role_of(label)
            if found is not None:
                role, speaker = found, label.strip()
                content_start = start + m.end()
                while content_start < end and text[content_start] in " \t":
                    content_start += 1
            elif (found_section := book.section_of(label)) is not None:
                if found_section == "plan" and previous_label in SUICIDE_RISK_LABELS:
                    # "SI: active, daily. / Plan: rifle in barn." — the suicide plan, not the treatment plan
                    found_section = "risk"
                content = line[m.end() :]
                line_only = bool(content.strip()) and (
                    found_section == "private"
                    or (found_section == "homework" and HOMEWORK_DONE.search(content) is not None)
                )
                if line_only and section != found_section:
                    section_before = section
                one_line_section = line_only
                section = found_section
            previous_label = _norm(label)
        else:
            previous_label = ""
        line_section: str | None = section
        if role != "narrative":
            line_section = "excerpt" if section in (None, "excerpt") else section
        if content_start >= end:
            continue
        turns.append(Turn(role=role, speaker=speaker, start=start, end=end, content_start=content_start))
        sections.append(line_section)
    return turns, sections


def split_sentences(
    text: str,
    turns: Sequence[Turn],
    sections: Sequence[str | None],
    boundaries: Sequence[tuple[int, int]],
    book: SpeakerBook | None = None,
) -> list[Sentence]:
    """Cut each turn's content at the sentence boundaries found by the NLP pipeline.

    ``boundaries`` are sentence spans over the whole text (spaCy's sentencizer); a sentence
    never crosses a line, so a turn is always a whole number of sentences. Spans are trimmed
    so that evidence starts and ends on words.
    """
    starts = sorted({s for s, _ in boundaries})
    out: list[Sentence] = []
    for t_index, (turn, section) in enumerate(zip(turns, sections, strict=True)):
        lo = bisect.bisect_right(starts, turn.content_start)
        hi = bisect.bisect_left(starts, turn.end, lo)
        cuts = [turn.content_start, *starts[lo:hi], turn.end]
        current = section
        for a, b in itertools.pairwise(cuts):
            s, e = trim(text, a, b)
            if e <= s:
                continue
            if turn.role == "narrative" and book is not None and s > turn.content_start:
                # an inline heading mid-line ("… 50%. HW: PMR nightly; continue worry log.")
                m = LABEL.match(text, s, e)
                if m and (inline := book.section_of(m.group("label"))) is not None:
                    current = inline
                    if (
                        current == "plan"
                        and out
                        and SUICIDE_CONTEXT.search(text, out[-1].start, out[-1].end)
                        and SUICIDE_METHOD.search(text, s, e)
                    ):
                        current = "risk"
            out.append(Sentence(s, e, t_index, turn.role, current))
    return out


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` to exclude surrounding whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def quoted_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of quoted words inside ``text[start:end]`` (the client's words in a clinician's note)."""
    spans = []
    for m in QUOTED.finditer(text, start, end):
        g = 1 if m.group(1) is not None else 2
        s, e = trim(text, m.start(g), m.end(g))
        if e - s >= 2:
            spans.append((s, e))
    return spans
