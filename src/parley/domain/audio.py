"""Audio as the engines see it: float32 PCM, channels kept apart."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]


class AudioEncoding(enum.StrEnum):
    """Headerless sample encodings that need a declared rate and channel count."""

    LINEAR16 = "linear16"
    MULAW = "mulaw"
    ALAW = "alaw"


@dataclass(frozen=True)
class RawAudioFormat:
    """How to read headerless audio; also what a caller claims about headered audio."""

    encoding: AudioEncoding
    sample_rate: int
    channels: int = 1


@dataclass(frozen=True)
class Span:
    """A stretch of time in seconds."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Audio:
    """Decoded audio: `samples` has shape (channels, frames), values in [-1, 1]."""

    samples: FloatArray
    sample_rate: int
    codec: str = "pcm_f32"
    container: str = "raw"

    def __post_init__(self) -> None:
        if self.samples.ndim != 2:
            raise ValueError("Audio.samples must have shape (channels, frames)")

    @property
    def channels(self) -> int:
        return int(self.samples.shape[0])

    @property
    def frames(self) -> int:
        return int(self.samples.shape[1])

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate

    def channel(self, index: int) -> FloatArray:
        return np.asarray(self.samples[index], dtype=np.float32)

    def mono(self) -> FloatArray:
        if self.channels == 1:
            return self.channel(0)
        return np.asarray(self.samples.mean(axis=0), dtype=np.float32)
