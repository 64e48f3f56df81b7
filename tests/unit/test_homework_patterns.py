"""Homework patterns that new clinicians write in their own words.

Each test names a documentation habit, not a case: a recording step that points back to its task,
an "assigned" heading over a numbered list, a commitment given in reply to an invitation, a week's
practice labelled in a narrative note, and the near-misses that must stay out (a target on its
own, "I'll try it", the next call, a measure completed before the visit).
"""

from __future__ import annotations

from collections.abc import Callable

from notewell.domain.facts import Facts


def homework(extract: Callable[..., Facts], text: str, **kw: object) -> list[str]:
    return [h.text for h in extract(text, **kw).homework]


# ---------------------------------------------------------------- a step of the task before it
def test_logging_the_task_in_the_same_sentence_is_one_item(extract: Callable[..., Facts]) -> None:
    """'…and log it in the planner': 'log' is the verb of a second step, not a second task."""
    items = homework(
        extract,
        "HW: try one grounding skill each evening and log it in the back of the planner.",
    )
    assert items == ["try one grounding skill each evening and log it in the back of the planner"]


def test_a_pointer_after_a_semicolon_stays_with_its_task(extract: Callable[..., Facts]) -> None:
    items = homework(extract, "Plan: walk to the mailbox 3x this wk; tick them off on the fridge list.")
    assert items == ["walk to the mailbox 3x this wk; tick them off on the fridge list"]


def test_a_pointer_in_the_next_sentence_joins_the_task(extract: Callable[..., Facts]) -> None:
    items = homework(
        extract,
        "T: For this week: practice the grounding each morning. Mark it on the card.\nC: Okay.",
    )
    assert len(items) == 1
    assert "grounding" in items[0] and "card" in items[0]


def test_a_rating_around_an_exposure_is_part_of_it(extract: Callable[..., Facts]) -> None:
    items = homework(
        extract,
        "Homework: take the escalator at the mall Sat and Sun and rate SUDS before and after.",
    )
    assert items == ["take the escalator at the mall Sat and Sun and rate SUDS before and after"]


def test_an_unrelated_second_task_is_still_its_own_item(extract: Callable[..., Facts]) -> None:
    items = homework(
        extract,
        "Plan: walk to the mailbox 3x this wk; call the dentist Monday to book a cleaning.",
    )
    assert len(items) == 2


# ---------------------------------------------------------------- list markers and headings
def test_a_number_closing_a_bracket_is_not_an_item_marker(extract: Callable[..., Facts]) -> None:
    items = homework(extract, "HW: take the bus (line 12) to the library Tue and Thu.")
    assert items == ["take the bus (line 12) to the library Tue and Thu"]


def test_numbered_items_still_split(extract: Callable[..., Facts]) -> None:
    assert len(homework(extract, "HW: (1) paced breathing 2x daily (2) sleep diary nightly")) == 2


def test_an_assigned_heading_makes_the_numbered_lines_below_homework(extract: Callable[..., Facts]) -> None:
    text = (
        "CLIENT RESPONSE: engaged.\n"
        "HOMEWORK ASSIGNED:\n"
        "  1. Sleep diary nightly.\n"
        "  2. Paced breathing twice daily.\n"
        "NEXT APPOINTMENT: 04/02 10:00"
    )
    assert homework(extract, text) == ["Sleep diary nightly", "Paced breathing twice daily"]


def test_the_same_lines_without_an_assigned_heading_are_not_homework(extract: Callable[..., Facts]) -> None:
    text = "CLIENT RESPONSE: engaged.\n  1. Sleep diary nightly.\n  2. Paced breathing twice daily."
    assert homework(extract, text) == []


# ---------------------------------------------------------------- commitments and requests
def test_a_commitment_given_to_an_invitation_is_homework(extract: Callable[..., Facts]) -> None:
    text = "T: Would you like that to be your step this week?\nC: Yes. I'll phone my aunt Sunday."
    assert homework(extract, text) == ["I'll phone my aunt Sunday"]


def test_a_plan_told_in_reply_to_small_talk_is_not_homework(extract: Callable[..., Facts]) -> None:
    text = "T: How was your week?\nC: Fine. I'll see my aunt Sunday."
    assert homework(extract, text) == []


def test_willing_to_keep_track_is_a_request(extract: Callable[..., Facts]) -> None:
    text = "T: Would you be willing to keep track of the nights you wake before five?\nC: Sure."
    assert homework(extract, text) == ["keep track of the nights you wake before five"]


def test_ill_try_it_agrees_to_the_plan_and_is_no_task(extract: Callable[..., Facts]) -> None:
    text = "T: What would you like to try this week?\nC: Walk to the mailbox every morning. I'll try it."
    assert homework(extract, text) == ["Walk to the mailbox every morning"]


def test_this_week_then_an_instruction_assigns_it(extract: Callable[..., Facts]) -> None:
    text = "T: This week, try the 4-7-8 breathing every night before bed.\nC: Can I do it with music?"
    assert homework(extract, text) == ["try the 4-7-8 breathing every night before bed"]


def test_this_week_then_a_remark_assigns_nothing(extract: Callable[..., Facts]) -> None:
    text = "T: This week, you seemed calmer at night with the breathing every night.\nC: Yeah."
    assert homework(extract, text) == []


# ---------------------------------------------------------------- narrative notes
def test_a_labelled_assignment_in_a_narrative_note(extract: Callable[..., Facts]) -> None:
    text = (
        "Home practice for the coming week, which she agreed to: listen to the body-scan audio "
        "nightly. She also agreed to continue the mood log at least four days this week."
    )
    items = homework(extract, text)
    assert len(items) == 2
    assert "body-scan" in items[0] and "mood log" in items[1]


def test_agreeing_to_continue_therapy_is_not_homework(extract: Callable[..., Facts]) -> None:
    assert homework(extract, "She agreed to continue weekly therapy.") == []


# ---------------------------------------------------------------- near misses
def test_a_target_on_its_own_is_not_a_task(extract: Callable[..., Facts]) -> None:
    items = homework(extract, "P: urge surfing whenever cravings hit; aim for 4 before next session.")
    assert items == ["urge surfing whenever cravings hit"]


def test_the_next_call_is_scheduling(extract: Callable[..., Facts]) -> None:
    assert homework(extract, "Plan: mood chart nightly. Next call 1 wk.") == ["mood chart nightly"]


def test_a_measure_completed_before_the_visit_is_not_homework(extract: Callable[..., Facts]) -> None:
    items = homework(
        extract,
        "Plan: walk 3x this week; GAD-7 completed in the waiting room before the visit: 11.",
    )
    assert items == ["walk 3x this week"]
