"""Builders for synthetic test sessions (never real client data)."""

from __future__ import annotations

from datetime import date, time
from types import MappingProxyType
from typing import Any

from notewell.domain.session import Checklist, ClientInfo, Goal, MeasureInput, PriorNote, Session, SessionMeta


def make_session(
    text: str,
    *,
    source: str = "test.yaml",
    session_type: str | None = "individual",
    modality: str | None = None,
    participants: tuple[str, ...] = (),
    client_name: str | None = None,
    client_names: tuple[str, ...] = (),
    start: time | None = time(10, 0),
    end: time | None = time(10, 50),
    checklist_risk: dict[str, str] | None = None,
    checklist_interventions: tuple[str, ...] = (),
    measures: tuple[MeasureInput, ...] = (),
    goals: tuple[Goal, ...] = (),
    prior_notes: tuple[PriorNote, ...] = (),
    setting: str | None = "outpatient",
    session_date: date = date(2026, 3, 2),
    **extra: Any,
) -> Session:
    assert not extra, f"unknown arguments {extra}"
    return Session(
        source=source,
        text=text,
        client=ClientInfo(id="T-0001", name=client_name, names=client_names),
        meta=SessionMeta(
            date=session_date,
            start=start,
            end=end,
            type=session_type,
            setting=setting,
            modality=modality,
            participants=participants,
        ),
        goals=goals,
        prior_notes=prior_notes,
        measures=measures,
        checklist=Checklist(
            risk=MappingProxyType(checklist_risk or {}), interventions=checklist_interventions
        ),
    )
