"""Text to speech: validate, normalize, synthesize sentence by sentence, encode, store."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from parley.audio.effects import apply_effects
from parley.audio.encode import FILE_SUFFIXES, MAX_OUTPUT_RATE, MIN_OUTPUT_RATE, encode_audio
from parley.domain.access import LOCAL, Caller
from parley.domain.speech import (
    Pause,
    Phrase,
    SpeechPart,
    SynthesisOptions,
    SynthesizedChunk,
    Voice,
)
from parley.engines.base import TextToSpeech
from parley.engines.cache import ModelCache
from parley.engines.registry import EngineSettings, tts_voices, voice_spec
from parley.engines.tts.piper import MAX_RATE, MIN_RATE
from parley.errors import InvalidArgument
from parley.services.sentences import split_sentences
from parley.services.text_normalization import normalize_for_speech
from parley.store import Store, StoredAudio, SynthesisRecord

MAX_TEXT_CHARS = 5000
PITCH_SEMITONES = (-20.0, 20.0)
VOLUME_GAIN_DB = (-96.0, 16.0)
# The request's pitch and SSML's together: beyond two octaves a voice is no longer a voice.
MAX_PITCH_SHIFT = 24.0


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
            Voice(s.name, s.language, s.sample_rate, engine=s.engine, gender=s.gender)
            for s in tts_voices().values()
        ]

    def validate(
        self, text: str, options: SynthesisOptions, parts: list[SpeechPart] | None = None
    ) -> SynthesisOptions:
        said = text if parts is None else "".join(p.text for p in parts if isinstance(p, Phrase))
        if not said.strip():
            raise InvalidArgument("there is no text to speak", field="text")
        if len(text) > MAX_TEXT_CHARS:
            raise InvalidArgument(
                f"text is {len(text)} characters; at most {MAX_TEXT_CHARS} are allowed",
                field="text",
            )
        _within(options.rate, (MIN_RATE, MAX_RATE), "speaking rate", "rate")
        _within(options.pitch, PITCH_SEMITONES, "pitch (semitones)", "pitch")
        _within(options.volume_gain_db, VOLUME_GAIN_DB, "volume gain (dB)", "volume_gain_db")
        if options.sample_rate is not None:
            bounds = (MIN_OUTPUT_RATE, MAX_OUTPUT_RATE)
            _within(options.sample_rate, bounds, "output sample rate (Hz)", "sample_rate")
        spec = voice_spec(options.voice or self._default_voice)
        return dataclasses.replace(options, voice=spec.name)

    def stream(
        self, text: str, options: SynthesisOptions, parts: list[SpeechPart] | None = None
    ) -> Iterator[SynthesizedChunk]:
        """Validated options in; one chunk per sentence (and per pause), each as soon as it
        is ready. `parts`: what SSML or markup made of `text`, if it is either."""
        voice = options.voice or self._default_voice
        spec = voice_spec(voice)
        with self._engines.use(voice) as engine:
            for part in parts if parts is not None else [Phrase(text)]:
                if isinstance(part, Pause):
                    yield SynthesizedChunk(
                        np.zeros(round(part.seconds * spec.sample_rate), np.float32),
                        spec.sample_rate,
                    )
                    continue
                rate = min(MAX_RATE, max(MIN_RATE, options.rate * part.rate))
                # Sentence by sentence, so the first is heard before the rest is normalized.
                for sentence in split_sentences(part.text):
                    spoken = normalize_for_speech(sentence, spec.language)
                    for chunk in engine.synthesize(spoken, voice, rate):
                        yield _with_effects(chunk, options, part)

    def synthesize(
        self,
        text: str,
        options: SynthesisOptions,
        *,
        parts: list[SpeechPart] | None = None,
        caller: Caller = LOCAL,
    ) -> Synthesis:
        options = self.validate(text, options, parts)
        started = time.perf_counter()
        chunks = list(self.stream(text, options, parts))
        elapsed = time.perf_counter() - started
        return self.store(text, options, chunks, elapsed, caller=caller)

    def store(
        self,
        text: str,
        options: SynthesisOptions,
        chunks: list[SynthesizedChunk],
        elapsed: float,
        *,
        caller: Caller = LOCAL,
    ) -> Synthesis:
        """Keep a finished synthesis in the history, its audio in the requested format
        (unless the caller asked for text only)."""
        if not any(len(c.samples) for c in chunks):
            raise InvalidArgument(
                "the text holds nothing a voice can say (no word, number or letter)",
                field="text",
            )
        rate = chunks[0].sample_rate  # one voice, one rate
        samples = np.concatenate([c.samples for c in chunks])
        audio = encode_audio(samples, rate, options.format, options.sample_rate)
        record = self._store.add_synthesis(
            text=text,
            voice=options.voice or self._default_voice,
            options={
                "rate": options.rate,
                "format": options.format.value,
                "sample_rate": options.sample_rate,
                "pitch": options.pitch,
                "volume_gain_db": options.volume_gain_db,
                "telephone": options.telephone,
            },
            audio=StoredAudio(audio, FILE_SUFFIXES[options.format], options.format.value)
            if caller.keep_audio
            else None,
            duration=len(samples) / rate,
            inference_seconds=elapsed,
            tenant=caller.tenant,
            protocol=caller.protocol,
        )
        return Synthesis(record, audio)


def _within(value: float, bounds: tuple[float, float], what: str, field: str) -> None:
    low, high = bounds
    if not low <= value <= high:
        raise InvalidArgument(f"{what} must be between {low:g} and {high:g}", field=field)


def _with_effects(
    chunk: SynthesizedChunk, options: SynthesisOptions, part: Phrase
) -> SynthesizedChunk:
    pitch = max(-MAX_PITCH_SHIFT, min(MAX_PITCH_SHIFT, options.pitch + part.pitch))
    gain = options.volume_gain_db + part.gain_db
    if not (pitch or gain or options.telephone):
        return chunk
    samples = apply_effects(
        chunk.samples,
        chunk.sample_rate,
        pitch_semitones=pitch,
        gain_db=gain,
        telephone=options.telephone,
    )
    return SynthesizedChunk(samples, chunk.sample_rate)
