"""The review checks: what an auditor would flag, as functions over facts and the draft.

Each check is registered under its nudge code in :data:`CHECKS` (the same registry a clinic's
plugin would use through :meth:`CheckRegistry.register`). What counts — phrase lists,
thresholds, severity, the message and the fix — comes from ``clinical/checks/checks.yaml``.
Checks read facts; the few that read wording (vague or stigmatizing phrases, private process
notes) read only the clinician's own shorthand, never a client's words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from notewell.domain.billing import codes_in_range, suggest_cpt
from notewell.domain.evidence import Evidence
from notewell.domain.facts import Facts
from notewell.domain.notes import Note, Nudge
from notewell.domain.session import Session


@dataclass(frozen=True)
class ReviewContext:
    session: Session
    facts: Facts
    note: Note
    cpt: Mapping[str, Any]
    instruments: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class CheckConfig:
    code: str
    severity: str
    message: str
    fix: str
    params: Mapping[str, Any]

    def nudge(self, evidence: Iterable[Evidence] = (), **fields: Any) -> Nudge:
        return Nudge(
            code=self.code,
            severity=self.severity,  # type: ignore[arg-type]
            message=self.message.format(**fields),
            fix=self.fix.format(**fields),
            evidence=tuple(sorted(set(evidence))),
        )

    def phrases(self, key: str = "phrases") -> list[tuple[dict[str, Any], re.Pattern[str]]]:
        return [(p, re.compile(p["pattern"], re.IGNORECASE)) for p in self.params.get(key, [])]


Check = Callable[[ReviewContext, CheckConfig], list[Nudge]]


class CheckRegistry:
    """Checks by nudge code; built-in checks register here exactly as a plugin would."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def register(self, code: str) -> Callable[[Check], Check]:
        def wrap(fn: Check) -> Check:
            self._checks[code] = fn
            return fn

        return wrap

    def get(self, code: str) -> Check:
        return self._checks[code]

    def codes(self) -> list[str]:
        return list(self._checks)


CHECKS = CheckRegistry()


def _narrative(ctx: ReviewContext) -> list[tuple[int, int]]:
    """The clinician's own sentences: only these are judged for wording."""
    return [(s.start, s.end) for s in ctx.facts.sentences if s.role == "narrative"]


# ------------------------------------------------------------------------------ risk
@CHECKS.register("missing_risk_assessment")
def missing_risk_assessment(ctx: ReviewContext, cfg: CheckConfig) -> list[Nudge]:
    if ctx.facts.risk["suicidal_ideation"].value == "not_assessed":
        return [cfg.nudge()]
    return []


@CHECKS.register("incomplete_risk_assessment")
def incomplete_risk_assessment(ctx: ReviewContext, cfg: CheckConfig) -> list[Nudge]:
    risk = ctx.facts.risk
    si = risk["suicidal_ideation"]
    if si.value not in ("active", "passive"):
        return []
    names = {
        "suicide_plan": "plan",
        "suicide_intent": "intent",
        "means_access": "access to means",
        "safety_plan": "the safety plan",
    }
    missing = [label for key, label in names.items() if risk[key].value in ("not_assessed", "not_documented")]
    if not missing:
        return []
    listed = ", ".join(missing[:-1]) + (" and " if len(missing) > 1 else "") + missing[-1]
    return [cfg.nudge(si.evidence, missing=listed, verb="are" if len(missing) > 1 else "is")]


@CHECKS.register("measure_risk_item")
def measure_risk_item(ctx: ReviewContext, cfg: CheckConfig) -> list[Nudge]:
    text_si = [s for s in ctx.facts.risk["suicidal_ideation"].statements if s.source == "text"]
    if text_si:
        return []
    out = []
    for m in ctx.session.measures:
        spec = ctx.instruments.get(m.instrument, {})
        item = spec.get("risk_item")
        if item and m.items is not None and m.items[item["number"] - 1] > item["above"]:
            out.append(cfg.nudge(score=m.items[item["number"] - 1]))
    return out


# ------------------------------------------------------------------------------ wording
@CHECKS.register("vague_language")
def vague_language(ctx: ReviewContext, cfg: CheckConfig) -> list[Nudge]:
    measurable = re.compile(cfg.params["measurable"], re.IGNORECASE)
    out = []
    for start, end in _narrative(ctx):
        piece = ctx.session.text[start:end]
        if measurable.search(piece):
            continue  # "doing better: panic attacks 5/wk -> 1/wk" is measurable
        for phrase, rx in cfg.phrases():
            m = rx.search(piece)
            if m:
                ev = Evidence(start + m.start(), start + m.end())
                out.append(cfg.nudge([ev], phrase=m.group(0), hint=phrase.get("hint", "")))
    return out


@CHECKS.register("stigmatizing_language")
def stigmatizing_language(ctx: ReviewContext, cfg: CheckConfig) -> list[Nudge]:
    out = []
    for start, end in _narrative(ctx):
        piece = ctx.session.text[start:end]
        for phrase, rx in cfg.phrases():
            for m in rx.finditer(piece):
                ev = Evidence(start + m.start(), start + m.end())
                out.append(cfg.nudge([ev], phrase=m.group(0), alternative=phrase.get("alternative", "")))
    return out


@CHECKS.register("psychotherapy_note_content")
def psychotherapy_note_content(ctx: ReviewContext, cfg: CheckConfig) -> list[Nudge]:
    """Process notes in the session text: a labelled private section ("Note to self: I teared
    up…", already kept out of the draft) or a hunch, a personal reaction or a supervision topic
    written among the clinical sentences."""
    out = []
    for ev in ctx.facts.private_sections:
        label = ctx.session.text[ev.start : ev.end].split(":", 1)[0].strip()
        out.append(cfg.nudge([ev], phrase=label))
    for start, end in _narrative(ctx):
        piece = ctx.session.text[start:end]
        for _phrase, rx in cfg.phrases():
            m = rx.search(piece)
            if m:
                out.append(cfg.nudge([Evidence(start, end)], phrase=m.group(0)))
                break
    return out


@CHECKS.register("third_party_detail")
def third_party_detail(ctx: ReviewContext, cfg: CheckConfig) -> list[Nudge]:
    """A named person other than the client with a sensitive detail about them (health, drugs,
    legal trouble, an affair) — found by extraction (``Facts.third_party_details``). The draft
    already leaves such sentences out; the nudge tells the clinician why, and to keep the name out
    of anything they add."""
    named = [d for d in ctx.facts.third_party_details if d.named]
    return [cfg.nudge(list(d.evidence), phrase=d.phrase) for d in named[:3]]


# ------------------------------------------------------------------------------ content
@CHECKS.register("intervention_without_response")
def intervention_without_response(ctx: ReviewContext, cfg: CheckConfig) -> list[Nudge]:
    """Every delivered intervention needs the client's response near it: a rating that changed,
    engagement, or the client's own words (quoted, or their next turn) — later in the same
    paragraph, in the next sentences, in a Response section, or a rating at the session's close.
    Review-type techniques (homework, diary card, chain analysis, care coordination) are the
    client's own account and need none."""
    facts = ctx.facts
    window_s = int(cfg.params.get("window_sentences", 2))
    window_t = int(cfg.params.get("window_turns", 3))
    exempt = set(cfg.params.get("exempt", []))
    responses = [e for r in facts.responses for e in r.evidence]
    closing = [
        e for r in facts.responses if r.kind == "rating_change" for e in r.evidence if _closing(ctx, e)
    ]
    if any(s.section == "response" for s in facts.sentences):
        return []
    out = []
    for i in facts.interventions:
        if not i.evidence or i.technique in exempt:
            continue
        if any(_responded(ctx, ev, responses, closing, window_s, window_t) for ev in i.evidence):
            continue
        label = i.technique.replace("_", " ").capitalize()
        out.append(cfg.nudge(i.evidence[:1], technique=label))
    return out


CLOSING = re.compile(
    r"\b(?:at|by)\s+(?:close|the\s+close|end|the\s+end)\b|\bleft\s+calm|\bafter\s+(?:safety|the|this)",
    re.IGNORECASE,
)


def _closing(ctx: ReviewContext, ev: Evidence) -> bool:
    return bool(CLOSING.search(ctx.session.text, ev.start, ev.end))


def _responded(
    ctx: ReviewContext,
    ev: Evidence,
    responses: Sequence[Evidence],
    closing: Sequence[Evidence],
    window_s: int,
    window_t: int,
) -> bool:
    sentences = ctx.facts.sentences
    idx = next((k for k, s in enumerate(sentences) if s.start <= ev.start < s.end), None)
    if idx is None:
        return False
    here = sentences[idx]
    if any(c.start >= here.start for c in closing):
        return True
    same_turn = [s for s in sentences[idx:] if s.turn == here.turn]
    near = {
        *((s.start, s.end) for s in same_turn),
        *((s.start, s.end) for s in sentences[idx : idx + window_s + 1]),
    }
    if any(r.start < b and a < r.end and r.end > ev.start for a, b in near for r in responses):
        return True
    if any(a <= q[0] < b and q[0] >= ev.start for a, b in near for q in _quoted(ctx)):
        return True  # the client's own words, quoted right after (a quote may run over sentences)
    listeners = {"client", "other"} if ctx.session.meta.type in ("couples", "family", "group") else {"client"}
    for t in ctx.facts.turns[here.turn + 1 : here.turn + 1 + window_t]:
        if t.role in listeners and len(ctx.session.text[t.content_start : t.end].split()) >= 2:
            return True
    return False


QUOTE = re.compile(r"[\"“]([^\"”\n]{2,400})[\"”]")


def _quoted(ctx: ReviewContext) -> list[tuple[int, int]]:
    return [(m.start(1), m.end(1)) for m in QUOTE.finditer(ctx.session.text)]


@CHECKS.register("no_goal_link")
def no_goal_link(ctx: ReviewContext, cfg: CheckConfig) -> list[Nudge]:
    if ctx.session.goals and not ctx.facts.goal_links:
        return [cfg.nudge()]
    return []


@CHECKS.register("plan_not_specific")
def plan_not_specific(ctx: ReviewContext, cfg: CheckConfig) -> list[Nudge]:
    facts = ctx.facts
    concrete = (
        facts.homework
        or facts.plan_steps
        or any(i.technique == "care_coordination" for i in facts.interventions)
    )
    return [] if concrete else [cfg.nudge()]


@CHECKS.register("cloned_note")
def cloned_note(ctx: ReviewContext, cfg: CheckConfig) -> list[Nudge]:
    """Similarity is rapidfuzz's normalised Indel similarity (``fuzz.ratio``, 0-100) between this
    session's text and each prior note, after lower-casing and collapsing whitespace. A ratio at
    or above the threshold (default 85) means the text was carried forward: one note differing
    only in a session number scores about 99; two genuinely different notes score under 50."""

    def norm(s: str) -> str:
        return " ".join(s.lower().split())

    current = norm(ctx.session.text)
    threshold = float(cfg.params.get("threshold", 85))
    out = []
    for prior in ctx.session.prior_notes:
        similarity = fuzz.ratio(current, norm(prior.text))
        if similarity >= threshold:
            when = prior.date.isoformat() if prior.date else "an earlier date"
            out.append(cfg.nudge(similarity=round(similarity), date=when))
    return out[-1:]


@CHECKS.register("contradiction_with_prior")
def contradiction_with_prior(ctx: ReviewContext, cfg: CheckConfig) -> list[Nudge]:
    """Attempt and self-harm history: a prior note's "no history" against a history reported now
    (a new event since then is a change, not a contradiction); lethal means denied before and
    present now; medications or diagnoses an earlier note records against a denial now."""
    facts = ctx.facts
    out = []
    for key, now_values in (("suicide_attempt_history", {"reported"}), ("self_harm", {"past"})):
        now = [s for s in facts.risk[key].statements if s.value in now_values and s.source == "text"]
        if key == "suicide_attempt_history":
            now = [s for s in now if s.historical or key == "suicide_attempt_history"]
        if not now:
            continue
        earlier = [
            p
            for p in facts.prior_statements
            if p.statement.key == key
            and p.statement.value == "denied"
            and (key == "suicide_attempt_history" or p.statement.historical)
        ]
        if earlier:
            prior = ctx.session.prior_notes[earlier[0].note_index]
            when = prior.date.isoformat() if prior.date else "an earlier note"
            label = "suicide attempt history" if key == "suicide_attempt_history" else "self-harm history"
            detail = f"The note of {when} records no {label}; this session reports one."
            out.append(cfg.nudge(now[0].evidence, detail=detail))
    out.extend(_means_contradiction(ctx, cfg))
    out.extend(_history_contradictions(ctx, cfg))
    return out


def _when(ctx: ReviewContext, note_index: int) -> str:
    prior = ctx.session.prior_notes[note_index]
    return prior.date.isoformat() if prior.date else "an earlier note"


def _means_contradiction(ctx: ReviewContext, cfg: CheckConfig) -> list[Nudge]:
    """A prior note recorded no access to lethal means; this session reports access. Newly
    acquired or not disclosed before, the record must say which."""
    now = [
        s for s in ctx.facts.risk["means_access"].statements if s.value == "present" and s.source == "text"
    ]
    earlier = [
        p
        for p in ctx.facts.prior_statements
        if p.statement.key == "means_access" and p.statement.value == "denied"
    ]
    if not now or not earlier:
        return []
    detail = (
        f"The note of {_when(ctx, earlier[0].note_index)} records no access to lethal means; "
        "this session reports access."
    )
    return [cfg.nudge(now[0].evidence, detail=detail)]


def _history_contradictions(ctx: ReviewContext, cfg: CheckConfig) -> list[Nudge]:
    """A denial now ("never prescribed any medication", "never been diagnosed") against an earlier
    note that names a medication or a diagnosis (or a diagnosis on file for this client)."""
    notes = ctx.facts.history_notes
    out = []
    for denial, named, label in (
        ("denies_medication", "medication", "a medication"),
        ("denies_diagnosis", "diagnosis", "a diagnosis"),
    ):
        now = [n for n in notes if n.kind == denial and n.note_index is None]
        if not now:
            continue
        earlier = [n for n in notes if n.kind == named and n.note_index is not None]
        if earlier:
            first = earlier[0]
            assert first.note_index is not None
            detail = (
                f"The note of {_when(ctx, first.note_index)} records {label} ({first.text.strip()}); "
                "this session records the client denying any."
            )
            out.append(cfg.nudge(now[0].evidence, detail=detail))
        elif named == "diagnosis" and ctx.session.diagnoses:
            dx = ctx.session.diagnoses[0]
            detail = (
                f"A diagnosis is on file ({dx.code}); this session records the client denying any diagnosis."
            )
            out.append(cfg.nudge(now[0].evidence, detail=detail))
    return out


# ------------------------------------------------------------------------------ times and billing
@CHECKS.register("missing_session_times")
def missing_session_times(ctx: ReviewContext, cfg: CheckConfig) -> list[Nudge]:
    meta = ctx.session.meta
    if meta.start and meta.end:
        return []
    if ctx.facts.session_times:
        return []
    missing = "start and end" if not meta.start and not meta.end else "end" if meta.start else "start"
    return [cfg.nudge(missing=missing)]


CPT_IN_TEXT = re.compile(r"\b(?:CPT\s*)?\+?(908(?:3[2-9]|4[0-9]|5[3])|9079[12])\b")


@CHECKS.register("cpt_time_mismatch")
def cpt_time_mismatch(ctx: ReviewContext, cfg: CheckConfig) -> list[Nudge]:
    meta = ctx.session.meta
    minutes = meta.duration_minutes
    if minutes is None:
        return []
    out = []
    for start, end in _narrative(ctx):
        for m in CPT_IN_TEXT.finditer(ctx.session.text, start, end):
            code = m.group(1)
            if not codes_in_range(code, meta.type, minutes, ctx.cpt):
                suggestion = suggest_cpt(meta.type, minutes, ctx.cpt)
                out.append(
                    cfg.nudge(
                        [Evidence(m.start(), m.end())],
                        code=code,
                        minutes=minutes,
                        kind=meta.type or "individual",
                        suggested=suggestion.text if suggestion else "none",
                    )
                )
    return out
