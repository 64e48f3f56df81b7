"""Review checks: every registered nudge code fires on a gap and stays quiet once it is closed.

Each case is a small synthetic session (invented people and details, no real client data) run
through the whole draft pipeline (extract → compose → review). A firing case and its quiet twin
differ only in the detail the check is about, so a check that fires on everything, or on nothing,
fails here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, time
from typing import Any

import pytest

from notewell.bootstrap import App
from notewell.clinical import loader
from notewell.domain.notes import Note, Nudge
from notewell.domain.session import Diagnosis, Goal, MeasureInput, PriorNote, Session
from notewell.errors import RuleFileError
from notewell.review.checks import CHECKS, CheckConfig, CheckRegistry, ReviewContext
from notewell.review.reviewer import Reviewer
from notewell.services.drafting import draft_note
from tests.factories import make_session

# The nudge codes of the eval contract (shared/eval/SCHEMA.md §2).
SCHEMA_CODES = frozenset(
    {
        "missing_risk_assessment",
        "incomplete_risk_assessment",
        "measure_risk_item",
        "vague_language",
        "intervention_without_response",
        "no_goal_link",
        "plan_not_specific",
        "cloned_note",
        "contradiction_with_prior",
        "psychotherapy_note_content",
        "third_party_detail",
        "stigmatizing_language",
        "missing_session_times",
    }
)

# A complete, specific shorthand note: it raises no nudge at all. Each case below swaps one part.
MOOD = "Cl reports mood 5/10 this wk, up from 3/10. "
RISK = "Denies SI, plan or intent. "
INTERVENTION = "Practiced paced breathing in session; SUDS 7 -> 4. "
PLAN = "HW: paced breathing 2x daily. Next session 3/9 at 10:00."
CLEAN = MOOD + RISK + INTERVENTION + PLAN

ATTEMPT_NOW = "Cl disclosed a suicide attempt by overdose at age 19. "
PHQ9_ITEM9_POSITIVE = MeasureInput("PHQ-9", items=(2, 2, 1, 2, 1, 1, 2, 1, 1))
PHQ9_ITEM9_ZERO = MeasureInput("PHQ-9", items=(2, 2, 1, 2, 1, 1, 2, 1, 0))


def prior(text: str, day: int = 23, month: int = 2) -> PriorNote:
    return PriorNote(date(2026, month, day), text)


def with_diagnoses(session: Session, *diagnoses: Diagnosis) -> Session:
    return replace(session, diagnoses=diagnoses)


# ------------------------------------------------------------------------------ helpers
def draft(app: App, session: Session, fmt: str = "soap") -> Note:
    return draft_note(session, fmt, app.extractor, app.composer, app.reviewer)


def nudges_for(app: App, session: Session, code: str) -> list[Nudge]:
    return [n for n in draft(app, session).nudges if n.code == code]


def codes_for(app: App, session: Session) -> set[str]:
    return {n.code for n in draft(app, session).nudges}


def assert_well_formed(nudge: Nudge, session: Session) -> None:
    """A nudge the clinician can act on: a message, a concrete fix, spans inside the text."""
    assert nudge.message.strip(), nudge
    assert nudge.fix.strip(), nudge
    assert "{" not in nudge.message and "{" not in nudge.fix, f"unfilled placeholder in {nudge}"
    assert nudge.severity in ("error", "warning", "info")
    for ev in nudge.evidence:
        assert 0 <= ev.start < ev.end <= len(session.text), (nudge.code, ev, len(session.text))


def evidence_text(nudge: Nudge, session: Session) -> list[str]:
    return [session.text[e.start : e.end] for e in nudge.evidence]


# ------------------------------------------------------------------------------ one pair per code
# code → (a session where it must fire, its twin where it must not)
CASES: dict[str, tuple[Callable[[], Session], Callable[[], Session]]] = {
    "missing_risk_assessment": (
        lambda: make_session(MOOD + INTERVENTION + PLAN),
        lambda: make_session(MOOD + INTERVENTION + PLAN, checklist_risk={"suicidal_ideation": "denied"}),
    ),
    "incomplete_risk_assessment": (
        lambda: make_session(
            MOOD + "Endorses passive SI, wishes she would not wake up. " + INTERVENTION + PLAN
        ),
        lambda: make_session(
            MOOD
            + "Endorses passive SI, wishes she would not wake up. Denies plan or intent. "
            + "No access to firearms or stockpiled meds. Safety plan reviewed and updated. "
            + INTERVENTION
            + PLAN
        ),
    ),
    "measure_risk_item": (
        lambda: make_session(MOOD + INTERVENTION + PLAN, measures=(PHQ9_ITEM9_POSITIVE,)),
        lambda: make_session(
            MOOD
            + "PHQ-9 item 9 followed up: reports passive thoughts of death, denies plan or intent, "
            + "no access to firearms or stockpiled meds. Safety plan reviewed. "
            + INTERVENTION
            + PLAN,
            measures=(PHQ9_ITEM9_POSITIVE,),
        ),
    ),
    "vague_language": (
        lambda: make_session("Cl doing better this week. " + RISK + INTERVENTION + PLAN),
        lambda: make_session(
            "Cl doing better this week: panic attacks 5/wk -> 1/wk. " + RISK + INTERVENTION + PLAN
        ),
    ),
    "stigmatizing_language": (
        lambda: make_session("Cl is an alcoholic, drank 4 nights this wk. " + RISK + INTERVENTION + PLAN),
        lambda: make_session(
            "Cl has alcohol use disorder, drank 4 nights this wk. " + RISK + INTERVENTION + PLAN
        ),
    ),
    "psychotherapy_note_content": (
        lambda: make_session(
            MOOD + RISK + "I suspect she is hiding how much she drinks. " + INTERVENTION + PLAN
        ),
        lambda: make_session(
            MOOD + RISK + "Cl reports drinking 2 beers on 3 nights this wk. " + INTERVENTION + PLAN
        ),
    ),
    "third_party_detail": (
        lambda: make_session(
            MOOD + "Cl's roommate Delphine was arrested for DUI last wk. " + RISK + INTERVENTION + PLAN
        ),
        # the fix's own advice: name the person by relation
        lambda: make_session(
            MOOD + "Cl's roommate was arrested for DUI last wk. " + RISK + INTERVENTION + PLAN
        ),
    ),
    "intervention_without_response": (
        lambda: make_session(MOOD + RISK + "Taught paced breathing. " + PLAN),
        lambda: make_session(CLEAN),
    ),
    "no_goal_link": (
        lambda: make_session(CLEAN, goals=(Goal("G1", "Improve sleep to 7 hours a night"),)),
        lambda: make_session(
            CLEAN, goals=(Goal("G1", "Use paced breathing to manage panic on at least 4 of 5 work days"),)
        ),
    ),
    "plan_not_specific": (
        lambda: make_session(MOOD + RISK + INTERVENTION),
        lambda: make_session(CLEAN),
    ),
    "cloned_note": (
        lambda: make_session(CLEAN, prior_notes=(prior(CLEAN),)),
        lambda: make_session(
            CLEAN,
            prior_notes=(
                prior(
                    "Intake. Cl presents with panic attacks 4x/week since a job loss in January. "
                    "PHQ-9 12, GAD-7 15. Plan weekly CBT for panic."
                ),
            ),
        ),
    ),
    "contradiction_with_prior": (
        lambda: make_session(
            MOOD + RISK + ATTEMPT_NOW + INTERVENTION + PLAN,
            prior_notes=(prior("Intake. Denies SI. No hx of suicide attempts."),),
        ),
        lambda: make_session(
            MOOD + RISK + ATTEMPT_NOW + INTERVENTION + PLAN,
            prior_notes=(prior("Intake. Denies SI. Reports low mood for 3 months."),),
        ),
    ),
    "missing_session_times": (
        lambda: make_session(CLEAN, start=None, end=None),
        # times written in the text count as known (SCHEMA.md clarifications)
        lambda: make_session("Session 10:15-11:00. " + CLEAN, start=None, end=None),
    ),
    "cpt_time_mismatch": (
        lambda: make_session(CLEAN + " CPT 90837."),  # 50 minutes supports 90834, not 90837
        lambda: make_session(CLEAN + " CPT 90834."),
    ),
}


def registered_codes() -> list[str]:
    return CHECKS.codes()


def test_every_schema_code_and_cpt_time_mismatch_is_registered() -> None:
    assert set(registered_codes()) >= SCHEMA_CODES | {"cpt_time_mismatch"}


def test_every_registered_check_is_configured_and_runs(app: App) -> None:
    """A check registered but missing from checks.yaml would never run."""
    assert sorted(c.code for c in app.reviewer.configs) == sorted(registered_codes())


def test_the_complete_note_raises_no_nudges(app: App) -> None:
    session = make_session(CLEAN)
    assert draft(app, session).nudges == ()


@pytest.mark.parametrize("code", registered_codes())
def test_check_fires_on_its_gap(app: App, code: str) -> None:
    assert code in CASES, f"no firing/quiet case for registered check {code!r}: add one to CASES"
    session = CASES[code][0]()
    fired = nudges_for(app, session, code)
    assert fired, f"{code} did not fire"
    for nudge in fired:
        assert_well_formed(nudge, session)


@pytest.mark.parametrize("code", registered_codes())
def test_check_is_quiet_once_the_gap_is_closed(app: App, code: str) -> None:
    assert code in CASES, f"no firing/quiet case for registered check {code!r}: add one to CASES"
    session = CASES[code][1]()
    assert nudges_for(app, session, code) == []


# ------------------------------------------------------------------------------ risk
def test_denial_in_text_counts_as_a_risk_statement(app: App) -> None:
    assert "missing_risk_assessment" not in codes_for(app, make_session(CLEAN))


def test_phq9_item9_answered_zero_counts_as_a_risk_statement(app: App) -> None:
    session = make_session(MOOD + INTERVENTION + PLAN, measures=(PHQ9_ITEM9_ZERO,))
    assert "missing_risk_assessment" not in codes_for(app, session)
    assert "measure_risk_item" not in codes_for(app, session)


def test_phq9_total_without_items_is_not_a_risk_statement(app: App) -> None:
    session = make_session(MOOD + INTERVENTION + PLAN, measures=(MeasureInput("PHQ-9", score=14),))
    assert "missing_risk_assessment" in codes_for(app, session)


def test_incomplete_risk_names_only_what_is_missing(app: App) -> None:
    session = make_session(
        MOOD + "Endorses passive SI. Denies plan or intent. " + INTERVENTION + PLAN,
    )
    [nudge] = nudges_for(app, session, "incomplete_risk_assessment")
    assert "means" in nudge.message and "safety plan" in nudge.message
    assert "plan, intent" not in nudge.message
    assert any("SI" in t for t in evidence_text(nudge, session))


def test_incomplete_risk_does_not_fire_when_ideation_is_denied(app: App) -> None:
    assert "incomplete_risk_assessment" not in codes_for(app, make_session(CLEAN))


def test_measure_risk_item_reports_the_item_score(app: App) -> None:
    items = (1, 1, 1, 1, 1, 1, 1, 1, 2)
    session = make_session(MOOD + INTERVENTION + PLAN, measures=(MeasureInput("PHQ-9", items=items),))
    [nudge] = nudges_for(app, session, "measure_risk_item")
    assert "2" in nudge.message


# ------------------------------------------------------------------------------ wording
def test_vague_language_points_at_the_phrase_and_asks_for_a_measurable_rewrite(app: App) -> None:
    session = CASES["vague_language"][0]()
    [nudge] = nudges_for(app, session, "vague_language")
    assert evidence_text(nudge, session) == ["doing better"]
    assert "doing better" in nudge.message
    fix = nudge.fix.lower()
    assert "measurable" in fix
    assert any(w in fix for w in ("how often", "how intense", "how long"))
    assert any(ch.isdigit() for ch in nudge.fix), "the fix should show a measurable example"


@pytest.mark.parametrize(
    "sentence",
    ["Discussed feelings re: job and stress.", "Provided support and validation."],
)
def test_other_vague_phrases_fire(app: App, sentence: str) -> None:
    session = make_session(MOOD + RISK + sentence + " " + INTERVENTION + PLAN)
    [nudge] = nudges_for(app, session, "vague_language")
    assert all(t.lower() in sentence.lower() for t in evidence_text(nudge, session))


def test_a_clients_own_words_are_not_judged_as_vague(app: App) -> None:
    session = make_session(
        "T: How was the week?\nC: I'm doing better, honestly.\n"
        "T: Any thoughts of suicide?\nC: No.\n"
        "T: Your homework is to practice the breathing twice a day.\nC: Okay, I will.\n"
    )
    assert "vague_language" not in codes_for(app, session)


def test_stigmatizing_language_offers_the_alternative(app: App) -> None:
    session = CASES["stigmatizing_language"][0]()
    [nudge] = nudges_for(app, session, "stigmatizing_language")
    assert evidence_text(nudge, session) == ["alcoholic"]
    assert "alcohol use disorder" in nudge.fix


def test_a_client_describing_themself_is_not_stigmatizing_language(app: App) -> None:
    session = make_session(
        "T: How was the week?\nC: I'm an addict, that's all I am.\n"
        "T: Any thoughts of suicide?\nC: No.\n"
        "T: Your homework is to practice the breathing twice a day.\nC: Okay, I will.\n"
    )
    assert "stigmatizing_language" not in codes_for(app, session)


def test_process_note_evidence_is_the_clinicians_sentence(app: App) -> None:
    session = CASES["psychotherapy_note_content"][0]()
    [nudge] = nudges_for(app, session, "psychotherapy_note_content")
    assert evidence_text(nudge, session) == ["I suspect she is hiding how much she drinks."]


@pytest.mark.parametrize(
    "label", ["Note to self", "Private", "Countertransference", "Personal note to self", "My process notes"]
)
def test_a_labelled_private_section_is_flagged_and_kept_out_of_every_note(app: App, label: str) -> None:
    """HIPAA psychotherapy notes: the clinician's own reactions and hunches stay apart from the
    record. A labelled line is never read into the draft, and review says where it is."""
    private = f"{label}: felt tense when she talked about the lake house, bring to supervision."
    session = make_session("D: " + MOOD + RISK + INTERVENTION + "\n" + private + "\nP: " + PLAN)
    note = draft(app, session)
    [nudge] = [n for n in note.nudges if n.code == "psychotherapy_note_content"]
    assert evidence_text(nudge, session) == [private]
    body = " ".join(s.text for sec in note.sections for s in sec.sentences)
    assert "lake house" not in body and "supervision" not in body
    assert "5/10" in body  # the clinical lines around it are still read


def test_third_party_detail_about_the_clients_own_name_is_not_third_party(app: App) -> None:
    session = make_session(
        MOOD + "Delphine was arrested for DUI last wk. " + RISK + INTERVENTION + PLAN, client_name="Delphine"
    )
    assert "third_party_detail" not in codes_for(app, session)


def test_third_party_detail_evidence_covers_the_sentence_naming_them(app: App) -> None:
    session = CASES["third_party_detail"][0]()
    [nudge] = nudges_for(app, session, "third_party_detail")
    [span] = evidence_text(nudge, session)
    assert "Delphine" in span and "arrested" in span


# ------------------------------------------------------------------------------ content
def test_intervention_without_response_points_at_the_intervention(app: App) -> None:
    session = CASES["intervention_without_response"][0]()
    [nudge] = nudges_for(app, session, "intervention_without_response")
    assert any("breathing" in t for t in evidence_text(nudge, session))


def test_reviewing_homework_needs_no_response(app: App) -> None:
    session = make_session(MOOD + RISK + "Reviewed activity log. " + PLAN)
    assert "intervention_without_response" not in codes_for(app, session)


def test_no_goal_link_is_quiet_without_goals(app: App) -> None:
    assert "no_goal_link" not in codes_for(app, make_session(CLEAN))


@pytest.mark.parametrize("plan", ["HW: paced breathing 2x daily.", "Next session 3/9 at 10:00."])
def test_homework_or_a_next_session_alone_makes_the_plan_specific(app: App, plan: str) -> None:
    session = make_session(MOOD + RISK + INTERVENTION + plan)
    assert "plan_not_specific" not in codes_for(app, session)


# ------------------------------------------------------------------------------ cloned notes
def test_identical_prior_note_is_flagged_as_cloned_with_its_date(app: App) -> None:
    session = CASES["cloned_note"][0]()
    [nudge] = nudges_for(app, session, "cloned_note")
    assert "2026-02-23" in nudge.message


def test_a_note_differing_only_in_session_number_is_cloned(app: App) -> None:
    session = make_session("Session 5. " + CLEAN, prior_notes=(prior("Session 4. " + CLEAN),))
    assert nudges_for(app, session, "cloned_note")


def test_whitespace_and_case_do_not_hide_a_clone(app: App) -> None:
    carried = "  ".join(CLEAN.upper().split())
    session = make_session(CLEAN, prior_notes=(prior(carried),))
    assert nudges_for(app, session, "cloned_note")


def test_only_one_cloned_nudge_naming_the_latest_match(app: App) -> None:
    session = make_session(CLEAN, prior_notes=(prior(CLEAN, day=16), prior(CLEAN, day=23)))
    [nudge] = nudges_for(app, session, "cloned_note")
    assert "2026-02-23" in nudge.message


def test_a_similar_session_with_new_content_is_not_cloned(app: App) -> None:
    earlier = (
        "Cl reports mood 3/10, sleep 4 hrs/night. Denies SI, plan or intent. Started activity log; "
        "scheduled 2 walks. HW: activity log daily. Next session 2/23 at 10:00."
    )
    session = make_session(CLEAN, prior_notes=(prior(earlier),))
    assert nudges_for(app, session, "cloned_note") == []


# ------------------------------------------------------------------------------ contradictions
def test_attempt_history_contradicting_a_prior_note_is_flagged(app: App) -> None:
    session = CASES["contradiction_with_prior"][0]()
    [nudge] = nudges_for(app, session, "contradiction_with_prior")
    assert "2026-02-23" in nudge.message
    assert any("attempt" in t for t in evidence_text(nudge, session))


def test_attempt_history_denied_in_both_is_no_contradiction(app: App) -> None:
    session = make_session(
        MOOD + RISK + "No hx of suicide attempts. " + INTERVENTION + PLAN,
        prior_notes=(prior("Intake. Denies SI. No hx of suicide attempts."),),
    )
    assert nudges_for(app, session, "contradiction_with_prior") == []


def test_past_self_harm_contradicting_a_prior_denial_is_flagged(app: App) -> None:
    session = make_session(
        MOOD + RISK + "Hx of self-harm (cutting) at age 15, none in past 5 years. " + INTERVENTION + PLAN,
        prior_notes=(prior("Intake. Denies SI. Denies hx of self-harm."),),
    )
    [nudge] = nudges_for(app, session, "contradiction_with_prior")
    assert "self-harm" in nudge.message


def test_medication_denied_now_but_taken_per_prior_note_is_flagged(app: App) -> None:
    session = make_session(
        MOOD
        + RISK
        + "Cl denies taking any psychiatric medication; says she was never prescribed any. "
        + INTERVENTION
        + PLAN,
        prior_notes=(prior("Denies SI. Taking sertraline 100 mg daily as prescribed."),),
    )
    assert nudges_for(app, session, "contradiction_with_prior")


def test_a_medication_change_is_not_a_contradiction(app: App) -> None:
    session = make_session(
        MOOD
        + RISK
        + "Cl stopped taking sertraline 2 weeks ago d/t nausea; prescriber aware. "
        + INTERVENTION
        + PLAN,
        prior_notes=(prior("Denies SI. Taking sertraline 100 mg daily as prescribed."),),
    )
    assert nudges_for(app, session, "contradiction_with_prior") == []


def test_diagnosis_history_contradicting_a_prior_note_is_flagged(app: App) -> None:
    session = make_session(
        MOOD
        + RISK
        + "Cl reports she has never been diagnosed with any mental health condition. "
        + INTERVENTION
        + PLAN,
        prior_notes=(prior("Denies SI. Dx: major depressive disorder, recurrent, moderate (F33.1)."),),
    )
    session = with_diagnoses(session, Diagnosis("F33.1", "Major depressive disorder, recurrent, moderate"))
    assert nudges_for(app, session, "contradiction_with_prior")


def test_a_diagnosis_on_file_matching_the_prior_note_is_no_contradiction(app: App) -> None:
    session = make_session(
        CLEAN, prior_notes=(prior("Denies SI. Dx: major depressive disorder, recurrent, moderate (F33.1)."),)
    )
    session = with_diagnoses(session, Diagnosis("F33.1", "Major depressive disorder, recurrent, moderate"))
    assert nudges_for(app, session, "contradiction_with_prior") == []


# ------------------------------------------------------------------------------ times and billing
@pytest.mark.parametrize(
    ("start", "end", "missing"),
    [(None, None, "start and end"), (time(10, 0), None, "end"), (None, time(10, 50), "start")],
)
def test_missing_session_times_names_what_is_missing(
    app: App, start: time | None, end: time | None, missing: str
) -> None:
    session = make_session(CLEAN, start=start, end=end)
    [nudge] = nudges_for(app, session, "missing_session_times")
    assert f"{missing} time" in nudge.message


def test_cpt_mismatch_points_at_the_code_and_suggests_the_right_one(app: App) -> None:
    session = CASES["cpt_time_mismatch"][0]()
    [nudge] = nudges_for(app, session, "cpt_time_mismatch")
    assert any("90837" in t for t in evidence_text(nudge, session))
    assert "90834" in nudge.message and "50" in nudge.message


def test_cpt_in_text_is_not_judged_without_session_times(app: App) -> None:
    session = make_session(CLEAN + " CPT 90837.", start=None, end=None)
    assert "cpt_time_mismatch" not in codes_for(app, session)


def test_family_code_fits_a_family_session(app: App) -> None:
    session = make_session(CLEAN + " CPT 90847.", session_type="family", end=time(10, 55))
    assert "cpt_time_mismatch" not in codes_for(app, session)


# ------------------------------------------------------------------------------ the rule examples
def _phrase_examples() -> Iterator[Any]:
    """Each phrase cue in checks.yaml carries example sentences that must (not) raise its code."""
    known_failures = {
        # two-letter names are never recognised as names (extraction/people.py skips len < 3)
        "Pt's girlfriend Jo is on probation for possession.": "names shorter than 3 letters are not found",
    }
    config = loader.load("checks/checks.yaml", "checks")
    for check in config["checks"]:
        for key in ("phrases", "sensitive"):
            for phrase in check.get(key, []):
                for should, which in ((True, "match"), (False, "no_match")):
                    for i, example in enumerate(phrase.get("examples", {}).get(which, [])):
                        marks = []
                        if example in known_failures:
                            marks.append(pytest.mark.xfail(strict=True, reason=known_failures[example]))
                        yield pytest.param(
                            check["code"], example, should, id=f"{phrase['id']}:{which}:{i}", marks=marks
                        )


PHRASE_EXAMPLES = list(_phrase_examples())


def test_check_phrases_carry_examples() -> None:
    assert len(PHRASE_EXAMPLES) >= 20


@pytest.mark.parametrize(("code", "example", "should_fire"), PHRASE_EXAMPLES)
def test_check_phrase_example(app: App, code: str, example: str, should_fire: bool) -> None:
    session = make_session(example)
    fired = nudges_for(app, session, code)
    if should_fire:
        assert fired, f"{code} did not fire on {example!r}"
        for nudge in fired:
            assert_well_formed(nudge, session)
    else:
        assert not fired, f"{code} fired on {example!r}"


# ------------------------------------------------------------------------------ the registry
def test_a_configured_code_without_a_registered_check_is_a_rule_file_error(app: App) -> None:
    config = {"checks": [{"code": "no_such_check", "severity": "warning", "message": "m", "fix": "f"}]}
    with pytest.raises(RuleFileError, match="no_such_check"):
        Reviewer(config, app.knowledge.cpt, app.knowledge.instruments)


def test_a_plugin_check_registers_and_runs_like_a_built_in(app: App) -> None:
    registry = CheckRegistry()

    @registry.register("mentions_pool")
    def mentions_pool(ctx: ReviewContext, cfg: CheckConfig) -> list[Nudge]:
        at = ctx.session.text.find("pool")
        return [] if at < 0 else [cfg.nudge([], word="pool")]

    config = {
        "checks": [
            {
                "code": "mentions_pool",
                "severity": "info",
                "message": "Mentions {word}.",
                "fix": "Check {word}.",
            }
        ]
    }
    reviewer = Reviewer(config, app.knowledge.cpt, app.knowledge.instruments, registry=registry)
    session = make_session("Cl swam at the pool twice. " + RISK + PLAN)
    note = draft_note(session, "soap", app.extractor, app.composer, reviewer)
    assert [(n.code, n.message, n.fix) for n in note.nudges] == [
        ("mentions_pool", "Mentions pool.", "Check pool.")
    ]
    quiet = draft_note(make_session(CLEAN), "soap", app.extractor, app.composer, reviewer)
    assert quiet.nudges == ()


def test_lethal_means_denied_before_and_present_now_is_flagged(app: App) -> None:
    session = make_session(
        MOOD
        + "Denies SI/HI. Cl disclosed she keeps her late father's rifle under the bed, loaded. "
        + INTERVENTION
        + PLAN,
        prior_notes=(prior("Intake. Denies SI/HI. No firearms or other weapons in the home."),),
    )
    [nudge] = nudges_for(app, session, "contradiction_with_prior")
    assert "lethal means" in nudge.message


def test_lethal_means_denied_in_both_is_no_contradiction(app: App) -> None:
    session = make_session(
        MOOD + "Denies SI/HI. No firearms in the home. " + INTERVENTION + PLAN,
        prior_notes=(prior("Intake. Denies SI/HI. No firearms or other weapons in the home."),),
    )
    assert nudges_for(app, session, "contradiction_with_prior") == []


def test_the_clients_own_suicidal_thoughts_are_never_withheld_as_someone_elses(app: App) -> None:
    """A partner named one sentence earlier does not make "they" in the client's own report of
    ideation the partner's: the sentence stays in the note and no third-party nudge fires."""
    session = make_session(
        "Partner Oswin moved out Sunday. Client says they have been thinking about killing themself "
        "every night since. Denies plan or intent. " + INTERVENTION + PLAN
    )
    note = draft(app, session)
    assert "third_party_detail" not in {n.code for n in note.nudges}
    body = " ".join(s.text for sec in note.sections for s in sec.sentences)
    assert "active suicidal ideation" in body


def test_a_friends_suicidal_crisis_told_by_the_client_is_withheld_and_flagged(app: App) -> None:
    session = make_session(
        MOOD
        + "Her roommate Dani told her she has been thinking about suicide since the breakup. "
        + RISK
        + INTERVENTION
        + PLAN
    )
    note = draft(app, session)
    assert "third_party_detail" in {n.code for n in note.nudges}
    body = " ".join(s.text for sec in note.sections for s in sec.sentences)
    assert "breakup" not in body and "Dani" not in body
