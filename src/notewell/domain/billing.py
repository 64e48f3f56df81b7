"""CPT code suggestions from session type and face-to-face minutes.

``suggest_cpt("individual", 53, rules)`` → ``90837`` (53 minutes or more). Crisis time beyond
74 minutes adds one ``+90840`` per started 30 minutes (75-104 → one unit). Codes are suggestions
for the clinician, never a replacement for their coding; the rules are data (``clinical/cpt.yaml``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CptSuggestion:
    codes: tuple[str, ...]
    label: str
    minutes: int

    @property
    def text(self) -> str:
        """``90839 +90840 ×2``: add-on codes keep their own plus sign, repeats are counted."""
        parts: list[str] = []
        for code in self.codes:
            if parts and parts[-1].split(" ×")[0] == code:
                base, _, n = parts[-1].partition(" ×")
                parts[-1] = f"{base} ×{int(n or 1) + 1}"
            else:
                parts.append(code)
        return " ".join(parts)


def suggest_cpt(
    session_type: str | None, minutes: int | None, cpt: Mapping[str, Any]
) -> CptSuggestion | None:
    """The CPT code(s) a session of this type and length supports, or ``None``."""
    if minutes is None or minutes < int(cpt["minimum_minutes"]):
        return None
    kind = session_type or "individual"
    rules: Sequence[Mapping[str, Any]] = cpt["rules"]
    for rule in rules:
        if kind not in rule["types"]:
            continue
        if minutes < rule["min"] or ("max" in rule and minutes > rule["max"]):
            continue
        codes = list(rule["codes"])
        if "per_extra" in rule and len(codes) == 2:
            extra = max(1, math.ceil((minutes - (rule["min"] - 1)) / rule["per_extra"]))
            codes = [codes[0], *([codes[1]] * extra)]
        return CptSuggestion(tuple(codes), rule["label"], minutes)
    return None


def codes_in_range(code: str, session_type: str | None, minutes: int, cpt: Mapping[str, Any]) -> bool:
    """Whether ``code`` is one the documented minutes and type support (for mismatch checks)."""
    suggestion = suggest_cpt(session_type, minutes, cpt)
    return suggestion is not None and code.lstrip("+") in {c.lstrip("+") for c in suggestion.codes}
