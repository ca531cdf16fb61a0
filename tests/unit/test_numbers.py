"""One way of writing numbers, whatever way the model wrote them."""

from __future__ import annotations

import pytest

from parley.services.numbers import Token, as_digits, as_words, spell


def tokens(text: str) -> list[Token]:
    return [(i, i, word) for i, word in enumerate(text.split())]


def joined(found: list[Token]) -> str:
    return " ".join(text for _, _, text in found)


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("Seven of clubs.", "7 of clubs."),
        ("Go forward ten meters.", "Go forward 10 meters."),
        ("one hundred and five dogs and cats", "105 dogs and cats"),
        ("twenty-one pilots", "21 pilots"),
        ("seven, eight, nine", "7, 8, 9"),
        ("no one knows", "no one knows"),
        ("I have 2 cats.", "I have two cats."),
        ("1 of clubs.", "One of clubs."),
    ],
)
def test_digits(said: str, written: str) -> None:
    assert joined(as_digits(tokens(said), sentence_case=True)) == written


def test_a_number_of_several_words_keeps_the_span_of_its_words() -> None:
    found = as_digits(tokens("take one hundred and five steps"), sentence_case=True)
    assert found[1] == (1, 4, "105")
    assert found[2] == (5, 5, "steps")


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("Go forward 10 meters.", "Go forward ten meters."),
        ("7 of clubs.", "Seven of clubs."),
        ("It costs 1,250 dollars", "It costs one thousand two hundred fifty dollars"),
        ("room 105", "room one hundred five"),
    ],
)
def test_words(written: str, said: str) -> None:
    assert joined(as_words(tokens(written), sentence_case=True)) == said


def test_no_sentence_capitals_without_punctuation() -> None:
    assert joined(as_words(tokens("7 of clubs"), sentence_case=False)) == "seven of clubs"


def test_spell() -> None:
    assert [spell(n) for n in (0, 13, 21, 100, 999_999, 1_000_001)] == [
        "zero",
        "thirteen",
        "twenty-one",
        "one hundred",
        "nine hundred ninety-nine thousand nine hundred ninety-nine",
        "one million one",
    ]
