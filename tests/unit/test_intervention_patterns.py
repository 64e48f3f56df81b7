"""Interventions described in a clinician's own words, and look-alikes that are not delivery.

These sit beside the lexicon's per-rule examples: they assert the *technique* that reaches the
facts (after ``part_of``, unticked boxes and plan sections), which a rule's firing alone cannot show.
"""

from __future__ import annotations

from collections.abc import Callable

from notewell.domain.facts import Facts


def techniques(extract: Callable[..., Facts], text: str, **kw: object) -> set[str]:
    return {i.technique for i in extract(text, **kw).interventions}


def test_unticked_box_in_an_export_is_not_a_delivered_technique(extract: Callable[..., Facts]) -> None:
    text = "INTERVENTIONS: [X] Cognitive restructuring [ ] Behavioral activation [ ] Psychoeducation"
    assert techniques(extract, text) == {"cognitive_restructuring"}


def test_ticked_box_still_counts(extract: Callable[..., Facts]) -> None:
    assert "behavioral_activation" in techniques(extract, "Techniques used: [x] Behavioral activation")
