"""Homework: tasks assigned for between sessions, in the session's own words.

Found in four places (see ``lexicons/homework.yaml``): the clinician's Plan/HW section
(``P: HW (1) thought record 3x before next session, (2) walks Tue/Thu 0700``), a therapist turn
that assigns practice (``For this week: diary card every night.``), a request the client accepts
(``can you save a copy on your phone?`` / ``Yes.``) or answers with a commitment
(``I'll ask my dad to come get it Saturday.``), and the client's own plan in answer to
``So what's the plan?``. Appointments (``RTC 1 wk``), clinician tasks (``Revisit dx``) and
``continue IOP`` are not homework.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from notewell.domain.evidence import Evidence
from notewell.domain.facts import Homework, PlanStep
from notewell.extraction.document import Document
from notewell.extraction.matching import CompiledRule
from notewell.extraction.structure import trim

SEMICOLON = re.compile(";")
BACK_REFERENCE = re.compile(r"(?:actually\s+|also\s+)?\w+\s+(?:it|them|this|that)\b", re.IGNORECASE)
NUMBERED = re.compile(r"\(\d{1,2}\)|(?<![\w/])\d{1,2}\)")
PLAN_HEADS = re.compile(
    r",\s*(?=(?:HW|homework|RTC|f/u|follow[- ]up|next\s+(?:session|appt|appointment)"
    r"|cont(?:inue)?\b|repeat|refer))",
    re.IGNORECASE,
)
LEADING = re.compile(  # used with .match(text, pos): no "^", which would only match at 0
    r"(?:(?:and|so|okay|ok|also|then|plus|p|plan|hw|homework)\b[\s,.:;—–-]*|[\s,.:;—–-]+|\(\d+\)\s*|\d+\)\s*)+",
    re.IGNORECASE,
)
AND_SPLIT = re.compile(r",?\s+and\s+(?:the\s+|a\s+|an\s+)?", re.IGNORECASE)
AND_CLAUSE = re.compile(r",?\s+and\s+(?:(?P<aux>to|will|then)\s+|(?=\w))", re.IGNORECASE)
COMMA_AND = re.compile(r",\s+and\s+", re.IGNORECASE)
QUALIFIER = re.compile(  # a list part opening like this qualifies the task before it
    r"(?:at\s+(?:least|most)|before|after|when(?:ever)?|if|until|every|each|daily|nightly|once|twice"
    r"|\d+\s*x|x\s?\d|including|focusing|especially|not|no|even)\b",
    re.IGNORECASE,
)
TOPIC_LABEL = re.compile(r"\s*[A-Z][\w -]{2,30}:\s")
TOPIC = re.compile(
    r"\bfor\s+(?!this\b|the\b|practice\b)(\w+)(?:\s+\w+)?\s+this\s+(?:week|wk)\b", re.IGNORECASE
)
DEDUPE_SIMILARITY = 75
FOLLOW_ACROSS_SENTENCES = "follow.back_reference"
"""The follow-on rule that also joins a step told in the next sentence ("Mark it on the chart.")."""
# "Client: "I'll try the other route starting tomorrow."" written into the plan after the
# assignment ("Client will take the river road home…") is the client accepting that task
QUOTED_CLIENT = re.compile(
    r"(?:client|cl|pt|patient|she|he|they)\s*(?:said|stated|replied|responded|agreed)?\s*[:,]?\s*[\"“]",
    re.IGNORECASE,
)
QUOTE_FOLLOWS_WITHIN = 250  # characters between the assignment and the quote that accepts it
INITIAL_BEFORE = re.compile(r"\b[A-Z]\.\s*$")
OWN_CLAUSE = re.compile(
    r"(?:will|'ll|to|agreed|agrees|chose|plans|is\s+to|can|should|needs?\s+to)\s+\w", re.IGNORECASE
)


def _in_brackets(text: str, start: int, pos: int) -> bool:
    """Whether ``pos`` lies inside a bracket opened after ``start`` and not yet closed."""
    before = text[start:pos]
    return before.count("(") > before.count(")")


@dataclass(frozen=True)
class _Item:
    start: int
    end: int
    order: int


class HomeworkExtractor:
    """Finds assigned tasks and returns one item per task."""

    def __init__(self, lexicon: dict[str, Any]) -> None:
        def cues(key: str) -> list[tuple[str, re.Pattern[str]]]:
            return [(c["id"], re.compile(c["pattern"], re.IGNORECASE)) for c in lexicon.get(key, [])]

        self._assign = cues("assignment_cues")
        self._narrative_assign = cues("narrative_assignment_cues")
        self._tasks = cues("task_terms")
        self._times = cues("time_cues")
        self._not = cues("not_homework")
        self._commit = cues("commitment_cues")
        self._request = cues("request_cues")
        self._accept = cues("acceptance_cues")
        self._directive = cues("directive_cues")
        self._own_task = cues("own_task_questions")
        self._appointments = cues("appointment_cues")
        self._appointment_rules = [
            CompiledRule.build(rid, rx.pattern, False) for rid, rx in self._appointments
        ]
        self._elab = cues("elaboration_only")
        self._other_subjects = cues("other_subjects")
        self._clinician_voice = cues("clinician_voice")
        self._follow_on = cues("follow_on_steps")
        self._prompts = cues("commitment_prompts")
        self._plan_sections = set(lexicon["plan_sections"])
        # objects that can share one verb: "practice calm place 2x daily and container before bed"
        self._task_nouns = [rx for rid, rx in self._tasks if rid in ("task.records", "task.practice")]
        verbs = next(rx for rid, rx in self._tasks if rid == "task.verbs")
        self._task_verb = re.compile(r"(?:actually\s+|also\s+)?" + verbs.pattern, re.IGNORECASE)

    # ------------------------------------------------------------------ item tests
    @staticmethod
    def _first(rules: Iterable[tuple[str, re.Pattern[str]]], text: str, fired: set[str]) -> bool:
        for rid, rx in rules:
            if rx.search(text):
                fired.add(rid)
                return True
        return False

    @staticmethod
    def _all(rules: Iterable[tuple[str, re.Pattern[str]]], text: str, fired: set[str]) -> bool:
        hits = [rid for rid, rx in rules if rx.search(text)]
        fired.update(hits)
        return bool(hits)

    def _is_task(self, piece: str, fired: set[str]) -> bool:
        if len(piece.split()) < 2 or piece.rstrip().endswith("?"):
            return False
        if self._first(self._elab, piece, fired) or self._first(self._not, piece, fired):
            return False
        task = self._all(self._tasks, piece, fired)
        time = self._all(self._times, piece, fired)
        return task or time

    def _only_when(self, piece: str) -> bool:
        """A piece that opens with a when and names no task (``weekends included``, ``Friday
        after the test``) qualifies the task before it."""
        return not any(rx.search(piece) for _, rx in self._tasks) and any(
            rx.match(piece) for _, rx in self._times
        )

    def _continues_initial(self, doc: Document, start: int, piece: str) -> bool:
        """``I will see E. individually on 10/23`` and ``will check in with J. Friday after the
        test`` split after the initial; a piece that opens in lower case or with only a when right
        after one is the rest of that sentence, not an item."""
        if not INITIAL_BEFORE.search(doc.text, max(0, start - 6), start):
            return False
        # "J. will make flash cards tonight" keeps its own verb: the task, cut at the initial
        own_verb = OWN_CLAUSE.match(piece) or self._task_verb.match(piece)
        return self._only_when(piece) or (piece[:1].islower() and not own_verb)

    def _follows_on(self, piece: str, fired: set[str], across_sentences: bool = False) -> bool:
        """Whether the piece is a step of the task just before it, not a task of its own.

        ``try one skill a day and log it on your card`` and ``walk 3x; mark it on the chart`` are
        one task each: the step records the task it points back to. Across a sentence break only
        an explicit pointer (``it``, ``the ones``) links the two; within a sentence a step that
        measures around the task (``drive the highway and rate SUDS before and after``) does too.
        """
        rules = (
            [(rid, rx) for rid, rx in self._follow_on if rid == FOLLOW_ACROSS_SENTENCES]
            if across_sentences
            else self._follow_on
        )
        return self._first(rules, piece, fired)

    def _accepts_previous(self, doc: Document, item: _Item, kept: list[_Item]) -> bool:
        """A quoted acceptance in the note (``Client: "I'll try the other route starting
        tomorrow."``) right after the assignment it accepts is that one task, not a second."""
        text = doc.text
        m = QUOTED_CLIENT.match(text, item.start, item.end)
        if m is None:
            return False
        quote = text[m.end() : item.end]
        if not (self._first(self._commit, quote, set()) or self._first(self._accept, quote, set())):
            return False
        return any(k.end <= item.start and item.start - k.end <= QUOTE_FOLLOWS_WITHIN for k in kept)

    def _clean(self, doc: Document, start: int, end: int) -> tuple[int, int]:
        text = doc.text
        s, e = trim(text, start, end)
        m = LEADING.match(text, s, e)
        if m:
            s = m.end()
        while e > s and text[e - 1] in ".,;:—–-( ":
            e -= 1
        return trim(text, s, e)

    def _pieces(
        self,
        doc: Document,
        start: int,
        end: int,
        split_and_commas: bool,
        fired: set[str],
        lists: bool = False,
    ) -> list[tuple[int, int]]:
        """Split a span at numbers, semicolons and plan-item commas (and ``, and`` when asked;
        a Plan line's comma list of tasks with ``lists``).

        ``, and`` separates tasks ("log each time you smoke, and try not buying on weekdays")
        unless the span opens with its own topic ("Regular eating: three meals…, and …").
        """
        text = doc.text
        cuts = [start]
        # "drive the two-lane highway (Route 20) to work": a number closing a bracket inside an
        # item is part of it, not the next item's marker
        cuts.extend(
            m.start() for m in NUMBERED.finditer(text, start, end) if not _in_brackets(text, start, m.start())
        )
        for rx in (SEMICOLON, PLAN_HEADS):
            cuts.extend(m.start() for m in rx.finditer(text, start, end))
        steps = [m.start() for m in SEMICOLON.finditer(text, start, end)]
        if split_and_commas and not TOPIC_LABEL.match(text, start, end):
            found = [m.start() for m in COMMA_AND.finditer(text, start, end)]
            cuts.extend(found)
            steps.extend(found)
        # "…4x this wk; mark it on the chart": a step pointing back stays with its task
        joined = {c for c in steps if self._follows_on(text[slice(*self._clean(doc, c, end))], fired)}
        cuts = [*sorted(set(c for c in cuts if start <= c < end and c not in joined)), end]
        out = []
        for a, b in itertools.pairwise(cuts):
            a, b = self._clean(doc, a, b)
            if b > a:
                for a2, b2 in self._split_list(doc, a, b, fired) if lists else [(a, b)]:
                    out.extend(self._split_objects(doc, a2, b2, fired))
        return out

    def _split_list(self, doc: Document, start: int, end: int, fired: set[str]) -> list[tuple[int, int]]:
        """``market Sat, walks M/W/F, return the library books`` is three tasks: a comma list
        splits when every part (outside brackets) is a task of its own; ``thought record daily,
        focusing on work`` and ``gas station after dark, sister in the car, 3x`` stay whole."""
        text = doc.text
        if TOPIC_LABEL.match(text, start, end):
            return [(start, end)]  # "Scheduled: climbing Sat, walks M/W/F": one labelled list
        commas, depth = [], 0
        for i in range(start, end):
            ch = text[i]
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth = max(0, depth - 1)
            elif ch == "," and depth == 0:
                commas.append(i)
        if not commas:
            return [(start, end)]
        parts = [self._clean(doc, a, b) for a, b in itertools.pairwise([start, *commas, end])]
        scratch: set[str] = set()
        # a part that opens with its when ("…, at least 3x") or points back ("…, note it on the
        # card") qualifies the task before it
        if all(
            b > a
            and self._is_task(text[a:b], scratch)
            and not BACK_REFERENCE.match(text, a, b)
            and not self._follows_on(text[a:b], fired)
            and not QUALIFIER.match(text, a, b)
            and not self._only_when(text[a:b])  # "wake time 6:30 daily, weekends included"
            for a, b in parts
        ):
            return parts
        return [(start, end)]

    def _split_objects(self, doc: Document, start: int, end: int, fired: set[str]) -> list[tuple[int, int]]:
        """``calm place 2x daily and container before bed`` is two tasks sharing one verb, and
        ``complete the sleep diary and ask her partner to join`` two tasks with their own verbs."""
        text = doc.text
        for m in AND_SPLIT.finditer(text, start, end):
            rest = text[m.end() : end]
            if self._follows_on(rest, fired) or BACK_REFERENCE.match(rest):
                continue  # "try one skill a day and log it on the card": "log" is a verb here
            if any(rx.match(rest) for rx in self._task_nouns):
                return self._split_at(doc, start, m.start(), m.end(), end, fired)
        for m in AND_CLAUSE.finditer(text, start, end):
            rest = text[m.end() : end]
            # "…and to decide by Friday", "…and will use a worry period": the second task's own verb;
            # a bare "and" splits only between two task verbs ("complete the diary and ask her partner")
            if BACK_REFERENCE.match(rest) or self._follows_on(rest, fired):
                continue  # "draft the schedule and send it to her sister": one task in two steps
            parallel = m.group("aux") is not None and rest[:1].islower()
            # two verbs, or a verb after "and" with each side saying its own when ("practice the
            # calm place twice a day and use the container at bedtime")
            if parallel or (
                self._task_verb.match(rest)
                and (
                    self._task_verb.search(text, start, m.start())
                    or (self._timed(text[start : m.start()]) and self._timed(rest))
                )
            ):
                return self._split_at(doc, start, m.start(), m.end(), end, fired)
        return [(start, end)]

    def _timed(self, piece: str) -> bool:
        """Whether the piece says when ("twice a day", "at bedtime", "Tues")."""
        return self._first(self._times, piece, set())

    def _split_at(
        self, doc: Document, start: int, cut: int, resume: int, end: int, fired: set[str]
    ) -> list[tuple[int, int]]:
        left = self._clean(doc, start, cut)
        rest = self._split_objects(doc, resume, end, fired)
        return [p for p in (left, *rest) if p[1] > p[0]]

    # ------------------------------------------------------------------ sources
    def _from_plan_sections(self, doc: Document, fired: set[str]) -> Iterable[tuple[int, int]]:
        for s in doc.sentences:
            if s.role == "narrative" and s.section in self._plan_sections:
                yield from self._pieces(doc, s.start, s.end, split_and_commas=False, fired=fired, lists=True)

    def _assignment_cues(self, doc: Document) -> dict[int, tuple[str, re.Match[str]]]:
        """The first assignment cue of each therapist turn that has one ("For this week: …"),
        found once per document: both the assignments and the replies to them read it."""
        text = doc.text
        cues: dict[int, tuple[str, re.Match[str]]] = {}
        for t_idx, turn in enumerate(doc.turns):
            if turn.role != "therapist":
                continue
            hit = None
            for rid, rx in self._assign:
                m = rx.search(text, turn.content_start, turn.end)
                if m and (hit is None or m.start() < hit[1].start()):
                    hit = (rid, m)
            if hit is not None:
                cues[t_idx] = hit
        return cues

    def _from_assignments(
        self, doc: Document, fired: set[str], cues: dict[int, tuple[str, re.Match[str]]]
    ) -> Iterable[tuple[int, int]]:
        text = doc.text
        for t_idx, hit in sorted(cues.items()):
            fired.add(hit[0])
            cue = hit[1]
            sentences = [i for i in doc.turn_sentences[t_idx] if doc.sentences[i].end > cue.end()]
            if not sentences:
                continue
            first = doc.sentences[sentences[0]]
            colon = text.find(":", cue.end(), first.end)
            rest_start = colon + 1 if colon != -1 else cue.end()
            cue_sentence = text[first.start : first.end]
            topic = TOPIC.search(cue_sentence)
            spans = [(rest_start, first.end)] + [
                (doc.sentences[i].start, doc.sentences[i].end) for i in sentences[1:]
            ]
            for a, b in spans:
                yield from self._pieces(doc, a, b, split_and_commas=topic is None, fired=fired)
            # "Noor, yours?" — the client names their own task in reply
            last = doc.sentences[doc.turn_sentences[t_idx][-1]]
            if self._first(self._own_task, text[last.start : last.end], fired):
                answer = doc.answer_turn(t_idx, window=2)
                if answer is not None:
                    for i in doc.turn_sentences[answer]:
                        yield self._clean(doc, doc.sentences[i].start, doc.sentences[i].end)

    def _from_narrative(self, doc: Document, fired: set[str]) -> Iterable[tuple[int, int]]:
        """``Her homework is to add two reasons for living to the plan and to decide by next
        session whether to show it to her partner.`` — an assignment written as a sentence."""
        text = doc.text
        for s in doc.sentences:
            if s.role != "narrative" or s.section in self._plan_sections:
                continue
            for rid, rx in self._narrative_assign:
                m = rx.search(text, s.start, s.end)
                if m is None:
                    continue
                # a pronoun, or no subject at all after a semicolon ("…; agreed to call…"): the
                # doer may be someone named earlier in the sentence
                pronoun = (
                    m.groupdict().get("pronoun") or m.groupdict().get("pronoun2") or m.groupdict().get("bare")
                )
                if pronoun and self._first(self._other_subjects, text[s.start : m.start()], fired):
                    continue  # "Mom was tearful; she agreed to…": she may be mom
                fired.add(rid)
                # "Her homework is to…" starts after the cue; "…; she agreed to call…" at its subject
                start = {
                    "nhw.homework_is": m.end(),
                    "nhw.labelled_assignment": m.end(),
                    "nhw.week_label": m.end(),
                    "nhw.client_commits": m.start(),
                }.get(rid, s.start)
                yield from self._pieces(doc, start, s.end, split_and_commas=True, fired=fired)
                break

    def _restatement(self, doc: Document, reply: int, fired: set[str]) -> Iterable[tuple[int, int]]:
        """The therapist's summary of the client's plan, accepted ("Walk to the corner four days,
        call on Sunday." / "I can do that.")."""
        ther = reply + 1
        if ther >= len(doc.turns) or doc.turns[ther].role != "therapist":
            return
        answer = doc.answer_turn(ther, window=2)
        if answer is None:
            return
        if not self._first(self._accept, doc.text[doc.answer_start(answer) : doc.turns[answer].end], fired):
            return
        for j in doc.turn_sentences[ther]:
            piece = doc.text[doc.sentences[j].start : doc.sentences[j].end]
            if not piece.rstrip().endswith("?"):
                yield from self._pieces(
                    doc, doc.sentences[j].start, doc.sentences[j].end, split_and_commas=True, fired=fired
                )

    def _from_requests(self, doc: Document, fired: set[str]) -> Iterable[tuple[int, int]]:
        text = doc.text
        for t_idx, turn in enumerate(doc.turns):
            if turn.role != "therapist":
                continue
            for i in doc.turn_sentences[t_idx]:
                s = doc.sentences[i]
                if not text[s.start : s.end].rstrip().endswith("?"):
                    continue
                for rid, rx in self._request:
                    m = rx.search(text, s.start, s.end)
                    if not m:
                        continue
                    for reply in range(t_idx + 1, min(len(doc.turns), t_idx + 3)):
                        if doc.turns[reply].role == "therapist":
                            break
                        if doc.turns[reply].role == "narrative":
                            continue
                        start = doc.answer_start(reply)
                        reply_text = text[start : doc.turns[reply].end]
                        if rid == "request.whats_the_plan":
                            fired.add(rid)
                            for j in doc.turn_sentences[reply]:
                                yield self._clean(doc, doc.sentences[j].start, doc.sentences[j].end)
                            yield from self._restatement(doc, reply, fired)
                            break
                        commitments = [j for j in doc.turn_sentences[reply] if self._commits(doc, j, fired)]
                        if commitments:
                            fired.add(rid)
                            for j in commitments:
                                yield self._clean(doc, doc.sentences[j].start, doc.sentences[j].end)
                            break
                        if self._first(self._accept, reply_text, fired):
                            fired.add(rid)
                            # the request itself is the task: "(can you) save a copy on your phone"
                            begin = (
                                m.start("task") if "task" in m.groupdict() and m.group("task") else s.start
                            )
                            stop = s.end - 1 if text[s.end - 1] == "?" else s.end
                            yield self._clean(doc, begin, stop)
                            break
                    break

    def _from_directives(self, doc: Document, fired: set[str]) -> Iterable[tuple[int, int]]:
        """``T: Card every night this week. And try that with her by Sunday.`` / ``C: Okay.`` — a
        plain instruction naming a task and when, accepted in the client's next turn."""
        text = doc.text
        for t_idx, turn in enumerate(doc.turns):
            if turn.role != "therapist":
                continue
            answer = doc.answer_turn(t_idx, window=2)
            if answer is None:
                continue
            if not self._first(self._accept, text[doc.answer_start(answer) : doc.turns[answer].end], set()):
                continue
            for i in doc.turn_sentences[t_idx]:
                s = doc.sentences[i]
                piece = text[s.start : s.end]
                if piece.rstrip().endswith("?"):
                    continue
                # the instruction opens with its verb ("Walk after dinner three nights") or names a
                # practice task and how often ("Card every night"), and says when
                rid = next((r for r, opener in self._directive if opener.match(piece)), None)
                if rid is None or not self._timed(piece):
                    continue
                fired.add(rid)
                yield self._clean(doc, s.start, s.end)

    def _signature(self, text: str) -> tuple[set[str], set[str]]:
        """The task words and time words of an item: two items that share both are one task
        ("I'll email her tonight" and "Mom emails the counselor tonight about lunch")."""
        tasks = {m.group(0).lower().rstrip("s") for _, rx in self._tasks for m in rx.finditer(text)}
        times = {m.group(0).lower() for _, rx in self._times for m in rx.finditer(text)}
        return tasks, times

    def _commits(self, doc: Document, sentence: int, fired: set[str]) -> bool:
        s = doc.sentences[sentence]
        piece = doc.text[s.start : s.end]
        return self._first(self._commit, piece, fired) and self._first(self._times, piece, fired)

    def _invites_commitment(self, doc: Document, turn: int, fired: set[str]) -> bool:
        """Whether the therapist's turn ends by inviting the client to commit to a step
        (``Would you like that to be your step for this week?``, ``Want to commit to Friday?``):
        the client's ``I'll call her Saturday.`` in reply is then the agreed task."""
        last = doc.sentences[doc.turn_sentences[turn][-1]]
        piece = doc.text[last.start : last.end]
        return piece.rstrip().endswith("?") and self._first(self._prompts, piece, fired)

    def _from_commitments(
        self, doc: Document, fired: set[str], cues: dict[int, tuple[str, re.Match[str]]]
    ) -> Iterable[tuple[int, int]]:
        """``Mom: I'll email the counselor tonight.`` — after the therapist assigned practice."""
        # in family and couples work a parent's or partner's task is homework; in a group another
        # member's is theirs, not the client's
        roles = ("client", "other") if doc.session.meta.type in ("family", "couples") else ("client",)
        for t_idx, turn in enumerate(doc.turns):
            if turn.role not in roles:
                continue
            ther = doc.previous_turn(t_idx, "therapist")
            if ther is None:
                continue
            if ther not in cues and not self._invites_commitment(doc, ther, fired):
                continue
            for i in doc.turn_sentences[t_idx]:
                if self._commits(doc, i, fired):
                    yield self._clean(doc, doc.sentences[i].start, doc.sentences[i].end)

    def _clinician_speaks(self, doc: Document, start: int, piece: str, fired: set[str]) -> bool:
        """``I'll call the school counselor this week`` in the clinician's shorthand or the
        therapist's turn is the clinician's own task; the same words from the client are theirs."""
        idx = doc.index.sentence_at(start)
        if idx is None or doc.sentences[idx].role not in ("narrative", "therapist"):
            return False
        return self._first(self._clinician_voice, piece, fired)

    def _continues_previous(
        self, doc: Document, last: _Item, start: int, piece: str, fired: set[str]
    ) -> bool:
        """A step that points back (``Mark it on the chart.``) right after the item before it,
        with only a sentence break between them, is that item's second half."""
        gap = doc.text[last.end : start]
        return (
            last.end <= start
            and not gap.strip(" \t\n.;,—–-")
            and self._follows_on(piece, fired, across_sentences=True)
        )

    # ------------------------------------------------------------------ public
    def plan_steps(self, doc: Document, fired: set[str]) -> list[PlanStep]:
        """The next contact: ``Next session 1/21 09:00``, ``Same time next Tuesday?``,
        ``Check in w/ Cl tomorrow``. Plan-section pieces and spoken or written sentences alike."""
        steps: list[PlanStep] = []
        seen: set[tuple[int, int]] = set()
        rules = self._appointment_rules
        candidates = sorted({m.sentence for m in doc.index.matches(rules)})
        for s in (doc.sentences[i] for i in candidates):
            if s.role == "other":
                continue
            pieces = (
                self._pieces(doc, s.start, s.end, split_and_commas=False, fired=set())
                if s.section in self._plan_sections
                else [(s.start, s.end)]
            )
            for a, b in pieces:
                if any(rx.search(doc.text, a, b) for _, rx in self._tasks):
                    continue  # homework "before next session" is homework, not the appointment
                for rid, rx in self._appointments:
                    if rx.search(doc.text, a, b) and (a, b) not in seen:
                        fired.add(rid)
                        seen.add((a, b))
                        a2, b2 = self._clean(doc, a, b)
                        if b2 > a2:
                            steps.append(PlanStep(" ".join(doc.text[a2:b2].split()), (Evidence(a2, b2),)))
        return steps

    def extract(self, doc: Document, fired: set[str]) -> list[Homework]:
        spans: list[_Item] = []
        order = 0
        cues = self._assignment_cues(doc)
        sources: tuple[Iterable[tuple[int, int]], ...] = (
            self._from_plan_sections(doc, fired),
            self._from_narrative(doc, fired),
            self._from_assignments(doc, fired, cues),
            self._from_requests(doc, fired),
            self._from_commitments(doc, fired, cues),
            self._from_directives(doc, fired),
        )
        for source in sources:
            for a, b in source:
                piece = doc.text[a:b]
                if b > a and self._clinician_speaks(doc, a, piece, fired):
                    continue
                if b > a and self._continues_initial(doc, a, piece):
                    continue
                if b > a and spans and self._continues_previous(doc, spans[-1], a, piece, fired):
                    # "Try one skill a day. Log it on your card." — one task told in two sentences
                    spans[-1] = _Item(spans[-1].start, b, spans[-1].order)
                    continue
                if b > a and self._is_task(piece, fired):
                    spans.append(_Item(a, b, order))
                    order += 1
        kept: list[_Item] = []
        for item in sorted(spans, key=lambda x: x.start):
            if self._accepts_previous(doc, item, kept):
                continue
            text = doc.text[item.start : item.end].lower()
            sig = self._signature(text)
            dup = None
            for k in kept:
                other = doc.text[k.start : k.end].lower()
                overlap = item.start < k.end and k.start < item.end
                same_task = bool(sig[0] & self._signature(other)[0]) and bool(
                    sig[1] & self._signature(other)[1]
                )
                if overlap or same_task or fuzz.token_set_ratio(text, other) >= DEDUPE_SIMILARITY:
                    dup = k
                    break
            if dup is None:
                kept.append(item)
            elif item.end - item.start > dup.end - dup.start and not (
                item.start < dup.end and dup.start < item.end
            ):
                kept[kept.index(dup)] = item  # a later restatement in full replaces a short first mention
        return [
            Homework(" ".join(doc.text[k.start : k.end].split()), (Evidence(k.start, k.end),))
            for k in sorted(kept, key=lambda x: x.start)
        ]
