"""Every clinical rule's own example sentences, run through the real pipeline.

Each rule in ``src/notewell/clinical/lexicons/*.yaml`` carries ``examples``: sentences it must
match and sentences it must not. A rule "fires" when the extractor records its id for that
text (a risk target that counted, a modifier that applied, a homework cue that found a task…).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from notewell.clinical.knowledge import Knowledge
from notewell.domain.session import Goal
from tests.factories import make_session

KNOWLEDGE = Knowledge.load()


def _rules(data: Any, lexicon: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    if isinstance(data, dict):
        if "id" in data and "examples" in data:
            yield lexicon, data["id"], data["examples"]
        for value in data.values():
            yield from _rules(value, lexicon)
    elif isinstance(data, list):
        for item in data:
            yield from _rules(item, lexicon)


CASES = [
    pytest.param(rule_id, example, should, id=f"{lexicon}:{rule_id}:{'match' if should else 'no'}:{i}")
    for lexicon, data in sorted(KNOWLEDGE.lexicons.items())
    for _, rule_id, examples in _rules(data, lexicon)
    for should, key in ((True, "match"), (False, "no_match"))
    for i, example in enumerate(examples.get(key, []))
]


def test_every_rule_has_examples() -> None:
    assert len(CASES) > 200


@pytest.mark.parametrize(("rule_id", "example", "should_fire"), CASES)
def test_rule_example(app: Any, rule_id: str, example: str, should_fire: bool) -> None:
    goals: tuple[Goal, ...] = ()
    if example.startswith("GOAL "):  # goal rules: "GOAL <goal text> | <session text>"
        goal_text, _, example = example[5:].partition(" | ")
        goals = (Goal("G1", goal_text),)
    when = date(2026, 3, 2)
    if example.startswith("DATE "):  # rules that read the session date: "DATE 2026-11-12 | <text>"
        day, _, example = example[5:].partition(" | ")
        when = date.fromisoformat(day)
    facts = app.extractor.extract(make_session(example, goals=goals, session_date=when))
    if should_fire:
        assert rule_id in facts.fired_rules, f"{rule_id} did not fire on {example!r}"
    else:
        assert rule_id not in facts.fired_rules, f"{rule_id} fired on {example!r}"


def test_rule_ids_are_unique_across_all_lexicons() -> None:
    """Ids name a rule in traces, tests and overrides: one id, one rule."""
    seen: dict[str, str] = {}
    for lexicon, data in KNOWLEDGE.lexicons.items():
        for _, rule_id, _ in _rules(data, lexicon):
            assert rule_id not in seen, f"{rule_id} is in both {seen[rule_id]} and {lexicon}"
            seen[rule_id] = lexicon
