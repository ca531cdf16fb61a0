"""Piper neural TTS (ONNX Runtime): one chunk per sentence as soon as it is synthesized."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from parley.domain.speech import SynthesizedChunk, Voice
from parley.errors import UnknownVoice

MIN_RATE = 0.25
MAX_RATE = 4.0


class PiperEngine:
    def __init__(
        self, name: str, language: str, gender: str, model: Path, config: Path, *, use_cuda: bool
    ) -> None:
        from piper import PiperVoice

        self.name = name
        self._voice = PiperVoice.load(model, config_path=config, use_cuda=use_cuda)
        self._info = Voice(
            name, language, int(self._voice.config.sample_rate), engine="piper", gender=gender
        )

    def voices(self) -> list[Voice]:
        return [self._info]

    def synthesize(self, text: str, voice: str, rate: float) -> Iterator[SynthesizedChunk]:
        from piper import SynthesisConfig

        if voice != self.name:
            raise UnknownVoice(f"voice {voice!r} is not served by {self.name}", field="voice")
        # Piper stretches phoneme durations: a faster rate is a shorter length. Durations
        # as the model predicts them, without drawn noise (noise_w 0): the same text has
        # the same timing every time (with noise, a sentence's length varied by 30 %).
        config = SynthesisConfig(
            length_scale=self._voice.config.length_scale / rate,
            noise_w_scale=0.0,
            normalize_audio=False,
        )
        for chunk in self._voice.synthesize(text, syn_config=config):
            samples = np.asarray(chunk.audio_float_array, dtype=np.float32)
            yield SynthesizedChunk(samples, self._info.sample_rate)
