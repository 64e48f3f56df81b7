"""Note formats as data, and the registry that holds them.

A format is a YAML file: its sections in order, the blocks that feed each (``symptoms``,
``interventions``, ``risk`` …) and the settings it suits. The built-in formats in
``clinical/formats/`` register through the same path as a clinic's own folder
(``NOTEWELL_FORMATS_DIR``): a clinic can add ``ourbirp.yaml`` or replace ``dap.yaml``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from notewell.clinical import loader
from notewell.domain.session import Session
from notewell.errors import RuleFileError, UsageError


@dataclass(frozen=True)
class SectionSpec:
    title: str
    blocks: tuple[str, ...]
    empty: str | None = None


@dataclass(frozen=True)
class FormatSpec:
    id: str
    name: str
    sections: tuple[SectionSpec, ...]
    recommended_for: dict[str, Any]
    description: str = ""

    @classmethod
    def from_yaml(cls, data: dict[str, Any]) -> FormatSpec:
        return cls(
            id=data["id"],
            name=data["name"],
            sections=tuple(
                SectionSpec(s["title"], tuple(s["blocks"]), s.get("empty")) for s in data["sections"]
            ),
            recommended_for=dict(data.get("recommended_for") or {}),
            description=data.get("description", ""),
        )


class FormatRegistry:
    """Formats by id. ``register`` is how built-in and clinic formats alike come in."""

    def __init__(self, known_blocks: Collection[str]) -> None:
        self._formats: dict[str, FormatSpec] = {}
        self._blocks = set(known_blocks)

    def register(self, data: dict[str, Any], label: str) -> None:
        loader.validate(label, "format", data)
        unknown = [b for s in data["sections"] for b in s["blocks"] if b not in self._blocks]
        if unknown:
            raise RuleFileError(
                label,
                f"unknown block(s) {', '.join(sorted(set(unknown)))}; "
                f"known: {', '.join(sorted(self._blocks))}",
            )
        spec = FormatSpec.from_yaml(data)
        self._formats[spec.id] = spec

    def load_builtin(self) -> None:
        for rel in loader.shipped_files("formats"):
            label, text = f"notewell/clinical/{rel}", loader.resource_text(rel)
            self.register(yaml.safe_load(text), label)

    def load_folder(self, folder: Path) -> None:
        if not folder.is_dir():
            raise RuleFileError(str(folder), "NOTEWELL_FORMATS_DIR is not a folder")
        for path in sorted(folder.glob("*.yaml")):
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.YAMLError:
                raise RuleFileError(str(path), "not valid YAML") from None
            self.register(data, str(path))

    def names(self) -> list[str]:
        return list(self._formats)

    def get(self, name: str) -> FormatSpec:
        """The named format; an unknown name is a usage error that lists the known ones."""
        spec = self._formats.get(name)
        if spec is None:
            known = ", ".join([*self._formats, "auto"])
            raise UsageError(f"unknown format {name!r}; expected one of: {known}")
        return spec

    def choose(self, session: Session) -> str:
        """The format a session's type and setting call for (``--format auto``).

        In order: a format recommended for the session type (intake → intake, crisis → crisis);
        one recommended for the stated approach (a termination session → discharge); one for the
        setting, preferring GIRP when goals are given and BIRP when not (community and school
        settings); SOAP for inpatient; otherwise DAP, the private-practice default.
        """
        meta = session.meta
        for spec in self._formats.values():
            if meta.type and meta.type in spec.recommended_for.get("session_types", []):
                return spec.id
        modality = (meta.modality or "").lower()
        for spec in self._formats.values():
            if any(m in modality for m in spec.recommended_for.get("modalities", [])):
                return spec.id
        for spec in self._formats.values():
            rec = spec.recommended_for
            if meta.setting and meta.setting in rec.get("settings", []):
                if rec.get("when_goals") and not session.goals:
                    continue
                if rec.get("when_no_goals") and session.goals:
                    continue
                return spec.id
        return "dap" if "dap" in self._formats else next(iter(self._formats))
