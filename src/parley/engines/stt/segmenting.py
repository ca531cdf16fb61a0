"""Words from a decoder -> pause-separated segments."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from parley.audio.vad import fresh_regions
from parley.domain.audio import FloatArray
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
    # The decoder's own words, when `word` joins several ("S", "-U", "-N." as "S-U-N.").
    pieces: tuple[Word, ...] = ()

    @property
    def as_decoded(self) -> tuple[Word, ...]:
        return self.pieces or (self.word,)


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


@dataclass(frozen=True)
class Piece:
    """Audio decoded as one: the stretches of samples it is made of, in order, and the
    stretches of speech in them (the same ones, unless it is a live utterance read whole)."""

    stretches: list[dict[str, int]]
    speech: list[dict[str, int]]

    @property
    def speech_end(self) -> int:
        return self.speech[-1]["end"]


def speech_pieces(
    samples: FloatArray, seconds: float, rate: int, *, utterance: bool = False
) -> list[Piece]:
    """The stretches of speech that faster-whisper's VAD finds (with its Silero model),
    grouped into pieces of at most `seconds` of speech each. It hears the audio twice:
    through, its state carried from one sound to the next (in context, it hears quiet
    speech just after a short pause), and afresh after each long silence (carried over
    one, it went deaf to quieter speech for the rest of a file: `fresh_regions`); speech
    either found is read.

    `utterance`: the audio is one utterance a live stream's own VAD found, which heard it
    in the context of the speech before. Heard afresh here, its quiet first words often
    fall under the threshold and would be cut out (held-out live WER 27.0 % with them
    cut, 24.4 % without), so unless this VAD finds no speech at all it is one piece, whole
    (when no longer than `seconds`), pause after the speech included (Whisper read without
    it loops more often); its `speech` is what this VAD found."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    vad = VadOptions(max_speech_duration_s=seconds, min_silence_duration_ms=160)
    speech = get_speech_timestamps(samples, vad, sampling_rate=rate)
    # A live utterance has no such silence in it (a shorter one ends it).
    if not utterance:
        fresh = [
            {"start": start + found["start"], "end": start + found["end"]}
            for start, end in fresh_regions(samples)[1:]
            for found in get_speech_timestamps(samples[start:end], vad, sampling_rate=rate)
        ]
        speech = _union(speech, fresh, int(seconds * rate))
    if utterance and speech and len(samples) <= seconds * rate:
        return [Piece([{"start": 0, "end": len(samples)}], speech)]
    return [Piece(group, group) for group in _grouped(speech, int(seconds * rate))]


def packed(samples: FloatArray, piece: list[dict[str, int]]) -> FloatArray:
    return np.concatenate([samples[s["start"] : s["end"]] for s in piece])


def speech_after(piece: list[dict[str, int]], after: int) -> list[dict[str, int]]:
    """The piece's speech after sample `after`."""
    return [{"start": max(s["start"], after), "end": s["end"]} for s in piece if s["end"] > after]


def duration_of(piece: list[dict[str, int]], rate: int) -> float:
    return sum(s["end"] - s["start"] for s in piece) / rate


def _union(
    first: list[dict[str, int]], second: list[dict[str, int]], limit: int
) -> list[dict[str, int]]:
    """The speech either found, stretches that overlap joined up to `limit` samples."""
    out: list[dict[str, int]] = []
    for stretch in sorted(first + second, key=lambda s: s["start"]):
        if not out or stretch["start"] > out[-1]["end"]:
            out.append(dict(stretch))
        elif stretch["end"] - out[-1]["start"] <= limit:
            out[-1]["end"] = max(out[-1]["end"], stretch["end"])
        elif stretch["end"] > out[-1]["end"]:
            out.append({"start": out[-1]["end"], "end": stretch["end"]})
    return out


def _grouped(speech: list[dict[str, int]], limit: int) -> list[list[dict[str, int]]]:
    """Consecutive stretches of speech grouped up to `limit` samples each. (faster-whisper's
    `collect_chunks` leaves the first stretch of every group but the first out of the
    group's layout, which misplaces its words.)"""
    groups: list[list[dict[str, int]]] = []
    size = 0
    for stretch in speech:
        length = stretch["end"] - stretch["start"]
        if groups and size + length <= limit:
            groups[-1].append(stretch)
            size += length
        else:
            groups.append([stretch])
            size = length
    return groups
