"""Risk extraction: the traps a note generator must not fall into (CLINICAL_REFERENCE §4).

Every sentence here is synthetic and written for these tests.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from notewell.domain.session import MeasureInput

Risk = Callable[..., dict[str, str]]


def test_denied_si_is_not_reported_as_risk(risk: Risk) -> None:
    r = risk("Risk: Denies SI, plan or intent. Denies HI.")
    assert r["suicidal_ideation"] == "denied"
    assert r["suicide_plan"] == "denied"
    assert r["suicide_intent"] == "denied"
    assert r["homicidal_ideation"] == "denied"


@pytest.mark.parametrize(
    "text",
    [
        "SI: none.",
        "SI/HI: denies.",
        "-SI/HI this visit.",
        "No SI reported today.",
        "C-SSRS screen negative.",
        "Risk: SI/HI -. Sleep improved.",
        "SI (-) this week.",
        "Neg for SI/HI.",
    ],
)
def test_shorthand_negations_deny_ideation(risk: Risk, text: str) -> None:
    assert risk(text)["suicidal_ideation"] == "denied"


def test_not_asked_is_not_denied(risk: Risk) -> None:
    r = risk("Cl discussed a stressful week at work and practiced paced breathing.")
    assert r["suicidal_ideation"] == "not_assessed"
    assert r["safety_plan"] == "not_documented"


def test_passive_wish_survives_a_denial_of_active_si(risk: Risk) -> None:
    r = risk("Denies SI but says she sometimes wishes she could go to sleep and not wake up.")
    assert r["suicidal_ideation"] == "passive"


def test_active_ideation_outranks_a_denial(risk: Risk) -> None:
    assert (
        risk("Denies plan. Reports thoughts of killing himself most nights this week.")["suicidal_ideation"]
        == "active"
    )


def test_hypothetical_and_psychoeducation_are_not_the_clients_risk(risk: Risk) -> None:
    r = risk("Reviewed what to do if thoughts of suicide come up over the holiday: call 988.")
    assert r["suicidal_ideation"] == "not_assessed"


def test_historical_ideation_is_not_current(risk: Risk) -> None:
    r = risk("Hx of SI in high school.")
    assert r["suicidal_ideation"] == "not_assessed"


def test_history_then_current_denial(risk: Risk) -> None:
    assert risk("Hx of SI in 2019, none since.")["suicidal_ideation"] == "denied"


def test_family_history_is_someone_elses_attempt(risk: Risk) -> None:
    r = risk("Cl's father attempted suicide when she was ten; Cl denies any personal hx of suicide attempts.")
    assert r["suicide_attempt_history"] == "denied"


def test_client_speaking_about_a_relative_is_not_their_attempt(risk: Risk) -> None:
    text = "T: Any family history of suicide?\nC: My uncle. He attempted suicide after the divorce."
    assert risk(text)["suicide_attempt_history"] == "not_assessed"


@pytest.mark.parametrize(
    "text",
    [
        "C: This commute is killing me.",
        "C: My dad is going to kill me when he sees the bill.",
        "C: I could kill my brother for telling everyone, not literally.",
        "C: I wanted to strangle him. (laughs) I mean, not really.",
    ],
)
def test_figures_of_speech_are_not_homicidal_ideation(risk: Risk, text: str) -> None:
    assert risk(text)["homicidal_ideation"] == "not_assessed"


def test_abbreviations_are_case_sensitive(risk: Risk) -> None:
    r = risk("T: Hi, come on in.\nC: hi. Si, I made it.")
    assert r["homicidal_ideation"] == "not_assessed"
    assert r["suicidal_ideation"] == "not_assessed"


def test_screening_question_is_read_with_its_answer(risk: Risk) -> None:
    text = "T: Any thoughts of ending your life lately?\nC: No, never. I want to see my grandkids grow up."
    assert risk(text)["suicidal_ideation"] == "denied"


def test_yes_to_a_screening_question_is_ideation(risk: Risk) -> None:
    text = "T: Have you been having thoughts of killing yourself?\nC: Yeah. A few times this week."
    assert risk(text)["suicidal_ideation"] == "active"


def test_answer_in_own_words_decides_the_kind_of_ideation(risk: Risk) -> None:
    text = (
        "T: Any thoughts of being dead, or of killing yourself?\n"
        "C: Sometimes I think they'd be better off without me. Nothing more than that."
    )
    assert risk(text)["suicidal_ideation"] == "passive"


def test_in_family_sessions_only_the_clients_answer_counts(risk: Risk) -> None:
    text = (
        "Therapist: Any thoughts of hurting yourself, or of being dead?\n"
        "Dad: No, nothing like that.\n"
        "Sam: Sometimes I wish I was dead.\n"
    )
    r = risk(text, session_type="family", participants=("Sam", "Dad"), client_name="Sam")
    assert r["suicidal_ideation"] == "passive"


def test_group_members_risk_is_not_the_clients(risk: Risk) -> None:
    text = "Leader: Check-ins.\nJo: I cut myself again on Friday.\nRiley: I had a calmer week."
    r = risk(text, session_type="group", participants=("Leader", "Riley", "Jo"), client_name="Riley")
    assert r["self_harm"] == "not_assessed"


def test_self_harm_this_week_is_current(risk: Risk) -> None:
    assert risk("SH act Tues: scratched her forearms after an argument.")["self_harm"] == "current"


def test_self_harm_long_ago_is_past(risk: Risk) -> None:
    r = risk("Cl used to cut her arms in middle school; none in over a year, no current self-harm.")
    assert r["self_harm"] == "past"


def test_answer_not_now_but_used_to_is_past_self_harm(risk: Risk) -> None:
    text = "T: Any hurting yourself on purpose, like cutting?\nC: Not now. I used to, back in ninth grade."
    assert risk(text)["self_harm"] == "past"


def test_checklist_only_risk_is_kept(risk: Risk) -> None:
    r = risk("Session focused on sleep routine.", checklist_risk={"suicidal_ideation": "passive"})
    assert r["suicidal_ideation"] == "passive"


def test_checklist_denial_does_not_erase_ideation_in_the_text(risk: Risk) -> None:
    r = risk("Reports thoughts of suicide twice this week.", checklist_risk={"suicidal_ideation": "denied"})
    assert r["suicidal_ideation"] == "active"


def test_phq9_item_9_above_zero_is_never_denied(risk: Risk) -> None:
    items = (1, 1, 1, 1, 1, 1, 1, 1, 2)
    r = risk("Denies SI.", measures=(MeasureInput("PHQ-9", items=items),))
    assert r["suicidal_ideation"] == "passive"


def test_measure_only_item_9_zero_is_a_statement_on_ideation(risk: Risk) -> None:
    r = risk("Reviewed sleep diary.", measures=(MeasureInput("PHQ-9", items=(1, 1, 1, 1, 1, 1, 1, 1, 0)),))
    assert r["suicidal_ideation"] == "denied"


def test_plan_and_means_are_read_near_ideation(risk: Risk) -> None:
    r = risk(
        "Reports daily SI. Plan: overdose on stockpiled sleeping pills kept in her nightstand. Intent 4/10."
    )
    assert r["suicide_plan"] == "present"
    assert r["means_access"] == "present"
    assert r["suicide_intent"] == "present"


def test_plan_word_outside_a_risk_context_is_not_a_suicide_plan(risk: Risk) -> None:
    assert risk("We made a plan for the weekend: two walks.")["suicide_plan"] == "not_assessed"


def test_firearms_held_by_someone_else_are_not_access(risk: Risk) -> None:
    text = "T: Are the guns still with your brother?\nC: Yeah, he has the key."
    assert risk(text)["means_access"] == "denied"


def test_abuse_disclosure_by_another_person_is_reported(risk: Risk) -> None:
    r = risk("Cl disclosed that her stepmother hit her with a belt last weekend. CPS report made.")
    assert r["abuse_neglect"] == "reported"


def test_safety_plan_reviewed_by_the_therapist_counts(risk: Risk) -> None:
    text = "T: Let's pull up your safety plan and see what you'd change.\nC: Add my neighbor."
    assert risk(text)["safety_plan"] == "reviewed"


def test_safety_plan_created_outranks_reviewed(risk: Risk) -> None:
    r = risk("Reviewed old safety plan; completed a new Stanley-Brown safety plan together.")
    assert r["safety_plan"] == "created"


def test_safety_plan_for_next_time_is_not_documented(risk: Risk) -> None:
    assert risk("Will create a safety plan next session.")["safety_plan"] == "not_documented"


def test_evidence_points_at_the_words(extract: Callable[..., object]) -> None:
    text = "Mood low. Denies SI. Slept 5 hrs."
    facts = extract(text)
    ev = facts.risk["suicidal_ideation"].evidence  # type: ignore[attr-defined]
    assert ev and text[ev[0].start : ev[0].end] == "SI"


def test_a_reported_screening_question_is_read_with_its_answer(risk: Risk) -> None:
    """ "I asked about suicidal thinking" is not ideation; the next sentence says what was found."""
    asked_then_denied = risk("I asked him directly about suicidal thoughts. He said no, not this month.")
    assert asked_then_denied["suicidal_ideation"] == "denied"
    asked_then_none = risk("I asked about suicidal thinking. No thoughts of suicide were reported.")
    assert asked_then_none["suicidal_ideation"] == "denied"
    asked_only = risk("I asked about suicidal thinking before we ended.")
    assert asked_only["suicidal_ideation"] == "not_assessed"
    endorsed = risk("Asked about thoughts of killing himself, which he acknowledged.")
    assert endorsed["suicidal_ideation"] == "active"


def test_an_act_done_to_die_is_an_attempt(risk: Risk) -> None:
    r = risk("At twenty he drove his truck off the levee road on purpose, intending to die.")
    assert r["suicide_attempt_history"] == "reported"


def test_a_relatives_attempt_opening_the_sentence_is_theirs(risk: Risk) -> None:
    r = risk(
        "Her aunt has a long history of bipolar disorder and made a suicide attempt in 2011. "
        "Client denies ever attempting suicide."
    )
    assert r["suicide_attempt_history"] == "denied"


def test_the_client_owns_an_overdose_a_relative_discovered(risk: Risk) -> None:
    r = risk("Her mother found her after she overdosed on her sleeping pills in May.")
    assert r["suicide_attempt_history"] == "reported"


def test_a_presupposed_cut_is_not_answered_away(risk: Risk) -> None:
    r = risk(
        "T: When you cut on Tuesday, were you trying to kill yourself?\nC: No, I just wanted to feel calm."
    )
    assert r["self_harm"] == "current"
    assert r["suicidal_ideation"] == "denied"


def test_conditional_wish_not_to_wake_is_passive_ideation(risk: Risk) -> None:
    r = risk(
        "T: Does your mind ever go to dying?\n"
        "C: Honestly? If I didn't wake up some morning, that would be okay."
    )
    assert r["suicidal_ideation"] == "passive"


def test_a_violent_image_of_a_real_person_is_homicidal_ideation(risk: Risk) -> None:
    r = risk("C: After the meeting I pictured hitting him with my car. I'm not joking about that.")
    assert r["homicidal_ideation"] == "present"


def test_interjections_do_not_hide_the_answer(risk: Risk) -> None:
    assert risk("T: Any thoughts of hurting anybody?\nC: Gosh, no.")["homicidal_ideation"] == "denied"


@pytest.mark.parametrize(
    "text",
    [
        "Cl disclosed past self-harm: cut her arms at 16, none since.",
        "Reports hx of cutting as a teen.",
        "History of self-harm in high school; none since.",
    ],
)
def test_self_harm_in_the_past_is_past_not_denied(risk: Risk, text: str) -> None:
    assert risk(text)["self_harm"] == "past"


def test_a_hesitation_before_the_answer_does_not_lose_it(risk: Risk) -> None:
    r = risk("T: Any thoughts of suicide since we last met?\nC: Can I... okay.\nC: No. Not this week.")
    assert r["suicidal_ideation"] == "denied"


def test_the_identified_client_in_a_family_file_is_the_first_participant() -> None:
    from tests.factories import make_session

    session = make_session("x", session_type="family", participants=("Ayla", "Renata", "Luis"))
    assert session.client_names == ("Ayla",)
    named = make_session("x", session_type="family", participants=("Mom", "Theo"), client_name="Theo")
    assert named.client_names == ("Theo",)
    assert make_session("x", session_type="family", participants=("Mom", "Dad", "Kit")).client_names == (
        "Kit",
    )


def test_another_group_members_disclosure_is_not_the_clients(risk: Risk) -> None:
    text = (
        "Note for: Dana K.\n"
        "Leader: Any thoughts of suicide or urges to self-harm since last week?\n"
        "Dana: Not this week.\n"
        "Omar: Urges to cut on Friday. I didn't act on it."
    )
    r = risk(text, session_type="group")
    assert r["suicidal_ideation"] == "denied"
    assert r["self_harm"] == "denied"
    assert r["suicide_intent"] == "not_assessed"  # Omar's "didn't act on it" is not Dana's intent


def test_a_field_label_does_not_outrank_its_own_denial(risk: Risk) -> None:
    assert (
        risk("Trauma/abuse: denies hx of physical or emotional abuse or neglect.")["abuse_neglect"]
        == "denied"
    )
    # the label carries the finding when the field names nothing of its own
    assert risk("SI: no plan, no intent.")["suicidal_ideation"] == "active"
    # a field answered yes and then described: the description, dated, is the finding
    assert risk("NSSI: Yes - burned herself with a lighter in 8th grade.")["self_harm"] == "past"
    assert risk("Self-injury: yes, scratched her arms on Saturday.")["self_harm"] == "current"
    assert risk("Self-harm: yes")["self_harm"] == "current"


def test_ticked_form_rows(risk: Risk) -> None:
    text = (
        "Suicidal thoughts:   [ ] Yes  [x] No\n"
        "Homicidal thoughts:  [x] Yes  [ ] No\n"
        "Abuse/neglect: [x] Known hx, reported 2024  [ ] None"
    )
    r = risk(text)
    assert r["suicidal_ideation"] == "denied"
    assert r["homicidal_ideation"] == "present"
    assert r["abuse_neglect"] == "reported"


def test_a_thing_killing_someone_is_a_figure_of_speech(risk: Risk) -> None:
    assert risk("He said the night shifts are killing him.")["homicidal_ideation"] == "not_assessed"
    assert risk("C: My boss is killing me and I could kill him, honestly.")["homicidal_ideation"] == "present"


def test_self_harm_dated_to_the_teens_then_none_since_is_past(risk: Risk) -> None:
    assert risk("Hx: cutting ages 14-16, none since. Denies current self-harm.")["self_harm"] == "past"


def test_an_intent_question_a_few_turns_after_the_ideation_is_answered(risk: Risk) -> None:
    text = (
        "T: Any thoughts of ending your life lately?\nC: Yes. A few times this month.\n"
        "T: Have you thought about how you would do it?\nC: No. It's more of a thought at night.\n"
        "T: Do you think you would act on it?\nC: No. My son needs me."
    )
    r = risk(text)
    assert (r["suicidal_ideation"], r["suicide_plan"], r["suicide_intent"]) == ("active", "denied", "denied")


def test_a_disclaimer_after_the_clinician_asks_about_the_words(risk: Risk) -> None:
    text = (
        "C: I swear I could kill him when he leaves the dishes.\n"
        "T: When you say you could kill him -\n"
        "C: Oh, no. It's an expression. I'd never lay a hand on him."
    )
    assert risk(text, session_type="couples")["homicidal_ideation"] != "present"
    undisclaimed = "C: I swear I could kill him.\nT: Tell me more.\nC: He lied to me again."
    assert risk(undisclaimed)["homicidal_ideation"] == "present"


def test_a_parent_answering_for_a_young_child_asked_about_by_name(risk: Risk) -> None:
    text = (
        "Therapist: Has Milo ever said anything about wanting to hurt himself or wanting to be dead?\n"
        "Dad: No. Never, nothing like that.\n"
        "Milo: Look at my tower!"
    )
    r = risk(text, session_type="family", participants=("Milo", "Dad"), client_name="Milo")
    assert r["suicidal_ideation"] == "denied"
    told = text.replace("No. Never, nothing like that.", "Yes. Last week he said he wished he was dead.")
    assert (
        risk(told, session_type="family", participants=("Milo", "Dad"), client_name="Milo")[
            "suicidal_ideation"
        ]
        == "passive"
    )


def test_thoughts_of_a_method_are_no_plan_when_the_plan_is_denied_outright(risk: Risk) -> None:
    """C-SSRS item 3 (a method in mind) is not item 5 (a worked-out plan)."""
    screened = "C-SSRS: yes to thoughts of killing himself, yes to thinking about a method. No to a plan."
    assert risk(screened)["suicide_plan"] == "denied"
    asked = "C: I think about killing myself.\nT: Have you thought about how you would do it?\nC: Pills."
    assert risk(asked)["suicide_plan"] == "present"


def test_a_bare_denial_answers_the_sentence_before_it(risk: Risk) -> None:
    r = risk("Thoughts of suicide during the divorce in 2021. Currently denies.")
    assert r["suicidal_ideation"] == "denied"
    # the history stays history: an attempt is not taken back by "denies now"
    r = risk("Overdosed on her mother's pills in 2019. Denies now.")
    assert r["suicide_attempt_history"] == "reported"
    # a sentence that says what it denies is not bare
    assert (
        risk("Thoughts of suicide in 2021. Currently denies cravings.")["suicidal_ideation"] == "not_assessed"
    )


def test_a_relation_told_or_argued_with_is_not_the_subject(risk: Risk) -> None:
    assert risk("Yesterday he told his sister he wanted to die.")["suicidal_ideation"] == "passive"
    assert (
        risk("She was furious at her husband and had thoughts of stabbing him.")["homicidal_ideation"]
        == "present"
    )
    # a relation described by a "who" clause is still its subject
    assert risk("She is close to her cousin, who attempted suicide last year.")[
        "suicide_attempt_history"
    ] == ("not_assessed")


def test_a_relatives_weapon_is_the_clients_access(risk: Risk) -> None:
    assert risk("Passive SI. Her father keeps two shotguns in the hall closet.")["means_access"] == "present"


def test_abuse_told_as_what_was_done_is_reported_however_old(risk: Risk) -> None:
    assert risk("He said a neighbor molested him when he was seven.")["abuse_neglect"] == "reported"
    assert risk("Hx of physical abuse by her first husband.")["abuse_neglect"] == "reported"
    assert risk("Denies hx of abuse or neglect.")["abuse_neglect"] == "denied"


def test_self_harm_that_stopped_is_past(risk: Risk) -> None:
    assert risk("He stopped burning himself after his first year of therapy.")["self_harm"] == "past"


def test_plain_speech_ideation_and_shorthand_without(risk: Risk) -> None:
    assert risk("Some nights she thinks about ending it all.")["suicidal_ideation"] == "active"
    r = risk("Endorses SI w/o plan.")
    assert r["suicidal_ideation"] == "active"
    assert r["suicide_plan"] == "denied"


def test_a_hesitant_answer_that_then_says_yes_is_yes(risk: Risk) -> None:
    text = "T: Have you had thoughts of killing yourself this week?\nC: I don't know. Maybe once or twice."
    assert risk(text)["suicidal_ideation"] == "active"
    text = "T: Have you had thoughts of killing yourself this week?\nC: (quiet) Here and there."
    assert risk(text)["suicidal_ideation"] == "active"


def test_a_pasted_screener_line_answers_its_own_question(risk: Risk) -> None:
    text = (
        "Columbia screen (past month):\n"
        "1. Have you wished you were dead or wished you could go to sleep and not wake up?  YES\n"
        "2. Have you had any actual thoughts of killing yourself?  NO\n"
        "Partner violence: Has your partner hit, shoved, or threatened to hurt you?  [ ] Yes  [x] No"
    )
    r = risk(text)
    assert r["suicidal_ideation"] == "passive"
    assert r["abuse_neglect"] == "denied"


def test_an_unticked_box_reports_nothing(risk: Risk) -> None:
    r = risk("Screen: [ ] SI   [ ] HI   [x] Hx of suicide attempt (2020)")
    assert r["suicidal_ideation"] == "not_assessed"
    assert r["homicidal_ideation"] == "not_assessed"
    assert r["suicide_attempt_history"] == "reported"


def test_a_month_well_before_the_session_dates_the_statement(risk: Risk) -> None:
    # the factory's session is on 2 March
    assert risk("She burned her wrist with a lighter in November. Not since.")["self_harm"] == "past"
    assert risk("She burned her wrist with a lighter in February.")["self_harm"] == "current"
    assert risk("He cut his forearm in December and again last night.")["self_harm"] == "current"


def test_a_year_well_before_the_session_dates_the_statement(risk: Risk) -> None:
    # the factory's session is on 2 March 2026
    text = "In the winter of 2019, after the divorce, he thought about driving his truck off an overpass."
    assert risk(text)["suicidal_ideation"] == "not_assessed"
    assert risk("She cut her thighs back in Feb. 2026, after the breakup.")["self_harm"] == "current"
    assert risk("She cut her thighs back in October 2025, after the breakup.")["self_harm"] == "past"
    assert risk("Thinking about killing himself on and off since 2024.")["suicidal_ideation"] == "active"


def test_self_harm_dated_inside_the_past_month_is_current(risk: Risk) -> None:
    assert risk("T: And the cutting?\nC: I haven't cut since Tuesday.")["self_harm"] == "current"
    assert risk("T: And the cutting?\nC: I haven't cut since I was sixteen.")["self_harm"] == "past"
    # an urge in the next clause dates no act
    text = "T: And the cutting?\nC: I haven't cut since I was sixteen, but last week I almost did."
    assert risk(text)["self_harm"] == "past"


def test_plan_and_intent_beside_affirmed_violence_are_not_suicides(risk: Risk) -> None:
    r = risk("HI: thoughts of hurting his landlord, daily. Denies plan. Denies intent.")
    assert r["homicidal_ideation"] == "present"
    assert r["suicide_plan"] == "not_assessed"
    assert r["suicide_intent"] == "not_assessed"
    r = risk("Denies SI/HI, plan, or intent.")
    assert r["suicide_plan"] == "denied"


def test_a_question_put_in_the_negative_is_confirmed_by_no(risk: Risk) -> None:
    text = "T: Never cut or burned yourself, anything like that?\nC: No, never."
    assert risk(text)["self_harm"] == "denied"


def test_the_self_harm_half_of_item_nine_is_not_a_report(risk: Risk) -> None:
    text = (
        "T: On the last item, thoughts that you'd be better off dead or of hurting yourself, you marked"
        " several days. Tell me about that?\nC: Some nights I think it would be easier if I didn't wake up."
    )
    r = risk(text)
    assert r["suicidal_ideation"] == "passive"
    assert r["self_harm"] == "not_assessed"


def test_angry_words_checked_and_disclaimed_are_denied_even_as_an_if(risk: Risk) -> None:
    text = (
        "Jo: If she borrows my car one more time I swear I'll kill her.\n"
        "Sam: She says that a lot.\n"
        "T: I ask everyone this: has either of you ever pushed, hit or threatened the other?\n"
        "Jo: No. Never. It's an expression."
    )
    assert risk(text, session_type="couples")["homicidal_ideation"] == "denied"


def test_threats_against_the_client_are_abuse_not_her_ideation(risk: Risk) -> None:
    r = risk("Danger assessment: choked yes; threats to kill her yes; weapon in the home no.")
    assert r["homicidal_ideation"] == "not_assessed"
    assert r["abuse_neglect"] == "reported"


def test_a_past_tense_wish_after_a_dated_attempt_is_history(risk: Risk) -> None:
    r = risk("C: When I was nineteen I took a bottle of my mom's pills. I wanted to die. I don't now.")
    assert r["suicide_attempt_history"] == "reported"
    assert r["suicidal_ideation"] != "passive"
    r = risk("C: In 2020 I overdosed. Last night I wanted to die again.")
    assert r["suicidal_ideation"] == "passive"


def test_a_weak_target_does_not_hide_a_strong_one(risk: Risk) -> None:
    # "keeps a handgun" needs other risk talk near it; "handgun" alone does not
    assert risk("Her brother keeps a handgun in the spare room.")["means_access"] == "present"


def test_thoughts_of_a_way_of_dying_are_active_ideation(risk: Risk) -> None:
    assert risk("He admits thoughts of steering into oncoming traffic.")["suicidal_ideation"] == "active"
    r = risk("Passive SI. Reports thoughts of driving her car into the river.")
    assert r["suicidal_ideation"] == "active"


def test_collateral_about_the_client_is_the_clients(risk: Risk) -> None:
    r = risk("Denies SI. Dad reports finding burns on the client's forearm on Sunday.")
    assert r["self_harm"] == "current"


def test_a_possessive_answer_says_there_is_a_weapon(risk: Risk) -> None:
    r = risk("T: Any guns in the home?\nC: My stepdad's. In his truck, I think.")
    assert r["means_access"] == "present"


def test_a_blank_form_row_reports_nothing(risk: Risk) -> None:
    text = (
        "Suicidal ideation:    ☐ Denied   ☐ Passive   ☐ Active\n"
        "Self-harm:            [ ] Denied [ ] Current [ ] Past"
    )
    r = risk(text)
    assert r["suicidal_ideation"] == "not_assessed"
    assert r["self_harm"] == "not_assessed"
    assert risk("Suicidal ideation: [x] Denied [ ] Passive")["suicidal_ideation"] == "denied"


def test_a_named_person_opening_the_sentence_owns_the_act(risk: Risk) -> None:
    text = "C: My sister Lena is in a program now. Lena took a bunch of her pills in April."
    assert risk(text)["suicide_attempt_history"] == "not_assessed"
    # a gun someone else keeps in the home is still within the client's reach
    text = "T: Any guns where you live?\nC: Tyler has a handgun in his closet. It's not locked."
    assert risk(text)["means_access"] == "present"
    # the client named in a group note reports, she does not act on someone else's behalf
    text = "Marisol denied SI when the facilitator checked in."
    r = risk(text, session_type="group", client_name="Marisol")
    assert r["suicidal_ideation"] == "denied"


def test_a_disclosure_carries_its_topic_to_the_next_weak_word(risk: Risk) -> None:
    text = (
        "T: Are you having thoughts of suicide?\n"
        "C: Not right now.\n"
        "T: What about earlier this week?\n"
        "C: Wednesday night I thought about just ending it. "
        "I looked up how many of my trazodone it would take.\n"
        "T: Where are the pills now?\n"
        "C: In the bathroom cabinet. A full bottle, I just refilled it."
    )
    r = risk(text)
    assert r["suicidal_ideation"] == "active"
    assert r["suicide_plan"] == "present"
    assert r["means_access"] == "present"


def test_history_written_after_the_word(risk: Risk) -> None:
    assert risk("SP to be completed next session given NSSI hx.")["self_harm"] == "past"
    assert risk("No self-harm hx per cl and per mom.")["self_harm"] == "denied"


def test_a_weapon_secured_in_the_same_sentence_is_out_of_reach(risk: Risk) -> None:
    text = (
        "Passive SI. Firearm: husband's handgun is in the home, stored in a locked gun safe; "
        "client states she does not know the combination."
    )
    assert risk(text)["means_access"] == "denied"
    # named in another sentence, access still stands
    text = "Passive SI. Husband keeps a handgun in the nightstand. The rifles are locked up with his brother."
    assert risk(text)["means_access"] == "present"
