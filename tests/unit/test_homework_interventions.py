"""Homework and interventions: delivered vs planned, assigned vs mentioned."""

from __future__ import annotations

from collections.abc import Callable

from notewell.domain.facts import Facts


def techniques(extract: Callable[..., Facts], text: str, **kw: object) -> set[str]:
    return {i.technique for i in extract(text, **kw).interventions}


def homework(extract: Callable[..., Facts], text: str, **kw: object) -> list[str]:
    return [h.text for h in extract(text, **kw).homework]


def test_delivered_technique_is_reported_with_its_modality(extract: Callable[..., Facts]) -> None:
    facts = extract("Practiced TIPP in session: cold water x2. Distress 8 -> 5.")
    assert [(i.technique, i.modality) for i in facts.interventions] == [("distress_tolerance_skills", "DBT")]


def test_planned_technique_is_not_delivered(extract: Callable[..., Facts]) -> None:
    assert techniques(extract, "Next session will begin exposure hierarchy.") == set()


def test_negated_technique_is_not_delivered(extract: Callable[..., Facts]) -> None:
    assert "bilateral_stimulation_processing" not in techniques(
        extract, "Did not start desensitization today."
    )


def test_plan_section_is_not_the_session(extract: Callable[..., Facts]) -> None:
    assert techniques(extract, "Plan: behavioral activation and thought record next week.") == set()


def test_implicit_socratic_move_is_part_of_cognitive_processing(extract: Callable[..., Facts]) -> None:
    text = "T: Let's use the Challenging Questions worksheet on that stuck point. What's the evidence for it?"
    assert techniques(extract, text) == {"cognitive_processing"}


def test_checklist_interventions_are_kept(extract: Callable[..., Facts]) -> None:
    facts = extract("Crisis visit, unscheduled.", checklist_interventions=("crisis_intervention",))
    item = next(i for i in facts.interventions if i.technique == "crisis_intervention")
    assert item.source == "checklist" and item.evidence  # points at "Crisis visit"


def test_reflections_in_a_non_mi_session_are_not_the_technique(extract: Callable[..., Facts]) -> None:
    text = "T: How was the week?\nC: Hard. I barely slept.\nT: It sounds like it wore you down.\nC: Yeah."
    assert "reflective_listening" not in techniques(extract, text, modality="CBT")


def test_plan_section_items_are_split_and_appointments_dropped(extract: Callable[..., Facts]) -> None:
    text = "P: (1) Thought record daily. (2) Walk Mon/Wed/Fri. (3) Next session 4/2 10:00."
    assert homework(extract, text) == ["Thought record daily", "Walk Mon/Wed/Fri"]


def test_clinician_tasks_and_continuing_treatment_are_not_homework(extract: Callable[..., Facts]) -> None:
    text = "Plan: continue weekly tx. This writer to call PCP. Repeat PHQ-9 in 4 wks. RTC 1 wk."
    assert homework(extract, text) == []


def test_therapist_assignment_in_a_transcript(extract: Callable[..., Facts]) -> None:
    text = "T: For this week: a five-minute worry time each evening. And log any panic attacks.\nC: Okay."
    assert homework(extract, text) == ["a five-minute worry time each evening", "log any panic attacks"]


def test_accepted_request_is_homework(extract: Callable[..., Facts]) -> None:
    text = "T: Could you bring your sleep diary next week?\nC: Sure."
    assert homework(extract, text) == ["bring your sleep diary next week"]


def test_declined_or_in_session_request_is_not_homework(extract: Callable[..., Facts]) -> None:
    text = "T: Would you be willing to try it right now, here?\nC: Okay."
    assert homework(extract, text) == []


def test_restated_task_is_one_item(extract: Callable[..., Facts]) -> None:
    text = (
        "T: Could you email the school counselor tonight?\n"
        "Mom: I'll email her tonight.\n"
        "T: So Mom emails the counselor tonight."
    )
    items = homework(extract, text, session_type="family", participants=("Mom",))
    assert len(items) == 1


def test_a_crisis_session_with_risk_assessed_and_a_safety_plan_is_crisis_intervention(
    extract: Callable[..., Facts],
) -> None:
    text = (
        "Walk-in for acute distress after eviction notice. Denies SI intent; passive SI this week. "
        "Collaboratively created a safety plan with coping steps and her sister's number."
    )
    assert "crisis_intervention" in techniques(extract, text, session_type="crisis")
    assert "crisis_intervention" not in techniques(extract, text, session_type="individual")


def test_narrative_homework_sentences_are_split_into_tasks(extract: Callable[..., Facts]) -> None:
    items = homework(
        extract,
        "Denies SI. Her homework is to add two coping statements to the card and to decide by Friday "
        "whether to show it to her partner.",
    )
    assert len(items) == 2 and "coping statements" in items[0] and "partner" in items[1]


def test_a_step_the_client_names_and_the_therapist_restates_is_homework(
    extract: Callable[..., Facts],
) -> None:
    text = (
        "T: What's one small step this week in that direction?\n"
        "C: I could call my brother on Sunday.\n"
        "T: Call on Sunday. And when the worry shows up, write it on the card.\n"
        "C: I can do that."
    )
    items = homework(extract, text)
    assert any("brother" in h for h in items) and any("card" in h for h in items)


def test_clinician_contact_is_not_homework(extract: Callable[..., Facts]) -> None:
    items = homework(
        extract, "T: For this week: practice the breathing twice a day. Call me if the urges get stronger."
    )
    assert items and not any(h.lower().startswith("call me") for h in items)


def test_a_second_step_on_the_same_object_is_one_task(extract: Callable[..., Facts]) -> None:
    items = homework(extract, "Plan: she will draft the chore chart and post it on the fridge by Sunday.")
    assert len(items) == 1 and "chore chart" in items[0]


def test_narrative_agreement_is_homework_split_per_task(extract: Callable[..., Facts]) -> None:
    text = "She agreed to phone her niece on Saturday and to try the bereavement group on Tuesday evening."
    assert homework(extract, text) == [
        "She agreed to phone her niece on Saturday",
        "try the bereavement group on Tuesday evening",
    ]


def test_pronoun_after_another_person_is_not_the_clients_task(extract: Callable[..., Facts]) -> None:
    text = "Grandmother joined at the end; she will call the pediatrician this week."
    assert homework(extract, text) == []


def test_clinician_first_person_is_not_homework(extract: Callable[..., Facts]) -> None:
    text = (
        "T: For this week: a mood log each evening. I'll call your prescriber this week about the dose.\n"
        "C: Okay."
    )
    assert homework(extract, text) == ["a mood log each evening"]


def test_plan_comma_list_of_tasks_is_split(extract: Callable[..., Facts]) -> None:
    text = "P: library Tues, swim M/W, return the borrowed drill; RTC 2 wks."
    assert homework(extract, text) == ["library Tues", "swim M/W", "return the borrowed drill"]


def test_plan_comma_qualifier_stays_with_its_task(extract: Callable[..., Facts]) -> None:
    text = "P: thought record when the dread shows up, at least 4x before next session."
    assert len(homework(extract, text)) == 1


def test_course_of_treatment_and_team_tasks_are_not_homework(extract: Callable[..., Facts]) -> None:
    text = (
        "Plan: weekly CBT x10-12 sessions. Sleep diary nightly. Writer to request records. "
        "Sess 3 next Mon 9am."
    )
    assert homework(extract, text) == ["Sleep diary nightly"]


def test_diary_card_review_is_not_homework_review(extract: Callable[..., Facts]) -> None:
    found = techniques(extract, "DBT indiv. Card 6/7 days; urges max 2/5. HW: card daily.")
    assert found == {"diary_card_review"}


def test_planned_exposure_exercise_is_not_delivered(extract: Callable[..., Facts]) -> None:
    assert "exposure" not in techniques(extract, "Next session we will try chair spinning.")


def test_crisis_session_that_assessed_risk_and_acted_is_crisis_intervention(
    extract: Callable[..., Facts],
) -> None:
    text = (
        "Walk-in. Reports thoughts of killing himself tonight, plan to overdose. "
        "Coached grounding, feet on the floor."
    )
    assert "crisis_intervention" in techniques(extract, text, session_type="crisis")


def test_a_when_split_off_a_list_item_stays_with_its_task(extract: Callable[..., Facts]) -> None:
    """'weekends included' names no task: it qualifies the wake time before it."""
    text = "Plan:\n- Fixed wake time 7:00 am daily, weekends included.\n- Sleep log nightly."
    items = homework(extract, text)
    assert items == ["Fixed wake time 7:00 am daily, weekends included", "Sleep log nightly"]


def test_the_rest_of_a_sentence_cut_at_an_initial_is_not_an_item(extract: Callable[..., Facts]) -> None:
    """'I will see E. individually on 10/23 at 4 pm' is the clinician's, not an item; 'J. will make
    flash cards tonight' is the client's (an initial followed by the rest of its sentence no longer
    ends the sentence, so the item keeps who does it)."""
    items = homework(
        extract,
        "Plan: J. will make flash cards tonight and review them Tue-Thu. Parents will save 988 in "
        "their phones tonight. I will see E. individually on 10/23 at 4 pm. Writer will check in "
        "with J. Friday after the test.",
    )
    assert items == [
        "J. will make flash cards tonight and review them Tue-Thu",
        "Parents will save 988 in their phones tonight",
    ]


def test_a_quoted_acceptance_is_the_task_it_accepts(extract: Callable[..., Facts]) -> None:
    """'Client: "I'll try the back road starting tomorrow."' after the assignment is one task."""
    items = homework(
        extract,
        "P: Client will drive the back road home instead of passing the bar on workdays this week. "
        'Client: "I\'ll try the back road starting tomorrow."',
    )
    assert items == ["Client will drive the back road home instead of passing the bar on workdays this week"]


def test_a_quoted_commitment_on_its_own_is_still_homework(extract: Callable[..., Facts]) -> None:
    items = homework(extract, "T: So what's the plan?\nC: \"I'll call my sister Saturday.\"")
    assert len(items) == 1 and "sister" in items[0]
