"""Any text at all: extraction returns valid JSON with offsets inside the text, and never raises."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notewell.bootstrap import App
from notewell.exports.contract import facts_to_json
from tests.factories import make_session

LINES = st.sampled_from(
    [
        "T: Any thoughts of ending your life?",
        "C: No, never.",
        "Denies SI/HI.",
        "P: (1) Thought record daily. (2) Next session 4/2.",
        "PHQ-9 14 (17 on 1/7).",
        "Mom: I'll email her tonight.",
        "",
        "   ",
        "\t",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(LINES, st.text(max_size=80)), max_size=25).map("\n".join),
    st.integers(min_value=1, max_value=20).map(lambda n: "word " * (n * 500)),
    st.just(" \n \n\t "),
)


def spans_in(row: object, n: int) -> None:
    if isinstance(row, dict):
        if set(row) == {"start", "end"}:
            assert 0 <= row["start"] < row["end"] <= n, row
        for value in row.values():
            spans_in(value, n)
    elif isinstance(row, list):
        for item in row:
            spans_in(item, n)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(TEXTS)
def test_any_text_extracts_to_valid_json(app: App, text: str) -> None:
    facts = app.extractor.extract(make_session(text))
    row = json.loads(json.dumps(facts_to_json("prop.yaml", facts)))
    spans_in(row, len(text))
