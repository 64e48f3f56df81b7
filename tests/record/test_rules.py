"""The record's pure rules: late entries, session end, content hash, edit ratio, settings, JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from notewell.bootstrap import clinic_timezone
from notewell.config import Settings
from notewell.domain.records import Signature, content_hash, late_entry_label, minutes_between, session_end
from notewell.domain.session import Checklist, Diagnosis, MeasureInput, PriorNote
from notewell.errors import ConfigurationError
from notewell.records.figures import edit_ratio
from notewell.records.serialization import session_from_dict, session_to_dict
from tests.factories import make_session

CHICAGO = ZoneInfo("America/Chicago")


def test_session_end_is_the_clinics_wall_clock() -> None:
    ended, exact = session_end(date(2026, 3, 2), time(10, 50), datetime(2026, 3, 9, tzinfo=UTC), CHICAGO)
    assert exact and ended.astimezone(UTC) == datetime(2026, 3, 2, 16, 50, tzinfo=UTC)
    day_only, exact = session_end(date(2026, 3, 2), None, datetime(2026, 3, 9, tzinfo=UTC), CHICAGO)
    assert not exact and day_only.time() == time(23, 59, 59)
    recorded = datetime(2026, 3, 9, 8, tzinfo=UTC)
    assert session_end(None, None, recorded, CHICAGO) == (recorded, False)


def test_late_entry_label_after_the_threshold_only() -> None:
    ended = datetime(2025, 3, 4, 10, 50, tzinfo=CHICAGO)
    on_time = datetime(2025, 3, 5, 10, 50, tzinfo=CHICAGO)
    assert late_entry_label(date(2025, 3, 4), ended, on_time, 24, CHICAGO) is None
    late = datetime(2025, 3, 6, 9, 0, tzinfo=CHICAGO)
    assert late_entry_label(date(2025, 3, 4), ended, late, 24, CHICAGO) == (
        "Late entry for DOS 2025-03-04, written 2025-03-06."
    )
    # written late in the evening in Chicago is still that day, though it is the next day in UTC
    evening = datetime(2025, 3, 6, 4, 30, tzinfo=UTC)
    assert late_entry_label(date(2025, 3, 4), ended, evening, 24, CHICAGO) == (
        "Late entry for DOS 2025-03-04, written 2025-03-05."
    )
    assert minutes_between(ended, on_time) == 24 * 60


def test_the_content_hash_changes_with_any_signed_detail() -> None:
    sig = Signature(3, "Dana Reyes", "LCSW", datetime(2026, 3, 2, 11, 20, tzinfo=UTC))
    base = content_hash(7, "Data:\nClient reported mood 4/10.", sig, None)
    assert len(base) == 64 and base == content_hash(7, "Data:\nClient reported mood 4/10.", sig, None)
    variants = {
        content_hash(7, "Data:\nClient reported mood 5/10.", sig, None),
        content_hash(8, "Data:\nClient reported mood 4/10.", sig, None),
        content_hash(7, "Data:\nClient reported mood 4/10.", Signature(3, "Dana Reyes", "LPC", sig.at), None),
        content_hash(
            7, "Data:\nClient reported mood 4/10.", sig, "Late entry for DOS 2026-03-01, written 2026-03-02."
        ),
    }
    assert base not in variants and len(variants) == 4


@pytest.mark.parametrize(
    ("draft", "signed", "ratio"),
    [
        ("same text", "same text", 0.0),
        ("abcd", "abcf", 0.25),
        ("abc", "xyz", 1.0),
        ("", "", 0.0),
        ("", "new", 1.0),
    ],
)
def test_edit_ratio_is_normalised_edit_distance(draft: str, signed: str, ratio: float) -> None:
    assert edit_ratio(draft, signed) == ratio


def test_session_input_round_trips_through_json() -> None:
    session = make_session(
        "T: How was the week?\nC: Better, mood 5/10.",
        checklist_risk={"suicidal_ideation": "denied"},
        checklist_interventions=("cognitive_restructuring",),
        measures=(MeasureInput("PHQ-9", items=(1, 1, 1, 1, 1, 1, 1, 1, 0)), MeasureInput("GAD-7", score=8.0)),
        prior_notes=(PriorNote(date(2026, 2, 23), "Earlier note."), PriorNote(None, "Undated note.")),
    )
    session = type(session)(
        **{
            **vars(session),
            "diagnoses": (Diagnosis("F41.1", "Generalized anxiety disorder"),),
            "checklist": Checklist(
                risk=MappingProxyType({"suicidal_ideation": "denied"}),
                interventions=("cognitive_restructuring",),
                mental_status=MappingProxyType({"mood": "euthymic"}),
            ),
        }
    )
    assert session_from_dict(session_to_dict(session)) == session


def test_record_settings_from_the_environment() -> None:
    s = Settings.from_env(
        {
            "NOTEWELL_DATA_DIR": "/srv/notewell",
            "NOTEWELL_LATE_ENTRY_HOURS": "48",
            "NOTEWELL_RETENTION_YEARS": "10",
            "NOTEWELL_AI_CONSENT": "Refuse",
            "NOTEWELL_SECRET_KEY": "s3cret-value-that-must-not-show",
        }
    )
    assert (s.late_entry_hours, s.retention_years, s.ai_consent) == (48.0, 10, "refuse")
    assert s.resolved_database_url == "sqlite:////srv/notewell/notewell.db"
    assert "s3cret" not in repr(s)
    assert Settings.from_env({}).resolved_database_url == "sqlite:///data/notewell.db"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NOTEWELL_AI_CONSENT", "maybe", "expected refuse or warn"),
        ("NOTEWELL_RETENTION_YEARS", "seven", "expected a whole number"),
        ("NOTEWELL_RETENTION_YEARS", "0", "must be at least 1"),
        ("NOTEWELL_LATE_ENTRY_HOURS", "-1", "must be at least 0"),
    ],
)
def test_bad_record_settings_are_configuration_errors(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_env({name: value})


def test_an_unknown_time_zone_is_a_configuration_error() -> None:
    assert clinic_timezone(Settings(timezone="America/Chicago")) == CHICAGO
    with pytest.raises(ConfigurationError, match="unknown time zone 'Mars/Olympus'"):
        clinic_timezone(Settings(timezone="Mars/Olympus"))
