"""Cutting a reading where Whisper loops: the words before the loop stand (a file's reading
then reads the speech after them again); a reading with more words than anyone says in
the time and no loop to cut gives none."""

from __future__ import annotations

from parley.domain.transcript import Word
from parley.engines.stt.loops import before_loop, stretched_tail, without_loop
from parley.engines.stt.segmenting import DecodedWord, duration_of, speech_after


def reading(text: str, step: float = 0.3) -> list[DecodedWord]:
    return [
        DecodedWord(Word(w, i * step, i * step + step * 0.8, 0.9), i == 0)
        for i, w in enumerate(text.split())
    ]


def test_a_loop_is_cut_where_it_starts_again() -> None:
    words = reading("we went to the shop we went to the shop we went to the")
    assert without_loop(words, duration=4.0, speech_end=4.0) is None  # short of the speech
    kept = [w.word.text for w in before_loop(words, duration=4.0)]
    assert kept == ["we", "went", "to", "the", "shop"]


def test_the_same_word_said_again_is_speech() -> None:
    words = reading("five five five five five five five five")
    assert without_loop(words, duration=3.0, speech_end=2.4) == words
    assert before_loop(words, duration=3.0) == words


def test_too_many_words_for_the_time_and_no_loop_give_none() -> None:
    words = reading(" ".join(["..."] * 15), step=0.1)
    assert without_loop(words, duration=0.5, speech_end=0.5) is None
    assert before_loop(words, duration=0.5) == []


def test_a_short_phrase_said_three_times_in_a_row_is_a_loop() -> None:
    words = reading("the room is so quite different so quite different so quite different")
    kept = [w.word.text for w in before_loop(words, duration=6.0)]
    assert kept == ["the", "room", "is", "so", "quite", "different"]


def test_a_short_phrase_said_twice_is_speech() -> None:
    words = reading("thank you thank you for coming")
    assert without_loop(words, duration=3.0, speech_end=1.8) == words


def test_one_word_said_over_and_over_is_a_loop() -> None:
    words = reading("ha ha " + "ho, " * 40 + "the end", step=0.1)
    kept = [w.word.text for w in before_loop(words, duration=20.0)]
    assert kept == ["ha", "ha", "ho,"]


def test_the_speech_after_a_point_is_what_is_left_to_read() -> None:
    rate = 1000
    piece = [{"start": 0, "end": 2000}, {"start": 3000, "end": 6000}]
    left = speech_after(piece, 2900)  # after a word that ends in the pause
    assert left == [{"start": 3000, "end": 6000}]
    assert duration_of(left, rate) == 3.0
    assert speech_after(piece, 800)[0] == {"start": 800, "end": 2000}
    assert speech_after(piece, 0) == piece


def test_a_last_word_laid_over_unread_speech_marks_where_to_read_again() -> None:
    words = reading("and you always want to see it in the")
    stretched = [*words[:-2], DecodedWord(Word("in", 2.1, 3.9, 0.9), False)]
    stretched.append(DecodedWord(Word("the", 3.9, 3.9, 0.9), False))
    assert stretched_tail(stretched) == len(words) - 2
    assert stretched_tail(words) is None
    # A long word with a last word said after it is someone taking their time.
    assert stretched_tail([*stretched[:-1], DecodedWord(Word("the", 3.9, 4.1, 0.9), False)]) is None
