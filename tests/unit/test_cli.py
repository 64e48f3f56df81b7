"""The command line: the JSON contract, errors as one line with exit 2, stdin."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from notewell.cli import main
from notewell.domain.session import RISK_KEYS


def run(
    args: list[str], stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    code = main(args, out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def session_file(tmp_path: Path) -> Path:
    path = tmp_path / "s1.yaml"
    path.write_text(
        "session: {start: '09:00', end: '09:50', type: individual}\n"
        "text: |\n  Denies SI/HI. Practiced PMR. PHQ-9 11.\n  HW: PMR nightly before bed.\n",
        encoding="utf-8",
    )
    return path


def test_extract_json_follows_the_contract(session_file: Path) -> None:
    code, out, err = run(["extract", "--json", str(session_file)])
    assert code == 0 and err == ""
    lines = out.strip().splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert row["source"] == str(session_file)
    assert set(row["risk"]) == set(RISK_KEYS)
    for key in ("interventions", "homework", "measures", "distortions", "quotes", "change_talk"):
        assert isinstance(row[key], list)
    assert row["measures"][0] == {
        "instrument": "PHQ-9",
        "score": 11,
        "source": "text",
        "evidence": row["measures"][0]["evidence"],
    }
    text = session_file.read_text().split("|\n", 1)[1]
    assert row["interventions"][0]["technique"] == "relaxation_training"
    assert row["interventions"][0]["modality"] == "General"
    del text


def test_one_bad_file_does_not_stop_the_others(session_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("session: {type: spa}\ntext: hello\n", encoding="utf-8")
    code, out, err = run(["extract", "--json", str(bad), str(session_file)])
    assert code == 2
    assert len(out.strip().splitlines()) == 1
    assert err.count("\n") == 1 and "bad.yaml" in err and "session.type" in err
    assert "Traceback" not in err


def test_stdin_is_read_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(["extract", "--json", "-"], stdin="Client denies SI.\n", monkeypatch=monkeypatch)
    row = json.loads(out)
    assert code == 0 and row["source"] == "-" and row["risk"]["suicidal_ideation"] == "denied"


def test_human_readable_output_shows_risk(session_file: Path) -> None:
    code, out, _ = run(["extract", str(session_file)])
    assert code == 0 and "suicidal_ideation" in out and "denied" in out


def test_usage_errors_exit_2() -> None:
    assert run(["frobnicate"])[0] == 2
    assert run([])[0] == 2


def test_rules_show_lists_rules_in_effect() -> None:
    code, out, _ = run(["rules", "show", "risk_targets"])
    assert code == 0 and "si.abbrev" in out and "NOTEWELL_RULES_DIR" in out


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    code, out, err = run(["extract", str(tmp_path / "nope.yaml")])
    assert code == 2 and out == "" and err.strip().endswith("no such file")


def test_a_reader_that_stops_early_is_not_an_error(session_file: Path) -> None:
    """``notewell draft … | head -1``: the closed pipe ends the command quietly."""
    import subprocess

    cli = Path(sys.executable).parent / "notewell"
    proc = subprocess.run(
        f"'{cli}' draft --format soap '{session_file}' '{session_file}' | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stdout.startswith("# SOAP note")
    assert "error" not in proc.stderr.lower()
