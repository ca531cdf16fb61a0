"""Words from a decoder -> pause-separated segments."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from parley.domain.transcript import Alternative, Segment, Word, join_words

# A silence at least this long between two words ends a segment.
PAUSE_SECONDS = 0.6
# Past this length a segment also ends where the decoder ended a sentence...
SOFT_MAX_SECONDS = 15.0
# ...and past this one, at the next word whatever it is.
HARD_MAX_SECONDS = 30.0


@dataclass(frozen=True)
class DecodedWord:
    word: Word
    sentence_start: bool  # the decoder began a new segment here


def split_at_pauses(words: Sequence[DecodedWord], language: str) -> list[Segment]:
    groups: list[list[Word]] = []
    for item in words:
        word = item.word
        if not groups or _ends_before(groups[-1], item):
            groups.append([word])
        else:
            groups[-1].append(word)
    return [_segment(group, language) for group in groups]


def _ends_before(group: list[Word], item: DecodedWord) -> bool:
    length = item.word.end - group[0].start
    return (
        item.word.start - group[-1].end >= PAUSE_SECONDS
        or (item.sentence_start and length > SOFT_MAX_SECONDS)
        or length > HARD_MAX_SECONDS
    )


def _segment(words: list[Word], language: str) -> Segment:
    text = join_words((w.text for w in words), language)
    return Segment(
        start=words[0].start,
        end=words[-1].end,
        alternatives=(
            Alternative(text, geometric_mean(w.confidence for w in words), tuple(words)),
        ),
        language=language,
    )


def geometric_mean(values: Iterable[float]) -> float:
    logs = [math.log(max(v, 1e-6)) for v in values]
    return round(math.exp(sum(logs) / len(logs)), 4) if logs else 0.0
