"""Quotes: the client's own salient words, and never someone else's."""

from __future__ import annotations

from collections.abc import Callable

from notewell.domain.facts import Facts

Extract = Callable[..., Facts]


def test_words_the_clinician_quotes_from_the_client_are_quotes(extract: Extract) -> None:
    facts = extract('Pt tearful. Said "I feel like I am failing my kids every single day."')
    assert any("failing my kids" in q.text for q in facts.quotes)


def test_words_another_person_posted_or_said_are_not_the_clients_quote(extract: Extract) -> None:
    text = (
        'Sunday her cousin J. posted online "I can\'t keep going like this, goodbye." '
        'Pt said "I feel like I am failing everyone I love."'
    )
    quotes = [q.text for q in extract(text).quotes]
    assert not any("goodbye" in q for q in quotes)
    assert any("failing everyone" in q for q in quotes)


def test_a_relation_in_an_earlier_sentence_does_not_take_the_clients_quote(extract: Extract) -> None:
    text = (
        "Psychoed: this is common and not a verdict on her as a mother. "
        'Pt cried, said "I thought I was just failing at all of it."'
    )
    assert any("just failing" in q.text for q in extract(text).quotes)
