"""Cutting a live reading where Whisper loops: the words before the loop stand; a reading
with more words than anyone says in the time and no loop to cut gives none."""

from __future__ import annotations

from parley.domain.transcript import Word
from parley.engines.stt.segmenting import DecodedWord
from parley.engines.stt.whisper import _before_loop, _without_loop


def reading(text: str, step: float = 0.3) -> list[DecodedWord]:
    return [
        DecodedWord(Word(w, i * step, i * step + step * 0.8, 0.9), i == 0)
        for i, w in enumerate(text.split())
    ]


def test_a_loop_is_cut_where_it_starts_again() -> None:
    words = reading("we went to the shop we went to the shop we went to the")
    assert _without_loop(words, duration=4.0, speech_end=4.0) is None  # short of the speech
    kept = [w.word.text for w in _before_loop(words, duration=4.0)]
    assert kept == ["we", "went", "to", "the", "shop"]


def test_the_same_word_said_again_is_speech() -> None:
    words = reading("five five five five five five five five")
    assert _without_loop(words, duration=3.0, speech_end=2.4) == words
    assert _before_loop(words, duration=3.0) == words


def test_too_many_words_for_the_time_and_no_loop_give_none() -> None:
    words = reading(" ".join(["..."] * 15), step=0.1)
    assert _without_loop(words, duration=0.5, speech_end=0.5) is None
    assert _before_loop(words, duration=0.5) == []


def test_a_short_phrase_said_three_times_in_a_row_is_a_loop() -> None:
    words = reading("the room is so quite different so quite different so quite different")
    kept = [w.word.text for w in _before_loop(words, duration=6.0)]
    assert kept == ["the", "room", "is", "so", "quite", "different"]


def test_a_short_phrase_said_twice_is_speech() -> None:
    words = reading("thank you thank you for coming")
    assert _without_loop(words, duration=3.0, speech_end=1.8) == words
