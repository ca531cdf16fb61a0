"""Speech sets (NAME.wav + NAME.ref) and long audio assembled from them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parley.audio.decode import decode_audio
from parley.audio.resample import resample
from parley.domain.audio import FloatArray
from parley.errors import InvalidArgument

RATE = 16000
# Real recorded speech shipped with Parley (sources and licences: speech/SOURCES.md).
BUNDLED_SPEECH = Path(__file__).parent / "speech"


@dataclass(frozen=True)
class Utterance:
    name: str
    samples: FloatArray  # 16 kHz mono
    reference: str
    data: bytes  # the file as stored

    @property
    def duration(self) -> float:
        return len(self.samples) / RATE


def load_speech_set(directory: Path) -> list[Utterance]:
    pairs = sorted(p for p in directory.glob("*.wav") if p.with_suffix(".ref").is_file())
    if not pairs:
        raise InvalidArgument(f"{directory} holds no NAME.wav + NAME.ref pairs", field="speech_dir")
    out = []
    for path in pairs:
        data = path.read_bytes()
        audio = decode_audio(data)
        samples = resample(audio.mono(), audio.sample_rate, RATE)
        out.append(
            Utterance(path.stem, samples, path.with_suffix(".ref").read_text().strip(), data)
        )
    return out


def long_audio(
    speech: list[Utterance], seconds: float, seed: int = 0
) -> tuple[FloatArray, list[Utterance]]:
    """The set over and over, with pauses of 0.3-1.5 s, cut to exactly `seconds`; returns
    the audio and the utterances it holds in order."""
    rng = np.random.default_rng(seed)
    parts: list[FloatArray] = []
    used: list[Utterance] = []
    total, limit = 0, int(seconds * RATE)
    while True:
        for utterance in speech:
            gap = np.zeros(int(RATE * rng.uniform(0.3, 1.5)), np.float32)
            if total + len(utterance.samples) > limit:
                audio = np.concatenate([*parts, np.zeros(max(0, limit - total), np.float32)])
                return audio[:limit], used
            parts += [utterance.samples, gap]
            used.append(utterance)
            total += len(utterance.samples) + len(gap)
