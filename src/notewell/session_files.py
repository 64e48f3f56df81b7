"""Read and validate session files (``eval/SCHEMA.md`` §1) into :class:`~notewell.domain.session.Session`.

A session file is YAML (every key but ``text`` optional, unknown top-level keys ignored) or a
plain ``.txt`` file that is the text alone. Anything wrong is reported as a
:class:`~notewell.errors.SessionFileError` naming the file and the field, e.g.
``d004.yaml: measures[0].items: PHQ-9 needs 9 items, got 8`` — never a traceback, and never
the session's own words (they are PHI).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from notewell.config import MAX_INPUT_BYTES
from notewell.domain.session import (
    CARE_SETTINGS,
    RISK_VALUES,
    SESSION_TYPES,
    Checklist,
    ClientInfo,
    Diagnosis,
    Goal,
    MeasureInput,
    PriorNote,
    Session,
    SessionMeta,
)
from notewell.errors import SessionFileError

TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class _SessionYamlLoader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: ``2026-13-45`` stays text, so a bad date is
    reported against its field instead of failing inside the YAML parser."""


_SessionYamlLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
TEXT_SUFFIXES = {".txt", ".text", ".md"}


class _Reader:
    """Validation helpers that know which file they are reading."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, field: str | None, problem: str) -> SessionFileError:
        return SessionFileError(self.source, field, problem)

    def mapping(self, value: Any, field: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(field, f"expected a mapping of keys to values, got {_kind(value)}")
        return value

    def listing(self, value: Any, field: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(field, f"expected a list, got {_kind(value)}")
        return value

    def string(self, value: Any, field: str, required: bool = False) -> str | None:
        if value is None:
            if required:
                raise self.fail(field, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.fail(field, f"expected text, got {_kind(value)}")
        return str(value)

    def integer(self, value: Any, field: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(field, f"expected a whole number, got {_kind(value)}")
        return value

    def day(self, value: Any, field: str) -> date | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.fail(field, f"expected an ISO date like 2026-11-20, got {_describe(value)}")

    def clock(self, value: Any, field: str) -> time | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
            # YAML 1.1 reads an unquoted 14:02 as the base-60 number 842; it is still 14:02
            return time(value // 60, value % 60)
        if isinstance(value, str):
            m = TIME.match(value.strip())
            if m:
                return time(int(m.group(1)), int(m.group(2)))
        raise self.fail(field, f'expected a 24-hour time like "14:02", got {_describe(value)}')


def _kind(value: Any) -> str:
    return {
        dict: "a mapping",
        list: "a list",
        str: "text",
        int: "a number",
        float: "a number",
        bool: "true/false",
        type(None): "nothing",
    }.get(type(value), type(value).__name__)


def _describe(value: Any) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 20 else value[:17] + "..."
        return f'"{shown}"'
    return _kind(value)


def decode(source: str, raw: bytes, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """Bytes → text, refusing oversize, binary and non-UTF-8 input with a clear reason."""
    if len(raw) > max_bytes:
        raise SessionFileError(
            source,
            None,
            f"file is {len(raw):,} bytes; the limit is {max_bytes:,} (2 MB) — is this a session file?",
        )
    if b"\x00" in raw:
        raise SessionFileError(
            source, None, "looks like a binary file (contains NUL bytes); expected UTF-8 text"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SessionFileError(
            source, None, f"is not valid UTF-8 (byte {exc.start}); save it as UTF-8 text"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_bytes(source: str, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """Read a file (or stdin for ``-``) without reading more than ``max_bytes + 1`` bytes."""
    try:
        if source == "-":
            return sys.stdin.buffer.read(max_bytes + 1)
        path = Path(source)
        if path.is_dir():
            raise SessionFileError(source, None, "is a directory; expected a session file")
        with path.open("rb") as fh:
            return fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise SessionFileError(source, None, "no such file") from None
    except PermissionError:
        raise SessionFileError(source, None, "permission denied") from None
    except OSError as exc:
        raise SessionFileError(source, None, f"cannot be read ({exc.strerror})") from None


def load_session(
    source: str, instruments: Mapping[str, Mapping[str, Any]], max_bytes: int = MAX_INPUT_BYTES
) -> Session:
    """Load one session file (``-`` is stdin) and validate it."""
    text = decode(source, read_bytes(source, max_bytes), max_bytes)
    return parse_session(source, text, instruments)


def parse_session(source: str, content: str, instruments: Mapping[str, Mapping[str, Any]]) -> Session:
    """Parse the text of a session file. ``.txt`` (and stdin that is not a YAML mapping) is text only."""
    r = _Reader(source)
    is_text_file = Path(source).suffix.lower() in TEXT_SUFFIXES
    data: Any = None
    if not is_text_file:
        try:
            data = yaml.load(content, Loader=_SessionYamlLoader)
        except (ValueError, OverflowError):
            raise r.fail(None, "is not valid YAML: a value cannot be read") from None
        except yaml.YAMLError as exc:
            if source == "-":
                data = None
            else:
                mark = getattr(exc, "problem_mark", None)
                where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
                problem = getattr(exc, "problem", None) or "syntax error"
                raise r.fail(None, f"is not valid YAML{where}: {problem}") from None
        if source == "-" and not (isinstance(data, dict) and "text" in data):
            data = None
        elif not isinstance(data, dict):
            raise r.fail(
                None, f"expected a YAML mapping with a text: key (or a .txt file), got {_kind(data)}"
            )
    if data is None:
        return Session(source=source, text=_require_text(r, content))
    return _session_from_mapping(r, data, instruments)


def _require_text(r: _Reader, text: Any) -> str:
    if text is None:
        raise r.fail("text", "is required: the session's shorthand, dictation or transcript")
    if not isinstance(text, str):
        raise r.fail("text", f"expected text, got {_kind(text)}")
    if not text.strip():
        raise r.fail("text", "is empty")
    return text


def _session_from_mapping(
    r: _Reader, data: Mapping[str, Any], instruments: Mapping[str, Mapping[str, Any]]
) -> Session:
    text = _require_text(r, data.get("text"))
    client_raw = r.mapping(data.get("client"), "client")
    names = r.listing(client_raw.get("names"), "client.names")
    client = ClientInfo(
        id=r.string(client_raw.get("id"), "client.id"),
        name=r.string(client_raw.get("name"), "client.name"),
        names=tuple(r.string(n, f"client.names[{i}]") or "" for i, n in enumerate(names)),
        pronouns=r.string(client_raw.get("pronouns"), "client.pronouns"),
        age=r.integer(client_raw.get("age"), "client.age"),
    )
    meta = _meta(r, r.mapping(data.get("session"), "session"))
    goals = tuple(_goal(r, g, i) for i, g in enumerate(r.listing(data.get("goals"), "goals")))
    diagnoses = tuple(
        _diagnosis(r, d, i) for i, d in enumerate(r.listing(data.get("diagnoses"), "diagnoses"))
    )
    priors = tuple(_prior(r, p, i) for i, p in enumerate(r.listing(data.get("prior_notes"), "prior_notes")))
    measures = tuple(
        _measure(r, m, i, instruments) for i, m in enumerate(r.listing(data.get("measures"), "measures"))
    )
    checklist = _checklist(r, r.mapping(data.get("checklist"), "checklist"))
    return Session(
        source=r.source,
        text=text,
        client=client,
        meta=meta,
        goals=goals,
        diagnoses=diagnoses,
        prior_notes=priors,
        measures=measures,
        checklist=checklist,
    )


def _meta(r: _Reader, raw: Mapping[str, Any]) -> SessionMeta:
    session_type = r.string(raw.get("type"), "session.type")
    if session_type is not None:
        session_type = session_type.strip().lower()
        if session_type not in SESSION_TYPES:
            raise r.fail(
                "session.type",
                f"unknown session type {_describe(session_type)}; expected one of {', '.join(SESSION_TYPES)}",
            )
    setting = r.string(raw.get("setting"), "session.setting")
    if setting is not None:
        setting = setting.strip().lower()
        if setting not in CARE_SETTINGS:
            raise r.fail(
                "session.setting",
                f"unknown setting {_describe(setting)}; expected one of {', '.join(CARE_SETTINGS)}",
            )
    start = r.clock(raw.get("start"), "session.start")
    end = r.clock(raw.get("end"), "session.end")
    if start is not None and end is not None and (end.hour, end.minute) <= (start.hour, start.minute):
        raise r.fail("session.end", f"ends at {end:%H:%M}, not after the start at {start:%H:%M}")
    participants = r.listing(raw.get("participants"), "session.participants")
    return SessionMeta(
        date=r.day(raw.get("date"), "session.date"),
        start=start,
        end=end,
        type=session_type,
        setting=setting,
        modality=r.string(raw.get("modality"), "session.modality"),
        participants=tuple(
            r.string(p, f"session.participants[{i}]") or "" for i, p in enumerate(participants)
        ),
    )


def _goal(r: _Reader, raw: Any, i: int) -> Goal:
    field = f"goals[{i}]"
    if isinstance(raw, str):
        return Goal(id=f"G{i + 1}", text=raw)
    m = r.mapping(raw, field)
    text = r.string(m.get("text"), f"{field}.text", required=True) or ""
    return Goal(id=r.string(m.get("id"), f"{field}.id") or f"G{i + 1}", text=text)


def _diagnosis(r: _Reader, raw: Any, i: int) -> Diagnosis:
    field = f"diagnoses[{i}]"
    m = r.mapping(raw, field)
    code = r.string(m.get("code"), f"{field}.code", required=True) or ""
    return Diagnosis(code=code, description=r.string(m.get("description"), f"{field}.description") or "")


def _prior(r: _Reader, raw: Any, i: int) -> PriorNote:
    field = f"prior_notes[{i}]"
    m = r.mapping(raw, field)
    text = m.get("text")
    if not isinstance(text, str) or not text.strip():
        raise r.fail(
            f"{field}.text",
            "expected the prior note's text" if text is None else f"expected text, got {_kind(text)}",
        )
    return PriorNote(date=r.day(m.get("date"), f"{field}.date"), text=text)


def _measure(r: _Reader, raw: Any, i: int, instruments: Mapping[str, Mapping[str, Any]]) -> MeasureInput:
    field = f"measures[{i}]"
    m = r.mapping(raw, field)
    name = r.string(m.get("instrument"), f"{field}.instrument", required=True) or ""
    spec = find_instrument(name, instruments)
    instrument = spec["id"] if spec else name.strip()
    items_raw = m.get("items")
    score_raw = m.get("score")
    if items_raw is None and score_raw is None:
        raise r.fail(field, "needs items (the answers) or a score")
    items: tuple[int, ...] | None = None
    if items_raw is not None:
        values = r.listing(items_raw, f"{field}.items")
        ints = []
        for j, v in enumerate(values):
            if isinstance(v, bool) or not isinstance(v, int):
                raise r.fail(f"{field}.items[{j}]", f"expected a whole number, got {_describe(v)}")
            ints.append(v)
        if spec is None or "items" not in spec:
            raise r.fail(
                f"{field}.items", f"item scoring is not known for {_describe(name)}; give a score instead"
            )
        item_spec = spec["items"]
        if len(ints) != item_spec["count"]:
            raise r.fail(f"{field}.items", f"{instrument} needs {item_spec['count']} items, got {len(ints)}")
        allowed = {int(k): set(v) for k, v in (item_spec.get("allowed") or {}).items()}
        for j, v in enumerate(ints):
            ok = v in allowed[j + 1] if (j + 1) in allowed else item_spec["min"] <= v <= item_spec["max"]
            if not ok:
                rng = (
                    sorted(allowed[j + 1]) if (j + 1) in allowed else f"{item_spec['min']}-{item_spec['max']}"
                )
                raise r.fail(f"{field}.items[{j}]", f"{instrument} item {j + 1} must be {rng}, got {v}")
        items = tuple(ints)
    score: float | None = None
    if score_raw is not None:
        if isinstance(score_raw, bool) or not isinstance(score_raw, (int, float)):
            raise r.fail(f"{field}.score", f"expected a number, got {_describe(score_raw)}")
        score = float(score_raw)
        if spec is not None:
            lo, hi = spec["range"]
            if not lo <= score <= hi:
                raise r.fail(f"{field}.score", f"{instrument} scores range {lo:g}-{hi:g}, got {score:g}")
        if items is not None and abs(sum(items) - score) > 1e-9:
            raise r.fail(f"{field}.score", f"is {score:g} but the items add up to {sum(items)}")
    return MeasureInput(instrument=instrument, items=items, score=score)


def find_instrument(name: str, instruments: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """Match ``phq9``, ``PHQ 9`` or ``PHQ-9`` to the PHQ-9 definition (case and punctuation ignored)."""

    def norm(s: str) -> str:
        return re.sub(r"[^a-z0-9]", "", s.lower())

    wanted = norm(name)
    for spec in instruments.values():
        if wanted in {norm(spec["id"]), *(norm(a) for a in spec.get("aliases", []))}:
            return spec
    return None


def _checklist(r: _Reader, raw: Mapping[str, Any]) -> Checklist:
    risk: dict[str, str] = {}
    interventions: list[str] = []
    mental: dict[str, str] = {}
    for key, value in raw.items():
        field = f"checklist.{key}"
        if key in RISK_VALUES:
            v = r.string(value, field, required=True)
            v = (v or "").strip().lower()
            if v not in RISK_VALUES[key]:
                raise r.fail(
                    field, f"unknown value {_describe(v)}; expected one of {', '.join(RISK_VALUES[key])}"
                )
            risk[key] = v
        elif key == "interventions":
            for j, item in enumerate(r.listing(value, field)):
                label = r.string(item, f"{field}[{j}]", required=True)
                interventions.append((label or "").strip())
        elif key == "mental_status":
            for domain, finding in r.mapping(value, field).items():
                mental[str(domain)] = r.string(finding, f"{field}.{domain}", required=True) or ""
    return Checklist(
        risk=MappingProxyType(risk),
        interventions=tuple(interventions),
        mental_status=MappingProxyType(mental),
    )
