"""Text to speech: validate, normalize, synthesize sentence by sentence, encode, store."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from parley.audio.encode import FILE_SUFFIXES, encode_audio
from parley.domain.speech import SynthesisOptions, SynthesizedChunk, Voice
from parley.engines.base import TextToSpeech
from parley.engines.cache import ModelCache
from parley.engines.registry import TTS_VOICES, EngineSettings, voice_spec
from parley.engines.tts.piper import MAX_RATE, MIN_RATE
from parley.errors import InvalidArgument
from parley.services.sentences import split_sentences
from parley.services.text_normalization import normalize_for_speech
from parley.store import Store, StoredAudio, SynthesisRecord

MAX_TEXT_CHARS = 5000


@dataclass(frozen=True)
class Synthesis:
    record: SynthesisRecord
    audio: bytes


class SynthesisService:
    def __init__(
        self,
        store: Store,
        engine_settings: EngineSettings,
        *,
        default_voice: str,
        idle_seconds: float | None,
    ) -> None:
        self._store = store
        self._default_voice = default_voice
        self._engines: ModelCache[TextToSpeech] = ModelCache(
            lambda name: voice_spec(name).load(engine_settings), idle_seconds
        )

    def voices(self) -> list[Voice]:
        return [
            Voice(s.name, s.language, s.sample_rate, engine="piper", gender=s.gender)
            for s in TTS_VOICES.values()
        ]

    def validate(self, text: str, options: SynthesisOptions) -> SynthesisOptions:
        if not text.strip():
            raise InvalidArgument("there is no text to speak", field="text")
        if len(text) > MAX_TEXT_CHARS:
            raise InvalidArgument(
                f"text is {len(text)} characters; at most {MAX_TEXT_CHARS} are allowed",
                field="text",
            )
        if not MIN_RATE <= options.rate <= MAX_RATE:
            raise InvalidArgument(
                f"speaking rate must be between {MIN_RATE} and {MAX_RATE}", field="rate"
            )
        spec = voice_spec(options.voice or self._default_voice)
        return dataclasses.replace(options, voice=spec.name)

    def stream(self, text: str, options: SynthesisOptions) -> Iterator[SynthesizedChunk]:
        """Validated options in; one chunk per sentence, each as soon as it is ready."""
        voice = options.voice or self._default_voice
        language = voice_spec(voice).language
        with self._engines.use(voice) as engine:
            # Sentence by sentence, so the first is heard before the rest is normalized.
            for sentence in split_sentences(text):
                spoken = normalize_for_speech(sentence, language)
                yield from engine.synthesize(spoken, voice, options.rate)

    def synthesize(self, text: str, options: SynthesisOptions) -> Synthesis:
        options = self.validate(text, options)
        started = time.perf_counter()
        chunks = list(self.stream(text, options))
        rate = chunks[0].sample_rate if chunks else voice_spec(options.voice or "").sample_rate
        samples = np.concatenate([c.samples for c in chunks]) if chunks else np.zeros(0, np.float32)
        audio = encode_audio(samples, rate, options.format, options.sample_rate)
        elapsed = time.perf_counter() - started
        record = self._store.add_synthesis(
            text=text,
            voice=options.voice or self._default_voice,
            options={
                "rate": options.rate,
                "format": options.format.value,
                "sample_rate": options.sample_rate,
            },
            audio=StoredAudio(audio, FILE_SUFFIXES[options.format], options.format.value),
            duration=len(samples) / rate,
            inference_seconds=elapsed,
        )
        return Synthesis(record, audio)
