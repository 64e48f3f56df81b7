"""Pilot figures: how far the clinician moved from the AI draft before signing.

The edit ratio is the normalised Levenshtein distance between the draft text and the signed
text: edits needed ÷ length of the longer text. ``0.0`` means signed exactly as drafted,
``0.12`` that about one character in eight changed, ``1.0`` a complete rewrite.
"""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein


def edit_ratio(draft: str, signed: str) -> float:
    """Normalised edit distance from ``draft`` to ``signed`` (0.0–1.0, rounded to 4 places)."""
    if not draft and not signed:
        return 0.0
    return round(float(Levenshtein.normalized_distance(draft, signed)), 4)
