"""Pure functions on measure scores: severity bands and change between two scores.

``band(12, phq9_spec)`` → ``"moderate"``; ``change(19, 12, phq9_spec)`` → a 7-point drop, 37%,
a reliable improvement (PHQ-9 reliable change 6 points) but not yet a response (≥ 50 % drop).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def band(score: float, spec: Mapping[str, Any]) -> str | None:
    for b in spec.get("bands", []):
        if b["min"] <= score <= b["max"]:
            return str(b["label"])
    return None


@dataclass(frozen=True)
class Change:
    before: float
    after: float
    delta: float
    percent: int | None
    reliable: bool | None
    direction: str
    response: bool | None
    remission: bool | None


def change(before: float, after: float, spec: Mapping[str, Any]) -> Change:
    """Change from ``before`` to ``after``; lower scores are better on all shipped instruments."""
    delta = after - before
    percent = round(100 * abs(delta) / before) if before else None
    threshold = spec.get("reliable_change")
    reliable = abs(delta) >= threshold if threshold is not None else None
    if reliable is None:
        direction = "improved" if delta < 0 else "worsened" if delta > 0 else "no change"
    elif reliable:
        direction = "improved" if delta < 0 else "worsened"
    else:
        direction = "no reliable change"
    drop = spec.get("response_drop_percent")
    response = (before > 0 and (before - after) / before * 100 >= drop) if drop is not None else None
    below = spec.get("remission_below")
    remission = after < below if below is not None else None
    return Change(before, after, delta, percent, reliable, direction, response, remission)
