"""Session files: valid input loads; every kind of bad input names the file and the field."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from notewell.bootstrap import App
from notewell.domain.session import Session
from notewell.errors import SessionFileError
from notewell.session_files import load_session, parse_session


def parse(app: App, content: str, source: str = "s.yaml") -> Session:
    return parse_session(source, content, app.knowledge.instruments)


def test_full_session_file_loads_every_field(app: App) -> None:
    s = parse(
        app,
        """
client: {id: C-1, name: Ana, pronouns: she/her, age: 34}
session: {date: 2026-11-20, start: "14:02", end: "14:55", type: Individual, setting: telehealth,
          modality: CBT, participants: [Ana]}
goals: [{id: G1, text: "Reduce PHQ-9 below 10"}]
diagnoses: [{code: F33.1, description: "MDD, recurrent, moderate"}]
prior_notes: [{date: 2026-11-13, text: "Denies SI."}]
measures: [{instrument: phq9, items: [2,2,1,2,1,1,2,1,0]}, {instrument: GAD-7, score: 9}]
checklist: {suicidal_ideation: denied, interventions: [cognitive_restructuring]}
text: "Cl reports mood 4/10."
unknown_key: ignored
""",
    )
    assert s.client.name == "Ana" and s.client.age == 34
    assert s.meta.date == date(2026, 11, 20) and s.meta.start == time(14, 2) and s.meta.duration_minutes == 53
    assert s.meta.type == "individual"
    assert s.goals[0].id == "G1" and s.diagnoses[0].code == "F33.1"
    assert s.prior_notes[0].date == date(2026, 11, 13)
    assert s.measures[0].instrument == "PHQ-9" and sum(s.measures[0].items or ()) == 12
    assert s.checklist.risk["suicidal_ideation"] == "denied"


def test_unquoted_yaml_time_is_read_as_the_clock_time(app: App) -> None:
    s = parse(app, "session: {start: 14:02, end: 14:55}\ntext: x")
    assert s.meta.start == time(14, 2) and s.meta.end == time(14, 55)


@pytest.mark.parametrize(
    ("content", "field", "words"),
    [
        ("text: 42", "text", "expected text"),
        ("text: '   '", "text", "empty"),
        ("session: {date: x}\ntext: hi", "session", None),
        ("session: {type: therapy}\ntext: hi", "session.type", "unknown session type"),
        ("session: {setting: beach}\ntext: hi", "session.setting", "unknown setting"),
        ("session: {date: 2026-13-45}\ntext: hi", "session.date", "ISO date"),
        ("session: {start: '25:00'}\ntext: hi", "session.start", "24-hour"),
        ("session: {start: '14:00', end: '13:00'}\ntext: hi", "session.end", "not after the start"),
        ("goals: oops\ntext: hi", "goals", "expected a list"),
        ("goals: [{id: G1}]\ntext: hi", "goals[0].text", "required"),
        ("measures: [{instrument: PHQ-9, items: [1,2,3]}]\ntext: hi", "measures[0].items", "needs 9 items"),
        (
            "measures: [{instrument: PHQ-9, items: [0,0,0,0,0,0,0,0,4]}]\ntext: hi",
            "measures[0].items[8]",
            "must be 0-3",
        ),
        ("measures: [{instrument: GAD-7, score: 30}]\ntext: hi", "measures[0].score", "range 0-21"),
        ("measures: [{instrument: PHQ-9}]\ntext: hi", "measures[0]", "needs items"),
        (
            "measures: [{instrument: AUDIT, items: [0,0,0,0,0,0,0,0,3,0]}]\ntext: hi",
            "measures[0].items[8]",
            "[0, 2, 4]",
        ),
        ("checklist: {suicidal_ideation: maybe}\ntext: hi", "checklist.suicidal_ideation", "unknown value"),
        ("client: {age: old}\ntext: hi", "client.age", "whole number"),
        ("- a list\n- of things", None, "YAML mapping"),
        ("text: [unclosed", None, "not valid YAML"),
    ],
)
def test_bad_session_files_name_file_and_field(
    app: App, content: str, field: str | None, words: str | None
) -> None:
    with pytest.raises(SessionFileError) as err:
        parse(app, content, "bad.yaml")
    assert err.value.source == "bad.yaml"
    if field is not None:
        assert err.value.field is not None and err.value.field.startswith(field)
    if words:
        assert words in str(err.value)
    assert "\n" not in str(err.value)


def test_text_file_is_the_text_alone(app: App, tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("session: not yaml here\nDenies SI.\n", encoding="utf-8")
    s = load_session(str(path), app.knowledge.instruments)
    assert s.text.startswith("session: not yaml here")


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"\x00\x01binary\x00", "binary"),
        ("Denies SI. Café".encode("latin-1"), "not valid UTF-8"),
        (b"   \n\t\n", "empty"),
    ],
)
def test_unreadable_content_is_refused(app: App, tmp_path: Path, raw: bytes, words: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(raw)
    with pytest.raises(SessionFileError, match=words):
        load_session(str(path), app.knowledge.instruments)


def test_input_over_two_megabytes_is_refused(app: App, tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * (2 * 1024 * 1024 + 1))
    with pytest.raises(SessionFileError, match="limit"):
        load_session(str(path), app.knowledge.instruments)


def test_missing_file_and_directory_are_clear(app: App, tmp_path: Path) -> None:
    with pytest.raises(SessionFileError, match="no such file"):
        load_session(str(tmp_path / "nope.yaml"), app.knowledge.instruments)
    with pytest.raises(SessionFileError, match="directory"):
        load_session(str(tmp_path), app.knowledge.instruments)


def test_errors_never_quote_the_session_text(app: App) -> None:
    secret = "Margaret disclosed something private"
    with pytest.raises(SessionFileError) as err:
        parse(app, f"session: {{type: {secret}}}\ntext: {secret}")
    assert "Margaret disclosed" not in str(err.value)
