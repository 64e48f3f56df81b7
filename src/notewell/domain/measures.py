"""Pure functions on measure scores: severity bands and change between two scores.

``band(12, phq9_spec)`` → ``"moderate"``; ``change(19, 12, phq9_spec)`` → a 7-point drop, 37%,
a reliable improvement (PHQ-9 reliable change 6 points) but not yet a response (≥ 50 % drop).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


class ScoringError(ValueError):
    """Answers that cannot be scored: the wrong number of items or an answer out of range.
    The message says which and what was expected ("PHQ-9 needs 9 answers, got 8")."""


@dataclass(frozen=True)
class ScoreResult:
    """A scored form: its total and band, the flags a clinician must see, and (for PCL-5) how
    many symptoms each cluster reached; for a screener that is triaged rather than totalled
    (C-SSRS), its risk level and the action that level calls for."""

    instrument: str
    total: float | None
    band: str | None
    flags: tuple[str, ...]
    clusters: tuple[tuple[str, int, int], ...] = ()
    triage: str | None = None
    action: str | None = None


def score_items(spec: Mapping[str, Any], items: Sequence[int]) -> ScoreResult:
    """Score one completed form.

    ``score_items(phq9, [2, 2, 1, 2, 1, 1, 2, 1, 1])`` → total 13, "moderate", flags
    ``("item9_positive", "screen_positive")``. A partial form is refused — a PHQ-9 with eight
    answers is not a PHQ-9 — as is any answer outside the item's range.
    """
    name = str(spec["id"])
    item_spec = spec.get("items")
    if not item_spec:
        raise ScoringError(f"{name} has no item scoring; enter its total instead")
    count, low, high = int(item_spec["count"]), int(item_spec["min"]), int(item_spec["max"])
    if len(items) != count:
        raise ScoringError(f"{name} needs {count} answers, got {len(items)} (partial forms are not scored)")
    allowed = {int(k): set(v) for k, v in (item_spec.get("allowed") or {}).items()}
    for n, answer in enumerate(items, start=1):
        permitted = allowed.get(n)
        if permitted is not None and answer not in permitted:
            raise ScoringError(f"{name} item {n} must be one of {sorted(permitted)}, got {answer}")
        if permitted is None and not low <= answer <= high:
            raise ScoringError(f"{name} item {n} must be {low}-{high}, got {answer}")
    flags: list[str] = []
    risk = spec.get("risk_item")
    if risk and items[risk["number"] - 1] > risk["above"]:
        flags.append(str(risk["flag"]))
    if spec.get("scored", True) is False:
        level, action = _triage(spec, items)
        if level not in ("none", None):
            flags.append(f"triage_{level}")
        return ScoreResult(name, None, None, tuple(flags), triage=level, action=action)
    total = float(sum(items))
    cut = spec.get("screen_positive_at")
    if cut is not None and total >= cut:
        flags.append("screen_positive")
    clusters = _clusters(spec, items)
    if clusters and all(got >= need for _, got, need in clusters) and spec.get("provisional_flag"):
        flags.append(str(spec["provisional_flag"]))
    return ScoreResult(name, total, band(total, spec), tuple(flags), clusters)


def _clusters(spec: Mapping[str, Any], items: Sequence[int]) -> tuple[tuple[str, int, int], ...]:
    """PCL-5's DSM-5 pattern: items rated at or above the threshold (2, "moderately") count as
    symptoms; each cluster needs its number (B 1, C 1, D 2, E 2)."""
    threshold = int(spec.get("cluster_item_threshold", 1))
    out = []
    for c in spec.get("clusters", []):
        first, last = c["items"]
        got = sum(1 for n in range(first, last + 1) if items[n - 1] >= threshold)
        out.append((str(c["id"]), got, int(c["need"])))
    return tuple(out)


def _triage(spec: Mapping[str, Any], items: Sequence[int]) -> tuple[str | None, str | None]:
    """The first triage rule with a "yes" among its items (rules are ordered most severe first)."""
    for rule in spec.get("triage", []):
        wanted = rule["any_yes"]
        if not wanted or any(items[n - 1] > 0 for n in wanted):
            return str(rule["level"]), str(rule["action"])
    return None, None
