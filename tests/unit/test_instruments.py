"""Outcome measures: scoring, bands at every boundary, flags, PCL-5's DSM pattern, C-SSRS triage,
reliable change both ways, and the ``score`` / ``trends`` commands (issue 4).

Expected bands and thresholds are the published ones (Kroenke 2001, Spitzer 2006, Weathers 2013,
Posner 2011), written out here rather than read from the YAML, so a wrong edit to the data fails.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from notewell.bootstrap import App
from notewell.cli import main
from notewell.domain.measures import ScoringError, change, score_items
from notewell.domain.session import MeasureInput

ROOT = Path(__file__).resolve().parents[2]
TRENDS = sorted((ROOT / "examples" / "trends").glob("*.yaml"))


@pytest.fixture(scope="module")
def instruments(app: App) -> dict[str, Any]:
    return app.knowledge.instruments


def items_for(total: int, count: int, top: int) -> list[int]:
    """Answers that add up to ``total`` (filled from the first item)."""
    out = []
    for _ in range(count):
        take = min(top, total)
        out.append(take)
        total -= take
    assert total == 0
    return out


BANDS = [
    (
        "PHQ-9",
        9,
        3,
        [
            (0, "minimal"),
            (4, "minimal"),
            (5, "mild"),
            (9, "mild"),
            (10, "moderate"),
            (14, "moderate"),
            (15, "moderately severe"),
            (19, "moderately severe"),
            (20, "severe"),
            (27, "severe"),
        ],
    ),
    (
        "GAD-7",
        7,
        3,
        [
            (0, "minimal"),
            (4, "minimal"),
            (5, "mild"),
            (9, "mild"),
            (10, "moderate"),
            (14, "moderate"),
            (15, "severe"),
            (21, "severe"),
        ],
    ),
    (
        "PHQ-2",
        2,
        3,
        [(0, "negative screen"), (2, "negative screen"), (3, "positive screen"), (6, "positive screen")],
    ),
    (
        "GAD-2",
        2,
        3,
        [(0, "negative screen"), (2, "negative screen"), (3, "positive screen"), (6, "positive screen")],
    ),
    (
        "PCL-5",
        20,
        4,
        [
            (0, "below provisional PTSD cut-off"),
            (32, "below provisional PTSD cut-off"),
            (33, "at or above provisional PTSD cut-off"),
            (80, "at or above provisional PTSD cut-off"),
        ],
    ),
]
CASES = [
    pytest.param(name, count, top, total, label, id=f"{name}-{total}")
    for name, count, top, table in BANDS
    for total, label in table
]


@pytest.mark.parametrize(("name", "count", "top", "total", "label"), CASES)
def test_bands_at_every_boundary(
    instruments: dict[str, Any], name: str, count: int, top: int, total: int, label: str
) -> None:
    result = score_items(instruments[name], items_for(total, count, top))
    assert result.total == total
    assert result.band == label


@pytest.mark.parametrize(
    ("name", "total", "positive"),
    [
        ("PHQ-9", 9, False),
        ("PHQ-9", 10, True),
        ("GAD-7", 9, False),
        ("GAD-7", 10, True),
        ("PHQ-2", 3, True),
        ("PCL-5", 32, False),
        ("PCL-5", 33, True),
    ],
)
def test_screen_positive_at_the_published_cut_off(
    instruments: dict[str, Any], name: str, total: int, positive: bool
) -> None:
    spec = instruments[name]
    answers = items_for(total, spec["items"]["count"], spec["items"]["max"])
    assert ("screen_positive" in score_items(spec, answers).flags) is positive


def test_phq9_item_9_above_zero_is_flagged_whatever_the_total(instruments: dict[str, Any]) -> None:
    low_total_item9 = [0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert "item9_positive" in score_items(instruments["PHQ-9"], low_total_item9).flags
    assert "item9_positive" not in score_items(instruments["PHQ-9"], [3, 3, 3, 3, 3, 3, 3, 3, 0]).flags


def test_entered_phq9_item_9_makes_ideation_passive_never_denied(extract: Any) -> None:
    facts = extract(
        "Cl reports low mood. Denies SI.", measures=(MeasureInput("PHQ-9", (1, 1, 1, 1, 1, 1, 1, 1, 1)),)
    )
    assert facts.risk["suicidal_ideation"].value == "passive"


@pytest.mark.parametrize(
    ("name", "answers", "problem"),
    [
        ("PHQ-9", [1, 1, 1, 1, 1, 1, 1, 1], "needs 9 answers, got 8"),
        ("GAD-7", [1, 1, 1, 1, 1, 1, 1, 1], "needs 7 answers, got 8"),
        ("PHQ-9", [1, 1, 1, 4, 1, 1, 1, 1, 1], "item 4 must be 0-3, got 4"),
        ("PCL-5", [0] * 19 + [5], "item 20 must be 0-4, got 5"),
        ("C-SSRS", [1, 0, 2, 0, 0, 0], "item 3 must be 0-1, got 2"),
        ("PHQ-9", [1, 1, -1, 1, 1, 1, 1, 1, 1], "item 3 must be 0-3, got -1"),
    ],
)
def test_partial_or_out_of_range_forms_are_refused(
    instruments: dict[str, Any], name: str, answers: list[int], problem: str
) -> None:
    with pytest.raises(ScoringError, match=problem):
        score_items(instruments[name], answers)


# ------------------------------------------------------------------------------ PCL-5
def pcl5(**endorsed: int) -> list[int]:
    """Answers with ``n`` items rated 2 in each named cluster (B 1-5, C 6-7, D 8-14, E 15-20)."""
    first = {"B": 1, "C": 6, "D": 8, "E": 15}
    answers = [0] * 20
    for cluster, n in endorsed.items():
        for k in range(n):
            answers[first[cluster] - 1 + k] = 2
    return answers


def test_pcl5_dsm_pattern_gives_a_provisional_diagnosis_even_below_the_cut_off(
    instruments: dict[str, Any],
) -> None:
    result = score_items(instruments["PCL-5"], pcl5(B=1, C=1, D=2, E=2))
    assert result.total == 12
    assert "provisional_ptsd" in result.flags and "screen_positive" not in result.flags
    assert dict((c, (got, need)) for c, got, need in result.clusters) == {
        "B": (1, 1),
        "C": (1, 1),
        "D": (2, 2),
        "E": (2, 2),
    }


def test_pcl5_without_avoidance_is_no_provisional_diagnosis_even_above_the_cut_off(
    instruments: dict[str, Any],
) -> None:
    answers = [4, 4, 4, 4, 4, 0, 0, 4, 4, 0, 0, 0, 0, 0, 4, 4, 0, 0, 0, 0]  # 36, nothing in C
    result = score_items(instruments["PCL-5"], answers)
    assert result.total == 36 and "screen_positive" in result.flags
    assert "provisional_ptsd" not in result.flags


def test_pcl5_items_rated_1_do_not_count_as_symptoms(instruments: dict[str, Any]) -> None:
    answers = [1] * 20  # total 20, every item "a little bit"
    assert "provisional_ptsd" not in score_items(instruments["PCL-5"], answers).flags


# ------------------------------------------------------------------------------ C-SSRS
@pytest.mark.parametrize(
    ("answers", "level"),
    [
        ([0, 0, 0, 0, 0, 0], "none"),
        ([1, 0, 0, 0, 0, 0], "low"),
        ([1, 1, 0, 0, 0, 0], "low"),
        ([1, 1, 1, 0, 0, 0], "moderate"),
        ([1, 1, 1, 1, 0, 0], "high"),
        ([1, 1, 0, 0, 1, 0], "high"),
        ([0, 0, 0, 0, 0, 1], "high"),
    ],
)
def test_cssrs_answers_are_triaged(instruments: dict[str, Any], answers: list[int], level: str) -> None:
    result = score_items(instruments["C-SSRS"], answers)
    assert result.total is None  # a screener is triaged, not totalled
    assert result.triage == level
    assert result.action


def test_cssrs_answers_count_as_risk_statements(extract: Any) -> None:
    facts = extract(
        "Crisis walk-in; screen completed.", measures=(MeasureInput("C-SSRS", (1, 1, 1, 1, 1, 0)),)
    )
    assert facts.risk["suicidal_ideation"].value == "active"
    assert facts.risk["suicide_intent"].value == "present"
    assert facts.risk["suicide_plan"].value == "present"
    clear = extract("Routine screen.", measures=(MeasureInput("C-SSRS", (0, 0, 0, 0, 0, 0)),))
    assert clear.risk["suicidal_ideation"].value == "denied"
    assert clear.risk["suicide_attempt_history"].value == "not_assessed"  # no lifetime question asked


# ------------------------------------------------------------------------------ change
@pytest.mark.parametrize(
    ("name", "before", "after", "direction", "response", "remission"),
    [
        ("PHQ-9", 19, 13, "improved", False, False),
        ("PHQ-9", 13, 19, "worsened", False, False),
        ("PHQ-9", 12, 8, "no reliable change", False, False),
        ("PHQ-9", 18, 4, "improved", True, True),
        ("GAD-7", 12, 8, "improved", False, False),
        ("GAD-7", 8, 12, "worsened", False, False),
        ("GAD-7", 10, 7, "no reliable change", False, False),
        ("PCL-5", 50, 40, "improved", False, None),
        ("PCL-5", 40, 50, "worsened", False, None),
        ("PCL-5", 50, 41, "no reliable change", False, None),
    ],
)
def test_reliable_change_both_ways(
    instruments: dict[str, Any],
    name: str,
    before: int,
    after: int,
    direction: str,
    response: bool,
    remission: bool | None,
) -> None:
    ch = change(before, after, instruments[name])
    assert ch.direction == direction
    assert ch.response is response
    assert ch.remission is remission


# ------------------------------------------------------------------------------ the commands
def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_score_command_prints_the_json_contract() -> None:
    code, out, err = run_cli("score", "--json", "phq9", "2", "2", "1", "2", "1", "1", "2", "1", "1")
    assert code == 0, err
    row = json.loads(out)
    assert row == {
        "instrument": "PHQ-9",
        "total": 13,
        "band": "moderate",
        "flags": ["item9_positive", "screen_positive"],
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("score", "PHQ-9", "1", "2", "3"), "needs 9 answers, got 3"),
        (("score", "GAD-7", "1", "1", "1", "1", "1", "1", "x"), "item 7: expected a whole number"),
        (("score", "NOPE", "1"), "unknown instrument"),
    ],
)
def test_score_command_refuses_bad_items_with_exit_2(argv: tuple[str, ...], message: str) -> None:
    code, out, err = run_cli(*argv)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_trends_sorts_sessions_by_date_and_reports_change(tmp_path: Path) -> None:
    assert len(TRENDS) == 5
    code, out, err = run_cli("trends", "--json", *[str(p) for p in reversed(TRENDS)])
    assert code == 0, err
    data = json.loads(out)
    phq = data["measures"]["PHQ-9"]
    dates = [p["date"] for p in phq]
    assert dates == sorted(dates) and len(phq) == 5
    first_last = data["changes"]["PHQ-9"]["first_to_last"]
    assert first_last["from"]["score"] == phq[0]["score"] and first_last["to"]["score"] == phq[-1]["score"]
    assert first_last["direction"] == "improved" and first_last["reliable"] is True
    assert len(data["change_talk"]) == len(data["skills"]) == len(data["symptoms"]) == 5
    assert any(s["change"] > 0 for s in data["change_talk"])


def test_trends_chart_is_written(tmp_path: Path) -> None:
    chart = tmp_path / "trends.svg"
    code, _, err = run_cli("trends", *[str(p) for p in TRENDS], "--chart", str(chart))
    assert code == 0, err
    svg = chart.read_text(encoding="utf-8")
    assert "<svg" in svg and "PHQ-9" in svg


def test_trends_refuse_an_undated_session(tmp_path: Path) -> None:
    undated = tmp_path / "undated.yaml"
    undated.write_text("client: {id: EX-1}\nmeasures:\n  - {instrument: PHQ-9, score: 12}\ntext: Cl seen.\n")
    code, _, err = run_cli("trends", str(undated), str(TRENDS[0]))
    assert code == 2 and "undated.yaml" in err and "date" in err
