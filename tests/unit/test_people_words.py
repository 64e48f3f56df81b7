"""The shortcuts people-finding takes to read capitalised and lower-case words find what the
plain regexes find."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from notewell.extraction.people import CAPITALISED, LOWER_WORD, lower_case_words

# the plain form of CAPITALISED: the lookbehind before the capital
PLAIN_CAPITALISED = re.compile(
    r"(?<![\w'’.-])([A-Z][a-z]+(?:-[A-Z][a-z]+|['’][A-Z]?[a-z]{2,})*(?:\s+[A-Z][a-z]+)*)(?![\w-])(?:'s|’s)?"
)
PIECES = st.sampled_from(
    [
        "Mateo", "mateo", "Mary-Jane", "O'Brien", "O’Brien", "Renee's", "Renee’s", "Fortune-telling", "pool",
        "Pool", "well-known", "co-", "-known", "A", "a", "I", "Dr.", "x", "é", "É", "José", "ß", "_", "7",
        " ", " ", "  ", "\n", "\t", "\u00a0", ".", ",", "-", "'", "’", '"', "(", ")", ":", "--",
    ]
)  # fmt: skip
TEXTS = st.one_of(st.lists(PIECES, max_size=40).map("".join), st.text(max_size=80))


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_lower_case_words_are_the_lower_word_matches(text: str) -> None:
    assert lower_case_words(text) == set(LOWER_WORD.findall(text))


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_capitalised_words_are_found_as_the_plain_regex_finds_them(text: str) -> None:
    def spans(rx: re.Pattern[str]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        return [(m.span(), m.span(1)) for m in rx.finditer(text)]

    assert spans(CAPITALISED) == spans(PLAIN_CAPITALISED)
