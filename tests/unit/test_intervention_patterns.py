"""Interventions described in a clinician's own words, and look-alikes that are not delivery.

These sit beside the lexicon's per-rule examples: they assert the *technique* that reaches the
facts (after ``part_of``, unticked boxes and plan sections), which a rule's firing alone cannot show.
"""

from __future__ import annotations

from collections.abc import Callable

from notewell.domain.facts import Facts


def techniques(extract: Callable[..., Facts], text: str, **kw: object) -> set[str]:
    return {i.technique for i in extract(text, **kw).interventions}


def test_unticked_box_in_an_export_is_not_a_delivered_technique(extract: Callable[..., Facts]) -> None:
    text = "INTERVENTIONS: [X] Cognitive restructuring [ ] Behavioral activation [ ] Psychoeducation"
    assert techniques(extract, text) == {"cognitive_restructuring"}


def test_ticked_box_still_counts(extract: Callable[..., Facts]) -> None:
    assert "behavioral_activation" in techniques(extract, "Techniques used: [x] Behavioral activation")


def test_prompting_event_in_check_the_facts_is_not_a_chain_analysis(extract: Callable[..., Facts]) -> None:
    text = (
        "Taught check the facts. She named the prompting event (a friend's unanswered text) and "
        "checked whether her reading of it fit the facts."
    )
    assert techniques(extract, text) == {"emotion_regulation_skills"}


def test_prompting_event_alone_is_still_a_chain(extract: Callable[..., Facts]) -> None:
    text = "Prompting event: argument with roommate; vulnerability: 4 h sleep; urge to cut 8/10."
    assert "chain_analysis" in techniques(extract, text)


def test_paired_muscle_relaxation_taught_as_tipp_is_distress_tolerance(extract: Callable[..., Facts]) -> None:
    text = (
        "Taught TIPP: temperature, intense exercise, paced breathing, paired muscle relaxation. "
        "Practiced paced breathing together, in for 4 and out for 6."
    )
    assert techniques(extract, text) == {"distress_tolerance_skills"}


def test_rehearsal_run_again_on_both_sides_is_not_a_decisional_balance(extract: Callable[..., Facts]) -> None:
    text = "T: Good. Now let's run it once more, both sides, and this time slow down."
    assert "decisional_balance" not in techniques(extract, text)


def test_willingness_to_accept_help_is_not_act_willingness(extract: Callable[..., Facts]) -> None:
    text = "Protective factors: sister nearby, faith, willingness to accept a referral."
    assert "acceptance_willingness" not in techniques(extract, text)


def test_explaining_the_skill_being_taught_is_not_separate_psychoeducation(
    extract: Callable[..., Facts],
) -> None:
    text = "Taught opposite action for the urge to withdraw; writer explained the skill step by step."
    found = techniques(extract, text)
    assert "psychoeducation" not in found
    assert "emotion_regulation_skills" in found


def test_thought_examined_in_shorthand_is_restructuring(extract: Callable[..., Facts]) -> None:
    text = (
        'Examined the "I always ruin it" thought: she listed two dinners that went well. Belief 80% -> 50%.'
    )
    assert "cognitive_restructuring" in techniques(extract, text)


def test_ruler_answers_in_shorthand_are_a_readiness_ruler(extract: Callable[..., Facts]) -> None:
    text = "Importance 0-10 = 6; confidence 0-10 = 3. Asked what would move him from a 3 to a 4."
    assert {"readiness_ruler", "eliciting_change_talk"} <= techniques(extract, text)


def test_a_bare_confidence_rating_is_not_a_readiness_ruler(extract: Callable[..., Facts]) -> None:
    text = "Chose two steps toward being a present father; confidence in doing both 7/10."
    assert "readiness_ruler" not in techniques(extract, text)


def test_externalising_the_illness_twice_is_psychoeducation(extract: Callable[..., Facts]) -> None:
    text = (
        "T: Here's something I want both of you to hear. When she refuses the plate, "
        "that's the eating disorder talking, not your daughter."
    )
    assert "psychoeducation" in techniques(extract, text)


def test_coming_weeks_activities_planned_in_session_are_activity_scheduling(
    extract: Callable[..., Facts],
) -> None:
    text = "Planned next week's activities with set days: swim Mon 6pm, library Thu 4pm."
    assert "activity_scheduling" in techniques(extract, text)


def test_a_values_step_chosen_in_a_narrative_note_is_committed_action(extract: Callable[..., Facts]) -> None:
    text = (
        "She named being a patient mother as what matters most to her. "
        "She chose one small step in that direction."
    )
    assert {"values_clarification", "committed_action"} <= techniques(extract, text)


def test_a_warning_signs_question_is_not_socratic(extract: Callable[..., Facts]) -> None:
    text = "T: For the safety plan, what tells you a bad evening is starting?"
    assert "socratic_questioning" not in techniques(extract, text)
