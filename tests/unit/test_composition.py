"""Composition: notes in every format are deterministic, grounded in the text, and say only what the
session says — no names, no small talk, no invented numbers, and "not assessed" for what was not asked.

All sessions are synthetic (invented people and details) or the bundled synthetic examples.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date, time
from pathlib import Path

import pytest

from notewell.bootstrap import App, build
from notewell.cli import EXIT_CONFIG, EXIT_INPUT, EXIT_OK, main
from notewell.config import Settings
from notewell.domain.notes import Note
from notewell.domain.session import RISK_KEYS, Goal, MeasureInput, PriorNote, Session
from notewell.errors import RuleFileError
from notewell.exports.contract import note_to_json
from notewell.services.drafting import draft_note
from notewell.services.extraction import load_checked_session
from tests.factories import make_session

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
BUILT_IN = ("soap", "dap", "birp", "girp", "pirp", "narrative", "intake", "crisis", "discharge")
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")
CONTENT_WORD = re.compile(r"[a-z]{4,}")
STOP = frozenset(
    {
        *("about", "after", "also", "been", "before", "client", "from", "have", "into", "more"),
        *("session", "that", "their", "them", "then", "there", "they", "this", "were", "what"),
        *("when", "with", "which", "would", "your", "reported", "stated", "described"),
    }
)

# Shorthand naming the client and two other people (all invented).
NAMED_SHORTHAND = (
    "S: Renata reports her sister Marisol moved in after a breakup; cl sleeping 5 hrs/night, down from 7. "
    "Cl says her coworker Desmond criticized her report in front of the team on Tues. Mood 4/10.\n"
    'I: Cognitive restructuring of "I\'m useless at everything"; belief 80% -> 50%.\n'
    "Risk: Denies SI/HI.\n"
    "P: Thought record 3x this wk. Next session 3/9 10:00.\n"
)
OTHER_NAMES = ("Marisol", "Desmond")

# A transcript with opening and closing small talk around the clinical work.
SMALL_TALK_TRANSCRIPT = (
    "T: Did you catch the Ridgeline Foxes game last night?\n"
    "C: Yeah, the Ridgeline Foxes lost again. The pitcher was awful.\n"
    "T: So how has the week been?\n"
    "C: Hard. My husband Tobias lost his job on Monday and I've been crying most days, maybe 5 of 7.\n"
    "T: When you think about his job loss, what goes through your mind?\n"
    "C: That we'll lose the house and it's all my fault.\n"
    "T: Let's look at the evidence for \"it's all my fault.\" What did you have to do with the layoff?\n"
    "C: Nothing, really. The whole plant closed. I guess it's not my fault.\n"
    "T: How much do you believe it's your fault now, zero to a hundred?\n"
    "C: Maybe 30. It was 90 when I came in.\n"
    "T: Any thoughts of suicide or wishing you were dead?\n"
    "C: No, none.\n"
    "T: Your homework is to write a thought record each evening when the guilt shows up.\n"
    "C: Okay, I will.\n"
    "T: Next session is Monday at 10.\n"
    "C: Oh, before I go, my cousin's wedding is in Santorini, we're flying out Friday.\n"
    "T: Sounds lovely, have a good trip.\n"
)
SMALL_TALK_WORDS = ("Foxes", "pitcher", "Santorini", "wedding", "flying out")

# Shorthand with asides about a game and the traffic: the clinician's own reporting lines, which
# the note would carry if they were not recognised as small talk.
SMALL_TALK_SHORTHAND = (
    "Cl reports mood 5/10 this wk, up from 3/10.\n"
    "Cl reports she watched the Ridgeline Foxes game Sunday with friends.\n"
    "Cl reports the traffic on the Elm Street bridge made her 10 min late.\n"
    "Denies SI. Practiced paced breathing; SUDS 7 -> 4.\n"
    "HW: paced breathing 2x daily.\n"
)

# Nothing about risk is asked or said.
NO_RISK_TALK = (
    "S: Cl reports mood 6/10, sleeping 7 hrs/night. "
    "Practiced paced breathing; SUDS 6 -> 3. HW: breathing 2x daily."
)

MEASURED = (
    "S: Cl reports mood 4/10. PHQ-9 14 (17 on 1/7). Panic attacks 3/wk, down from 6/wk.\n"
    "I: Interoceptive exposure, 4 trials of spinning; SUDS 8 -> 3.\n"
    "Risk: Denies SI/HI, no plan or intent.\n"
    "P: Exposure practice 5x/wk. Next session 3/16 at 11:00.\n"
)


# ------------------------------------------------------------------------------ helpers
def load_example(app: App, path: Path) -> Session:
    session = load_checked_session(
        str(path), app.knowledge.instruments, app.techniques, app.settings.max_input_bytes
    )
    return replace(session, source=f"examples/{path.name}")


def draft(app: App, session: Session, fmt: str) -> Note:
    return draft_note(session, fmt, app.extractor, app.composer, app.reviewer)


def synthetic_sessions() -> dict[str, Session]:
    return {
        "named-shorthand": make_session(NAMED_SHORTHAND, client_name="Renata"),
        "small-talk-transcript": make_session(SMALL_TALK_TRANSCRIPT),
        "small-talk-shorthand": make_session(SMALL_TALK_SHORTHAND),
        "no-risk-talk": make_session(NO_RISK_TALK),
        "measured": make_session(
            MEASURED,
            measures=(MeasureInput("GAD-7", items=(2, 2, 1, 2, 1, 1, 2)),),
            goals=(Goal("G1", "Reduce panic attacks to fewer than 2 per week"),),
        ),
        "family": make_session(
            "Mom: She hid in her room all weekend.\nC: I just didn't want to talk.\n"
            "T: Let's practice the calm-down breathing together, four in and six out.\n"
            "C: Okay. That helped a bit.\n"
            "T: Any thoughts of hurting yourself?\nC: No.\n",
            session_type="family",
            participants=("Mom",),
        ),
    }


@pytest.fixture(scope="module")
def all_sessions(app: App) -> dict[str, Session]:
    sessions = {p.stem: load_example(app, p) for p in EXAMPLES}
    sessions.update(synthetic_sessions())
    return sessions


@pytest.fixture(scope="module")
def all_notes(app: App, all_sessions: dict[str, Session]) -> dict[tuple[str, str], Note]:
    return {
        (name, fmt): draft(app, s, fmt) for name, s in all_sessions.items() for fmt in app.formats.names()
    }


def allowed_numbers(app: App, session: Session) -> set[str]:
    """What a note may say with two or more digits: numbers in the session file (text and metadata),
    the duration, a measure's item total, and the CPT codes and minute ranges of the billing rules."""
    source = [session.text, *(g.text for g in session.goals), *(p.text for p in session.prior_notes)]
    source += [p.date.isoformat() for p in session.prior_notes if p.date]
    source += [f"{d.code} {d.description}" for d in session.diagnoses]
    meta = session.meta
    if meta.date:
        source.append(meta.date.isoformat())
    source += [f"{t:%H:%M}" for t in (meta.start, meta.end) if t]
    allowed = {n for piece in source for n in NUMBER.findall(piece)}
    if meta.duration_minutes is not None:
        allowed.add(str(meta.duration_minutes))
    for m in session.measures:
        if m.items:
            allowed.add(str(sum(m.items)))
        if m.score is not None:
            allowed.add(f"{m.score:g}")
        allowed.update(str(i) for i in m.items or ())
    for rule in app.knowledge.cpt["rules"]:
        allowed.update(c.lstrip("+") for c in rule["codes"])
        allowed.update(NUMBER.findall(rule["label"]))
    for c in session.client.id or "", str(session.client.age or ""):
        allowed.update(NUMBER.findall(c))
    return allowed


def unsupported_numbers(sentence: str, allowed: set[str]) -> list[str]:
    numbers = NUMBER.findall(sentence)
    known = [float(n) for n in numbers if n in allowed]
    derived: set[str] = set()
    for a in known:
        for b in known:
            if a != b:
                derived.add(f"{abs(a - b):g}")
                if a:
                    derived.add(str(round(100 * abs(a - b) / a)))
    return [n for n in numbers if len(n.split(".")[0]) >= 2 and n not in allowed and n not in derived]


def content(text: str) -> set[str]:
    return {w[:5] for w in CONTENT_WORD.findall(text.lower()) if w not in STOP} | set(NUMBER.findall(text))


# ------------------------------------------------------------------------------ determinism
def test_the_same_input_gives_the_identical_note(
    app: App, all_sessions: dict[str, Session], all_notes: dict[tuple[str, str], Note]
) -> None:
    for (name, fmt), first in all_notes.items():
        again = draft(app, all_sessions[name], fmt)
        assert json.dumps(note_to_json(name, first)) == json.dumps(note_to_json(name, again)), (
            f"{name}/{fmt} differs between two drafts"
        )


def test_drafts_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    """Two processes with different hash seeds: set or dict ordering must never leak into a note."""
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env.pop("NOTEWELL_FORMATS_DIR", None)
        env.pop("NOTEWELL_RULES_DIR", None)
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                "from notewell.cli import entry; entry()",
                "draft",
                "--json",
                "--format",
                "soap",
            ]
            + [str(p) for p in EXAMPLES],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    assert len(outputs[0].strip().splitlines()) == len(EXAMPLES)


# ------------------------------------------------------------------------------ evidence and basis
def test_every_session_sentence_has_evidence_inside_the_text(
    all_sessions: dict[str, Session], all_notes: dict[tuple[str, str], Note]
) -> None:
    for (name, fmt), note in all_notes.items():
        n = len(all_sessions[name].text)
        for s in note.sentences():
            if s.basis == "metadata":
                continue
            assert s.evidence, f"{name}/{fmt}: no evidence for {s.text!r}"
            for ev in s.evidence:
                assert 0 <= ev.start < ev.end <= n, f"{name}/{fmt}: {ev} outside the text for {s.text!r}"


def test_session_sentences_are_supported_by_their_evidence(
    all_sessions: dict[str, Session], all_notes: dict[tuple[str, str], Note]
) -> None:
    """The evidence shares a content word or number with the sentence, or is a short, specific span."""
    for (name, fmt), note in all_notes.items():
        text = all_sessions[name].text
        for s in note.sentences():
            if s.basis == "metadata":
                continue
            said = " ".join(text[e.start : e.end] for e in s.evidence)
            short = any(len(e) <= 60 for e in s.evidence)
            assert short or content(s.text) & content(said), f"{name}/{fmt}: {s.text!r} <- {said[:120]!r}"


def test_sentences_without_evidence_are_marked_metadata_in_json(
    all_notes: dict[tuple[str, str], Note],
) -> None:
    for (name, fmt), note in all_notes.items():
        for section in note_to_json(name, note)["sections"]:
            for item in section["sentences"]:
                if "evidence" not in item:
                    assert item.get("basis") == "metadata", f"{name}/{fmt}: {item}"
                if item.get("basis") == "metadata":
                    assert item["text"]


@pytest.mark.parametrize("fmt", BUILT_IN)
def test_session_metadata_is_written_with_basis_metadata(app: App, fmt: str) -> None:
    session = make_session(MEASURED, goals=(Goal("G1", "Reduce panic attacks to fewer than 2 per week"),))
    note = draft(app, session, fmt)
    metadata_markers = ("2026-03-02", "Session time 10:00", "Suggested CPT", "Treatment-plan goals:")
    marked = [s for s in note.sentences() if any(m in s.text for m in metadata_markers)]
    assert marked, f"{fmt}: no date, time, CPT or goal sentence found"
    for s in marked:
        assert s.basis == "metadata", f"{fmt}: {s.text!r} should be metadata"


def test_metadata_sentences_never_carry_words_from_the_text(app: App) -> None:
    """Words only the text holds ("accordion") can reach a note only in a sentence with evidence."""
    session = make_session(
        "S: Cl reports practicing the accordion daily, mood 6/10. Denies SI. "
        "HW: accordion practice 20 min daily."
    )
    soap = draft(app, session, "soap")
    assert any("accordion" in s.text for s in soap.sentences() if s.basis == "session")
    for fmt in app.formats.names():
        note = draft(app, session, fmt)
        assert not any("accordion" in s.text for s in note.sentences() if s.basis == "metadata"), fmt


def test_checklist_risk_is_written_as_metadata(app: App) -> None:
    session = make_session(NO_RISK_TALK, checklist_risk={"suicidal_ideation": "denied"})
    note = draft(app, session, "soap")
    [sentence] = [s for s in note.sentences() if "checklist" in s.text and "suicidal ideation" in s.text]
    assert sentence.basis == "metadata" and "denied" in sentence.text


# ------------------------------------------------------------------------------ risk not assessed
@pytest.mark.parametrize("fmt", BUILT_IN)
def test_risk_nobody_asked_about_is_written_as_not_assessed(app: App, fmt: str) -> None:
    session = make_session(NO_RISK_TALK)
    note = draft(app, session, fmt)
    text = note.text().lower()
    assert not re.search(r"\bden(?:y|ies|ied|ial)\b", text), f"{fmt}: 'denied' written when nothing was asked"
    [sentence] = [s for s in note.sentences() if "not assessed" in s.text.lower()]
    assert sentence.basis == "metadata"
    labels = app.knowledge.phrasing["risk_labels"]
    for key in RISK_KEYS:
        if key != "safety_plan":
            assert labels[key] in sentence.text, f"{fmt}: {labels[key]!r} missing from {sentence.text!r}"


def test_only_what_was_asked_is_denied_and_the_rest_is_not_assessed(app: App) -> None:
    session = make_session(NO_RISK_TALK + " Denies SI.")
    note = draft(app, session, "soap")
    labels = app.knowledge.phrasing["risk_labels"]
    denied = [s for s in note.sentences() if "denied" in s.text]
    [not_assessed] = [s for s in note.sentences() if "Not assessed" in s.text]
    assert any(labels["suicidal_ideation"] in s.text for s in denied)
    assert all(s.evidence for s in denied)
    assert labels["suicidal_ideation"] not in not_assessed.text.replace(labels["homicidal_ideation"], "")
    assert labels["homicidal_ideation"] in not_assessed.text
    assert not any(labels["homicidal_ideation"] in s.text for s in denied)


# ------------------------------------------------------------------------------ names and small talk
def test_other_peoples_names_never_reach_a_note(app: App) -> None:
    session = make_session(NAMED_SHORTHAND, client_name="Renata")
    for fmt in app.formats.names():
        text = draft(app, session, fmt).text()
        for name in (*OTHER_NAMES, "Renata"):
            assert name not in text, f"{fmt}: {name!r} in the note"


def test_a_named_person_is_called_by_relation(app: App) -> None:
    session = make_session(NAMED_SHORTHAND, client_name="Renata")
    text = draft(app, session, "soap").text()
    assert "her sister" in text
    assert "Marisol" not in text


def test_a_name_spoken_in_a_transcript_never_reaches_a_note(app: App) -> None:
    session = make_session(SMALL_TALK_TRANSCRIPT)
    for fmt in app.formats.names():
        assert "Tobias" not in draft(app, session, fmt).text(), fmt


def test_a_two_letter_name_never_reaches_a_note(app: App) -> None:
    session = make_session(
        "Cl reports her girlfriend Jo was arrested for DUI last week; cl anxious 6/10. Denies SI. "
        "HW: breathing 2x daily."
    )
    assert not re.search(r"\bJo\b", draft(app, session, "soap").text())


def test_clinical_terms_are_not_scrubbed_as_names(app: App) -> None:
    session = make_session(
        "A: Fortune-telling is the main barrier to activation. Denies SI. HW: pool Tue 7am."
    )
    text = draft(app, session, "soap").text()
    assert "Another person" not in text and "another person" not in text


def test_small_talk_never_reaches_a_note(app: App) -> None:
    session = make_session(SMALL_TALK_TRANSCRIPT)
    for fmt in app.formats.names():
        text = draft(app, session, fmt).text()
        for word in SMALL_TALK_WORDS:
            assert word not in text, f"{fmt}: small talk {word!r} in the note"
    # and the clinical work around it does
    assert "thought record" in draft(app, session, "soap").text()


def test_small_talk_in_shorthand_is_not_carried(app: App) -> None:
    session = make_session(SMALL_TALK_SHORTHAND)
    for fmt in app.formats.names():
        text = draft(app, session, fmt).text()
        for word in ("game", "Foxes", "traffic", "bridge", "late"):
            assert word not in text, f"{fmt}: small talk {word!r} in the note"
    soap = draft(app, session, "soap").text()
    assert "mood 5/10" in soap and "breathing" in soap


def test_the_next_appointment_in_the_closing_turns_reaches_the_plan(app: App) -> None:
    note = draft(app, make_session(SMALL_TALK_TRANSCRIPT), "soap")
    [plan] = [s for s in note.sections if s.title == "Plan"]
    assert any("Monday" in s.text for s in plan.sentences)


# ------------------------------------------------------------------------------ numbers
def test_numbers_in_a_note_come_from_the_input(
    app: App, all_sessions: dict[str, Session], all_notes: dict[tuple[str, str], Note]
) -> None:
    for (name, fmt), note in all_notes.items():
        allowed = allowed_numbers(app, all_sessions[name])
        for s in note.sentences():
            bad = unsupported_numbers(s.text, allowed)
            assert not bad, f"{name}/{fmt}: invented {bad} in {s.text!r}"


def test_session_sentences_only_state_numbers_from_the_text_or_their_arithmetic(app: App) -> None:
    """Stricter for a sentence with evidence: its numbers come from the session text itself."""
    session = make_session(MEASURED)
    from_text = set(NUMBER.findall(session.text))
    for fmt in app.formats.names():
        for s in draft(app, session, fmt).sentences():
            if s.basis == "session":
                assert not unsupported_numbers(s.text, from_text), f"{fmt}: {s.text!r}"


# ------------------------------------------------------------------------------ --format auto
AUTO_CASES = [
    # (type, setting, goals?, modality) -> format; see FormatRegistry.choose
    ("intake", "outpatient", False, None, "intake"),
    ("intake", "community", True, "termination", "intake"),
    ("crisis", "community", True, None, "crisis"),
    ("crisis", "inpatient", False, None, "crisis"),
    ("individual", "outpatient", True, "Termination session", "discharge"),
    ("individual", "telehealth", False, "hand-off to new clinician", "discharge"),
    ("individual", "community", True, None, "girp"),
    ("family", "community", True, "CBT", "girp"),
    ("individual", "community", False, None, "birp"),
    ("group", "school", False, None, "birp"),
    ("individual", "school", True, None, "girp"),
    ("individual", "inpatient", True, None, "soap"),
    ("individual", "outpatient", True, "CBT", "dap"),
    ("individual", "telehealth", False, None, "dap"),
    (None, None, False, None, "dap"),
]


@pytest.mark.parametrize(("session_type", "setting", "goals", "modality", "expected"), AUTO_CASES)
def test_auto_format_follows_the_documented_rule(
    app: App, session_type: str | None, setting: str | None, goals: bool, modality: str | None, expected: str
) -> None:
    session = make_session(
        "Cl reports mood 5/10. Denies SI. HW: walk 3x.",
        session_type=session_type,
        setting=setting,
        modality=modality,
        goals=(Goal("G1", "Walk at least 3 times a week"),) if goals else (),
    )
    assert app.formats.choose(session) == expected
    assert draft(app, session, "auto").format == expected


def test_the_cli_defaults_to_auto(tmp_path: Path) -> None:
    path = tmp_path / "crisis.yaml"
    path.write_text(
        "session: {start: '21:00', end: '21:45', type: crisis, setting: community}\n"
        "text: |\n  Cl called after an argument; denies SI/HI. Grounding practiced; distress 8 -> 5.\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    assert main(["draft", "--json", str(path)], out, err) == EXIT_OK, err.getvalue()
    assert json.loads(out.getvalue())["format"] == "crisis"


# ------------------------------------------------------------------------------ format names
def test_an_unknown_format_is_a_one_line_error_listing_the_choices(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("session: {start: '09:00', end: '09:50'}\ntext: Denies SI.\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["draft", "--format", "soapy", str(path)], out, err)
    message = err.getvalue()
    assert code == EXIT_INPUT and out.getvalue() == ""
    assert message.count("\n") == 1 and "Traceback" not in message
    assert "soapy" in message
    for name in ("auto", *BUILT_IN):
        assert name in message


def test_every_built_in_format_is_registered(app: App) -> None:
    assert set(app.formats.names()) >= set(BUILT_IN)


# ------------------------------------------------------------------------------ clinic formats
CLINIC_FORMAT = """\
id: clinicnote
name: Clinic progress note
description: A clinic's own short format (test fixture).
sections:
  - {title: Summary, blocks: [client_report, symptoms], empty: Nothing was reported.}
  - {title: Safety, blocks: [risk]}
  - {title: Next steps, blocks: [homework, plan_steps, cpt]}
recommended_for: {session_types: [group]}
"""


def clinic_folder(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "formats"
    folder.mkdir()
    for name, body in files.items():
        (folder / name).write_text(body, encoding="utf-8")
    return folder


def test_settings_read_the_formats_folder_from_the_environment(tmp_path: Path) -> None:
    assert Settings.from_env({"NOTEWELL_FORMATS_DIR": str(tmp_path)}).formats_dir == tmp_path
    assert Settings.from_env({}).formats_dir is None


def test_a_clinic_format_is_registered_and_used(app: App, tmp_path: Path) -> None:
    clinic = build(Settings(formats_dir=clinic_folder(tmp_path, {"clinicnote.yaml": CLINIC_FORMAT})))
    assert "clinicnote" in clinic.formats.names()
    assert set(clinic.formats.names()) >= set(BUILT_IN)
    session = make_session("S: Cl reports mood 5/10. Denies SI. HW: walk 3x. Next session 3/9.")
    note = draft_note(session, "clinicnote", app.extractor, clinic.composer, clinic.reviewer)
    assert note.format == "clinicnote" and note.title == "Clinic progress note"
    assert [s.title for s in note.sections] == ["Summary", "Safety", "Next steps"]
    assert any("walk 3x" in s.text for s in note.sections[2].sentences)


def test_a_clinic_format_can_be_recommended_for_auto(app: App, tmp_path: Path) -> None:
    clinic = build(Settings(formats_dir=clinic_folder(tmp_path, {"clinicnote.yaml": CLINIC_FORMAT})))
    group = make_session("Cl reports mood 5/10. Denies SI.", session_type="group")
    assert clinic.formats.choose(group) == "clinicnote"
    assert app.formats.choose(group) != "clinicnote"


def test_a_clinic_file_replaces_a_built_in_format_of_the_same_id(app: App, tmp_path: Path) -> None:
    own_dap = CLINIC_FORMAT.replace("id: clinicnote", "id: dap").replace(
        "recommended_for: {session_types: [group]}\n", ""
    )
    clinic = build(Settings(formats_dir=clinic_folder(tmp_path, {"dap.yaml": own_dap})))
    session = make_session("S: Cl reports mood 5/10. Denies SI. HW: walk 3x.")
    note = draft_note(session, "dap", app.extractor, clinic.composer, clinic.reviewer)
    assert [s.title for s in note.sections] == ["Summary", "Safety", "Next steps"]


def test_the_cli_uses_a_clinic_format_from_notewell_formats_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = clinic_folder(tmp_path, {"clinicnote.yaml": CLINIC_FORMAT})
    session = tmp_path / "s.yaml"
    session.write_text(
        "session: {start: '09:00', end: '09:50'}\ntext: |\n  Cl reports mood 5/10. Denies SI. HW: walk 3x.\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("NOTEWELL_FORMATS_DIR", str(folder))
    out, err = io.StringIO(), io.StringIO()
    assert main(["draft", "--json", "--format", "clinicnote", str(session)], out, err) == EXIT_OK, (
        err.getvalue()
    )
    row = json.loads(out.getvalue())
    assert row["format"] == "clinicnote"
    assert [s["title"] for s in row["sections"]] == ["Summary", "Safety", "Next steps"]


MALFORMED = {
    "not-yaml": ("id: broken\nsections: [\n", "not valid YAML"),
    "unknown-key": (CLINIC_FORMAT + "colour: teal\n", "colour"),
    "no-sections": ("id: nosections\nname: No sections\n", "sections"),
    "unknown-block": (CLINIC_FORMAT.replace("[risk]", "[risk, horoscope]"), "horoscope"),
    "bad-id": (CLINIC_FORMAT.replace("id: clinicnote", "id: Clinic Note"), "id"),
    "empty-file": ("", "top level"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_format_file_is_an_error_naming_the_file(tmp_path: Path, case: str) -> None:
    body, detail = MALFORMED[case]
    folder = clinic_folder(tmp_path, {"good.yaml": CLINIC_FORMAT, f"{case}.yaml": body})
    with pytest.raises(RuleFileError) as info:
        build(Settings(formats_dir=folder))
    message = str(info.value)
    assert f"{case}.yaml" in message
    assert detail in message


def test_a_malformed_format_file_stops_the_cli_with_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = clinic_folder(tmp_path, {"broken.yaml": "id: broken\nsections: [\n"})
    session = tmp_path / "s.yaml"
    session.write_text("text: Denies SI.\n", encoding="utf-8")
    monkeypatch.setenv("NOTEWELL_FORMATS_DIR", str(folder))
    out, err = io.StringIO(), io.StringIO()
    code = main(["draft", "--format", "soap", str(session)], out, err)
    assert code == EXIT_CONFIG and out.getvalue() == ""
    assert "broken.yaml" in err.getvalue() and "Traceback" not in err.getvalue()


def test_a_formats_dir_that_is_not_a_folder_is_named_in_the_error(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "formats.yaml"
    not_a_folder.write_text(CLINIC_FORMAT, encoding="utf-8")
    with pytest.raises(RuleFileError, match=re.escape(str(not_a_folder))):
        build(Settings(formats_dir=not_a_folder))


# ------------------------------------------------------------------------------ session length in the note
def test_the_note_states_the_documented_duration(app: App) -> None:
    session = make_session(
        "Cl reports mood 5/10. Denies SI. HW: walk 3x.", start=time(14, 2), end=time(14, 55)
    )
    text = draft(app, session, "soap").text()
    assert "14:02" in text and "14:55" in text and "53 minutes" in text


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("track each night you smoke in your phone", "track each night they smoke in their phone"),
        ("call your sister before you go to bed", "call their sister before they go to bed"),
        ("bring the card so I can show you", "bring the card so I can show them"),
    ],
)
def test_a_task_the_therapist_assigns_is_written_about_the_client(said: str, written: str) -> None:
    from notewell.composition.voice import addressed_to_client

    assert addressed_to_client(said) == written


def test_a_family_members_commitment_names_who_will_do_it(app: App) -> None:
    session = make_session(
        "Therapist: For this week: one calm reminder each morning.\nMom: I'll drop her off early on Tuesday.",
        session_type="family",
        participants=("Mom",),
    )
    plan = " ".join(s.text for s in draft(app, session, "soap").sentences())
    assert "Mom will drop her off early on Tuesday" in plan


def test_the_change_since_the_last_note_is_one_grounded_sentence(app: App) -> None:
    session = make_session(
        "S: Cl reports mood 6/10. PHQ-9 11 today. Denies SI. HW: walk 3x this week.",
        prior_notes=(PriorNote(date(2026, 2, 2), "Session 4. PHQ-9 19. Denies SI."),),
    )
    note = draft(app, session, "soap")
    [sentence] = [s for s in note.sentences() if "down from 19" in s.text]
    assert sentence.text.startswith("PHQ-9 11 (moderate), down from 19 on 2026-02-02 (8 points, 42%)")
    assert "reliable improvement, not yet response" in sentence.text
    assert (
        sentence.basis == "session"
        and "PHQ-9 11" in session.text[sentence.evidence[0].start : sentence.evidence[0].end]
    )


def test_a_discharge_summary_gives_the_course_from_the_first_score_on_file(app: App) -> None:
    session = make_session(
        "Final session. PHQ-9 4 today. Denies SI. Reviewed relapse-prevention plan. Next: PRN.",
        prior_notes=(
            PriorNote(date(2026, 1, 5), "Intake. PHQ-9 21. Denies SI."),
            PriorNote(date(2026, 2, 2), "Session 4. PHQ-9 12."),
        ),
    )
    text = draft(app, session, "discharge").text()
    assert "Course: PHQ-9 4 (minimal), down from 21 at the first score on file (2026-01-05)" in text
    assert "response, in remission range" in text


def test_a_named_person_is_their_relation_at_every_mention(app: App) -> None:
    """Once the text says who someone is ("her cousin Odalys"), later bare mentions of the name
    become the relation too, not "another person"."""
    session = make_session(
        "Cl worried about her cousin Odalys, who stopped answering texts. Denies SI. "
        "Problem-solved: cl called Odalys during session and she agreed to meet for lunch Sat."
    )
    body = " ".join(s.text for sec in draft(app, session, "soap").sections for s in sec.sentences)
    assert "Odalys" not in body
    assert "another person" not in body
    assert "the client's cousin" in body


def test_a_sentence_opening_with_a_given_name_keeps_the_name_out(app: App) -> None:
    session = make_session(
        'C: Brayden posted my drawing in the group chat. Now everyone laughs at me.\nT: Denies SI?\nC: "No."'
    )
    body = " ".join(s.text for sec in draft(app, session, "soap").sections for s in sec.sentences)
    assert "Brayden" not in body


def test_the_clinicians_first_person_becomes_third_person_but_a_highway_keeps_its_name() -> None:
    from notewell.composition.voice import third_person

    assert third_person('I asked about merging onto I-90; we reviewed her log. "I can."') == (
        'The clinician asked about merging onto I-90; the clinician and client reviewed her log. "I can."'
    )
