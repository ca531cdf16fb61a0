"""Words Whisper writes after the speech has ended: "3, 4, 3, 4" over a breath or the
noise after the last word, where the same audio cut 0.1 s differently reads clean.

Whisper's own test for such words (openai-whisper's `hallucination_silence_threshold`,
also in faster-whisper) is used as published, nothing fitted here: a word scores 1 when
improbable, more when implausibly short or long; a run of words is an anomaly when it
scores 3 or about one per word. A reading's tail that follows a word, starts with an
improbable word and is such an anomaly is dropped."""

from __future__ import annotations

from collections.abc import Sequence

from parley.domain.transcript import Word
from parley.engines.stt.segmenting import DecodedWord

IMPROBABLE = 0.15
SHORTEST_SECONDS = 0.133
LONGEST_SECONDS = 2.0
ANOMALY_SCORE = 3.0
WORDS_LOOKED_AT = 8  # Whisper scores at most the first eight words of a stretch


def anomaly_score(word: Word) -> float:
    duration = word.end - word.start
    score = 1.0 if word.confidence < IMPROBABLE else 0.0
    if duration < SHORTEST_SECONDS:
        score += (SHORTEST_SECONDS - duration) * 15
    if duration > LONGEST_SECONDS:
        score += duration - LONGEST_SECONDS
    return score


def is_anomaly(words: Sequence[DecodedWord]) -> bool:
    """Scored on the decoder's own words: "S-U-N." is three, as Whisper wrote them."""
    looked_at = [piece for word in words for piece in word.as_decoded][:WORDS_LOOKED_AT]
    score = sum(anomaly_score(w) for w in looked_at)
    return bool(looked_at) and (score >= ANOMALY_SCORE or score + 0.01 >= len(looked_at))


def without_invented_tail(words: list[DecodedWord]) -> list[DecodedWord]:
    """The words up to an anomalous tail of at most eight words, if there is one. The
    first word always stays: a reading of nothing but unsure words is unsure speech (a
    mumble, a short word), not words added after it."""
    for start in range(max(1, len(words) - WORDS_LOOKED_AT), len(words)):
        if words[start].as_decoded[0].confidence < IMPROBABLE and is_anomaly(words[start:]):
            return words[:start]
    return words
