"""All clinical knowledge files, loaded and validated together.

``Knowledge.load()`` reads every lexicon and instrument shipped in this package (plus a clinic's
overrides from ``NOTEWELL_RULES_DIR``) and fails fast, naming the file and field, if any of
them breaks its schema or holds a regular expression that does not compile.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from notewell.clinical import loader

LEXICONS: dict[str, str] = {
    "speakers": "speakers",
    "risk_targets": "risk_targets",
    "context_modifiers": "context_modifiers",
    "risk_answers": "risk_answers",
    "interventions": "interventions",
    "homework": "homework",
    "measure_mentions": "measure_mentions",
    "distortions": "labelled_cues",
    "change_talk": "labelled_cues",
    "salience": "labelled_cues",
    "small_talk": "labelled_cues",
    "symptoms": "labelled_cues",
    "functional": "labelled_cues",
    "mental_status": "labelled_cues",
    "medications": "labelled_cues",
    "people": "labelled_cues",
    "responses": "labelled_cues",
    "goals": "goals",
}
"""Lexicon file name (``lexicons/<name>.yaml``) → the schema in ``schemas.yaml`` it must satisfy."""


@dataclass(frozen=True)
class Knowledge:
    """The lexicons, instruments, note phrasing and CPT rules in effect for this installation."""

    lexicons: dict[str, Any]
    instruments: dict[str, dict[str, Any]]
    phrasing: dict[str, Any]
    cpt: dict[str, Any]

    @classmethod
    def load(cls, rules_dir: Path | None = None) -> Knowledge:
        lexicons = {
            name: loader.load(f"lexicons/{name}.yaml", schema, rules_dir) for name, schema in LEXICONS.items()
        }
        instruments: dict[str, dict[str, Any]] = {}
        for rel in loader.shipped_files("instruments"):
            spec = loader.load(rel, "instrument", rules_dir)
            instruments[spec["id"]] = spec
        return cls(
            lexicons=lexicons,
            instruments=instruments,
            phrasing=loader.load("phrasing.yaml", "phrasing", rules_dir),
            cpt=loader.load("cpt.yaml", "cpt", rules_dir),
        )

    def lexicon(self, name: str) -> Any:
        return self.lexicons[name]
