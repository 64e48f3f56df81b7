"""Measure scores in text, entered items and totals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from notewell.domain.facts import Facts
from notewell.domain.session import MeasureInput


def scores(extract: Callable[..., Facts], text: str, **kw: object) -> list[tuple[str, float]]:
    return [(m.instrument, m.score) for m in extract(text, **kw).measures]


@pytest.mark.parametrize(
    "text",
    [
        "PHQ-9 14.",
        "PHQ9=14.",
        "PHQ-9: 14",
        "She scored 14 on the PHQ-9.",
        "Her PHQ-9 today came out at 14.",
        "phq-9 score 14",
        "She completed the PHQ-9 in the waiting room and scored 14 today.",
        "T: Your PHQ-9 from the waiting room came out at 14.",
        "Completed the PHQ-9 at check-in: total 14.",
        "A: Small gain (PHQ9 17->14).",
        "Completed PHQ-9 (score 14, moderate).",
        "Administered the PHQ-9; total = 14.",
        "Depression screen (PHQ-9): 14.",
        "PHQ-9 (02/11): 14",
        "The PHQ-9 came back at 14.",
    ],
)
def test_common_ways_of_writing_a_score(extract: Callable[..., Facts], text: str) -> None:
    assert scores(extract, text) == [("PHQ-9", 14.0)]


def test_several_instruments_in_one_sentence(extract: Callable[..., Facts]) -> None:
    got = scores(extract, "T: Your PHQ-9 came out at 16 and the GAD-7 at 10.")
    assert got == [("PHQ-9", 16.0), ("GAD-7", 10.0)]


@pytest.mark.parametrize(
    "text",
    [
        "PHQ-9 down 4 pts since intake.",
        "Repeat PHQ-9 in 2 wks.",
        "Goal: PHQ-9 below 10.",
        "PHQ-9 item 9 = 1.",
    ],
)
def test_numbers_that_are_not_scores(extract: Callable[..., Facts], text: str) -> None:
    assert scores(extract, text) == []


def test_two_scores_after_one_scored(extract: Callable[..., Facts]) -> None:
    got = scores(extract, "He scored 7 on the GAD-7 and 19 on the PHQ-9.")
    assert sorted(got) == [("GAD-7", 7.0), ("PHQ-9", 19.0)]


def test_an_earlier_score_then_todays_in_one_sentence(extract: Callable[..., Facts]) -> None:
    m = extract("PHQ-9 was 21 at intake; today it was 13.").measures[0]
    assert m.score == 13 and m.prior[0].score == 21
    m = extract("GAD-7 at baseline 17, today 8.").measures[0]
    assert m.score == 8 and m.prior[0].score == 17
    assert scores(extract, "Her PCL-5 was 51 at intake.") == []
    assert scores(extract, "He scored 9 on the GAD-7 (was 13).") == [("GAD-7", 9.0)]


def test_score_outside_the_range_is_ignored(extract: Callable[..., Facts]) -> None:
    assert scores(extract, "GAD-7 35 (typo?).") == []


def test_earlier_scores_in_parentheses_are_kept_as_prior(extract: Callable[..., Facts]) -> None:
    m = extract("PHQ-9 12 (19 at intake, 15 on 2/3).").measures[0]
    assert m.score == 12 and [p.score for p in m.prior] == [19, 15]


def test_from_to_reports_the_later_score(extract: Callable[..., Facts]) -> None:
    m = extract("GAD-7 from 15 to 9 over six sessions.").measures[0]
    assert m.score == 9 and m.prior[0].score == 15


def test_score_given_in_the_next_sentence(extract: Callable[..., Facts]) -> None:
    assert scores(extract, "T: You did the GAD-7 in the lobby. It came out at 6 today.") == [("GAD-7", 6.0)]


def test_last_times_score_is_not_todays(extract: Callable[..., Facts]) -> None:
    assert scores(extract, "T: Last time you did the AUDIT it came out at 18.") == []


def test_entered_items_are_totalled_and_text_confirms_them(extract: Callable[..., Facts]) -> None:
    items = (2, 2, 1, 2, 1, 1, 2, 1, 0)
    facts = extract("PHQ-9 12 today.", measures=(MeasureInput("PHQ-9", items=items),))
    assert [(m.instrument, m.score, m.source) for m in facts.measures] == [("PHQ-9", 12.0, "measure")]
    assert facts.measures[0].evidence  # the text span is kept as evidence


def test_short_names_are_case_sensitive(extract: Callable[..., Facts]) -> None:
    assert scores(extract, "We talked about pcs 12 and bai 10.") == []


def test_a_score_written_with_an_earlier_time_is_not_todays(extract: Callable[..., Facts]) -> None:
    assert scores(extract, "PHQ-9 at intake was 21; not repeated today.") == []


def test_every_instrument_is_found_by_its_id_and_each_alias(app: Any) -> None:
    """Each name gets its own rule (a name of four letters or fewer, "EPDS", is case-sensitive):
    all of them must find a score, whichever rule was consulted first."""
    from tests.factories import make_session

    for spec in app.knowledge.instruments.values():
        lo, hi = spec["range"]
        score = int(lo + (hi - lo) // 2)
        for name in [spec["id"], *spec.get("aliases", [])]:
            facts = app.extractor.extract(
                make_session(f"Today the {name} was {score}. {name} {score} today.")
            )
            assert (spec["id"], float(score)) in [(m.instrument, m.score) for m in facts.measures], name
