"""Sentence boundaries and per-sentence tokens read lazily are those of the whole-text tokenizer.

The extractor never tokenizes a transcript whole: it reads only the chunks around sentence-ending
punctuation to find boundaries, and the tokens of a sentence when ConText needs its doc. The
whole-text tokenizer (``tokenize``) with spaCy's sentencizer rule (``_punctuation_starts``) stays
as the reference; these tests hold both to the same answer on random and on real text.
"""

from __future__ import annotations

import bisect
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notewell.bootstrap import App
from notewell.extraction.nlp import ClinicalNLP, first_token_at, tokenize, tokens_between

ROOT = Path(__file__).resolve().parents[2]

# pieces that exercise every tokenizer rule next to sentence-ending punctuation
PIECES = st.sampled_from(
    [
        "a", "b", "I", "x", "e", "i", "p", "m", "A", "P", "M", "n", "t", "s", "Dr", "Mrs", "ph", "St",
        "Prof", "approx", "vs", "cf", "today", "O'Brien", "re-do",
        ".", "?", "!", "…", "。", "！", "‽", "｡", ",", ";", ":", "-", "—", "_", "'", "’", '"', "“", "(", ")",
        "0", "7", "3.5", "1,000",
        " ", "  ", "   ", "\n", "\n\n", "\t", "\r\n", " \n", "\u00a0", "\u2009",
        "-HI", "−SI", "–x",
        "Dr. ", "p.m. ", "a.m.", "P.M.", "e.g.", "i.e.", "don't", "can’t", "I'm", "it's", "we'll", "ph. 3",
        "é", "ß", "x\u0301", "٣", "²", "🙂",
    ]
)  # fmt: skip
TEXTS = st.one_of(st.lists(PIECES, max_size=40).map("".join), st.text(max_size=60))


def _reference(nlp: ClinicalNLP, text: str) -> tuple[list[str], list[bool], list[int], list[int]]:
    """Tokens, trailing spaces, token offsets and sentence starts (in characters), whole-text way."""
    words, spaces = tokenize(text)
    offsets, pos = [], 0
    for word, space in zip(words, spaces, strict=True):
        offsets.append(pos)
        pos += len(word) + space
    return words, spaces, offsets, [offsets[i] for i in nlp._punctuation_starts(words, spaces)]


def _agree(nlp: ClinicalNLP, text: str) -> None:
    words, spaces, offsets, starts = _reference(nlp, text)
    assert nlp.sentence_starts(text) == starts
    for pos in range(len(text) + 1):
        k = bisect.bisect_left(offsets, pos)
        assert first_token_at(text, pos) == (offsets[k] if k < len(offsets) else None)
    bounds = [*offsets, len(text)]
    # every sentence's tokens, and every stretch between two sentence starts or tokens
    for i, a in enumerate(starts):
        b = starts[i + 1] if i + 1 < len(starts) else len(text)
        lo, hi = bisect.bisect_left(offsets, a), bisect.bisect_left(bounds, b)
        assert tokens_between(text, a, b) == (words[lo:hi], spaces[lo:hi])
    for lo in range(len(offsets)):
        for hi in (lo + 1, min(lo + 3, len(offsets)), len(offsets)):
            assert tokens_between(text, offsets[lo], bounds[hi]) == (words[lo:hi], spaces[lo:hi])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(TEXTS)
def test_lazy_sentence_starts_and_tokens_match_the_whole_text_tokenizer(app: App, text: str) -> None:
    _agree(app.extractor.nlp, text)


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_lazy_sentence_starts_and_tokens_match_on_the_example_sessions(app: App, path: Path) -> None:
    text = str(yaml.safe_load(path.read_text(encoding="utf-8")).get("text", ""))
    nlp = app.extractor.nlp
    words, spaces, offsets, starts = _reference(nlp, text)
    assert nlp.sentence_starts(text) == starts
    bounds = [*offsets, len(text)]
    for i, a in enumerate(starts):
        b = starts[i + 1] if i + 1 < len(starts) else len(text)
        lo, hi = bisect.bisect_left(offsets, a), bisect.bisect_left(bounds, b)
        assert tokens_between(text, a, b) == (words[lo:hi], spaces[lo:hi])
        assert first_token_at(text, a) == a


def test_an_abbreviation_or_a_decimal_does_not_end_a_sentence(app: App) -> None:
    text = "Seen by Dr. Okonkwo at 4 p.m. today. Dose 0.5 mg, e.g. at night? Yes."
    nlp = app.extractor.nlp
    assert [text[s:e] for s, e in nlp.sentence_spans(nlp.parse(text))] == [
        "Seen by Dr. Okonkwo at 4 p.m. today. ",
        "Dose 0.5 mg, e.g. at night? ",
        "Yes.",
    ]


def test_an_initial_ends_a_sentence_only_where_a_new_one_begins(app: App) -> None:
    # the group member stays the subject of the disclosure: context must reach across "R.,"
    text = (
        "Another member, Thaddeus R., disclosed SI. Pt saw friend A. after group. Went w/ Plan B. Pt agreed."
    )
    nlp = app.extractor.nlp
    assert [text[s:e] for s, e in nlp.sentence_spans(nlp.parse(text))] == [
        "Another member, Thaddeus R., disclosed SI. ",
        "Pt saw friend A. after group. ",
        "Went w/ Plan B. ",
        "Pt agreed.",
    ]


def test_an_empty_text_has_no_sentences_and_a_blank_one_has_one(app: App) -> None:
    nlp = app.extractor.nlp
    assert nlp.sentence_spans(nlp.parse("")) == []
    assert nlp.sentence_spans(nlp.parse(" \n ")) == [(0, 3)]
