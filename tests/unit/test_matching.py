"""The literal prefilter must never change what a rule matches, only how fast."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notewell.bootstrap import App
from notewell.extraction.matching import CompiledRule, TextIndex, literal_plan, required_literals
from tests.factories import make_session


@pytest.mark.parametrize(
    ("pattern", "case_sensitive", "expected"),
    [
        (r"\bthoughts? of (?:suicide|killing)", False, {"thought"}),
        (r"\bSI\b", True, {"SI"}),
        (r"(?:denies|denied)", False, {"denie"}),
        (r"[-–]\s?(?=\w)", False, None),
    ],
)
def test_required_literals(pattern: str, case_sensitive: bool, expected: set[str] | None) -> None:
    got = required_literals(pattern, case_sensitive)
    assert (set(got) if got else None) == expected


def test_every_shipped_rule_can_be_prefiltered(app: App) -> None:
    """A rule without literals would scan every sentence of a long transcript (slow)."""
    ex = app.extractor
    rules = [*ex.risk._rules, *ex.interventions._rules, *ex.measures._rules, *ex.distortions._rules]
    unfiltered = [r.id for r in rules if r.literals is None]
    assert unfiltered == []


WORDS = [
    "denies",
    "SI",
    "thoughts",
    "of",
    "suicide",
    "killing",
    "myself",
    "plan",
    "Hx",
    "no",
    ".",
    "\n",
    "PHQ-9",
    "14",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=60))
def test_prefiltered_matches_equal_brute_force(words: list[str]) -> None:
    text = " ".join(words)
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^.\n]+[.\n]?", text)]
    rules = [
        CompiledRule.build("a", r"\bthoughts? of (?:suicide|killing\s+myself)"),
        CompiledRule.build("b", r"(?<![A-Za-z])SI(?![A-Za-z])", case_sensitive=True),
        CompiledRule.build("c", r"\bPHQ-?9\s+\d+"),
    ]
    index = TextIndex(text, spans)
    fast = sorted((m.rule.id, m.start, m.end) for m in index.matches(rules))
    slow = sorted(
        (r.id, m.start(), m.end())
        for r in rules
        for s, e in spans
        for m in r.regex.finditer(text, s, e)
        if m.end() > m.start()
    )
    assert fast == slow


def _all_rules(app: App) -> list[CompiledRule]:
    ex = app.extractor
    found: list[CompiledRule] = []
    for component in (
        ex.risk,
        ex.interventions,
        ex.measures,
        ex.distortions,
        ex.mi,
        ex.quotes,
        ex.details,
        ex.people,
    ):
        for value in vars(component).values():
            if isinstance(value, list):
                found.extend(v for v in value if isinstance(v, CompiledRule))
    found.extend(ex.nlp._rules)
    return found


def test_every_shipped_rule_finds_through_the_prefilter_what_a_full_scan_finds(app: App) -> None:
    """The literal prefilter may only skip sentences that cannot match: on the example sessions,
    every shipped rule's matches through the index equal a plain regex scan of every sentence."""
    root = Path(__file__).resolve().parents[2]
    rules = _all_rules(app)
    assert len(rules) > 200
    for path in sorted((root / "examples").glob("*.yaml")):
        text = yaml.safe_load(path.read_text(encoding="utf-8"))["text"]
        doc = app.extractor.document(make_session(text))
        fast = sorted((m.rule.id, m.start, m.end) for m in doc.index.matches(rules))
        slow = []
        for r in rules:
            for s, e in doc.index.spans:
                found = r.regex.finditer(text[s:e]) if r.anchored else r.regex.finditer(text, s, e)
                offset = s if r.anchored else 0
                slow.extend(
                    (r.id, m.start() + offset, m.end() + offset) for m in found if m.end() > m.start()
                )
        assert fast == sorted(slow), path.name


def test_a_word_start_lookup_does_not_answer_for_a_lookup_anywhere_in_a_word() -> None:
    """ "day" starting a word and "day" inside one ("Wednesday") are different questions; the
    first answer once stood in for both and hid "Next Wednesday at three" from the appointment rule."""
    text = "Slept all day Sunday. Next Wednesday at three, then."
    index = TextIndex(text, [(0, 21), (22, len(text))])
    assert index.sentence_mask("day", False, True) == 0b01  # only "day" itself starts a word
    assert index.sentence_mask("day", False, False) == 0b11  # "Sunday", "Wednesday" hold it too
    rule = CompiledRule.build("t.next_weekday", r"\bnext\s+(?:mon|tues|wednes)day\b")
    index.sentence_mask("day", False, True)
    assert [m.start for m in index.matches([rule])] == [text.index("Next")]


CASE_PIECES = st.sampled_from(
    [
        "I", "i", "Dx:", "DX", "F33.1", "SI", "si", "HI", "PHQ-9", "12", "Denies", "DENIES", "suicide",
        "Kill", "KILL", "cut", "Cut", "myself", "Thoughts", "of", "mom", "Mom", "sleep", "Sleep", "slept",
        "panic", "hurt", "can't", "won’t", "don't", "I'm", "felt", "feel", "Scared", "fault", "Mother",
        "\u212a", "\u017f", "\u0131", "\u0130", "\u00c9", "\u00e9", "\u00df", "Jos\u00e9", "caf\u00e9",
        "\u2019", "\u017fleep", "\u212aill", "pan\u0131c", "\u017fuicide",
        "\u2014", "\u00a0", "\u24b6",
        " ", " ", " ", "  ", ". ", ", ", "? ", "\n", ": ", '"', "(", ")", "-", "/",
    ]
)  # fmt: skip


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(CASE_PIECES, max_size=50).map("".join))
def test_caseless_regexes_on_lower_cased_text_find_what_ignorecase_finds(app: App, text: str) -> None:
    """Case-insensitive rules read the lower-cased text without re.IGNORECASE where that is
    exact; with characters whose case folds unusually ("K" the Kelvin sign, "ſ", "İ", "ß") nearby,
    the index falls back to the case-insensitive regex, so matches never change."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^.?\n]+[.?\n]?", text)]
    index = TextIndex(text, spans)
    for r in _all_rules(app):
        fast = [(m.start, m.end) for m in index.matches([r])]
        slow = []  # the same candidate sentences, read by the case-insensitive regex
        for idx in index.candidates(r):
            s, e = index.spans[idx]
            found = r.regex.finditer(text[s:e]) if r.anchored else r.regex.finditer(text, s, e)
            offset = s if r.anchored else 0
            slow.extend((m.start() + offset, m.end() + offset) for m in found if m.end() > m.start())
        assert fast == slow, r.id


def test_most_shipped_case_insensitive_rules_have_a_caseless_regex(app: App) -> None:
    rules = [r for r in _all_rules(app) if not r.case_sensitive]
    assert sum(r.caseless is not None for r in rules) > 0.9 * len(rules)


def test_a_letter_that_folds_unusually_is_still_matched_as_re_ignorecase_matches_it() -> None:
    """ "ſ" (long s) is "s" to re.IGNORECASE but stays "ſ" in lower case: its sentence is read by
    the case-insensitive regex, and the sentence beside it still by the caseless one."""
    text = "I can't \u017fleep, panic. I can't sleep."
    first = text.index(".") + 1
    index = TextIndex(text, [(0, first), (first + 1, len(text))])
    rule = CompiledRule.build("s", r"\b(?:sleep|panic)\b")
    assert rule.caseless is not None
    assert index.caseless() == (text.lower(), frozenset({0}))
    assert [text[m.start : m.end] for m in index.matches([rule])] == ["\u017fleep", "panic", "sleep"]


def test_matches_read_from_all_matches_are_those_a_fresh_index_finds() -> None:
    """Once a rule's matches are all known, matches() (with or without a sentence filter) hands
    them out again instead of running the regex: the same matches, in the same order."""
    text = "I felt scared. Then calm. I felt ashamed and scared again."
    spans = [(0, 14), (15, 25), (26, len(text))]
    rule = CompiledRule.build("sal.affect", r"\b(?:scared|ashamed|calm)\b")
    fresh = TextIndex(text, spans)
    expected = [(m.start, m.end, m.sentence) for m in fresh.matches([rule])]
    other = TextIndex(text, spans)
    expected_only = [(m.start, m.end, m.sentence) for m in other.matches([rule], only={0, 2})]
    index = TextIndex(text, spans)
    assert [(m.start, m.end, m.sentence) for m in index.all_matches(rule)] == expected
    assert [(m.start, m.end, m.sentence) for m in index.matches([rule])] == expected
    assert [(m.start, m.end, m.sentence) for m in index.matches([rule], only={0, 2})] == expected_only
    assert len(expected_only) == 3


def test_a_case_sensitive_capital_is_a_prefilter_literal_but_a_caseless_letter_is_not() -> None:
    # "F33.1": the ICD-10 code's capital narrows the sentences to search; "f" in any case does not
    plan = literal_plan(r"(?<![\w.])F\d\d(?:\.\d{1,2})?", True)
    assert plan is not None and plan[0] == "lits" and plan[1] == frozenset({"F"})
    assert literal_plan(r"(?<![\w.])F\d\d(?:\.\d{1,2})?", False) is None


def test_a_pattern_with_uncased_punctuation_still_gets_a_caseless_regex() -> None:
    """A dash or a curly quote has no case: "SI: asked – denies" and "client’s" patterns keep the
    fast caseless path, while a non-ASCII letter ("é") still does not."""
    from notewell.extraction.matching import caseless_regex

    pattern = r"\basked\s*[-–—:]\s*denie[sd]\b|\bclient’s\b"
    fast = caseless_regex(pattern)
    assert fast is not None
    text = "SI: Asked – DENIES. The Client’s plan."
    slow = re.compile(pattern, re.IGNORECASE)
    assert [m.span() for m in fast.finditer(text.lower())] == [m.span() for m in slow.finditer(text)]
    assert caseless_regex(r"caf\u00e9") is None
