"""A live utterance read after the speech before it in the same turn.

Read alone, a phrase that goes on from the one before ("acoustic corpus" after "quite
different than the, uh") loses what it follows; a file reads it in a 30-s window beside
its neighbours. So an utterance that starts within a turn, after a short pause, is read
with the last seconds of the one before as a lead-in, and the reading's words up to where
the previous final's words end are dropped. That end is found by aligning the two texts,
not by word times, which put a word near the pause on either side of it."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Sequence

from parley.domain.transcript import Alternative, Segment, Transcript, Word, join_words
from parley.services.stability import word_key

LEAD_IN_SECONDS = 3.0
# The alignment may miss the previous final's last word: a word near the pause, read two ways.
MISSED_WORDS = 1


def tokens(words: Iterable[Word]) -> list[str]:
    """Words as compared (`stability.word_key`)."""
    return [word_key(w) for w in words]


def after_lead_in(
    reading: Transcript, previous: Sequence[str], lead_seconds: float, duration: float
) -> Transcript:
    """`reading` of a lead-in of `lead_seconds` and then `duration` seconds of utterance:
    the words after the previous final's (`previous`, as `tokens`), with the utterance's
    times. Where the end of the previous final is not found in it, the words whose middle
    lies after the lead-in."""
    words = [w for s in reading.segments for w in s.words]
    boundary = _end_of(previous, tokens(words))
    if boundary is None:
        middles = [(w.start + w.end) / 2 for w in words]
        boundary = next((i for i, m in enumerate(middles) if m >= lead_seconds), len(words))
    segments, index = [], 0
    for segment in reading.segments:
        kept = [
            Word(
                text=w.text,
                start=_shifted(w.start, lead_seconds),
                end=_shifted(w.end, lead_seconds),
                confidence=w.confidence,
            )
            for number, w in enumerate(segment.words, start=index)
            if number >= boundary
        ]
        index += len(segment.words)
        if kept:
            segments.append(_segment(kept, segment))
    return dataclasses.replace(reading, segments=tuple(segments), duration=duration)


def _end_of(previous: Sequence[str], read: list[str]) -> int | None:
    """Where the previous final's words end in the words read, if they are found."""
    matcher = difflib.SequenceMatcher(None, list(previous), read, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if not blocks or blocks[-1].a + blocks[-1].size < len(previous) - MISSED_WORDS:
        return None
    return blocks[-1].b + blocks[-1].size


def _shifted(seconds: float, lead_seconds: float) -> float:
    return round(max(0.0, seconds - lead_seconds), 3)


def _segment(words: list[Word], segment: Segment) -> Segment:
    """`segment` with only `words`: a cut segment keeps its best reading only."""
    confidence = sum(w.confidence for w in words) / len(words)
    text = join_words((w.text for w in words), segment.language)
    alternative = Alternative(text, round(confidence, 4), tuple(words))
    return dataclasses.replace(
        segment, start=words[0].start, end=words[-1].end, alternatives=(alternative,)
    )
