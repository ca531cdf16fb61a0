"""A live utterance read after the speech before it: the words of that lead-in are found
by aligning the texts and dropped."""

from __future__ import annotations

from parley.domain.transcript import Alternative, Segment, Transcript, Word
from parley.services.lead_in import after_lead_in, tokens


def reading(*segments: list[tuple[str, float]]) -> Transcript:
    """Segments of (word, start) pairs, each word 0.3 s long."""
    built = []
    for spoken in segments:
        words = tuple(Word(text, start, start + 0.3, 0.8) for text, start in spoken)
        text = " ".join(w.text for w in words)
        built.append(Segment(words[0].start, words[-1].end, (Alternative(text, 0.8, words),), "en"))
    return Transcript(tuple(built), "en", 6.0, "test")


def test_the_words_after_the_previous_final_are_kept_with_the_utterances_times() -> None:
    previous = tokens(
        Word(t, 0, 0, 1) for t in ["I", "sound", "quite", "different", "than", "the..."]
    )
    read = reading(
        [("quite", 0.4), ("different", 0.8), ("than", 1.4), ("the", 1.7)],
        [("acoustic", 3.2), ("corpus.", 3.7)],
    )
    found = after_lead_in(read, previous, lead_seconds=3.0, duration=1.5)
    assert found.text == "acoustic corpus."
    assert [(w.start, w.end) for s in found.segments for w in s.words] == [
        (0.2, 0.5),
        (0.7, 1.0),
    ]
    assert found.duration == 1.5


def test_a_segment_that_holds_the_boundary_keeps_only_the_words_after_it() -> None:
    previous = ["so", "this", "is", "the", "sick", "corpus"]
    read = reading([("the", 0.5), ("sick", 0.9), ("corpus.", 1.3), ("I", 3.1), ("have", 3.3)])
    found = after_lead_in(read, previous, lead_seconds=3.0, duration=2.0)
    assert [s.text for s in found.segments] == ["I have"]
    assert found.segments[0].start == 0.1


def test_the_last_previous_word_read_another_way_is_allowed() -> None:
    previous = ["this", "one", "material"]
    read = reading([("This", 0.2), ("one", 0.5), ("Montreal", 0.9), ("is", 3.2), ("going", 3.4)])
    found = after_lead_in(read, previous, lead_seconds=1.0, duration=3.0)
    assert found.text == "Montreal is going"


def test_without_the_previous_words_the_words_after_the_lead_in_are_kept() -> None:
    """Word times decide: a word whose middle lies in the lead-in belongs to it."""
    previous = ["reporting", "environment", "is", "also", "quite", "different"]
    read = reading([("quite", 2.6), ("different", 2.8), ("and", 3.1), ("I'm", 3.3)])
    found = after_lead_in(read, previous[:3], lead_seconds=3.0, duration=2.0)
    assert found.text == "and I'm"
    assert after_lead_in(reading(), previous, lead_seconds=3.0, duration=2.0).segments == ()
