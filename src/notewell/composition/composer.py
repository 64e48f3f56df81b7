"""Composition: facts + session → a note in a format, every sentence with its evidence.

Each format section lists *blocks* (``symptoms``, ``interventions``, ``risk`` …). A block turns
facts into sentences; it never runs NLP and never invents: numbers come from the input, other
people are named by relation, small talk is left out, and what was not assessed is written as
not assessed. A source sentence used by one block is not repeated by another.

Example (SOAP, Plan): the homework fact ``Thought record 3x before next session`` becomes
``Homework: thought record 3x before next session.`` with evidence on those words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from notewell.composition.formats import FormatRegistry, FormatSpec
from notewell.composition.voice import Voice, addressed_to_client, closed_quote, count_words, join_words
from notewell.domain.billing import suggest_cpt
from notewell.domain.evidence import Evidence
from notewell.domain.facts import Facts, RiskFinding
from notewell.domain.measures import band, change, score_items
from notewell.domain.notes import Note, NoteSection, NoteSentence
from notewell.domain.session import POSITIVE_RISK_VALUES, Session

REPORT_SECTIONS = {"subjective", "data", "behavior", "problem"}
OBJECTIVE_SECTIONS = {"objective"}
ASSESSMENT_SECTIONS = {"assessment"}
RESPONSE_SECTIONS = {"response"}
MAX_REPORT = 6
MAX_SYMPTOMS = 5
RELATION_LABELS = {
    "mom",
    "dad",
    "mother",
    "father",
    "parent",
    "partner",
    "husband",
    "wife",
    "sister",
    "brother",
}


class Composer:
    """Builds notes. Holds the phrasing, CPT rules and instrument definitions (data)."""

    BLOCKS: tuple[str, ...] = (
        "service",
        "identification",
        "diagnoses",
        "goals_listed",
        "goals_addressed",
        "goals_progress",
        "client_report",
        "symptoms",
        "functional_impact",
        "homework_report",
        "client_quote",
        "mental_status",
        "observations",
        "measures",
        "measure_change",
        "interventions",
        "responses",
        "clinician_assessment",
        "distortions",
        "change_talk",
        "risk",
        "homework",
        "plan_steps",
        "safety_plan",
        "coordination",
        "cpt",
        "history",
        "medications",
        "course",
    )

    def __init__(
        self,
        phrasing: dict[str, Any],
        cpt: dict[str, Any],
        instruments: Mapping[str, Mapping[str, Any]],
        formats: FormatRegistry,
    ) -> None:
        self.phrasing = phrasing
        self.cpt = cpt
        self.instruments = instruments
        self.formats = formats

    def compose_named(self, session: Session, facts: Facts, fmt: str) -> Note:
        """Compose in the named format; ``auto`` picks one from the session (see ``choose``)."""
        name = self.formats.choose(session) if fmt == "auto" else fmt
        return self.compose(session, facts, self.formats.get(name))

    def compose(self, session: Session, facts: Facts, spec: FormatSpec) -> Note:
        draft = _Draft(self, session, facts)
        sections = []
        for section in spec.sections:
            sentences: list[NoteSentence] = []
            for block in section.blocks:
                sentences.extend(draft.run(block))
            if not sentences and section.empty:
                sentences.append(draft.voice.metadata(section.empty))
            if sentences:
                sections.append(NoteSection(section.title, tuple(sentences)))
        return Note(format=spec.id, title=spec.name, sections=tuple(sections))


class _Draft:
    """One note being written: the facts, the voice, and which source sentences are used."""

    def __init__(self, composer: Composer, session: Session, facts: Facts) -> None:
        self.c = composer
        self.session = session
        self.facts = facts
        self.voice = Voice(composer.phrasing, session, facts)
        self.text = session.text
        self.used: set[tuple[int, int]] = set()
        self.blocks: dict[str, Callable[[], list[NoteSentence]]] = {
            name: getattr(self, f"block_{name}") for name in composer.BLOCKS
        }

    def run(self, block: str) -> list[NoteSentence]:
        return self.blocks[block]()

    # ------------------------------------------------------------------ helpers
    def _sentence_of(self, ev: Evidence) -> tuple[int, int]:
        for s in self.facts.sentences:
            if s.start <= ev.start < s.end:
                return s.start, s.end
        return ev.start, ev.end

    def _role_at(self, pos: int) -> str:
        for s in self.facts.sentences:
            if s.start <= pos < s.end:
                return s.role
        return "narrative"

    def _free(self, span: tuple[int, int]) -> bool:
        return not any(a < span[1] and span[0] < b for a, b in self.used)

    def _take(self, span: tuple[int, int]) -> None:
        self.used.add(span)

    def _carry(
        self, span: tuple[int, int], subject: str | None = None, prefix: str = ""
    ) -> NoteSentence | None:
        """The clinician's own sentence, cleaned, as a note sentence (once per note)."""
        if not self._free(span):
            return None
        words = self.voice.clause(span[0], span[1], subject=subject)
        if not words:
            return None
        self._take(span)
        if prefix:
            words = prefix + words[0].lower() + words[1:] if not words[:2].isupper() else prefix + words
        return self.voice.sentence(words, [Evidence(*span)])

    def _narrative_in(self, sections: set[str]) -> list[tuple[int, int]]:
        return [
            (s.start, s.end) for s in self.facts.sentences if s.role == "narrative" and s.section in sections
        ]

    def _label(self, technique: str) -> str:
        return str(self.c.phrasing["techniques"].get(technique, technique.replace("_", " ")))

    # ------------------------------------------------------------------ metadata blocks
    def block_service(self) -> list[NoteSentence]:
        meta = self.session.meta
        v = self.voice
        kind = self.c.phrasing["session_types"].get(meta.type or "individual", "Psychotherapy")
        where = {
            "telehealth": " via telehealth",
            "inpatient": " (inpatient)",
            "community": " (community setting)",
            "school": " (school setting)",
            "outpatient": " (outpatient)",
        }.get(meta.setting or "", "")
        when = f" on {meta.date.isoformat()}" if meta.date else " (date of service not recorded)"
        out = [v.metadata(f"{kind}{where}{when}.")]
        if meta.start and meta.end:
            out.append(
                v.metadata(
                    f"Session time {meta.start:%H:%M}–{meta.end:%H:%M} ({meta.duration_minutes} minutes)."
                )
            )
        elif meta.start:
            out.append(v.metadata(f"Session started at {meta.start:%H:%M}; the end time was not recorded."))
        elif self.facts.session_times:
            ev = self.facts.session_times[0]
            out.append(
                v.sentence(f"Session time as written in the note: {self.text[ev.start : ev.end]}.", [ev])
            )
        else:
            out.append(v.metadata("Session start and end times were not recorded."))
        participants = self._participants()
        if participants:
            out.append(v.metadata(participants))
        if meta.modality:
            out.append(v.metadata(f"Primary approach: {meta.modality}."))
        return out

    def _participants(self) -> str | None:
        meta = self.session.meta
        names = {n.lower() for n in self.session.client_names}
        others = [
            p
            for p in meta.participants
            if p.lower() not in names and p.lower() not in ("leader", "therapist")
        ]
        if not others and meta.type not in ("couples", "family", "group"):
            return None
        if meta.type == "group":
            return f"Participants: the client and {count_words(len(others))} other group members."
        if meta.type == "couples":
            return "Participants: both partners."
        described = [p.lower() if p.lower() in RELATION_LABELS else "another family member" for p in others]
        return f"Participants: the client and {join_words(described)}." if described else None

    def block_identification(self) -> list[NoteSentence]:
        c = self.session.client
        bits = []
        if c.id:
            bits.append(f"client ID {c.id}")
        if c.age is not None:
            bits.append(f"{c.age} years old")
        if c.pronouns:
            bits.append(f"pronouns {c.pronouns}")
        return [self.voice.metadata(f"Identifying information: {', '.join(bits)}.")] if bits else []

    def block_diagnoses(self) -> list[NoteSentence]:
        return [
            self.voice.metadata(f"Diagnosis: {d.code}{' ' + d.description if d.description else ''}.")
            for d in self.session.diagnoses
        ]

    def block_goals_listed(self) -> list[NoteSentence]:
        goals = self.session.goals
        if not goals:
            return []
        return [
            self.voice.metadata(
                "Treatment-plan goals: " + "; ".join(f"{g.id} — {g.text}" for g in goals) + "."
            )
        ]

    def block_goals_addressed(self) -> list[NoteSentence]:
        out = []
        links = {link.goal_id: link for link in self.facts.goal_links}
        basis = {
            "named": "the clinician's account names it",
            "measure": "its measure was scored this session",
            "symptom": "its target symptoms were discussed",
            "words": "the session worked on it directly",
        }
        for g in self.session.goals:
            link = links.get(g.id)
            if link is not None and link.evidence:
                out.append(
                    self.voice.sentence(
                        f"Goal {g.id} ({g.text}) was addressed: {basis[link.basis]}.", link.evidence
                    )
                )
            elif link is not None:  # a measure entered with the session, not said in the text
                out.append(
                    self.voice.metadata(f"Goal {g.id} ({g.text}): its measure was entered with this session.")
                )
            else:
                out.append(self.voice.metadata(f"Goal {g.id} ({g.text}) was not addressed this session."))
        return out

    def block_goals_progress(self) -> list[NoteSentence]:
        goals = {g.id: g for g in self.session.goals}
        out = []
        for link in self.facts.goal_links:
            if link.evidence and link.goal_id in goals:
                out.append(
                    self.voice.sentence(
                        f"Session content related to goal {link.goal_id} ({goals[link.goal_id].text}).",
                        link.evidence,
                    )
                )
            elif link.goal_id in goals and link.basis == "measure":
                out.append(
                    self.voice.metadata(
                        f"Goal {link.goal_id} ({goals[link.goal_id].text}) measured this session "
                        "(entered score)."
                    )
                )
        return out

    def block_cpt(self) -> list[NoteSentence]:
        meta = self.session.meta
        suggestion = suggest_cpt(meta.type, meta.duration_minutes, self.c.cpt)
        if suggestion is None:
            if meta.duration_minutes is None:
                return [
                    self.voice.metadata(
                        "No CPT code suggested: the session's start and end times were not recorded."
                    )
                ]
            return [self.voice.metadata("No CPT code suggested for this session length and type.")]
        return [
            self.voice.metadata(
                f"Suggested CPT {suggestion.text}: {suggestion.label}; "
                f"{suggestion.minutes} minutes documented."
            )
        ]

    # ------------------------------------------------------------------ the client's report
    def block_client_report(self) -> list[NoteSentence]:
        out = []
        for span in self._narrative_in(REPORT_SECTIONS):
            sentence = self._carry(span, subject="Client reported")
            if sentence:
                out.append(sentence)
            if len(out) >= MAX_REPORT:
                break
        if not out:  # shorthand without S/D labels: the clinician's reporting sentences
            for s in self.facts.sentences:
                if s.role != "narrative" or s.section is not None:
                    continue
                piece = self.text[s.start : s.end].lower()
                if any(
                    w in piece
                    for w in (
                        " reports",
                        " states",
                        " describes",
                        "per self-report",
                        " focused on",
                        " doing ",
                    )
                ):
                    sentence = self._carry((s.start, s.end))
                    if sentence:
                        out.append(sentence)
                if len(out) >= MAX_REPORT:
                    break
        return out

    def block_symptoms(self) -> list[NoteSentence]:
        out: list[NoteSentence] = []
        names = self.c.phrasing["symptoms"]
        seen: set[str] = set()
        for sym in self.facts.symptoms:
            if len(out) >= MAX_SYMPTOMS or sym.name in seen:
                continue
            span = self._sentence_of(sym.evidence[0])
            if not self._free(span):
                continue
            role = self._role_at(span[0])
            if role == "narrative":
                sentence = self._carry(span, subject="Client reported")
            else:
                detail = [d for d in (sym.frequency, sym.intensity, sym.duration) if d]
                label = names.get(sym.name, sym.name.replace("_", " "))
                if sym.negated:
                    words = f"Client denied {label}."
                elif detail:
                    words = f"Client described {label} ({'; '.join(detail)})."
                else:
                    said = self.voice.quote(*span, max_words=20)
                    words = closed_quote(f"Client described {label}", said) if said else ""
                if not words or self.voice.has_name(words):
                    continue
                self._take(span)
                sentence = self.voice.sentence(words, [Evidence(*span)])
            if sentence:
                seen.add(sym.name)
                out.append(sentence)
        return out

    def block_functional_impact(self) -> list[NoteSentence]:
        out: list[NoteSentence] = []
        for f in self.facts.functional_impacts:
            span = self._sentence_of(f.evidence[0])
            if not self._free(span) or len(out) >= 3:
                continue
            if self._role_at(span[0]) == "narrative":
                sentence = self._carry(span)
            else:
                said = self.voice.quote(*span, max_words=25)
                if not said:
                    continue
                self._take(span)
                sentence = self.voice.sentence(
                    closed_quote(f"Client described the impact on {f.domain.replace('_', ' ')}", said),
                    [Evidence(*span)],
                )
            if sentence:
                out.append(sentence)
        return out

    def block_homework_report(self) -> list[NoteSentence]:
        out = []
        for i in self.facts.interventions:
            if i.technique != "homework_review":
                continue
            for ev in i.evidence[:1]:
                span = self._sentence_of(ev)
                if self._role_at(span[0]) == "narrative":
                    sentence = self._carry(span)
                    if sentence:
                        out.append(sentence)
        return out

    def block_client_quote(self) -> list[NoteSentence]:
        limit = 2 if any(t.role == "client" for t in self.facts.turns) else 1
        out = []
        for q in sorted(self.facts.quotes, key=lambda q: -q.salience):
            span = (q.evidence[0].start, q.evidence[0].end)
            said = self.voice.quote(*span)
            if not said or not self._free(span):
                continue
            self._take(span)
            end = "" if said.endswith((".", "?", "!")) else "."
            out.append(self.voice.sentence(f'Client stated, "{said}{end}"', [Evidence(*span)]))
            if len(out) >= limit:
                break
        return out

    # ------------------------------------------------------------------ observations and measures
    def block_mental_status(self) -> list[NoteSentence]:
        out = []
        for m in self.facts.mental_status:
            if not m.evidence:
                out.append(
                    self.voice.metadata(
                        f"Mental status per checklist — {m.domain.replace('_', ' ')}: {m.finding}."
                    )
                )
                continue
            sentence = self._carry(self._sentence_of(m.evidence[0]))
            if sentence:
                out.append(sentence)
        return out

    def block_observations(self) -> list[NoteSentence]:
        return [s for span in self._narrative_in(OBJECTIVE_SECTIONS) if (s := self._carry(span))]

    def block_measures(self) -> list[NoteSentence]:
        out = []
        for m in self.facts.measures:
            spec = self.c.instruments.get(m.instrument, {})
            if spec.get("scored", True) is False and m.items is not None:
                # a screener that is triaged, not totalled (C-SSRS): the level and what it calls for
                result = score_items(spec, m.items)
                yes = [str(n) for n, a in enumerate(m.items, start=1) if a > 0]
                said = (
                    f"yes to item{'s' if len(yes) > 1 else ''} {', '.join(yes)}"
                    if yes
                    else "no items endorsed"
                )
                out.append(
                    self.voice.metadata(f"{m.instrument} screen (entered): {said}; {result.triage} risk.")
                )
                continue
            level = band(m.score, spec) if spec else None
            words = f"{m.instrument} total {m.score:g}{f' ({level})' if level else ''}"
            if m.items is not None and "risk_item" in spec:
                item = spec["risk_item"]["number"]
                words += f"; item {item} scored {m.items[item - 1]}"
            words += "."
            if m.evidence:
                out.append(self.voice.sentence(words, m.evidence))
            else:
                out.append(self.voice.metadata(words.replace(" total", " total (entered)", 1)))
        return out

    def _baseline(self, instrument: str, latest: bool) -> tuple[float, str] | None:
        """An earlier score of the instrument from the prior notes: the latest (for change since
        last time) or the first (for the course of care), with how to say when it was."""
        earlier = [e for e in self.facts.earlier_scores if e.instrument == instrument]
        if not earlier:
            return None
        dated = sorted(earlier, key=lambda e: (e.date is None, e.date or date.min, e.note_index))
        pick = max(earlier, key=lambda e: (e.date or date.min, e.note_index)) if latest else dated[0]
        when = f"on {pick.date.isoformat()}" if pick.date else "in an earlier note"
        return pick.score, when

    def _change_words(self, instrument: str, now: float, before: float, when: str) -> str:
        """``PHQ-9 12 (moderate), down from 19 on 2026-09-02 (7 points, 37%): reliable
        improvement, not yet response.``"""
        spec = self.c.instruments.get(instrument, {})
        ch = change(before, now, spec)
        level = band(now, spec)
        way = "down" if ch.delta < 0 else "up" if ch.delta > 0 else "unchanged"
        words = f"{instrument} {now:g}{f' ({level})' if level else ''}, {way} from {before:g}"
        words += f" {when}" if when else ""
        if ch.delta:
            size = f"{abs(ch.delta):g} points" + (f", {ch.percent}%" if ch.percent is not None else "")
            words += f" ({size})"
        verdict = {
            "improved": "reliable improvement",
            "worsened": "reliable worsening",
            "no reliable change": "not a reliable change",
            "no change": "no change",
        }[ch.direction]
        words += f": {verdict}"
        if ch.response is not None and ch.direction == "improved":
            words += ", response" if ch.response else ", not yet response"
        if ch.remission:
            words += ", in remission range"
        return words + "."

    def block_measure_change(self) -> list[NoteSentence]:
        out = []
        for m in self.facts.measures:
            if self.c.instruments.get(m.instrument, {}).get("scored", True) is False:
                continue
            if m.prior:
                before, when = m.prior[0].score, f"({m.prior[0].label})" if m.prior[0].label else ""
            else:
                found = self._baseline(m.instrument, latest=True)
                if found is None:
                    continue
                before, when = found
            words = self._change_words(m.instrument, m.score, before, when)
            if m.evidence:
                out.append(self.voice.sentence(words, m.evidence))
            else:  # an entered score against an earlier note's: both from the file's own fields
                out.append(self.voice.metadata(words))
        return out

    # ------------------------------------------------------------------ interventions and response
    def block_interventions(self) -> list[NoteSentence]:
        out = []
        moves = self.c.phrasing["technique_moves"]
        for i in self.facts.interventions:
            label = self._label(i.technique)
            if not i.evidence:
                out.append(self.voice.metadata(f"{label} (recorded on the session checklist)."))
                continue
            # the first of its sentences not already carried elsewhere in the note
            free = next((e for e in i.evidence if self._free(self._sentence_of(e))), None)
            if i.technique == "homework_review" and free is None:
                continue  # already in the client's report of their homework
            span = self._sentence_of(free or i.evidence[0])
            role = self._role_at(span[0])
            clause = self.voice.clause(*span) if role == "narrative" and self._free(span) else None
            if clause and len(clause) <= 260:
                self._take(span)
                named = label.split(" (")[0].split()[0].lower() in clause.lower()
                words = (
                    clause
                    if named
                    else f"{label}: {clause[0].lower() + clause[1:] if not clause[:2].isupper() else clause}"
                )
                if named and "(" in label and label.split("(")[1].rstrip(")") not in clause:
                    words = f"{clause.rstrip('.')} ({label.split('(')[1]}."
                out.append(self.voice.sentence(words, [Evidence(*span)]))
            else:
                move = moves.get(i.technique, f"the clinician used {label.split(' (')[0].lower()}")
                out.append(self.voice.sentence(f"{label}: {move}.", i.evidence[:3]))
        return out

    def block_responses(self) -> list[NoteSentence]:
        out = [s for span in self._narrative_in(RESPONSE_SECTIONS) if (s := self._carry(span))]
        for r in self.facts.responses:
            if len(out) >= 4:
                break
            span = self._sentence_of(r.evidence[0])
            if self._role_at(span[0]) == "narrative":
                sentence = self._carry(span)
                if sentence:
                    out.append(sentence)
        if len(out) < 3:
            out.extend(self._spoken_responses(3 - len(out)))
        return out

    def _spoken_responses(self, limit: int) -> list[NoteSentence]:
        """In a transcript, the client's words right after an intervention are their response."""
        out: list[NoteSentence] = []
        turns = self.facts.turns
        for i in self.facts.interventions:
            if len(out) >= limit:
                break
            for ev in i.evidence[:2]:
                t_idx = next((k for k, t in enumerate(turns) if t.start <= ev.start < t.end), None)
                if t_idx is None or turns[t_idx].role != "therapist":
                    continue
                reply = next(
                    (k for k in range(t_idx + 1, min(len(turns), t_idx + 3)) if turns[k].role == "client"),
                    None,
                )
                if reply is None:
                    continue
                span = (turns[reply].content_start, turns[reply].end)
                said = self.voice.quote(*span, max_words=22)
                if not said or len(said.split()) < 3 or not self._free(span):
                    continue
                self._take(span)
                end = "" if said.endswith((".", "?", "!")) else "."
                out.append(
                    self.voice.sentence(
                        f"In response to {self._label(i.technique).split(' (')[0].lower()}, "
                        f'the client said, "{said}{end}"',
                        [Evidence(*span)],
                    )
                )
                break
        return out

    def block_clinician_assessment(self) -> list[NoteSentence]:
        return [s for span in self._narrative_in(ASSESSMENT_SECTIONS) if (s := self._carry(span))]

    def block_distortions(self) -> list[NoteSentence]:
        out: list[NoteSentence] = []
        labels = self.c.phrasing["distortions"]
        seen: set[str] = set()
        for d in self.facts.distortions:
            if d.type in seen or len(out) >= 3:
                continue
            seen.add(d.type)
            ev = d.evidence[0]
            said = self.voice.quote(ev.start, ev.end, max_words=20)
            label = labels.get(d.type, d.type)
            words = (
                f'Cognitive distortion noted: {label} ("{said.rstrip(".")}").'
                if said
                else f"Cognitive distortion noted: {label}."
            )
            out.append(self.voice.sentence(words, [ev]))
        return out

    def block_change_talk(self) -> list[NoteSentence]:
        change_talk = [c for c in self.facts.change_talk if c.kind == "change"]
        sustain = [c for c in self.facts.change_talk if c.kind == "sustain"]
        if not change_talk and not sustain:
            return []
        parts = []
        evidence = []
        for kind, items in (("change talk", change_talk), ("sustain talk", sustain)):
            if not items:
                continue
            example = None
            for c in sorted(items, key=lambda c: -c.confidence):
                ev = c.evidence[0]
                example = self.voice.quote(ev.start, ev.end, max_words=18)
                if example:
                    evidence.append(ev)
                    break
            count = count_words(len(items))
            plural = "s" if len(items) != 1 else ""
            shown = f', e.g., "{example.rstrip(".")}"' if example else ""
            parts.append(f"{kind} ({count} statement{plural}{shown})")
            if not example:
                evidence.append(items[0].evidence[0])
        return [self.voice.sentence(f"Client voiced {join_words(parts)}.", evidence)]

    # ------------------------------------------------------------------ risk
    def block_risk(self) -> list[NoteSentence]:
        risk = self.facts.risk
        labels = self.c.phrasing["risk_labels"]
        v = self.voice
        out: list[NoteSentence] = []
        positive = [f for f in risk.values() if f.value in POSITIVE_RISK_VALUES and f.key != "safety_plan"]
        for f in positive:
            out.append(self._risk_positive(f, labels))
        denied = [f for f in risk.values() if f.value == "denied"]
        text_denied = [f for f in denied if f.evidence]
        if text_denied:
            keys = join_words([labels[f.key] for f in text_denied])
            out.append(v.sentence(f"Client denied {keys}.", [e for f in text_denied for e in f.evidence[:2]]))
        for f in denied:
            if not f.evidence:
                via = (
                    "the session checklist"
                    if "checklist" in f.sources
                    else "the entered PHQ-9 (item 9 scored 0)"
                )
                out.append(v.metadata(f"Per {via}, {labels[f.key]}: denied."))
        sp = risk["safety_plan"]
        if sp.value in ("created", "reviewed"):
            verb = (
                "was created collaboratively with the client"
                if sp.value == "created"
                else "was reviewed and updated with the client"
            )
            if sp.evidence:
                out.append(v.sentence(f"A safety plan {verb}.", sp.evidence[:2]))
            else:
                out.append(v.metadata(f"Per the session checklist, a safety plan {verb}."))
        missing = [labels[k] for k, f in risk.items() if f.value == "not_assessed"]
        if missing:
            out.append(v.metadata(f"Not assessed this session: {join_words(missing)}."))
        ideation = risk["suicidal_ideation"].value in ("active", "passive")
        if sp.value == "not_documented" and ideation:
            out.append(v.metadata("No safety plan was documented this session."))
        return out

    def _risk_positive(self, f: RiskFinding, labels: Mapping[str, str]) -> NoteSentence:
        phrases = {
            ("suicidal_ideation", "active"): "Client reported active suicidal ideation",
            (
                "suicidal_ideation",
                "passive",
            ): "Client reported passive suicidal ideation (a wish to be dead, without reported intent to act)"
            if self.facts.risk["suicide_intent"].value == "denied"
            else "Client reported passive suicidal ideation (a wish to be dead)",
            ("suicide_plan", "present"): "Client described a suicide plan",
            ("suicide_intent", "present"): "Client reported intent to act",
            ("means_access", "present"): "Client has access to lethal means",
            ("suicide_attempt_history", "reported"): "Client reported a history of suicide attempt",
            ("homicidal_ideation", "present"): "Client reported homicidal ideation",
            ("self_harm", "current"): "Client reported current self-harm (within the past month)",
            ("self_harm", "past"): "Client reported past self-harm, none recent",
            ("abuse_neglect", "reported"): "Abuse or neglect was disclosed",
        }
        words = phrases.get((f.key, f.value), f"{labels[f.key].capitalize()}: {f.value}")
        if f.evidence:
            ev = f.evidence[0]
            said = (
                self.voice.quote(*self._sentence_of(ev), max_words=18)
                if self._role_at(ev.start) == "client"
                else None
            )
            if said:
                words += f': "{said.rstrip(".")}"'
            return self.voice.sentence(words + ".", f.evidence[:3])
        source = "the session checklist" if "checklist" in f.sources else "the entered PHQ-9 (item 9 above 0)"
        return self.voice.metadata(f"{words} (per {source}).")

    # ------------------------------------------------------------------ plan
    def block_homework(self) -> list[NoteSentence]:
        out = []
        for h in self.facts.homework:
            ev = h.evidence[0]
            if self.voice.in_small_talk(ev.start, ev.end):
                continue
            words = self.voice.scrub(h.text)
            words = words[0].lower() + words[1:] if words[:2] != words[:2].upper() else words
            speaker = self._speaker_at(ev.start)
            words = self.voice.committed_by(words, speaker)
            if speaker is None and self._role_at(ev.start) == "therapist":
                words = addressed_to_client(words)
            self._take((ev.start, ev.end))
            out.append(
                self.voice.sentence(
                    f"Homework: {words}{'' if words.endswith(('.', '?', '!')) else '.'}", [ev]
                )
            )
        return out

    def _speaker_at(self, pos: int) -> str | None:
        """Who said the words at ``pos``: "the client", a family member's label ("Mom"), or
        ``None`` in the clinician's own text."""
        for t in self.facts.turns:
            if t.start <= pos < t.end:
                if t.role == "client":
                    return "the client"
                if t.role == "other":
                    label = t.speaker or "another participant"
                    return "another participant" if self.voice.has_name(label) else label
                return None
        return None

    def block_plan_steps(self) -> list[NoteSentence]:
        out = []
        for step in self.facts.plan_steps[:3]:
            ev = step.evidence[0]
            span = (ev.start, ev.end)
            if not self._free(span):
                continue
            if self._role_at(ev.start) == "narrative":
                clause = self.voice.clause(*span)
                if clause:
                    self._take(span)
                    out.append(self.voice.sentence(f"Next step: {clause[0].lower() + clause[1:]}", [ev]))
            else:
                said = self.voice.quote(*span, max_words=20)
                if said:
                    self._take(span)
                    out.append(
                        self.voice.sentence(closed_quote("Next contact discussed in session", said), [ev])
                    )
        return out

    def block_safety_plan(self) -> list[NoteSentence]:
        sp = self.facts.risk["safety_plan"]
        if sp.value not in ("created", "reviewed") or not sp.evidence:
            return []
        out = []
        for ev in sp.evidence[:2]:
            span = self._sentence_of(ev)
            if self._role_at(span[0]) == "narrative":
                sentence = self._carry(span)
                if sentence:
                    out.append(sentence)
        return out

    def block_coordination(self) -> list[NoteSentence]:
        out = []
        for i in self.facts.interventions:
            if i.technique != "care_coordination":
                continue
            for ev in i.evidence[:3]:
                span = self._sentence_of(ev)
                if self._role_at(span[0]) == "narrative":
                    sentence = self._carry(span)
                    if sentence:
                        out.append(sentence)
                elif self._free(span):
                    self._take(span)
                    out.append(
                        self.voice.sentence(
                            "The clinician coordinated care with another provider during the session.", [ev]
                        )
                    )
        return out

    # ------------------------------------------------------------------ intake and discharge
    def block_history(self) -> list[NoteSentence]:
        out = []
        for f in self.facts.risk.values():
            for s in f.statements:
                if s.historical and s.evidence and s.source == "text":
                    span = self._sentence_of(s.evidence[0])
                    sentence = self._carry(span) if self._role_at(span[0]) == "narrative" else None
                    if sentence is None and self._free(span):
                        said = self.voice.quote(*span, max_words=20)
                        if said:
                            self._take(span)
                            sentence = self.voice.sentence(
                                closed_quote(f"History ({self.c.phrasing['risk_labels'][s.key]})", said),
                                [Evidence(*span)],
                            )
                    if sentence:
                        out.append(sentence)
        return out

    def block_medications(self) -> list[NoteSentence]:
        out = []
        for m in self.facts.medications:
            words = f"Medication mentioned: {m.name}{f' ({m.adherence})' if m.adherence else ''}."
            out.append(self.voice.sentence(words, m.evidence))
        return out

    def block_course(self) -> list[NoteSentence]:
        """The course of care for a discharge summary: the notes on file, then each measure from
        its first score on file to today's."""
        priors = self.session.prior_notes
        if not priors:
            return [self.voice.metadata("No earlier notes were provided with this session.")]
        dated = [p.date for p in priors if p.date]
        first = f", the first dated {min(dated).isoformat()}" if dated else ""
        out = [self.voice.metadata(f"Earlier notes on file: {count_words(len(priors))}{first}.")]
        for m in self.facts.measures:
            found = self._baseline(m.instrument, latest=False)
            if found is None:
                continue
            first_on_file = "at the first score on file" + (
                f" ({found[1][3:]})" if found[1].startswith("on ") else ""
            )
            words = "Course: " + self._change_words(m.instrument, m.score, found[0], first_on_file)
            out.append(self.voice.sentence(words, m.evidence) if m.evidence else self.voice.metadata(words))
        return out


def evidence_of(sentences: Iterable[NoteSentence]) -> list[Evidence]:
    return [e for s in sentences for e in s.evidence]
