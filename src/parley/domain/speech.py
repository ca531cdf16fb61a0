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
    M4A = "m4a"  # AAC in an MPEG-4 container
    AAC = "aac"  # AAC in ADTS frames, as OpenAI's "aac"
    WAV_MULAW = "wav_mulaw"  # G.711 in a WAV file, as Google's MULAW
    WAV_ALAW = "wav_alaw"


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
    pitch: float = 0.0  # semitones
    volume_gain_db: float = 0.0
    telephone: bool = False  # band-limited to what a telephone line carries


@dataclass(frozen=True)
class SynthesizedChunk:
    """Audio for one sentence, mono float32 at `sample_rate`."""

    samples: FloatArray
    sample_rate: int


@dataclass(frozen=True)
class Phrase:
    """Text to say with its own prosody, relative to the request's: rate as a factor,
    pitch in semitones and gain in dB added to the request's."""

    text: str
    rate: float = 1.0
    pitch: float = 0.0
    gain_db: float = 0.0


@dataclass(frozen=True)
class Pause:
    seconds: float


SpeechPart = Phrase | Pause
