from __future__ import annotations

from parley.domain.transcript import Word
from parley.engines.stt.hallucination import is_anomaly, without_invented_tail
from parley.engines.stt.segmenting import DecodedWord


def _words(*spec: tuple[str, float, float]) -> list[DecodedWord]:
    """(text, probability, seconds) each, one after the other."""
    out, at = [], 0.0
    for text, probability, seconds in spec:
        out.append(DecodedWord(Word(text, at, at + seconds, probability), False))
        at += seconds
    return out


SPOKEN = (("feels", 0.74, 0.34), ("like", 0.95, 0.4), ("forever", 0.94, 0.56))


def test_an_improbable_run_of_instant_words_after_the_speech_is_dropped() -> None:
    # What Whisper wrote over the noise after "forever" in a real stream.
    invented = (("3,", 0.01, 0.14), ("4,", 0.35, 0.0), ("3,", 0.52, 0.4), ("4,", 0.73, 0.0))
    words = _words(*SPOKEN, *invented)
    assert [w.word.text for w in without_invented_tail(words)] == ["feels", "like", "forever"]


def test_plausible_words_are_kept_even_when_the_last_is_short() -> None:
    words = _words(*SPOKEN, ("now", 0.9, 0.1))
    assert without_invented_tail(words) == words
    # Improbable alone is not enough for a run of ordinary words to be an anomaly.
    words = _words(*SPOKEN, ("smith", 0.1, 0.4), ("said", 0.9, 0.3), ("so", 0.9, 0.3))
    assert without_invented_tail(words) == words


def test_anomaly_follows_whispers_published_rule() -> None:
    assert is_anomaly(_words(("uh", 0.1, 0.05)))  # improbable and too short
    assert not is_anomaly(_words(("hello", 0.9, 0.4), ("there", 0.8, 0.3)))
    assert is_anomaly(_words(("a", 0.9, 0.0), ("b", 0.9, 0.0)))  # scores 2 each
    assert not is_anomaly([])


def test_a_word_joined_from_pieces_is_scored_as_the_decoder_wrote_it() -> None:
    # "S-U-N." spelled at the end: Whisper wrote " S" (improbable), "-U", "-N.".
    pieces = (
        Word("S", 0.56, 0.82, 0.09),
        Word("-U", 0.82, 1.08, 0.68),
        Word("-N.", 1.08, 1.3, 0.99),
    )
    spelled = DecodedWord(Word("S-U-N.", 0.56, 1.3, 0.09), False, pieces)
    words = [*_words(("the", 0.7, 0.14), ("word", 0.9, 0.2), ("is", 0.97, 0.22)), spelled]
    assert without_invented_tail(words) == words
    # The same letters as one improbable word would be dropped.
    assert without_invented_tail([*words[:3], DecodedWord(spelled.word, False)]) == words[:3]
