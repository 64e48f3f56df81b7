"""Risk extraction: the nine risk keys, each with the statements that support its value.

Risk is read from three places, and the most severe value wins so that nothing is silently
dropped: the text, the clinician's checklist, and entered measures (PHQ-9 item 9 above 0 is
never "denied").

In the text, each *target* (``SI``, ``wish I was dead``, ``took a bottle of Tylenol``) is put in
context by medspaCy's ConText with our modifiers: ``Denies SI`` → denied; ``hx of SI in 2019`` →
not current; ``if thoughts of suicide come up`` → hypothetical, ignored; ``Cl's mother attempted``
→ someone else, ignored; ``I could kill you for making me be reasonable`` → figurative, ignored.
In transcripts a screening question is read together with the client's answer
(``Any thoughts of ending your life?`` / ``No, never.`` → denied), and in family and group
sessions only the identified client's statements count.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from notewell.domain.evidence import Evidence, merge_spans
from notewell.domain.facts import PersonMention, RiskFinding, RiskStatement, Source
from notewell.domain.session import (
    POSITIVE_RISK_VALUES,
    RISK_KEYS,
    RISK_VALUES,
    UNKNOWN_RISK_VALUE,
    MeasureInput,
    risk_precedence,
)
from notewell.extraction.document import Document
from notewell.extraction.matching import CompiledRule, Match
from notewell.extraction.nlp import ClinicalNLP, ContextResult, TargetSpan

DROP_CATEGORIES = frozenset({"HYPOTHETICAL", "OTHER_PERSON", "FIGURATIVE", "FUTURE", "UNTICKED"})
SPOKEN_ROLES = frozenset({"client", "other"})


@dataclass(frozen=True)
class TargetRule:
    """A compiled risk target (see ``lexicons/risk_targets.yaml``)."""

    id: str
    key: str
    value: str | None
    negated_value: str | None
    historical_value: str | None
    needs_anchor: bool
    roles: frozenset[str]
    presupposed: bool = False
    question_anchors: bool = False
    yields_to_denial: bool = False
    undone_by_accident: bool = False
    sections: frozenset[str] = frozenset()
    antecedent: re.Pattern[str] | None = None
    recent_value: str | None = None
    coexists: bool = False
    secures: bool = False

    @classmethod
    def from_yaml(cls, raw: dict[str, Any]) -> TargetRule:
        key = raw["key"]
        default_negated: str | None = "not_documented" if key == "safety_plan" else "denied"
        if raw.get("value") is None:
            default_negated = None  # recognised but carries no status, negated or not
        return cls(
            id=raw["id"],
            key=key,
            value=raw.get("value"),
            negated_value=raw.get("negated_value", default_negated),
            historical_value=raw.get("historical_value"),
            needs_anchor=bool(raw.get("needs_anchor", False)),
            roles=frozenset(raw.get("roles", ("narrative", "client"))),
            presupposed=bool(raw.get("presupposed", False)),
            question_anchors=bool(raw.get("question_anchors", False)),
            yields_to_denial=bool(raw.get("yields_to_denial", False)),
            undone_by_accident=bool(raw.get("undone_by_accident", False)),
            sections=frozenset(raw.get("sections", ())),
            recent_value=raw.get("recent_value"),
            coexists=bool(raw.get("coexists", False)),
            secures=bool(raw.get("secures", False)),
            antecedent=re.compile(raw["antecedent"], re.IGNORECASE) if raw.get("antecedent") else None,
        )


@dataclass(frozen=True)
class RecencyCue:
    """Words that date an episode (``context_modifiers.yaml`` ``recency_cues``): a span of days
    or weeks, or a named day of the year ("Halloween") whose last date before the session counts."""

    id: str
    pattern: re.Pattern[str]
    month: int | None
    day: int | None
    nth_thursday: int | None

    def last_before(self, when: date) -> date:
        """The named day's last date on or before the session date (Halloween on 12 November
        2026 is 31 October 2026; on 5 January it is the 31 October before)."""
        assert self.month is not None
        for year in (when.year, when.year - 1):
            if self.nth_thursday is not None:
                first = date(year, self.month, 1)
                day = first + timedelta(days=(3 - first.weekday()) % 7 + 7 * (self.nth_thursday - 1))
            else:
                day = date(year, self.month, self.day or 1)
            if day <= when:
                return day
        return date(when.year - 1, self.month, self.day or 1)


@dataclass(frozen=True)
class LineCue:
    """A label that frames its whole line (``context_modifiers.yaml`` ``line_cues``)."""

    id: str
    category: str
    pattern: re.Pattern[str]
    unless: re.Pattern[str]
    excluded_keys: frozenset[str]


@dataclass(frozen=True)
class Target:
    """A target found in the text, with its context once assessed."""

    rule: TargetRule
    start: int
    end: int
    sentence: int
    context: ContextResult | None = None


def _validate_values(rule: TargetRule) -> None:
    allowed = RISK_VALUES[rule.key]
    for v in (rule.value, rule.negated_value, rule.historical_value, rule.recent_value):
        if v is not None and v not in allowed:
            raise ValueError(f"risk rule {rule.id}: {v!r} is not a value of {rule.key}")


class RiskExtractor:
    """Finds risk statements in a document and resolves the nine keys."""

    def __init__(self, lexicons: dict[str, Any], nlp: ClinicalNLP) -> None:
        self._nlp = nlp
        self._rules: list[CompiledRule] = []
        for raw in lexicons["risk_targets"]["targets"]:
            rule = TargetRule.from_yaml(raw)
            _validate_values(rule)
            self._rules.append(
                CompiledRule.build(rule.id, raw["pattern"], raw.get("case_sensitive", False), rule)
            )
        self._weak_rules = frozenset(r.id for r in (c.payload for c in self._rules) if r.yields_to_denial)
        self._securing_rules = frozenset(r.id for r in (c.payload for c in self._rules) if r.secures)
        # "C:", "Pt:" name a role, not a person: a question never names the client by them
        self._role_labels = frozenset(label.lower() for label in lexicons["speakers"]["client_labels"])
        answers = lexicons["risk_answers"]
        self._answers = [
            (a["id"], a["kind"], int(a.get("search", 0)), re.compile(a["pattern"], re.IGNORECASE))
            for a in answers["answers"]
        ]
        self._reask = re.compile(answers["reask"]["pattern"], re.IGNORECASE)
        self._clarify = re.compile(answers["clarify"]["pattern"], re.IGNORECASE)
        self._clarified = re.compile(answers["clarified"]["pattern"], re.IGNORECASE)
        self._accidental = re.compile(answers["accidental_overdose"]["pattern"], re.IGNORECASE)
        self._methods = [(m["id"], re.compile(m["pattern"], re.IGNORECASE)) for m in answers["method_terms"]]
        self._preamble = re.compile(answers["preamble"]["pattern"], re.IGNORECASE)
        self._bare_denial = re.compile(answers["bare_denial"]["pattern"], re.IGNORECASE)
        self._form_answer = re.compile(answers["form_answer"]["pattern"], re.IGNORECASE)
        self._reported = [
            (a["id"], a["kind"], re.compile(a["pattern"], re.IGNORECASE)) for a in answers["reported_answers"]
        ]
        reporting = {
            c["id"]: c
            for label in lexicons["people"]["labels"]
            if label["id"] == "reporting"
            for c in label["cues"]
        }
        self._reporting = re.compile(reporting["other.named_subject"]["pattern"], re.IGNORECASE)
        self._turn_cues = [
            (c["id"], re.compile(c["pattern"], re.IGNORECASE))
            for c in lexicons["context_modifiers"].get("turn_cues", [])
        ]
        self._recency = [
            RecencyCue(
                c["id"],
                re.compile(c["pattern"], re.IGNORECASE),
                c.get("month"),
                c.get("day"),
                c.get("nth_thursday"),
            )
            for c in lexicons["context_modifiers"].get("recency_cues", [])
        ]
        self._line_cues = [
            LineCue(
                c["id"],
                c["category"],
                re.compile(c["pattern"], re.IGNORECASE),
                re.compile(c["unless"], re.IGNORECASE),
                frozenset(c.get("excluded_keys", ())),
            )
            for c in lexicons["context_modifiers"].get("line_cues", [])
        ]

    @staticmethod
    def target_labels(lexicons: dict[str, Any]) -> list[str]:
        return sorted({f"risk:{t['key']}" for t in lexicons["risk_targets"]["targets"]})

    # ------------------------------------------------------------------ finding targets
    def _find_targets(self, doc: Document) -> list[Target]:
        matches: list[Match] = [m for m in doc.index.matches(self._rules) if self._in_place(doc, m)]
        # longest match wins where targets overlap: "safety plan" is not also a suicide "plan".
        # Targets sit in one sentence, so containment is checked within each sentence only.
        by_sentence: dict[int, list[Match]] = defaultdict(list)
        for m in matches:
            by_sentence[m.sentence].append(m)
        final: list[Match] = []
        for group in by_sentence.values():
            group.sort(key=lambda m: (m.start, -(m.end - m.start)))
            kept: list[Match] = []
            for m in group:
                if any(k.start <= m.start and m.end <= k.end and _swallows(k, m) for k in kept):
                    continue  # inside (or the same span as) a longer or earlier target
                kept.append(m)
            final.extend(
                m
                for m in kept
                if not any(
                    o is not m
                    and o.start <= m.start
                    and m.end <= o.end
                    and (o.end - o.start) > (m.end - m.start)
                    and _swallows(o, m)
                    for o in kept
                )
            )
        final.sort(key=lambda m: (m.start, m.end))
        return [Target(m.rule.payload, m.start, m.end, m.sentence) for m in final]

    @staticmethod
    def _in_place(doc: Document, match: Match) -> bool:
        """Whether a rule bound to a section or to what came before may count here.

        "Created today with client (Stanley-Brown format)" creates a safety plan only under a
        SAFETY PLAN heading; "We went through it together" reviews one only when a sentence just
        before, in the same paragraph, says "it" is the safety plan."""
        rule: TargetRule = match.rule.payload
        if rule.sections and doc.sentences[match.sentence].section not in rule.sections:
            return False
        if rule.antecedent is not None:
            # one of the few sentences before ("We wrote a safety plan on Tuesday. Do you still
            # have it?" / "It's on my fridge." / "Can we go through it and update it?"), in the
            # same paragraph
            here = doc.sentences[match.sentence]
            for back in range(match.sentence - 1, max(match.sentence - ANTECEDENT_SENTENCES, 0) - 1, -1):
                before = doc.sentences[back]
                if PARAGRAPH_BREAK.search(doc.text, before.end, here.start):
                    return False
                if rule.antecedent.search(doc.text, before.start, before.end):
                    return True
            return False
        return True

    def _anchored(self, doc: Document, targets: Sequence[Target]) -> list[Target]:
        strong_turns = {doc.sentences[t.sentence].turn for t in targets if not t.rule.needs_anchor}
        out = []
        for t in targets:
            if not t.rule.needs_anchor:
                out.append(t)
                continue
            sent = doc.sentences[t.sentence]
            # a screening sequence spans a few turns ("…thoughts of ending your life?" / "No." /
            # "Do you think you'd ever act on those thoughts?")
            # a screen the therapist asks outright ("Does anything ever get physical between
            # you?") is a screen even with no other risk talk near it
            question = sent.role == "therapist" and doc.text[sent.start : sent.end].rstrip().endswith("?")
            asked = t.rule.question_anchors and question
            # a follow-up question ("Do you think you would act on it?") may come a few exchanges
            # after the ideation it follows up, once the method has been asked about in between
            back = (
                SCREEN_FOLLOW_UP_TURNS
                if question
                else STATEMENT_ANCHOR_TURNS
                if sent.role in SPOKEN_ROLES
                else 2
            )
            if (
                asked
                or sent.section == "risk"
                or any(turn in strong_turns for turn in range(sent.turn - back, sent.turn + 3))
            ):
                out.append(t)
                if question or (sent.role in SPOKEN_ROLES and t.rule.value in POSITIVE_RISK_VALUES):
                    # a screen goes on question by question (ideation, then method, then "Do you
                    # think you'd act on those thoughts?"), and a disclosure goes on from one
                    # thing to the next ("I thought about just ending it. I looked up how many
                    # it would take." / … / "A full bottle."): what belongs to the talk carries
                    # it on to the next
                    strong_turns.add(sent.turn)
        return out

    def _assess(self, doc: Document, targets: Sequence[Target]) -> list[Target]:
        by_sentence: dict[int, list[Target]] = defaultdict(list)
        for t in targets:
            by_sentence[t.sentence].append(t)
        assessed: list[Target] = []
        for idx, group in sorted(by_sentence.items()):
            spans = [TargetSpan(t.start, t.end, f"risk:{t.rule.key}") for t in group]
            results = self._nlp.assess(doc.parsed, idx, spans)
            dated = self._dated_months_ago(doc, idx)
            for t, res in zip(group, results, strict=True):
                if dated and "HISTORICAL" not in res.categories and t.rule.key not in UNDATED_KEYS:
                    res = _marked(res, "HISTORICAL", "hist.month_before")
                if (framed := self._line_frame(doc, t)) is not None and framed.category not in res.categories:
                    res = _marked(res, framed.category, framed.id)
                assessed.append(Target(t.rule, t.start, t.end, t.sentence, res))
        return self._past_story_carried(doc, assessed)

    def _recent(self, doc: Document, target: Target) -> str | None:
        """The recency cue, if any, that puts a self-harm episode inside the past month (SCHEMA:
        self-harm is current "in the past month or ongoing"). Read in the target's own words, the
        rest of its sentence and the next sentence of the same turn: on 12 November, "I haven't
        cut since the night before Halloween. So, like, two weeks." is self-harm this month."""
        sent = doc.sentences[target.sentence]
        end = sent.end
        nxt = doc.sentences[target.sentence + 1] if target.sentence + 1 < len(doc.sentences) else None
        turn_on = CLAUSE_BREAK.search(doc.text, target.end, sent.end)
        if turn_on is not None:
            end = turn_on.start()  # "…since I was sixteen, but last week I almost did": an urge, not an act
        elif nxt is not None and nxt.turn == sent.turn and nxt.end - nxt.start <= RECENT_FOLLOW_ON_CHARS:
            end = nxt.end  # "…since Halloween. So, like, two weeks."
        when = doc.session.meta.date
        for cue in self._recency:
            if not cue.pattern.search(doc.text, target.start, end):
                continue
            if cue.month is None:
                return cue.id
            if when is not None and 0 <= (when - cue.last_before(when)).days <= RECENT_DAYS:
                return cue.id
        return None

    def _line_frame(self, doc: Document, target: Target) -> LineCue | None:
        """The label that frames the target's whole line ("- Psychoeducation: intrusive harm
        thoughts are common after a birth; the difference between a thought and an intention"):
        what follows a teaching label is what was taught, across semicolons that end ConText's
        scope, unless the line goes on to report something ("…; she then disclosed …")."""
        line_start = doc.text.rfind("\n", 0, target.start) + 1
        for cue in self._line_cues:
            if target.rule.key in cue.excluded_keys:
                continue
            label = cue.pattern.match(doc.text, line_start, target.start)
            if label is not None and not cue.unless.search(doc.text, label.end(), target.start):
                return cue
        return None

    @staticmethod
    def _past_story_carried(doc: Document, targets: list[Target]) -> list[Target]:
        """ "When I was 22 I swallowed a bottle of sleeping pills. I wanted to die." — a wish told
        in the past tense straight after a dated past event belongs to that event: the history,
        not today's ideation. A sentence with words of now ("last night", "again") keeps its own."""
        historical = {
            t.sentence for t in targets if t.context is not None and "HISTORICAL" in t.context.categories
        }
        if not historical:
            return targets
        out = []
        for t in targets:
            ctx = t.context
            sent = doc.sentences[t.sentence]
            if (
                t.rule.key == "suicidal_ideation"
                and ctx is not None
                and not ctx.categories & {"HISTORICAL", "CURRENT", "NEGATED"}
                and t.sentence - 1 in historical
                and doc.sentences[t.sentence - 1].turn == sent.turn
                and PAST_WISH.match(doc.text, t.start, t.end)
                and not NOW_WORDS.search(doc.text, sent.start, sent.end)
            ):
                ctx = _marked(ctx, "HISTORICAL", "hist.past_story")
            out.append(Target(t.rule, t.start, t.end, t.sentence, ctx))
        return out

    @staticmethod
    def _about_violence_dropped(targets: list[Target], fired: set[str]) -> list[Target]:
        """A weak "plan" or "intent" whose topic is homicidal ideation is not about suicide.

        "HI: POSITIVE - thoughts of hurting ex's bf. Denies plan. Denies intent." asks about a
        plan to hurt him; the suicide plan and intent were not assessed. The topic is the risk
        named in the same sentence, or else in the last sentence before it that named one:
        homicidal ideation that is affirmed there, with no suicidal ideation, attempt or
        self-harm beside it ("Denies SI/HI, plan or intent" keeps its plan). "Duty to warn: no
        serious threat, no plan or intent" is about violence too."""
        by_sentence: dict[int, list[Target]] = defaultdict(list)
        for t in targets:
            if not t.rule.needs_anchor:
                by_sentence[t.sentence].append(t)
        strong = sorted(by_sentence)
        out = []
        for t in targets:
            if t.rule.needs_anchor and t.rule.key in ("suicide_plan", "suicide_intent"):
                # the same sentence, else the last one before it that named a risk
                at = bisect.bisect_left(strong, t.sentence)
                near = by_sentence.get(t.sentence) or (by_sentence[strong[at - 1]] if at else [])
                suicidal = any(n.rule.key in SUICIDE_TOPIC_KEYS for n in near)
                violent = any(
                    n.rule.key == "homicidal_ideation"
                    and not (n.context and n.context.categories & (DROP_CATEGORIES | {"NEGATED", "SCREEN"}))
                    for n in near
                )
                if violent and not suicidal:
                    fired.add("topic.homicidal")
                    continue
            out.append(t)
        return out

    @staticmethod
    def _dated_months_ago(doc: Document, sentence: int) -> bool:
        """Whether the sentence dates what it tells to a month or year at least two months before
        the session: on 12 May, "I scratched my arm with a paperclip in February" is self-harm in
        the past, not in the past month; "in the winter of 2019 he thought about driving off an
        overpass" is no ideation now. A sentence that also speaks of now ("again last night",
        "still") is left to its other words."""
        when = doc.session.meta.date
        if when is None:
            return False
        sent = doc.sentences[sentence]
        if NOW_WORDS.search(doc.text, sent.start, sent.end):
            return False
        dated = YEAR_MENTION.search(doc.text, sent.start, sent.end)
        if dated is not None:
            # "in the winter of 2019", "back in March 2024": at least two months back even at
            # the latest the words allow (December of that year when no month is named)
            month = MONTHS[dated.group("month")[:3].lower()] if dated.group("month") else 12
            return (when.year - int(dated.group("year"))) * 12 + when.month - month >= 2
        found = MONTH_MENTION.search(doc.text, sent.start, sent.end)
        if found is None:
            return False
        month = MONTHS[found.group("month")[:3].lower()]
        return (when.month - month) % 12 >= 2

    # ------------------------------------------------------------------ reading one statement
    def _figurative_in_turn(self, doc: Document, target: Target) -> str | None:
        """A disclaimer later in the same turn ("I could kill him. (laughs) Not really."), or at the
        start of the same speaker's answer when the clinician stops to ask about the words
        ("When you say you could kill him -" / "Oh, God, no. It's an expression.")."""
        index = doc.sentences[target.sentence].turn
        turn = doc.turns[index]
        windows = [(target.end, turn.end)]
        if index + 2 < len(doc.turns):
            asked, answer = doc.turns[index + 1], doc.turns[index + 2]
            if asked.role == "therapist" and answer.speaker == turn.speaker and answer.role == turn.role:
                windows.append(
                    (answer.content_start, min(answer.end, answer.content_start + DISCLAIMER_REACH))
                )
        for start, end in windows:
            for cue_id, rx in self._turn_cues:
                if rx.search(doc.text, start, end):
                    return str(cue_id)
        if target.rule.key == "homicidal_ideation":
            # "I'm gonna kill him" / (MOM: "Eli!") / "do you ever think about actually hurting
            # him?" / "No!" — the clinician's next turn checks the words, the speaker denies
            check = next(
                (
                    i
                    for i in range(index + 1, min(index + 3, len(doc.turns)))
                    if doc.turns[i].role == "therapist"
                ),
                None,
            )
            reply = doc.answer_turn(check) if check is not None else None
            if check is not None and reply is not None and doc.turns[reply].speaker == turn.speaker:
                question = doc.text[doc.turns[check].content_start : doc.turns[check].end]
                answer = doc.turns[reply]
                reach = (answer.content_start, min(answer.end, answer.content_start + DISCLAIMER_REACH))
                # the clinician's question names the words ("actually hurting him?"), or the
                # speaker's own "No. Never. It's an expression." does
                disclaimed = any(rx.search(doc.text, *reach) for _, rx in self._turn_cues)
                if (
                    "?" in question
                    and (self._clarified.search(question) or disclaimed)
                    and "negative" in self._classify_answer(doc, reply)[0]
                ):
                    return "answer.figure_clarified"
        return None

    def _statement_value(self, doc: Document, target: Target, fired: set[str]) -> str | None:
        ctx = target.context or ContextResult(frozenset(), frozenset())
        role = doc.sentences[target.sentence].role
        cats = set(ctx.categories)
        if role not in SPOKEN_ROLES:
            cats.discard("THIRD_PERSON")
        if target.rule.key != "safety_plan":
            cats.discard("FUTURE")
        fired.update(ctx.rule_ids)
        fired.update(ctx.present)
        dropped = cats & (DROP_CATEGORIES | {"THIRD_PERSON"})
        if dropped - {"HYPOTHETICAL"}:
            return None
        if target.rule.key in ("homicidal_ideation", "suicidal_ideation"):
            # "If he loads it like that again I'll kill him." — even said as an "if", angry words
            # the clinician checks and the speaker flatly denies ("No. Never. It's an expression.")
            # were asked about: denied, not unasked
            cue = self._figurative_in_turn(doc, target)
            if cue:
                fired.add(cue)
                return target.rule.negated_value if cue == "answer.figure_clarified" else None
        if dropped:
            return None
        if "SCREEN" in cats and "NEGATED" not in cats:
            return None  # the question was asked; :meth:`_screen_answers` reads what was found
        if target.rule.undone_by_accident and self._accidental.search(doc.text):
            # "Overdose was accidental" / "I wasn't trying to die": the overdose is no attempt
            fired.add("answer.accidental_overdose")
            return target.rule.negated_value or "denied"
        if "NEGATED" in cats:
            if "neg.none_since" in ctx.rule_ids and target.rule.historical_value:
                # "past self-harm: cut her arms at 16, none since", "SH: hx only, none since" —
                # "none since" says there was some, then; none now
                return target.rule.historical_value
            return target.rule.negated_value
        if self.is_historical(ctx):
            return target.rule.historical_value
        return target.rule.value

    @staticmethod
    def is_historical(ctx: ContextResult | None) -> bool:
        return ctx is not None and "HISTORICAL" in ctx.categories and "CURRENT" not in ctx.categories

    # ------------------------------------------------------------------ questions and answers
    def _classify_answer(
        self, doc: Document, turn: int, after_ack: bool = False
    ) -> tuple[set[str], set[str], int, int]:
        """What a client turn answers: negative, affirmative and/or past (see ``risk_answers``).

        ``after_ack``: the turn follows a re-asked question ("Did you catch the question?"), so an
        opening "Yeah." says the question was heard and the answer proper comes next."""
        start = doc.answer_start(turn)
        t = doc.turns[turn]
        kinds: set[str] = set()
        fired: set[str] = set()
        sentences = doc.turn_sentences[turn]
        if after_ack and len(sentences) > 1:
            first_end = doc.sentences[sentences[0]].end
            if any(
                kind == "affirmative" and rx.match(doc.text[start:first_end])
                for _, kind, _, rx in self._answers
            ):
                start = doc.sentences[sentences[1]].start
        pre = self._preamble.match(doc.text, start, t.end)
        if pre and pre.end() < t.end:
            start = pre.end()  # "Heavens, no." answers like "No."
            fired.add("answer.preamble")
        head = doc.text[start : t.end]
        opening = [i for i in sentences if doc.sentences[i].end > start]
        for rule_id, kind, search, rx in self._answers:
            if search:
                # looked for in the turn's first ``search`` sentences ("No. I used to, in college.")
                tail_end = doc.sentences[opening[:search][-1]].end if opening else t.end
                if rx.search(doc.text, start, tail_end):
                    kinds.add(kind)
                    fired.add(rule_id)
            elif rx.match(head):
                kinds.add(kind)
                fired.add(rule_id)
        first_end = doc.sentences[opening[0]].end if opening else t.end
        return kinds, fired, start, max(first_end, start + 1)

    def _reasked(self, doc: Document, aside: int) -> tuple[int, str] | None:
        """The client's answer after an aside and a re-asked question, and how it was re-asked.

        "answer.reask": "Sorry, hold on, my roommate just came in." / "Did you catch the
        question?" / "Yeah. God, no." — the clinician only checked the question was heard, so an
        opening "Yeah" acknowledges it and the answer proper comes next.
        "answer.clarify": "I don't think so. Not tonight." / "Does that mean maybe another
        night?" / "No. That came out wrong." — the clinician checked an answer that left the
        question open, and the reply to the check is the answer."""
        check = aside + 1
        if check >= len(doc.turns) or doc.turns[check].role != "therapist":
            return None
        turn = doc.turns[check]
        if self._reask.search(doc.text, turn.content_start, turn.end):
            how = "answer.reask"
        elif self._clarify.search(doc.text, turn.content_start, turn.end):
            how = "answer.clarify"
        else:
            return None
        answer = doc.answer_turn(check)
        return (answer, how) if answer == check + 1 else None

    def _client_asked_about(self, doc: Document) -> re.Pattern[str] | None:
        """The client named in the third person in a question ("Has Owen ever said…"), as one
        pattern over the client's names; ``None`` when the client has no name here."""
        names = {t.speaker.lower() for t in doc.turns if t.role == "client" and t.speaker}
        names |= {n.lower() for n in doc.session.client_names}
        names -= self._role_labels
        if not names:
            return None
        alternatives = "|".join(re.escape(n) for n in sorted(names))
        return re.compile(
            rf"\b(?:{alternatives})(?:'s)?\s+(?:ever\s+)?(?:said|says|talked|talk|mentioned|been|had|has|seemed)\b",
            re.IGNORECASE,
        )

    @staticmethod
    def _collateral_answer(doc: Document, question: int, asked_about: re.Pattern[str] | None) -> int | None:
        """A parent's answer for a child the clinician asks about by name ("Has Owen ever said
        anything about wanting to hurt himself?" / "MOM: No. Never."): the next turn, when it
        is another participant's and the question names the client in the third person."""
        if asked_about is None or question + 1 >= len(doc.turns) or doc.turns[question + 1].role != "other":
            return None
        turn = doc.turns[question]
        return question + 1 if asked_about.search(doc.text, turn.content_start, turn.end) else None

    def _question_answers(
        self, doc: Document, targets: Sequence[Target], fired: set[str]
    ) -> list[RiskStatement]:
        by_turn: dict[int, list[Target]] = defaultdict(list)
        for t in targets:
            by_turn[doc.sentences[t.sentence].turn].append(t)
        answered_keys: dict[int, set[str]] = defaultdict(set)
        for t in targets:
            if doc.sentences[t.sentence].role == "client":
                answered_keys[doc.sentences[t.sentence].turn].add(t.rule.key)
        out: list[RiskStatement] = []
        asked_about = self._client_asked_about(doc)
        for turn_idx, group in sorted(by_turn.items()):
            turn = doc.turns[turn_idx]
            if turn.role != "therapist" or "?" not in doc.text[turn.content_start : turn.end]:
                continue
            answer = doc.answer_turn(turn_idx)
            collateral = self._collateral_answer(doc, turn_idx, asked_about)
            if collateral is not None:
                answer = collateral
            if answer is None:
                continue
            after_ack = False
            reasked_how: str | None = None
            if not self._classify_answer(doc, answer)[0]:
                # "Can I... okay." / "No. Not this week.": a hesitation first, the answer in the
                # client's next turn before the clinician speaks again
                nxt = doc.answer_turn(answer)
                if nxt is not None and nxt == answer + 1 and self._classify_answer(doc, nxt)[0]:
                    answer = nxt
                elif (reasked := self._reasked(doc, answer)) is not None:
                    answer, reasked_how = reasked
                    after_ack = reasked_how == "answer.reask"
            asked = [
                t
                for t in group
                if doc.text.find("?", doc.sentences[t.sentence].start, doc.sentences[t.sentence].end + 1)
                != -1
            ]
            topic = [t for t in (asked or group) if not t.rule.presupposed]
            kinds, answer_fired, a_start, a_end = self._classify_answer(doc, answer, after_ack)
            if reasked_how is not None:
                answer_fired = answer_fired | {reasked_how}
            if not kinds and not any(t.rule.key == "suicide_plan" for t in topic):
                continue
            answer_text = doc.text[a_start : doc.turns[answer].end]
            names_method = [mid for mid, rx in self._methods if rx.search(answer_text)]
            for target in topic:
                ctx = target.context or ContextResult(frozenset(), frozenset())
                fired.update(ctx.rule_ids | ctx.present)
                cats = set(ctx.categories) - {"THIRD_PERSON", "FUTURE"}
                if not asked:
                    # the topic came from a statement before the question ("…thoughts of suicide
                    # creep in. Anything like that for you?"): its framing does not carry over
                    cats -= {"HYPOTHETICAL", "HISTORICAL"}
                if cats & {"OTHER_PERSON", "FIGURATIVE"}:
                    continue
                if "NEGATED" in cats:
                    # "Never tried to hurt yourself, never cut?" / "No, never.": a question put in
                    # the negative is confirmed by a no; a yes to it is ambiguous and read no further
                    if "negative" in kinds and "affirmative" not in kinds and target.rule.negated_value:
                        out.append(
                            self._qa(target.rule, target.rule.negated_value, target, a_start, a_end, False)
                        )
                        fired.update(answer_fired)
                        fired.add(target.rule.id)
                    continue
                if ITEM_NINE_SELF_HARM in ctx.rule_ids and "negative" not in kinds:
                    # "…better off dead or of hurting yourself?" / "Sometimes I think everybody
                    # would be fine if I wasn't around.": the yes is to the wish to be dead
                    continue
                rule = target.rule
                historical_q = "HISTORICAL" in cats and "CURRENT" not in cats
                value: str | None = None
                if "negative" in kinds:
                    value = rule.negated_value if rule.value != "denied" else None
                    if "past" in kinds:
                        past_value = rule.historical_value
                        if past_value is not None:
                            out.append(self._qa(rule, past_value, target, a_start, a_end, True))
                elif "affirmative" in kinds or "past" in kinds:
                    if rule.key in answered_keys.get(answer, set()):
                        continue  # the answer's own words say what it is
                    value = rule.historical_value if (historical_q or "past" in kinds) else rule.value
                elif rule.key == "suicide_plan" and names_method:
                    value = "present"
                    answer_fired = answer_fired | set(names_method)
                if value is None:
                    continue
                if "HYPOTHETICAL" in cats and value not in ("denied",):
                    continue
                out.append(self._qa(rule, value, target, a_start, a_end, historical_q or "past" in kinds))
                fired.update(answer_fired)
                fired.add(rule.id)
        return out

    def _screen_answers(
        self, doc: Document, targets: Sequence[Target], fired: set[str]
    ) -> list[RiskStatement]:
        """A narrative screening question and its reported answer.

        "I asked her about thoughts of suicide. She said no." → denied. The answer is read in the
        rest of the sentence and the next one, unless a risk statement of the same key is there
        (then that statement speaks for itself: "She denies current suicidal thoughts").
        """
        out: list[RiskStatement] = []
        for t in targets:
            ctx = t.context
            if ctx is None or "SCREEN" not in ctx.categories or "NEGATED" in ctx.categories:
                continue
            if set(ctx.categories) & DROP_CATEGORIES or t.rule.value is None:
                continue
            sent = doc.sentences[t.sentence]
            if sent.role not in t.rule.roles:
                continue
            end = sent.end
            nxt = t.sentence + 1
            if nxt < len(doc.sentences) and doc.sentences[nxt].turn == sent.turn:
                end = doc.sentences[nxt].end
            if any(o is not t and o.rule.key == t.rule.key and t.end <= o.start < end for o in targets):
                continue
            for rule_id, kind, rx in self._reported:
                m = rx.search(doc.text, t.end, end)
                if m is None:
                    continue
                value = t.rule.negated_value if kind == "negative" else t.rule.value
                if value is None:
                    break
                fired.update({rule_id, t.rule.id})
                fired.update(ctx.rule_ids)
                span = merge_spans([Evidence(t.start, t.end), Evidence(m.start(), m.end())])
                out.append(RiskStatement(t.rule.key, value, span, "text", t.rule.id, self.is_historical(ctx)))
                break
        return out

    @staticmethod
    def _qa(
        rule: TargetRule, value: str, target: Target, a_start: int, a_end: int, historical: bool
    ) -> RiskStatement:
        return RiskStatement(
            key=rule.key,
            value=value,
            evidence=merge_spans([Evidence(target.start, target.end), Evidence(a_start, a_end)]),
            source="text",
            rule=rule.id,
            historical=historical,
        )

    # ------------------------------------------------------------------ other sources
    @staticmethod
    def _checklist(risk: MappingProxyType[str, str]) -> list[RiskStatement]:
        return [RiskStatement(k, v, (), "checklist", "checklist") for k, v in risk.items()]

    @staticmethod
    def _measures(
        measures: Sequence[MeasureInput], instruments: dict[str, dict[str, Any]]
    ) -> list[RiskStatement]:
        """Risk answers on entered forms: PHQ-9 item 9 above 0 is passive ideation (never
        "denied"); the C-SSRS screener's items map to ideation, intent, plan and behaviour."""
        out = []
        for m in measures:
            spec = instruments.get(m.instrument)
            if not spec or m.items is None:
                continue
            for rule in spec.get("risk_items", []):
                answer = m.items[rule["number"] - 1]
                value = rule["when_yes"] if answer > rule.get("above", 0) else rule.get("when_no")
                if value is not None:
                    out.append(
                        RiskStatement(rule["key"], value, (), "measure", f"{spec['id']}:item{rule['number']}")
                    )
        return out

    # ------------------------------------------------------------------ public
    def _said_by_someone_else(self, doc: Document, target: Target, named: Sequence[tuple[int, int]]) -> bool:
        """A named person other than the client is the one telling it: "Priya told her that she has
        been thinking about killing herself". ``named`` holds the names' spans, sorted by start."""
        sent = doc.sentences[target.sentence]
        # only names between the sentence's start and the target can be its teller: a bisect to
        # them, not a scan of every name in a long transcript for every risk word
        first = bisect.bisect_left(named, (sent.start, -1))
        for start, end in named[first:]:
            if start >= target.start:
                break
            if end <= target.start and self._reporting.match(doc.text, end, target.start):
                return True
            if (
                start == sent.start
                and target.rule.key in OWN_ACT_KEYS
                and NAMED_ACTOR_GAP.fullmatch(doc.text, end, target.start)
            ):
                # "Lena took a bunch of her pills in April": the named person opening the
                # sentence did it, a few words before the act ("Tyler has a handgun" is still a
                # gun in the client's home, and "Tom hit me" is still abuse of the client)
                return True
        return False

    def statements(
        self, doc: Document, fired: set[str], others: Sequence[PersonMention] = ()
    ) -> list[RiskStatement]:
        """Risk statements read from the text alone (also used on prior notes)."""
        targets = self._anchored(doc, field_labels_dropped(doc, self._find_targets(doc)))
        targets = self._about_violence_dropped(self._assess(doc, targets), fired)
        if others:
            named = sorted((p.evidence[0].start, p.evidence[0].end) for p in others if p.is_name)
            kept = []
            for t in targets:
                if self._said_by_someone_else(doc, t, named):
                    fired.add("other.named_subject")
                else:
                    kept.append(t)
            targets = kept
        form, asked_on_form = self._form_answers(doc, targets, fired)
        out: list[RiskStatement] = list(form)
        for t in targets:
            role = doc.sentences[t.sentence].role
            if t.sentence in asked_on_form:
                continue  # the form's question asserts nothing; its YES or NO is the statement
            if role in t.rule.roles:
                fired.add(t.rule.id)
                value = self._statement_value(doc, t, fired)
                if (
                    value is not None
                    and value != "denied"
                    and t.rule.recent_value is not None
                    and (recent := self._recent(doc, t)) is not None
                ):
                    fired.add(recent)
                    value = t.rule.recent_value
                if value is not None:
                    span = (Evidence(t.start, t.end),)
                    historical = self.is_historical(t.context)
                    out.append(RiskStatement(t.rule.key, value, span, "text", t.rule.id, historical))
        out.extend(self._question_answers(doc, targets, fired))
        out.extend(self._screen_answers(doc, targets, fired))
        out.extend(self._bare_denials(doc, targets, fired))
        return self._secured_in_place(doc, self._weak_overruled(out), fired)

    def _form_answers(
        self, doc: Document, targets: Sequence[Target], fired: set[str]
    ) -> tuple[list[RiskStatement], set[int]]:
        """A screener pasted as text: "2. Have you had any actual thoughts of killing yourself?
        NO". The YES or NO after a question, on the question's own line, answers it. Also
        returns the question sentences so answered."""
        text = doc.text
        by_sentence: dict[int, list[Target]] = defaultdict(list)
        for t in targets:
            by_sentence[t.sentence].append(t)
        out: list[RiskStatement] = []
        answered: set[int] = set()
        if "?" not in text:
            return out, answered
        for idx, group in sorted(by_sentence.items()):
            if idx + 1 >= len(doc.sentences):
                continue
            question, answer = doc.sentences[idx], doc.sentences[idx + 1]
            if (
                text[question.start : question.end].rstrip()[-1:] != "?"
                or "\n" in text[question.end : answer.end]
            ):
                continue
            hit = self._form_answer.fullmatch(text, answer.start, answer.end)
            if hit is None:
                continue
            fired.add("answer.form_line")
            answered.add(idx)
            span = (Evidence(question.start, answer.end),)
            for t in group:
                ctx = t.context or ContextResult(frozenset(), frozenset())
                if ctx.categories & (DROP_CATEGORIES | {"NEGATED"}):
                    continue
                value = t.rule.negated_value if hit.group("no") else t.rule.value
                if value is not None:
                    fired.add(t.rule.id)
                    out.append(RiskStatement(t.rule.key, value, span, "text", "answer.form_line"))
        return out, answered

    def _bare_denials(self, doc: Document, targets: Sequence[Target], fired: set[str]) -> list[RiskStatement]:
        """A sentence that is only a denial ("Currently denies.") denies, now, what the sentence
        before it spoke of: "Last SI was 3 years ago. Currently denies." is ideation denied today,
        beside the history. Only keys that describe a current state are read this way."""
        text = doc.text
        if "enie" not in text:
            return []
        by_sentence: dict[int, list[Target]] = defaultdict(list)
        for t in targets:
            if t.rule.key in CURRENT_STATE_KEYS:
                by_sentence[t.sentence].append(t)
        out: list[RiskStatement] = []
        for idx in sorted(by_sentence):
            nxt = idx + 1
            if nxt >= len(doc.sentences):
                continue
            sent, prev = doc.sentences[nxt], doc.sentences[idx]
            if sent.turn != prev.turn or sent.role not in ("narrative", "client") or nxt in by_sentence:
                continue
            if sent.end - sent.start > BARE_DENIAL_CHARS or not self._bare_denial.fullmatch(
                text, sent.start, sent.end
            ):
                continue
            fired.add("answer.bare_denial")
            for key in dict.fromkeys(t.rule.key for t in by_sentence[idx]):
                out.append(
                    RiskStatement(
                        key, "denied", (Evidence(sent.start, sent.end),), "text", "answer.bare_denial"
                    )
                )
        return out

    def _secured_in_place(
        self, doc: Document, statements: list[RiskStatement], fired: set[str]
    ) -> list[RiskStatement]:
        """Drop a bare mention of a weapon or pills that the same sentence says is secured.

        "Husband's handgun is in the home, stored in a locked gun safe; client does not know the
        combination": the handgun is named, and in the same breath put out of her reach. Access
        named in another sentence still stands ("No guns." … "Actually my dad's rifle is in the
        closet.")."""
        secured = {
            doc.index.sentence_at(st.evidence[0].start)
            for st in statements
            if st.key == "means_access" and st.rule in self._securing_rules and st.evidence
        }
        if not secured:
            return statements
        kept = []
        for st in statements:
            if (
                st.key == "means_access"
                and st.value == "present"
                and st.rule not in self._securing_rules
                and st.evidence
                and doc.index.sentence_at(st.evidence[0].start) in secured
            ):
                fired.add("means.secured_in_place")
                continue
            kept.append(st)
        return kept

    def _weak_overruled(self, statements: list[RiskStatement]) -> list[RiskStatement]:
        """Drop weak evidence that an explicit denial of the same key outweighs: thoughts of a
        method are no plan when the note says "no to a worked-out plan"."""
        weak = self._weak_rules
        denied = {s.key for s in statements if s.value == "denied" and s.rule not in weak}
        return [s for s in statements if not (s.rule in weak and s.key in denied)]

    def extract(
        self,
        doc: Document,
        instruments: dict[str, dict[str, Any]],
        fired: set[str],
        others: Sequence[PersonMention] = (),
    ) -> MappingProxyType[str, RiskFinding]:
        statements = self.statements(doc, fired, others)
        statements += self._checklist(doc.session.checklist.risk)
        statements += self._measures(doc.session.measures, instruments)
        return resolve(statements)


def _marked(ctx: ContextResult, category: str, rule_id: str) -> ContextResult:
    """The same ConText result with one more category, found by a rule outside ConText."""
    return ContextResult(ctx.categories | {category}, ctx.rule_ids | {rule_id}, ctx.present, ctx.distance)


def _swallows(outer: Match, inner: Match) -> bool:
    """Whether a longer target hides one inside it. A weak target that needs an anchor ("keeps a
    handgun in the house", which counts only near other risk talk) never hides a strong one
    ("handgun"): if the weak one finds no anchor, the strong one must still be read. A rule that
    ``coexists`` reads a second key in the same words and hides nothing of another key's."""
    a: TargetRule = outer.rule.payload
    b: TargetRule = inner.rule.payload
    if (a.coexists or b.coexists) and a.key != b.key:
        return False  # "thoughts of overdosing on lithium" is ideation and, as well, a method in mind
    return not (a.needs_anchor and not b.needs_anchor)


def field_labels_dropped(doc: Document, targets: Sequence[Target]) -> list[Target]:
    """Targets without the field labels whose own field answers for them.

    In "Trauma/abuse: denies hx of physical or sexual abuse or neglect." the label's "abuse"
    says only what the field is about; the field's own "abuse", after the denial, is the
    statement. The same holds for a field that answers yes and then says what: in "NSSI: Yes -
    cutting ages 14-16, none since." the cutting, dated to adolescence, is the finding, not a
    bare current "NSSI". A label is the short run before the sentence's first colon. It is
    dropped only when its field opens with a denial or a yes and a target of the same risk key
    follows the colon, so "SI: none" and "SI: no plan" (the label carries the finding),
    "Suicidal thoughts: [ ] Yes [x] No" and "C-SSRS positive: ideation w/ plan" still count.
    """
    text = doc.text
    out: list[Target] = []
    for t in targets:
        sent = doc.sentences[t.sentence]
        colon = text.find(":", t.end, sent.end)
        is_label = (
            colon != -1
            and ":" not in text[sent.start : t.start]
            and len(text[sent.start : colon].split()) <= FIELD_LABEL_WORDS
            and (FIELD_ANSWER.match(text, colon + 1) is not None or t.rule.key in FIELD_DEFERS_KEYS)
        )
        if is_label and any(
            o.rule.key == t.rule.key and o.sentence == t.sentence and o.start > colon for o in targets
        ):
            continue
        blank_row = colon != -1 and UNTICKED_FIELD.fullmatch(text, colon + 1, sent.end) is not None
        if blank_row and ":" not in text[sent.start : t.start]:
            continue  # "Suicidal ideation:  ☐ Denied  ☐ Passive  ☐ Active" — a blank form row
        out.append(t)
    return out


CURRENT_STATE_KEYS = frozenset(
    {"suicidal_ideation", "suicide_plan", "suicide_intent", "homicidal_ideation", "self_harm"}
)
"""Keys a bare "Currently denies." can deny: they describe the client's state now."""
BARE_DENIAL_CHARS = 60
"""A bare denial is short ("Pt currently denies."); a longer sentence says what it denies."""
MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
MONTH_NAME = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
"""A month's name, written out or cut short, as the group ``month``."""
MONTH_MENTION = re.compile(r"\b(?i:in|back\s+in|last|during|around|early|late|mid-?)\s+" + MONTH_NAME + r"\b")
"""A past month named as when something happened ("in February", "back in March")."""
SUICIDE_TOPIC_KEYS = frozenset({"suicidal_ideation", "suicide_attempt_history", "self_harm", "means_access"})
"""Risks a nearby "plan" or "intent" is about, unless affirmed homicidal ideation is the topic."""
PAST_WISH = re.compile(
    r"(?:wanted|wished|was\s+(?:thinking|hoping)|didn't\s+want|did\s+not\s+want)\b", re.IGNORECASE
)
"""A wish told in the past tense ("I wanted to die", "I didn't want to be alive")."""
UNDATED_KEYS = frozenset({"means_access", "safety_plan"})
"""Keys a month does not date: "shotguns moved to son's farm in Dec" dates the move, and the
guns are away now."""
YEAR_MENTION = re.compile(
    r"\b(?i:in|back\s+in|during|around|of|from)\s+(?i:the\s+)?"
    r"(?:(?i:early|late|mid-?|winter|spring|summer|fall|autumn)\s+(?i:of\s+)?)?"
    r"(?:" + MONTH_NAME + r"\.?\s+)?"
    r"(?P<year>(?:19|20)\d\d)\b"
)
"""A past year named as when something happened ("in the winter of 2019", "back in March 2024")."""
NOW_WORDS = re.compile(
    r"\b(?:today|tonight|yesterday|last\s+(?:night|week)|this\s+(?:week|month|morning)|now|currently|again|still|since)\b",
    re.IGNORECASE,
)
ITEM_NINE_SELF_HARM = "screen.item_nine_wording"
"""The self-harm half of PHQ-9 item 9's wording, told or asked: only a "no" answers it."""
STATEMENT_ANCHOR_TURNS = 4
"""How many turns back the risk talk a weak word in a client's words belongs to may lie ("Are you
having thoughts of suicide?" / "Not right now." / "What about earlier this week?" / "Wednesday
night I thought about just ending it.")."""
SCREEN_FOLLOW_UP_TURNS = 4
"""How many turns back a clinician's follow-up question still belongs to a risk screen."""
CLAUSE_BREAK = re.compile(r";|\b(?:but|though|although|yet)\b", re.IGNORECASE)
"""Where a sentence turns to something else."""
RECENT_FOLLOW_ON_CHARS = 60
"""A short next sentence in the same turn ("So, like, two weeks.") still dates the episode."""
OWN_ACT_KEYS = CURRENT_STATE_KEYS | {"suicide_attempt_history"}
"""Keys about what the person themselves thinks or does."""
NAMED_ACTOR_GAP = re.compile(
    r"\s+(?:(?:also|then|once|just|had|has|have|already|actually|finally|apparently|reportedly|allegedly)\s+){0,2}",
    re.IGNORECASE,
)
"""Between a named person opening a sentence and the act they did: nothing but an adverb or an
auxiliary ("Lena took…", "Lena had once taken…"); "Marisol denied SI" reports, it does not act."""
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
"""A blank line: "it" does not reach back across one."""
ANTECEDENT_SENTENCES = 3
"""How many sentences back "it" may still name the safety plan."""
RECENT_DAYS = 31
"""A named day this many days or fewer before the session is inside "the past month"."""
DISCLAIMER_REACH = 120
"""How far into the speaker's answer a disclaimer still takes back the words asked about."""
UNTICKED_FIELD = re.compile(r"(?:\s*(?:\[\s*\]|[☐□])[ \t]*[^\[☐□☑☒✓✔■\n]{0,25}?)+\s*")
"""A form row whose every box is empty: the question was printed, not answered."""
FIELD_DEFERS_KEYS = frozenset({"means_access"})
"""Keys whose field label always defers to what the field says of it: "Firearms: 2 shotguns moved
to son's farm in Dec" is about where the guns are now, which the label alone does not say."""
FIELD_LABEL_WORDS = 4
"""The most words a field label runs to ("Trauma/abuse:", "Hx of self-harm:")."""
FIELD_ANSWER = re.compile(
    r"\s*(?:(?:pt|client|cl|he|she|they)\s+)?(?:denie[sd]|deny|no|none|negative|neg|yes|endorse[sd]?)\b",
    re.IGNORECASE,
)
"""A field whose content opens with an answer ("…: denies hx of abuse or neglect", "…: Yes -
cutting at 15"): a field that opens with the finding itself ("SH act Fri: 3 superficial cuts")
keeps its label as evidence."""


def resolve(statements: Sequence[RiskStatement]) -> MappingProxyType[str, RiskFinding]:
    """The value of each key is the most severe value any statement gave."""
    by_key: dict[str, list[RiskStatement]] = defaultdict(list)
    for s in statements:
        by_key[s.key].append(s)
    findings: dict[str, RiskFinding] = {}
    for key in RISK_KEYS:
        group = by_key.get(key, [])
        if not group:
            findings[key] = RiskFinding(key, UNKNOWN_RISK_VALUE[key])
            continue
        value = min((s.value for s in group), key=lambda v: risk_precedence(key, v))
        support = [s for s in group if s.value == value]
        evidence = merge_spans(e for s in support for e in s.evidence)
        sources: list[Source] = []
        for s in support:
            if s.source not in sources:
                sources.append(s.source)
        findings[key] = RiskFinding(key, value, evidence, tuple(sources), tuple(group))
    return MappingProxyType(findings)
