"""Load and validate the clinical knowledge files shipped in this package.

Files are read with :mod:`importlib.resources`, validated against the JSON Schemas in
``schemas.yaml`` (unknown keys rejected), and merged with a clinic's overrides from
``NOTEWELL_RULES_DIR``: an override file with the same relative path (``lexicons/risk_targets.yaml``)
replaces shipped rules that share an ``id`` and adds new ones.

Example: a clinic that wants ``"unalive"`` recognised as suicidal language adds a rule with its
own ``examples`` to ``$NOTEWELL_RULES_DIR/lexicons/risk_targets.yaml``; ``notewell rules show``
then lists it among the rules in effect.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from notewell.errors import RuleFileError

PACKAGE = "notewell.clinical"


@cache
def _schemas() -> dict[str, Any]:
    text = resources.files(PACKAGE).joinpath("schemas.yaml").read_text(encoding="utf-8")
    loaded = yaml.safe_load(text)
    assert isinstance(loaded, dict)
    return loaded


def _read_yaml(label: str, text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise RuleFileError(label, f"not valid YAML{where}") from None


def validate(label: str, schema_name: str, data: Any) -> None:
    """Validate ``data`` against the named schema; raise :class:`RuleFileError` naming the field."""
    schema = _schemas()[schema_name]
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        path = ".".join(str(p) for p in err.absolute_path) or "(top level)"
        raise RuleFileError(label, f"{path}: {err.message}")


def resource_text(relative: str) -> str:
    """The text of a file shipped in ``notewell/clinical`` (``formats/soap.yaml``)."""
    node = resources.files(PACKAGE)
    for part in relative.split("/"):
        node = node.joinpath(part)
    return node.read_text(encoding="utf-8")


def _shipped(relative: str) -> tuple[str, str]:
    return f"notewell/clinical/{relative}", resource_text(relative)


def shipped_files(folder: str) -> list[str]:
    """Relative paths of the YAML files shipped in ``folder`` (e.g. ``instruments``), sorted."""
    node = resources.files(PACKAGE).joinpath(folder)
    return sorted(f"{folder}/{entry.name}" for entry in node.iterdir() if entry.name.endswith(".yaml"))


def _merge_by_id(base: Any, override: Any) -> Any:
    """Lists of objects with ``id`` merge by id; mappings merge key by key; anything else is replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge_by_id(base[key], value) if key in base else value
        return merged
    if (
        isinstance(base, list)
        and isinstance(override, list)
        and all(isinstance(x, dict) and "id" in x for x in base + override)
    ):
        by_id = {x["id"]: x for x in base}
        order = [x["id"] for x in base]
        for item in override:
            if item["id"] not in by_id:
                order.append(item["id"])
            by_id[item["id"]] = item
        return [by_id[i] for i in order]
    return override


def load(relative: str, schema_name: str, rules_dir: Path | None = None) -> Any:
    """Load one knowledge file, merged with its override in ``rules_dir`` if present, validated."""
    label, text = _shipped(relative)
    data = _read_yaml(label, text)
    validate(label, schema_name, data)
    if rules_dir is not None:
        path = rules_dir / relative
        if path.is_file():
            override = _read_yaml(str(path), path.read_text(encoding="utf-8"))
            validate(str(path), schema_name, override)
            data = _merge_by_id(data, override)
            validate(str(path), schema_name, data)
    check_patterns(label, data)
    check_unique_ids(label, data)
    return data


def check_unique_ids(label: str, data: Any) -> None:
    """Rule ids are how tests, traces and overrides name a rule: each must be unique in a file."""
    seen: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "id" in node and ("pattern" in node or "cues" in node):
                if node["id"] in seen:
                    raise RuleFileError(label, f"rule id {node['id']!r} is used twice")
                seen.add(node["id"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)


def iter_patterns(data: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Yield ``(field path, regex)`` for every ``pattern``/``patterns`` entry in a rule file."""
    if isinstance(data, dict):
        for key, value in data.items():
            sub = f"{path}.{key}" if path else str(key)
            if key == "pattern" and isinstance(value, str):
                yield sub, value
            elif key == "patterns" and isinstance(value, list):
                for i, p in enumerate(value):
                    if isinstance(p, str):
                        yield f"{sub}[{i}]", p
            else:
                yield from iter_patterns(value, sub)
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from iter_patterns(item, f"{path}[{i}]")


def check_patterns(label: str, data: Any) -> None:
    """Every regex must compile: a clinic's typo fails at start-up, not silently at run time."""
    for where, pattern in iter_patterns(data):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise RuleFileError(label, f"{where}: invalid regular expression ({exc})") from None
