"""Evidence: character spans into the session text.

Every fact Notewell extracts, and every note sentence that states something from the session,
points at the words it came from. ``Evidence(120, 171)`` means ``session.text[120:171]``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Evidence:
    """A half-open character span ``[start, end)`` into the session text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"invalid evidence span {self.start}-{self.end}")

    def overlaps(self, other: Evidence) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Evidence) -> bool:
        return self.start <= other.start and other.end <= self.end

    def __len__(self) -> int:
        return self.end - self.start

    def to_json(self) -> dict[str, int]:
        return {"start": self.start, "end": self.end}


def merge_spans(spans: Iterable[Evidence]) -> tuple[Evidence, ...]:
    """Sort spans and merge the ones that overlap or touch; a stable, compact evidence list."""
    merged: list[Evidence] = []
    for span in sorted(set(spans)):
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Evidence(last.start, max(last.end, span.end))
        else:
            merged.append(span)
    return tuple(merged)
