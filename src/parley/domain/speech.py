"""What synthesis is asked for and what it yields."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from parley.domain.audio import FloatArray


class AudioFormat(enum.StrEnum):
    """Output encodings for synthesized speech."""

    WAV = "wav"
    PCM = "pcm"
    MP3 = "mp3"
    OGG_OPUS = "ogg_opus"
    MULAW = "mulaw"
    ALAW = "alaw"
    FLAC = "flac"


@dataclass(frozen=True)
class Voice:
    name: str
    language: str
    sample_rate: int
    engine: str
    gender: str = "neutral"


@dataclass(frozen=True)
class SynthesisOptions:
    voice: str | None = None
    rate: float = 1.0
    format: AudioFormat = AudioFormat.WAV
    sample_rate: int | None = None


@dataclass(frozen=True)
class SynthesizedChunk:
    """Audio for one sentence, mono float32 at `sample_rate`."""

    samples: FloatArray
    sample_rate: int
