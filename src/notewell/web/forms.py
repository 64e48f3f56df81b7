"""From web forms and JSON bodies to a :class:`~notewell.domain.session.Session`, and back to
what the review page shows.

Both the new-session form and ``POST /api/clients/{id}/drafts`` end in the same session
payload (``eval/SCHEMA.md`` §1: ``text``, ``session``, ``checklist``, ``measures``…), validated
by the same reader as a session file, so a wrong value gets the same message everywhere, e.g.
``checklist.suicidal_ideation: unknown value 'maybe'; expected one of active, passive, …``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from notewell.config import MAX_INPUT_BYTES
from notewell.domain.session import CARE_SETTINGS, RISK_VALUES, SESSION_TYPES, Session
from notewell.errors import InputError, SessionFileError
from notewell.session_files import parse_session

FORM_INSTRUMENTS = ("PHQ-9", "GAD-7", "PCL-5")
"""The forms the new-session page offers item by item (they score as you fill them)."""

MENTAL_STATUS: dict[str, tuple[str, ...]] = {
    "appearance": ("appropriately groomed", "casually dressed", "disheveled"),
    "behavior": ("cooperative", "guarded", "restless", "psychomotor slowing"),
    "speech": ("normal rate and volume", "pressured", "slow", "soft"),
    "mood": ("euthymic", "depressed", "anxious", "irritable"),
    "affect": ("congruent", "constricted", "flat", "tearful", "labile"),
    "thought_process": ("linear and goal-directed", "circumstantial", "tangential"),
    "thought_content": ("no delusions", "preoccupied", "ruminative"),
    "perception": ("no hallucinations reported",),
    "cognition": ("alert and oriented x4", "distractible"),
    "insight_judgment": ("good", "fair", "limited"),
}
"""Mental-status picks: one finding per domain, the wording a clinician would chart."""

SESSION_FIELDS = ("date", "start", "end", "type", "setting", "modality")
FORMATS_OFFERED = ("auto", "soap", "dap", "birp", "girp", "pirp", "narrative")


class FormError(InputError):
    """A form field is wrong; the message names the field."""


def session_from_payload(
    payload: Mapping[str, Any],
    instruments: Mapping[str, Mapping[str, Any]],
    techniques: Iterable[str],
    max_bytes: int = MAX_INPUT_BYTES,
) -> Session:
    """Validate a session payload (a JSON object shaped like a session file) into a Session.

    The text is held to the same size limit as a session file (``max_bytes``, 2 MB by default:
    a 3-hour transcript is about 200 kB).
    """
    if not isinstance(payload, Mapping):
        raise FormError("body: expected a JSON object with at least a text field")
    text = payload.get("text")
    if isinstance(text, str) and len(text.encode("utf-8")) > max_bytes:
        raise FormError(
            f"text: {len(text.encode('utf-8')):,} bytes is more than the limit of {max_bytes:,} bytes"
        )
    data = {k: v for k, v in payload.items() if k != "format"}
    try:
        session = parse_session("web", json.dumps(data, default=str), instruments)
    except SessionFileError as exc:
        raise FormError(str(exc).removeprefix("web: ")) from None
    known = set(techniques)
    for i, label in enumerate(session.checklist.interventions):
        if label not in known:
            raise FormError(f"checklist.interventions[{i}]: unknown technique {label!r}")
    return session


def payload_from_form(
    form: Mapping[str, Any], getlist: Any, instruments: Mapping[str, Any]
) -> dict[str, Any]:
    """The session payload of the new-session form (field names documented in routes_pages)."""

    def value(name: str) -> str:
        raw = form.get(name)
        return raw.strip() if isinstance(raw, str) else ""

    meta = {name: value(f"session_{name}") for name in SESSION_FIELDS}
    checklist: dict[str, Any] = {}
    for key in RISK_VALUES:
        picked = value(f"risk_{key}")
        if picked:
            checklist[key] = picked
    interventions = [v for v in getlist("interventions") if isinstance(v, str) and v]
    if interventions:
        checklist["interventions"] = interventions
    mental = {d: value(f"mse_{d}") for d in MENTAL_STATUS if value(f"mse_{d}")}
    if mental:
        checklist["mental_status"] = mental
    measures = []
    for name in FORM_INSTRUMENTS:
        spec = instruments.get(name)
        if spec is None:
            continue
        count = int(spec["items"]["count"])
        answers = [value(f"m_{name}_{n}") for n in range(1, count + 1)]
        given = [a for a in answers if a]
        if not given:
            continue
        if len(given) != count:
            raise FormError(f"{name}: {len(given)} of {count} items answered; answer all or none")
        try:
            measures.append({"instrument": name, "items": [int(a) for a in answers]})
        except ValueError:
            raise FormError(f"{name}: item answers must be whole numbers") from None
    payload: dict[str, Any] = {
        "text": form.get("text") if isinstance(form.get("text"), str) else "",
        "session": {k: v for k, v in meta.items() if v},
    }
    if checklist:
        payload["checklist"] = checklist
    if measures:
        payload["measures"] = measures
    return payload


@dataclass(frozen=True)
class Segment:
    """A piece of the session text between evidence boundaries, for highlighting."""

    start: int
    end: int
    text: str
    evidence: bool


def segments(text: str, spans: Iterable[tuple[int, int]]) -> list[Segment]:
    """Cut ``text`` at every evidence boundary so any span can be highlighted by its pieces.

    ``segments("Mood 4/10. Denies SI.", [(11, 21)])`` → ``[0-11 "Mood 4/10. ", 11-21 "Denies SI."]``;
    the review page gives each piece ``data-start``/``data-end`` and the script highlights the
    pieces inside the span of the sentence in focus.
    """
    n = len(text)
    cuts = {0, n}
    inside: list[tuple[int, int]] = []
    for start, end in spans:
        s, e = max(0, min(start, n)), max(0, min(end, n))
        if e > s:
            cuts.update((s, e))
            inside.append((s, e))
    points = sorted(cuts)
    out = []
    for a, b in itertools.pairwise(points):
        covered = any(s <= a and b <= e for s, e in inside)
        out.append(Segment(a, b, text[a:b], covered))
    return out


def evidence_attr(evidence: Sequence[Mapping[str, int]] | None) -> str:
    """``[{"start": 12, "end": 58}]`` → ``"12-58"`` (the ``data-evidence`` attribute)."""
    return " ".join(f"{e['start']}-{e['end']}" for e in evidence or ())


def all_spans(content: Mapping[str, Any]) -> list[tuple[int, int]]:
    """Every evidence span of an AI draft (sentences and nudges)."""
    spans = []
    for section in content.get("sections", []):
        for sentence in section.get("sentences", []):
            spans += [(e["start"], e["end"]) for e in sentence.get("evidence", [])]
    for nudge in content.get("nudges", []):
        spans += [(e["start"], e["end"]) for e in nudge.get("evidence", [])]
    return spans


def choices() -> dict[str, Any]:
    """The fixed choices of the new-session form."""
    return {
        "session_types": SESSION_TYPES,
        "care_settings": CARE_SETTINGS,
        "risk_values": RISK_VALUES,
        "mental_status": MENTAL_STATUS,
        "formats": FORMATS_OFFERED,
    }
