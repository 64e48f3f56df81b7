"""Golden notes: the bundled example sessions drafted in SOAP, DAP and GIRP, as Markdown and JSON.

A renderer or extraction change that alters a note shows up here as a diff against the stored file
in ``tests/golden/``. When the change is intended, review the diff and rewrite the files with::

    NOTEWELL_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/test_golden.py

(see tests/golden/README.md). In that mode each changed file is rewritten and its test is reported
as skipped with "updated golden file …", so an update run never passes silently as a check.
"""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from notewell.bootstrap import App
from notewell.domain.session import Session
from notewell.exports.contract import note_to_json
from notewell.exports.text import note_to_markdown
from notewell.services.drafting import draft_note
from notewell.services.extraction import load_checked_session

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
FORMATS = ("soap", "dap", "birp", "girp", "pirp", "narrative", "intake", "crisis", "discharge")
KINDS = ("md", "json")
UPDATE = os.environ.get("NOTEWELL_UPDATE_GOLDEN") == "1"

CASES = [
    pytest.param(example, fmt, kind, id=f"{example.stem}.{fmt}.{kind}")
    for example in EXAMPLES
    for fmt in FORMATS
    for kind in KINDS
]


def golden_path(example: Path, fmt: str, kind: str) -> Path:
    return GOLDEN / f"{example.stem}.{fmt}.{kind}"


def load_example(app: App, example: Path) -> Session:
    """Loaded from its absolute path, named by its path from the project root, so the rendered
    source line does not depend on where pytest runs from."""
    session = load_checked_session(
        str(example), app.knowledge.instruments, app.techniques, app.settings.max_input_bytes
    )
    return replace(session, source=example.relative_to(ROOT).as_posix())


def render(app: App, example: Path, fmt: str, kind: str) -> str:
    session = load_example(app, example)
    note = draft_note(session, fmt, app.extractor, app.composer, app.reviewer)
    if kind == "md":
        return note_to_markdown(session.source, session, note)
    return json.dumps(note_to_json(session.source, note), ensure_ascii=False, indent=2) + "\n"


def test_there_are_example_sessions() -> None:
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize(("example", "fmt", "kind"), CASES)
def test_drafted_note_matches_golden_file(app: App, example: Path, fmt: str, kind: str) -> None:
    path = golden_path(example, fmt, kind)
    fresh = render(app, example, fmt, kind)
    stored = path.read_text(encoding="utf-8") if path.exists() else None
    if UPDATE:
        if stored != fresh:
            GOLDEN.mkdir(parents=True, exist_ok=True)
            path.write_text(fresh, encoding="utf-8")
            pytest.skip(f"updated golden file {path.relative_to(ROOT)}")
        return
    assert stored is not None, (
        f"missing golden file {path.relative_to(ROOT)}; create it with NOTEWELL_UPDATE_GOLDEN=1"
    )
    if stored != fresh:
        diff = "".join(
            difflib.unified_diff(
                stored.splitlines(keepends=True),
                fresh.splitlines(keepends=True),
                fromfile=f"golden/{path.name}",
                tofile="drafted now",
            )
        )
        pytest.fail(
            f"{path.name} differs from the freshly drafted note "
            f"(if intended, rerun with NOTEWELL_UPDATE_GOLDEN=1 and review the diff):\n{diff}",
            pytrace=False,
        )


def test_json_golden_files_follow_the_contract() -> None:
    """The stored JSON itself is a valid draft: the contract's section titles, in order."""
    titles = {
        "soap": ["Subjective", "Objective", "Assessment", "Plan"],
        "dap": ["Data", "Assessment", "Plan"],
        "birp": ["Behavior", "Intervention", "Response", "Plan"],
        "girp": ["Goals", "Intervention", "Response", "Plan"],
        "pirp": ["Problem", "Intervention", "Response", "Plan"],
        "narrative": ["Session summary", "Risk", "Plan"],
        "intake": ["Identifying information", "Presenting problem", "History", "Mental status"],
        "crisis": ["Contact", "Precipitant and presentation", "Risk assessment"],
        "discharge": ["Summary of care", "Outcomes", "What helped", "Risk at discharge"],
    }
    for example in EXAMPLES:
        for fmt in FORMATS:
            path = golden_path(example, fmt, "json")
            if not path.exists():
                pytest.skip(f"{path.name} not generated yet")
            row = json.loads(path.read_text(encoding="utf-8"))
            assert row["format"] == fmt
            got = [s["title"] for s in row["sections"]]
            assert got[: len(titles[fmt])] == titles[fmt], (path.name, got)


def test_no_stale_golden_files() -> None:
    """Every stored note belongs to a current example and format (a renamed example leaves none behind)."""
    expected = {golden_path(e, f, k).name for e in EXAMPLES for f in FORMATS for k in KINDS}
    stored = {p.name for p in GOLDEN.glob("*") if p.suffix in (".md", ".json") and p.name != "README.md"}
    assert stored <= expected, f"stale golden files: {sorted(stored - expected)}"
