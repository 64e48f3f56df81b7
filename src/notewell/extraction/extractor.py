"""The extractor: session → :class:`~notewell.domain.facts.Facts`.

Builds the document structure once (turns, sentences, sections), then runs each component:
risk, interventions, homework, measures, quotes, distortions, change talk, symptoms and the
rest. The NLP pipeline is built lazily on first use, never at import.
"""

from __future__ import annotations

import re
from dataclasses import replace

from notewell.clinical.knowledge import Knowledge
from notewell.domain.evidence import Evidence
from notewell.domain.facts import EarlierScore, Facts, PriorStatement, RiskStatement
from notewell.domain.session import POSITIVE_RISK_VALUES, Session
from notewell.extraction.details import DetailExtractor
from notewell.extraction.distortions import DistortionExtractor
from notewell.extraction.document import Document
from notewell.extraction.goals import GoalLinker
from notewell.extraction.homework import HomeworkExtractor
from notewell.extraction.interventions import InterventionExtractor
from notewell.extraction.measures import MeasureExtractor
from notewell.extraction.mi import MITalkDetector
from notewell.extraction.nlp import ClinicalNLP
from notewell.extraction.people import PeopleFinder
from notewell.extraction.quotes import QuoteSelector
from notewell.extraction.risk import RiskExtractor
from notewell.extraction.small_talk import SmallTalkDetector
from notewell.extraction.structure import SpeakerBook, segment_turns, split_sentences


class Extractor:
    """Extracts facts from sessions. Thread-compatible: build one per worker."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self._lex = knowledge.lexicons
        labels = {
            "risk": RiskExtractor.target_labels(self._lex),
            "technique": ["technique"],
            "symptom": ["symptom"],
            "distortion": ["distortion"],
            "homework": ["homework"],
        }
        self.nlp = ClinicalNLP(self._lex["context_modifiers"]["modifiers"], labels)
        self.risk = RiskExtractor(self._lex, self.nlp)
        self.interventions = InterventionExtractor(self._lex["interventions"], self.nlp)
        self.homework = HomeworkExtractor(self._lex["homework"])
        self.measures = MeasureExtractor(self._lex["measure_mentions"], knowledge.instruments)
        self.distortions = DistortionExtractor(self._lex["distortions"])
        self.mi = MITalkDetector(self._lex["change_talk"])
        self.quotes = QuoteSelector(self._lex["salience"])
        self.small_talk = SmallTalkDetector(self._lex["small_talk"])
        self.people = PeopleFinder(self._lex["people"])
        self.details = DetailExtractor(self._lex, self.nlp)
        self.goals = GoalLinker(self._lex, knowledge.instruments)

    def document(self, session: Session) -> Document:
        book = SpeakerBook.build(self._lex["speakers"], session)
        turns, sections = segment_turns(session.text, book)
        private: list[Evidence] = []
        if "private" in sections:
            # "Note to self: I teared up…" is the clinician's psychotherapy note (HIPAA keeps it
            # apart from the record): blanked, same length, so no fact and no sentence of a
            # note can come from it, and every other offset still points into the input.
            text = session.text
            for turn, section in zip(turns, sections, strict=True):
                if section == "private":
                    text = text[: turn.start] + " " * (turn.end - turn.start) + text[turn.end :]
                    private.append(Evidence(turn.start, turn.end))
            session = replace(session, text=text)
            turns, sections = segment_turns(session.text, book)
        parsed = self.nlp.parse(session.text)
        sentences = split_sentences(session.text, turns, sections, self.nlp.sentence_spans(parsed), book)
        doc = Document(session, turns, sentences, parsed, tuple(private))
        self.nlp.set_sentences(parsed, doc.index)
        return doc

    def extract(self, session: Session) -> Facts:
        doc = self.document(session)
        fired: set[str] = set()
        people = self.people.find(doc, fired)
        risk = self.risk.extract(doc, self.knowledge.instruments, fired, people)
        reflections = self.mi.reflections(doc)
        interventions = self.interventions.extract(doc, risk, reflections, fired)
        homework = self.homework.extract(doc, fired)
        measures = self.measures.extract(doc, fired)
        distortions = self.distortions.extract(doc, fired)
        change_talk = self.mi.change_talk(doc, fired)
        symptoms = self.details.symptoms(doc, fired)
        functional = self.details.functional(doc, fired)
        medications = self.details.medications(doc, fired)
        mental_status = self.details.mental_status(doc, fired)
        responses = self.details.responses(doc, fired)
        risk_spans = [
            e for f in risk.values() if f.value not in ("not_assessed", "not_documented") for e in f.evidence
        ]
        positive_risk = [e for f in risk.values() if f.value in POSITIVE_RISK_VALUES for e in f.evidence]
        plan_steps = self.homework.plan_steps(doc, fired)
        clinical: list[Evidence] = [
            *risk_spans,
            *(e for i in interventions for e in i.evidence),
            *(e for h in homework for e in h.evidence),
            *(e for m in measures for e in m.evidence),
            *(e for d in distortions for e in d.evidence),
            *(e for s in symptoms for e in s.evidence),
            *(e for f in functional for e in f.evidence),
            *(e for p in plan_steps for e in p.evidence),  # "Next session is Monday at 10" closes the work
        ]
        small_talk = self.small_talk.detect(
            doc,
            clinical,
            fired,
            self.quotes.meaningful_turns(doc),
            kept=[*risk_spans, *(e for m in measures for e in m.evidence)],
        )
        quotes = self.quotes.select(
            doc,
            [
                (positive_risk, 3.0),
                ([e for d in distortions for e in d.evidence], 2.0),
                ([e for c in change_talk for e in c.evidence], 1.0),
            ],
            small_talk,
            fired,
        )
        prior: list[PriorStatement] = []
        earlier: list[EarlierScore] = []
        history = self.details.history(doc, medications, None, fired)
        for i, note in enumerate(session.prior_notes):
            prior_doc = self.document(
                Session(source=session.source, text=note.text, client=session.client, meta=session.meta)
            )
            prior.extend(PriorStatement(i, st) for st in self.risk.statements(prior_doc, set()))
            earlier.extend(
                EarlierScore(m.instrument, m.score, note.date, i)
                for m in self.measures.from_text(prior_doc, set())
            )
            history.extend(
                self.details.history(prior_doc, self.details.medications(prior_doc, set()), i, set())
            )
        return Facts(
            risk=risk,
            interventions=tuple(interventions),
            responses=tuple(responses),
            homework=tuple(homework),
            measures=tuple(measures),
            quotes=tuple(quotes),
            distortions=tuple(distortions),
            change_talk=tuple(change_talk),
            symptoms=tuple(symptoms),
            functional_impacts=tuple(functional),
            medications=tuple(medications),
            mental_status=tuple(mental_status),
            small_talk=tuple(small_talk),
            people=tuple(people),
            # a sentence holding the client's own positive risk finding is never withheld as
            # someone else's detail: risk is never silently dropped from a note
            third_party_details=tuple(
                d
                for d in self.people.sensitive_details(doc, people, fired)
                if not any(d.evidence[0].overlaps(e) for e in positive_risk)
            ),
            private_sections=doc.private,
            goal_links=tuple(self.goals.link(doc, session.goals, measures, symptoms, small_talk, fired)),
            plan_steps=tuple(plan_steps),
            prior_statements=tuple(prior),
            history_notes=tuple(history),
            earlier_scores=tuple(earlier),
            session_times=tuple(session_times(doc)),
            turns=tuple(doc.turns),
            sentences=tuple(doc.sentences),
            fired_rules=frozenset(fired),
        )

    def prior_risk(self, session: Session, text: str) -> list[RiskStatement]:
        """Risk statements in a prior note's text (for contradiction checks)."""
        prior = Session(source=session.source, text=text, client=session.client, meta=session.meta)
        fired: set[str] = set()
        return self.risk.statements(self.document(prior), fired)


SESSION_TIME = re.compile(
    r"\b(?:session\s+time|time)\s*:?\s*\d{1,2}(?::\d\d)?\s*(?:am|pm)?\s*[-–]\s*\d{1,2}(?::\d\d)?\s*(?:am|pm)?"
    r"|\b\d{1,2}(?::\d\d)?\s*(?:am|pm)?\s*[-–]\s*\d{1,2}(?::\d\d)\s*(?:am|pm)\b"
    r"|\b\d{1,2}:\d\d\s*[-–]\s*\d{1,2}:\d\d\b",
    re.IGNORECASE,
)


def session_times(doc: Document) -> list[Evidence]:
    """Times of the session written in the clinician's own text ("Session time: 10:15-11:00",
    "group 6-7:30pm"): they count as documented times when the file's fields are empty."""
    out: list[Evidence] = []
    for turn in doc.turns:
        if turn.role == "narrative":
            out.extend(
                Evidence(m.start(), m.end())
                for m in SESSION_TIME.finditer(doc.text, turn.content_start, turn.end)
            )
    return out
