from __future__ import annotations

from parley.domain.transcript import Transcript, Word
from parley.engines.stt.rover import combine
from parley.engines.stt.segmenting import DecodedWord, split_at_pauses


def _reading(model: str, *words: tuple[str, float]) -> Transcript:
    """Words 0.3 s each, one after the other, with their confidences."""
    decoded = [
        DecodedWord(Word(text, 0.3 * i, 0.3 * i + 0.25, confidence), i == 0)
        for i, (text, confidence) in enumerate(words)
    ]
    return Transcript(
        segments=tuple(split_at_pauses(decoded, "en")),
        language="en",
        duration=3.0,
        model=model,
        inference_seconds=0.5,
    )


def test_the_word_most_models_read_wins_each_slot() -> None:
    a = _reading("a", ("Montreal", 0.9), ("forced", 0.8), ("a", 0.6), ("liner.", 0.7))
    b = _reading("b", ("Montreal", 0.9), ("forced", 0.9), ("aligner.", 0.8))
    c = _reading("c", ("montreal", 0.8), ("forced", 0.7), ("aligner", 0.6))
    combined = combine("accurate", [a, b, c])
    assert combined.text == "Montreal forced aligner."
    assert combined.model == "accurate"
    assert combined.inference_seconds == 1.5


def test_a_word_only_one_model_heard_is_dropped_unless_it_is_sure() -> None:
    a = _reading("a", ("go", 0.9), ("forward", 0.9), ("um", 0.3))
    b = _reading("b", ("go", 0.9), ("forward", 0.9))
    c = _reading("c", ("go", 0.9), ("forward", 0.9))
    assert combine("accurate", [a, b, c]).text == "go forward"


def test_ties_go_to_the_first_model_and_it_keeps_its_spelling_and_timing() -> None:
    a = _reading("a", ("Ten", 0.9), ("of", 0.9), ("clubs.", 0.9))
    b = _reading("b", ("ten", 0.9), ("of", 0.9), ("cloves", 0.9))
    combined = combine("accurate", [a, b])
    assert combined.text == "Ten of clubs."
    words = [w for s in combined.segments for w in s.words]
    assert [(w.start, w.end) for w in words] == [(0.0, 0.25), (0.3, 0.55), (0.6, 0.85)]
