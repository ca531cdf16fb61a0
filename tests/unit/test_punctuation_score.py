"""Sentence ends and commas compared word by word, after the words are matched."""

from __future__ import annotations

from parley.evaluation.punctuation import COMMA, SENTENCE_END, has_punctuation, punctuation_score


def test_marks_are_compared_on_matched_words() -> None:
    score = punctuation_score(
        ["Tickets cost $12.50 for adults, and children go free. Do you agree?"],
        ["tickets cost 12 dollars 50 for adults and children go free! Do you, agree."],
    )
    end, comma = score.marks[SENTENCE_END], score.marks[COMMA]
    assert (end.hits, end.missed, end.extra) == (2, 0, 0)  # "!" and "." both end sentences
    assert (comma.hits, comma.missed, comma.extra) == (0, 1, 1)
    assert comma.precision == 0.0
    assert end.recall == 1.0


def test_words_the_transcript_got_wrong_are_not_counted() -> None:
    score = punctuation_score(["He left, then came back."], ["She left, then."])
    assert score.marks[COMMA].hits == 1
    assert score.marks[SENTENCE_END].missed == 0  # "back." was never matched


def test_unpunctuated_references_are_told_apart() -> None:
    assert has_punctuation("Go forward ten meters.")
    assert not has_punctuation("go forward ten meters")
