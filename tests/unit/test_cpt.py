"""CPT suggestions from session type and face-to-face minutes, at every documented boundary.

The ranges are the CPT time rules in shared/clinical/CLINICAL_REFERENCE.md §2: 90832 16–37,
90834 38–52, 90837 53+ minutes; no psychotherapy code under 16; family 90846 (without the client)
and 90847 (with) from 26 minutes; group 90853 (no time rule); crisis 90839 for 30–74 minutes
plus one +90840 per additional 30 (75–104 = one unit), under 30 billed as 90832; intake 90791.
"""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from notewell.bootstrap import App
from notewell.domain.billing import codes_in_range, suggest_cpt
from notewell.services.drafting import draft_note
from tests.factories import make_session


@pytest.fixture(scope="module")
def cpt(app: App) -> Any:
    return app.knowledge.cpt


def codes(cpt: Any, session_type: str | None, minutes: int | None) -> tuple[str, ...] | None:
    suggestion = suggest_cpt(session_type, minutes, cpt)
    return None if suggestion is None else suggestion.codes


# ------------------------------------------------------------------------------ individual psychotherapy
@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (1, None),
        (15, None),
        (16, ("90832",)),
        (30, ("90832",)),
        (37, ("90832",)),
        (38, ("90834",)),
        (45, ("90834",)),
        (52, ("90834",)),
        (53, ("90837",)),
        (60, ("90837",)),
        (75, ("90837",)),  # separate codes are not added together: 75 minutes is still 90837
        (180, ("90837",)),
    ],
)
def test_individual_psychotherapy_by_minutes(
    cpt: Any, minutes: int, expected: tuple[str, ...] | None
) -> None:
    assert codes(cpt, "individual", minutes) == expected


def test_an_unstated_session_type_is_billed_as_individual(cpt: Any) -> None:
    for minutes in (16, 38, 53):
        assert codes(cpt, None, minutes) == codes(cpt, "individual", minutes)


def test_no_code_without_a_duration(cpt: Any) -> None:
    for kind in ("individual", "family", "group", "intake", "crisis"):
        assert suggest_cpt(kind, None, cpt) is None


def test_zero_or_negative_minutes_suggest_nothing(cpt: Any) -> None:
    assert codes(cpt, "individual", 0) is None
    assert codes(cpt, "individual", -10) is None


# ------------------------------------------------------------------------------ family, couples, group
@pytest.mark.parametrize("kind", ["family", "couples"])
@pytest.mark.parametrize(
    ("minutes", "expected"), [(15, None), (25, None), (26, ("90847",)), (50, ("90847",)), (90, ("90847",))]
)
def test_family_or_couples_with_the_client_present(
    cpt: Any, kind: str, minutes: int, expected: tuple[str, ...] | None
) -> None:
    assert codes(cpt, kind, minutes) == expected


@pytest.mark.xfail(
    strict=True,
    reason="known gap: there is no way to say the client was absent, so 90846 (family psychotherapy "
    "without the client) is never suggested; cpt.yaml has no 90846 rule",
)
def test_family_session_without_the_client_suggests_90846(app: App) -> None:
    session = make_session(
        "Met with parents only; client not present. Reviewed the morning routine plan. "
        "Denies SI per parents.",
        session_type="family",
        participants=("Mom", "Dad"),
        client_name="Avery",
        end=time(10, 50),
    )
    note = draft_note(session, "soap", app.extractor, app.composer, app.reviewer)
    assert "90846" in note.text()


@pytest.mark.parametrize("minutes", [16, 45, 90, 120])
def test_group_psychotherapy_has_no_time_tiers(cpt: Any, minutes: int) -> None:
    assert codes(cpt, "group", minutes) == ("90853",)


# ------------------------------------------------------------------------------ crisis
@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (15, None),
        (16, ("90832",)),  # under 30 minutes a crisis is billed as ordinary psychotherapy
        (29, ("90832",)),
        (30, ("90839",)),
        (60, ("90839",)),
        (74, ("90839",)),
        (75, ("90839", "+90840")),
        (104, ("90839", "+90840")),
        (105, ("90839", "+90840", "+90840")),
        (134, ("90839", "+90840", "+90840")),
        (135, ("90839", "+90840", "+90840", "+90840")),
    ],
)
def test_crisis_psychotherapy_by_minutes(cpt: Any, minutes: int, expected: tuple[str, ...] | None) -> None:
    assert codes(cpt, "crisis", minutes) == expected


# ------------------------------------------------------------------------------ intake
@pytest.mark.parametrize(
    ("minutes", "expected"), [(15, None), (16, ("90791",)), (60, ("90791",)), (120, ("90791",))]
)
def test_intake_is_a_diagnostic_evaluation(cpt: Any, minutes: int, expected: tuple[str, ...] | None) -> None:
    assert codes(cpt, "intake", minutes) == expected


def test_an_unknown_session_type_suggests_nothing(cpt: Any) -> None:
    assert codes(cpt, "consultation", 50) is None


# ------------------------------------------------------------------------------ the suggestion itself
def test_the_suggestion_carries_the_documented_minutes_and_a_label(cpt: Any) -> None:
    suggestion = suggest_cpt("individual", 47, cpt)
    assert suggestion is not None
    assert suggestion.minutes == 47
    assert suggestion.label and "38-52" in suggestion.label
    assert suggestion.text == "90834"


def test_add_on_codes_are_joined_in_the_suggestion_text(cpt: Any) -> None:
    suggestion = suggest_cpt("crisis", 110, cpt)
    assert suggestion is not None
    assert suggestion.codes == ("90839", "+90840", "+90840")
    assert suggestion.text == "90839 +90840 ×2"  # the add-on keeps one plus sign; units are counted


@pytest.mark.parametrize(
    ("code", "kind", "minutes", "fits"),
    [
        ("90834", "individual", 45, True),
        ("90837", "individual", 45, False),
        ("90832", "individual", 37, True),
        ("90832", "individual", 38, False),
        ("90840", "crisis", 80, True),
        ("+90840", "crisis", 80, True),
        ("90840", "crisis", 60, False),
        ("90839", "crisis", 29, False),
        ("90847", "family", 26, True),
        ("90847", "family", 25, False),
        ("90853", "group", 90, True),
        ("90791", "intake", 55, True),
        ("90837", "intake", 55, False),
        ("90834", "individual", 10, False),
    ],
)
def test_codes_in_range(cpt: Any, code: str, kind: str, minutes: int, fits: bool) -> None:
    assert codes_in_range(code, kind, minutes, cpt) is fits


# ------------------------------------------------------------------------------ in the drafted note
@pytest.mark.parametrize(
    ("kind", "start", "end", "expected"),
    [
        ("individual", time(9, 0), time(9, 53), "90837"),
        ("individual", time(9, 0), time(9, 52), "90834"),
        ("individual", time(9, 0), time(9, 37), "90832"),
        ("family", time(16, 0), time(16, 55), "90847"),
        ("group", time(18, 0), time(19, 30), "90853"),
        ("intake", time(13, 0), time(14, 0), "90791"),
        ("crisis", time(21, 0), time(22, 20), "90840"),
    ],
)
def test_the_plan_suggests_the_code_as_metadata(
    app: App, kind: str, start: time, end: time, expected: str
) -> None:
    session = make_session(
        "Cl reports mood 5/10. Denies SI. HW: walk 3x.", session_type=kind, start=start, end=end
    )
    note = draft_note(session, "soap", app.extractor, app.composer, app.reviewer)
    [sentence] = [s for s in note.sentences() if "CPT" in s.text]
    assert expected in sentence.text
    assert str(session.meta.duration_minutes) in sentence.text
    assert sentence.basis == "metadata"


def test_a_session_too_short_to_bill_says_so(app: App) -> None:
    session = make_session("Cl reports mood 5/10. Denies SI.", start=time(9, 0), end=time(9, 15))
    note = draft_note(session, "soap", app.extractor, app.composer, app.reviewer)
    [sentence] = [s for s in note.sentences() if "CPT" in s.text]
    assert "No CPT code" in sentence.text
    assert "908" not in note.text()


def test_a_session_without_times_suggests_no_code_and_says_why(app: App) -> None:
    session = make_session("Cl reports mood 5/10. Denies SI.", start=None, end=None)
    note = draft_note(session, "soap", app.extractor, app.composer, app.reviewer)
    [sentence] = [s for s in note.sentences() if "CPT" in s.text]
    assert "No CPT code" in sentence.text and "times" in sentence.text
